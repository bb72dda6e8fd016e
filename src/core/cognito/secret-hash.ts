/**
 * Cognito SECRET_HASH: Base64( HMAC-SHA256( key = client secret, message = username + client id ) ). Needed on every
 * InitiateAuth / RespondToAuthChallenge call when the app client has a secret, with the same username string as the
 * request's USERNAME (on refresh: the user's internal username, the access token's `username` claim).
 */
import { createHmac } from 'node:crypto';

export function secretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId, 'utf8')
    .digest('base64');
}

/** The region a user pool lives in, from its id (`us-east-1_AbCdEf123` → `us-east-1`). */
export function regionFromPoolId(poolId: string | undefined): string | undefined {
  const m = poolId?.match(/^([a-z]{2}(?:-[a-z]+)+-\d+)_[A-Za-z0-9]+$/);
  return m?.[1];
}

/** Cognito's issuer for a pool (the real service; a local stack has its own). */
export function cognitoIssuer(region: string, poolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${poolId}`;
}
