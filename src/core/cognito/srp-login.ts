/**
 * USER_SRP_AUTH, the client half: InitiateAuth with USERNAME and SRP_A (+ SECRET_HASH), then RespondToAuthChallenge
 * PASSWORD_VERIFIER with the password claim (PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE, TIMESTAMP), as
 * AWS's own clients sign in. Device-less: no DEVICE_KEY is sent, so Cognito never asks for device confirmation.
 * The math is src/srp.ts (Cognito's SRP-6a variant); the password never leaves this process.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoSdk } from '../../sdk.js';
import { srpClientKey, srpClientStart, srpPoolName, srpSignature, srpTimestamp } from '../../srp.js';
import { AgentcoreAuthError } from '../errors.js';
import { cognitoError, type AuthOutput } from './calls.js';

export interface SrpSignInInput {
  clientId: string;
  /** The pool's id: its part after "_" enters the password proof (Cognito's challenge does not name the pool). */
  userPoolId: string;
  username: string;
  password: string;
  /** SECRET_HASH for a username (empty when the client has no secret). */
  hash: (username: string) => Record<string, string>;
  /** The clock the TIMESTAMP is taken from. */
  now: () => number;
  endpoint?: string;
}

/** Both legs of USER_SRP_AUTH; returns Cognito's answer to the password claim (tokens or the next challenge). */
export async function srpSignIn(client: CognitoIdentityProviderClient, input: SrpSignInInput): Promise<AuthOutput> {
  const { InitiateAuthCommand, RespondToAuthChallengeCommand } = cognitoSdk();
  const srp = srpClientStart();
  let first: AuthOutput;
  try {
    first = await client.send(
      new InitiateAuthCommand({
        ClientId: input.clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: input.username, SRP_A: srp.srpA, ...input.hash(input.username) },
      }),
    );
  } catch (e) {
    throw cognitoError(e, 'InitiateAuth', input.endpoint);
  }
  if (first.ChallengeName !== 'PASSWORD_VERIFIER') {
    throw new AgentcoreAuthError(
      'ERR_REMOTE',
      `InitiateAuth USER_SRP_AUTH answered ${first.ChallengeName ?? 'without a challenge'}, not PASSWORD_VERIFIER`,
      { details: { operation: 'InitiateAuth' } },
    );
  }
  const p = first.ChallengeParameters ?? {};
  const { SRP_B: srpB, SALT: salt, SECRET_BLOCK: secretBlock } = p;
  const userId = p.USER_ID_FOR_SRP || input.username;
  if (!srpB || !salt || !secretBlock) {
    throw new AgentcoreAuthError('ERR_REMOTE', 'PASSWORD_VERIFIER came without SRP_B, SALT or SECRET_BLOCK', {
      details: { operation: 'InitiateAuth' },
    });
  }
  const poolName = srpPoolName(input.userPoolId);
  let key: Buffer;
  try {
    key = srpClientKey(srp, { poolName, userId, password: input.password, srpB, salt });
  } catch (e) {
    throw new AgentcoreAuthError('ERR_REMOTE', `Cognito's SRP values are unusable: ${(e as Error).message}`);
  }
  const timestamp = srpTimestamp(new Date(input.now()));
  try {
    return await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: input.clientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ...(first.Session ? { Session: first.Session } : {}),
        ChallengeResponses: {
          USERNAME: userId,
          PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
          PASSWORD_CLAIM_SIGNATURE: srpSignature(key, poolName, userId, secretBlock, timestamp),
          TIMESTAMP: timestamp,
          ...input.hash(userId),
        },
      }),
    );
  } catch (e) {
    throw cognitoError(e, 'RespondToAuthChallenge', input.endpoint);
  }
}
