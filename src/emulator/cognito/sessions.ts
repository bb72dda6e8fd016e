/**
 * Ending sessions: GlobalSignOut (the user's own access token) and AdminUserGlobalSignOut revoke every token the user
 * holds; RevokeToken (and /oauth2/revoke, hosted-ui.ts) revokes one refresh token and the tokens of its sign-in.
 * A revoked refresh token is refused afterwards with "Refresh Token has been revoked".
 */
import { cognitoError, clientOf, cop, poolOf, safeEqual, userOf, type CognitoCtx } from './context.js';
import type { PoolClient } from './pools.js';
import { SHAPES } from './shapes.js';

export const globalSignOut = cop({
  name: 'GlobalSignOut',
  input: SHAPES.GlobalSignOut,
  handle: async ({ ctx, body }) => {
    const { user } = await ctx.tokens.accessTokenUser(String(body.AccessToken));
    ctx.tokens.signOut(user);
    return {};
  },
});

export const adminUserGlobalSignOut = cop({
  name: 'AdminUserGlobalSignOut',
  signed: true,
  input: SHAPES.AdminUserGlobalSignOut,
  handle: ({ ctx, body }) => {
    ctx.tokens.signOut(userOf(poolOf(ctx, body.UserPoolId), body.Username));
    return {};
  },
});

export type RevokeOutcome = 'revoked' | 'not-refresh-token' | 'bad-secret' | 'revocation-off';

/** Revokes a refresh token for a client (RFC 7009: an unknown token is not an error). */
export function revokeRefreshToken(
  ctx: CognitoCtx,
  client: PoolClient,
  token: string,
  secret: string | undefined,
): RevokeOutcome {
  if (client.clientSecret && (!secret || !safeEqual(secret, client.clientSecret))) return 'bad-secret';
  if (!client.tokenRevocation) return 'revocation-off';
  // An access or ID token (a signed JWT: three segments) cannot be revoked by itself.
  if (token.split('.').length === 3) return 'not-refresh-token';
  ctx.tokens.revoke(token, client.clientId);
  return 'revoked';
}

export const revokeToken = cop({
  name: 'RevokeToken',
  input: SHAPES.RevokeToken,
  handle: ({ ctx, body }) => {
    const { client } = clientOf(ctx, String(body.ClientId));
    const outcome = revokeRefreshToken(ctx, client, String(body.Token), body.ClientSecret as string | undefined);
    // UNVERIFIED wordings (the types are the model's RevokeToken errors).
    if (outcome === 'bad-secret') throw cognitoError('UnauthorizedException', 'Invalid client secret');
    if (outcome === 'revocation-off')
      throw cognitoError('UnsupportedOperationException', 'Token revocation is not enabled for this client');
    if (outcome === 'not-refresh-token') throw cognitoError('UnsupportedTokenTypeException', 'Unsupported token type');
    return {};
  },
});
