/**
 * A deployed gateway as AgentCore Policy sees it, read from the control plane (the local stack or AWS) with the
 * CLI's own SDK client: GetGateway (its ARN, authorizer type and policyEngineConfiguration), ListGatewayTargets +
 * GetGatewayTarget (the MCP targets and the tools their configuration holds), ListPolicies of its engine (the Cedar
 * statements in effect). `policy check --gateway-id`, `policy validate --gateway-id` and a test table's `gateway:`
 * read it here, then decide with the same model the gateway uses.
 *
 * The control plane holds a target's tools only when they are inline in its configuration: a Lambda target's
 * `toolSchema`, an MCP server's static `mcpToolSchema`. The tools an MCP server lists at create/sync time and an
 * OpenAPI target's operations are the gateway's own catalogue, not returned by GetGatewayTarget: such targets are
 * `unlisted`, and their tools come from `--tools FILE` (the gateway's tools/list, e.g. `mcp --gateway-id ID --json`)
 * or are inferred from the inputs given — said in the notes.
 */
import type {
  BedrockAgentCoreControlClient,
  GetGatewayCommandOutput,
  GetGatewayTargetCommandOutput,
  Policy,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { inferTargets, splitToolName, type PolicySource, type TargetSpec } from '../../policy-model/index.js';
import { controlSdk } from '../../sdk.js';
import { fromAwsError } from '../aws.js';
import { AgentcoreAuthError } from '../errors.js';
import { modelError, toolsFrom, type PolicyContext } from './load.js';

export interface GatewayEngine {
  id: string;
  arn: string;
  mode: string;
}

/** What the control plane says of a gateway, for policy decisions. */
export interface GatewayPolicyRead {
  gatewayId: string;
  gatewayArn: string;
  authorizerType?: string;
  engine?: GatewayEngine;
  /** MCP targets whose tools are in their configuration. */
  targets: TargetSpec[];
  /** MCP targets whose tools only the gateway's catalogue holds (discovered from the server, OpenAPI, S3). */
  unlisted: string[];
  /** The engine's policies in effect (ACTIVE), when asked for. */
  policies: PolicySource[];
  notes: string[];
}

type Control = Pick<BedrockAgentCoreControlClient, 'send'>;
type Target = GetGatewayTargetCommandOutput;
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The tools a target's configuration holds, or undefined when only the gateway's catalogue has them. */
export function inlineTools(t: Pick<Target, 'targetConfiguration'>): TargetSpec['tools'] | undefined {
  const mcp = t.targetConfiguration?.mcp;
  const lambda = mcp?.lambda?.toolSchema?.inlinePayload;
  if (lambda)
    return lambda.map((d) => ({
      name: d.name ?? '',
      ...(d.description ? { description: d.description } : {}),
      ...(d.inputSchema ? { inputSchema: d.inputSchema as unknown as Record<string, unknown> } : {}),
    }));
  const schema = mcp?.mcpServer?.mcpToolSchema?.inlinePayload;
  if (schema === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(schema);
  } catch {
    return undefined;
  }
  if (!isObj(doc) || !Array.isArray(doc.tools)) return undefined;
  return doc.tools.filter(isObj).map((x) => ({
    name: String(x.name ?? ''),
    ...(typeof x.description === 'string' ? { description: x.description } : {}),
    ...(isObj(x.inputSchema) ? { inputSchema: x.inputSchema } : {}),
  }));
}

/** HTTP targets (runtime, passthrough) are reached by path, not as tools: policies do not see them. */
const isMcpTarget = (t: Target) => !!t.targetConfiguration?.mcp;

async function send<T>(control: Control, command: unknown, operation: string, signal?: AbortSignal): Promise<T> {
  try {
    return (await control.send(command as never, signal ? { abortSignal: signal } : {})) as T;
  } catch (e) {
    throw fromAwsError(e, operation);
  }
}

async function targetsOf(control: Control, gatewayId: string, signal?: AbortSignal): Promise<Target[]> {
  const sdk = controlSdk();
  const out: Target[] = [];
  let nextToken: string | undefined;
  do {
    const page = await send<{ items?: Array<{ targetId?: string }>; nextToken?: string }>(
      control,
      new sdk.ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId, ...(nextToken ? { nextToken } : {}) }),
      `ListGatewayTargets (${gatewayId})`,
      signal,
    );
    for (const s of page.items ?? [])
      out.push(
        await send<Target>(
          control,
          new sdk.GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: s.targetId }),
          `GetGatewayTarget (${s.targetId})`,
          signal,
        ),
      );
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** Every policy of an engine (ListPolicies, all pages), as the control plane shows them. */
export async function listEnginePolicies(control: Control, engineId: string, signal?: AbortSignal): Promise<Policy[]> {
  const all: Policy[] = [];
  let nextToken: string | undefined;
  do {
    const page = await send<{ policies?: Policy[]; nextToken?: string }>(
      control,
      new (controlSdk().ListPoliciesCommand)({ policyEngineId: engineId, ...(nextToken ? { nextToken } : {}) }),
      `ListPolicies (${engineId})`,
      signal,
    );
    all.push(...(page.policies ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

/** The engine's policies in effect; the others (failed, being created or updated) are named in the notes. */
async function policiesOf(
  control: Control,
  engine: GatewayEngine,
  notes: string[],
  signal?: AbortSignal,
): Promise<PolicySource[]> {
  const out: PolicySource[] = [];
  for (const p of await listEnginePolicies(control, engine.id, signal)) {
    const statement = p.definition?.cedar?.statement;
    if (p.status !== 'ACTIVE' || !statement) {
      notes.push(
        `policy ${p.name ?? p.policyId} is ${p.status}${statement ? '' : ' (not a cedar definition)'}: left out ` +
          '(only ACTIVE statements are read; a failed update keeps a statement the control plane does not show)',
      );
      continue;
    }
    out.push({
      id: p.policyId ?? p.name ?? '?',
      name: p.name ?? p.policyId ?? '?',
      statement,
      ...(p.enforcementMode ? { enforcementMode: p.enforcementMode as 'ACTIVE' | 'LOG_ONLY' } : {}),
    });
  }
  return out;
}

/** The engine a gateway names (its id is the last part of the ARN: `…:policy-engine/<id>`). */
export function engineOf(g: Pick<GetGatewayCommandOutput, 'policyEngineConfiguration'>): GatewayEngine | undefined {
  const cfg = g.policyEngineConfiguration;
  if (!cfg?.arn) return undefined;
  return { id: cfg.arn.slice(cfg.arn.lastIndexOf('/') + 1), arn: cfg.arn, mode: cfg.mode ?? 'ENFORCE' };
}

/**
 * Read a gateway for policy decisions. `policies: true` also reads its engine's policies (ERR_CONFIG, exit 2, when
 * the gateway has no policy engine: there is nothing to decide with).
 */
export async function readGatewayForPolicy(
  control: Control,
  gatewayId: string,
  o: { policies: boolean; region: string; signal?: AbortSignal },
): Promise<GatewayPolicyRead> {
  const sdk = controlSdk();
  let g: GetGatewayCommandOutput;
  try {
    g = await send<GetGatewayCommandOutput>(
      control,
      new sdk.GetGatewayCommand({ gatewayIdentifier: gatewayId }),
      `GetGateway (${gatewayId})`,
      o.signal,
    );
  } catch (e) {
    const err = e as AgentcoreAuthError;
    if (err.details?.errorName === 'ResourceNotFoundException')
      err.hint = `No gateway ${gatewayId} in ${o.region}: check the id (ListGateways) and --region.`;
    throw err;
  }
  const notes: string[] = [];
  const engine = engineOf(g);
  if (o.policies && !engine)
    throw new AgentcoreAuthError(
      'ERR_CONFIG',
      `gateway ${gatewayId} has no policy engine: no policy decides its calls`,
      {
        hint:
          'Attach one (UpdateGateway policyEngineConfiguration {arn, mode}), or decide with policy files: ' +
          '--gateway-id ID --policy-file FILE (the gateway gives the tools and ARN).',
      },
    );
  const targets: TargetSpec[] = [];
  const unlisted: string[] = [];
  for (const t of (await targetsOf(control, gatewayId, o.signal)).filter(isMcpTarget)) {
    const tools = inlineTools(t);
    if (tools) targets.push({ name: t.name ?? '?', tools });
    else unlisted.push(t.name ?? '?');
  }
  return {
    gatewayId,
    gatewayArn: g.gatewayArn ?? '',
    ...(g.authorizerType ? { authorizerType: g.authorizerType } : {}),
    ...(engine ? { engine } : {}),
    targets,
    unlisted,
    policies: engine && o.policies ? await policiesOf(control, engine, notes, o.signal) : [],
    notes,
  };
}

/**
 * The decision context of a read gateway: its ARN and authorizer type, its targets' tools — a tools document
 * (`--tools`, `tools:`) replacing targets by name, the rest of the unlisted targets' tools inferred from `uses` —
 * and the engine's policies unless policy files replace them.
 */
export function gatewayPolicyContext(
  read: GatewayPolicyRead,
  o: {
    policies?: PolicySource[];
    tools?: { doc: unknown; file: string };
    uses: ReadonlyArray<{ tool: string; input: unknown }>;
  },
): PolicyContext {
  const notes = [...read.notes];
  const byName = new Map(read.targets.map((t) => [t.name, t]));
  const fromFile = o.tools ? toolsFrom(o.tools.doc, o.tools.file).targets : [];
  const known = new Set([...byName.keys(), ...read.unlisted]);
  for (const t of fromFile)
    if (known.has(t.name)) byName.set(t.name, t);
    else notes.push(`${o.tools!.file}: ${t.name} is not an MCP target of ${read.gatewayId}: its tools are ignored`);
  const missing = read.unlisted.filter((n) => !byName.has(n));
  if (missing.length) {
    const uses = o.uses.filter((u) => missing.includes(splitToolName(u.tool)?.target ?? ''));
    let inferred: TargetSpec[];
    try {
      inferred = inferTargets(uses);
    } catch (e) {
      throw modelError(e);
    }
    for (const t of inferred) byName.set(t.name, t);
    notes.push(
      `the tools of ${missing.join(', ')} are the gateway's catalogue, not in the control plane: ` +
        (uses.length ? 'their input schemas were inferred from the inputs given ' : '') +
        '(pass --tools FILE, the gateway tools/list: agentcore-auth mcp --gateway-id ID --json > tools.json)',
    );
  }
  if (o.policies)
    notes.push(
      read.engine
        ? `the policy files replace the policies of engine ${read.engine.id}`
        : 'the gateway has no policy engine: the policy files decide, as an engine holding them would',
    );
  else if (read.engine)
    notes.push(`${read.policies.length} ACTIVE polic${read.policies.length === 1 ? 'y' : 'ies'} of ${read.engine.id}`);
  return {
    gateway: {
      arn: read.gatewayArn,
      targets: [...byName.values()],
      ...(read.authorizerType ? { authorizerType: read.authorizerType } : {}),
    },
    policies: o.policies ?? read.policies,
    notes,
  };
}
