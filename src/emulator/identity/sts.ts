/**
 * The stack's stand-in for `sts:GetWebIdentityToken` (IAM outbound identity federation), which AgentCore Identity calls
 * for AWS_IAM_ID_TOKEN_JWT (as the client assertion, or as the actor token of a token exchange): a short-lived JWT of
 * the workload's execution role, audience = the provider's token endpoint, signed by an issuer of the stack's own
 * (`<origin>/_local/sts`, with a discovery document and a JWKS an IdP can be pointed at to trust it).
 * Real tokens come from an account-specific issuer (https://<id>.tokens.sts.global.api.aws); their claims beyond
 * iss, sub (the role ARN), aud, iat, exp and jti are UNVERIFIED and not imitated.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, SignJWT, type JWK } from 'jose';
import type { KeyLease, RsaKeyPair } from '../keys.js';

export const STS_ISSUER_PATH = '/_local/sts';

export class LocalSts {
  readonly issuer: string;
  /** The role whose identity the stack's workloads assert (one per stack; a Runtime's execution role in AWS). */
  readonly roleArn: string;
  private key?: Promise<RsaKeyPair>;
  private readonly kid = `sts-${randomUUID().slice(0, 8)}`;

  constructor(
    origin: string,
    accountId: string,
    private readonly lease: KeyLease,
    private readonly now: () => number,
  ) {
    this.issuer = `${origin}${STS_ISSUER_PATH}`;
    this.roleArn = `arn:aws:iam::${accountId}:role/AgentCoreLocalExecutionRole`;
  }

  private signingKey(): Promise<RsaKeyPair> {
    this.key ??= this.lease.rsa();
    return this.key;
  }

  /**
   * A web-identity JWT for `audience` (5 minutes, as the service asks for short-lived tokens — lifetime UNVERIFIED).
   */
  async webIdentityToken(audience: string): Promise<string> {
    const { privateKey } = await this.signingKey();
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(this.roleArn)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .setJti(randomUUID())
      .sign(privateKey);
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const { publicKey } = await this.signingKey();
    return { keys: [{ ...(await exportJWK(publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  discovery(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.issuer}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['public'],
      response_types_supported: ['id_token'],
    };
  }
}
