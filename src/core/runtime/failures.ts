/**
 * Why an invocation failed, in words that name the fix. Both paths end here: the SDK's exceptions (SigV4) and the raw
 * responses (bearer) are reduced to { status, errorName, message } and classified the same way.
 */
import { AgentcoreAuthError, type ErrorCode } from '../errors.js';
import { classify, CREDENTIAL_KINDS, type Classified } from '../classify.js';
import { hintFor } from '../hints.js';
import { tryDecodeJwt } from '../jwt.js';
import type { RuntimeAuthInfo } from './inbound.js';
import { describeAuth } from './auth-mode.js';
import type { InboundMode } from './inbound.js';
import type { RuntimeTarget } from './target.js';
import { METHOD_MISMATCH } from '../../wire.js';

export interface FailureFacts {
  status?: number;
  errorName?: string;
  message: string;
  requestId?: string;
}

export interface FailureContext {
  mode: InboundMode;
  userIdSent: boolean;
  /** The bearer token that was sent (never printed; decoded to explain claim failures). */
  token?: string;
  target: RuntimeTarget;
  region: string;
  attempts?: number;
  /** What the control plane says about the agent, when it could be read. */
  authInfo?: RuntimeAuthInfo;
  /** Why the control plane could not be read, when it was tried. */
  authInfoError?: string;
}

/** Reduce a raw error response (bearer path) to the facts: x-amzn-errortype + JSON message, JSON-RPC, AG-UI, text. */
export function parseErrorBody(status: number, headers: Headers, body: string): FailureFacts {
  const typeHeader = headers.get('x-amzn-errortype') ?? undefined;
  let errorName = typeHeader ? typeHeader.split(':')[0]!.trim() || undefined : undefined;
  let message = '';
  const text = body.trim();
  const tryJson = (s: string): unknown => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      return undefined;
    }
  };
  let doc = tryJson(text);
  if (doc === undefined && /^(data|event):/m.test(text)) {
    const line = text.split(/\r?\n/).find((l) => l.startsWith('data:'));
    if (line) doc = tryJson(line.slice(5).trim());
  }
  if (doc && typeof doc === 'object') {
    const d = doc as Record<string, unknown>;
    const err = d.error && typeof d.error === 'object' ? (d.error as Record<string, unknown>) : undefined;
    const m = d.message ?? d.Message ?? err?.message ?? d.errorMessage;
    if (typeof m === 'string') message = m;
    const t = d.__type ?? d.code ?? d.type;
    if (!errorName && typeof t === 'string' && /Exception$|Error$/.test(t)) errorName = t.split('#').pop();
    if (!errorName && err && typeof err.code === 'number') errorName = jsonRpcErrorName(err.code);
  }
  if (!message) message = text.slice(0, 2000) || `HTTP ${status}`;
  const requestId = headers.get('x-amzn-requestid') ?? undefined;
  return { status, ...(errorName ? { errorName } : {}), message, ...(requestId ? { requestId } : {}) };
}

function jsonRpcErrorName(code: number): string | undefined {
  return ({ [-32001]: 'UnauthorizedException', [-32002]: 'AccessDeniedException' } as Record<number, string>)[code];
}

export function isMethodMismatch(f: FailureFacts): boolean {
  return classify(f).kind === 'method-mismatch';
}

const modeWords = (m: InboundMode) => (m === 'bearer' ? 'an OAuth bearer token' : 'SigV4 (IAM)');

type Make = (code: ErrorCode, message: string, hint?: string) => AgentcoreAuthError;

/** An invocation's failure, by its kind (core/classify.ts) and what the call sent, as the error the user sees. */
export function classifyFailure(f: FailureFacts, c: FailureContext): AgentcoreAuthError {
  const cl = classify(f);
  const { status } = f;
  const details = {
    operation: 'InvokeAgentRuntime',
    ...(status !== undefined ? { status } : {}),
    ...(f.errorName ? { errorName: f.errorName } : {}),
    ...(f.requestId ? { requestId: f.requestId } : {}),
    mode: c.mode,
    ...(c.attempts ? { attempts: c.attempts } : {}),
  };
  const make: Make = (code, message, hint) =>
    new AgentcoreAuthError(code, message, { ...(hint ? { hint } : {}), details });
  const serviceSaid = `${f.errorName ? `${f.errorName}: ` : ''}${f.message}`;
  const fix = hintFor(cl.kind)?.fix;
  return (
    authFailure(cl, c, make, serviceSaid, fix, f) ??
    remoteFailure(cl, c, make, serviceSaid, fix, f) ??
    make('ERR_REMOTE', `InvokeAgentRuntime failed${status ? ` (${status})` : ''}: ${serviceSaid}`, fix)
  );
}

/** The refusals: wrong inbound mode, a claim, an expired or missing token, bad AWS credentials, IAM. */
function authFailure(
  cl: Classified,
  c: FailureContext,
  make: Make,
  serviceSaid: string,
  fix: string | undefined,
  f: FailureFacts,
): AgentcoreAuthError | undefined {
  if (cl.kind === 'method-mismatch') return methodMismatch(c, make);
  if (cl.claim)
    return make('ERR_AUTH', `the agent's JWT authorizer rejected the token: ${f.message}`, claimHint(cl, c.token));
  if (cl.kind === 'token-expired')
    return make('ERR_TOKEN_EXPIRED', `the bearer token has expired (${serviceSaid})`, fix);
  if (cl.kind === 'missing-auth-token')
    return make('ERR_AUTH', `the agent wants a bearer token and none reached it (${serviceSaid})`, fix);
  if (cl.kind === 'failed-to-parse-token')
    return make('ERR_AUTH', `the agent could not parse the bearer token as a JWT (${serviceSaid})`, fix);
  // The AWS credentials themselves (a wrong secret key, an invalid or expired session token, an expired SSO
  // session): their fix, whatever else the request carried (a user id included).
  if (CREDENTIAL_KINDS.has(cl.kind)) return make('ERR_AUTH', `the AWS credentials were refused: ${serviceSaid}`, fix);
  if (cl.kind === 'invoke-for-user-denied') {
    return make(
      'ERR_AUTH',
      `access denied for the user-id header: ${serviceSaid}`,
      'Sending --user-id (X-Amzn-Bedrock-AgentCore-Runtime-User-Id) needs ' +
        'bedrock-agentcore:InvokeAgentRuntimeForUser ' +
        'in addition to bedrock-agentcore:InvokeAgentRuntime on this runtime for your IAM principal. Without ' +
        '--user-id ' +
        'only InvokeAgentRuntime is needed (but the agent then gets no workload access token).',
    );
  }
  if (f.status === 401 || cl.name === 'UnauthorizedException') {
    return make(
      'ERR_AUTH',
      `the agent refused the bearer token (401): ${serviceSaid}`,
      'Check the token against the agent authorizer with `agentcore-auth verify TOKEN --agent-arn …`; mint a ' +
        'fresh one with `agentcore-auth login`.',
    );
  }
  if (f.status === 403 || cl.name === 'AccessDeniedException') {
    return make(
      'ERR_AUTH',
      `access denied: ${serviceSaid}`,
      fix ?? 'Check that your IAM principal may call bedrock-agentcore:InvokeAgentRuntime on this runtime.',
    );
  }
  return undefined;
}

function methodMismatch(c: FailureContext, make: Make): AgentcoreAuthError {
  const expected: InboundMode = c.authInfo?.mode ?? (c.mode === 'bearer' ? 'sigv4' : 'bearer');
  const unconfirmed = c.authInfoError ? ` (could not confirm with GetAgentRuntime: ${c.authInfoError})` : '';
  const confirmed = c.authInfo
    ? `the control plane says the agent uses ${describeAuth(c.authInfo)}`
    : `an agent accepts exactly one inbound mode, so it expects ${modeWords(expected)}${unconfirmed}`;
  const fix =
    expected === 'bearer'
      ? 'Call it with --bearer-token TOKEN or --bearer NAME (a cached `agentcore-auth login`), or use --auth auto.'
      : 'Call it with SigV4: drop the bearer flags (add --user-id ID if the agent needs a workload access token), ' +
        'or use --auth auto.';
  return make('ERR_AUTH', `${METHOD_MISMATCH}: the request used ${modeWords(c.mode)}, but ${confirmed}`, fix);
}

/** Not found, the agent failing, quotas, throttling, validation, the service failing. */
function remoteFailure(
  cl: Classified,
  c: FailureContext,
  make: Make,
  serviceSaid: string,
  fix: string | undefined,
  f: FailureFacts,
): AgentcoreAuthError | undefined {
  const { status } = f;
  if (cl.kind === 'not-found' || status === 404) return notFound(c, make, serviceSaid);
  if (cl.kind === 'runtime-client-error' || status === 424)
    return make('ERR_REMOTE', `the agent failed (424 RuntimeClientError): ${f.message}`, fix);
  if (cl.kind === 'quota-exceeded' || status === 402)
    return make('ERR_REMOTE', `service quota exceeded (402): ${f.message}`, fix);
  if (cl.kind === 'throttled' || status === 429) {
    const attempts = c.attempts ?? 1;
    return make(
      'ERR_THROTTLED',
      `throttled (429) — gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} with backoff: ${f.message}`,
      'Wait a little and retry; for load tests lower the request rate or ask for a higher quota.',
    );
  }
  if (status === 400 || status === 413 || cl.name === 'ValidationException')
    return make('ERR_REMOTE', `the service rejected the request (${status ?? 400}): ${serviceSaid}`, fix);
  if (status !== undefined && status >= 500) {
    return make(
      'ERR_SERVER',
      `the service failed (${status}) after ${c.attempts ?? 1} attempt(s): ${serviceSaid}`,
      'Retry later; if it persists, check the AWS Health Dashboard.',
    );
  }
  return undefined;
}

function notFound(c: FailureContext, make: Make, serviceSaid: string): AgentcoreAuthError {
  const { target, region } = c;
  const where = `${target.arn ?? target.pathLabel} (qualifier ${target.qualifier}, region ${region})`;
  const endpoint = target.qualifier === 'DEFAULT' ? '' : ': it must name an endpoint of this runtime';
  const qualifier = `${target.qualifier}${endpoint}`;
  const what = target.arn ? 'ARN' : `runtime id with account ${target.accountId ?? '?'}`;
  return make(
    'ERR_REMOTE',
    `not found: ${where}: ${serviceSaid}`,
    `Check the region (${region}${target.arn ? ', taken from the ARN' : ''}), the qualifier (${qualifier}) and the ` +
      `${what}. List runtimes with \`aws bedrock-agentcore-control list-agent-runtimes --region ${region}\`.`,
  );
}

/** Explain a claim failure from the token that was actually sent (Cognito ID vs access token, the usual mix-up). */
export function claimHint(cl: Pick<Classified, 'kind' | 'claim'>, token: string | undefined): string {
  const claim = cl.claim ?? '';
  const base = hintFor(cl.kind)?.fix ?? '';
  const d = token ? tryDecodeJwt(token) : undefined;
  if (!d) return base;
  const p = d.payload;
  const use = typeof p.token_use === 'string' ? p.token_use : undefined;
  const has = (k: string) => p[k] !== undefined;
  if (claim === 'client_id') {
    if (!has('client_id')) {
      const kind = use === 'id' ? 'a Cognito ID token' : 'a token';
      const alt = ['aud', 'azp', 'cid', 'appid']
        .filter(has)
        .map((k) => `${k}=${String(p[k])}`)
        .join(', ');
      return (
        `You sent ${kind} without a client_id claim${alt ? ` (it has ${alt})` : ''}. Send the access token instead ` +
        '(login --print access-token / --bearer NAME uses it), or configure allowedAudience instead of ' +
        'allowedClients on the authorizer.'
      );
    }
    return `The token's client_id is ${String(p.client_id)}, which is not in the authorizer's allowedClients. ${base}`;
  }
  if (claim === 'aud') {
    if (!has('aud')) {
      const kind =
        use === 'access' ? 'a Cognito access token, which carries no aud claim' : 'a token without an aud claim';
      const clientId = has('client_id') ? ` (client_id=${String(p.client_id)})` : '';
      return (
        `You sent ${kind}${clientId}. Configure allowedClients=[<client id>] instead of allowedAudience, or send ` +
        'the ID token (login --print id-token).'
      );
    }
    return `The token's aud is ${JSON.stringify(p.aud)}, which is not in the authorizer's allowedAudience. ${base}`;
  }
  if (claim === 'iss') return `The token was issued by ${String(p.iss)}. ${base}`;
  if (claim === 'scope') return `The token's scopes: ${String(p.scope ?? p.scp ?? '(none)')}. ${base}`;
  return base;
}
