/**
 * `whoami`: who called the agent, as the container sees it — the user behind its workload access token (resolved
 * inside the stack), or the JWT of an allow-listed Authorization header — the session, the workload token's
 * fingerprint, and which headers reached it. Tokens appear only as fingerprints. Runs on every benchmarked invocation:
 * token decoding and fingerprints are memoised per token.
 */
import { HEADERS } from '../../wire.js';
import { memo } from '../token-map.js';
import { fingerprint, one, type AgentRequest, type SampleAgentContext } from './agent-context.js';

/**
 * The claims that say who called, when present as strings: `sub`, the user name (Cognito access tokens carry
 * `username`, ID tokens `cognito:username`), `email`, and which app asked with what (`client_id`, `scope`).
 */
const WHO_CLAIMS = ['sub', 'username', 'cognito:username', 'email', 'client_id', 'scope'] as const;
type Who = Partial<Record<(typeof WHO_CLAIMS)[number] | 'iss', string>>;

function decodeSub(token: string): Who {
  try {
    const part = token.split('.')[1];
    if (!part) return {};
    const c = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    const out: Who = {};
    for (const k of [...WHO_CLAIMS, 'iss'] as const) if (typeof c[k] === 'string') out[k] = c[k];
    return out;
  } catch {
    return {};
  }
}

const jwtSub = memo(decodeSub);
const bearerOf = memo((authorization: string) => authorization.replace(/^bearer\s+/i, ''));
const tokenFingerprint = memo(fingerprint);
const CUSTOM_PREFIX = HEADERS.customPrefix.toLowerCase();
const SESSION = HEADERS.sessionId.toLowerCase();
const REQUEST_ID = HEADERS.requestId.toLowerCase();
const CALLBACK = HEADERS.oauth2CallbackUrl.toLowerCase();
const NO_WAT = {
  received: false,
  why: 'SigV4 call without X-Amzn-Bedrock-AgentCore-Runtime-User-Id: no user, so no workload access token',
};

/** The caller as an allow-listed Authorization header shows it (one object per token, shared: only serialized). */
const byClaims = new WeakMap<Who, Record<string, string>>();
function callerFromHeader(jwt: Who): Record<string, string> {
  let c = byClaims.get(jwt);
  if (!c) {
    c = {};
    for (const k of WHO_CLAIMS) if (jwt[k] !== undefined) c[k] = jwt[k]!;
    c.source = 'Authorization header (allow-listed)';
    byClaims.set(jwt, c);
  }
  return c;
}

function customHeaders(req: AgentRequest): Record<string, string> {
  const custom: Record<string, string> = {};
  for (const k in req.headers) {
    const v = req.headers[k];
    if (k.startsWith(CUSTOM_PREFIX) && v !== undefined) custom[k] = Array.isArray(v) ? v.join(',') : v;
  }
  return custom;
}

export function whoami(
  ctx: SampleAgentContext,
  req: AgentRequest,
  payload: Record<string, unknown>,
  wat: string | undefined,
) {
  const info = wat ? ctx.options.resolveWorkloadAccessToken?.(wat) : undefined;
  const authorization = one(req.headers.authorization);
  const bearer = authorization === undefined ? undefined : bearerOf(authorization);
  const jwt = bearer ? jwtSub(bearer) : {};
  const fromToken = info?.userToken && !info.userKey ? jwtSub(info.userToken) : {};
  const userKey = info?.userKey ?? (fromToken.sub ? `jwt:${fromToken.iss ?? ''}#${fromToken.sub}` : undefined);
  const caller =
    info?.userId !== undefined
      ? { userId: info.userId }
      : jwt.sub
        ? callerFromHeader(jwt)
        : userKey?.startsWith('jwt:')
          ? { sub: userKey.slice(userKey.indexOf('#') + 1), source: 'workload access token' }
          : null;
  return {
    type: 'whoami',
    agent: 'agentcore-auth sample agent',
    ...(payload.prompt !== undefined ? { prompt: payload.prompt } : {}),
    caller,
    sessionId: one(req.headers[SESSION]) ?? null,
    requestId: one(req.headers[REQUEST_ID]) ?? null,
    workloadAccessToken: wat
      ? {
          received: true,
          fingerprint: tokenFingerprint(wat),
          ...(info ? { workload: info.workloadName, forUser: info.userId ?? (userKey ? userKey : null) } : {}),
        }
      : NO_WAT,
    authorizationHeader: authorization
      ? { received: true, fingerprint: tokenFingerprint(bearer ?? authorization) }
      : { received: false },
    customHeaders: customHeaders(req),
    oauth2CallbackUrl: one(req.headers[CALLBACK]) ?? null,
  };
}
