/**
 * How the stack authenticates as the OAuth client at a provider's token endpoint, per the provider's
 * clientAuthenticationMethod [DG:client-auth-methods][DG:private-key-jwt] (agentcore-gateway.md §5):
 * - CLIENT_SECRET_BASIC (default): HTTP Basic with the form-encoded client id and secret (RFC 6749 §2.3.1); a client
 *   without a secret (public) sends its client_id in the form instead.
 * - CLIENT_SECRET_POST: client_id and client_secret in the form body.
 * - PRIVATE_KEY_JWT: a client assertion (RFC 7523 §2.2) signed through the KMS stand-in with privateKeyJwtConfig's key
 *   and algorithm; additionalHeaderClaims/additionalPayloadClaims are added but never replace alg/typ or the claims the
 *   service sets (iss, sub, aud, jti, iat, exp). aud = the token endpoint and a 5-minute lifetime are UNVERIFIED.
 * - AWS_IAM_ID_TOKEN_JWT: the client assertion is a web-identity JWT of the workload's role (the STS stand-in), aud =
 *   the token endpoint; no secret; client_id only on the authorization-code exchange.
 */
import { randomUUID } from 'node:crypto';
import type { OAuth2Provider } from '../../state.js';
import type { LocalKms } from '../kms.js';
import type { LocalSts } from '../sts.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientAuthDeps {
  kms: LocalKms;
  sts: LocalSts;
  now(): number;
}

/** What a token call carries besides its grant parameters. */
export interface ClientCredentialsOnWire {
  form: URLSearchParams;
  headers: Record<string, string>;
}

const SERVICE_HEADER = new Set(['alg', 'typ']);
const SERVICE_CLAIMS = new Set(['iss', 'sub', 'aud', 'jti', 'iat', 'exp', 'nbf']);

function basic(id: string, secret: string): string {
  // RFC 6749 §2.3.1: each part application/x-www-form-urlencoded before the Base64 of "id:secret".
  const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

async function privateKeyAssertion(p: OAuth2Provider, tokenEndpoint: string, deps: ClientAuthDeps): Promise<string> {
  const a = p.clientAuth;
  if (a.method !== 'PRIVATE_KEY_JWT') throw new Error('not a PRIVATE_KEY_JWT provider');
  const header = Object.fromEntries(Object.entries(a.additionalHeaderClaims).filter(([k]) => !SERVICE_HEADER.has(k)));
  const extra = Object.fromEntries(Object.entries(a.additionalPayloadClaims).filter(([k]) => !SERVICE_CLAIMS.has(k)));
  const iat = Math.floor(deps.now() / 1000);
  const payload = {
    ...extra,
    iss: p.clientId,
    sub: p.clientId,
    aud: tokenEndpoint,
    jti: randomUUID(),
    iat,
    exp: iat + 300,
  };
  return deps.kms.signJwt(a.kmsKeyArn, a.signingAlgorithm, { typ: 'JWT', ...header }, payload);
}

/** Adds the provider's client authentication to a token request. */
export async function authenticateClient(
  p: OAuth2Provider,
  tokenEndpoint: string,
  wire: ClientCredentialsOnWire,
  deps: ClientAuthDeps,
  options: { authorizationCode?: boolean } = {},
): Promise<void> {
  const { form, headers } = wire;
  switch (p.clientAuth.method) {
    case 'CLIENT_SECRET_POST':
      form.set('client_id', p.clientId);
      if (p.clientSecret !== undefined) form.set('client_secret', p.clientSecret);
      return;
    case 'PRIVATE_KEY_JWT':
      form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
      form.set('client_assertion', await privateKeyAssertion(p, tokenEndpoint, deps));
      return;
    case 'AWS_IAM_ID_TOKEN_JWT':
      if (options.authorizationCode && p.clientId) form.set('client_id', p.clientId);
      form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
      form.set('client_assertion', await deps.sts.webIdentityToken(tokenEndpoint));
      return;
    default:
      if (p.clientSecret === undefined) form.set('client_id', p.clientId);
      else headers.authorization = basic(p.clientId, p.clientSecret);
  }
}
