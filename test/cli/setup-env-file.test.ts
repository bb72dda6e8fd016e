/**
 * `setup --write-env` and reruns (issue 28, item 5), against the local stack: a path that cannot be written is exit 2
 * before the first AWS call (a recording proxy sees none; nothing is created); a rerun says the password was reset
 * and rewrites the env file it is given (login works with the new one); `--json`'s `next.login` is a command that
 * reads the secrets from variables, never one with masked values in it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { createTestContext, runCommand } from '../helpers/context.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';

let stack: LocalStack;
let proxy: RecordingProxy;
beforeAll(async () => {
  stack = await startLocalStack();
  proxy = await startRecordingProxy(stack.url);
});
afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});

const env = () => ({
  ...stack.env,
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: proxy.url,
  AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: proxy.url,
});

function parseEnvFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('--write-env is checked before the first AWS call', () => {
  it.each([
    ['missing/dir/x.env', /the directory .*missing\/dir does not exist/, /mkdir -p .*missing\/dir/],
    ['.', /is a directory/, /Give a file path/],
    ['afile/x.env', /.*afile is not a directory/, /Pick another path/],
  ])('%s: exit 2, nothing sent, nothing created', async (path, why, fix) => {
    const ctx = createTestContext({ env: env() });
    writeFileSync(join(ctx.cwd, 'afile'), 'x');
    const calls = proxy.calls.length;
    const r = await runCommand(['setup', '--name', 'nowrite', '--write-env', path], ctx);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: --write-env ${path.replace('.', '\\.')}: ${why.source}`, 'm'));
    expect(r.stderr).toMatch(new RegExp(`^hint: .*${fix.source}.* Nothing was created\\.`, 'm'));
    expect(proxy.calls.length).toBe(calls);
  });
});

describe('a rerun', () => {
  it('says the password was reset, rewrites the env file it is given, and login works with the new one', async () => {
    const ctx = createTestContext({ env: env() });
    const envFile = join(ctx.homedir, 'dev.env');
    const first = await runCommand(['setup', '--name', 'rerun', '--write-env', envFile], ctx);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain('password was reset');
    const before = parseEnvFile(envFile).AGENTCORE_AUTH_PASSWORD;

    const plain = await runCommand(['setup', '--name', 'rerun'], createTestContext({ env: env() }));
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(
      new RegExp(
        '^warning: the test user test-user already existed: its password was reset \\(Cognito never returns the ' +
          'old one\\), so an env file written by an earlier setup now holds the old one: pass --write-env FILE to ' +
          'rewrite it$',
        'm',
      ),
    );

    const again = await runCommand(['setup', '--name', 'rerun', '--write-env', envFile], ctx);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      `its password was reset (Cognito never returns the old one), so ${envFile} was rewritten`,
    );
    const fileEnv = parseEnvFile(envFile);
    expect(fileEnv.AGENTCORE_AUTH_PASSWORD).not.toBe(before);
    const login = await runCommand(['login'], { env: { ...fileEnv, ...stack.env } });
    expect(login.code, login.stderr).toBe(0);
    expect((await runCommand(['teardown', '--name', 'rerun', '--yes'], { env: env() })).code).toBe(0);
  });
});

describe('next.login', () => {
  it('--json: a command reading the secrets from the variables it names; no masked value in any command', async () => {
    const r = await runCommand(['setup', '--name', 'nextjson', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      userPool: { id: string };
      clients: { app: { clientId: string } };
      next: { login: string[]; loginNeeds?: Record<string, string>; m2m: string };
    };
    expect(out.next.login).toEqual([
      `agentcore-auth login --user-pool-id ${out.userPool.id} --client-id ${out.clients.app.clientId} ` +
        '--username test-user',
    ]);
    expect(Object.keys(out.next.loginNeeds ?? {})).toEqual(['AGENTCORE_AUTH_CLIENT_SECRET', 'AGENTCORE_AUTH_PASSWORD']);
    expect(JSON.stringify(out.next)).not.toMatch(/…|\[\d+ chars\]/);

    // The command works as printed once the variables hold the values (here from --show-secrets).
    const shown = await runCommand(['setup', '--name', 'nextjson', '--json', '--show-secrets'], { env: env() });
    const s = JSON.parse(shown.stdout) as {
      clients: { app: { clientSecret: { value: string } } };
      user: { password: { value: string } };
      next: { login: string[]; loginNeeds?: unknown };
    };
    expect(s.next.loginNeeds).toBeUndefined();
    expect(s.next.login[0]).toBe(
      `export AGENTCORE_AUTH_CLIENT_SECRET=${s.clients.app.clientSecret.value} ` +
        `AGENTCORE_AUTH_PASSWORD=${s.user.password.value}`,
    );
    const argv = s.next.login[1]!.split(' ').slice(1);
    const login = await runCommand(argv, {
      env: {
        ...stack.env,
        AGENTCORE_AUTH_CLIENT_SECRET: s.clients.app.clientSecret.value,
        AGENTCORE_AUTH_PASSWORD: s.user.password.value,
      },
    });
    expect(login.code, login.stderr).toBe(0);
    expect((await runCommand(['teardown', '--name', 'nextjson', '--yes'], { env: env() })).code).toBe(0);
  });
});
