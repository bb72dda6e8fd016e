/**
 * The browser leg of 3LO on the stack: `GET /identities/oauth2/authorize?request_uri=<sessionUri>` sends the browser to
 * the credential provider's authorization endpoint (code + PKCE S256, redirect_uri = the provider's callbackUrl, plus
 * customParameters that do not replace standard ones); `GET /identities/oauth2/callback/{id}` receives the code,
 * exchanges it, keeps the token on the session until CompleteResourceTokenAuth binds it, and redirects the browser to
 * the resourceOauth2ReturnUrl with `session_id` (and `state` = customState when one was given — parameter name
 * UNVERIFIED). A provider refusal (`error=`) or a failed exchange marks the session FAILED.
 */
import { createHash } from 'node:crypto';
import { PATHS } from '../../wire.js';
import { escapeHtml, redirect, sendHtml } from '../respond.js';
import type { Handler } from '../server.js';
import type { EmuContext } from '../context.js';
import type { OAuthSession } from '../state.js';
import { exchangeCode, resolveEndpoints } from '../identity/oauth.js';

const CALLBACK_PREFIX = '/identities/oauth2/callback/';

function page(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;color:#222}</style></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
}

export function returnUrlFor(s: OAuthSession, extra: Record<string, string> = {}): string {
  const u = new URL(s.returnUrl);
  u.searchParams.append('session_id', s.sessionUri);
  if (s.customState !== undefined) u.searchParams.append('state', s.customState);
  for (const [k, v] of Object.entries(extra)) u.searchParams.append(k, v);
  return u.href;
}

export function createThreeLoFlowHandler(ctx: EmuContext): Handler {
  const { state } = ctx;
  return async (req, res) => {
    const path = req.url.pathname;
    if (req.method === 'GET' && path === PATHS.authorize) {
      const uri = req.url.searchParams.get('request_uri') ?? '';
      const s = state.sessions.get(uri);
      if (!s || s.expiresAt <= ctx.now()) {
        sendHtml(
          res,
          400,
          page(
            'Authorization link expired',
            'This authorization URL is invalid or has expired (they are valid for 10 minutes). Ask the agent for a new one.',
          ),
        );
        return true;
      }
      if (s.status !== 'IN_PROGRESS') {
        sendHtml(
          res,
          400,
          page(
            'Authorization link already used',
            'This authorization URL has already been used. Ask the agent for a new one.',
          ),
        );
        return true;
      }
      const provider = state.oauth2Providers.get(s.providerName);
      if (!provider) {
        sendHtml(
          res,
          400,
          page('Credential provider not found', `The credential provider ${s.providerName} no longer exists.`),
        );
        return true;
      }
      let endpoint: string | undefined;
      try {
        endpoint = (await resolveEndpoints(provider)).authorizationEndpoint;
      } catch {
        endpoint = undefined;
      }
      if (!endpoint) {
        sendHtml(
          res,
          502,
          page(
            'Provider unavailable',
            `The authorization server of ${provider.name} could not be reached or has no authorization endpoint.`,
          ),
        );
        return true;
      }
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
      for (const a of s.audiences ?? []) u.searchParams.append('audience', a);
      redirect(res, u.href);
      return true;
    }
    if (req.method === 'GET' && path.startsWith(CALLBACK_PREFIX)) {
      const callbackId = path.slice(CALLBACK_PREFIX.length);
      const provider = [...state.oauth2Providers.values()].find((p) => p.callbackId === callbackId);
      const uri = state.sessionsByState.get(req.url.searchParams.get('state') ?? '');
      const s = uri ? state.sessions.get(uri) : undefined;
      if (!provider || !s || s.providerName !== provider.name) {
        sendHtml(
          res,
          400,
          page(
            'Unknown authorization session',
            'This callback does not belong to an authorization session of this stack.',
          ),
        );
        return true;
      }
      state.sessionsByState.delete(s.state);
      if (s.status !== 'IN_PROGRESS' || s.expiresAt <= ctx.now()) {
        sendHtml(
          res,
          400,
          page('Authorization session expired', 'The authorization session has expired or was already used.'),
        );
        return true;
      }
      const error = req.url.searchParams.get('error');
      const code = req.url.searchParams.get('code');
      if (error || !code) {
        s.status = 'FAILED';
        s.failure = error ?? 'missing code';
        redirect(res, returnUrlFor(s, { error: error ?? 'server_error' }));
        return true;
      }
      try {
        s.pending = await exchangeCode(provider, code, s.codeVerifier, ctx.now());
        s.status = 'AUTHORIZED';
        redirect(res, returnUrlFor(s));
      } catch (e) {
        s.status = 'FAILED';
        s.failure = (e as Error).message;
        redirect(res, returnUrlFor(s, { error: 'server_error' }));
      }
      return true;
    }
    return false;
  };
}
