/**
 * One region resolution for every command (issue 28, item 4): --region > AWS_REGION > AWS_DEFAULT_REGION > the AWS
 * profile's region (AWS_CONFIG_FILE, `[default]` or `[profile X]`) > the ARN. `invoke` with a bare runtime id and
 * `mcp --gateway-url` find the profile's region; `doctor` names the real source; `--profile nosuch` names the profile
 * and the files read. Every context is built from an explicit env (the stack's, minus its AWS_REGION).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { runCommand } from '../helpers/context.js';

let stack: LocalStack;
let home: string;
/** The stack's endpoints and keys, no region variable. */
let base: Record<string, string | undefined>;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  home = mkdtempSync(join(tmpdir(), 'aca-region-'));
  base = { ...stack.env, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined };
});
afterAll(async () => {
  await stack?.close();
});

function configFile(text: string): string {
  const file = join(mkdtempSync(join(home, 'cfg-')), 'config');
  writeFileSync(file, text);
  return file;
}

const runtimeId = () => stack.agents.find((a) => a.name === 'sigv4_agent')!.id;
const arn = (region: string) => `arn:aws:bedrock-agentcore:${region}:${stack.accountId}:runtime/${runtimeId()}`;
const lineOf = (out: string, label: string) => out.split('\n').find((l) => l.includes(label));

describe('the profile file region', () => {
  it('invoke with a bare runtime id: the region of [default] in AWS_CONFIG_FILE', async () => {
    const env = { ...base, AWS_CONFIG_FILE: configFile('# mine\n[default]\nregion = us-east-1\n') };
    const r = await runCommand(['invoke', runtimeId(), '{"a":1}', '--account-id', stack.accountId], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('no AWS region');
  });

  it('--profile dev: its region and its keys, from [profile dev] and the credentials file', async () => {
    const credentials = join(home, 'credentials-dev');
    writeFileSync(
      credentials,
      `[dev]\naws_access_key_id = ${stack.credentials.accessKeyId}\n` +
        `aws_secret_access_key = ${stack.credentials.secretAccessKey}\n`,
    );
    const env = {
      ...base,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_CONFIG_FILE: configFile('[default]\nregion = eu-west-3\n[profile dev]\nregion = us-east-1\n'),
      AWS_SHARED_CREDENTIALS_FILE: credentials,
    };
    const r = await runCommand(['--profile', 'dev', 'invoke', runtimeId(), '{}', '--account-id', stack.accountId], {
      env,
      home,
    });
    expect(r.code, r.stderr).toBe(0);
    const d = await runCommand(['doctor', '--profile', 'dev'], { env });
    expect(lineOf(d.stdout, 'AWS region resolves')).toBe(
      `✓ AWS region resolves — us-east-1 (from profile dev in ${env.AWS_CONFIG_FILE})`,
    );
  });

  it('mcp --gateway-url on a loopback URL (no region in it): the profile region', async () => {
    const env = { ...base, AWS_CONFIG_FILE: configFile('[default]\nregion = us-east-1\n') };
    const client = stack.userPool.clients.find((c) => !c.clientSecret)!;
    const user = stack.userPool.users.find((u) => !u.temporaryPassword)!;
    const login = await runCommand(
      ['login', '--client-id', client.clientId, '--username', user.username, '--password', user.password],
      { env, home },
    );
    expect(login.code, login.stderr).toBe(0);
    const url = `${stack.url}/gateways/${stack.gateways[0]!.gatewayId}/mcp`;
    const r = await runCommand(['mcp', '--gateway-url', url, '--bearer'], { env, home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('no AWS region');
  });
});

describe('the order, as doctor names it', () => {
  const cfg = () => configFile('[default]\nregion = ap-south-1\n');
  it.each([
    [{ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-west-1' }, [], 'us-east-1 (from AWS_REGION)'],
    [{ AWS_DEFAULT_REGION: 'us-east-1' }, [], 'us-east-1 (from AWS_DEFAULT_REGION)'],
    [{ AWS_REGION: 'eu-west-1' }, ['--region', 'us-east-1'], 'us-east-1 (from --region)'],
  ])('%j %j → %s', async (vars, flags, expected) => {
    const r = await runCommand(['doctor', ...flags], { env: { ...base, AWS_CONFIG_FILE: cfg(), ...vars } });
    expect(lineOf(r.stdout, 'AWS region resolves')).toBe(`✓ AWS region resolves — ${expected}`);
  });

  it('the ARN only when nothing else has a region; a differing ARN is a warning line', async () => {
    const none = await runCommand(['doctor', '--agent-arn', arn('us-east-1')], { env: base });
    expect(none.code, none.stdout).toBe(0);
    expect(lineOf(none.stdout, 'AWS region resolves')).toBe('✓ AWS region resolves — us-east-1 (from the agent ARN)');
    const other = await runCommand(['doctor', '--agent-arn', arn('eu-west-1')], {
      env: { ...base, AWS_CONFIG_FILE: configFile('[default]\nregion = us-east-1\n') },
    });
    expect(lineOf(other.stdout, 'AWS region resolves')).toMatch(/us-east-1 \(from profile default in .*config\)$/);
    expect(lineOf(other.stdout, "the agent ARN's region")).toBe(
      "! the agent ARN's region is the region used — the ARN is in eu-west-1, calls go to us-east-1 — fix: " +
        'pass --region eu-west-1 (or unset the region that wins) to check the agent where it runs',
    );
  });
});

describe('--profile nosuch', () => {
  it('names the profile and the files read: exit 2 before any call', async () => {
    // No AWS_SHARED_CREDENTIALS_FILE: the default, ~/.aws/credentials, is read.
    const env = {
      ...base,
      AWS_CONFIG_FILE: configFile('[default]\nregion = us-east-1\n'),
      AWS_SHARED_CREDENTIALS_FILE: undefined,
    };
    const r = await runCommand(['--profile', 'nosuch', 'invoke', runtimeId(), '{}', '--account-id', stack.accountId], {
      env,
      home,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error: AWS profile "nosuch" not found (read ${env.AWS_CONFIG_FILE} and ${join(home, '.aws', 'credentials')})`,
    );
    expect(r.stderr).toMatch(/^hint: .*aws configure list-profiles/m);
  });

  it('AWS_PROFILE=nosuch with a region exported and no keys: the credentials name it', async () => {
    const keys = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
    const r = await runCommand(['invoke', arn('us-east-1'), '{}'], {
      env: { ...base, ...keys, AWS_REGION: 'us-east-1', AWS_PROFILE: 'nosuch' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AWS profile "nosuch" not found');
  });
});
