/**
 * JWT helpers that do not verify: decoding for display, expiry arithmetic, fingerprints. Verification against an
 * authorizer lives in core/authorizer-prediction (jose + discovery).
 */
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import { inputError } from './errors.js';
import { fingerprint } from './redact.js';

export interface DecodedJwt {
  header: ProtectedHeaderParameters;
  payload: JWTPayload & Record<string, unknown>;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(value: string): boolean {
  return JWT_SHAPE.test(value.trim());
}

/** Decode without verifying. Throws ERR_INPUT (exit 2) on anything that is not a JWS compact JWT. */
export function decodeJwtUnverified(token: string): DecodedJwt {
  const t = token.trim();
  if (!t) throw inputError('empty token', 'Pass a JWT as an argument, or - to read it from stdin.');
  if (!looksLikeJwt(t)) {
    const parts = t.split('.').length;
    throw inputError(
      `not a JWT: expected three base64url parts separated by dots, ` +
        `got ${parts === 5 ? '5 (an encrypted JWE, which cannot be decoded here)' : parts}`,
      'Workload access tokens and opaque OAuth tokens are not JWTs; AgentCore bearer auth needs the IdP-issued JWT.',
    );
  }
  // Decoding for display needs no crypto, so jose (46 modules) stays out of start-up; verification uses jose.
  const [h, p] = t.split('.') as [string, string];
  const header = decodeSegment(h, 'header');
  const payload = decodeSegment(p, 'payload');
  if (typeof header.alg !== 'string')
    throw inputError('malformed JWT: the header has no "alg"', 'Check that the token was copied whole.');
  return { header: header as ProtectedHeaderParameters, payload: payload as DecodedJwt['payload'] };
}

function decodeSegment(segment: string, what: 'header' | 'payload'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch (e) {
    throw inputError(
      `malformed JWT: the ${what} is not base64url-encoded JSON`,
      'Check that the token was copied whole.',
      e,
    );
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw inputError(`malformed JWT: the ${what} is not a JSON object`, 'Check that the token was copied whole.');
  }
  return value as Record<string, unknown>;
}

export function tryDecodeJwt(token: string): DecodedJwt | undefined {
  try {
    return decodeJwtUnverified(token);
  } catch {
    return undefined;
  }
}

/**
 * The claims of a JWT, unverified, for display and expiry; undefined for an opaque token, a JWE or a payload that is
 * not a JSON object. Unlike decodeJwtUnverified it does not insist on a readable header.
 */
export function jwtClaims(token: string | undefined): DecodedJwt['payload'] | undefined {
  if (token === undefined || !looksLikeJwt(token)) return undefined;
  try {
    return decodeSegment(token.trim().split('.')[1]!, 'payload') as DecodedJwt['payload'];
  } catch {
    return undefined;
  }
}

/** The `exp` claim of a JWT (epoch seconds), unverified; undefined for opaque tokens. */
export function jwtExp(token: string | undefined): number | undefined {
  const exp = jwtClaims(token)?.exp;
  return typeof exp === 'number' ? exp : undefined;
}

/**
 * Expiry of a token set (epoch seconds): the access token's `exp`, else now + expires_in, else the ID token's `exp`.
 */
export function tokenSetExpiry(
  tokens: { accessToken?: string; idToken?: string },
  expiresIn: number | undefined,
  nowMs: number,
): number | undefined {
  return (
    jwtExp(tokens.accessToken) ??
    (typeof expiresIn === 'number' ? Math.floor(nowMs / 1000) + expiresIn : undefined) ??
    jwtExp(tokens.idToken)
  );
}

/** "in 54 min", "expired 2 h ago", "in 3 d". */
export function relativeTime(targetSec: number, nowMs: number): string {
  const diff = targetSec * 1000 - nowMs;
  const abs = Math.abs(diff);
  const fmt =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 86_400_000 * 2
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return diff >= 0 ? `in ${fmt}` : `${fmt} ago`;
}

export function expiresWithin(payload: { exp?: number }, ms: number, nowMs: number): boolean {
  return typeof payload.exp === 'number' && payload.exp * 1000 - nowMs <= ms;
}

/** A short description safe to print: fingerprint plus sub/exp when the token is a readable JWT. */
export function describeToken(token: string, nowMs: number): string {
  const fp = fingerprint(token);
  const d = tryDecodeJwt(token);
  if (!d) return fp;
  const bits = [fp];
  if (typeof d.payload.sub === 'string') bits.push(`sub=${d.payload.sub}`);
  if (typeof d.payload.exp === 'number') {
    bits.push(
      d.payload.exp * 1000 > nowMs
        ? `expires ${relativeTime(d.payload.exp, nowMs)}`
        : `expired ${relativeTime(d.payload.exp, nowMs)}`,
    );
  }
  return bits.join(' ');
}

/** Scopes from `scope` (space-separated string) or `scp` (array or string). */
export function tokenScopes(payload: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ['scope', 'scp']) {
    const v = payload[key];
    if (typeof v === 'string') out.push(...v.split(/\s+/).filter(Boolean));
    else if (Array.isArray(v)) out.push(...v.filter((x): x is string => typeof x === 'string'));
  }
  return [...new Set(out)];
}
