/**
 * The resource step: GetResourceOauth2Token (M2M, or USER_FEDERATION with its authorizationUrl/sessionUri and the
 * polling that follows completion) and GetResourceApiKey. Polling uses the injected clock and sleep, so tests run it
 * on a fake clock; it stops at once on sessionStatus FAILED and on Ctrl-C.
 */
import type { GetResourceOauth2TokenCommandOutput } from '@aws-sdk/client-bedrock-agentcore';
import { fromAwsError } from '../aws.js';
import { AgentcoreAuthError, inputError, interruptedError, timeoutError } from '../errors.js';
import { LIMITS, OAUTH2_FLOW, PATTERNS, SESSION_STATUS } from '../../wire.js';
import type { IdentityIo } from './io.js';
import { agentcoreSdk } from '../../sdk.js';

export type ResourceFlow = 'M2M' | 'USER_FEDERATION' | 'ON_BEHALF_OF_TOKEN_EXCHANGE';

export interface ResourceTokenRequest {
  workloadToken: string;
  provider: string;
  scopes: string[];
  flow: ResourceFlow;
  returnUrl?: string;
  forceAuthentication?: boolean;
  customParameters?: Record<string, string>;
  customState?: string;
  resources?: string[];
  audiences?: string[];
  sessionUri?: string;
  region?: string;
}

export type ResourceTokenResult =
  | { kind: 'token'; accessToken: string }
  | { kind: 'authorize'; authorizationUrl: string; sessionUri: string; sessionStatus?: string }
  | { kind: 'failed'; sessionUri?: string };

export function validateProviderName(name: string, flag = '--provider'): string {
  if (!name || name.length > LIMITS.providerNameMax || !PATTERNS.providerName.test(name)) {
    throw inputError(
      `invalid ${flag} ${JSON.stringify(name)}: 1–128 characters of A-Z a-z 0-9 - _`,
      'Use the credential provider name exactly as created (ListOauth2CredentialProviders / ' +
        'ListApiKeyCredentialProviders).',
    );
  }
  return name;
}

export function validateScopes(scopes: string[]): string[] {
  for (const s of scopes) {
    if (s.length > LIMITS.scopeMax)
      throw inputError(`scope too long (${s.length} > ${LIMITS.scopeMax}): ${s.slice(0, 40)}…`);
  }
  return scopes;
}

const CUSTOM_PARAM_KEY = /^[a-zA-Z0-9\-_.]+$/;
/** `k=v` pairs → map; keys 1–256 `[a-zA-Z0-9-_.]`, values 1–2048. */
export function parseCustomParams(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    const k = i > 0 ? p.slice(0, i) : '';
    const v = i > 0 ? p.slice(i + 1) : '';
    if (!k || !v) throw inputError(`--custom-param expects key=value, got ${JSON.stringify(p)}`);
    if (k.length > 256 || !CUSTOM_PARAM_KEY.test(k))
      throw inputError(`--custom-param key ${JSON.stringify(k)}: 1–256 characters of A-Z a-z 0-9 - _ .`);
    if (v.length > 2048) throw inputError(`--custom-param ${k}: value longer than 2048 characters`);
    out[k] = v;
  }
  return out;
}

export function validateReturnUrl(url: string): string {
  if (url.length > LIMITS.returnUrlMax || !PATTERNS.returnUrl.test(url)) {
    throw inputError(
      `invalid return URL ${JSON.stringify(url)}`,
      'Expected an absolute URL such as http://localhost:8081/oauth2/callback (at most 2048 characters).',
    );
  }
  return url;
}

/** One GetResourceOauth2Token call. Tokens and the authorization URL are registered as secrets. */
export async function requestResourceToken(io: IdentityIo, req: ResourceTokenRequest): Promise<ResourceTokenResult> {
  const dp = await io.aws.agentcore(req.region);
  const { GetResourceOauth2TokenCommand } = agentcoreSdk();
  const input = {
    workloadIdentityToken: req.workloadToken,
    resourceCredentialProviderName: req.provider,
    scopes: req.scopes,
    oauth2Flow: OAUTH2_FLOW[req.flow],
    ...(req.sessionUri ? { sessionUri: req.sessionUri } : {}),
    ...(req.returnUrl ? { resourceOauth2ReturnUrl: req.returnUrl } : {}),
    ...(req.forceAuthentication ? { forceAuthentication: true } : {}),
    ...(req.customParameters && Object.keys(req.customParameters).length
      ? { customParameters: req.customParameters }
      : {}),
    ...(req.customState ? { customState: req.customState } : {}),
    ...(req.resources?.length ? { resources: req.resources } : {}),
    ...(req.audiences?.length ? { audiences: req.audiences } : {}),
  };
  let out: GetResourceOauth2TokenCommandOutput;
  try {
    out = await dp.send(new GetResourceOauth2TokenCommand(input), { abortSignal: io.ctx.signal });
  } catch (e) {
    throw fromAwsError(e, 'GetResourceOauth2Token');
  }
  return resourceTokenResult(io, req, out);
}

/** The answer: a token, a FAILED session, an authorization URL (or still the session polled), else an error. */
function resourceTokenResult(
  io: IdentityIo,
  req: ResourceTokenRequest,
  out: GetResourceOauth2TokenCommandOutput,
): ResourceTokenResult {
  if (out.accessToken) {
    io.secrets.add(out.accessToken);
    return { kind: 'token', accessToken: out.accessToken };
  }
  if (out.sessionStatus === SESSION_STATUS.FAILED)
    return { kind: 'failed', ...(out.sessionUri ? { sessionUri: out.sessionUri } : {}) };
  const status = out.sessionStatus ? { sessionStatus: out.sessionStatus } : {};
  if (out.authorizationUrl) {
    // Not registered as a secret: the user must be able to open it (traces still mask it as a body field).
    const sessionUri = out.sessionUri ?? sessionUriFromAuthorizationUrl(out.authorizationUrl);
    if (!sessionUri)
      throw new AgentcoreAuthError(
        'ERR_REMOTE',
        'GetResourceOauth2Token returned an authorizationUrl without a sessionUri',
      );
    return { kind: 'authorize', authorizationUrl: out.authorizationUrl, sessionUri, ...status };
  }
  if (req.sessionUri) return { kind: 'authorize', authorizationUrl: '', sessionUri: req.sessionUri, ...status };
  throw new AgentcoreAuthError(
    'ERR_REMOTE',
    'GetResourceOauth2Token returned neither an accessToken nor an authorizationUrl',
    {
      hint:
        req.flow === 'M2M'
          ? 'Check that the provider supports the client-credentials grant.'
          : 'Check the provider configuration with `agentcore-auth doctor --provider …`.',
    },
  );
}

/** The `request_uri` query parameter of an AgentCore authorization URL (it equals the sessionUri). */
export function sessionUriFromAuthorizationUrl(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('request_uri') ?? undefined;
  } catch {
    return undefined;
  }
}

export interface PollOptions {
  /** Milliseconds between polls (the first poll runs at once). */
  intervalMs: number;
  /** Absolute deadline, on io.ctx.now()'s clock. */
  deadline: number;
  /** Called before each attempt (1-based), for the timeline. */
  onAttempt?: (attempt: number, status: string | undefined) => void;
}

/**
 * GetResourceOauth2Token again with the sessionUri (forceAuthentication omitted, as the official SDKs do) until the
 * token arrives. FAILED → ERR_OAUTH (exit 4) at once; past the deadline → ERR_TIMEOUT (exit 5); Ctrl-C → exit 130.
 */
export async function pollResourceToken(
  io: IdentityIo,
  req: ResourceTokenRequest & { sessionUri: string },
  options: PollOptions,
): Promise<{ accessToken: string; attempts: number }> {
  const { forceAuthentication: _omit, ...pollReq } = req;
  void _omit;
  let lastStatus: string | undefined;
  for (let attempt = 1; ; attempt++) {
    if (io.ctx.signal.aborted) throw interruptedError();
    options.onAttempt?.(attempt, lastStatus);
    const r = await requestResourceToken(io, pollReq);
    if (r.kind === 'token') return { accessToken: r.accessToken, attempts: attempt };
    if (r.kind === 'failed') {
      throw new AgentcoreAuthError(
        'ERR_OAUTH',
        `the authorization session failed (sessionStatus FAILED after ${attempt} ${attempt === 1 ? 'poll' : 'polls'})`,
        {
          hint:
            'The provider refused or the consent was denied. Start again (add --force-auth to force a ' +
            'fresh consent).',
          details: { operation: 'GetResourceOauth2Token', sessionStatus: 'FAILED' },
        },
      );
    }
    lastStatus = r.sessionStatus;
    const remaining = options.deadline - io.ctx.now();
    if (remaining <= 0) {
      throw timeoutError(
        `timed out waiting for the resource token (sessionStatus ${lastStatus ?? 'unknown'} ` +
          `after ${attempt} ${attempt === 1 ? 'poll' : 'polls'})`,
        'The session was completed but the token has not arrived; raise --timeout, or check the provider.',
      );
    }
    try {
      await io.ctx.sleep(Math.min(options.intervalMs, remaining), io.ctx.signal);
    } catch (e) {
      if (io.ctx.signal.aborted) throw interruptedError();
      throw e;
    }
  }
}

/** GetResourceApiKey. The key is registered as a secret. */
export async function getResourceApiKey(
  io: IdentityIo,
  options: { workloadToken: string; provider: string; region?: string },
): Promise<string> {
  const dp = await io.aws.agentcore(options.region);
  const { GetResourceApiKeyCommand } = agentcoreSdk();
  try {
    const out = await dp.send(
      new GetResourceApiKeyCommand({
        workloadIdentityToken: options.workloadToken,
        resourceCredentialProviderName: options.provider,
      }),
      { abortSignal: io.ctx.signal },
    );
    if (!out.apiKey) throw new AgentcoreAuthError('ERR_REMOTE', 'GetResourceApiKey answered without an apiKey');
    io.secrets.add(out.apiKey);
    return out.apiKey;
  } catch (e) {
    throw fromAwsError(e, 'GetResourceApiKey');
  }
}
