/**
 * RespondToAuthChallenge (public) and AdminRespondToAuthChallenge (SigV4): PASSWORD_VERIFIER (srp.ts),
 * NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA (an RFC 6238 code from the user's authenticator) and MFA_SETUP (after
 * AssociateSoftwareToken + VerifySoftwareToken with the challenge's Session).
 */
import { MESSAGES } from '../../wire.js';
import type { ChallengeName } from './challenge-store.js';
import {
  checkSecretHash,
  clientOf,
  cognitoError,
  cop,
  invalidParameter,
  notAuthorized,
  poolOf,
  type CognitoCtx,
} from './context.js';
import { totpMatches } from './mfa.js';
import { passwordPolicyViolation, type Pool, type PoolClient, type PoolUser } from './pools.js';
import { SHAPES } from './shapes.js';
import { continueSignIn } from './sign-in.js';
import { verifySrp } from './srp.js';

interface RespondBody {
  ClientId: string;
  UserPoolId?: string;
  ChallengeName: string;
  Session?: string;
  ChallengeResponses?: Record<string, string>;
}

const EXPIRED = 'Invalid session for the user, session is expired.';

/** The session's challenge, checked against the request (same client, same challenge, same user). */
function sessionOf(ctx: CognitoCtx, b: RespondBody, found: { pool: Pool; client: PoolClient }, admin: boolean) {
  const c = ctx.challenges.get(b.Session);
  if (!c || c.clientId !== found.client.clientId || c.poolId !== found.pool.id) throw notAuthorized(EXPIRED);
  if (c.name !== (b.ChallengeName as ChallengeName) || c.admin !== admin)
    throw notAuthorized('Invalid session for the user.');
  const responses = b.ChallengeResponses ?? {};
  const username = responses.USERNAME;
  if (!username) throw invalidParameter('Missing required parameter USERNAME');
  if (username !== c.username) throw notAuthorized('Invalid session for the user.');
  checkSecretHash(found.client, responses.SECRET_HASH, [username]);
  const user = found.pool.users.get(c.username);
  if (!user) throw notAuthorized(EXPIRED);
  return { c, responses, user };
}

async function respond(ctx: CognitoCtx, b: RespondBody, found: { pool: Pool; client: PoolClient }, admin: boolean) {
  if (b.ChallengeName === 'PASSWORD_VERIFIER') return verifySrp(ctx, found, b.ChallengeResponses ?? {});
  if (!['NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA', 'MFA_SETUP'].includes(b.ChallengeName))
    throw invalidParameter(
      `Unsupported challenge ${b.ChallengeName} (the local stack answers PASSWORD_VERIFIER, ` +
        'NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA and MFA_SETUP)',
    );
  const { c, responses, user } = sessionOf(ctx, b, found, admin);
  const next = { pool: found.pool, client: found.client, user, admin, clientMetadata: c.clientMetadata };
  if (c.name === 'NEW_PASSWORD_REQUIRED') {
    newPassword(found.pool, user, responses);
    ctx.challenges.close(b.Session!);
    return continueSignIn(ctx, { ...next, passwordChanged: true });
  }
  if (c.name === 'SOFTWARE_TOKEN_MFA') {
    const code = responses.SOFTWARE_TOKEN_MFA_CODE;
    if (!code) throw invalidParameter('Missing required parameter SOFTWARE_TOKEN_MFA_CODE');
    if (!user.totp.secret || !totpMatches(user.totp.secret, code, ctx.emu.now()))
      throw cognitoError('CodeMismatchException', MESSAGES.cognitoMfaCodeMismatch);
  } else if (!c.setup?.verified) {
    // MFA_SETUP answered before VerifySoftwareToken succeeded for this session (UNVERIFIED wording).
    throw invalidParameter('Software token MFA is not set up for this session: call VerifySoftwareToken first');
  }
  ctx.challenges.close(b.Session!);
  return continueSignIn(ctx, { ...next, passwordChanged: c.passwordChanged, mfaPassed: true });
}

function newPassword(pool: Pool, user: PoolUser, responses: Record<string, string>) {
  const np = responses.NEW_PASSWORD;
  if (!np) throw invalidParameter('Missing required parameter NEW_PASSWORD');
  const violation = passwordPolicyViolation(np, pool.policy);
  if (violation) throw cognitoError('InvalidPasswordException', `Password does not conform to policy: ${violation}`);
  user.password = np;
  user.status = 'CONFIRMED';
  for (const [k, v] of Object.entries(responses))
    if (k.startsWith('userAttributes.') && typeof v === 'string') user.attributes[k.slice(15)] = v;
}

export const respondToAuthChallenge = cop({
  name: 'RespondToAuthChallenge',
  input: SHAPES.RespondToAuthChallenge,
  handle: ({ ctx, body }) => {
    const b = body as unknown as RespondBody;
    return respond(ctx, b, clientOf(ctx, b.ClientId), false);
  },
});

export const adminRespondToAuthChallenge = cop({
  name: 'AdminRespondToAuthChallenge',
  signed: true,
  input: SHAPES.AdminRespondToAuthChallenge,
  handle: ({ ctx, body }) => {
    const b = body as unknown as RespondBody;
    const pool = poolOf(ctx, b.UserPoolId);
    return respond(ctx, b, clientOf(ctx, b.ClientId, pool.id), true);
  },
});
