/**
 * The stack as an OAuth client of the credential providers' authorization servers: endpoint resolution (discovery
 * URL or authorization server metadata), client credentials, code exchange (PKCE), refresh. Also the registry helper
 * that turns a credential provider definition into state (with its per-provider callback URL on the stack).
 */
import { randomUUID } from 'node:crypto';
import type { EmuContext } from '../context.js';
import type { OAuth2Provider, ProviderEndpoints, VaultEntry } from '../state.js';

/** Known endpoints of the included vendors (what AgentCore fills in for them). */
export const VENDOR_DISCOVERY: Record<string, { discoveryUrl?: string; metadata?: ProviderEndpoints }> = {
  GoogleOauth2: { discoveryUrl: 'https://accounts.google.com/.well-known/openid-configuration' },
  SlackOauth2: { discoveryUrl: 'https://slack.com/.well-known/openid-configuration' },
  SalesforceOauth2: { discoveryUrl: 'https://login.salesforce.com/.well-known/openid-configuration' },
  LinkedinOauth2: { discoveryUrl: 'https://www.linkedin.com/oauth/.well-known/openid-configuration' },
  GithubOauth2: {
    metadata: {
      issuer: 'https://github.com',
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      tokenEndpoint: 'https://github.com/login/oauth/access_token',
    },
  },
  AtlassianOauth2: {
    metadata: {
      issuer: 'https://auth.atlassian.com',
      authorizationEndpoint: 'https://auth.atlassian.com/authorize',
      tokenEndpoint: 'https://auth.atlassian.com/oauth/token',
    },
  },
};

export function microsoftDiscovery(tenantId?: string): string {
  return `https://login.microsoftonline.com/${tenantId ?? 'common'}/v2.0/.well-known/openid-configuration`;
}

export interface NewProvider {
  name: string;
  vendor: string;
  configKey: string;
  configInput: Record<string, unknown>;
  clientId: string;
  clientSecret?: string;
  discoveryUrl?: string;
  metadata?: ProviderEndpoints;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  tags?: Record<string, string>;
}

export function putOAuth2Provider(ctx: EmuContext, p: NewProvider): OAuth2Provider {
  const t = Math.floor(ctx.now() / 1000);
  const callbackId = randomUUID();
  const provider: OAuth2Provider = {
    name: p.name,
    arn: ctx.state.oauth2ProviderArn(p.name),
    vendor: p.vendor,
    callbackId,
    callbackUrl: `${ctx.origin}/identities/oauth2/callback/${callbackId}`,
    clientId: p.clientId,
    ...(p.clientSecret !== undefined ? { clientSecret: p.clientSecret } : {}),
    clientSecretArn: ctx.state.secretArn('oauth2', p.name),
    configInput: p.configInput,
    configKey: p.configKey,
    ...(p.discoveryUrl ? { discoveryUrl: p.discoveryUrl } : {}),
    ...(p.metadata ? { metadata: p.metadata } : {}),
    tokenEndpointAuthMethod: p.tokenEndpointAuthMethod ?? 'client_secret_basic',
    tags: p.tags ?? {},
    createdTime: t,
    lastUpdatedTime: t,
  };
  ctx.state.oauth2Providers.set(p.name, provider);
  return provider;
}

export class ProviderError extends Error {}

export async function resolveEndpoints(p: OAuth2Provider): Promise<ProviderEndpoints> {
  if (p.metadata) return p.metadata;
  if (p.resolved) return p.resolved;
  if (!p.discoveryUrl) throw new ProviderError('provider has neither discoveryUrl nor authorizationServerMetadata');
  let doc: Record<string, unknown>;
  try {
    const res = await fetch(p.discoveryUrl, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new ProviderError(`discovery ${res.status}`);
    doc = (await res.json()) as Record<string, unknown>;
  } catch (e) {
    throw e instanceof ProviderError ? e : new ProviderError(`discovery failed: ${(e as Error).message}`);
  }
  if (typeof doc.token_endpoint !== 'string') throw new ProviderError('discovery document has no token_endpoint');
  p.resolved = {
    tokenEndpoint: doc.token_endpoint,
    ...(typeof doc.issuer === 'string' ? { issuer: doc.issuer } : {}),
    ...(typeof doc.authorization_endpoint === 'string' ? { authorizationEndpoint: doc.authorization_endpoint } : {}),
  };
  return p.resolved;
}

async function tokenRequest(
  p: OAuth2Provider,
  params: Record<string, string>,
  now: number,
  extra: Array<[string, string]> = [],
): Promise<VaultEntry> {
  const ep = await resolveEndpoints(p);
  const form = new URLSearchParams(params);
  for (const [k, v] of extra) form.append(k, v);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (p.tokenEndpointAuthMethod === 'client_secret_post' || p.clientSecret === undefined) {
    form.set('client_id', p.clientId);
    if (p.clientSecret !== undefined) form.set('client_secret', p.clientSecret);
  } else {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(p.clientId)}:${encodeURIComponent(p.clientSecret)}`).toString('base64')}`;
  }
  let res: Response;
  try {
    res = await fetch(ep.tokenEndpoint, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new ProviderError(`token endpoint unreachable: ${(e as Error).message}`);
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  if (!res.ok || typeof json.access_token !== 'string')
    throw new ProviderError(
      `token endpoint answered ${res.status} ${typeof json.error === 'string' ? json.error : ''}`.trim(),
    );
  return {
    accessToken: json.access_token,
    ...(typeof json.refresh_token === 'string' ? { refreshToken: json.refresh_token } : {}),
    ...(typeof json.expires_in === 'number' ? { expiresAt: now + json.expires_in * 1000 } : {}),
    scopes:
      typeof json.scope === 'string'
        ? json.scope.split(' ').filter(Boolean)
        : (params.scope ?? '').split(' ').filter(Boolean),
  };
}

/** What a GetResourceOauth2Token request adds to the provider's request: RFC 8707 resources, audiences, custom ones. */
export interface ProviderRequestExtras {
  resources?: string[];
  audiences?: string[];
  /** Already stripped of the standard parameters. */
  customParameters?: Record<string, string>;
}

/** The extras as form/query parameters: `resource` and `audience` once per value, then the custom ones. */
export function extraParams(x: ProviderRequestExtras): Array<[string, string]> {
  return [
    ...(x.resources ?? []).map((r): [string, string] => ['resource', r]),
    ...(x.audiences ?? []).map((a): [string, string] => ['audience', a]),
    ...Object.entries(x.customParameters ?? {}),
  ];
}

export function clientCredentials(
  p: OAuth2Provider,
  scopes: string[],
  now: number,
  extras: ProviderRequestExtras = {},
): Promise<VaultEntry> {
  return tokenRequest(
    p,
    { grant_type: 'client_credentials', ...(scopes.length ? { scope: scopes.join(' ') } : {}) },
    now,
    extraParams(extras),
  );
}

export function exchangeCode(p: OAuth2Provider, code: string, codeVerifier: string, now: number): Promise<VaultEntry> {
  return tokenRequest(
    p,
    { grant_type: 'authorization_code', code, redirect_uri: p.callbackUrl, code_verifier: codeVerifier },
    now,
  );
}

export function refreshToken(p: OAuth2Provider, refresh: string, now: number): Promise<VaultEntry> {
  return tokenRequest(p, { grant_type: 'refresh_token', refresh_token: refresh }, now);
}
