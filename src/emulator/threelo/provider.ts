/**
 * The local OAuth provider — the "Google" behind the seeded USER_FEDERATION credential provider and the IdP behind
 * the seeded on-behalf-of one: a real OpenID provider (oidc-provider, panva) on its own loopback port. Authorization
 * code + PKCE, refresh tokens, client credentials, and the on-behalf-of grants (grants.ts: RFC 8693 token exchange,
 * RFC 7523 JWT bearer, added with oidc-provider's registerGrantType); JWT access tokens for one API (scopes api:read
 * api:write), so a delivered token says whose it is (`sub`) and, after an exchange, who acts (`act`). Clients
 * authenticate as configuration.ts registers them (secret basic/post, private_key_jwt with the KMS stand-in's keys,
 * AWS IAM web identity via federation.ts).
 *
 * Without auto-consent the user signs in and consents on real pages (any login/password; the login becomes `sub`;
 * "Cancel" and "Deny" refuse with access_denied). They are our own (threelo/pages.ts), not oidc-provider's
 * devInteractions, whose layout loads a web font from fonts.googleapis.com: the local stack never leaves loopback.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK } from 'jose';
import type { KeyLease } from '../keys.js';
import { keepIdleConnections } from '../server.js';
import {
  OBO_AUDIENCES,
  OBO_CLIENTS,
  providerConfiguration,
  RESOURCE_SERVER_INFO,
  THREELO_RESOURCE,
} from './configuration.js';
import { federatedClientAuth } from './federation.js';
import { registerOboGrants } from './grants.js';
import { autoAuthorize, autoInteraction, interactionPages, type InteractionSetup } from './interactions.js';
import type { OidcProvider, OidcProviderModule } from './oidc-types.js';
import { ProviderTrust } from './trust.js';
import { requireOrImport } from '../../module-load.js';

export { OBO_AUDIENCES, OBO_CLIENTS, THREELO_API_SCOPES, THREELO_RESOURCE } from './configuration.js';

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
  /** The JWKS URL of an issuer whose JWTs the on-behalf-of grants accept as the user (the stack's user pools). */
  subjectJwksUri(iss: string): string | undefined;
  /** The STS stand-in: its web-identity JWTs authenticate the federated client and serve as actor tokens. */
  sts: { issuer: string; jwksUri: string; roleArn: string };
  /** The KMS stand-in's JWKS of the keys the private_key_jwt client registered. */
  kmsJwksUri: string;
  /** The clock subject and actor tokens are checked against (the stack's). */
  now?: () => number;
}

export interface ThreeLoProvider {
  issuer: string;
  discoveryUrl: string;
  tokenEndpoint: string;
  close(): Promise<void>;
}

/** oidc-provider prints WARNING/NOTICE lines (dev keys, dev interactions) when loaded and configured: library noise. */
async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  const kept = { warn: console.warn, info: console.info, log: console.log };
  console.warn = console.info = console.log = () => undefined;
  try {
    return await fn();
  } finally {
    Object.assign(console, kept);
  }
}

/** oidc-provider (ESM, 183 files) the fast way at start-up (module-load.ts). */
function loadOidcProvider(): Promise<OidcProviderModule> {
  return requireOrImport(
    () => createRequire(import.meta.url)('oidc-provider') as OidcProviderModule,
    async () => (await import('oidc-provider')) as OidcProviderModule,
  );
}

async function listen(server: http.Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${bound}`;
}

export async function startThreeLoProvider(options: ThreeLoOptions): Promise<ThreeLoProvider> {
  // RSA key generation (when the lease has no spare key) runs on libuv's thread pool: started first, it overlaps the
  // import below (main thread).
  const keyPair = options.keys.rsa();
  keyPair.catch(() => undefined); // awaited below; a failure before that point must not become an unhandled rejection
  const { default: Provider, errors } = await quietly(loadOidcProvider);
  let handler: http.RequestListener | undefined;
  const sockets = new Set<Socket>();
  const server = keepIdleConnections(
    http.createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end())),
  );
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const issuer = await listen(server, options.host, options.port);
  const { privateKey, publicKey } = await keyPair;
  const jwk = { ...(await exportJWK(privateKey)), kid: '3lo-key-1', alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid: '3lo-key-1', alg: 'RS256', use: 'sig' };
  const extraClaims = new WeakMap<object, Record<string, unknown>>();
  const config = providerConfiguration({ ...options, jwk, extraClaims, errors });
  const provider = await quietly(() => new Provider(issuer, config));
  allowCallbackUrls(provider, options.redirectUriPrefix);
  const now = options.now ?? Date.now;
  const trust = new ProviderTrust({ subjectJwksUri: options.subjectJwksUri, sts: options.sts, now }, issuer, [
    publicJwk,
  ]);
  const resource = { identifier: THREELO_RESOURCE, scope: RESOURCE_SERVER_INFO.scope, info: RESOURCE_SERVER_INFO };
  registerOboGrants(provider, errors, { trust, resource, audiences: OBO_AUDIENCES, extraClaims });
  const tokenEndpoint = provider.urlFor('token');
  const federation = {
    trust,
    clients: [{ clientId: OBO_CLIENTS.awsIam, subject: options.sts.roleArn }],
    stsIssuer: options.sts.issuer,
    audiences: [tokenEndpoint, issuer],
  };
  const setup: InteractionSetup = {
    provider,
    issuer,
    defaultUser: options.defaultUser,
    refuse: new Set(options.refuseUsers ?? []),
  };
  handler = requestHandler({
    callback: provider.callback(),
    tokenPath: new URL(tokenEndpoint).pathname,
    federation,
    setup,
    autoConsent: options.autoConsent,
  });

  let closing: Promise<void> | undefined;
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    tokenEndpoint,
    close: () =>
      (closing ??= new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      })),
  };
}

interface Routes {
  callback: http.RequestListener;
  tokenPath: string;
  federation: Parameters<typeof federatedClientAuth>[2];
  setup: InteractionSetup;
  autoConsent: boolean;
}

/** The provider's routing: the token endpoint behind the federated-client check, auto-consent, the pages. */
function requestHandler(r: Routes): http.RequestListener {
  const route = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    // The raw target's path: a malformed target (`GET http://a:99999/…`) is oidc-provider's to refuse, not a throw
    // here.
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === r.tokenPath) {
      const checked = await federatedClientAuth(req, res, r.federation);
      if (checked) r.callback(checked, res);
      return;
    }
    if (req.url?.startsWith('/auth?')) withOpenIdScope(req, r.setup.issuer);
    if (r.autoConsent && req.method === 'GET' && req.url?.startsWith('/auth?')) {
      if (await autoAuthorize(r.setup, req, res)) return;
    }
    if (!req.url?.startsWith('/interaction/')) return r.callback(req, res);
    if (r.autoConsent) return autoInteraction(r.setup, req, res);
    return interactionPages(r.setup, req, res);
  };
  return (req, res) => {
    // A request that fails before oidc-provider answers it (an oversized token request body, a bad URL): 400.
    route(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
      else res.destroy();
    });
  };
}

/** Redirect URIs: any callback URL on the stack (one per credential provider, made while the stack runs). */
function allowCallbackUrls(provider: OidcProvider, prefix: string): void {
  const clientProto = provider.Client.prototype;
  const original = clientProto.redirectUriAllowed;
  clientProto.redirectUriAllowed = function (this: unknown, value: string) {
    return (
      (typeof value === 'string' && value.startsWith(prefix) && !/[\s#]/.test(value)) || original.call(this, value)
    );
  };
}

/** Like many social providers, this one accepts authorization requests without `openid` (oidc-provider does not). */
function withOpenIdScope(req: http.IncomingMessage, issuer: string): void {
  const u = new URL(req.url!, issuer);
  const scope = (u.searchParams.get('scope') ?? '').split(' ').filter(Boolean);
  if (scope.includes('openid')) return;
  u.searchParams.set('scope', ['openid', ...scope].join(' '));
  req.url = u.pathname + u.search;
}
