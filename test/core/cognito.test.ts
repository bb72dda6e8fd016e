/**
 * Cognito helpers: SECRET_HASH against a vector computed independently by openssl (cognito-local never checks it),
 * region from the pool id, and the Cognito core calls against cognito-local through the real SDK client.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { passwordLogin, refreshLogin } from '../../src/core/cognito/auth.js';
import { cognitoIssuer, regionFromPoolId, secretHash } from '../../src/core/cognito/secret-hash.js';
import { AgentcoreAuthError } from '../../src/core/errors.js';

function opensslSecretHash(username: string, clientId: string, secret: string): string {
  // openssl dgst -sha256 -hmac <secret> -binary | base64, over username + clientId
  const mac = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret, '-binary'], { input: username + clientId });
  return execFileSync('base64', ['-w0'], { input: mac }).toString().trim();
}

describe('SECRET_HASH', () => {
  it.each([
    ['alice', '1example23456789', 'abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop'],
    ['bob@example.com', '7h2k9d0s8f7g6h5j4k3l2m1n0', 'secret with spaces and ünïcødé'],
    ['8a0f6b4e-1c2d-4e5f-9a8b-7c6d5e4f3a2b', 'c', 's'],
  ])('matches openssl for %s', (username, clientId, secret) => {
    expect(secretHash(username, clientId, secret)).toBe(opensslSecretHash(username, clientId, secret));
  });

  it('is the published shape: 44 base64 characters (32 bytes)', () => {
    expect(secretHash('u', 'c', 's')).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
});

describe('pool id helpers', () => {
  it('takes the region from the pool id prefix', () => {
    expect(regionFromPoolId('us-east-1_AbC123xyZ')).toBe('us-east-1');
    expect(regionFromPoolId('eu-central-1_x')).toBe('eu-central-1');
    expect(regionFromPoolId('us-gov-west-1_Abc')).toBe('us-gov-west-1');
    expect(regionFromPoolId('local_AbC')).toBeUndefined();
    expect(regionFromPoolId(undefined)).toBeUndefined();
    expect(cognitoIssuer('us-east-1', 'us-east-1_X')).toBe('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X');
  });
});

describe('core/cognito against cognito-local', () => {
  const c = inject('cognito');
  const cip = new CognitoIdentityProviderClient({
    endpoint: c.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  it(
    'passwordLogin answers NEW_PASSWORD_REQUIRED with the required attributes; refreshLogin keeps the refresh ' +
      'token',
    async () => {
      const { UserPoolClient } = await cip.send(
        new CreateUserPoolClientCommand({ UserPoolId: c.poolId, ClientName: 'core', GenerateSecret: true }),
      );
      const username = `core-${randomBytes(4).toString('hex')}`;
      await cip.send(
        new AdminCreateUserCommand({
          UserPoolId: c.poolId,
          Username: username,
          TemporaryPassword: 'Temp#Pass123',
          MessageAction: 'SUPPRESS',
        }),
      );
      const asked: Array<{ username: string; requiredAttributes: string[] }> = [];
      const r = await passwordLogin(cip, {
        admin: false,
        clientId: UserPoolClient!.ClientId!,
        clientSecret: UserPoolClient!.ClientSecret!,
        username,
        password: 'Temp#Pass123',
        answer: {
          newPassword: async (info) => {
            asked.push(info);
            return { newPassword: 'New#Pass123', attributes: {} };
          },
          mfaCode: async () => {
            throw new Error('no MFA expected');
          },
        },
      });
      expect(r.challenges).toEqual(['NEW_PASSWORD_REQUIRED']);
      expect(asked).toEqual([{ username, requiredAttributes: [] }]);
      expect(decodeJwt(r.tokens.accessToken)).toMatchObject({ username, token_use: 'access' });
      // cognito-local does not register refresh tokens issued by RespondToAuthChallenge: sign in again to refresh.
      const again = await passwordLogin(cip, {
        admin: false,
        clientId: UserPoolClient!.ClientId!,
        clientSecret: UserPoolClient!.ClientSecret!,
        username,
        password: 'New#Pass123',
        answer: { newPassword: async () => ({ newPassword: '', attributes: {} }), mfaCode: async () => '' },
      });
      expect(again.challenges).toEqual([]);
      const refreshed = await refreshLogin(cip, {
        clientId: UserPoolClient!.ClientId!,
        clientSecret: UserPoolClient!.ClientSecret!,
        username,
        refreshToken: again.tokens.refreshToken!,
      });
      expect(refreshed.refreshToken).toBe(again.tokens.refreshToken);
      expect(decodeJwt(refreshed.accessToken)).toMatchObject({ username });
    },
  );

  it('maps SDK errors: an unknown user is an auth failure', async () => {
    const { UserPoolClient } = await cip.send(
      new CreateUserPoolClientCommand({ UserPoolId: c.poolId, ClientName: 'core2' }),
    );
    const err = await passwordLogin(cip, {
      admin: false,
      clientId: UserPoolClient!.ClientId!,
      username: 'nobody-here',
      password: 'x',
      answer: { newPassword: async () => ({ newPassword: '', attributes: {} }), mfaCode: async () => '' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentcoreAuthError);
    expect((err as AgentcoreAuthError).exitCode).toBe(4);
    expect((err as AgentcoreAuthError).message).toMatch(/^InitiateAuth failed: NotAuthorizedException/);
  });

  it('a user with a permanent password gets tokens without challenges', async () => {
    const { UserPoolClient } = await cip.send(
      new CreateUserPoolClientCommand({ UserPoolId: c.poolId, ClientName: 'core3' }),
    );
    const username = `core-${randomBytes(4).toString('hex')}`;
    await cip.send(new AdminCreateUserCommand({ UserPoolId: c.poolId, Username: username, MessageAction: 'SUPPRESS' }));
    await cip.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: c.poolId,
        Username: username,
        Password: 'Perm#Pass1',
        Permanent: true,
      }),
    );
    const r = await passwordLogin(cip, {
      admin: true,
      userPoolId: c.poolId,
      clientId: UserPoolClient!.ClientId!,
      username,
      password: 'Perm#Pass1',
      answer: { newPassword: async () => ({ newPassword: '', attributes: {} }), mfaCode: async () => '' },
    });
    expect(r.challenges).toEqual([]);
    expect(r.tokens.idToken).toBeTruthy();
  });
});
