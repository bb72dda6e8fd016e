/**
 * InvokeAgentRuntime's payload limit (100 MB, not adjustable: AgentCore quotas, "Maximum payload size") on the local
 * stack (issue 12): an oversized body is answered with a ValidationException (HTTP 413) naming the limit — through the
 * real SDK client and over raw HTTP (declared length and chunked) — instead of a reset connection, and the stack reads
 * no more of it than the limit (it answers before the client has finished sending).
 */
import {
  BedrockAgentCoreClient,
  InvokeAgentRuntimeCommand,
  ValidationException,
} from '@aws-sdk/client-bedrock-agentcore';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS, LIMITS, MESSAGES } from '../../src/wire.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';

let stack: LocalStack;
let client: BedrockAgentCoreClient;
const LIMIT = LIMITS.payloadMax;
const sid = () => `session-${randomUUID()}`;
const arnOf = (name: string) => {
  const a = stack.agents.find((x) => x.name === name)!;
  return `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${a.id}`;
};
const pathOf = (name: string) => `/runtimes/${encodeURIComponent(arnOf(name))}/invocations?qualifier=DEFAULT`;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  client = new BedrockAgentCoreClient({
    region: stack.region,
    endpoint: stack.url,
    credentials: stack.credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await stack?.close();
});

/** POST with a declared or chunked body, written in 1 MiB chunks until the response arrives (or `total` is sent). */
function postUntilAnswered(
  path: string,
  total: number,
  declare: boolean,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; sent: number }> {
  const url = new URL(path, stack.url);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [HEADERS.sessionId]: sid(),
        ...(declare ? { 'content-length': String(total) } : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          sent,
        });
        req.destroy();
      });
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const pump = () => {
      while (!answered && sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      if (!answered && sent >= total && !declare) req.end();
    };
    pump();
  });
}

describe('InvokeAgentRuntime payload limit (local stack)', () => {
  it('the SDK client gets a ValidationException (413) naming the limit, and the connection still serves the ' +
    'next call', async () => {
    const err = await client
      .send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: arnOf('sigv4_agent'),
          runtimeUserId: 'alice',
          runtimeSessionId: sid(),
          contentType: 'application/json',
          payload: Buffer.alloc(LIMIT + 1, 0x61),
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as ValidationException).$metadata.httpStatusCode).toBe(413);
    expect((err as ValidationException).message).toBe(MESSAGES.payloadTooLarge);
    const ok = await client.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn: arnOf('sigv4_agent'),
        runtimeUserId: 'alice',
        runtimeSessionId: sid(),
        contentType: 'application/json',
        payload: Buffer.from('{"prompt":"hi"}'),
      }),
    );
    expect(ok.statusCode).toBe(200);
  }, 60_000);

  it('raw HTTP, Content-Length over the limit: answered at once, before the body is sent', async () => {
    const r = await postUntilAnswered(pathOf('jwt_agent'), LIMIT + 1, true);
    expect(r.status).toBe(413);
    expect(r.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(JSON.parse(r.body)).toEqual({ message: MESSAGES.payloadTooLarge });
    expect(r.sent).toBeLessThan(LIMIT);
  }, 60_000);

  it('raw HTTP, chunked over the limit: answered once the limit is passed, without reading the rest', async () => {
    const r = await postUntilAnswered(pathOf('jwt_agent'), 2 * LIMIT, false);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({ message: MESSAGES.payloadTooLarge });
    // answered after about LIMIT bytes (socket buffers let a few more MiB through), long before 2 × LIMIT
    expect(r.sent).toBeLessThan(LIMIT + 32 * 1024 * 1024);
  }, 60_000);

  it("fetch (as the CLI's bearer path sends it) reads the 413, not a reset connection", async () => {
    const res = await fetch(new URL(pathOf('jwt_agent'), stack.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [HEADERS.sessionId]: sid(), authorization: 'Bearer x.y.z' },
      body: Buffer.alloc(LIMIT + 1, 0x61),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(await res.json()).toEqual({ message: MESSAGES.payloadTooLarge });
  }, 60_000);
});
