/**
 * Wire parity: the bearer path (raw fetch) and the real SDK's InvokeAgentRuntimeCommand (SigV4 path) send the same
 * method, path, query, headers (order included) and body for the same inputs — Authorization and the headers the
 * SDK's signer and user-agent middleware add aside. Both go to the same recording loopback server.
 */
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBearer, sendSigv4, type SendOptions } from '../../src/core/runtime/send.js';
import { parseCustomHeaders, type InvokeSpec } from '../../src/core/runtime/request.js';
import type { RuntimeTarget } from '../../src/core/runtime/target.js';
import { header, startRecorder, type Recorded, type Recorder } from '../fixtures/runtime-recorder.js';

/** Added by the SDK (signing, user agent, retry bookkeeping) or by either HTTP client (transport). */
const NOT_COMPARED = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-security-token',
  'x-amz-user-agent',
  'user-agent',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'host',
  'connection',
  'accept-encoding',
  'accept-language',
  'sec-fetch-mode',
  // Compared by value below: each HTTP client places it itself.
  'content-length',
]);

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abcDEF1234';
let rec: Recorder;
let client: BedrockAgentCoreClient;

const send: SendOptions = {
  signal: new AbortController().signal,
  runSignal: new AbortController().signal,
  timeoutMs: 10_000,
  sleep: async () => undefined,
};

beforeAll(async () => {
  rec = await startRecorder((_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'x-amzn-bedrock-agentcore-runtime-session-id': 'from-service',
    });
    res.end('data: "ok"\n\n');
  });
  client = new BedrockAgentCoreClient({
    region: 'us-east-1',
    endpoint: rec.url,
    credentials: {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      sessionToken: 'session-token-xyz',
    },
  });
});
afterAll(async () => {
  client.destroy();
  await rec.close();
});

function spec(over: Partial<InvokeSpec> = {}, target: Partial<RuntimeTarget> = {}): InvokeSpec {
  return {
    target: {
      pathLabel: ARN,
      arn: ARN,
      runtimeId: 'my_agent-abcDEF1234',
      region: 'us-east-1',
      qualifier: 'DEFAULT',
      source: 'ARN',
      ...target,
    },
    region: 'us-east-1',
    payload: new TextEncoder().encode('{"prompt":"hello"}'),
    contentType: 'application/json',
    accept: 'application/json, text/event-stream',
    sessionId: 'agentcore-auth-00000000-0000-4000-8000-000000000000',
    customHeaders: [],
    ...over,
  };
}

async function both(s: InvokeSpec): Promise<{ sdk: Recorded; raw: Recorded }> {
  const before = rec.requests.length;
  const a = await sendSigv4(client, s, send);
  for await (const _ of a.body) void _;
  const b = await sendBearer(globalThis.fetch, s, rec.url, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', send);
  for await (const _ of b.body) void _;
  expect(rec.requests.length).toBe(before + 2);
  return { sdk: rec.requests[before]!, raw: rec.requests[before + 1]! };
}

const compared = (r: Recorded) => r.headers.filter(([k]) => !NOT_COMPARED.has(k));

function expectSameWire(sdk: Recorded, raw: Recorded): void {
  expect(raw.method).toBe(sdk.method);
  expect(raw.rawPath).toBe(sdk.rawPath);
  expect(raw.query.toString()).toBe(sdk.query.toString());
  expect(compared(raw)).toEqual(compared(sdk));
  expect(header(raw, 'content-length')).toBe(header(sdk, 'content-length'));
  expect(raw.body.equals(sdk.body)).toBe(true);
  expect(header(sdk, 'authorization')).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock-agentcore\/aws4_request/,
  );
  expect(header(raw, 'authorization')).toBe('Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');
  expect(header(raw, 'x-amz-date')).toBeUndefined();
  expect(header(raw, 'x-amz-security-token')).toBeUndefined();
}

describe('bearer request = SDK request (Authorization aside)', () => {
  it('full ARN: path label percent-encoded, qualifier in the query', async () => {
    const { sdk, raw } = await both(spec());
    expectSameWire(sdk, raw);
    expect(raw.rawPath).toBe(`/runtimes/${encodeURIComponent(ARN)}/invocations`);
    expect(raw.rawPath).toContain(
      'arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2Fmy_agent-abcDEF1234',
    );
    expect(raw.query.get('qualifier')).toBe('DEFAULT');
    expect(header(raw, 'x-amzn-bedrock-agentcore-runtime-session-id')).toBe(
      'agentcore-auth-00000000-0000-4000-8000-000000000000',
    );
  });

  it('every optional header: user id, trace, MCP, custom (prefixed), in the SDK order', async () => {
    const s = spec({
      userId: 'alice@example.com',
      traceId: 'Root=1-67891233-abcdef012345678912345678',
      traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      traceState: 'rojo=00f067aa0ba902b7',
      baggage: 'userId=alice',
      mcp: { sessionId: 'mcp-1', protocolVersion: '2025-03-26', method: 'tools/call', name: 'get_weather' },
      customHeaders: parseCustomHeaders(['tenant:acme', 'X-Amzn-Bedrock-AgentCore-Runtime-Custom-Trace:7']),
    });
    const { sdk, raw } = await both(s);
    expectSameWire(sdk, raw);
    expect(header(sdk, 'x-amzn-bedrock-agentcore-runtime-custom-tenant')).toBe('acme');
    expect(header(raw, 'x-amzn-bedrock-agentcore-runtime-user-id')).toBe('alice@example.com');
    expect(header(raw, 'mcp-name')).toBe('get_weather');
    // The custom headers are signed on the SigV4 path (added before signing).
    expect(header(sdk, 'authorization')).toMatch(/SignedHeaders=[^,]*x-amzn-bedrock-agentcore-runtime-custom-tenant/);
  });

  it('runtime id + accountId, another qualifier', async () => {
    const { sdk, raw } = await both(
      spec({}, { pathLabel: 'my_agent-abcDEF1234', arn: undefined, accountId: '123456789012', qualifier: 'prod' }),
    );
    expectSameWire(sdk, raw);
    expect(raw.rawPath).toBe('/runtimes/my_agent-abcDEF1234/invocations');
    expect(raw.query.get('accountId')).toBe('123456789012');
    expect(raw.query.get('qualifier')).toBe('prod');
  });

  it('holds for arbitrary header values and payloads (property)', async () => {
    const printable = fc
      .string({ minLength: 1, maxLength: 40, unit: fc.constantFrom(...'abcXYZ019-_.:/@=+ '.split('')) })
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          userId: fc.option(printable, { nil: undefined }),
          sessionSuffix: fc.stringMatching(/^[a-zA-Z0-9-]{0,40}$/),
          custom: fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), printable), { maxLength: 3 }),
          payload: fc.string({ maxLength: 200 }),
          contentType: fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'),
        }),
        async (v) => {
          const names = new Set<string>();
          const custom = v.custom
            .filter(([k]) => !names.has(k) && names.add(k) && !k.startsWith('x-amz'))
            .map(([k, val]) => `${k}:${val}`);
          const s = spec({
            ...(v.userId !== undefined ? { userId: v.userId } : {}),
            sessionId: `session-0123456789-0123456789-0123${v.sessionSuffix}`,
            customHeaders: parseCustomHeaders(custom),
            payload: new TextEncoder().encode(v.payload),
            contentType: v.contentType,
          });
          const { sdk, raw } = await both(s);
          expectSameWire(sdk, raw);
        },
      ),
      { numRuns: 15 },
    );
  });
});
