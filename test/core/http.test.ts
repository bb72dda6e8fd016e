/** core/http.ts: the traced fetch (timeouts, refused connections, aborts), Retry-After, anySignal, retries. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/core/errors.js';
import { anySignal, createHttpFetch, fetchWithRetry, networkError, parseRetryAfter } from '../../src/core/http.js';

describe('createHttpFetch', () => {
  it('times out with ERR_TIMEOUT and maps refused connections to ERR_NETWORK', async () => {
    const server = http.createServer(() => undefined /* never answers */);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
    const f = createHttpFetch({ fetch, timeoutMs: 200 });
    await expect(f(url)).rejects.toMatchObject({ code: 'ERR_TIMEOUT', exitCode: EXIT.TIMEOUT });
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await expect(f(url)).rejects.toMatchObject({ code: 'ERR_NETWORK', exitCode: EXIT.REMOTE });
    expect(f.exchanges.length).toBe(2);
  });

  it('a refused connection: the hint fits the host (the local stack on loopback, AWS, any other server)', () => {
    const refused = Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const loop = networkError('http://127.0.0.1:4566/x', refused);
    expect(loop.message).toBe('cannot reach http://127.0.0.1:4566 (connection refused)');
    expect(loop.hint).toContain('If it is the local stack: start it (`agentcore-auth local`)');
    expect(loop.hint).toContain('local --print-env');
    const aws = networkError('https://bedrock-agentcore.us-east-1.amazonaws.com/x', refused).hint;
    expect(aws).toContain('Endpoint overrides come from --endpoint-url');
    expect(aws).not.toContain('local stack');
    const idp = networkError('https://login.example.com/oauth2/token', refused).hint;
    expect(idp).toMatch(/^Check the URL and that the server is running\. Check the host name, your network and DNS/);
    expect(idp).not.toContain('AWS_ENDPOINT_URL');
  });

  it('an aborted run signal is ERR_INTERRUPTED (exit 130)', async () => {
    const ac = new AbortController();
    ac.abort();
    const f = createHttpFetch({ fetch, signal: ac.signal });
    await expect(f('http://127.0.0.1:9/')).rejects.toMatchObject({ code: 'ERR_INTERRUPTED', exitCode: 130 });
  });

  it('parses Retry-After', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT'))).toBe(2000);
    expect(parseRetryAfter('nope')).toBeUndefined();
  });
});

describe('anySignal', () => {
  it(
    'a timeout in it still fires after a garbage collection (Node 20 AbortSignal.any drops an unreferenced ' +
      'timeout: --timeout never fired)',
    async () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const signal = (() => anySignal([new AbortController().signal, AbortSignal.timeout(50)]))();
      await new Promise((r) => setImmediate(r));
      gc();
      await new Promise((r) => setTimeout(r, 150)); // timers run in order: the 50 ms one first
      expect(signal.aborted).toBe(true);
    },
  );
});

describe('fetchWithRetry', () => {
  const scripted = (answers: Array<[number, Record<string, string>?]>) => {
    const calls: string[] = [];
    const f = async (url: string | URL | Request) => {
      calls.push(String(url));
      const [status, headers] = answers[Math.min(calls.length - 1, answers.length - 1)]!;
      return new Response(status === 200 ? 'ok' : '{"message":"x"}', { status, headers });
    };
    return { f, calls };
  };

  it('retries 429/5xx/RetryableConflict with backoff, honours Retry-After, and stops at maxAttempts', async () => {
    const waits: number[] = [];
    const { f, calls } = scripted([
      [429, { 'retry-after': '2' }],
      [409, { 'x-amzn-errortype': 'RetryableConflictException' }],
      [200],
    ]);
    const res = await fetchWithRetry(
      f,
      'http://x/',
      { method: 'POST', body: '{}' },
      { sleep: async (ms) => void waits.push(ms), random: () => 0.5, maxAttempts: 5 },
    );
    expect(res.status).toBe(200);
    expect(calls.length).toBe(3);
    expect(waits).toEqual([2000, 100]); // Retry-After, then 0.5 * 100 * 2^1

    const again = scripted([[503]]);
    const last = await fetchWithRetry(again.f, 'http://x/', {}, { sleep: async () => undefined, maxAttempts: 3 });
    expect(last.status).toBe(503);
    expect(again.calls.length).toBe(3);
  });

  it('does not retry client errors', async () => {
    const { f, calls } = scripted([[403], [200]]);
    const res = await fetchWithRetry(f, 'http://x/', {}, { sleep: async () => undefined });
    expect(res.status).toBe(403);
    expect(calls.length).toBe(1);
  });
});
