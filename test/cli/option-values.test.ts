/**
 * Typed option values (issue 22 item 4, issue 28 item 6): an out-of-range number, a user id or header value no HTTP
 * header can carry, a malformed JSON object — on every command that takes them — is a usage error (exit 2) naming the
 * flag and what it accepts, raised before any call. The endpoint is one nothing listens on: a request would be exit 3.
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/context.js';

const env = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
};
const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abcDEF1234';
const GATEWAY = 'http://127.0.0.1:9/mcp';
const EMOJI = '😀';

const DURATION = /must be a duration from 1 ms to 24 h, got "1e9"/;
const USER_ID = /may hold only visible ASCII characters \(letters, digits, punctuation\) and inner spaces/;
const HEADER_VALUE = /the value may hold only visible ASCII characters and inner spaces/;

describe('out-of-range numbers and non-ASCII header values: exit 2 naming the flag', () => {
  it.each([
    ['invoke --timeout', ['invoke', ARN, '{}', '--user-id', 'alice', '--timeout', '1e9'], /--timeout/, DURATION],
    ['invoke --user-id', ['invoke', ARN, '{}', '--user-id', EMOJI], /--user-id/, USER_ID],
    ['invoke -H', ['invoke', ARN, '{}', '-H', `x:${EMOJI}`], /-H x/, HEADER_VALUE],
    ['invoke -H (line break)', ['invoke', ARN, '{}', '-H', 'x:a\r\nb: c'], /-H x/, HEADER_VALUE],
    ['invoke --traceparent', ['invoke', ARN, '{}', '--traceparent', EMOJI], /--traceparent/, HEADER_VALUE],
    ['invoke --content-type', ['invoke', ARN, '{}', '--content-type', `text/${EMOJI}`], /--content-type/, HEADER_VALUE],
    ['mcp --timeout', ['mcp', '--gateway-url', GATEWAY, '--timeout', '1e9'], /--timeout/, DURATION],
    ['mcp --user-id', ['mcp', '--agent', ARN, '--user-id', EMOJI], /--user-id/, USER_ID],
    ['mcp -H', ['mcp', '--gateway-url', GATEWAY, '-H', `tenant:${EMOJI}`], /-H tenant/, HEADER_VALUE],
    ['exchange --timeout', ['exchange', '--workload-name', 'w1x', '--timeout', '1e9'], /--timeout/, DURATION],
    ['exchange --user-id', ['exchange', '--workload-name', 'w1x', '--user-id', EMOJI], /--user-id/, USER_ID],
    [
      'exchange --poll-interval',
      ['exchange', '--workload-name', 'w1x', '--poll-interval', '1e9'],
      /--poll-interval/,
      /must be a duration from 0 ms to 1 min/,
    ],
    [
      'exchange --complete-as-user-id',
      ['exchange', '--workload-name', 'w1x', '--complete-as-user-id', `a${EMOJI}`],
      /--complete-as-user-id/,
      USER_ID,
    ],
    ['callback --timeout', ['callback', '--user-id', 'alice', '--timeout', '1e9'], /--timeout/, DURATION],
    ['callback --user-id', ['callback', '--user-id', EMOJI], /--user-id/, USER_ID],
    ['callback --port', ['callback', '--user-id', 'a', '--port', '70000'], /--port/, /whole number from 0 to 65535/],
    ['login --timeout', ['login', '--auth-flow', 'authorization-code', '--timeout', '1e9'], /--timeout/, DURATION],
    [
      'login --mfa-code',
      ['login', '--user-pool-id', 'us-east-1_abc', '--client-id', 'x', '--username', 'u', '--mfa-code', 'abc'],
      /--mfa-code/,
      /must be the 6-digit code of the authenticator/,
    ],
    ['smoke --timeout', ['smoke', 'x.yaml', '--timeout', '1e9'], /--timeout/, DURATION],
    ['smoke --concurrency', ['smoke', 'x.yaml', '--concurrency', '0'], /--concurrency/, /from 1 to 256, got "0"/],
    ['local --port', ['local', '--port', '99999'], /--port/, /whole number from 0 to 65535, got "99999"/],
    ['verify --discovery-url', ['verify', 'a.b.c', '--discovery-url', 'not-a-url'], /--discovery-url/, /http\(s\) URL/],
    [
      'login --token-endpoint',
      ['login', '--auth-flow', 'client-credentials', '--client-id', 'x', '--token-endpoint', 'ftp://h/t'],
      /--token-endpoint/,
      /must be an http\(s\) URL, got "ftp:\/\/h\/t"/,
    ],
  ])('%s', async (_name, argv, flag, accepts) => {
    const r = await runCommand(argv as string[], { env });
    expect(r.code, r.stderr).toBe(2);
    const error = r.stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '';
    expect(error).toMatch(flag);
    expect(error).toMatch(accepts);
    expect(r.stderr).not.toMatch(/internal error|TypeError|cannot reach/);
    expect(r.stdout).toBe('');
  });

  it('a 1024-character user id is a runtime user id; 1025 is not (the range is named)', async () => {
    const ok = await runCommand(['invoke', ARN, '{}', '--user-id', 'a'.repeat(1024), '--dry-run'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    const long = await runCommand(['invoke', ARN, '{}', '--user-id', 'a'.repeat(1025), '--dry-run'], { env });
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('--user-id must be 1–1024 characters, got 1025');
  });

  it('AgentCore Identity user ids stop at 128 characters', async () => {
    const r = await runCommand(['exchange', '--workload-name', 'w1x', '--user-id', 'a'.repeat(129)], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--user-id must be 1–128 characters, got 129');
  });

  it('--json: the usage error is one JSON document on stderr with exit code 2', async () => {
    const r = await runCommand(['invoke', ARN, '{}', '--user-id', EMOJI, '--json'], { env });
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stderr.trim().split('\n').at(-1)!) as { error: { code: string; exitCode: number } };
    expect(doc.error).toMatchObject({ code: 'ERR_USAGE', exitCode: 2 });
  });
});
