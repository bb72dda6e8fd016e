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

/** The answer to one challenge (the values it asks for), beside USERNAME and SECRET_HASH. */
async function answerFor(
  name: string,
  params: Record<string, string>,
  username: string,
  answer: ChallengeAnswerer,
): Promise<Record<string, string>> {
  const destination = params.CODE_DELIVERY_DESTINATION ? { destination: params.CODE_DELIVERY_DESTINATION } : {};
  switch (name) {
    case 'NEW_PASSWORD_REQUIRED': {
      const required = parseJsonArray(params.requiredAttributes).map((a) => a.replace(/^userAttributes\./, ''));
      const given = await answer.newPassword({ username, requiredAttributes: required });
      const out: Record<string, string> = { NEW_PASSWORD: given.newPassword };
      for (const [k, v] of Object.entries(given.attributes)) out[`userAttributes.${k}`] = v;
      return out;
    }
    case 'SMS_MFA':
      return { SMS_MFA_CODE: await answer.mfaCode({ kind: 'SMS_MFA', ...destination }) };
    case 'EMAIL_OTP':
      return { EMAIL_OTP_CODE: await answer.mfaCode({ kind: 'EMAIL_OTP', ...destination }) };
    case 'SOFTWARE_TOKEN_MFA':
      return { SOFTWARE_TOKEN_MFA_CODE: await answer.mfaCode({ kind: 'SOFTWARE_TOKEN_MFA' }) };
    case 'SELECT_MFA_TYPE': {
      const options = parseJsonArray(params.MFAS_CAN_CHOOSE);
      return { ANSWER: options.includes('SOFTWARE_TOKEN_MFA') ? 'SOFTWARE_TOKEN_MFA' : (options[0] ?? 'SMS_MFA') };
    }
    case 'MFA_SETUP':
      throw new AgentcoreAuthError('ERR_AUTH', 'Cognito asks this user to set up MFA first (MFA_SETUP challenge)', {
        hint:
          'Set up MFA for the user once (hosted UI, or AssociateSoftwareToken + VerifySoftwareToken), ' +
          'then log in again.',
        details: { errorName: name },
      });
    default:
      throw new AgentcoreAuthError(
        'ERR_AUTH',
        `Cognito answered with the ${name} challenge, which login cannot answer`,
        {
          hint:
            'Use --auth-flow authorization-code (the hosted UI handles every challenge), ' +
            'or change the app client / user setup.',
          details: { errorName: name },
        },
      );
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
  const responses: Record<string, string> = {
    USERNAME: username,
    ...hash(username),
    ...(await answerFor(name, params, username, input.answer)),
  };
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
