/**
 * InitiateAuth (public) and AdminInitiateAuth (SigV4): USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH
 * (srp.ts) and REFRESH_TOKEN_AUTH, with Cognito's refusals (agentcore-errors.md §7).
 */
import { MESSAGES } from '../../wire.js';
import {
  checkSecretHash,
  clientOf,
  cop,
  findUser,
  invalidParameter,
  notAuthorized,
  poolOf,
  safeEqual,
  type CognitoCtx,
} from './context.js';
import type { Pool, PoolClient } from './pools.js';
import { SHAPES } from './shapes.js';
import { checkUsable, continueSignIn, requireFlow } from './sign-in.js';
import { startSrp } from './srp.js';

type Found = { pool: Pool; client: PoolClient };
type Metadata = Record<string, string> | undefined;

async function passwordAuth(
  ctx: CognitoCtx,
  { pool, client }: Found,
  params: Record<string, string>,
  opts: { admin: boolean; clientMetadata: Metadata },
) {
  requireFlow(client, opts.admin ? 'ADMIN_USER_PASSWORD_AUTH' : 'USER_PASSWORD_AUTH');
  const username = params.USERNAME;
  if (!username) throw invalidParameter('Missing required parameter USERNAME');
  // AWS's text for a missing PASSWORD is UNVERIFIED; this one follows the USERNAME message.
  if (!params.PASSWORD) throw invalidParameter('Missing required parameter PASSWORD');
  const user = findUser(pool, username);
  checkSecretHash(client, params.SECRET_HASH, [username]);
  // New pools prevent user-existence errors by default: an unknown user looks like a wrong password.
  if (!user || !safeEqual(user.password, params.PASSWORD)) throw notAuthorized(MESSAGES.cognitoIncorrectPassword);
  checkUsable(user);
  return continueSignIn(ctx, { pool, client, user, admin: opts.admin, clientMetadata: opts.clientMetadata });
}

async function refreshAuth(ctx: CognitoCtx, { pool, client }: Found, params: Record<string, string>, md: Metadata) {
  requireFlow(client, 'REFRESH_TOKEN_AUTH');
  const token = params.REFRESH_TOKEN;
  if (!token) throw invalidParameter('Missing required parameter REFRESH_TOKEN');
  const { record, user } = ctx.tokens.refreshRecord(token, client.clientId);
  // With a client secret, SECRET_HASH is computed over the user's name or sub.
  checkSecretHash(client, params.SECRET_HASH, [user.username, user.sub, ...(params.USERNAME ? [params.USERNAME] : [])]);
  const { RefreshToken: _drop, ...tokens } = await ctx.tokens.forUser(pool, client, user, {
    source: 'TokenGeneration_RefreshTokens',
    withRefresh: false,
    scope: record.scope,
    originJti: record.originJti,
    ...(md ? { clientMetadata: md } : {}),
  });
  return { ChallengeParameters: {}, AuthenticationResult: tokens };
}

interface InitiateAuthBody {
  AuthFlow: string;
  ClientId: string;
  UserPoolId?: string;
  AuthParameters?: Record<string, string>;
  ClientMetadata?: Record<string, string>;
}

export const initiateAuth = cop({
  name: 'InitiateAuth',
  input: SHAPES.InitiateAuth,
  handle: ({ ctx, body }) => {
    const b = body as unknown as InitiateAuthBody;
    const found = clientOf(ctx, b.ClientId);
    const params = b.AuthParameters ?? {};
    const opts = { admin: false, clientMetadata: b.ClientMetadata };
    switch (b.AuthFlow) {
      case 'USER_PASSWORD_AUTH':
        return passwordAuth(ctx, found, params, opts);
      case 'USER_SRP_AUTH':
        return startSrp(ctx, found, params, opts);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        return refreshAuth(ctx, found, params, b.ClientMetadata);
      case 'ADMIN_USER_PASSWORD_AUTH':
      case 'ADMIN_NO_SRP_AUTH':
        throw invalidParameter('Initiate Auth method not supported.');
      default:
        throw invalidParameter(
          `${b.AuthFlow} is not supported by the local stack ` +
            '(use USER_PASSWORD_AUTH, USER_SRP_AUTH or REFRESH_TOKEN_AUTH)',
        );
    }
  },
});

export const adminInitiateAuth = cop({
  name: 'AdminInitiateAuth',
  signed: true,
  input: SHAPES.AdminInitiateAuth,
  handle: ({ ctx, body }) => {
    const b = body as unknown as InitiateAuthBody;
    const pool = poolOf(ctx, b.UserPoolId);
    const found = clientOf(ctx, b.ClientId, pool.id);
    const params = b.AuthParameters ?? {};
    const opts = { admin: true, clientMetadata: b.ClientMetadata };
    switch (b.AuthFlow) {
      case 'ADMIN_USER_PASSWORD_AUTH':
      case 'ADMIN_NO_SRP_AUTH':
        return passwordAuth(ctx, found, params, opts);
      case 'USER_SRP_AUTH':
        return startSrp(ctx, found, params, opts);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        return refreshAuth(ctx, found, params, b.ClientMetadata);
      default:
        throw invalidParameter(
          `${b.AuthFlow} is not supported by the local stack ` +
            '(use ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH or REFRESH_TOKEN_AUTH)',
        );
    }
  },
});
