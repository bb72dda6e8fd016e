/**
 * The CLI refuses a payload over InvokeAgentRuntime's 100 MB limit before sending anything (issue 12: a 120 MB
 * --payload-file used to end in "cannot reach … (connection reset)"): exit 2 naming the size, the limit and what to do,
 * on both inbound paths, for a file (checked by its size: a sparse file, never read) and stdin; and core's
 * invokeOnce (also what `mcp --agent` sends through) refuses before any request.
 */
import { closeSync, openSync, ftruncateSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { invokeOnce } from '../../src/core/runtime/invoker.js';
import { LIMITS, MESSAGES } from '../../src/wire.js';
import { runCommand } from '../helpers/context.js';
import { startRecorder, type Recorder, STAND_IN_ACCESS_TOKEN, recorderEnv } from '../fixtures/runtime-recorder.js';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abcDEF1234';
const TOKEN = STAND_IN_ACCESS_TOKEN;
const LIMIT = LIMITS.payloadMax;

let rec: Recorder;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'aca-payload-limit-'));

/** A file of `size` bytes that takes no disk space and no time to make. */
function sparseFile(name: string, size: number): string {
  const file = join(dir, name);
  const fd = openSync(file, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  return file;
}

beforeAll(async () => {
  rec = await startRecorder();
  env = recorderEnv(rec.url);
});
afterAll(async () => {
  await rec.close();
});
beforeEach(() => {
  rec.requests.length = 0;
});

function expectRefused(r: { code: number; stderr: string }, what: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).toContain(`InvokeAgentRuntime accepts at most 100 MB (${LIMIT} bytes)`);
  expect(r.stderr).toMatch(/^hint: .*not adjustable/m);
  expect(r.stderr).not.toContain('cannot reach');
  expect(rec.requests).toHaveLength(0);
}

describe.each([
  ['sigv4', ['--user-id', 'alice']],
  ['bearer', ['--bearer-token', TOKEN]],
])('%s path: payload over the limit', (_mode, flags) => {
  it('--payload-file of 120 MB: exit 2 before anything is sent', async () => {
    const file = sparseFile('big-120.bin', 120 * 1024 * 1024);
    const r = await runCommand(['invoke', ARN, '--payload-file', file, ...flags], { env });
    expectRefused(
      r,
      new RegExp(`--payload-file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is 125\\.8 MB \\(125829120 bytes\\)`),
    );
  });

  it('--payload-file one byte over: refused; --dry-run too', async () => {
    const file = sparseFile('big-limit-plus-1.bin', LIMIT + 1);
    expectRefused(
      await runCommand(['invoke', ARN, '--payload-file', file, ...flags], { env }),
      /is 100\.0 MB \(100000001 bytes\)/,
    );
    expectRefused(
      await runCommand(['invoke', ARN, '--payload-file', file, '--dry-run', ...flags], { env }),
      /100000001 bytes/,
    );
  });
});

it('stdin: plain text just under the limit is refused once wrapped in {"prompt": …} (counted as sent)', async () => {
  const r = await runCommand(['invoke', ARN, '-', '--user-id', 'alice'], { env, stdin: 'a'.repeat(LIMIT - 5) });
  expectRefused(r, /^error: the payload is 100\.0 MB \(100000008 bytes\)/m);
});

it('core invokeOnce (every runtime call, mcp --agent included) refuses before sending', async () => {
  let called = 0;
  const fetch = (async () => {
    called++;
    throw new Error('must not be called');
  }) as unknown as typeof globalThis.fetch;
  const err = await invokeOnce(
    {
      mode: 'bearer',
      token: TOKEN,
      agentcore: async () => {
        throw new Error('must not be called');
      },
      fetch,
      baseUrl: rec.url,
      send: { timeoutMs: 5000 },
    } as unknown as Parameters<typeof invokeOnce>[0],
    {
      target: { arn: ARN, pathLabel: ARN, region: 'us-east-1' } as never,
      region: 'us-east-1',
      payload: new Uint8Array(LIMIT + 1),
      contentType: 'application/json',
      accept: 'application/json',
      sessionId: 's'.repeat(40),
      customHeaders: [],
    },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentcoreAuthError);
  expect((err as AgentcoreAuthError).exitCode).toBe(2);
  expect((err as AgentcoreAuthError).message).toContain(`at most 100 MB (${LIMIT} bytes)`);
  expect(called).toBe(0);
});

it.each([
  ['sigv4', ['--user-id', 'alice']],
  ['bearer', ['--bearer-token', TOKEN]],
])(
  '%s: a 413 from the service (its limit counted another way) reads as the payload limit, exit 3, not a dead server',
  async (_mode, flags) => {
    rec.respond((_q, res) => {
      res.writeHead(413, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ValidationException',
        'x-amzn-requestid': 'req-413',
      });
      res.end(JSON.stringify({ message: MESSAGES.payloadTooLarge }));
    });
    try {
      const r = await runCommand(['invoke', ARN, '{"prompt":"hi"}', ...flags], { env });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(MESSAGES.payloadTooLarge);
      expect(r.stderr).toMatch(/^hint: .*100 MB/m);
      expect(r.stderr).not.toContain('cannot reach');
    } finally {
      rec.respond((_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    }
  },
);
