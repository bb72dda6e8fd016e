/**
 * The user-JWT check of GetWorkloadAccessTokenForJWT: the stack's user pools (the seeded one and any made through
 * CreateUserPool) and the issuers of config.trustedIssuers (discovery URLs, resolved on first use; an unreachable one
 * is not trusted). Signature, issuer and expiry, with the service's wording where known (agentcore-errors.md).
 */
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { JwtRejection } from './context.js';

export interface UserPools {
  /** The seeded pool's issuer (named in the "not trusted" message). */
  issuer: string;
  ownsIssuer(iss: string | undefined): boolean;
  verify(token: string): Promise<JWTPayload>;
}

async function discover(urls: readonly string[]) {
  const external = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  for (const url of urls) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
      if (doc.issuer && doc.jwks_uri) external.set(doc.issuer, createRemoteJWKSet(new URL(doc.jwks_uri)));
    } catch {
      /* unreachable issuer: its tokens are refused */
    }
  }
  return external;
}

function rejection(e: unknown): JwtRejection {
  if (e instanceof JwtRejection) return e;
  if (e instanceof joseErrors.JWTExpired) return new JwtRejection('Token has expired');
  if (e instanceof joseErrors.JWSSignatureVerificationFailed || e instanceof joseErrors.JWKSNoMatchingKey)
    return new JwtRejection('Token signature is invalid');
  if (e instanceof joseErrors.JWTClaimValidationFailed) return new JwtRejection(`Claim '${e.claim}' is invalid`);
  return new JwtRejection('Failed to parse token');
}

export function createUserJwtVerifier(
  pools: UserPools,
  trustedIssuers: readonly string[],
  now: () => number,
): (token: string) => Promise<JWTPayload> {
  let external: Promise<Map<string, ReturnType<typeof createRemoteJWKSet>>> | undefined;
  return async (token) => {
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new JwtRejection('Failed to parse token');
    }
    try {
      if (pools.ownsIssuer(iss)) return await pools.verify(token);
      if (trustedIssuers.length && !external) external = discover(trustedIssuers);
      const known = external ? await external : new Map<string, ReturnType<typeof createRemoteJWKSet>>();
      const jwks = iss ? known.get(iss) : undefined;
      if (!jwks) {
        const trusted = [pools.issuer, ...known.keys()].join(', ');
        throw new JwtRejection(`Token issuer ${iss ?? '(none)'} is not trusted (trusted: ${trusted})`);
      }
      return (await jwtVerify(token, jwks, { issuer: iss!, currentDate: new Date(now()) })).payload;
    } catch (e) {
      throw rejection(e);
    }
  };
}
