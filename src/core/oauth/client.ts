/**
 * OAuth 2.0 / OIDC client plumbing on openid-client 6: one Configuration per run, built from a discovery document
 * (`--discovery-url`, or the issuer), a Cognito domain (`--domain`) or a bare token endpoint (`--token-endpoint`).
 * The run's traced fetch is passed as `customFetch`; plain http is allowed only for loopback hosts.
 * Grants: client_credentials, refresh_token (authorization code lives in ./authcode.ts).
 */
import * as client from 'openid-client';
import { AgentcoreAuthError, isAgentcoreAuthError, usageError } from '../errors.js';
import { findHint } from '../hints.js';
import { fetchWithRetry, type FetchLike, type RetryOptions } from '../http.js';
import { checkServiceUrl } from '../loopback.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ServerSpec {
  /** An OIDC / RFC 8414 discovery document URL (…/.well-known/openid-configuration) or an issuer URL. */
  discoveryUrl?: string;
  /** Explicit metadata (no discovery): at least the token endpoint. */
  tokenEndpoint?: string;
  authorizationEndpoint?: string;
  issuer?: string;
}

export interface OAuthSetup {
  server: ServerSpec;
  clientId: string;
  clientSecret?: string;
  clientAuth?: ClientAuthMethod;
  fetch: FetchLike;
  /** Retry throttled / 5xx / reset answers of the OAuth server (discovery, token endpoint) with backoff. */
  retry?: RetryOptions;
}

export interface OAuthTokens {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  expiresIn?: number;
  tokenType?: string;
  scope?: string;
}

export interface OAuthContext {
  config: client.Configuration;
  issuer: string;
  tokenEndpoint: string;
  authorizationEndpoint?: string;
  clientAuth: ClientAuthMethod;
}

/**
 * A Cognito domain as its base URL: a full URL is kept, `<prefix>.auth.<region>.amazoncognito.com` (or a custom
 * domain) gets https://.
 */
export function cognitoDomainBase(domain: string): string {
  const d = domain.trim().replace(/\/+$/, '');
  if (/^https?:\/\//i.test(d)) return checkServiceUrl(d, '--domain').href.replace(/\/+$/, '');
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(d)) throw usageError(`--domain: not a host name or URL: ${domain}`);
  return `https://${d}`;
}

export async function createOAuthContext(setup: OAuthSetup): Promise<OAuthContext> {
  const { server, clientId, clientSecret } = setup;
  const retry = setup.retry;
  const fetch: FetchLike = retry
    ? (input, init) =>
        fetchWithRetry(setup.fetch, input instanceof Request ? input.url : input.toString(), init ?? {}, retry)
    : setup.fetch;
  const clientAuth: ClientAuthMethod = setup.clientAuth ?? (clientSecret ? 'client_secret_basic' : 'none');
  if (clientAuth !== 'none' && !clientSecret) {
    throw usageError(
      `--client-auth ${clientAuth} needs a client secret`,
      'Pass --client-secret, --client-secret-stdin or AGENTCORE_AUTH_CLIENT_SECRET.',
    );
  }
  const auth =
    clientAuth === 'client_secret_basic'
      ? client.ClientSecretBasic(clientSecret)
      : clientAuth === 'client_secret_post'
        ? client.ClientSecretPost(clientSecret)
        : client.None();

  const config = await serverConfig(server, clientId, auth, fetch);
  const meta = config.serverMetadata();
  if (!meta.token_endpoint) {
    throw new AgentcoreAuthError('ERR_CONFIG', `the discovery document of ${meta.issuer} names no token_endpoint`, {
      hint: 'Pass --token-endpoint explicitly.',
    });
  }
  return {
    config,
    issuer: meta.issuer,
    tokenEndpoint: meta.token_endpoint,
    ...(meta.authorization_endpoint ? { authorizationEndpoint: meta.authorization_endpoint } : {}),
    clientAuth,
  };
}

/** The server's configuration: from its discovery document, or from the endpoints given. */
async function serverConfig(
  server: OAuthSetup['server'],
  clientId: string,
  auth: client.ClientAuth,
  fetch: FetchLike,
): Promise<client.Configuration> {
  if (server.discoveryUrl) {
    const url = checkServiceUrl(server.discoveryUrl, '--discovery-url');
    const insecure = url.protocol === 'http:';
    try {
      return await client.discovery(url, clientId, undefined, auth, {
        [client.customFetch]: fetch as client.CustomFetch,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
    } catch (e) {
      throw oauthError(e, `discovery (${url.href})`, url.href);
    }
  }
  if (!server.tokenEndpoint)
    throw usageError('no OAuth server given', 'Pass --discovery-url, --domain (Cognito) or --token-endpoint.');
  const token = checkServiceUrl(server.tokenEndpoint, '--token-endpoint');
  const authz = server.authorizationEndpoint
    ? checkServiceUrl(server.authorizationEndpoint, '--authorization-endpoint')
    : undefined;
  const issuer = server.issuer ?? token.origin;
  const config = new client.Configuration(
    { issuer, token_endpoint: token.href, ...(authz ? { authorization_endpoint: authz.href } : {}) },
    clientId,
    undefined,
    auth,
  );
  config[client.customFetch] = fetch as client.CustomFetch;
  if (token.protocol === 'http:' || authz?.protocol === 'http:') client.allowInsecureRequests(config);
  return config;
}

/** The token set of a token-endpoint response (every grant: client credentials, refresh, authorization code). */
export function oauthTokensFrom(r: client.TokenEndpointResponse): OAuthTokens {
  return {
    accessToken: r.access_token,
    ...(r.id_token ? { idToken: r.id_token } : {}),
    ...(r.refresh_token ? { refreshToken: r.refresh_token } : {}),
    ...(typeof r.expires_in === 'number' ? { expiresIn: r.expires_in } : {}),
    ...(r.token_type ? { tokenType: r.token_type } : {}),
    ...(typeof r.scope === 'string' ? { scope: r.scope } : {}),
  };
}

function grantParams(scopes: string[] | undefined, resource: string | undefined): Record<string, string> {
  return {
    ...(scopes?.length ? { scope: scopes.join(' ') } : {}),
    ...(resource ? { resource } : {}),
  };
}

export async function clientCredentialsGrant(
  ctx: OAuthContext,
  opts: { scopes?: string[]; resource?: string },
): Promise<OAuthTokens> {
  try {
    return oauthTokensFrom(await client.clientCredentialsGrant(ctx.config, grantParams(opts.scopes, opts.resource)));
  } catch (e) {
    throw oauthError(e, 'client_credentials grant', ctx.tokenEndpoint);
  }
}

export async function refreshTokenGrant(
  ctx: OAuthContext,
  refreshToken: string,
  opts: { scopes?: string[]; resource?: string } = {},
): Promise<OAuthTokens> {
  try {
    const t = oauthTokensFrom(
      await client.refreshTokenGrant(ctx.config, refreshToken, grantParams(opts.scopes, opts.resource)),
    );
    return { ...t, refreshToken: t.refreshToken ?? refreshToken };
  } catch (e) {
    throw oauthError(e, 'refresh_token grant', ctx.tokenEndpoint);
  }
}

/** Map anything openid-client throws to an AgentcoreAuthError (our own fetch errors pass through unchanged). */
export function oauthError(e: unknown, what: string, url?: string): AgentcoreAuthError {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    if (isAgentcoreAuthError(cur)) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  if (e instanceof client.ResponseBodyError || e instanceof client.AuthorizationResponseError) {
    const err = e as { error: string; error_description?: string; status?: number };
    const hint = findHint({ name: err.error, message: `${err.error}: ${err.error_description ?? ''}` });
    return new AgentcoreAuthError(
      'ERR_OAUTH',
      `${what} failed: ${err.error}${err.error_description ? `: ${err.error_description}` : ''}`,
      {
        ...(hint ? { hint: hint.fix } : {}),
        details: { errorName: err.error, ...(err.status ? { status: err.status } : {}), ...(url ? { url } : {}) },
        cause: e,
      },
    );
  }
  if (e instanceof client.WWWAuthenticateChallengeError) {
    const err = e as client.WWWAuthenticateChallengeError;
    const challenge = err.cause[0];
    const name = challenge?.parameters.error ?? 'invalid_client';
    const hint = findHint({ name, message: name });
    return new AgentcoreAuthError(
      'ERR_OAUTH',
      `${what} failed: HTTP ${err.status} ${challenge?.scheme ?? ''} ${name}` +
        (challenge?.parameters.error_description ? `: ${challenge.parameters.error_description}` : ''),
      {
        ...(hint ? { hint: hint.fix } : {}),
        details: { errorName: name, status: err.status, ...(url ? { url } : {}) },
        cause: e,
      },
    );
  }
  const c = e as { message?: string; code?: string; cause?: unknown };
  if (c?.code === 'OAUTH_HTTP_REQUEST_FORBIDDEN') {
    return new AgentcoreAuthError(
      'ERR_USAGE',
      `${what}: the server uses plain http, which is accepted for loopback hosts only`,
      { cause: e },
    );
  }
  let detail = c?.message ?? String(e);
  const inner = c?.cause as { status?: number; message?: string } | undefined;
  if (inner && typeof inner.status === 'number') detail += ` (HTTP ${inner.status})`;
  else if (inner?.message) detail += ` (${inner.message})`;
  return new AgentcoreAuthError('ERR_REMOTE', `${what} failed: ${detail}${url ? ` at ${url}` : ''}`, {
    hint: 'Check the URL and that it is an OAuth 2.0 / OIDC server; --verbose shows the HTTP exchange.',
    details: { ...(c?.code ? { errorName: c.code } : {}), ...(url ? { url } : {}) },
    cause: e,
  });
}
