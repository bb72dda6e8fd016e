/**
 * `invoke ARN -` reads stdin as bytes (issue 28, item 1): a binary payload reaches the agent exactly as
 * `--payload-file` sends the same file (the local stack recomputes the SigV4 signature over the body it received, so
 * exit 0 means the signed body hash is that of the file's bytes); without --content-type, stdin that is not UTF-8 is
 * refused with exit 2 naming --content-type and --payload-file, and nothing is sent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { startRecorder, type Recorder } from '../fixtures/runtime-recorder.js';
import { runCommand } from '../helpers/context.js';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/bin_agent-test000009';
let agent: Recorder;
let stack: LocalStack;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'aca-stdin-'));
// Bytes that are not UTF-8 (a lone continuation byte, 0xff, a truncated sequence) around random ones.
const BINARY = Buffer.concat([Buffer.from([0x80, 0xff, 0xfe, 0xc3]), randomBytes(4096), Buffer.from([0xe2, 0x82])]);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  agent = await startRecorder();
  stack = await startLocalStack({
    port: 0,
    config: { agents: [{ name: 'bin_agent', id: 'bin_agent-test000009', agentUrl: agent.url }] },
  });
  env = stack.env;
});
afterAll(async () => {
  await stack?.close();
  await agent?.close();
});
beforeEach(() => {
  agent.requests.length = 0;
});

const invocations = () => agent.requests.filter((r) => r.path === '/invocations');

it('binary stdin with --content-type reaches the agent byte for byte, as --payload-file sends the file', async () => {
  const file = join(dir, 'payload.bin');
  writeFileSync(file, BINARY);
  const type = ['--content-type', 'application/octet-stream', '--user-id', 'alice'];
  const viaStdin = await runCommand(['invoke', ARN, '-', ...type], { env, stdin: BINARY });
  expect(viaStdin.code, viaStdin.stderr).toBe(0);
  const viaFile = await runCommand(['invoke', ARN, '--payload-file', file, ...type], { env });
  expect(viaFile.code, viaFile.stderr).toBe(0);
  const [a, b] = invocations();
  expect(sha256(a!.body)).toBe(sha256(BINARY));
  expect(sha256(b!.body)).toBe(sha256(BINARY));
  expect(a!.headers.find(([k]) => k === 'content-type')?.[1]).toBe('application/octet-stream');
});

it('binary stdin without --content-type: exit 2 naming --content-type and --payload-file, nothing sent', async () => {
  const r = await runCommand(['invoke', ARN, '-', '--user-id', 'alice'], { env, stdin: BINARY });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^error: the payload on stdin is not UTF-8 text/m);
  expect(r.stderr).toMatch(/^hint: .*--content-type.*--payload-file/m);
  expect(r.stderr).not.toContain('\uFFFD');
  expect(invocations()).toHaveLength(0);
});

it('UTF-8 JSON on stdin is sent as read (non-ASCII text kept); text is still wrapped', async () => {
  const json = Buffer.from('{"prompt":"grüße 😀"}\n', 'utf8');
  const r = await runCommand(['invoke', ARN, '-', '--user-id', 'alice'], { env, stdin: json });
  expect(r.code, r.stderr).toBe(0);
  expect(Buffer.compare(invocations()[0]!.body, json)).toBe(0);
  const text = await runCommand(['invoke', ARN, '-', '--user-id', 'alice'], { env, stdin: 'héllo\n' });
  expect(text.code, text.stderr).toBe(0);
  expect(invocations()[1]!.body.toString('utf8')).toBe('{"prompt":"héllo"}');
});

it('--dry-run of binary stdin prints curl reading stdin (@-), and --json gives the body as base64', async () => {
  const args = ['invoke', ARN, '-', '--content-type', 'application/octet-stream', '--user-id', 'alice', '--dry-run'];
  const r = await runCommand(args, { env, stdin: BINARY });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/--data-binary @'?-'?$/m);
  const j = await runCommand([...args, '--json'], { env, stdin: BINARY });
  const out = JSON.parse(j.stdout) as { request: { bodyBase64: string; body?: string } };
  expect(Buffer.from(out.request.bodyBase64, 'base64').equals(BINARY)).toBe(true);
  expect(out.request.body).toBeUndefined();
  expect(invocations()).toHaveLength(0);
});
