/**
 * Bad input caught before the network, and the inbound line always saying something (issue 12): `mcp --input '{bad'`
 * used to be parsed only after `initialize`; `--bearer-token a.b.c` printed an auth line ending in a blank.
 * A recording loopback server stands in for the data plane and the gateway, so "nothing was sent" is checked.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/context.js';
import { startRecorder, type Recorder, STAND_IN_ACCESS_TOKEN } from '../fixtures/runtime-recorder.js';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abcDEF1234';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const TOKEN = STAND_IN_ACCESS_TOKEN;

let rec: Recorder;
let env: Record<string, string>;

beforeAll(async () => {
  rec = await startRecorder();
  env = {
    AWS_ENDPOINT_URL: rec.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secretsecretsecret',
  };
});
afterAll(async () => {
  await rec.close();
});
beforeEach(() => {
  rec.requests.length = 0;
});

describe('mcp --input is checked before any request', () => {
  it.each([
    ['--gateway-url, bearer', () => ['--gateway-url', `${rec.url}/mcp`, '--bearer-token', TOKEN]],
    ['--agent, SigV4', () => ['--agent', ARN, '--user-id', 'alice']],
  ])('%s: {bad → exit 2, nothing sent', async (_name, target) => {
    const r = await runCommand(['mcp', ...target(), '--call', 'add', '--input', '{bad'], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: --input is not JSON: /m);
    expect(r.stderr).not.toContain('initialize');
    expect(rec.requests).toHaveLength(0);
  });

  it('a JSON value that is not an object: exit 2, nothing sent', async () => {
    const r = await runCommand(
      ['mcp', '--gateway-url', `${rec.url}/mcp`, '--bearer-token', TOKEN, '--call', 'add', '--input', '[1,2]'],
      { env },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--input must be a JSON object');
    expect(rec.requests).toHaveLength(0);
  });
});

describe('the auth line describes the bearer token, never ends blank', () => {
  it.each([
    ['a.b.c (three parts, not JSON)', 'a.b.c', /— --bearer-token \(not a JWT: its payload is not base64url JSON\)$/m],
    [
      'a JWT without token_use or exp',
      `${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`,
      /— --bearer-token \(a JWT without token_use or exp claims\)$/m,
    ],
    ['a Cognito access token', TOKEN, /— --bearer-token \(access token, expires in \d+ min\)$/m],
  ])('%s', async (_name, token, line) => {
    const r = await runCommand(['invoke', ARN, '{}', '--bearer-token', token], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(line);
    for (const l of r.stderr.split('\n')) expect(l, JSON.stringify(l)).not.toMatch(/\s$/);
  });
});
