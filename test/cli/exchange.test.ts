/**
 * `exchange` input checks (exit 2 before any AWS call) and its help. The flows themselves run against the local
 * stack in exchange-stack.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/context.js';

// An endpoint nothing listens on: any AWS call would fail with exit 3, so exit 2 proves the check came first.
const env = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
};
const run = (args: string[], stdin?: string) =>
  runCommand(['exchange', ...args], { env, ...(stdin !== undefined ? { stdin } : {}) });

describe('exchange: input checks', () => {
  it.each([
    [[], 'pass --workload-name or --agent-arn'],
    [
      [
        '--workload-name',
        'w1x',
        '--agent-arn',
        'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-abcdefghij',
      ],
      "option '--workload-name <name>' cannot be used with option '--agent-arn <arn>'",
    ],
    [
      ['--workload-name', 'w1x', '--user-id', 'a', '--user-token', 'a.b.c'],
      "option '--user-id <id>' cannot be used with option '--user-token <jwt|->'",
    ],
    [
      ['--workload-name', 'w1x', '--provider', 'p', '--api-key-provider', 'k'],
      "option '--provider <name>' cannot be used with option '--api-key-provider <name>'",
    ],
    [
      ['--workload-name', 'w1x', '--scopes', 'a'],
      '--scopes, --flow, --force-auth, --custom-param, --custom-state, --resource and --audience need --provider',
    ],
    [['--workload-name', 'w1x', '--print', 'resource-token'], '--print resource-token needs --provider'],
    [['--workload-name', 'w1x', '--print', 'api-key'], '--print api-key needs --api-key-provider'],
    [['--workload-name', 'w1x', '--print', 'workload-token', '--json'], '--json and --print are mutually exclusive'],
    [
      ['--workload-name', 'w1x', '--provider', 'p', '--flow', 'user-federation'],
      '3LO (USER_FEDERATION) needs a user: pass --user-id, --user-token or --bearer',
    ],
    [
      ['--workload-name', 'w1x', '--provider', 'p', '--flow', 'm2m', '--return-url', 'http://localhost:1/cb'],
      '--return-url, --register-return-url, --custom-state, --force-auth and --no-browser apply to --flow ' +
        'user-federation',
    ],
    [
      ['--workload-name', 'w1x', '--user-id', 'a', '--provider', 'p', '--ephemeral'],
      '--ephemeral goes with --register-return-url',
    ],
    [['--workload-name', 'w1x', '--timeout', '0'], '--timeout must be a duration from 1 ms to 24 h, got "0"'],
    [['--workload-name', 'ab'], 'invalid workload identity name "ab": 3–255 characters of A-Z a-z 0-9 _ . -'],
    [['--workload-name', 'w1x', '--provider', 'bad name'], 'invalid --provider "bad name"'],
    [
      ['--workload-name', 'w1x', '--user-id', 'u', '--provider', 'p', '--return-url', 'not a url'],
      'invalid return URL "not a url"',
    ],
    [
      ['--workload-name', 'w1x', '--user-id', 'u', '--provider', 'p', '--custom-param', 'oops'],
      '--custom-param expects key=value, got "oops"',
    ],
    [['--workload-name', 'w1x', '--user-token', 'AgV4opaque'], '--user-token is not a JWT'],
    [['--agent-arn', 'arn:aws:lambda:us-east-1:123456789012:function/x'], 'not an AgentCore Runtime ARN'],
    [
      ['--workload-name', 'w1x', '--flow', 'pkce', '--provider', 'p'],
      "option '--flow <flow>' argument 'pkce' is invalid",
    ],
  ])('%j → exit 2', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('reads --user-token - from stdin (and still validates it)', async () => {
    const r = await run(['--workload-name', 'w1x', '--user-token', '-'], 'not-a-jwt\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--user-token is not a JWT');
  });

  it('reaches AWS once the inputs are valid (a refused endpoint is exit 3, not 2)', async () => {
    const r = await run(['--workload-name', 'w1x', '--user-id', 'alice']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('[1/1] GetWorkloadAccessTokenForUserId  workload=w1x userId="alice"');
    expect(r.stderr).toMatch(/✗ \d+ ms/);
  });

  it('documents the flows in --help', async () => {
    const r = await runCommand(['exchange', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--register-return-url');
    expect(r.stdout).toContain('GetWorkloadAccessTokenForJWT');
    expect(r.stdout).toContain('--print <what>');
  });
});
