/**
 * Cognito user-token flows through the real SDK client (the caller passes the client from `io.aws.cognito(region)`,
 * so endpoint overrides, tracing and Ctrl-C apply):
 *
 *   USER_PASSWORD_AUTH        InitiateAuth (unsigned)            → tokens | challenge → RespondToAuthChallenge
 *   USER_SRP_AUTH             InitiateAuth + PASSWORD_VERIFIER (srp-login.ts; the password never leaves) → same
 *   ADMIN_USER_PASSWORD_AUTH  AdminInitiateAuth (SigV4)          → tokens | challenge → AdminRespondToAuthChallenge
 *   REFRESH_TOKEN_AUTH        InitiateAuth with the refresh token → new access + ID tokens (same refresh token)
 *
 * SECRET_HASH is added whenever a client secret is known. Challenges are answered through a `ChallengeAnswerer`
 * (flags or prompts, decided by the CLI; challenges.ts).
 */
import { classify } from '../classify.js';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoSdk } from '../../sdk.js';
import { AgentcoreAuthError } from '../errors.js';
import { cognitoError, authResultTokens, type AuthOutput, type CognitoTokens } from './calls.js';
import { answerChallenge, type ChallengeAnswerer } from './challenges.js';
import { secretHash } from './secret-hash.js';
import { srpSignIn } from './srp-login.js';

export { cognitoError, type CognitoTokens } from './calls.js';
export type { ChallengeAnswerer, MfaKind, NewPasswordAnswer } from './challenges.js';

export interface PasswordLoginInput {
  admin: boolean;
  /** USER_SRP_AUTH instead of USER_PASSWORD_AUTH (public InitiateAuth; needs userPoolId). */
  srp?: boolean;
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
  /** The clock of SRP's TIMESTAMP (default Date.now). */
  now?: () => number;
}

export interface PasswordLoginResult {
  tokens: CognitoTokens;
  challenges: string[];
}

const MAX_CHALLENGES = 5;

async function initiate(
  client: CognitoIdentityProviderClient,
  input: PasswordLoginInput,
  hash: (username: string) => Record<string, string>,
): Promise<AuthOutput> {
  const { InitiateAuthCommand, AdminInitiateAuthCommand } = cognitoSdk();
  if (input.srp) {
    if (!input.userPoolId)
      throw new AgentcoreAuthError('ERR_USAGE', '--auth-flow user-srp needs --user-pool-id', {
        hint: 'SRP proves the password against the pool\u2019s name, which Cognito does not send: pass --user-pool-id.',
      });
    return srpSignIn(client, {
      clientId: input.clientId,
      userPoolId: input.userPoolId,
      username: input.username,
      password: input.password,
      hash,
      now: input.now ?? Date.now,
      ...(input.endpoint ? { endpoint: input.endpoint } : {}),
    });
  }
  const authParameters = { USERNAME: input.username, PASSWORD: input.password, ...hash(input.username) };
  if (input.admin && !input.userPoolId) {
    throw new AgentcoreAuthError('ERR_USAGE', '--auth-flow admin-user-password needs --user-pool-id');
  }
  try {
    return input.admin
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
    throw cognitoError(e, input.admin ? 'AdminInitiateAuth' : 'InitiateAuth', input.endpoint);
  }
}

/** Sign in with a username and password (USER_PASSWORD_AUTH, USER_SRP_AUTH or admin), answering challenges. */
export async function passwordLogin(
  client: CognitoIdentityProviderClient,
  input: PasswordLoginInput,
): Promise<PasswordLoginResult> {
  const hash = (username: string): Record<string, string> =>
    input.clientSecret ? { SECRET_HASH: secretHash(username, input.clientId, input.clientSecret) } : {};
  let out = await initiate(client, input, hash);
  const challenges: string[] = [];
  for (let i = 0; out.ChallengeName; i++) {
    if (i >= MAX_CHALLENGES) {
      throw new AgentcoreAuthError('ERR_REMOTE', `Cognito kept asking for challenges (${challenges.join(', ')})`);
    }
    challenges.push(out.ChallengeName);
    input.onChallenge?.(out.ChallengeName);
    out = await answerChallenge(client, input, out, hash);
  }
  const operation = input.admin ? 'AdminInitiateAuth' : 'InitiateAuth';
  return { tokens: authResultTokens(out, operation), challenges };
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
    const kind = classify(first).kind;
    const plainlyInvalid = kind === 'cognito-refresh-expired' || kind === 'cognito-refresh-revoked';
    if ((name === 'NotAuthorizedException' || name === 'InvalidParameterException') && !plainlyInvalid) {
      const rotated = await refreshWithRotation(client, input).catch(() => undefined);
      if (rotated) return rotated;
    }
    throw first;
  }
  const tokens = authResultTokens(out, 'InitiateAuth (REFRESH_TOKEN_AUTH)');
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
  const tokens = authResultTokens(out, 'GetTokensFromRefreshToken');
  return { ...tokens, refreshToken: tokens.refreshToken ?? input.refreshToken };
}
