/**
 * USER_SRP_AUTH on the local pool, as Cognito answers it: InitiateAuth with USERNAME + SRP_A (+ SECRET_HASH) →
 * PASSWORD_VERIFIER with SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP; RespondToAuthChallenge with the password claim
 * (PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE, TIMESTAMP) → the next challenge or the tokens. The math is
 * src/srp.ts's server half. An unknown user gets a challenge all the same and fails at the claim with "Incorrect
 * username or password." (user-existence errors prevented, Cognito's default for new clients).
 */
import { randomBytes } from 'node:crypto';
import { MESSAGES } from '../../wire.js';
import {
  fromHex,
  parseSrpTimestamp,
  randomBig,
  SRP_N,
  srpPoolName,
  srpServerKey,
  srpServerStart,
  srpSignature,
  srpVerifier,
} from '../../srp.js';
import type { Challenge } from './challenge-store.js';
import { checkSecretHash, findUser, invalidParameter, notAuthorized, safeEqual, type CognitoCtx } from './context.js';
import type { Pool, PoolClient, PoolUser } from './pools.js';
import { checkUsable, continueSignIn, requireFlow } from './sign-in.js';

const TIMESTAMP_FORMAT = 'TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.';

/** The user's salt and verifier, made once per password (as a pool stores them), not once per sign-in. */
function verifierOf(pool: Pool, user: PoolUser): { salt: bigint; verifier: bigint } {
  if (user.srp?.password !== user.password) {
    const salt = randomBig(16);
    const verifier = srpVerifier(srpPoolName(pool.id), user.username, user.password, salt);
    user.srp = { password: user.password, salt, verifier };
  }
  return user.srp;
}

export function startSrp(
  ctx: CognitoCtx,
  found: { pool: Pool; client: PoolClient },
  params: Record<string, string>,
  opts: { admin: boolean; clientMetadata?: Record<string, string> | undefined },
) {
  const { pool, client } = found;
  requireFlow(client, 'USER_SRP_AUTH');
  const username = params.USERNAME;
  if (!username) throw invalidParameter('Missing required parameter USERNAME');
  if (!params.SRP_A) throw invalidParameter('Missing required parameter SRP_A');
  let A: bigint;
  try {
    A = fromHex(params.SRP_A);
  } catch {
    throw invalidParameter('SRP_A must be a hexadecimal number');
  }
  // UNVERIFIED wording; the refusal itself is the protocol's (a client sending A ≡ 0 would make S predictable).
  if (A % SRP_N === 0n) throw invalidParameter('SRP_A mod N cannot be 0');
  checkSecretHash(client, params.SECRET_HASH, [username]);
  const user = findUser(pool, username);
  const { salt, verifier } = user ? verifierOf(pool, user) : { salt: randomBig(16), verifier: randomBig(128) };
  const server = srpServerStart(verifier);
  const secretBlock = randomBytes(384).toString('base64');
  const userId = user?.username ?? username;
  ctx.challenges.open({
    name: 'PASSWORD_VERIFIER',
    poolId: pool.id,
    clientId: client.clientId,
    username: userId,
    passwordChanged: false,
    admin: opts.admin,
    ...(opts.clientMetadata ? { clientMetadata: opts.clientMetadata } : {}),
    srp: { server, A, salt, ...(user ? { verifier } : {}), secretBlock },
  });
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: {
      SALT: salt.toString(16),
      SECRET_BLOCK: secretBlock,
      SRP_B: server.B.toString(16),
      USERNAME: userId,
      USER_ID_FOR_SRP: userId,
    },
  };
}

/** PASSWORD_VERIFIER: the claim's signature proves the password without sending it. */
export async function verifySrp(
  ctx: CognitoCtx,
  found: { pool: Pool; client: PoolClient },
  responses: Record<string, string>,
) {
  const { pool, client } = found;
  const block = responses.PASSWORD_CLAIM_SECRET_BLOCK;
  if (!block) throw invalidParameter('Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK');
  if (!responses.PASSWORD_CLAIM_SIGNATURE)
    throw invalidParameter('Missing required parameter PASSWORD_CLAIM_SIGNATURE');
  if (!responses.TIMESTAMP) throw invalidParameter('Missing required parameter TIMESTAMP');
  if (!parseSrpTimestamp(responses.TIMESTAMP)) throw invalidParameter(TIMESTAMP_FORMAT);
  const c: Challenge | undefined = ctx.challenges.get(block);
  if (!c?.srp || c.name !== 'PASSWORD_VERIFIER' || c.clientId !== client.clientId)
    throw notAuthorized('Invalid session for the user, session is expired.');
  ctx.challenges.close(block);
  const username = responses.USERNAME;
  if (!username) throw invalidParameter('Missing required parameter USERNAME');
  checkSecretHash(client, responses.SECRET_HASH, [username]);
  const user = pool.users.get(c.username);
  if (!user || !c.srp.verifier || username !== c.username) throw notAuthorized(MESSAGES.cognitoIncorrectPassword);
  const key = srpServerKey(c.srp.server, c.srp.A, c.srp.verifier);
  const expected = srpSignature(key, srpPoolName(pool.id), c.username, block, responses.TIMESTAMP);
  if (!safeEqual(expected, responses.PASSWORD_CLAIM_SIGNATURE)) throw notAuthorized(MESSAGES.cognitoIncorrectPassword);
  checkUsable(user);
  return continueSignIn(ctx, { pool, client, user, admin: c.admin, clientMetadata: c.clientMetadata });
}
