/**
 * Cognito user-token flows through the real SDK client (the caller passes the client from `io.aws.cognito(region)`,
 * so endpoint overrides, tracing and Ctrl-C apply):
 *
 *   USER_PASSWORD_AUTH        InitiateAuth (unsigned)            → tokens | challenge → RespondToAuthChallenge
 *   ADMIN_USER_PASSWORD_AUTH  AdminInitiateAuth (SigV4)          → tokens | challenge → AdminRespondToAuthChallenge
 *   REFRESH_TOKEN_AUTH        InitiateAuth with the refresh token → new access + ID tokens (same refresh token)
 *
 * SECRET_HASH is added whenever a client secret is known. Challenges are answered through a `ChallengeAnswerer`
 * (flags or prompts, decided by the CLI).
 */
import { classify } from '../classify.js';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { fromAwsError } from '../aws.js';
import { cognitoSdk } from '../../sdk.js';
import { AgentcoreAuthError } from '../errors.js';
import { secretHash } from './secret-hash.js';

export interface CognitoTokens {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  /** Seconds, as Cognito said (undefined on some emulators: use the JWT exp). */
  expiresIn?: number;
  tokenType?: string;
}

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

export interface PasswordLoginInput {
  admin: boolean;
  clientId: string;
  clientSecret?: string;
  userPoolId?: string;
  username: string;
  password: string;
  answer: ChallengeAnswerer;
  /** Endpoint shown in network errors. */
  endpoint?: string;
  /** Called once per challenge answered (for the narrative). */
  onChallenge?: (name: string) => void;
}

export interface PasswordLoginResult {
  tokens: CognitoTokens;
  challenges: string[];
}

const MAX_CHALLENGES = 5;

interface AuthOutput {
  AuthenticationResult?: {
    AccessToken?: string;
    IdToken?: string;
    RefreshToken?: string;
    ExpiresIn?: number;
    TokenType?: string;
  };
  ChallengeName?: string;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
}

function tokensFrom(out: AuthOutput, operation: string): CognitoTokens {
  const r = out.AuthenticationResult;
  if (!r?.AccessToken) {
    throw new AgentcoreAuthError('ERR_REMOTE', `${operation} returned neither tokens nor a challenge`, {
      details: { operation },
    });
  }
  return {
    accessToken: r.AccessToken,
    ...(r.IdToken ? { idToken: r.IdToken } : {}),
    ...(r.RefreshToken ? { refreshToken: r.RefreshToken } : {}),
    ...(typeof r.ExpiresIn === 'number' ? { expiresIn: r.ExpiresIn } : {}),
    ...(r.TokenType ? { tokenType: r.TokenType } : {}),
  };
}

/** Map an SDK error of a Cognito auth call (with the cognito-specific tweaks noted inline). */
export function cognitoError(e: unknown, operation: string, endpoint?: string): AgentcoreAuthError {
  const err = fromAwsError(e, operation, endpoint);
  const name = err.details.errorName;
  // A wrong password on sign-in is an authentication failure. Real Cognito says NotAuthorizedException; some
  // emulators (cognito-local) say InvalidPasswordException on InitiateAuth, which the service itself only uses for
  // password-policy failures of a *new* password (RespondToAuthChallenge), so only remap it on the initiate calls.
  if (name === 'InvalidPasswordException' && /InitiateAuth$/.test(operation)) {
    return new AgentcoreAuthError('ERR_AUTH', err.message, {
      hint: 'Check the username and password (and that the user pool and client are the right ones).',
      details: err.details,
      cause: e,
    });
  }
  if (name === 'InvalidPasswordException') {
    err.hint ??= 'The new password does not meet the user pool password policy (length, digits, symbols, cases).';
  }
  if (name === 'ResourceNotFoundException') {
    err.hint =
      'Check --client-id (and --user-pool-id) and --region: Cognito does not know this app client or pool there.';
  }
  if (name === 'UserNotConfirmedException')
    err.hint ??= 'Confirm the user first (aws cognito-idp admin-confirm-sign-up …).';
  if (name === 'PasswordResetRequiredException')
    err.hint ??= 'The user must reset the password (forgot-password flow) before signing in.';
  return err;
}

/** Sign in with a username and password (InitiateAuth or AdminInitiateAuth), answering challenges. */
export async function passwordLogin(
  client: CognitoIdentityProviderClient,
  input: PasswordLoginInput,
): Promise<PasswordLoginResult> {
  const { InitiateAuthCommand, AdminInitiateAuthCommand } = cognitoSdk();
  const hash = (username: string): Record<string, string> =>
    input.clientSecret ? { SECRET_HASH: secretHash(username, input.clientId, input.clientSecret) } : {};
  const authParameters: Record<string, string> = {
    USERNAME: input.username,
    PASSWORD: input.password,
    ...hash(input.username),
  };
  const operation = input.admin ? 'AdminInitiateAuth' : 'InitiateAuth';
  if (input.admin && !input.userPoolId) {
    throw new AgentcoreAuthError('ERR_USAGE', '--auth-flow admin-user-password needs --user-pool-id');
  }
  let out: AuthOutput;
  try {
    out = input.admin
      ? await client.send(
          new AdminInitiateAuthCommand({
            UserPoolId: input.userPoolId!,
            ClientId: input.clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: authParameters,
          }),
        )
      : await client.send(
          new InitiateAuthCommand({
            ClientId: input.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: authParameters,
          }),
        );
  } catch (e) {
    throw cognitoError(e, operation, input.endpoint);
  }
  const challenges: string[] = [];
  for (let i = 0; out.ChallengeName; i++) {
    if (i >= MAX_CHALLENGES) {
      throw new AgentcoreAuthError('ERR_REMOTE', `Cognito kept asking for challenges (${challenges.join(', ')})`);
    }
    challenges.push(out.ChallengeName);
    input.onChallenge?.(out.ChallengeName);
    out = await respond(client, input, out, hash);
  }
  return { tokens: tokensFrom(out, operation), challenges };
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

async function respond(
  client: CognitoIdentityProviderClient,
  input: PasswordLoginInput,
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

export interface RefreshInput {
  clientId: string;
  refreshToken: string;
  clientSecret?: string;
  /** The user's internal username (access token `username` claim): SECRET_HASH is computed with it on refresh. */
  username?: string;
  endpoint?: string;
}

/**
 * REFRESH_TOKEN_AUTH: a fresh access + ID token (Cognito keeps the refresh token unless rotation is on).
 *
 * A user pool client with refresh-token rotation enabled refuses REFRESH_TOKEN_AUTH and wants GetTokensFromRefreshToken
 * (which returns a new refresh token and takes the client secret itself, not a SECRET_HASH). The exact refusal text is
 * not documented (UNVERIFIED), so any NotAuthorized / InvalidParameter refusal that is not plainly "this refresh token
 * is expired or invalid" gets one GetTokensFromRefreshToken attempt; if that fails too, the first error is reported.
 */
export async function refreshLogin(client: CognitoIdentityProviderClient, input: RefreshInput): Promise<CognitoTokens> {
  const { InitiateAuthCommand } = cognitoSdk();
  const params: Record<string, string> = { REFRESH_TOKEN: input.refreshToken };
  if (input.clientSecret) {
    if (!input.username) {
      throw new AgentcoreAuthError(
        'ERR_CONFIG',
        'cannot refresh: the app client has a secret and the username for SECRET_HASH is unknown',
        {
          hint: 'Log in again with --auth-flow user-password.',
        },
      );
    }
    params.SECRET_HASH = secretHash(input.username, input.clientId, input.clientSecret);
  }
  let out: AuthOutput;
  try {
    out = await client.send(
      new InitiateAuthCommand({ ClientId: input.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: params }),
    );
  } catch (e) {
    const first = cognitoError(e, 'InitiateAuth (REFRESH_TOKEN_AUTH)', input.endpoint);
    const name = first.details.errorName;
    const plainlyInvalid = classify(first).kind === 'cognito-refresh-expired';
    if ((name === 'NotAuthorizedException' || name === 'InvalidParameterException') && !plainlyInvalid) {
      const rotated = await refreshWithRotation(client, input).catch(() => undefined);
      if (rotated) return rotated;
    }
    throw first;
  }
  const tokens = tokensFrom(out, 'InitiateAuth (REFRESH_TOKEN_AUTH)');
  // Without rotation Cognito returns no refresh token: keep using the one we have.
  return { ...tokens, refreshToken: tokens.refreshToken ?? input.refreshToken };
}

/** GetTokensFromRefreshToken (unsigned, like InitiateAuth): for clients with refresh-token rotation. */
async function refreshWithRotation(client: CognitoIdentityProviderClient, input: RefreshInput): Promise<CognitoTokens> {
  const { GetTokensFromRefreshTokenCommand } = cognitoSdk();
  const out = await client.send(
    new GetTokensFromRefreshTokenCommand({
      ClientId: input.clientId,
      RefreshToken: input.refreshToken,
      ...(input.clientSecret ? { ClientSecret: input.clientSecret } : {}),
    }),
  );
  const tokens = tokensFrom(out, 'GetTokensFromRefreshToken');
  return { ...tokens, refreshToken: tokens.refreshToken ?? input.refreshToken };
}
