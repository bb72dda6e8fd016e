/**
 * What GetResourceOauth2Token's scopes, audiences, resources and customParameters become on a provider's token
 * request (M2M and on-behalf-of; the 3LO authorize request has its own rule, threelo/flow.ts):
 * - scopes → `scope` (space-separated) — documented for M2M and OBO.
 * - resources → one `resource` parameter each (RFC 8707) — UNVERIFIED for the token endpoint.
 * - audiences → one `audience` parameter each (RFC 8693 §2.1) — UNVERIFIED (agentcore-gateway.md §5 and §9).
 * - customParameters → added as given; they never replace the grant, the client authentication, the tokens being
 *   exchanged or the three parameters above. On-behalf-of may override `subject_token_type` (documented) and
 *   `actor_token_type`, `requested_token_type`, `requested_token_use` (UNVERIFIED, the same rule assumed).
 */
import type { TokenParams } from './token-endpoint.js';

const NEVER_REPLACED = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
  'resource',
  'audience',
  'subject_token',
  'actor_token',
  'assertion',
  'code',
  'code_verifier',
  'redirect_uri',
  'refresh_token',
]);

export interface RequestedScope {
  scopes: readonly string[];
  audiences?: readonly string[] | undefined;
  resources?: readonly string[] | undefined;
  customParameters?: Record<string, string> | undefined;
}

/** The grant's own parameters, then scope/resource/audience, then the customParameters allowed to be added. */
export function tokenParams(grant: TokenParams, requested: RequestedScope): TokenParams {
  const out: TokenParams = {
    ...grant,
    ...(requested.scopes.length ? { scope: requested.scopes.join(' ') } : {}),
    ...(requested.resources?.length ? { resource: [...requested.resources] } : {}),
    ...(requested.audiences?.length ? { audience: [...requested.audiences] } : {}),
  };
  for (const [k, v] of Object.entries(requested.customParameters ?? {})) if (!NEVER_REPLACED.has(k)) out[k] = v;
  return out;
}

/** A stable text of what was requested (the vault caches a token per request). */
export function requestKey(requested: RequestedScope): string {
  const sorted = (v?: readonly string[]) => [...(v ?? [])].sort().join(' ');
  const custom = Object.entries(requested.customParameters ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return [sorted(requested.scopes), sorted(requested.audiences), sorted(requested.resources), custom].join('\n');
}
