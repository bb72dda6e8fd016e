/**
 * `setup` → `login` → `teardown` against cognito-local (the third-party Cognito clone, started once in
 * test/global-setup.ts), so that setup's Cognito calls are not only checked against our own emulator. cognito-local
 * does not implement resource servers or hosted-UI domains: the recording proxy in front of it answers exactly those
 * operations (CreateResourceServer, DescribeResourceServer, CreateUserPoolDomain, DeleteUserPoolDomain) and forwards
 * everything else, recording every call.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestContext, runCommand } from '../helpers/context.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';

const READ_ONLY = new Set([
  'ListUserPools',
  'DescribeUserPool',
  'DescribeResourceServer',
  'ListUserPoolClients',
  'DescribeUserPoolClient',
  'AdminGetUser',
]);
const NOT_IN_COGNITO_LOCAL = new Set([
  'CreateResourceServer',
  'DescribeResourceServer',
  'CreateUserPoolDomain',
  'DeleteUserPoolDomain',
]);

let proxy: RecordingProxy;
const c = inject('cognito');
const sdk = new CognitoIdentityProviderClient({
  endpoint: c.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

beforeAll(async () => {
  const servers = new Map<string, string>();
  proxy = await startRecordingProxy(c.endpoint, {
    answer: (op, body) => {
      if (!NOT_IN_COGNITO_LOCAL.has(op)) return undefined;
      if (op === 'CreateResourceServer') {
        servers.set(`${body.UserPoolId}/${body.Identifier}`, String(body.Identifier));
        return {
          status: 200,
          body: {
            ResourceServer: {
              UserPoolId: body.UserPoolId,
              Identifier: body.Identifier,
              Name: body.Name,
              Scopes: body.Scopes,
            },
          },
        };
      }
      if (op === 'DescribeResourceServer') {
        const id = servers.get(`${body.UserPoolId}/${body.Identifier}`);
        return id
          ? {
              status: 200,
              body: {
                ResourceServer: {
                  UserPoolId: body.UserPoolId,
                  Identifier: id,
                  Scopes: [{ ScopeName: 'invoke', ScopeDescription: 'x' }],
                },
              },
            }
          : { status: 400, body: { __type: 'ResourceNotFoundException', message: 'not found' } };
      }
      return { status: 200, body: op === 'CreateUserPoolDomain' ? { ManagedLoginVersion: 1 } : {} };
    },
  });
});
afterAll(async () => {
  await proxy?.close();
});

const env = () => ({
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: proxy.url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});

describe('setup against cognito-local', () => {
  it('--dry-run makes read calls only (recorded) and says what it would create', async () => {
    const before = proxy.calls.length;
    const r = await runCommand(['setup', '--name', 'cl-dry', '--dry-run'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const ops = proxy.operations().slice(before);
    expect(ops).toContain('ListUserPools');
    expect(ops.filter((op) => !READ_ONLY.has(op))).toEqual([]);
    expect(r.stderr).toContain('would create agentcore-auth-cl-dry-app');
    expect(r.stderr).toContain('no write call was made');
  });

  it(
    'setup → login with the env file and no flags → teardown (an unrelated pool and an untagged namesake ' + 'survive)',
    async () => {
      const unrelated = (await sdk.send(new CreateUserPoolCommand({ PoolName: 'someone-else' }))).UserPool!.Id!;
      const namesake = (await sdk.send(new CreateUserPoolCommand({ PoolName: 'agentcore-auth-cl-e2e' }))).UserPool!.Id!;
      const ctx = createTestContext({ env: env() });
      const envFile = join(ctx.homedir, 'setup.env');
      const r = await runCommand(['setup', '--name', 'cl-e2e', '--write-env', envFile], ctx);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('CreateUserPool');
      expect(r.stderr).toContain(`not made by setup, left alone`);
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
      const fileEnv = Object.fromEntries(
        readFileSync(envFile, 'utf8')
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(Object.keys(fileEnv)).toEqual(
        expect.arrayContaining([
          'AGENTCORE_AUTH_USER_POOL_ID',
          'AGENTCORE_AUTH_CLIENT_ID',
          'AGENTCORE_AUTH_CLIENT_SECRET',
          'AGENTCORE_AUTH_USERNAME',
          'AGENTCORE_AUTH_PASSWORD',
        ]),
      );
      const poolId = fileEnv.AGENTCORE_AUTH_USER_POOL_ID!;
      expect(poolId).not.toBe(namesake);
      // Secrets never reach the terminal in full.
      expect(r.stderr + r.stdout).not.toContain(fileEnv.AGENTCORE_AUTH_PASSWORD!);
      expect(r.stderr + r.stdout).not.toContain(fileEnv.AGENTCORE_AUTH_CLIENT_SECRET!);
      const tags = (await sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.UserPoolTags;
      expect(tags).toEqual({ 'agentcore-auth:setup': 'cl-e2e' });

      const login = await runCommand(['login', '--print', 'access-token', '--no-cache'], {
        env: { ...fileEnv, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
      });
      expect(login.code, login.stderr).toBe(0);
      const claims = JSON.parse(Buffer.from(login.stdout.trim().split('.')[1]!, 'base64url').toString('utf8'));
      expect(claims).toMatchObject({
        token_use: 'access',
        client_id: fileEnv.AGENTCORE_AUTH_CLIENT_ID,
        username: 'test-user',
      });

      const t = await runCommand(['teardown', '--name', 'cl-e2e', '--yes'], { env: env() });
      expect(t.code, t.stderr).toBe(0);
      expect(t.stdout).toContain(`deleted  user pool ${poolId}`);
      await expect(sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      for (const id of [unrelated, namesake])
        expect((await sdk.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool?.Id).toBe(id);
      await sdk.send(new DeleteUserPoolCommand({ UserPoolId: unrelated }));
      await sdk.send(new DeleteUserPoolCommand({ UserPoolId: namesake }));
    },
  );

  it('teardown without --yes and without a terminal: exit 2 with a hint, before any AWS call', async () => {
    const before = proxy.calls.length;
    const r = await runCommand(['teardown', '--name', 'cl-e2e'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass --yes');
    expect(r.stderr).toContain('--dry-run');
    expect(proxy.calls.length).toBe(before);
  });

  it('teardown on a terminal asks, and "n" deletes nothing', async () => {
    const made = await runCommand(['setup', '--name', 'cl-ask'], { env: env() });
    expect(made.code, made.stderr).toBe(0);
    const r = await runCommand(['teardown', '--name', 'cl-ask'], {
      env: env(),
      stdinTTY: true,
      stderrTTY: true,
      answers: ['n'],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.ctx.prompts[0]).toMatch(/Delete these 1 resources\? \[y\/N\]/);
    expect(r.stderr).toContain('cancelled: nothing was deleted');
    const before = proxy.calls.length;
    const y = await runCommand(['teardown', '--name', 'cl-ask'], {
      env: env(),
      stdinTTY: true,
      stderrTTY: true,
      answers: ['y'],
    });
    expect(y.code, y.stderr).toBe(0);
    expect(proxy.operations().slice(before)).toContain('DeleteUserPool');
  });

  it('an invalid --name is a usage error naming the rule', async () => {
    const r = await runCommand(['setup', '--name', 'My_Pool'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid --name "My_Pool"');
    const aws = await runCommand(['setup', '--name', 'my-aws'], { env: env() });
    expect(aws.code).toBe(2);
    expect(aws.stderr).toContain('may not contain "aws"');
  });
});
