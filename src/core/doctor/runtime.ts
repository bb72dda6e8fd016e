/**
 * The agent runtime's lines: it exists (GetAgentRuntime), is READY, its protocol, its inbound auth and what callers
 * must send, the Authorization header allowlist, and its authorizer's discovery document.
 */
import { fromSdkAuthorizer, type AuthorizerConfig } from '../authorizer-prediction/config.js';
import { parseRuntimeRef } from '../authorizer-prediction/remote.js';
import { HEADERS, METHOD_MISMATCH } from '../../wire.js';
import { controlSdk } from '../../sdk.js';
import { discoveryCheck, failLine, type AddCheck, type DoctorDeps } from './common.js';

/** What the later checks learn from the runtime: its workload identity and its JWT authorizer. */
export interface AgentFacts {
  workloadName?: string;
  jwtConfig?: AuthorizerConfig;
}

export async function agentChecks(
  agentArn: string,
  region: string,
  deps: DoctorDeps,
  add: AddCheck,
): Promise<AgentFacts> {
  const ref = parseRuntimeRef(agentArn);
  const { GetAgentRuntimeCommand } = controlSdk();
  let r: RuntimeShape;
  try {
    r = await (await deps.aws.control(region)).send(new GetAgentRuntimeCommand({ agentRuntimeId: ref.id }));
    add({
      id: 'runtime.exists',
      status: 'pass',
      label: `runtime ${ref.id} exists`,
      detail: r.agentRuntimeArn ?? ref.id,
    });
  } catch (e) {
    add(
      failLine(
        'runtime.exists',
        `runtime ${ref.id} exists`,
        e,
        'GetAgentRuntime',
        `check the ARN or id and the region (${region}); list them: aws bedrock-agentcore-control ` +
          `list-agent-runtimes --region ${region}`,
      ),
    );
    return {};
  }
  statusCheck(r, add);
  protocolCheck(r, add);
  inboundChecks(r, add);
  const facts: AgentFacts = {};
  const workloadName = r.workloadIdentityDetails?.workloadIdentityArn?.split('/').pop();
  if (workloadName) facts.workloadName = workloadName;
  const jwt = r.authorizerConfiguration?.customJWTAuthorizer;
  if (jwt) {
    facts.jwtConfig = fromSdkAuthorizer(jwt);
    await discoveryCheck(facts.jwtConfig, deps, add);
  }
  return facts;
}

interface RuntimeShape {
  agentRuntimeArn?: string;
  agentRuntimeName?: string;
  status?: string;
  failureReason?: string;
  authorizerConfiguration?: { customJWTAuthorizer?: Parameters<typeof fromSdkAuthorizer>[0] };
  requestHeaderConfiguration?: { requestHeaderAllowlist?: string[] };
  workloadIdentityDetails?: { workloadIdentityArn?: string };
  protocolConfiguration?: { serverProtocol?: string };
}

function statusCheck(r: RuntimeShape, add: AddCheck): void {
  const name = r.agentRuntimeName ?? 'runtime';
  const status = r.status ?? 'UNKNOWN';
  if (status === 'READY')
    add({ id: 'runtime.status', status: 'pass', label: `runtime ${name} is READY`, detail: status });
  else if (status === 'CREATING' || status === 'UPDATING') {
    add({
      id: 'runtime.status',
      status: 'warn',
      label: `runtime ${name} is READY`,
      detail: `${status}: invocations may fail until it is READY`,
      fix: 'wait a minute and run doctor again',
    });
  } else {
    add({
      id: 'runtime.status',
      status: 'fail',
      label: `runtime ${name} is READY`,
      detail: `${status}${r.failureReason ? `: ${r.failureReason}` : ''}`,
      fix: status.endsWith('FAILED')
        ? 'fix the cause above and update the runtime (UpdateAgentRuntime), or redeploy'
        : 'the runtime is being deleted; deploy it again',
    });
  }
}

function protocolCheck(r: RuntimeShape, add: AddCheck): void {
  const protocol = r.protocolConfiguration?.serverProtocol;
  if (protocol === 'MCP') {
    add({
      id: 'runtime.protocol',
      status: 'pass',
      label: 'protocol: MCP',
      detail:
        `callers POST JSON-RPC with Accept: application/json, text/event-stream ` +
        `and ${HEADERS.mcpProtocolVersion}, echoing ${HEADERS.mcpSessionId} after initialize (agentcore-auth ` +
        `mcp / invoke --mcp do)`,
    });
  } else if (protocol && protocol !== 'HTTP') {
    add({
      id: 'runtime.protocol',
      status: 'pass',
      label: `protocol: ${protocol}`,
      detail: 'callers speak this protocol on /invocations',
    });
  }
}

/** The inbound auth callers must use, and whether the agent gets their Authorization header. */
function inboundChecks(r: RuntimeShape, add: AddCheck): void {
  const jwt = r.authorizerConfiguration?.customJWTAuthorizer;
  const allow = (r.requestHeaderConfiguration?.requestHeaderAllowlist ?? []).map((h) => h.toLowerCase());
  const hasAuthz = allow.includes('authorization');
  if (jwt) jwtInbound(fromSdkAuthorizer(jwt), hasAuthz, add);
  else sigv4Inbound(hasAuthz, add);
}

function jwtInbound(cfg: AuthorizerConfig, hasAuthz: boolean, add: AddCheck): void {
  const wants = [
    cfg.allowedClients ? `client_id in [${cfg.allowedClients.join(', ')}]` : '',
    cfg.allowedAudience ? `aud in [${cfg.allowedAudience.join(', ')}]` : '',
    cfg.allowedScopes ? `a scope in [${cfg.allowedScopes.join(', ')}]` : '',
    ...(cfg.customClaims ?? []).map((c) => `${c.name} ${c.operator} ${c.values.join(',')}`),
  ].filter(Boolean);
  add({
    id: 'runtime.inbound',
    status: 'pass',
    label: 'inbound auth: OAuth bearer JWT (customJWTAuthorizer)',
    detail:
      `callers send Authorization: Bearer <JWT> from the IdP ` +
      `at ${cfg.discoveryUrl}${wants.length ? ` with ${wants.join(', ')}` : ''}; SigV4 calls get 403 ` +
      `"${METHOD_MISMATCH}"`,
  });
  if (hasAuthz)
    add({
      id: 'runtime.authorization-header',
      status: 'pass',
      label: 'Authorization is in the request-header allowlist',
      detail: "the agent receives the caller's JWT",
    });
  else {
    add({
      id: 'runtime.authorization-header',
      status: 'warn',
      label: 'Authorization is in the request-header allowlist',
      detail:
        "it is not: the agent never sees the caller's JWT (fine unless the agent reads its claims or passes it on)",
      fix: 'add "Authorization" to requestHeaderConfiguration.requestHeaderAllowlist (UpdateAgentRuntime)',
    });
  }
}

function sigv4Inbound(hasAuthz: boolean, add: AddCheck): void {
  add({
    id: 'runtime.inbound',
    status: 'pass',
    label: 'inbound auth: IAM SigV4 (no customJWTAuthorizer)',
    detail:
      `callers sign with SigV4 (service bedrock-agentcore) and need ` +
      `bedrock-agentcore:InvokeAgentRuntime; to give the agent a workload token for a user they ` +
      `add ${HEADERS.userId} (needs bedrock-agentcore:InvokeAgentRuntimeForUser); bearer calls get 403 ` +
      `"${METHOD_MISMATCH}"`,
  });
  if (hasAuthz) {
    add({
      id: 'runtime.authorization-header',
      status: 'warn',
      label: 'Authorization is in the request-header allowlist',
      detail: 'it is, but the agent uses SigV4 inbound, so the header is never forwarded',
      fix: "remove it, or add a customJWTAuthorizer if the agent needs the caller's JWT",
    });
  }
}
