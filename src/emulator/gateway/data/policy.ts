/**
 * A gateway's policy engine (policyEngineConfiguration {arn, mode}) on its data plane, evaluated by the shared Cedar
 * model (src/policy-model/) through the stack's PolicyStore: after the REQUEST interceptor, a tools/call is decided
 * for the caller (OAuthUser with its claims as tags, or IamEntity by ARN); ENFORCE answers a denial as the
 * `AuthorizeActionException - Tool Execution Denied: …` error result, LOG_ONLY only records it. tools/list keeps the
 * tools some input could be allowed for (ENFORCE). A NONE gateway's caller is evaluated from the claims of the bearer
 * token it sent, unverified, or denied when there is none (UNVERIFIED: no principal is documented for NONE).
 */
import type { Caller, GatewayModel } from '../../../policy-model/index.js';
import type { PolicyEngines } from '../deps.js';
import { type GatewayRecord, isHttpTarget } from '../model.js';
import type { GatewayCall } from './call.js';

const models = new WeakMap<GatewayRecord, { signature: string; model: GatewayModel }>();

/** The gateway as the policy model sees it: its ARN, inbound type and MCP targets' tools (one object per state). */
export function policyModel(g: GatewayRecord): GatewayModel {
  const mcp = g.targets.filter((t) => !isHttpTarget(t.targetConfiguration));
  const signature = [
    g.authorizerType,
    ...mcp.map((t) => `${t.name}:${t.updatedAt}:${t.lastSynchronizedAt ?? ''}:${t.tools.length}`),
  ].join('|');
  const hit = models.get(g);
  if (hit?.signature === signature) return hit.model;
  const model: GatewayModel = {
    arn: g.gatewayArn,
    authorizerType: g.authorizerType,
    targets: mcp.map((t) => ({
      name: t.name,
      tools: t.tools.map((x) => ({
        name: x.name,
        ...(x.description ? { description: x.description } : {}),
        inputSchema: x.inputSchema,
      })),
    })),
  };
  models.set(g, { signature, model });
  return model;
}

function callerOf(call: GatewayCall): Caller {
  const p = call.inbound.principal;
  if (p.kind === 'IamEntity') return { kind: 'iam', arn: p.arn };
  return { kind: 'jwt', claims: p.kind === 'OAuthUser' ? p.claims : (call.inbound.claims ?? {}) };
}

/** The tools/call decision: the denial text to answer with (ENFORCE), or undefined to go ahead. */
export function policyDenial(
  engines: PolicyEngines | undefined,
  call: GatewayCall,
  action: string,
  input: unknown,
): string | undefined {
  const cfg = call.gateway.policyEngineConfiguration;
  if (!cfg || !engines) return undefined;
  const compiled = engines.compiled(cfg.arn, policyModel(call.gateway));
  // An engine that does not exist (or failed): the gateway cannot evaluate, so it refuses (UNVERIFIED).
  const d = compiled?.authorize({ caller: callerOf(call), tool: action, input });
  const decision = d?.decision ?? 'deny';
  call.trace.push({
    kind: 'policy',
    action,
    decision,
    mode: cfg.mode,
    engine: engineIdOf(cfg.arn),
    determining: (d?.determining ?? []).map(({ id, name, effect }) => ({ id, name, effect })),
    ...(d ? {} : { error: `policy engine ${engineIdOf(cfg.arn)} is not available` }),
  });
  if (decision === 'allow' || cfg.mode === 'LOG_ONLY') return undefined;
  return d?.denialText ?? `Policy engine ${cfg.arn} is not available`;
}

/** tools/list under ENFORCE: only the tools the caller could call with some input. */
export function listable(
  engines: PolicyEngines | undefined,
  call: GatewayCall,
  names: string[],
): Set<string> | undefined {
  const cfg = call.gateway.policyEngineConfiguration;
  if (!cfg || !engines || cfg.mode !== 'ENFORCE') return undefined;
  const compiled = engines.compiled(cfg.arn, policyModel(call.gateway));
  const allowed = new Set(compiled ? compiled.listable(callerOf(call), names) : []);
  call.trace.push({
    kind: 'policy-list',
    mode: cfg.mode,
    engine: engineIdOf(cfg.arn),
    listed: names.filter((n) => allowed.has(n)).length,
    of: names.length,
  });
  return allowed;
}

/** `…:policy-engine/<id>` → id. */
const engineIdOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** The gateways naming an engine, as the policy control plane validates new policies against them. */
export function gatewaysFor(list: () => GatewayRecord[], engineArn: string): GatewayModel[] {
  return list()
    .filter((g) => g.policyEngineConfiguration?.arn === engineArn)
    .map(policyModel);
}
