/**
 * The browser leg of 3LO on the stack: `GET /identities/oauth2/authorize?request_uri=<sessionUri>` sends the browser to
 * the credential provider's authorization endpoint (code + PKCE S256, redirect_uri = the provider's callbackUrl, plus
 * customParameters that do not replace standard ones, resources as `resource`, audiences as `audience`); `GET
 * /identities/oauth2/callback/{id}` receives the code, exchanges it, keeps the token on the session until
 * CompleteResourceTokenAuth binds it, and redirects the browser to the resourceOauth2ReturnUrl with `session_id` (and
 * `state` = customState when one was given — parameter name UNVERIFIED). A provider refusal (`error=`) or a failed
 * exchange marks the session FAILED.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { PATHS } from '../../wire.js';
import type { IdentityCtx } from '../identity/context.js';
import { exchangeCode, resolveEndpoints } from '../identity/oauth/token-endpoint.js';
import { escapeHtml, redirect, sendHtml } from '../respond.js';
import type { EmuRequest, Handler } from '../server.js';
import type { OAuthSession } from '../state.js';

const CALLBACK_PREFIX = '/identities/oauth2/callback/';

function page(res: ServerResponse, status: number, title: string, text: string): true {
  const style = 'body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;color:#222}';
  sendHtml(
    res,
    status,
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
      `<style>${style}</style></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`,
  );
  return true;
}

export function returnUrlFor(s: OAuthSession, extra: Record<string, string> = {}): string {
  const u = new URL(s.returnUrl);
  u.searchParams.append('session_id', s.sessionUri);
  if (s.customState !== undefined) u.searchParams.append('state', s.customState);
  for (const [k, v] of Object.entries(extra)) u.searchParams.append(k, v);
  return u.href;
}

async function authorizationEndpointOf(ctx: IdentityCtx, s: OAuthSession): Promise<string | undefined> {
  const provider = ctx.state.oauth2Providers.get(s.providerName);
  if (!provider) return undefined;
  try {
    return (await resolveEndpoints(provider)).authorizationEndpoint;
  } catch {
    return undefined;
  }
}

/** GET /identities/oauth2/authorize?request_uri=… → the provider's authorization endpoint. */
async function authorize(ctx: IdentityCtx, req: EmuRequest, res: ServerResponse): Promise<true> {
  const s = ctx.state.sessions.get(req.url.searchParams.get('request_uri') ?? '');
  if (!s || s.expiresAt <= ctx.now())
    return page(
      res,
      400,
      'Authorization link expired',
      'This authorization URL is invalid or has expired (they are valid for 10 minutes). Ask the agent for a new one.',
    );
  if (s.status !== 'IN_PROGRESS')
    return page(
      res,
      400,
      'Authorization link already used',
      'This authorization URL has already been used. Ask the agent for a new one.',
    );
  const provider = ctx.state.oauth2Providers.get(s.providerName);
  if (!provider)
    return page(
      res,
      400,
      'Credential provider not found',
      `The credential provider ${s.providerName} no longer exists.`,
    );
  const endpoint = await authorizationEndpointOf(ctx, s);
  if (!endpoint)
    return page(
      res,
      502,
      'Provider unavailable',
      `The authorization server of ${provider.name} could not be reached or has no authorization endpoint.`,
    );
  const u = new URL(endpoint);
  for (const [k, v] of Object.entries(s.customParameters)) u.searchParams.set(k, v);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', provider.clientId);
  u.searchParams.set('redirect_uri', provider.callbackUrl);
  if (s.scopes.length) u.searchParams.set('scope', s.scopes.join(' '));
  u.searchParams.set('state', s.state);
  u.searchParams.set('code_challenge', createHash('sha256').update(s.codeVerifier).digest('base64url'));
  u.searchParams.set('code_challenge_method', 'S256');
  for (const r of s.resources ?? []) u.searchParams.append('resource', r);
  // UNVERIFIED: audiences as `audience` parameters of the authorization request (as Auth0 takes them).
  for (const a of s.audiences ?? []) u.searchParams.append('audience', a);
  redirect(res, u.href);
  return true;
}

/** GET /identities/oauth2/callback/{id}?code|error → the code exchanged, the browser sent to the return URL. */
async function callback(ctx: IdentityCtx, req: EmuRequest, res: ServerResponse): Promise<true> {
  const { state } = ctx;
  const callbackId = req.url.pathname.slice(CALLBACK_PREFIX.length);
  const provider = [...state.oauth2Providers.values()].find((p) => p.callbackId === callbackId);
  const uri = state.sessionsByState.get(req.url.searchParams.get('state') ?? '');
  const s = uri ? state.sessions.get(uri) : undefined;
  if (!provider || !s || s.providerName !== provider.name)
    return page(
      res,
      400,
      'Unknown authorization session',
      'This callback does not belong to an authorization session of this stack.',
    );
  state.sessionsByState.delete(s.state);
  if (s.status !== 'IN_PROGRESS' || s.expiresAt <= ctx.now())
    return page(
      res,
      400,
      'Authorization session expired',
      'The authorization session has expired or was already used.',
    );
  const error = req.url.searchParams.get('error');
  const code = req.url.searchParams.get('code');
  if (error || !code) {
    s.status = 'FAILED';
    s.failure = error ?? 'missing code';
    redirect(res, returnUrlFor(s, { error: error ?? 'server_error' }));
    return true;
  }
  try {
    s.pending = await exchangeCode(ctx, provider, code, s.codeVerifier);
    s.status = 'AUTHORIZED';
    redirect(res, returnUrlFor(s));
  } catch (e) {
    s.status = 'FAILED';
    s.failure = (e as Error).message;
    redirect(res, returnUrlFor(s, { error: 'server_error' }));
  }
  return true;
}

export function createThreeLoFlowHandler(ctx: IdentityCtx): Handler {
  return async (req, res) => {
    if (req.method !== 'GET') return false;
    if (req.url.pathname === PATHS.authorize) return authorize(ctx, req, res);
    if (req.url.pathname.startsWith(CALLBACK_PREFIX)) return callback(ctx, req, res);
    return false;
  };
}
