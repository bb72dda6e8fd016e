/**
 * The stack's RSA keys (src/emulator/keys.ts): keys asked for ahead (prepareKeys, as `demo` does before it loads the
 * stack) go to the next leases, one lease per key, and are what jose's generateKeyPair('RS256', { extractable: true })
 * made before: extractable 2048-bit RS256 keys that sign and verify, exportable as JWKs (the 3LO provider hands its
 * private JWK to oidc-provider). A closed lease's keys come back as spares for the next one.
 */
import { exportJWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { KeyLease, prepareKeys } from '../../src/emulator/keys.js';

describe('KeyLease and prepareKeys', () => {
  it('prepared keys go to the next leases, one each, and work as RS256 keys', async () => {
    prepareKeys(2);
    const lease = new KeyLease();
    const [a, b] = await Promise.all([lease.rsa(), lease.rsa()]);
    expect(a.privateKey).not.toBe(b.privateKey);
    for (const key of [a, b]) {
      expect(key.privateKey.extractable).toBe(true);
      expect(key.privateKey.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048 });
      const jwk = await exportJWK(key.privateKey);
      expect(jwk.kty).toBe('RSA');
      expect(Buffer.from(jwk.n!, 'base64url')).toHaveLength(256);
      expect(jwk.d).toBeTruthy();
      const jwt = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256' }).sign(key.privateKey);
      expect((await jwtVerify(jwt, key.publicKey)).payload.sub).toBe('alice');
      // The other lease's key does not verify it: two keys, not one handed out twice.
      const other = key === a ? b : a;
      await expect(jwtVerify(jwt, other.publicKey)).rejects.toThrow(/signature/);
    }
    lease.release();
  });

  it("a closed lease's keys serve the next lease before any prepared or new key", async () => {
    const first = new KeyLease();
    const held = [await first.rsa(), await first.rsa()];
    first.release(); // back to the spare list
    prepareKeys(2); // the two spares count: nothing more to generate
    const next = new KeyLease();
    const again = [await next.rsa(), await next.rsa()];
    expect(new Set(again.map((k) => k.privateKey))).toEqual(new Set(held.map((k) => k.privateKey)));
    next.release();
  });
});
