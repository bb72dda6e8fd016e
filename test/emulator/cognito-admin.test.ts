/**
 * The local stack's Cognito admin API through the real SDK client: Cognito's rules that setup's design depends on
 * (client_credentials never beside the code flow, custom scopes must exist, a pool with a domain cannot be deleted,
 * domain prefixes unique), SigV4 on admin calls, and per-pool issuers and keys.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  InitiateAuthCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';

let stack: LocalStack;
let cip: CognitoIdentityProviderClient;
beforeAll(async () => {
  stack = await startLocalStack();
  cip = new CognitoIdentityProviderClient({
    endpoint: stack.url,
    region: stack.region,
    credentials: stack.credentials,
  });
});
afterAll(async () => {
  cip?.destroy();
  await stack?.close();
});

describe('Cognito admin API on the local stack', () => {
  it(
    'enforces the app-client rules: client_credentials not with code, only existing custom scopes, a secret ' +
      'for M2M',
    async () => {
      const pool = (await cip.send(new CreateUserPoolCommand({ PoolName: 'rules' }))).UserPool!;
      expect(pool.Id).toMatch(/^us-east-1_[0-9A-Za-z]{9}$/);
      await expect(
        cip.send(
          new CreateUserPoolClientCommand({
            UserPoolId: pool.Id,
            ClientName: 'both',
            GenerateSecret: true,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code', 'client_credentials'],
            AllowedOAuthScopes: ['openid'],
            CallbackURLs: ['http://localhost:1/cb'],
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidOAuthFlowException' });
      await expect(
        cip.send(
          new CreateUserPoolClientCommand({
            UserPoolId: pool.Id,
            ClientName: 'm2m',
            GenerateSecret: true,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['client_credentials'],
            AllowedOAuthScopes: ['api/read'],
          }),
        ),
      ).rejects.toMatchObject({ name: 'ScopeDoesNotExistException', message: 'Invalid scope requested: api/read' });
      await cip.send(
        new CreateResourceServerCommand({
          UserPoolId: pool.Id,
          Identifier: 'api',
          Name: 'api',
          Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }],
        }),
      );
      await expect(
        cip.send(
          new CreateUserPoolClientCommand({
            UserPoolId: pool.Id,
            ClientName: 'm2m',
            GenerateSecret: false,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['client_credentials'],
            AllowedOAuthScopes: ['api/read'],
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidOAuthFlowException' });
      const m2m = (
        await cip.send(
          new CreateUserPoolClientCommand({
            UserPoolId: pool.Id,
            ClientName: 'm2m',
            GenerateSecret: true,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['client_credentials'],
            AllowedOAuthScopes: ['api/read'],
          }),
        )
      ).UserPoolClient!;
      expect(m2m.ClientSecret).toMatch(/^[a-z0-9]{51}$/);
      // The M2M client gets a token from the stack's hosted-UI token endpoint, signed by this pool's key.
      const res = await fetch(`${stack.url}/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${m2m.ClientId}:${m2m.ClientSecret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials&scope=api%2Fread',
      });
      expect(res.status).toBe(200);
      const token = ((await res.json()) as { access_token: string }).access_token;
      const issuer = `${stack.url}/${pool.Id}`;
      const own = createLocalJWKSet((await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as never);
      expect((await jwtVerify(token, own, { issuer })).payload).toMatchObject({
        client_id: m2m.ClientId,
        scope: 'api/read',
      });
      const seeded = createLocalJWKSet(
        (await (await fetch(`${stack.userPool.issuer}/.well-known/jwks.json`)).json()) as never,
      );
      await expect(jwtVerify(token, seeded)).rejects.toThrow();
      await cip.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));
    },
  );

  it('domains: unique prefixes, reserved words refused, and a pool with a domain cannot be deleted', async () => {
    const a = (await cip.send(new CreateUserPoolCommand({ PoolName: 'a' }))).UserPool!.Id!;
    const b = (await cip.send(new CreateUserPoolCommand({ PoolName: 'b' }))).UserPool!.Id!;
    await cip.send(new CreateUserPoolDomainCommand({ UserPoolId: a, Domain: 'shared-prefix' }));
    await expect(
      cip.send(new CreateUserPoolDomainCommand({ UserPoolId: b, Domain: 'shared-prefix' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Domain already associated with another user pool.',
    });
    await expect(
      cip.send(new CreateUserPoolDomainCommand({ UserPoolId: b, Domain: 'my-aws-login' })),
    ).rejects.toMatchObject({ message: 'Domain cannot contain reserved word: aws' });
    await expect(cip.send(new DeleteUserPoolCommand({ UserPoolId: a }))).rejects.toMatchObject({
      message: 'User pool cannot be deleted. It has a domain configured that should be deleted first.',
    });
    await cip.send(new DeleteUserPoolDomainCommand({ UserPoolId: a, Domain: 'shared-prefix' }));
    await cip.send(new DeleteUserPoolCommand({ UserPoolId: a }));
    await cip.send(new DeleteUserPoolCommand({ UserPoolId: b }));
  });

  it('admin calls need SigV4 with the stack credentials; ListUserPools needs MaxResults', async () => {
    const stranger = new CognitoIdentityProviderClient({
      endpoint: stack.url,
      region: stack.region,
      credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'nope' },
    });
    await expect(stranger.send(new ListUserPoolsCommand({ MaxResults: 10 }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    stranger.destroy();
    await expect(cip.send(new ListUserPoolsCommand({} as never))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it(
    'AdminCreateUser + AdminSetUserPassword Permanent: the user signs in without a challenge; the pool policy ' +
      'applies',
    async () => {
      const pool = (
        await cip.send(
          new CreateUserPoolCommand({ PoolName: 'users', Policies: { PasswordPolicy: { MinimumLength: 12 } } }),
        )
      ).UserPool!.Id!;
      const client = (
        await cip.send(
          new CreateUserPoolClientCommand({
            UserPoolId: pool,
            ClientName: 'c',
            ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          }),
        )
      ).UserPoolClient!.ClientId!;
      const created = await cip.send(
        new AdminCreateUserCommand({ UserPoolId: pool, Username: 'u', MessageAction: 'SUPPRESS' }),
      );
      expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
      await expect(
        cip.send(
          new AdminSetUserPasswordCommand({ UserPoolId: pool, Username: 'u', Password: 'Short-1a', Permanent: true }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidPasswordException' });
      await cip.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: pool,
          Username: 'u',
          Password: 'Long-enough-1a',
          Permanent: true,
        }),
      );
      const auth = await cip.send(
        new InitiateAuthCommand({
          ClientId: client,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'u', PASSWORD: 'Long-enough-1a' },
        }),
      );
      expect(auth.ChallengeName).toBeUndefined();
      expect(auth.AuthenticationResult?.AccessToken).toBeTruthy();
      await cip.send(new DeleteUserPoolCommand({ UserPoolId: pool }));
    },
  );
});
