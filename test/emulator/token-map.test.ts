/**
 * The per-invocation caches keyed by tokens (src/emulator/token-map.ts): found by the token's tail, confirmed by the
 * whole token. A token that shares the tail of a cached one (a forged payload under a copied signature) must never get
 * the cached answer: not the authorizer's verdict, not the cached workload access token.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenMap } from '../../src/emulator/token-map.js';
import { WatCache } from '../../src/emulator/runtime/deps.js';
import { createJwtAuthorizer } from '../../src/emulator/runtime/jwt-authorizer.js';

/** Long enough to be looked up by its tail (keys over 256 characters, as tokens are). */
const TAIL = 'x'.repeat(300);

describe('TokenMap', () => {
  it('finds a key by its whole text, not by its tail', () => {
    const m = new TokenMap<number>();
    m.set(`a.${TAIL}`, 1);
    expect(m.get(`a.${TAIL}`)).toBe(1);
    expect(m.get(`b.${TAIL}`)).toBeUndefined();
    expect(m.delete(`b.${TAIL}`)).toBe(false);
    expect(m.get(`a.${TAIL}`)).toBe(1);
  });

  it('replaces an entry whose key shares the tail (a cache), and keeps insertion order for eviction', () => {
    const m = new TokenMap<number>();
    m.set('short', 0);
    m.set(`a.${TAIL}`, 1);
    m.set(`b.${TAIL}`, 2);
    expect(m.size).toBe(2);
    expect(m.get(`a.${TAIL}`)).toBeUndefined();
    expect(m.get(`b.${TAIL}`)).toBe(2);
    m.deleteOldest();
    expect(m.get('short')).toBeUndefined();
    expect(m.size).toBe(1);
    expect(m.delete(`b.${TAIL}`)).toBe(true);
    expect(m.size).toBe(0);
    m.deleteOldest();
    expect(m.size).toBe(0);
  });
});

describe('TokenMap: keys up to 256 characters are used whole', () => {
  it('keeps two short keys that end alike apart (runtime ARNs of the same id in two accounts, long user ids)', () => {
    const m = new TokenMap<number>();
    const end = ':runtime/jwt_agent-local00002'.padStart(60, '-');
    m.set(`arn:aws:bedrock-agentcore:us-east-1:111111111111${end}`, 1);
    m.set(`arn:aws:bedrock-agentcore:us-east-1:222222222222${end}`, 2);
    expect(m.size).toBe(2);
    expect(m.get(`arn:aws:bedrock-agentcore:us-east-1:111111111111${end}`)).toBe(1);
  });
});

describe('WatCache', () => {
  const mintCounter = () => {
    let n = 0;
    return () => `wat-${++n}`;
  };

  it('reuses a WAT per (workload, user token) and per (workload, user id), never across the two', async () => {
    const cache = new WatCache();
    const mint = mintCounter();
    const token = `header.payload.${TAIL}`;
    const a = await cache.get({ workloadName: 'w', userToken: token }, mint);
    expect(await cache.get({ workloadName: 'w', userToken: token }, mint)).toBe(a);
    expect(cache.peek({ workloadName: 'w', userToken: `header.forged.${TAIL}` })).toBeUndefined();
    // A user id spelled like the token is a different caller.
    expect(cache.peek({ workloadName: 'w', userId: token })).toBeUndefined();
    const b = await cache.get({ workloadName: 'w', userId: 'alice' }, mint);
    expect(b).not.toBe(a);
    expect(cache.peek({ workloadName: 'other', userId: 'alice' })).toBeUndefined();
  });

  it('stays bounded and expires entries', async () => {
    let now = 1_000;
    const cache = new WatCache(3, 60_000, () => now);
    const mint = mintCounter();
    for (const u of ['u1', 'u2', 'u3', 'u4']) await cache.get({ workloadName: 'w', userId: u }, mint);
    expect(cache.peek({ workloadName: 'w', userId: 'u1' })).toBeUndefined(); // the oldest went
    expect(cache.peek({ workloadName: 'w', userId: 'u4' })).toBe('wat-4');
    now += 60_001;
    expect(cache.peek({ workloadName: 'w', userId: 'u4' })).toBeUndefined();
    // A token's own expiry caps the reuse.
    now = 1_000;
    await cache.get({ workloadName: 'w', userToken: `t.${TAIL}` }, mint, 1_500);
    expect(cache.peek({ workloadName: 'w', userToken: `t.${TAIL}` })).toBe('wat-5');
    now = 1_500;
    expect(cache.peek({ workloadName: 'w', userToken: `t.${TAIL}` })).toBeUndefined();
  });
});

describe('the authorizer cache', () => {
  it(
    "verifies a token that shares a cached token's signature but not its payload (no cached " + 'verdict for it)',
    async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
      const issuer = 'http://127.0.0.1:1/pool';
      const documents: Record<string, unknown> = {
        [`${issuer}/.well-known/openid-configuration`]: { issuer, jwks_uri: `${issuer}/jwks.json` },
        [`${issuer}/jwks.json`]: { keys: [jwk] },
      };
      const fetch = (async (url: string) =>
        new Response(JSON.stringify(documents[url]), {
          status: documents[url] ? 200 : 404,
        })) as typeof globalThis.fetch;
      const authorizer = createJwtAuthorizer({ fetch });
      const config = { discoveryUrl: `${issuer}/.well-known/openid-configuration`, allowedClients: ['app'] };
      const exp = Math.floor(Date.now() / 1000) + 600;
      const token = await new SignJWT({ client_id: 'app', sub: 'alice' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(issuer)
        .setExpirationTime(exp)
        .sign(privateKey);
      expect((await authorizer.authorize(token, config)).ok).toBe(true);
      expect((await authorizer.authorize(token, config)).ok).toBe(true); // from the cache

      const [header, , signature] = token.split('.');
      const payload = Buffer.from(JSON.stringify({ client_id: 'app', sub: 'mallory', iss: issuer, exp })).toString(
        'base64url',
      );
      const forged = `${header}.${payload}.${signature}`;
      const verdict = await authorizer.authorize(forged, config);
      expect(verdict).toMatchObject({ ok: false, status: 401, reason: 'signature' });
      // The genuine token is still served (from the cache or verified again).
      expect((await authorizer.authorize(token, config)).ok).toBe(true);
    },
  );
});
