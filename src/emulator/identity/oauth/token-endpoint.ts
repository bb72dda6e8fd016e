/**
 * The stack as an OAuth client of the credential providers' authorization servers: endpoint resolution (discovery URL
 * or authorization server metadata) and every token call AgentCore Identity makes — client credentials (M2M), the
 * authorization-code exchange (PKCE) and refresh (3LO), and the on-behalf-of grants (RFC 8693 token exchange, RFC 7523
 * JWT bearer) — each authenticated per the provider's clientAuthenticationMethod (client-auth.ts).
 */
import type { OAuth2Provider, ProviderEndpoints, VaultEntry } from '../../state.js';
import { authenticateClient, type ClientAuthDeps } from './client-auth.js';

/** The provider refused or could not be reached; `error`/`description` are the provider's OAuth error, when sent. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly detail: { status?: number; error?: string; description?: string } = {},
  ) {
    super(message);
  }
}

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

/** Grant parameters; a list value becomes repeated parameters (resource, audience). */
export type TokenParams = Record<string, string | string[] | undefined>;

function formOf(params: TokenParams): URLSearchParams {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
  }
  return form;
}

async function post(url: string, form: URLSearchParams, headers: Record<string, string>) {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(10_000) });
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
  return { res, json };
}

function refusal(status: number, json: Record<string, unknown>): ProviderError {
  const error = typeof json.error === 'string' ? json.error : undefined;
  const description = typeof json.error_description === 'string' ? json.error_description : undefined;
  const text = [error, description ? `(${description})` : undefined].filter(Boolean).join(' ');
  return new ProviderError(`token endpoint answered ${status}${text ? ` ${text}` : ''}`, {
    status,
    ...(error ? { error } : {}),
    ...(description ? { description } : {}),
  });
}

export async function tokenRequest(
  deps: ClientAuthDeps,
  p: OAuth2Provider,
  params: TokenParams,
  options: { authorizationCode?: boolean } = {},
): Promise<VaultEntry> {
  const ep = await resolveEndpoints(p);
  const form = formOf(params);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  try {
    await authenticateClient(p, ep.tokenEndpoint, { form, headers }, deps, options);
  } catch (e) {
    throw new ProviderError(`client authentication could not be prepared: ${(e as Error).message}`);
  }
  const { res, json } = await post(ep.tokenEndpoint, form, headers);
  if (!res.ok || typeof json.access_token !== 'string') throw refusal(res.status, json);
  const scope = typeof json.scope === 'string' ? json.scope : typeof params.scope === 'string' ? params.scope : '';
  return {
    accessToken: json.access_token,
    ...(typeof json.refresh_token === 'string' ? { refreshToken: json.refresh_token } : {}),
    ...(typeof json.expires_in === 'number' ? { expiresAt: deps.now() + json.expires_in * 1000 } : {}),
    scopes: scope.split(' ').filter(Boolean),
  };
}

export function exchangeCode(deps: ClientAuthDeps, p: OAuth2Provider, code: string, verifier: string) {
  const params = { grant_type: 'authorization_code', code, redirect_uri: p.callbackUrl, code_verifier: verifier };
  return tokenRequest(deps, p, params, { authorizationCode: true });
}

export function refreshToken(deps: ClientAuthDeps, p: OAuth2Provider, refresh: string): Promise<VaultEntry> {
  return tokenRequest(deps, p, { grant_type: 'refresh_token', refresh_token: refresh });
}
