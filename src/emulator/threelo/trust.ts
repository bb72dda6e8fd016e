/**
 * Whom the local OAuth provider believes, for its on-behalf-of grants: subject tokens and JWT-bearer assertions from
 * the issuers it trusts (the stack's user pools, found through a callback: iss → JWKS URL); actor tokens that are
 * either its own access tokens (M2M, client credentials) or web-identity JWTs of the STS stand-in. Each refusal is a
 * sentence the grant sends back as error_description.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';

export class TrustRefusal extends Error {}

export interface TrustOptions {
  /** The JWKS URL of a trusted subject issuer, or undefined when the issuer is not trusted. */
  subjectJwksUri(iss: string): string | undefined;
  /** The STS stand-in whose web-identity JWTs are accepted as actor tokens and federated client assertions. */
  sts?: { issuer: string; jwksUri: string };
  now(): number;
}

function explain(what: string, e: unknown): TrustRefusal {
  if (e instanceof TrustRefusal) return e;
  if (e instanceof joseErrors.JWTExpired) return new TrustRefusal(`${what} has expired`);
  if (e instanceof joseErrors.JWSSignatureVerificationFailed || e instanceof joseErrors.JWKSNoMatchingKey)
    return new TrustRefusal(`${what} signature is invalid`);
  if (e instanceof joseErrors.JWTClaimValidationFailed)
    return new TrustRefusal(`${what} claim '${e.claim}' is invalid`);
  return new TrustRefusal(`${what} could not be verified: ${(e as Error).message}`);
}

export class ProviderTrust {
  private readonly remote = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    private readonly options: TrustOptions,
    private readonly issuer: string,
    private readonly ownKeys: JWK[],
  ) {}

  private jwks(url: string) {
    let set = this.remote.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url));
      this.remote.set(url, set);
    }
    return set;
  }

  private issuerOf(token: string, what: string): string {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new TrustRefusal(`${what} is not a JWT`);
    }
    if (typeof iss !== 'string') throw new TrustRefusal(`${what} has no issuer`);
    return iss;
  }

  /** A subject token (token exchange) or assertion (JWT bearer): signature, trusted issuer, expiry. */
  async subject(token: string, what = 'subject_token'): Promise<JWTPayload> {
    const iss = this.issuerOf(token, what);
    const jwksUri = this.options.subjectJwksUri(iss);
    if (!jwksUri) throw new TrustRefusal(`${what} issuer ${iss} is not trusted by this provider`);
    try {
      const { payload } = await jwtVerify(token, this.jwks(jwksUri), {
        issuer: iss,
        currentDate: new Date(this.options.now()),
      });
      if (typeof payload.sub !== 'string') throw new TrustRefusal(`${what} has no sub`);
      return payload;
    } catch (e) {
      throw explain(what, e);
    }
  }

  /** One of this provider's own access tokens (the M2M actor): its claims. */
  async ownAccessToken(token: string, what = 'actor_token'): Promise<JWTPayload> {
    try {
      const keys = createLocalJWKSet({ keys: this.ownKeys });
      return (await jwtVerify(token, keys, { issuer: this.issuer, currentDate: new Date(this.options.now()) })).payload;
    } catch (e) {
      throw explain(`${what} (an access token of this provider)`, e);
    }
  }

  /** A web-identity JWT of the STS stand-in addressed to `audiences` (the token endpoint or this issuer). */
  async webIdentity(token: string, audiences: string[], what: string): Promise<JWTPayload> {
    const sts = this.options.sts;
    const iss = this.issuerOf(token, what);
    if (!sts || iss !== sts.issuer) throw new TrustRefusal(`${what} issuer ${iss} is not trusted by this provider`);
    try {
      return (
        await jwtVerify(token, this.jwks(sts.jwksUri), {
          issuer: sts.issuer,
          audience: audiences,
          currentDate: new Date(this.options.now()),
        })
      ).payload;
    } catch (e) {
      throw explain(what, e);
    }
  }
}
