/**
 * One unverified JWT decoder (src/core/jwt.ts) for display and expiry: the token cache, `login`, `invoke`'s token
 * note, `doctor` and `token decode` all read claims through it, and it never loads jose (cold start).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeToken, jwtClaims, jwtExp, relativeTime, tokenScopes, tokenSetExpiry } from '../../src/core/jwt.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (payload: unknown, header: unknown = { alg: 'RS256', kid: 'k' }) => `${b64(header)}.${b64(payload)}.c2ln`;

describe('jwtClaims / jwtExp', () => {
  it('reads the claims of a JWS compact JWT without verifying it', () => {
    expect(jwtClaims(jwt({ sub: 'alice', exp: 1_900_000_000, token_use: 'access' }))).toMatchObject({
      sub: 'alice',
      token_use: 'access',
    });
    expect(jwtExp(jwt({ exp: 1_900_000_000 }))).toBe(1_900_000_000);
    expect(jwtClaims(jwt({ sub: 'x' }, {}))).toEqual({ sub: 'x' }); // a header without alg does not hide the claims
  });

  it.each([
    ['undefined', undefined],
    ['an opaque token', 'AgV4abcdef0123456789'],
    ['a JWE (five parts)', 'a.b.c.d.e'],
    ['a payload that is not JSON', `${b64({ alg: 'none' })}.bm90IGpzb24.x`],
    ['a payload that is an array', jwt([1, 2])],
  ])('%s → undefined', (_what, token) => {
    expect(jwtClaims(token)).toBeUndefined();
    expect(jwtExp(token)).toBeUndefined();
  });

  it(
    "a token set's expiry (login, the cache's refresh) uses it: the access token's exp, else expires_in, else " +
      "the ID token's exp",
    () => {
      const now = 1_800_000_000_000;
      expect(tokenSetExpiry({ accessToken: jwt({ exp: 1_800_000_600 }) }, 3600, now)).toBe(1_800_000_600);
      expect(tokenSetExpiry({ accessToken: 'opaque' }, 3600, now)).toBe(1_800_003_600);
      expect(tokenSetExpiry({ accessToken: 'opaque', idToken: jwt({ exp: 1_800_000_900 }) }, undefined, now)).toBe(
        1_800_000_900,
      );
    },
  );
});

describe('cold start', () => {
  it('decoding for display does not load jose: the built jwt module and its static imports never import it', () => {
    const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');
    const seen = new Set<string>();
    const external = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      // Static imports only (`import … from '…'`, `export … from '…'`); `await import()` is lazy by design.
      for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) walk(join(dirname(file), spec));
        else external.add(spec);
      }
    };
    walk(join(dist, 'core/jwt.js'));
    expect(seen.size).toBeGreaterThan(2);
    expect([...external].filter((s) => s === 'jose' || s.startsWith('jose/'))).toEqual([]);
  });
});

describe('jwt helpers', () => {
  it('relative times and token descriptions', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(relativeTime(now / 1000 + 54 * 60, now)).toBe('in 54 min');
    expect(relativeTime(now / 1000 - 2 * 3600, now)).toBe('2 h ago');
    const t = jwt({ sub: 'alice', exp: now / 1000 + 3600, scope: 'a b', scp: ['c'] });
    expect(describeToken(t, now)).toMatch(/^sha256:[0-9a-f]{8} sub=alice expires in 1 h$/);
    expect(tokenScopes({ scope: 'a b', scp: ['c', 'a'] })).toEqual(['a', 'b', 'c']);
  });
});
