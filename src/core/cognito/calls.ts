/**
 * What every Cognito sign-in call shares: the SDK's auth answer, the tokens in it, and the mapping of a Cognito
 * error to ours (with the Cognito-specific hints).
 */
import { fromAwsError } from '../aws.js';
import { AgentcoreAuthError } from '../errors.js';

export interface CognitoTokens {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  /** Seconds, as Cognito said (undefined on some emulators: use the JWT exp). */
  expiresIn?: number;
  tokenType?: string;
}

export interface AuthOutput {
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

export function authResultTokens(out: AuthOutput, operation: string): CognitoTokens {
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
  // A wrong or stale MFA / confirmation code is an authentication failure (exit 4), not a refused request.
  if (name === 'CodeMismatchException' || name === 'ExpiredCodeException' || name === 'EnableSoftwareTokenMFAException')
    return new AgentcoreAuthError('ERR_AUTH', err.message, {
      hint:
        err.hint ??
        'The code did not match: codes change every 30 s and need the clock right; check the TOTP secret ' +
          '(AGENTCORE_AUTH_TOTP_SECRET / --totp-secret-stdin) or the code you typed.',
      details: err.details,
      cause: e,
    });
  if (name === 'UserNotConfirmedException')
    err.hint ??= 'Confirm the user first (aws cognito-idp admin-confirm-sign-up …).';
  if (name === 'PasswordResetRequiredException')
    err.hint ??= 'The user must reset the password (forgot-password flow) before signing in.';
  return err;
}
