/**
 * TOTP MFA as Cognito runs it: the pool's MFA settings (SetUserPoolMfaConfig / GetUserPoolMfaConfig; OFF, OPTIONAL or
 * ON, software tokens only — the local stack sends no SMS or mail), a user's authenticator (AssociateSoftwareToken →
 * a base32 secret, VerifySoftwareToken with a first RFC 6238 code, by access token or by a sign-in's MFA_SETUP
 * Session) and the user's preference (SetUserMFAPreference, AdminSetUserMFAPreference). Codes are checked with
 * otpauth: SHA-1, 6 digits, 30-second steps, one step either side.
 */
import { MESSAGES } from '../../wire.js';
import { Secret, TOTP } from 'otpauth';
import { cognitoError, cop, invalidParameter, notAuthorized, poolOf, userOf, type CognitoCtx } from './context.js';
import type { MfaConfiguration, Pool, PoolUser } from './pools.js';
import { SHAPES } from './shapes.js';

export function totpMatches(secret: string, code: string, now: number): boolean {
  try {
    return TOTP.validate({ token: code, secret: Secret.fromBase32(secret), timestamp: now, window: 1 }) !== null;
  } catch {
    return false;
  }
}

function mfaConfigOut(pool: Pool) {
  return {
    SoftwareTokenMfaConfiguration: { Enabled: pool.mfa.softwareToken },
    MfaConfiguration: pool.mfa.configuration,
  };
}

export const setUserPoolMfaConfig = cop({
  name: 'SetUserPoolMfaConfig',
  signed: true,
  input: SHAPES.SetUserPoolMfaConfig,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    if (body.SmsMfaConfiguration || body.EmailMfaConfiguration || body.WebAuthnConfiguration)
      throw invalidParameter('The local stack emulates software token (TOTP) MFA only: it sends no SMS or email');
    const software = body.SoftwareTokenMfaConfiguration as { Enabled?: boolean } | undefined;
    const softwareToken = software?.Enabled ?? pool.mfa.softwareToken;
    const configuration = (body.MfaConfiguration as MfaConfiguration | undefined) ?? pool.mfa.configuration;
    // UNVERIFIED wording: turning MFA on with no factor enabled is refused.
    if (configuration !== 'OFF' && !softwareToken)
      throw invalidParameter('Invalid MFA configuration given, can\u2019t turn on MFA without an enabled MFA factor');
    pool.mfa = { configuration, softwareToken };
    return mfaConfigOut(pool);
  },
});

export const getUserPoolMfaConfig = cop({
  name: 'GetUserPoolMfaConfig',
  signed: true,
  input: SHAPES.GetUserPoolMfaConfig,
  handle: ({ ctx, body }) => mfaConfigOut(poolOf(ctx, body.UserPoolId)),
});

/** The user an MFA operation is about: from an access token, or from a sign-in's MFA_SETUP Session. */
async function mfaSubject(ctx: CognitoCtx, body: Record<string, unknown>) {
  if (typeof body.AccessToken === 'string') {
    const { user } = await ctx.tokens.accessTokenUser(body.AccessToken);
    return { user, session: undefined };
  }
  const c = typeof body.Session === 'string' ? ctx.challenges.get(body.Session) : undefined;
  if (!c?.setup) throw notAuthorized('Invalid session for the user, session is expired.');
  const user = ctx.registry.pools.get(c.poolId)?.users.get(c.username);
  if (!user) throw notAuthorized('Invalid session for the user, session is expired.');
  return { user, session: { key: body.Session as string, setup: c.setup } };
}

export const associateSoftwareToken = cop({
  name: 'AssociateSoftwareToken',
  input: SHAPES.AssociateSoftwareToken,
  handle: async ({ ctx, body }) => {
    if (!body.AccessToken && !body.Session) throw invalidParameter('Either AccessToken or Session must be set');
    const { user, session } = await mfaSubject(ctx, body);
    const secret = new Secret({ size: 32 }).base32;
    if (session) {
      session.setup.secret = secret;
      return { SecretCode: secret, Session: session.key };
    }
    user.totp = { secret, verified: false, enabled: false, preferred: false };
    return { SecretCode: secret };
  },
});

export const verifySoftwareToken = cop({
  name: 'VerifySoftwareToken',
  input: SHAPES.VerifySoftwareToken,
  handle: async ({ ctx, body }) => {
    if (!body.AccessToken && !body.Session) throw invalidParameter('Either AccessToken or Session must be set');
    const { user, session } = await mfaSubject(ctx, body);
    const secret = session ? session.setup.secret : user.totp.secret;
    if (!secret)
      throw cognitoError('SoftwareTokenMFANotFoundException', 'Software Token MFA does not exist for the user.');
    if (!totpMatches(secret, String(body.UserCode), ctx.emu.now()))
      throw cognitoError('EnableSoftwareTokenMFAException', MESSAGES.cognitoTotpVerifyMismatch);
    // Verified: the authenticator can be turned on (SetUserMFAPreference); a pool with MFA ON asks for it at once.
    user.totp = session
      ? { secret, verified: true, enabled: true, preferred: true }
      : { ...user.totp, secret, verified: true };
    if (session) {
      session.setup.verified = true;
      return { Status: 'SUCCESS', Session: session.key };
    }
    return { Status: 'SUCCESS' };
  },
});

function setPreference(user: PoolUser, body: Record<string, unknown>): void {
  if (body.SMSMfaSettings || body.EmailMfaSettings) {
    const wants = [body.SMSMfaSettings, body.EmailMfaSettings] as Array<{ Enabled?: boolean } | undefined>;
    if (wants.some((w) => w?.Enabled))
      throw invalidParameter('User does not have delivery config set to turn on SMS_MFA');
  }
  const s = body.SoftwareTokenMfaSettings as { Enabled?: boolean; PreferredMfa?: boolean } | undefined;
  if (!s) return;
  if (s.Enabled && !user.totp.verified)
    throw invalidParameter('User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA');
  const enabled = s.Enabled ?? user.totp.enabled;
  user.totp = { ...user.totp, enabled, preferred: enabled && (s.PreferredMfa ?? user.totp.preferred) };
}

export const setUserMfaPreference = cop({
  name: 'SetUserMFAPreference',
  input: SHAPES.SetUserMFAPreference,
  handle: async ({ ctx, body }) => {
    const { user } = await ctx.tokens.accessTokenUser(String(body.AccessToken));
    setPreference(user, body);
    return {};
  },
});

export const adminSetUserMfaPreference = cop({
  name: 'AdminSetUserMFAPreference',
  signed: true,
  input: SHAPES.AdminSetUserMFAPreference,
  handle: ({ ctx, body }) => {
    setPreference(userOf(poolOf(ctx, body.UserPoolId), body.Username), body);
    return {};
  },
});
