/**
 * Inbound authorization by the gateway's authorizerType (DG gateway-inbound-auth; agentcore-gateway.md §1.3, §3.3):
 *   CUSTOM_JWT         `Authorization: Bearer <JWT>` checked by the runtime's authorizer (same rules and messages);
 *                      401 -32001 with `WWW-Authenticate: Bearer [error="invalid_token", ]scope="…",
 *                      resource_metadata="<gateway>/.well-known/oauth-protected-resource"` (no `error` when no token
 *                      was sent, RFC 6750 §3); a token without an allowed scope → 403 `insufficient_scope`
 *   AWS_IAM            SigV4 (service bedrock-agentcore) and the caller's permission bedrock-agentcore:InvokeGateway on
 *                      the gateway ARN (403 AccessDeniedException in IAM's wording otherwise)
 *   AUTHENTICATE_ONLY  SigV4 only: any authenticated principal is let through
 *   NONE               nothing is checked; a bearer token, if sent, is carried along (JWT_PASSTHROUGH), unverified
 * The advertised scopes are allowedScopes renamed by advertisedScopeMapping.
 */
import { advertisedScopes as advertised } from '../../runtime/authorizer-config.js';
import type { ServerResponse } from 'node:http';
import { GATEWAY, MESSAGES } from '../../../wire.js';
import { sendAwsError, sendJson } from '../../respond.js';
import { inboundCredential } from '../../runtime/deps.js';
import type { JwtAuthorizer } from '../../runtime/jwt-authorizer.js';
import type { EmuRequest } from '../../server.js';
import { type StackCredentials, verifySigV4 } from '../../sigv4.js';
import type { GatewayDeps } from '../deps.js';
import type { GatewayRecord } from '../model.js';
import type { GatewayStore } from '../store.js';
import { claimsOf } from '../util.js';
import type { Inbound } from './call.js';

/** An IAM identity the stack knows: its credentials, its ARN and the actions its policy allows (`*` = all). */
export interface IamPrincipal extends StackCredentials {
  arn: string;
  allow: string[];
}

export interface InboundEnv {
  deps: GatewayDeps;
  store: GatewayStore;
  authorizer: JwtAuthorizer;
  principals: IamPrincipal[];
}

/** What to answer instead of serving the call. */
export interface Refusal {
  status: number;
  headers: Record<string, string>;
  /** A JSON-RPC error envelope (JWT refusals) or an AWS error (`type` set: SigV4 / IAM refusals). */
  rpc?: { code: number; message: string };
  type?: string;
  message?: string;
}

export type InboundResult = { ok: true; inbound: Inbound } | { ok: false; refusal: Refusal };

const jwtOf = (g: GatewayRecord) => g.authorizerConfiguration?.customJWTAuthorizer;

/** The scopes shown to callers: allowedScopes through advertisedScopeMapping (unmapped ones unchanged). */
export function advertisedScopes(g: GatewayRecord): string[] | undefined {
  const jwt = jwtOf(g);
  return jwt ? advertised(jwt) : undefined;
}

export function metadataUrl(env: Pick<InboundEnv, 'deps'>, g: GatewayRecord): string {
  return `${env.deps.baseUrl}/gateways/${g.gatewayId}/.well-known/oauth-protected-resource`;
}

function challenge(env: InboundEnv, g: GatewayRecord, error?: 'invalid_token' | 'insufficient_scope'): string {
  const scopes = advertisedScopes(g);
  const parts = [
    ...(error ? [`error="${error}"`] : []),
    ...(scopes ? [`scope="${scopes.join(' ')}"`] : []),
    `resource_metadata="${metadataUrl(env, g)}"`,
  ];
  return `Bearer ${parts.join(', ')}`;
}

async function customJwt(env: InboundEnv, g: GatewayRecord, req: EmuRequest): Promise<InboundResult> {
  const cred = inboundCredential(req.headers);
  if (cred.kind !== 'bearer')
    return {
      ok: false,
      refusal: {
        status: 401,
        headers: { 'www-authenticate': challenge(env, g) },
        rpc: { code: -32001, message: MESSAGES.missingAuthToken },
      },
    };
  const v = await env.authorizer.authorize(cred.token, jwtOf(g)!);
  if (v.ok) {
    const claims = v.claims as Record<string, unknown>;
    return {
      ok: true,
      inbound: {
        token: cred.token,
        claims,
        principal: { kind: 'OAuthUser', sub: String(claims.sub ?? ''), claims },
      },
    };
  }
  if (v.reason === 'scope')
    return {
      ok: false,
      refusal: {
        status: 403,
        headers: { 'www-authenticate': challenge(env, g, 'insufficient_scope') },
        rpc: { code: -32002, message: 'insufficient_scope' },
      },
    };
  if (v.status === 500)
    return { ok: false, refusal: { status: 500, headers: {}, rpc: { code: -32603, message: v.message } } };
  return {
    ok: false,
    refusal: {
      status: v.status,
      headers: { 'www-authenticate': challenge(env, g, 'invalid_token') },
      rpc: { code: v.status === 403 ? -32002 : -32001, message: v.message },
    },
  };
}

async function sigv4(env: InboundEnv, g: GatewayRecord, req: EmuRequest, authorize: boolean): Promise<InboundResult> {
  const v = await verifySigV4(req, env.principals, {
    service: 'bedrock-agentcore',
    ...(env.deps.now ? { now: env.deps.now } : {}),
  });
  if (!v.ok) return { ok: false, refusal: { status: v.status, headers: {}, type: v.type, message: v.message } };
  const p = env.principals.find((x) => x.accessKeyId === v.accessKeyId)!;
  const caller = { arn: p.arn, accessKeyId: p.accessKeyId, credentials: p };
  if (authorize && !allows(p, GATEWAY.invokeAction)) {
    const message =
      `User: ${p.arn} is not authorized to perform: ${GATEWAY.invokeAction} on resource: ${g.gatewayArn} ` +
      `because no identity-based policy allows the ${GATEWAY.invokeAction} action`;
    return { ok: false, refusal: { status: 403, headers: {}, type: 'AccessDeniedException', message } };
  }
  return { ok: true, inbound: { iam: caller, principal: { kind: 'IamEntity', arn: p.arn } } };
}

export function allows(p: IamPrincipal, action: string): boolean {
  const service = action.split(':')[0];
  return p.allow.some((a) => a === '*' || a === action || a === `${service}:*`);
}

export async function authenticate(env: InboundEnv, g: GatewayRecord, req: EmuRequest): Promise<InboundResult> {
  switch (g.authorizerType) {
    case 'CUSTOM_JWT':
      return customJwt(env, g, req);
    case 'AWS_IAM':
      return sigv4(env, g, req, true);
    case 'AUTHENTICATE_ONLY':
      return sigv4(env, g, req, false);
    case 'NONE': {
      const cred = inboundCredential(req.headers);
      if (cred.kind !== 'bearer' || !cred.token) return { ok: true, inbound: { principal: { kind: 'anonymous' } } };
      const claims = claimsOf(cred.token);
      return {
        ok: true,
        inbound: { token: cred.token, ...(claims ? { claims } : {}), principal: { kind: 'anonymous' } },
      };
    }
  }
}

/** Sends a refusal: a JSON-RPC envelope (JWT) or an AWS error (SigV4 / IAM). */
export function sendRefusal(res: ServerResponse, r: Refusal, id: unknown): void {
  if (r.type) sendAwsError(res, r.status, r.type, r.message ?? r.type, {}, r.headers);
  else sendJson(res, r.status, { jsonrpc: '2.0', id: id ?? null, error: r.rpc }, r.headers);
}

/** RFC 9728 protected-resource metadata of a CUSTOM_JWT gateway (members UNVERIFIED: no capture found). */
export async function protectedResource(env: InboundEnv, g: GatewayRecord, res: ServerResponse): Promise<void> {
  const jwt = jwtOf(g);
  if (g.authorizerType !== 'CUSTOM_JWT' || !jwt) {
    sendAwsError(res, 404, 'ResourceNotFoundException', `Gateway ${g.gatewayId} has no JWT authorizer`);
    return;
  }
  let issuer: string;
  try {
    issuer = await env.authorizer.issuerOf(jwt.discoveryUrl);
  } catch (e) {
    sendAwsError(res, 500, 'InternalServerException', `Could not read ${jwt.discoveryUrl}: ${(e as Error).message}`);
    return;
  }
  const scopes = advertisedScopes(g);
  sendJson(res, 200, {
    resource: env.store.urlOf(g),
    authorization_servers: [issuer],
    ...(scopes ? { scopes_supported: scopes } : {}),
  });
}
