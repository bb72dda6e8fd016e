/**
 * MFA challenges on the wire that no local counterpart can send (SELECT_MFA_TYPE, SMS_MFA: the local stack emulates
 * TOTP only, see test/cli/login-srp-mfa.test.ts; cognito-local has no MFA), so a scripted loopback server speaks
 * Cognito's awsJson1_1 for these calls; the real SDK client talks to it. It checks what we send: the
 * challenge name, the Session, USERNAME = USER_ID_FOR_SRP (alias sign-in), SECRET_HASH computed with that username, and
 * the code under the right key — and that off-TTY the CLI asks for --mfa-code.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordLogin } from '../../src/core/cognito/auth.js';
import { runCommand } from '../helpers/context.js';

interface Call {
  target: string;
  body: CognitoBody;
}
let server: http.Server;
let endpoint: string;
/** A Cognito JSON request as the stand-in server reads it (field names as the service's model has them). */
type CognitoBody = Record<string, Record<string, string> & Record<string, unknown>> & Record<string, unknown>;

const calls: Call[] = [];
let script: Array<(body: CognitoBody) => Record<string, unknown>> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const target = String(req.headers['x-amz-target'] ?? '').replace('AWSCognitoIdentityProviderService.', '');
      calls.push({ target, body });
      const next = script.shift();
      const out = next ? next(body) : { __type: 'InternalErrorException', message: 'unscripted call' };
      res
        .writeHead('__type' in out ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const hash = (u: string, id: string, s: string) =>
  createHmac('sha256', s)
    .update(u + id)
    .digest('base64');
const TOKENS = {
  AuthenticationResult: {
    AccessToken: 'a.b.c',
    IdToken: 'd.e.f',
    RefreshToken: 'r',
    ExpiresIn: 3600,
    TokenType: 'Bearer',
  },
};

describe('MFA challenges', () => {
  it('SELECT_MFA_TYPE → SOFTWARE_TOKEN_MFA → tokens, with the real username and its SECRET_HASH', async () => {
    calls.length = 0;
    script = [
      () => ({
        ChallengeName: 'SELECT_MFA_TYPE',
        Session: 's1',
        ChallengeParameters: { USER_ID_FOR_SRP: 'real-user-1', MFAS_CAN_CHOOSE: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]' },
      }),
      () => ({
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: 's2',
        ChallengeParameters: { USER_ID_FOR_SRP: 'real-user-1' },
      }),
      () => TOKENS,
    ];
    const client = new CognitoIdentityProviderClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const asked: string[] = [];
    const r = await passwordLogin(client, {
      admin: false,
      clientId: 'client1',
      clientSecret: 'sekret',
      username: 'alice@example.com',
      password: 'pw',
      answer: {
        newPassword: async () => ({ newPassword: '', attributes: {} }),
        mfaCode: async ({ kind }) => {
          asked.push(kind);
          return '123456';
        },
      },
    });
    expect(r.challenges).toEqual(['SELECT_MFA_TYPE', 'SOFTWARE_TOKEN_MFA']);
    expect(asked).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(calls.map((c) => c.target)).toEqual(['InitiateAuth', 'RespondToAuthChallenge', 'RespondToAuthChallenge']);
    expect(calls[0]!.body).toEqual({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'client1',
      AuthParameters: {
        USERNAME: 'alice@example.com',
        PASSWORD: 'pw',
        SECRET_HASH: hash('alice@example.com', 'client1', 'sekret'),
      },
    });
    expect(calls[1]!.body).toEqual({
      ClientId: 'client1',
      ChallengeName: 'SELECT_MFA_TYPE',
      Session: 's1',
      ChallengeResponses: {
        USERNAME: 'real-user-1',
        SECRET_HASH: hash('real-user-1', 'client1', 'sekret'),
        ANSWER: 'SOFTWARE_TOKEN_MFA',
      },
    });
    expect(calls[2]!.body).toEqual({
      ClientId: 'client1',
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: 's2',
      ChallengeResponses: {
        USERNAME: 'real-user-1',
        SECRET_HASH: hash('real-user-1', 'client1', 'sekret'),
        SOFTWARE_TOKEN_MFA_CODE: '123456',
      },
    });
    expect(r.tokens).toEqual({
      accessToken: 'a.b.c',
      idToken: 'd.e.f',
      refreshToken: 'r',
      expiresIn: 3600,
      tokenType: 'Bearer',
    });
  });

  it(
    'CLI: SMS_MFA answered with --mfa-code (never echoed); without it off a TTY, a usage error naming the ' +
      'flag and the destination',
    async () => {
      calls.length = 0;
      script = [
        () => ({
          ChallengeName: 'SMS_MFA',
          Session: 's',
          ChallengeParameters: { CODE_DELIVERY_DESTINATION: '+*******1234', USER_ID_FOR_SRP: 'u1' },
        }),
      ];
      const env = { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoint, AWS_REGION: 'us-east-1' };
      const fail = await runCommand(
        ['login', '--client-id', 'c1', '--username', 'u1', '--password', 'pw', '--no-cache'],
        { env },
      );
      expect(fail.code).toBe(2);
      expect(fail.stderr).toContain('Cognito asks for an MFA code (SMS_MFA, sent to +*******1234)');
      expect(fail.stderr).toContain('--mfa-code');

      calls.length = 0;
      script = [
        () => ({ ChallengeName: 'SMS_MFA', Session: 's', ChallengeParameters: { USER_ID_FOR_SRP: 'u1' } }),
        () => TOKENS,
      ];
      const ok = await runCommand(
        [
          'login',
          '--client-id',
          'c1',
          '--username',
          'u1',
          '--password',
          'pw',
          '--mfa-code',
          '987654',
          '--no-cache',
          '--print',
          'access-token',
        ],
        { env },
      );
      expect(ok.code).toBe(0);
      expect(ok.stdout).toBe('a.b.c\n');
      expect(calls[1]!.body.ChallengeResponses).toEqual({ USERNAME: 'u1', SMS_MFA_CODE: '987654' });
      expect(ok.stderr).not.toContain('987654');
    },
  );

  it('MFA on a terminal: a hidden prompt naming where the code went', async () => {
    script = [
      () => ({
        ChallengeName: 'EMAIL_OTP',
        Session: 's',
        ChallengeParameters: { CODE_DELIVERY_DESTINATION: 'a***@e***' },
      }),
      () => TOKENS,
    ];
    const env = { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoint, AWS_REGION: 'us-east-1' };
    const hidden: boolean[] = [];
    const r = await runCommand(['login', '--client-id', 'c1', '--username', 'u1', '--password', 'pw', '--no-cache'], {
      env,
      stdinTTY: true,
      stderrTTY: true,
      answers: (_q, o) => {
        hidden.push(!!o?.hidden);
        return '555111';
      },
    });
    expect(r.code).toBe(0);
    expect(r.ctx.prompts).toEqual(['Code sent to a***@e***: ']);
    expect(hidden).toEqual([true]);
  });

  it('MFA_SETUP and unknown challenges are explained, exit 4', async () => {
    script = [() => ({ ChallengeName: 'MFA_SETUP', Session: 's', ChallengeParameters: {} })];
    const env = { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoint, AWS_REGION: 'us-east-1' };
    const r = await runCommand(['login', '--client-id', 'c1', '--username', 'u1', '--password', 'pw', '--no-cache'], {
      env,
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('set up MFA first');
    script = [() => ({ ChallengeName: 'CUSTOM_CHALLENGE', Session: 's', ChallengeParameters: {} })];
    const r2 = await runCommand(['login', '--client-id', 'c1', '--username', 'u1', '--password', 'pw', '--no-cache'], {
      env,
    });
    expect(r2.code).toBe(4);
    expect(r2.stderr).toContain('CUSTOM_CHALLENGE challenge, which login cannot answer');
    expect(r2.stderr).toContain('--auth-flow authorization-code');
  });
});

describe('refresh with refresh-token rotation', () => {
  it(
    'REFRESH_TOKEN_AUTH refused → one GetTokensFromRefreshToken with the client secret; the new refresh token ' +
      'is kept',
    async () => {
      const { refreshLogin } = await import('../../src/core/cognito/auth.js');
      calls.length = 0;
      script = [
        () => ({
          __type: 'NotAuthorizedException',
          message: 'REFRESH_TOKEN_AUTH is not allowed for this client (rotation)',
        }),
        () => ({
          AuthenticationResult: {
            AccessToken: 'n.e.w',
            IdToken: 'i.d.t',
            RefreshToken: 'rotated-rt',
            ExpiresIn: 3600,
            TokenType: 'Bearer',
          },
        }),
      ];
      const client = new CognitoIdentityProviderClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const t = await refreshLogin(client, {
        clientId: 'c1',
        clientSecret: 'sekret',
        username: 'u1',
        refreshToken: 'old-rt',
      });
      expect(t).toMatchObject({ accessToken: 'n.e.w', refreshToken: 'rotated-rt' });
      expect(calls.map((c) => c.target)).toEqual(['InitiateAuth', 'GetTokensFromRefreshToken']);
      expect(calls[0]!.body.AuthParameters).toEqual({
        REFRESH_TOKEN: 'old-rt',
        SECRET_HASH: hash('u1', 'c1', 'sekret'),
      });
      expect(calls[1]!.body).toEqual({ ClientId: 'c1', RefreshToken: 'old-rt', ClientSecret: 'sekret' });
    },
  );

  it('an expired refresh token is reported as is, without a second call', async () => {
    const { refreshLogin } = await import('../../src/core/cognito/auth.js');
    calls.length = 0;
    script = [() => ({ __type: 'NotAuthorizedException', message: 'Refresh Token has expired' })];
    const client = new CognitoIdentityProviderClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const e = await refreshLogin(client, { clientId: 'c1', refreshToken: 'old-rt' }).catch((x: unknown) => x);
    expect((e as Error).message).toBe(
      'InitiateAuth (REFRESH_TOKEN_AUTH) failed: NotAuthorizedException: Refresh Token has expired',
    );
    expect(calls.map((c) => c.target)).toEqual(['InitiateAuth']);
  });
});
