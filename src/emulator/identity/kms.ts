/**
 * The stack's stand-in for AWS KMS as AgentCore Identity uses it for PRIVATE_KEY_JWT: `kms:Sign` of a client assertion
 * with the key named by privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn. A key is created the first time
 * an ARN is used (as if the user had created it in KMS): RSA 2048 for RS256/PS256, ECC NIST P-256 for ES256; a key
 * used with an algorithm of the other family is refused, as KMS refuses a signing algorithm its key spec lacks.
 * Public keys (what a user registers at the IdP, from kms:GetPublicKey) are served as a JWKS at KMS_JWKS_PATH.
 * Two keys are seeded, the ones the local OAuth provider's PRIVATE_KEY_JWT client has registered; both are made on
 * the first signature with either, so the provider's one read of its client's keys sees both.
 */
import { KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { KeyLease } from '../keys.js';

export const KMS_JWKS_PATH = '/_local/kms/jwks.json';
export type SigningAlgorithm = 'RS256' | 'PS256' | 'ES256';

interface HeldKey {
  spec: 'RSA_2048' | 'ECC_NIST_P256';
  privateKey: KeyObject;
  publicJwk: JWK;
}

export class KmsError extends Error {}

export class LocalKms {
  private readonly keys = new Map<string, Promise<HeldKey>>();

  constructor(
    private readonly lease: KeyLease,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** The seeded keys' ARNs: one RSA (RS256/PS256), one EC (ES256). */
  seeded(): { rsa: string; ec: string } {
    const base = `arn:aws:kms:${this.region}:${this.accountId}:key/`;
    return { rsa: `${base}agentcore-local-rsa`, ec: `${base}agentcore-local-ec` };
  }

  /** The JWKS URL (on the stack) of these keys' public halves: what an IdP registers for a private_key_jwt client. */
  jwksUrl(origin: string, arns: readonly string[]): string {
    return `${origin}${KMS_JWKS_PATH}?${arns.map((a) => `arn=${encodeURIComponent(a)}`).join('&')}`;
  }

  private key(arn: string, alg: SigningAlgorithm): Promise<HeldKey> {
    let held = this.keys.get(arn);
    if (!held) {
      held = alg === 'ES256' ? this.create(arn, 'ECC_NIST_P256') : this.create(arn, 'RSA_2048');
      this.keys.set(arn, held);
      held.catch(() => this.keys.delete(arn));
    }
    return held;
  }

  private async create(arn: string, spec: HeldKey['spec']): Promise<HeldKey> {
    const pair = spec === 'RSA_2048' ? await this.lease.rsa() : await generateKeyPair('ES256', { extractable: true });
    const privateKey = KeyObject.from(pair.privateKey as Parameters<typeof KeyObject.from>[0]);
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: arn, use: 'sig' };
    return { spec, privateKey, publicJwk };
  }

  /** kms:Sign of a JWT (the header's alg and the key's spec must agree). */
  async signJwt(
    arn: string,
    alg: SigningAlgorithm,
    header: Record<string, string>,
    payload: Record<string, unknown>,
  ): Promise<string> {
    // The seeded keys are made together, before the first assertion: the local provider reads both at once and
    // keeps what it read for a minute.
    const seeded = this.seeded();
    if (arn === seeded.rsa || arn === seeded.ec)
      await Promise.all([this.key(seeded.rsa, 'RS256'), this.key(seeded.ec, 'ES256')]);
    const k = await this.key(arn, alg);
    if ((alg === 'ES256') !== (k.spec === 'ECC_NIST_P256'))
      throw new KmsError(`KMS key ${arn} (${k.spec}) cannot sign with ${alg}`);
    return new SignJWT(payload).setProtectedHeader({ ...header, alg }).sign(k.privateKey);
  }

  /**
   * The public keys of those of these keys that exist (a key never used has signed nothing). Served to the local
   * provider, which fetches them with a short timeout: nothing is generated here.
   */
  async publicKeys(arns: string[]): Promise<{ keys: JWK[] }> {
    const held = await Promise.allSettled(arns.flatMap((arn) => this.keys.get(arn) ?? []));
    return { keys: held.flatMap((r) => (r.status === 'fulfilled' ? [r.value.publicJwk] : [])) };
  }

  /** The public keys of every key used so far (kid = the key ARN), creating the seeded ones. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const seeded = this.seeded();
    await Promise.all([this.key(seeded.rsa, 'RS256'), this.key(seeded.ec, 'ES256')]);
    const all = await Promise.allSettled([...this.keys.values()]);
    return { keys: all.flatMap((r) => (r.status === 'fulfilled' ? [r.value.publicJwk] : [])) };
  }
}
