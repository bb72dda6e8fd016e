/**
 * The external 3LO provider (the "Google" behind the seeded USER_FEDERATION credential provider): a real OpenID
 * provider (oidc-provider, panva) on its own loopback port. Authorization code + PKCE, refresh tokens, JWT access
 * tokens for one API resource (scopes api:read api:write), so a delivered token says which user it belongs to (`sub`).
 *
 * Without auto-consent the user signs in and consents on real pages (any login/password; the login becomes `sub`;
 * "Cancel" and "Deny" refuse with access_denied). They are our own (threelo/pages.ts), not oidc-provider's
 * devInteractions, whose layout loads a web font from fonts.googleapis.com: the local stack never leaves loopback.
 * With auto-consent the user named by `login_hint` (a customParameter) — or the default user — is logged in and
 * consents without pages, so any redirect-following client completes the flow.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK } from 'jose';
import type { KeyLease } from '../keys.js';
import { consentPage, errorPage, loginPage } from './pages.js';

export const THREELO_RESOURCE = 'urn:agentcore-local:3lo-api';
export const THREELO_API_SCOPES = 'api:read api:write';

export interface ThreeLoOptions {
  host: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** Redirect URIs the client may use: every callback URL on the stack (`<origin>/identities/oauth2/callback/…`). */
  redirectUriPrefix: string;
  autoConsent: boolean;
  defaultUser: string;
  /** Logins the provider refuses (the flow ends with error=access_denied), for testing FAILED sessions. */
  refuseUsers?: string[];
  /** Where the signing key comes from: the stack's lease (keys.ts). */
  keys: KeyLease;
}

export interface ThreeLoProvider {
  issuer: string;
  discoveryUrl: string;
  close(): Promise<void>;
}

export async function startThreeLoProvider(options: ThreeLoOptions): Promise<ThreeLoProvider> {
  // RSA key generation (when the lease has no spare key) runs on libuv's thread pool: started first, it overlaps the
  // import below (main thread).
  const signingKey = options.keys
    .rsa()
    .then(async ({ privateKey }) => ({ ...(await exportJWK(privateKey)), kid: '3lo-key-1', alg: 'RS256', use: 'sig' }));
  signingKey.catch(() => undefined); // awaited below; a failure before that point must not become an unhandled rejection
  // oidc-provider prints WARNING/NOTICE lines (dev keys, dev interactions) when loaded and configured: library noise.
  const quiet = { warn: console.warn, info: console.info, log: console.log };
  console.warn = console.info = console.log = () => undefined;
  let mod: any;
  try {
    mod = await import('oidc-provider');
  } finally {
    Object.assign(console, quiet);
  }
  const { default: Provider, errors } = mod;
  let handler: http.RequestListener | undefined;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(options.port, options.host, resolve),
  );
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const issuer = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const jwk = await signingKey;
  const refuse = new Set(options.refuseUsers ?? []);

  console.warn = console.info = console.log = () => undefined;
  let provider: any;
  try {
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: options.clientId,
          client_secret: options.clientSecret,
          // The real list is checked by the redirectUriAllowed override below (callback URLs are per provider).
          redirect_uris: [`${options.redirectUriPrefix}seed`],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: `openid profile email offline_access ${THREELO_API_SCOPES}`,
        },
      ],
      jwks: { keys: [jwk] },
      cookies: {
        keys: [
          Buffer.from(jwk.n ?? 'x')
            .toString('base64url')
            .slice(0, 32),
        ],
      },
      pkce: { required: () => true },
      scopes: ['openid', 'offline_access', ...THREELO_API_SCOPES.split(' ')],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      issueRefreshToken: async () => true,
      ttl: {
        AccessToken: 3600,
        AuthorizationCode: 120,
        IdToken: 3600,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
        RefreshToken: 86400,
      },
      async findAccount(_ctx: unknown, sub: string) {
        return {
          accountId: sub,
          async claims() {
            return { sub, email: `${sub}@example.com`, email_verified: true, name: sub };
          },
        };
      },
      features: {
        devInteractions: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: async () => THREELO_RESOURCE,
          useGrantedResource: async () => true,
          getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
            if (indicator !== THREELO_RESOURCE) throw new errors.InvalidTarget();
            return {
              scope: THREELO_API_SCOPES,
              audience: THREELO_RESOURCE,
              accessTokenTTL: 3600,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'RS256' } },
            };
          },
        },
      },
      async renderError(ctx: any, out: Record<string, string>) {
        ctx.type = 'html';
        ctx.body = errorPage(String(out.error ?? 'error'), String(out.error_description ?? ''));
      },
    } as any);
  } finally {
    Object.assign(console, quiet);
  }
  const clientProto = (provider as any).Client.prototype;
  const original = clientProto.redirectUriAllowed as (v: string) => boolean;
  clientProto.redirectUriAllowed = function (this: unknown, value: string) {
    return (
      (typeof value === 'string' && value.startsWith(options.redirectUriPrefix) && !/[\s#]/.test(value)) ||
      original.call(this, value)
    );
  };

  const callback = provider.callback() as http.RequestListener;
  handler = async (req, res) => {
    // Like many social providers, this one accepts authorization requests without `openid` (oidc-provider does not).
    if (req.url?.startsWith('/auth?')) {
      const u = new URL(req.url, issuer);
      const scope = (u.searchParams.get('scope') ?? '').split(' ').filter(Boolean);
      if (!scope.includes('openid')) {
        u.searchParams.set('scope', ['openid', ...scope].join(' '));
        req.url = u.pathname + u.search;
      }
    }
    // Auto-consent: answer the authorization request at once (no interaction, so no cookies are needed and `curl -L`
    // completes it). The code is a real oidc-provider AuthorizationCode, redeemed by its own token endpoint.
    if (options.autoConsent && req.method === 'GET' && req.url?.startsWith('/auth?')) {
      if (await autoAuthorize(req, res)) return;
    }
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    if (!options.autoConsent) return interactionPages(req, res);
    try {
      const details: any = await provider.interactionDetails(req, res);
      const prompt = details.prompt.name as string;
      const account =
        (details.session?.accountId as string | undefined) ??
        (details.params.login_hint as string | undefined) ??
        options.defaultUser;
      if (refuse.has(account)) {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The user refused access' },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      if (prompt === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId: account } });
        return;
      }
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: account, clientId: details.params.client_id });
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope?.length) grant!.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims?.length) grant!.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
        grant!.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant!.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`interaction failed: ${(e as Error).message}`);
    }
  };
  /**
   * The sign-in and consent pages (interactions.url is oidc-provider's default, /interaction/<uid>):
   * GET shows the page for the pending prompt, POST submits it, GET …/abort is "Cancel" / "Deny".
   */
  async function interactionPages(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url!, issuer).pathname;
    const abort = path.endsWith('/abort');
    try {
      const details: any = await provider.interactionDetails(req, res);
      const base = `/interaction/${details.uid}`;
      if (abort) {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'End-User aborted interaction' },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const prompt = details.prompt.name as string;
      if (req.method === 'GET') {
        const html =
          prompt === 'login'
            ? loginPage({
                action: base,
                abort: `${base}/abort`,
                clientId: details.params.client_id,
                loginHint: details.params.login_hint,
              })
            : consentPage({
                action: base,
                abort: `${base}/abort`,
                clientId: details.params.client_id,
                account: details.session?.accountId ?? '',
                scopes: String(details.params.scope ?? '')
                  .split(' ')
                  .filter(Boolean),
              });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'GET, POST' }).end();
        return;
      }
      const form = new URLSearchParams(await readBody(req));
      if (form.get('prompt') === 'login' && prompt === 'login') {
        const account = form.get('login')?.trim() ?? '';
        if (!account) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          res.end(
            loginPage({
              action: base,
              abort: `${base}/abort`,
              clientId: details.params.client_id,
              error: 'Enter a user name (any name: it becomes the token’s sub).',
            }),
          );
          return;
        }
        if (refuse.has(account)) {
          await provider.interactionFinished(
            req,
            res,
            { error: 'access_denied', error_description: 'The user refused access' },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: account } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      if (form.get('prompt') === 'consent' && prompt === 'consent') {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        const missing = details.prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
          missingResourceScopes?: Record<string, string[]>;
        };
        if (missing.missingOIDCScope?.length) grant!.addOIDCScope(missing.missingOIDCScope.join(' '));
        if (missing.missingOIDCClaims?.length) grant!.addOIDCClaims(missing.missingOIDCClaims);
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
          grant!.addResourceScope(indicator, scopes.join(' '));
        await provider.interactionFinished(
          req,
          res,
          { consent: { grantId: await grant!.save() } },
          { mergeWithLastSubmission: true },
        );
        return;
      }
      res
        .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
        .end(errorPage('invalid_request', `this page expects the ${prompt} form`));
    } catch (e) {
      // An expired or unknown interaction (no cookie, a stale tab): oidc-provider's SessionNotFound and the like.
      res
        .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
        .end(errorPage('interaction failed', (e as Error).message));
    }
  }

  async function autoAuthorize(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
    const p = new URL(req.url!, issuer).searchParams;
    const client = await provider.Client.find(p.get('client_id') ?? '');
    const redirectUri = p.get('redirect_uri') ?? '';
    // Anything unusual goes through oidc-provider's own checks and error pages.
    if (
      !client ||
      !client.redirectUriAllowed(redirectUri) ||
      p.get('response_type') !== 'code' ||
      !p.get('code_challenge') ||
      p.get('code_challenge_method') !== 'S256'
    )
      return false;
    const scopes = (p.get('scope') ?? 'openid').split(' ').filter(Boolean);
    const api = THREELO_API_SCOPES.split(' ');
    const unknown = scopes.filter((x) => !['openid', 'offline_access', 'profile', 'email', ...api].includes(x));
    if (unknown.length) return false;
    const back = new URL(redirectUri);
    if (p.get('state')) back.searchParams.set('state', p.get('state')!);
    back.searchParams.set('iss', issuer);
    const account = p.get('login_hint') || options.defaultUser;
    if (refuse.has(account)) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user refused access');
    } else {
      const grant = new provider.Grant({ accountId: account, clientId: client.clientId });
      grant.addOIDCScope(scopes.filter((x) => !api.includes(x)).join(' ') || 'openid');
      grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name']);
      const apiScopes = scopes.filter((x) => api.includes(x));
      if (apiScopes.length) grant.addResourceScope(THREELO_RESOURCE, apiScopes.join(' '));
      const grantId = await grant.save();
      const code = new provider.AuthorizationCode({
        accountId: account,
        authTime: Math.floor(Date.now() / 1000),
        client,
        grantId,
        redirectUri,
        scope: scopes.join(' '),
        codeChallenge: p.get('code_challenge'),
        codeChallengeMethod: 'S256',
        expiresWithSession: false,
        ...(apiScopes.length ? { resource: THREELO_RESOURCE } : {}),
        ...(p.get('nonce') ? { nonce: p.get('nonce') } : {}),
      });
      back.searchParams.set('code', await code.save());
    }
    res.writeHead(303, { location: back.href, 'cache-control': 'no-store', 'content-length': 0 });
    res.end();
    return true;
  }

  let closing: Promise<void> | undefined;
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    close: () =>
      (closing ??= new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      })),
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 64 * 1024) req.destroy(new Error('request body too large'));
    });
    req.once('end', () => resolve(body));
    req.once('error', reject);
  });
}
