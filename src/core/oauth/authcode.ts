/**
 * Authorization code + PKCE (S256) + state + nonce on a one-shot loopback redirect (RFC 8252), with openid-client. The
 * redirect URI must be a loopback http URL registered at the provider (default: DEFAULT_REDIRECT_URI in src/wire.ts).
 */
import * as client from 'openid-client';
import { AgentcoreAuthError, interruptedError, timeoutError, usageError } from '../errors.js';
import { findHint } from '../hints.js';
import { page } from '../identity/html.js';
import { startLoopbackServer, type LoopbackPage } from '../loopback.js';
import { oauthError, oauthTokensFrom, type OAuthContext, type OAuthTokens } from './client.js';

/** The documented default; providers need it registered exactly (scheme, host, port, path). */

export interface AuthCodeOptions {
  redirectUri: string;
  scopes: string[];
  resource?: string;
  /** Extra authorization request parameters (prompt, login_hint, identity_provider …). */
  extraParams?: Record<string, string>;
  /** Opens the URL (or prints it with --no-browser). Called once the loopback server listens. */
  open(url: string): Promise<void>;
  signal?: AbortSignal;
  timeoutMs: number;
  /** Test hook / advanced: fixed state (default: random). */
  state?: string;
}

export interface AuthCodeResult extends OAuthTokens {
  redirectUri: string;
}

export function parseRedirectUri(value: string): URL {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw usageError(`--redirect-uri: not a URL: ${value}`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (u.protocol !== 'http:' || !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw usageError(
      `--redirect-uri must be a loopback http URL (http://127.0.0.1:PORT/PATH or http://localhost:PORT/PATH): ${value}`,
      'agentcore-auth receives the redirect itself on this machine; register that URI at the identity provider.',
    );
  }
  if (!u.port)
    throw usageError(
      `--redirect-uri needs an explicit port (0: any free port, if the provider allows any loopback port): ${value}`,
    );
  return u;
}

export async function authorizationCodeLogin(ctx: OAuthContext, opts: AuthCodeOptions): Promise<AuthCodeResult> {
  if (!ctx.authorizationEndpoint) {
    throw new AgentcoreAuthError('ERR_CONFIG', `the provider ${ctx.issuer} names no authorization_endpoint`, {
      hint: 'Pass --discovery-url of an OIDC provider, or --domain for a Cognito hosted UI.',
    });
  }
  const redirect = parseRedirectUri(opts.redirectUri);
  const state = opts.state ?? client.randomState();
  const server = await startRedirectReceiver({
    redirectUri: redirect,
    expectedState: state,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  // Port 0: the OS picks a free port and that port goes into redirect_uri — for providers that accept any loopback
  // port (RFC 8252 §7.3, native clients); the others need the exact registered port.
  const redirectUri = new URL(redirect.href);
  redirectUri.port = String(server.port);
  try {
    const verifier = client.randomPKCECodeVerifier();
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    const openid = opts.scopes.includes('openid');
    const nonce = openid ? client.randomNonce() : undefined;
    const params: Record<string, string> = {
      redirect_uri: redirectUri.href,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      ...(nonce ? { nonce } : {}),
      ...(opts.scopes.length ? { scope: opts.scopes.join(' ') } : {}),
      ...(opts.resource ? { resource: opts.resource } : {}),
      ...opts.extraParams,
    };
    const authUrl = client.buildAuthorizationUrl(ctx.config, params);
    const waiting = server.waitForCallback({ timeoutMs: opts.timeoutMs });
    // A failing browser launch must not lose the callback: the caller prints the URL as a fallback.
    await opts.open(authUrl.href);
    const callback = await waiting;
    checkCallback(callback, state);
    let r: client.TokenEndpointResponse;
    try {
      r = await client.authorizationCodeGrant(
        ctx.config,
        callback,
        {
          pkceCodeVerifier: verifier,
          expectedState: state,
          ...(nonce ? { expectedNonce: nonce } : {}),
          idTokenExpected: openid,
        },
        opts.resource ? { resource: opts.resource } : undefined,
      );
    } catch (e) {
      throw oauthError(e, 'authorization_code grant', ctx.tokenEndpoint);
    }
    return { ...oauthTokensFrom(r), redirectUri: redirectUri.href };
  } finally {
    await server.close();
  }
}

/** The redirect's answer: the provider's refusal, a foreign state (CSRF) or no code stop the login here. */
function checkCallback(callback: URL, state: string): void {
  const error = callback.searchParams.get('error');
  if (error) {
    const desc = callback.searchParams.get('error_description');
    const hint = findHint({ name: error, message: `${error}: ${desc ?? ''}` });
    throw new AgentcoreAuthError(
      'ERR_OAUTH',
      `the identity provider refused the sign-in: ${error}${desc ? `: ${desc}` : ''}`,
      {
        hint: hint?.fix ?? 'Check the client settings at the identity provider (redirect URI, scopes, allowed flows).',
        details: { errorName: error },
      },
    );
  }
  if (callback.searchParams.get('state') !== state) {
    throw new AgentcoreAuthError(
      'ERR_STATE_MISMATCH',
      'the redirect carried an unexpected state: the response is not for this login (possible CSRF); tokens ' +
        'were not requested',
      { hint: 'Start the login again and finish it in the browser tab it opens.' },
    );
  }
  if (!callback.searchParams.get('code')) {
    throw new AgentcoreAuthError('ERR_OAUTH', 'the redirect carried no authorization code', {
      hint: 'Check the provider settings: response_type=code must be allowed for this client.',
    });
  }
}

/** The page the browser gets for a redirect: signed in, refused by the provider, or not this login's redirect. */
export function redirectPage(url: URL, expectedState?: string): LoopbackPage {
  const error = url.searchParams.get('error');
  if (error) {
    const desc = url.searchParams.get('error_description');
    return {
      status: 400,
      html: page({
        ok: false,
        title: 'Sign-in failed',
        message: `The identity provider answered ${error}. Return to the terminal for the details.`,
        ...(desc ? { detail: desc } : {}),
      }),
    };
  }
  if (expectedState !== undefined && url.searchParams.get('state') !== expectedState) {
    return {
      status: 400,
      html: page({
        ok: false,
        title: 'Sign-in refused',
        message:
          'This redirect does not belong to the sign-in agentcore-auth started (its state does not match), so ' +
          'it was not used. Start the login again from the terminal.',
      }),
    };
  }
  return {
    status: 200,
    html: page({
      ok: true,
      title: 'Signed in',
      message: 'agentcore-auth received the response. You can close this tab and return to the terminal.',
    }),
  };
}

export interface RedirectReceiver {
  /** The redirect URI served, with the port actually bound (port 0 in the URI: the OS picks one). */
  url: string;
  port: number;
  /** The first GET on the path; rejects with ERR_TIMEOUT / ERR_INTERRUPTED. Closes the server either way. */
  waitForCallback(options?: { timeoutMs?: number }): Promise<URL>;
  close(): Promise<void>;
}

/**
 * Login's one-shot redirect receiver (RFC 8252 §7.3) on the loopback server of core/loopback.ts: the first GET on the
 * redirect path is the redirect (its page says signed in, refused, or not this login's); the server then closes.
 * Other paths and methods do not count. Also closes on timeout and abort.
 */
export async function startRedirectReceiver(options: {
  redirectUri: string | URL;
  expectedState?: string;
  signal?: AbortSignal;
}): Promise<RedirectReceiver> {
  let deliver: ((u: URL) => void) | undefined;
  const received: URL[] = [];
  const server = await startLoopbackServer({
    url: options.redirectUri,
    respond: (url) => {
      if (deliver) deliver(url);
      else received.push(url);
      return redirectPage(url, options.expectedState);
    },
    busyHint:
      'Stop whatever uses it, or pass --redirect-uri with another port (registered at the identity provider; ' +
      'port 0 picks a free one where the provider allows any loopback port).',
  });
  const { signal } = options;
  return {
    url: server.url,
    port: server.port,
    close: () => server.close(),
    waitForCallback({ timeoutMs } = {}) {
      return new Promise<URL>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        let settled = false;
        const finish = (err: unknown, url?: URL) => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          deliver = () => undefined; // one shot: later requests on the path do not count
          // close() lets the page reach the browser before the connections are cut.
          void server.close().then(() => (err ? reject(err) : resolve(url!)));
        };
        const onAbort = () => finish(interruptedError());
        if (signal?.aborted) return finish(interruptedError());
        signal?.addEventListener('abort', onAbort, { once: true });
        if (timeoutMs !== undefined && timeoutMs > 0) {
          timer = setTimeout(
            () =>
              finish(
                timeoutError(
                  `no redirect reached ${server.url} within ${Math.round(timeoutMs / 100) / 10} s`,
                  'Finish the sign-in in the browser, or raise --timeout. With --no-browser, open the printed ' +
                    'URL yourself.',
                ),
              ),
            timeoutMs,
          );
        }
        const first = received.shift();
        if (first) return finish(undefined, first);
        deliver = (u) => finish(undefined, u);
      });
    },
  };
}
