/**
 * Ending sessions and TOTP MFA on the local user pool, through the real Cognito SDK client and plain HTTP for the
 * hosted UI: GlobalSignOut, AdminUserGlobalSignOut, RevokeToken, /oauth2/revoke, /logout; SetUserPoolMfaConfig,
 * AssociateSoftwareToken, VerifySoftwareToken, Set/AdminSetUserMFAPreference and the SOFTWARE_TOKEN_MFA challenge
 * with real RFC 6238 codes (otpauth); MFA_SETUP when the pool requires MFA.
 */
import {
  AdminSetUserMFAPreferenceCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, failure } from './helpers.js';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
let pool: string;
const CLIENT = 'sessionslocalclient0000000';
const REDIRECT = 'http://127.0.0.1:8765/callback';
const LOGOUT = 'http://127.0.0.1:8765/signed-out';
/** The stack's clock runs ahead when a test needs the next 30-second TOTP step (SigV4 allows 5 minutes). */
let skew = 0;
const now = () => Date.now() + skew;

beforeAll(async () => {
  stack = await startLocalStack({
    now,
    config: {
      userPool: {
        clients: [
          {
            name: 'cli',
            clientId: CLIENT,
            explicitAuthFlows: ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH', 'USER_SRP_AUTH'],
            allowedOAuthFlows: ['code'],
            allowedOAuthScopes: ['openid', 'aws.cognito.signin.user.admin'],
            callbackUrls: [REDIRECT],
            logoutUrls: [LOGOUT],
          },
        ],
        users: [
          { username: 'alice', password: 'Alice-Passw0rd!' },
          { username: 'mia', password: 'Mia-Passw0rd!1' },
          { username: 'noah', password: 'Noah-Passw0rd!1' },
        ],
      },
    },
  });
  c = clientsFor(stack);
  pool = stack.userPool.id;
});
afterAll(() => stack.close());

const signIn = (username: string, password: string) =>
  c.cognito.send(
    new InitiateAuthCommand({
      ClientId: CLIENT,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
const refresh = (token: string) =>
  c.cognito.send(
    new InitiateAuthCommand({
      ClientId: CLIENT,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: token },
    }),
  );
const code = (secret: string, at = now()) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at });

describe('sessions', () => {
  it('GlobalSignOut revokes every token of the user; a new sign-in works; Cognito’s messages', async () => {
    const a = (await signIn('alice', 'Alice-Passw0rd!')).AuthenticationResult!;
    const b = (await signIn('alice', 'Alice-Passw0rd!')).AuthenticationResult!;
    await c.cognito.send(new GlobalSignOutCommand({ AccessToken: a.AccessToken }));
    for (const t of [a, b]) {
      expect(await failure(refresh(t.RefreshToken!))).toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Refresh Token has been revoked',
      });
      expect(await failure(c.cognito.send(new GetUserCommand({ AccessToken: t.AccessToken })))).toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Access Token has been revoked',
      });
    }
    const fresh = (await signIn('alice', 'Alice-Passw0rd!')).AuthenticationResult!;
    expect((await c.cognito.send(new GetUserCommand({ AccessToken: fresh.AccessToken }))).Username).toBe('alice');
    expect((await refresh(fresh.RefreshToken!)).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('AdminUserGlobalSignOut (SigV4) does the same for an administrator', async () => {
    const t = (await signIn('alice', 'Alice-Passw0rd!')).AuthenticationResult!;
    await c.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool, Username: 'alice' }));
    expect((await failure(refresh(t.RefreshToken!))).message).toBe('Refresh Token has been revoked');
  });

  it('RevokeToken revokes one sign-in (refresh and access tokens), not the others; not access tokens', async () => {
    const one = (await signIn('alice', 'Alice-Passw0rd!')).AuthenticationResult!;
    const two = (await signIn('alice', 'Alice-Passw0rd!')).AuthenticationResult!;
    await c.cognito.send(new RevokeTokenCommand({ ClientId: CLIENT, Token: one.RefreshToken }));
    expect((await failure(refresh(one.RefreshToken!))).message).toBe('Refresh Token has been revoked');
    expect((await failure(c.cognito.send(new GetUserCommand({ AccessToken: one.AccessToken })))).message).toBe(
      'Access Token has been revoked',
    );
    expect((await refresh(two.RefreshToken!)).AuthenticationResult).toBeDefined();
    expect(
      await failure(c.cognito.send(new RevokeTokenCommand({ ClientId: CLIENT, Token: two.AccessToken }))),
    ).toMatchObject({ name: 'UnsupportedTokenTypeException' });
  });

  it('/oauth2/revoke (RFC 7009): 200 with an empty body, then invalid_grant on /oauth2/token', async () => {
    const t = (await signIn('alice', 'Alice-Passw0rd!')).AuthenticationResult!;
    const form = (body: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });
    const revoked = await fetch(`${stack.url}/oauth2/revoke`, form({ token: t.RefreshToken!, client_id: CLIENT }));
    expect([revoked.status, await revoked.text()]).toEqual([200, '']);
    const grant = await fetch(
      `${stack.url}/oauth2/token`,
      form({ grant_type: 'refresh_token', refresh_token: t.RefreshToken!, client_id: CLIENT }),
    );
    expect([grant.status, await grant.json()]).toEqual([400, { error: 'invalid_grant' }]);
    const noToken = await fetch(`${stack.url}/oauth2/revoke`, form({ client_id: CLIENT }));
    expect([noToken.status, await noToken.json()]).toEqual([400, { error: 'invalid_request' }]);
  });

  it('/logout ends the hosted-UI browser session and returns to a registered LogoutURL only', async () => {
    const q = new URLSearchParams({
      client_id: CLIENT,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
    });
    const login = await fetch(`${stack.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(q), username: 'alice', password: 'Alice-Passw0rd!' }),
    });
    expect(login.status).toBe(302);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    // Signed in: /oauth2/authorize goes straight back with a code, as Cognito's hosted UI does.
    const again = await fetch(`${stack.userPool.authorizationEndpoint}?${q}`, {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    const bad = await fetch(`${stack.url}/logout?client_id=${CLIENT}&logout_uri=${encodeURIComponent(REDIRECT)}`, {
      redirect: 'manual',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('LogoutURLs');
    const out = await fetch(`${stack.url}/logout?client_id=${CLIENT}&logout_uri=${encodeURIComponent(LOGOUT)}`, {
      redirect: 'manual',
      headers: { cookie },
    });
    expect([out.status, out.headers.get('location')]).toEqual([302, LOGOUT]);
    expect(out.headers.get('set-cookie')).toMatch(/^cognito=;.*Max-Age=0/);
    const after = await fetch(`${stack.userPool.authorizationEndpoint}?${q}`, {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('<form method="post" action="/login">');
    // …or back to the sign-in page with redirect_uri + response_type.
    const relogin = await fetch(`${stack.url}/logout?${q}`, { redirect: 'manual' });
    expect(relogin.headers.get('location')).toBe(`${stack.url}/oauth2/authorize?${q}`);
    expect((await fetch(`${stack.url}/logout?client_id=nosuch`, { redirect: 'manual' })).status).toBe(400);
  });
});

describe('TOTP MFA', () => {
  it('associate, verify a real code, prefer it; sign-in asks SOFTWARE_TOKEN_MFA; a wrong code refused', async () => {
    await c.cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        MfaConfiguration: 'OPTIONAL',
      }),
    );
    expect(await c.cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool }))).toMatchObject({
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    });
    const t = (await signIn('mia', 'Mia-Passw0rd!1')).AuthenticationResult!;
    const { SecretCode } = await c.cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: t.AccessToken }));
    expect(SecretCode).toMatch(/^[A-Z2-7]{32,}$/);
    expect(
      await failure(
        c.cognito.send(
          new SetUserMFAPreferenceCommand({ AccessToken: t.AccessToken, SoftwareTokenMfaSettings: { Enabled: true } }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidParameterException',
      message: 'User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA',
    });
    const wrong = code(SecretCode!, now() - 10 * 60_000);
    expect(
      await failure(c.cognito.send(new VerifySoftwareTokenCommand({ AccessToken: t.AccessToken, UserCode: wrong }))),
    ).toMatchObject({
      name: 'EnableSoftwareTokenMFAException',
      message: 'Code mismatch and fail enable Software Token MFA',
    });
    const ok = await c.cognito.send(
      new VerifySoftwareTokenCommand({ AccessToken: t.AccessToken, UserCode: code(SecretCode!) }),
    );
    expect(ok.Status).toBe('SUCCESS');
    await c.cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: t.AccessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const challenged = await signIn('mia', 'Mia-Passw0rd!1');
    expect(challenged).toMatchObject({ ChallengeName: 'SOFTWARE_TOKEN_MFA' });
    const answer = (c6: string) =>
      c.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: CLIENT,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: challenged.Session,
          ChallengeResponses: { USERNAME: 'mia', SOFTWARE_TOKEN_MFA_CODE: c6 },
        }),
      );
    expect(await failure(answer(wrong))).toMatchObject({
      name: 'CodeMismatchException',
      message: 'Invalid code or auth state for the user.',
    });
    skew += 30_000;
    expect((await answer(code(SecretCode!))).AuthenticationResult?.AccessToken).toBeTruthy();
    // The hosted UI asks for the same code on its sign-in form.
    const hosted = (extra: Record<string, string>) =>
      fetch(`${stack.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: CLIENT,
          redirect_uri: REDIRECT,
          response_type: 'code',
          username: 'mia',
          password: 'Mia-Passw0rd!1',
          ...extra,
        }),
      });
    const noCode = await hosted({});
    expect([noCode.status, await noCode.text()]).toEqual([200, expect.stringContaining('Invalid code or auth state')]);
    expect((await hosted({ totp: code(SecretCode!) })).status).toBe(302);
    // An administrator turns it off again: no challenge.
    await c.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: pool,
        Username: 'mia',
        SoftwareTokenMfaSettings: { Enabled: false },
      }),
    );
    expect((await signIn('mia', 'Mia-Passw0rd!1')).AuthenticationResult).toBeDefined();
  });

  it('MFA required: a user without an authenticator gets MFA_SETUP and sets one up inside the sign-in', async () => {
    await c.cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        MfaConfiguration: 'ON',
      }),
    );
    try {
      const setup = await signIn('noah', 'Noah-Passw0rd!1');
      expect(setup).toMatchObject({
        ChallengeName: 'MFA_SETUP',
        ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
      });
      const assoc = await c.cognito.send(new AssociateSoftwareTokenCommand({ Session: setup.Session }));
      const verified = await c.cognito.send(
        new VerifySoftwareTokenCommand({ Session: assoc.Session, UserCode: code(assoc.SecretCode!) }),
      );
      const done = await c.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: CLIENT,
          ChallengeName: 'MFA_SETUP',
          Session: verified.Session,
          ChallengeResponses: { USERNAME: 'noah' },
        }),
      );
      expect(done.AuthenticationResult?.AccessToken).toBeTruthy();
      expect((await signIn('noah', 'Noah-Passw0rd!1')).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    } finally {
      await c.cognito.send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool, MfaConfiguration: 'OFF' }));
    }
  });
});
