/**
 * AgentCore's customJWTAuthorizer, reimplemented for the local stack (Runtime and Gateway inbound). Works with any
 * OIDC issuer: the discovery document and the JWKS are fetched over HTTP from `discoveryUrl` and cached.
 *
 * Order of checks and the verdicts (agentcore-errors.md §1.2, 2026 behaviour):
 *   not a JWT / empty bearer           → 403 AccessDenied "OAuth authorization failed: Failed to parse token"
 *   iss ≠ discovery issuer             → 401 "Claim 'iss' value mismatch with configuration." (before the signature)
 *   signature does not verify          → 401 (message UNVERIFIED; see MESSAGES below)
 *   expired                            → 401 "Token has expired"
 *   aud ∉ allowedAudience              → 401 "Claim 'aud' value mismatch with configuration."
 *   client_id ∉ allowedClients         → 401 "Claim 'client_id' value mismatch with configuration."
 *   no scope ∈ allowedScopes           → 401 "Claim 'scope' value mismatch with configuration." (UNVERIFIED wording)
 *   a customClaims rule fails          → 401 "Claim '<name>' value mismatch with configuration." (UNVERIFIED wording)
 * Verified tokens are cached by their exact text until they expire (expiry is re-checked on every use).
 */
import { createHash } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { MESSAGES } from '../../wire.js';
import type { CustomClaimRule, CustomJwtAuthorizer } from './config.js';
import { TokenMap } from '../token-map.js';

/** Emulator wording where the live text was never recorded (agentcore-errors.md §8). */
export const AUTHORIZER_MESSAGES = {
  invalidSignature: 'Token signature verification failed',
  notYetValid: 'Token is not yet valid',
  discoveryFailed: (url: string, why: string) =>
    `OAuth authorization failed: could not read the authorizer's discovery document ${url} (${why})`,
} as const;

export type AuthorizerVerdict =
  | { ok: true; claims: JWTPayload; token: string }
  | { ok: false; status: 401 | 403 | 500; message: string; reason: AuthorizerFailure };

export type AuthorizerFailure =
  | 'parse'
  | 'iss'
  | 'signature'
  | 'expired'
  | 'nbf'
  | 'aud'
  | 'client_id'
  | 'scope'
  | 'custom_claim'
  | 'discovery';

interface Discovery {
  issuer: string;
  jwks_uri: string;
}

interface IssuerEntry {
  fetchedAt: number;
  discovery: Discovery;
  jwks: ReturnType<typeof createLocalJWKSet>;
  jwksFetchedAt: number;
}

export interface JwtAuthorizerOptions {
  fetch?: typeof fetch;
  now?: () => number;
  /** How long discovery + JWKS are reused before a refetch (default 10 min; an unknown kid refetches sooner). */
  cacheTtlMs?: number;
  /** Minimum gap between JWKS refetches for an unknown kid (default 30 s). */
  jwksCooldownMs?: number;
  /** Verified-token cache size (default 1000). */
  maxCachedTokens?: number;
}

export interface JwtAuthorizer {
  authorize(
    token: string | undefined,
    config: CustomJwtAuthorizer & { discoveryUrl: string },
  ): Promise<AuthorizerVerdict>;
  /** Issuer of a discovery URL (fetched and cached), for protected-resource metadata. */
  issuerOf(discoveryUrl: string): Promise<string>;
  /** Counters (for tests and --debug): HTTP fetches made. */
  stats: { discoveryFetches: number; jwksFetches: number };
}

const FAIL = (status: 401 | 403 | 500, message: string, reason: AuthorizerFailure): AuthorizerVerdict => ({
  ok: false,
  status,
  message,
  reason,
});

export function createJwtAuthorizer(options: JwtAuthorizerOptions = {}): JwtAuthorizer {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const now = options.now ?? Date.now;
  const ttl = options.cacheTtlMs ?? 10 * 60_000;
  const cooldown = options.jwksCooldownMs ?? 30_000;
  const maxTokens = options.maxCachedTokens ?? 1000;
  const issuers = new Map<string, Promise<IssuerEntry>>();
  /** discoveryUrl → token → verified claims (bounded per issuer; oldest evicted). */
  const verified = new Map<string, TokenMap<{ claims: JWTPayload; exp: number }>>();
  const stats = { discoveryFetches: 0, jwksFetches: 0 };

  async function getJson(url: string): Promise<unknown> {
    const res = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  async function load(discoveryUrl: string): Promise<IssuerEntry> {
    stats.discoveryFetches++;
    const d = (await getJson(discoveryUrl)) as Partial<Discovery>;
    if (typeof d?.issuer !== 'string' || typeof d.jwks_uri !== 'string') throw new Error('no issuer or jwks_uri in it');
    stats.jwksFetches++;
    const jwks = (await getJson(d.jwks_uri)) as JSONWebKeySet;
    if (!Array.isArray(jwks?.keys)) throw new Error(`${d.jwks_uri} is not a JWKS`);
    return {
      fetchedAt: now(),
      discovery: { issuer: d.issuer, jwks_uri: d.jwks_uri },
      jwks: createLocalJWKSet(jwks),
      jwksFetchedAt: now(),
    };
  }

  function entry(discoveryUrl: string): Promise<IssuerEntry> {
    let p = issuers.get(discoveryUrl);
    if (p) {
      const cached = p;
      p = cached.then((e) => (now() - e.fetchedAt > ttl ? refresh(discoveryUrl) : e));
      return p;
    }
    return refresh(discoveryUrl);
  }

  function refresh(discoveryUrl: string): Promise<IssuerEntry> {
    const p = load(discoveryUrl);
    issuers.set(discoveryUrl, p);
    p.catch(() => issuers.delete(discoveryUrl));
    return p;
  }

  async function refetchJwks(discoveryUrl: string, e: IssuerEntry): Promise<boolean> {
    if (now() - e.jwksFetchedAt < cooldown) return false;
    e.jwksFetchedAt = now();
    stats.jwksFetches++;
    try {
      e.jwks = createLocalJWKSet((await getJson(e.discovery.jwks_uri)) as JSONWebKeySet);
      return true;
    } catch {
      issuers.delete(discoveryUrl);
      return false;
    }
  }

  async function verifySignature(
    token: string,
    discoveryUrl: string,
    e: IssuerEntry,
  ): Promise<{ claims: JWTPayload } | { fail: AuthorizerVerdict }> {
    const check = async () => ({
      claims: (await jwtVerify(token, e.jwks, { clockTolerance: 0, currentDate: new Date(now()) })).payload,
    });
    try {
      return await check();
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey && (await refetchJwks(discoveryUrl, e))) {
        try {
          return await check();
        } catch (err2) {
          return { fail: mapJoseError(err2) };
        }
      }
      return { fail: mapJoseError(err) };
    }
  }

  async function authorize(
    token: string | undefined,
    config: CustomJwtAuthorizer & { discoveryUrl: string },
  ): Promise<AuthorizerVerdict> {
    if (!token) return FAIL(403, MESSAGES.failedToParseToken, 'parse');
    let cache = verified.get(config.discoveryUrl);
    if (!cache) {
      cache = new TokenMap();
      verified.set(config.discoveryUrl, cache);
    }
    let claims: JWTPayload;
    const hit = cache.get(token);
    if (hit) {
      if (hit.exp * 1000 <= now()) {
        cache.delete(token);
        return FAIL(401, MESSAGES.tokenExpired, 'expired');
      }
      claims = hit.claims;
    } else {
      let unverified: JWTPayload;
      try {
        decodeProtectedHeader(token);
        unverified = decodeJwt(token);
      } catch {
        return FAIL(403, MESSAGES.failedToParseToken, 'parse');
      }
      let e: IssuerEntry;
      try {
        e = await entry(config.discoveryUrl);
      } catch (err) {
        return FAIL(500, AUTHORIZER_MESSAGES.discoveryFailed(config.discoveryUrl, (err as Error).message), 'discovery');
      }
      if (unverified.iss !== e.discovery.issuer) return FAIL(401, MESSAGES.claimMismatch('iss'), 'iss');
      const v = await verifySignature(token, config.discoveryUrl, e);
      if ('fail' in v) return v.fail;
      claims = v.claims;
      if (typeof claims.exp === 'number') {
        if (cache.size >= maxTokens) cache.deleteOldest();
        cache.set(token, { claims, exp: claims.exp });
      }
    }
    return checkClaims(token, claims, config);
  }

  return {
    authorize,
    stats,
    async issuerOf(discoveryUrl: string) {
      return (await entry(discoveryUrl)).discovery.issuer;
    },
  };
}

function mapJoseError(err: unknown): AuthorizerVerdict {
  if (err instanceof joseErrors.JWTExpired) return FAIL(401, MESSAGES.tokenExpired, 'expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf')
    return FAIL(401, AUTHORIZER_MESSAGES.notYetValid, 'nbf');
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid)
    return FAIL(403, MESSAGES.failedToParseToken, 'parse');
  return FAIL(401, AUTHORIZER_MESSAGES.invalidSignature, 'signature');
}

function asList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Scopes of a token: a space-separated `scope` string and/or an `scp` array (or string). */
export function tokenScopes(claims: JWTPayload): string[] {
  const out: string[] = [];
  if (typeof claims.scope === 'string') out.push(...claims.scope.split(' ').filter(Boolean));
  else out.push(...asList(claims.scope));
  const scp = claims.scp;
  if (typeof scp === 'string') out.push(...scp.split(' ').filter(Boolean));
  else out.push(...asList(scp));
  return out;
}

export function claimRulePasses(rule: CustomClaimRule, claims: JWTPayload): boolean {
  const value = claims[rule.inboundTokenClaimName];
  const { claimMatchOperator: op, claimMatchValue } = rule.authorizingClaimMatchValue;
  if (rule.inboundTokenClaimValueType === 'STRING') {
    return typeof value === 'string' && op === 'EQUALS' && value === claimMatchValue.matchValueString;
  }
  if (!Array.isArray(value)) return false;
  const values = asList(value);
  if (op === 'CONTAINS')
    return claimMatchValue.matchValueString !== undefined && values.includes(claimMatchValue.matchValueString);
  if (op === 'CONTAINS_ANY') return (claimMatchValue.matchValueStringList ?? []).some((m) => values.includes(m));
  return false;
}

/** The claim checks after signature/expiry, in AgentCore's order. Exported for `verify`-style reuse in tests. */
export function checkClaims(token: string, claims: JWTPayload, config: CustomJwtAuthorizer): AuthorizerVerdict {
  if (config.allowedAudience) {
    const aud = asList(claims.aud);
    if (!aud.some((a) => config.allowedAudience!.includes(a))) return FAIL(401, MESSAGES.claimMismatch('aud'), 'aud');
  }
  if (config.allowedClients) {
    if (typeof claims.client_id !== 'string' || !config.allowedClients.includes(claims.client_id))
      return FAIL(401, MESSAGES.claimMismatch('client_id'), 'client_id');
  }
  if (config.allowedScopes) {
    const scopes = tokenScopes(claims);
    if (!scopes.some((s) => config.allowedScopes!.includes(s)))
      return FAIL(401, MESSAGES.claimMismatch('scope'), 'scope');
  }
  for (const rule of config.customClaims ?? []) {
    if (!claimRulePasses(rule, claims))
      return FAIL(401, MESSAGES.claimMismatch(rule.inboundTokenClaimName), 'custom_claim');
  }
  return { ok: true, claims, token };
}

/** `sha256:` + 8 hex characters: the same fingerprint the CLI prints, so values can be compared (never the secret). */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}
