/**
 * The `token` and `apikey` actions: GetResourceOauth2Token / GetResourceApiKey with the workload access token the
 * runtime handed the agent, through the real SDK client pointed at the stack. A 3LO token first streams the
 * authorization URL; with SSE (or `wait`) the agent then polls like the AgentCore SDKs until the session is bound and
 * streams the token's fingerprint. Errors are emitted as events, never thrown.
 */
import type { GetResourceOauth2TokenCommandInput } from '@aws-sdk/client-bedrock-agentcore';
import { MESSAGES } from '../../wire.js';
import { fingerprint, type SampleAgentContext } from './agent-context.js';

export type Emit = (e: Record<string, unknown>) => void;

export interface TokenRequest {
  payload: Record<string, unknown>;
  wat: string | undefined;
  /** The runtime's OAuth2CallbackUrl header: the default return URL, as the SDKs' @requires_access_token uses it. */
  callbackUrl: string | undefined;
  sse: boolean;
  emit: Emit;
  /** True once the caller hung up. */
  gone: () => boolean;
}

export async function providerToken(ctx: SampleAgentContext, action: 'token' | 'apikey', r: TokenRequest) {
  const provider = typeof r.payload.provider === 'string' ? r.payload.provider : undefined;
  // What the AgentCore SDKs raise in an agent invoked over SigV4 without a user id.
  if (!r.wat) return r.emit({ type: 'error', error: 'WorkloadAccessTokenNotSet', message: MESSAGES.watNotSet });
  if (!provider)
    return r.emit({
      type: 'error',
      error: 'BadRequest',
      message: 'payload.provider is required (the credential provider name)',
    });
  try {
    if (action === 'apikey') await apiKey(ctx, r.wat, provider, r.emit);
    else await oauth2Token(ctx, r.wat, provider, r);
  } catch (e) {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    r.emit({
      type: 'error',
      error: err.name ?? 'Error',
      message: err.message ?? String(e),
      status: err.$metadata?.httpStatusCode ?? null,
    });
  }
}

async function apiKey(ctx: SampleAgentContext, wat: string, provider: string, emit: Emit): Promise<void> {
  const out = await ctx.client.send(
    new ctx.sdk.GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider }),
  );
  emit({ type: 'apiKey', provider, fingerprint: out.apiKey ? fingerprint(out.apiKey) : null });
}

function scopesOf(payload: Record<string, unknown>): string[] {
  if (Array.isArray(payload.scopes)) return payload.scopes.map(String);
  return typeof payload.scopes === 'string' ? payload.scopes.split(/[ ,]+/).filter(Boolean) : [];
}

async function oauth2Token(ctx: SampleAgentContext, wat: string, provider: string, r: TokenRequest): Promise<void> {
  const { payload, emit } = r;
  const flow = payload.flow === 'M2M' ? 'M2M' : 'USER_FEDERATION';
  // Like the SDKs' @requires_access_token: the return URL defaults to the OAuth2CallbackUrl header.
  const returnUrl = typeof payload.returnUrl === 'string' ? payload.returnUrl : r.callbackUrl;
  const base: GetResourceOauth2TokenCommandInput = {
    workloadIdentityToken: wat,
    resourceCredentialProviderName: provider,
    scopes: scopesOf(payload),
    oauth2Flow: flow,
    ...(returnUrl && flow === 'USER_FEDERATION' ? { resourceOauth2ReturnUrl: returnUrl } : {}),
  };
  const out = await ctx.client.send(
    new ctx.sdk.GetResourceOauth2TokenCommand({
      ...base,
      ...(typeof payload.sessionUri === 'string' ? { sessionUri: payload.sessionUri } : {}),
      ...(payload.forceAuthentication === true ? { forceAuthentication: true } : {}),
    }),
  );
  if (out.accessToken) return emit({ type: 'token', provider, flow, fingerprint: fingerprint(out.accessToken) });
  if (!out.authorizationUrl)
    return emit({
      type: 'error',
      error: 'NoTokenNoUrl',
      message: 'GetResourceOauth2Token returned neither a token nor an authorization URL',
      sessionStatus: out.sessionStatus ?? null,
    });
  emit({
    type: 'authorizationUrl',
    provider,
    authorizationUrl: out.authorizationUrl,
    sessionUri: out.sessionUri ?? null,
    message:
      'Open this URL to consent; the agent gets the token once the session is bound (CompleteResourceTokenAuth).',
  });
  const wait = typeof payload.wait === 'number' ? Math.min(payload.wait, ctx.maxWait) : r.sse ? ctx.maxWait : 0;
  if (wait && out.sessionUri) await waitForConsent(ctx, { ...base, sessionUri: out.sessionUri }, wait, r);
}

/** Polls GetResourceOauth2Token with the session URI, as the SDKs do, until a token, a failure or the deadline. */
async function waitForConsent(
  ctx: SampleAgentContext,
  input: GetResourceOauth2TokenCommandInput,
  wait: number,
  r: TokenRequest,
): Promise<void> {
  const provider = input.resourceCredentialProviderName;
  const flow = input.oauth2Flow;
  const deadline = Date.now() + wait * 1000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, ctx.pollMs));
    if (r.gone()) return; // the caller hung up: no one to stream the token to
    const out = await ctx.client.send(new ctx.sdk.GetResourceOauth2TokenCommand(input));
    if (out.accessToken) return r.emit({ type: 'token', provider, flow, fingerprint: fingerprint(out.accessToken) });
    if (out.sessionStatus === 'FAILED')
      return r.emit({
        type: 'error',
        error: 'SessionFailed',
        message: 'The authorization session failed (the user denied access or it expired).',
      });
  }
  r.emit({
    type: 'error',
    error: 'Timeout',
    message: `No consent within ${wait} s. User may not have completed authorization.`,
  });
}
