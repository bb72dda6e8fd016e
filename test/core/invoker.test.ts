/**
 * core/runtime/invoker.ts with one Inbound: the bearer path sends the Inbound's token; a failure while the answer is
 * read is classified by the invoker (not by the command): connection reset → ERR_NETWORK naming the endpoint, the
 * run's --timeout → ERR_TIMEOUT, Ctrl-C → ERR_INTERRUPTED, our own errors unchanged. Also the pieces of the Inbound
 * other modules read: the headers a dry run shows and who completes a 3LO session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { sessionStarter, type Inbound } from '../../src/core/runtime/inbound.js';
import { invokeAndRead, type InvokerDeps } from '../../src/core/runtime/invoker.js';
import { requestHeaders, type InvokeSpec } from '../../src/core/runtime/request.js';
import type { SendOptions } from '../../src/core/runtime/send.js';
import { header, startRecorder, type Recorder } from '../fixtures/runtime-recorder.js';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abcDEF1234';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const spec: InvokeSpec = {
  target: {
    pathLabel: ARN,
    arn: ARN,
    runtimeId: 'my_agent-abcDEF1234',
    region: 'us-east-1',
    qualifier: 'DEFAULT',
    source: 'ARN',
  },
  region: 'us-east-1',
  payload: new TextEncoder().encode('{"prompt":"hi"}'),
  contentType: 'application/json',
  accept: 'application/json, text/event-stream',
  sessionId: 'agentcore-auth-00000000-0000-4000-8000-000000000000',
  customHeaders: [],
};

let rec: Recorder;
beforeAll(async () => {
  rec = await startRecorder();
});
afterAll(async () => {
  await rec.close();
});

function send(over: Partial<SendOptions> = {}): SendOptions {
  return {
    signal: new AbortController().signal,
    runSignal: new AbortController().signal,
    timeoutMs: 10_000,
    sleep: async () => undefined,
    ...over,
  };
}

function deps(inbound: Inbound, s: SendOptions = send()): InvokerDeps {
  return {
    inbound,
    agentcore: () => Promise.reject(new Error('the bearer path uses no SDK client')),
    fetch: globalThis.fetch,
    baseUrl: rec.url,
    send: s,
  };
}

const bearer: Inbound = { mode: 'bearer', token: TOKEN, tokenSource: 'flag', why: '--bearer-token' };

/** Read the whole body as text. */
async function text(res: { body: AsyncIterable<Uint8Array> }): Promise<string> {
  let t = '';
  for await (const c of res.body) t += Buffer.from(c).toString('utf8');
  return t;
}

describe('invokeAndRead', () => {
  it('sends the Inbound token and hands the answer to the reader', async () => {
    rec.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const { res, read } = await invokeAndRead(deps(bearer), spec, text);
    expect(res.status).toBe(200);
    expect(read).toBe('{"ok":true}');
    expect(header(rec.requests.at(-1)!, 'authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('a connection reset while reading is ERR_NETWORK naming the endpoint', async () => {
    rec.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: "first"\n\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await invokeAndRead(deps(bearer), spec, text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentcoreAuthError);
    expect((err as AgentcoreAuthError).code).toBe('ERR_NETWORK');
    expect((err as AgentcoreAuthError).message).toContain(new URL(rec.url).host);
  });

  it('the run timing out while reading is ERR_TIMEOUT; Ctrl-C is ERR_INTERRUPTED', async () => {
    rec.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: "first"\n\n'); // then nothing: the answer hangs until the client gives up
    });
    const timeout = new AbortController();
    const timedOut = invokeAndRead(
      deps(bearer, send({ signal: timeout.signal, timeoutMs: 1234 })),
      spec,
      async (res) => {
        const it = res.body[Symbol.asyncIterator]();
        await it.next();
        timeout.abort();
        return it.next();
      },
    ).catch((e: unknown) => e);
    expect(await timedOut).toMatchObject({
      code: 'ERR_TIMEOUT',
      message: 'InvokeAgentRuntime (reading the answer) did not finish within 1234 ms (--timeout)',
    });

    const run = new AbortController();
    const interrupted = invokeAndRead(
      deps(bearer, send({ signal: run.signal, runSignal: run.signal })),
      spec,
      async (res) => {
        const it = res.body[Symbol.asyncIterator]();
        await it.next();
        run.abort();
        return it.next();
      },
    ).catch((e: unknown) => e);
    expect(await interrupted).toMatchObject({ code: 'ERR_INTERRUPTED' });
  });

  it("the reader's own errors pass through unchanged", async () => {
    rec.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const mine = new AgentcoreAuthError('ERR_INPUT', 'not what the reader expected');
    await expect(invokeAndRead(deps(bearer), spec, async () => Promise.reject(mine))).rejects.toBe(mine);
  });
});

describe('the one Inbound, as other modules read it', () => {
  it('requestHeaders: the bearer path adds Authorization; SigV4 adds nothing (the SDK signs at send time)', () => {
    expect(requestHeaders(spec, bearer)).toContainEqual(['authorization', `Bearer ${TOKEN}`]);
    expect(requestHeaders(spec, { mode: 'sigv4' }).map(([k]) => k)).not.toContain('authorization');
  });

  it(
    'sessionStarter: the same JWT on the bearer path (a user id there is ignored), the user id on SigV4, else ' +
      'nobody',
    () => {
      expect(sessionStarter({ ...bearer, userId: 'alice' })).toEqual({ userToken: TOKEN });
      expect(sessionStarter({ mode: 'sigv4', userId: 'alice', why: '--user-id' })).toEqual({ userId: 'alice' });
      expect(sessionStarter({ mode: 'sigv4', why: 'no bearer flag' })).toBeUndefined();
    },
  );
});
