/**
 * Who is calling a runtime endpoint, and whether the request's headers are acceptable: the inbound check of the
 * endpoint's configuration (its JWT authorizer, or SigV4 when it has none — one mode per runtime), then the header
 * members of InvokeAgentRuntime / StopRuntimeSession against the model's lengths, in AgentCore's wording.
 */
import { HEADERS, LIMITS, MESSAGES, SIGNING_NAME } from '../../../wire.js';
import { accessDenied, ApiError, validation } from '../../api/errors.js';
import type { EmuRequest } from '../../server.js';
import { advertisedScopes, type AllowedWorkloadConfiguration } from '../authorizer-config.js';
import { header, inboundCredential } from '../deps.js';
import type { EffectiveJwt, RuntimeContext } from '../runtime-context.js';
import type { Target } from './target.js';

export type Caller = { mode: 'sigv4'; userId?: string } | { mode: 'jwt'; token: string; exp?: number; sub?: string };

/** A 401 of a JWT runtime: the JSON-RPC -32001 envelope with the endpoint's WWW-Authenticate challenge. */
export class Unauthorized extends ApiError {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(401, 'UnauthorizedException', message);
  }
}

/**
 * `Bearer resource_metadata="…"` as AgentCore sends it (agentcore-errors.md §1.1); with advertisedScopeMapping, the
 * advertised scopes follow as `scope="…"` (the SDK model: the advertised scope appears in WWW-Authenticate; where
 * in the header is UNVERIFIED).
 */
function challenge(ctx: RuntimeContext, t: Target, jwt: EffectiveJwt): string {
  const base = `Bearer resource_metadata="${ctx.metadataUrl(t.arn, t.qualifier)}"`;
  if (!jwt.advertisedScopeMapping) return base;
  return `${base}, scope="${advertisedScopes(jwt)?.join(' ') ?? ''}"`;
}

/** Inbound auth of one request; throws the service's refusal. */
export async function authenticate(ctx: RuntimeContext, req: EmuRequest, t: Target): Promise<Caller> {
  const cred = inboundCredential(req.headers);
  const jwt = ctx.effectiveJwt(t.agent);
  if (!jwt) {
    if (cred.kind === 'bearer') throw accessDenied(MESSAGES.methodMismatch);
    const v = await ctx.deps.verifySigV4(req, SIGNING_NAME.agentcore);
    if (!v.ok) throw new ApiError(v.status, v.type, v.message);
    const userId = header(req.headers, HEADERS.userId);
    return userId === undefined ? { mode: 'sigv4' } : { mode: 'sigv4', userId };
  }
  if (cred.kind === 'sigv4') throw accessDenied(MESSAGES.methodMismatch);
  if (cred.kind === 'none') throw new Unauthorized(MESSAGES.missingAuthToken, challenge(ctx, t, jwt));
  const verdict = await ctx.authorizer.authorize(cred.kind === 'bearer' ? cred.token : undefined, jwt);
  if (!verdict.ok) {
    if (verdict.status === 401) throw new Unauthorized(verdict.message, challenge(ctx, t, jwt));
    if (verdict.status === 403) throw accessDenied(verdict.message);
    throw new ApiError(500, 'InternalServerException', verdict.message);
  }
  if (jwt.allowedWorkloadConfiguration && !fromAllowedWorkload(ctx, req, jwt.allowedWorkloadConfiguration))
    throw new Unauthorized(MESSAGES.transactionTokenRequired, challenge(ctx, t, jwt));
  const { exp, sub } = verdict.claims;
  return {
    mode: 'jwt',
    token: verdict.token,
    ...(exp ? { exp } : {}),
    ...(typeof sub === 'string' ? { sub } : {}),
  };
}

/**
 * allowedWorkloadConfiguration: only a workload in the request's identity chain may call. Locally that chain is the
 * workload access token a service of this stack (a gateway) sends in `X-Amz-Bedrock-AgentCore-Identity-WAT`, the
 * multi-hop header (agentcore-gateway.md §3.1): its workload must be listed in workloadIdentities, or be a gateway
 * listed in hostingEnvironments. A caller cannot mint such a token itself (the gateway's identity is linked to it).
 */
function fromAllowedWorkload(ctx: RuntimeContext, req: EmuRequest, allowed: AllowedWorkloadConfiguration): boolean {
  const wat = header(req.headers, HEADERS.workloadAccessTokenNew);
  const info = wat ? ctx.deps.state.resolveWat?.(wat) : undefined;
  if (!info) return false;
  if (allowed.workloadIdentities?.includes(info.workloadName)) return true;
  const gateway = ctx.deps.gateways.find((g) => g.workloadName === info.workloadName);
  return !!gateway && !!allowed.hostingEnvironments?.some((h) => h.arn.endsWith(`:gateway/${gateway.id}`));
}

/** InvokeAgentRuntime's header members and their maximum lengths (botocore bedrock-agentcore 2024-02-28). */
const HEADER_MEMBERS: ReadonlyArray<readonly [member: string, header: string, max: number]> = [
  ['contentType', 'content-type', LIMITS.contentTypeMax],
  ['accept', 'accept', LIMITS.acceptMax],
  ['mcpSessionId', HEADERS.mcpSessionId.toLowerCase(), LIMITS.mcpSessionIdMax],
  ['mcpProtocolVersion', HEADERS.mcpProtocolVersion.toLowerCase(), LIMITS.mcpProtocolVersionMax],
  ['traceId', HEADERS.traceId.toLowerCase(), LIMITS.traceIdMax],
  ['traceParent', HEADERS.traceParent, LIMITS.traceParentMax],
  ['traceState', HEADERS.traceState, LIMITS.traceStateMax],
  ['baggage', HEADERS.baggage, LIMITS.baggageMax],
];

const tooLong = (member: string, max: number) =>
  validation(member, `Member must have length less than or equal to ${max}`);

/** The optional header members of InvokeAgentRuntime: each within the model's maximum length. */
export function checkInvokeHeaders(req: EmuRequest): void {
  const h = req.headers;
  for (const [member, name, max] of HEADER_MEMBERS) {
    const v = h[name];
    if (v !== undefined && v.length > max) throw tooLong(member, max);
  }
}

/**
 * The runtime session id (and the SigV4 caller's user id) checked as AgentCore checks them; undefined when the caller
 * sent none and none is required (InvokeAgentRuntime: the service picks one).
 */
export function sessionIdOf(req: EmuRequest, caller: Caller, required: boolean): string | undefined {
  const sessionId = header(req.headers, HEADERS.sessionId);
  if (sessionId === undefined) {
    if (required) throw validation('runtimeSessionId', 'Member must not be null');
    return undefined;
  }
  if (sessionId.length < LIMITS.sessionIdMin)
    throw validation('runtimeSessionId', `Member must have length greater than or equal to ${LIMITS.sessionIdMin}`);
  if (sessionId.length > LIMITS.sessionIdMax) throw tooLong('runtimeSessionId', LIMITS.sessionIdMax);
  if (caller.mode === 'sigv4' && caller.userId !== undefined) {
    if (caller.userId.length < LIMITS.userIdMin)
      throw validation('runtimeUserId', `Member must have length greater than or equal to ${LIMITS.userIdMin}`);
    if (caller.userId.length > LIMITS.userIdMax) throw tooLong('runtimeUserId', LIMITS.userIdMax);
  }
  return sessionId;
}
