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
import type { CustomClaimRule, CustomJwtAuthorizer } from './authorizer-config.js';
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

/**
 * The authorizer the runtime and the gateway share (stack.ts makes one per stack): one discovery/JWKS cache per
 * discovery URL and one verified-token cache per issuer.
 *
 * Stable API for both halves (the gateway's engineer: keep to it; changing it means changing both handlers):
 * createJwtAuthorizer(options) → JwtAuthorizer { authorize(token, config & { discoveryUrl }), issuerOf(discoveryUrl),
 * stats }, AuthorizerVerdict, AUTHORIZER_MESSAGES, checkClaims, claimRulePasses, tokenScopes, fingerprint. The
 * newer authorizer fields the config carries (advertisedScopeMapping, allowedWorkloadConfiguration, privateEndpoint*)
 * are not checked here: what they change is the caller's (runtime/data/caller.ts, the gateway's challenge).
 */
export function createJwtAuthorizer(options: JwtAuthorizerOptions = {}): JwtAuthorizer {
  return new CachingJwtAuthorizer(options);
}

class CachingJwtAuthorizer implements JwtAuthorizer {
  readonly stats = { discoveryFetches: 0, jwksFetches: 0 };
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #cooldown: number;
  readonly #maxTokens: number;
  readonly #issuers = new Map<string, Promise<IssuerEntry>>();
  /** discoveryUrl → token → verified claims (bounded per issuer; oldest evicted). */
  readonly #verified = new Map<string, TokenMap<{ claims: JWTPayload; exp: number }>>();

  constructor(options: JwtAuthorizerOptions) {
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#now = options.now ?? Date.now;
    this.#ttl = options.cacheTtlMs ?? 10 * 60_000;
    this.#cooldown = options.jwksCooldownMs ?? 30_000;
    this.#maxTokens = options.maxCachedTokens ?? 1000;
  }

  async issuerOf(discoveryUrl: string): Promise<string> {
    return (await this.#entry(discoveryUrl)).discovery.issuer;
  }

  async authorize(
    token: string | undefined,
    config: CustomJwtAuthorizer & { discoveryUrl: string },
  ): Promise<AuthorizerVerdict> {
    if (!token) return FAIL(403, MESSAGES.failedToParseToken, 'parse');
    let cache = this.#verified.get(config.discoveryUrl);
    if (!cache) {
      cache = new TokenMap();
      this.#verified.set(config.discoveryUrl, cache);
    }
    const hit = cache.get(token);
    if (hit) {
      if (hit.exp * 1000 > this.#now()) return checkClaims(token, hit.claims, config);
      cache.delete(token);
      return FAIL(401, MESSAGES.tokenExpired, 'expired');
    }
    const v = await this.#verify(token, config.discoveryUrl);
    if ('fail' in v) return v.fail;
    if (typeof v.claims.exp === 'number') {
      if (cache.size >= this.#maxTokens) cache.deleteOldest();
      cache.set(token, { claims: v.claims, exp: v.claims.exp });
    }
    return checkClaims(token, v.claims, config);
  }

  /** A token not seen before: parse, issuer (before the signature, as AgentCore), signature and time claims. */
  async #verify(token: string, discoveryUrl: string): Promise<{ claims: JWTPayload } | { fail: AuthorizerVerdict }> {
    let unverified: JWTPayload;
    try {
      decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      return { fail: FAIL(403, MESSAGES.failedToParseToken, 'parse') };
    }
    let e: IssuerEntry;
    try {
      e = await this.#entry(discoveryUrl);
    } catch (err) {
      const message = AUTHORIZER_MESSAGES.discoveryFailed(discoveryUrl, (err as Error).message);
      return { fail: FAIL(500, message, 'discovery') };
    }
    if (unverified.iss !== e.discovery.issuer) return { fail: FAIL(401, MESSAGES.claimMismatch('iss'), 'iss') };
    return this.#verifySignature(token, discoveryUrl, e);
  }

  async #getJson(url: string): Promise<unknown> {
    const res = await this.#fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  async #load(discoveryUrl: string): Promise<IssuerEntry> {
    this.stats.discoveryFetches++;
    const d = (await this.#getJson(discoveryUrl)) as Partial<Discovery>;
    if (typeof d?.issuer !== 'string' || typeof d.jwks_uri !== 'string') throw new Error('no issuer or jwks_uri in it');
    this.stats.jwksFetches++;
    const jwks = (await this.#getJson(d.jwks_uri)) as JSONWebKeySet;
    if (!Array.isArray(jwks?.keys)) throw new Error(`${d.jwks_uri} is not a JWKS`);
    return {
      fetchedAt: this.#now(),
      discovery: { issuer: d.issuer, jwks_uri: d.jwks_uri },
      jwks: createLocalJWKSet(jwks),
      jwksFetchedAt: this.#now(),
    };
  }

  #entry(discoveryUrl: string): Promise<IssuerEntry> {
    const cached = this.#issuers.get(discoveryUrl);
    if (!cached) return this.#refresh(discoveryUrl);
    return cached.then((e) => (this.#now() - e.fetchedAt > this.#ttl ? this.#refresh(discoveryUrl) : e));
  }

  #refresh(discoveryUrl: string): Promise<IssuerEntry> {
    const p = this.#load(discoveryUrl);
    this.#issuers.set(discoveryUrl, p);
    p.catch(() => this.#issuers.delete(discoveryUrl));
    return p;
  }

  async #refetchJwks(discoveryUrl: string, e: IssuerEntry): Promise<boolean> {
    if (this.#now() - e.jwksFetchedAt < this.#cooldown) return false;
    e.jwksFetchedAt = this.#now();
    this.stats.jwksFetches++;
    try {
      e.jwks = createLocalJWKSet((await this.#getJson(e.discovery.jwks_uri)) as JSONWebKeySet);
      return true;
    } catch {
      this.#issuers.delete(discoveryUrl);
      return false;
    }
  }

  async #verifySignature(
    token: string,
    discoveryUrl: string,
    e: IssuerEntry,
  ): Promise<{ claims: JWTPayload } | { fail: AuthorizerVerdict }> {
    const check = async () => ({
      claims: (await jwtVerify(token, e.jwks, { clockTolerance: 0, currentDate: new Date(this.#now()) })).payload,
    });
    try {
      return await check();
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey && (await this.#refetchJwks(discoveryUrl, e))) {
        try {
          return await check();
        } catch (err2) {
          return { fail: mapJoseError(err2) };
        }
      }
      return { fail: mapJoseError(err) };
    }
  }
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
