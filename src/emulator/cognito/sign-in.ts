/**
 * What happens once a user's password is proven (USER_PASSWORD_AUTH, PASSWORD_VERIFIER, a new password): the next
 * challenge Cognito would ask — NEW_PASSWORD_REQUIRED for a temporary password, SOFTWARE_TOKEN_MFA when the pool's MFA
 * is on or optional and the user has a verified authenticator, MFA_SETUP when MFA is required and the user has none —
 * or the tokens.
 */
import { MESSAGES } from '../../wire.js';
import type { ChallengeName } from './challenge-store.js';
import { cognitoError, notAuthorized, type CognitoCtx } from './context.js';
import type { Pool, PoolClient, PoolUser } from './pools.js';

export interface SignIn {
  pool: Pool;
  client: PoolClient;
  user: PoolUser;
  admin: boolean;
  clientMetadata?: Record<string, string> | undefined;
  /** Steps already passed in this sign-in. */
  passwordChanged?: boolean;
  mfaPassed?: boolean;
}

/** After the password: disabled and unconfirmed users stop here, with Cognito's messages. */
export function checkUsable(user: PoolUser): void {
  if (!user.enabled) throw notAuthorized(MESSAGES.cognitoUserDisabled);
  if (user.status === 'UNCONFIRMED') throw cognitoError('UserNotConfirmedException', 'User is not confirmed.');
  if (user.status === 'RESET_REQUIRED')
    throw cognitoError('PasswordResetRequiredException', 'Password reset required for the user');
}

export async function continueSignIn(ctx: CognitoCtx, s: SignIn): Promise<Record<string, unknown>> {
  const { pool, client, user } = s;
  if (user.status === 'FORCE_CHANGE_PASSWORD' && !s.passwordChanged) {
    return challenge(ctx, s, 'NEW_PASSWORD_REQUIRED', {
      USER_ID_FOR_SRP: user.username,
      requiredAttributes: '[]',
      userAttributes: JSON.stringify(user.attributes),
    });
  }
  const mfa = pool.mfa.configuration !== 'OFF' && pool.mfa.softwareToken;
  // MFA required: any verified authenticator is asked for; optional: only one the user turned on.
  const hasTotp = pool.mfa.configuration === 'ON' ? user.totp.verified : user.totp.enabled;
  if (mfa && !s.mfaPassed && hasTotp)
    return challenge(ctx, s, 'SOFTWARE_TOKEN_MFA', { USER_ID_FOR_SRP: user.username });
  if (mfa && !s.mfaPassed && pool.mfa.configuration === 'ON')
    return challenge(ctx, s, 'MFA_SETUP', { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]', USER_ID_FOR_SRP: user.username });
  return {
    ChallengeParameters: {},
    AuthenticationResult: await ctx.tokens.forUser(pool, client, user, {
      source: s.passwordChanged ? 'TokenGeneration_NewPasswordChallenge' : 'TokenGeneration_Authentication',
      withRefresh: true,
      ...(s.clientMetadata ? { clientMetadata: s.clientMetadata } : {}),
    }),
  };
}

function challenge(ctx: CognitoCtx, s: SignIn, name: ChallengeName, parameters: Record<string, string>) {
  const session = ctx.challenges.open({
    name,
    poolId: s.pool.id,
    clientId: s.client.clientId,
    username: s.user.username,
    passwordChanged: !!s.passwordChanged,
    admin: s.admin,
    ...(s.clientMetadata ? { clientMetadata: s.clientMetadata } : {}),
    ...(name === 'MFA_SETUP' ? { setup: { verified: false } } : {}),
  });
  return { ChallengeName: name, Session: session, ChallengeParameters: parameters };
}

/** The client must allow the flow; USER_PASSWORD_AUTH's refusal is Cognito's well-known sentence. */
export function requireFlow(client: PoolClient, flow: PoolClient['explicitAuthFlows'][number]): void {
  if (client.explicitAuthFlows.includes(flow)) return;
  if (flow === 'USER_PASSWORD_AUTH')
    throw cognitoError('InvalidParameterException', MESSAGES.cognitoUserPasswordNotEnabled);
  throw cognitoError('InvalidParameterException', 'Auth flow not enabled for this client');
}
