import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { fromAwsError, resolveEndpointOverride, serviceBaseUrl } from '../../src/core/aws.js';
import { AgentcoreAuthError, EXIT } from '../../src/core/errors.js';
import { anySignal, createHttpFetch, fetchWithRetry, parseRetryAfter } from '../../src/core/http.js';
import { describeToken, relativeTime, tokenScopes } from '../../src/core/jwt.js';
import {
  fingerprint,
  maskSecret,
  redactBody,
  redactHeaders,
  redactUrl,
  SecretRegistry,
} from '../../src/core/redact.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const fakeJwt = (payload: Record<string, unknown>) =>
  `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(payload)}.c2lnbmF0dXJl`;

describe('endpoint resolution', () => {
  it('service variable > --endpoint-url > AWS_ENDPOINT_URL > real host', () => {
    const env = { AWS_ENDPOINT_URL: 'http://global:1', AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: 'http://dp:2' };
    expect(resolveEndpointOverride(env, 'agentcore', 'http://flag:3')).toBe('http://dp:2');
    expect(resolveEndpointOverride(env, 'control', 'http://flag:3')).toBe('http://flag:3');
    expect(resolveEndpointOverride(env, 'control')).toBe('http://global:1');
    expect(resolveEndpointOverride({}, 'cognito')).toBeUndefined();
    expect(serviceBaseUrl({}, 'agentcore', 'eu-west-1')).toBe('https://bedrock-agentcore.eu-west-1.amazonaws.com');
    expect(serviceBaseUrl({ AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9/' }, 'cognito', 'x')).toBe(
      'http://127.0.0.1:9',
    );
  });
});

describe('fromAwsError', () => {
  const sdkError = (name: string, status: number, message: string) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, requestId: 'req-1' } });

  it.each([
    [
      'AccessDeniedException',
      403,
      'Authorization method mismatch. The agent is configured…',
      'ERR_AUTH',
      EXIT.AUTH,
      /customJWTAuthorizer|bearer/,
    ],
    ['ThrottlingException', 429, 'Rate exceeded', 'ERR_THROTTLED', EXIT.REMOTE, /Slow down/],
    ['InternalServerException', 500, 'boom', 'ERR_SERVER', EXIT.REMOTE, undefined],
    ['ResourceNotFoundException', 404, 'not found', 'ERR_REMOTE', EXIT.REMOTE, /--region/],
    ['NotAuthorizedException', 400, 'Incorrect username or password.', 'ERR_AUTH', EXIT.AUTH, /password/],
  ] as const)('%s %i → %s', (name, status, message, code, exit, hint) => {
    const e = fromAwsError(sdkError(name, status, message), 'Op');
    expect(e).toBeInstanceOf(AgentcoreAuthError);
    expect({ code: e.code, exitCode: e.exitCode }).toEqual({ code, exitCode: exit });
    expect(e.details).toMatchObject({ status, errorName: name, requestId: 'req-1', operation: 'Op' });
    if (hint) expect(e.hint).toMatch(hint);
  });

  it('connection refused becomes ERR_NETWORK naming the endpoint', () => {
    const e = fromAwsError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'Op',
      'http://127.0.0.1:9',
    );
    expect({ code: e.code, exitCode: e.exitCode }).toEqual({ code: 'ERR_NETWORK', exitCode: EXIT.REMOTE });
    expect(e.message).toContain('http://127.0.0.1:9');
  });
});

describe('redaction', () => {
  it('masks tokens with a prefix and the length, other secrets with the length only; fingerprints are stable', () => {
    expect(maskSecret('supersecretvalue')).toBe('[16 chars]');
    expect(maskSecret('Alice-Passw0rd!')).toBe('[15 chars]');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
    expect(maskSecret(jwt)).toBe(`eyJhbG…[${jwt.length} chars]`);
    expect(maskSecret(`AgV4${'x'.repeat(60)}`)).toBe('AgV4xx…[64 chars]');
    expect(maskSecret('short')).toBe('[5 chars]');
    expect(maskSecret('supersecretvalue', true)).toBe('supersecretvalue');
    expect(fingerprint('abc')).toBe(fingerprint('abc'));
    expect(fingerprint('abc')).not.toBe(fingerprint('abd'));
  });

  it('redacts headers, JSON fields, forms and query strings', () => {
    const h = redactHeaders({
      Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig',
      'content-type': 'application/json',
    });
    expect(h.Authorization).toMatch(/^Bearer eyJhbG…\[\d+ chars\]$/);
    expect(h['content-type']).toBe('application/json');
    const sig = redactHeaders({
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/bedrock-agentcore/aws4_request, ' +
        'SignedHeaders=host, Signature=abcdef0123',
    });
    expect(sig.authorization).toContain('Credential=AKID');
    expect(sig.authorization).not.toContain('abcdef0123');
    const body = redactBody(
      JSON.stringify({
        AuthParameters: { USERNAME: 'alice', PASSWORD: 'Canary#Pass1', SECRET_HASH: 'hash-hash-hash' },
      }),
      'application/x-amz-json-1.1',
    );
    expect(body).toContain('alice');
    expect(body).not.toContain('Canary#Pass1');
    expect(body).not.toContain('hash-hash-hash');
    const form = redactBody(
      'grant_type=client_credentials&client_secret=CanarySecret123&scope=a',
      'application/x-www-form-urlencoded',
    );
    expect(form).toContain('grant_type=client_credentials');
    expect(form).not.toContain('CanarySecret123');
    expect(redactUrl('http://x/cb?code=CanaryCode999&state=abc123456789')).not.toContain('CanaryCode999');
  });

  it('the secret registry scrubs known values, also URL-encoded', () => {
    const r = new SecretRegistry();
    r.add('p@ss word!canary');
    expect(r.scrub('x p@ss word!canary y')).not.toContain('p@ss word!canary');
    expect(r.scrub(`q=${encodeURIComponent('p@ss word!canary')}`)).not.toContain(
      encodeURIComponent('p@ss word!canary'),
    );
    expect(r.scrub('p@ss word!canary', true)).toBe('p@ss word!canary');
  });
});

describe('jwt helpers', () => {
  it('relative times and token descriptions', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(relativeTime(now / 1000 + 54 * 60, now)).toBe('in 54 min');
    expect(relativeTime(now / 1000 - 2 * 3600, now)).toBe('2 h ago');
    const t = fakeJwt({ sub: 'alice', exp: now / 1000 + 3600, scope: 'a b', scp: ['c'] });
    expect(describeToken(t, now)).toMatch(/^sha256:[0-9a-f]{8} sub=alice expires in 1 h$/);
    expect(tokenScopes({ scope: 'a b', scp: ['c', 'a'] })).toEqual(['a', 'b', 'c']);
  });
});

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
