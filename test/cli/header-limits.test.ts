/**
 * Header lengths checked on the CLI side (issue 28, item 10), as InvokeAgentRuntime limits them: --trace-id and
 * --traceparent 128, --tracestate 512, --baggage 8192 (exit 2 naming the flag, nothing sent; at the limit, sent as
 * given), on invoke and mcp; and an Mcp-Session-Id over 1024 characters from the agent ends the MCP session with the
 * reason instead of a request AgentCore would refuse.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { header, recorderEnv, startRecorder, type Recorder } from '../fixtures/runtime-recorder.js';
import { runCommand } from '../helpers/context.js';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abcDEF1234';
let rec: Recorder;
let env: Record<string, string>;

beforeAll(async () => {
  rec = await startRecorder();
  env = recorderEnv(rec.url);
});
afterAll(async () => {
  await rec.close();
});
beforeEach(() => {
  rec.requests.length = 0;
  rec.respond((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});

const LIMITS: Array<[string, string, number]> = [
  ['--trace-id', 'x-amzn-trace-id', 128],
  ['--traceparent', 'traceparent', 128],
  ['--tracestate', 'tracestate', 512],
  ['--baggage', 'baggage', 8192],
];

describe.each(LIMITS)('%s (header %s): at most %i characters', (flag, name, max) => {
  it('one over: exit 2 naming the flag and the limit, nothing sent (invoke and mcp)', async () => {
    const r = await runCommand(['invoke', ARN, '{}', '--user-id', 'a', flag, 'a'.repeat(max + 1)], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${flag} is ${max + 1} characters; AgentCore accepts at most ${max}`);
    const m = await runCommand(
      ['mcp', '--gateway-url', `${rec.url}/mcp`, '--bearer-token', 'x.y.z', flag, 'a'.repeat(max + 1)],
      { env },
    );
    expect(m.code).toBe(2);
    expect(m.stderr).toContain(`error: ${flag} is ${max + 1} characters`);
    expect(rec.requests).toHaveLength(0);
  });

  it('at the limit: sent as given', async () => {
    const r = await runCommand(['invoke', ARN, '{}', '--user-id', 'a', flag, 'b'.repeat(max)], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(header(rec.requests[0]!, name)).toBe('b'.repeat(max));
  });
});

it('an agent whose Mcp-Session-Id is over 1024 characters: the session stops with the reason (exit 3)', async () => {
  rec.respond((req, res) => {
    const body = JSON.parse(req.body.toString('utf8')) as { id?: number };
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's'.repeat(1025) });
    res.end(
      JSON.stringify({ jsonrpc: '2.0', id: body.id, result: { protocolVersion: '2025-03-26', capabilities: {} } }),
    );
  });
  const r = await runCommand(['invoke', ARN, '--mcp', '--user-id', 'a'], { env });
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).toContain(
    "error: the agent's Mcp-Session-Id is 1025 characters; InvokeAgentRuntime accepts at most 1024",
  );
  expect(rec.requests).toHaveLength(1);
});
