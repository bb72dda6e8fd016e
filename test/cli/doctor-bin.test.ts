/**
 * The built binary (bin/agentcore-auth.js → dist/) in a real process: `doctor` and `verify --agent-arn` against the
 * local stack load the AWS SDK, and nothing of the SDK's or oidc-provider's noise may reach stderr; `explain` with an
 * unknown message exits 1. Needs dist/ (npm test builds it first).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'agentcore-auth.js');
let stack: LocalStack;
let home: string;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'bin.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  stack = await startLocalStack({});
  home = mkdtempSync(join(tmpdir(), 'aca-doctor-bin-'));
});
afterAll(async () => {
  await stack?.close();
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A clean environment: no AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, so the binary itself must keep quiet.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      XDG_CACHE_HOME: join(home, '.cache'),
      NO_COLOR: '1',
      ...stack.env,
    };
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const agentArn = (name: string) =>
  `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/` +
  stack.agents.find((a) => a.name === name)!.id;

describe('the binary', () => {
  it('doctor: the checklist on stdout, nothing on stderr', async () => {
    const r = await run(['doctor', '--agent-arn', agentArn('sigv4_agent'), '--provider', 'local-3lo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ runtime sigv4_agent is READY — READY');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('all checks passed');
  });

  it('verify --agent-arn on a SigV4 agent: exit 4, verdict on stdout, nothing on stderr', async () => {
    const token = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    const r = await run(['verify', token, '--agent-arn', agentArn('sigv4_agent')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^would be rejected: authorizer — agent sigv4_agent has no customJWTAuthorizer/);
  });

  it('explain: exit 2 for an unknown message, 0 with cause and fix for a known one', async () => {
    const unknown = await run(['explain', 'no such thing']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: unknown message: agentcore-auth does not know "no such thing"');
    const known = await run(['explain', 'Workload access token has not been set.']);
    expect(known.code).toBe(0);
    expect(known.stdout).toMatch(/^wat-not-set — /);
  });
});
