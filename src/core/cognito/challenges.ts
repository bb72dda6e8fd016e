/**
 * Answering Cognito's sign-in challenges (RespondToAuthChallenge, or AdminRespondToAuthChallenge for admin sign-ins):
 * NEW_PASSWORD_REQUIRED, the MFA codes (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA), SELECT_MFA_TYPE; the values come
 * from a `ChallengeAnswerer` (flags, environment or prompts, decided by the CLI).
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoSdk } from '../../sdk.js';
import { AgentcoreAuthError } from '../errors.js';
import { cognitoError, type AuthOutput } from './calls.js';

export interface NewPasswordAnswer {
  newPassword: string;
  /** Values for the pool's required attributes that the user has not set yet (name without `userAttributes.`). */
  attributes: Record<string, string>;
}

export type MfaKind = 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP';

export interface ChallengeAnswerer {
  newPassword(info: { username: string; requiredAttributes: string[] }): Promise<NewPasswordAnswer>;
  mfaCode(info: { kind: MfaKind; destination?: string }): Promise<string>;
}

/** Who is signing in, for the answers: the admin API or not, the client, and the endpoint shown in errors. */
export interface ChallengeContext {
  admin: boolean;
  clientId: string;
  userPoolId?: string;
  username: string;
  answer: ChallengeAnswerer;
  endpoint?: string;
}

function parseJsonArray(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export async function answerChallenge(
  client: CognitoIdentityProviderClient,
  input: ChallengeContext,
  challenge: AuthOutput,
  hash: (username: string) => Record<string, string>,
): Promise<AuthOutput> {
  const { RespondToAuthChallengeCommand, AdminRespondToAuthChallengeCommand } = cognitoSdk();
  const name = challenge.ChallengeName!;
  const params = challenge.ChallengeParameters ?? {};
  // For a user who signed in with an alias, Cognito names the real username in USER_ID_FOR_SRP; USERNAME and the
  // SECRET_HASH of the response must use it.
  const username = params.USER_ID_FOR_SRP || params.USERNAME || input.username;
  const responses: Record<string, string> = { USERNAME: username, ...hash(username) };

  switch (name) {
    case 'NEW_PASSWORD_REQUIRED': {
      const required = parseJsonArray(params.requiredAttributes).map((a) => a.replace(/^userAttributes\./, ''));
      const answer = await input.answer.newPassword({ username, requiredAttributes: required });
      responses.NEW_PASSWORD = answer.newPassword;
      for (const [k, v] of Object.entries(answer.attributes)) responses[`userAttributes.${k}`] = v;
      break;
    }
    case 'SMS_MFA':
      responses.SMS_MFA_CODE = await input.answer.mfaCode({
        kind: 'SMS_MFA',
        ...(params.CODE_DELIVERY_DESTINATION ? { destination: params.CODE_DELIVERY_DESTINATION } : {}),
      });
      break;
    case 'EMAIL_OTP':
      responses.EMAIL_OTP_CODE = await input.answer.mfaCode({
        kind: 'EMAIL_OTP',
        ...(params.CODE_DELIVERY_DESTINATION ? { destination: params.CODE_DELIVERY_DESTINATION } : {}),
      });
      break;
    case 'SOFTWARE_TOKEN_MFA':
      responses.SOFTWARE_TOKEN_MFA_CODE = await input.answer.mfaCode({ kind: 'SOFTWARE_TOKEN_MFA' });
      break;
    case 'SELECT_MFA_TYPE': {
      const options = parseJsonArray(params.MFAS_CAN_CHOOSE);
      responses.ANSWER = options.includes('SOFTWARE_TOKEN_MFA') ? 'SOFTWARE_TOKEN_MFA' : (options[0] ?? 'SMS_MFA');
      break;
    }
    case 'MFA_SETUP':
      throw new AgentcoreAuthError('ERR_AUTH', 'Cognito asks this user to set up MFA first (MFA_SETUP challenge)', {
        hint: 'Set up MFA for the user once (hosted UI, or AssociateSoftwareToken + VerifySoftwareToken), then log in again.',
        details: { errorName: name },
      });
    default:
      throw new AgentcoreAuthError(
        'ERR_AUTH',
        `Cognito answered with the ${name} challenge, which login cannot answer`,
        {
          hint: 'Use --auth-flow authorization-code (the hosted UI handles every challenge), or change the app client / user setup.',
          details: { errorName: name },
        },
      );
  }

  const operation = input.admin ? 'AdminRespondToAuthChallenge' : 'RespondToAuthChallenge';
  try {
    return input.admin
      ? await client.send(
          new AdminRespondToAuthChallengeCommand({
            UserPoolId: input.userPoolId!,
            ClientId: input.clientId,
            ChallengeName: name as never,
            Session: challenge.Session,
            ChallengeResponses: responses,
          }),
        )
      : await client.send(
          new RespondToAuthChallengeCommand({
            ClientId: input.clientId,
            ChallengeName: name as never,
            Session: challenge.Session,
            ChallengeResponses: responses,
          }),
        );
  } catch (e) {
    throw cognitoError(e, operation, input.endpoint);
  }
}
