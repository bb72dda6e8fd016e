/**
 * The loopback servers — login's redirect server, the return-URL server of `callback`/`exchange`, and the local
 * stack — are bound to 127.0.0.1 only, serve one path, check state and Host, escape every value they echo, answer
 * malformed request targets instead of throwing, and survive a bounded loopback flood (mixed valid, invalid, raw
 * garbage and half-open "slowloris" connections) and still do their job afterwards.
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedirectReceiver } from '../../src/core/oauth/authcode.js';
import { startReturnUrlServer } from '../../src/core/identity/return-sessions.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { freePort } from '../fixtures/ports.js';
import { webPath, webQueryParameters } from '../helpers/arbitraries.js';
import { createTestContext, runCommand } from '../helpers/context.js';

/** Send raw bytes, return the status line (or what happened). */
function raw(port: number, text: string, host = '127.0.0.1', waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, host, () => s.write(text));
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(`no answer ${out.split('\r\n')[0] ?? ''}`);
    }, waitMs);
    s.on('data', (d) => {
      out += String(d);
      if (out.includes('\r\n')) {
        clearTimeout(timer);
        s.destroy();
        resolve(out.split('\r\n')[0]!);
      }
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(`error ${e.code}`);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out ? out.split('\r\n')[0]! : 'closed');
    });
  });
}

/** Raw request targets and requests no URL parser or HTTP parser likes. */
const MALFORMED = [
  'GET http://a:99999/callback HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET //[bad/callback HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /callback?%zz=%%% HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GET * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  'GARBAGE\r\n\r\n',
  '\u0000\u0001\u0002\r\n\r\n',
  `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
  `GET /callback HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
  'POST /callback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nab',
  'GET /callback HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nzz\r\n',
];

/** Paths and queries a scanner (or a curious browser) may try. */
const arbPath = fc.oneof(
  fc.constantFrom(
    '/',
    '/favicon.ico',
    '/callback/',
    '/CALLBACK',
    '/callback/../callback',
    '/%2e%2e/etc/passwd',
    '/oauth2/callback?x=1',
    '/_local/faults',
  ),
  webPath(),
  fc.string({ maxLength: 40 }).map((s) => `/${encodeURIComponent(s)}`),
);

function nonLoopbackIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

/** Half-open connections that send a partial request and wait (slowloris). */
function slowloris(port: number, n: number): Socket[] {
  return Array.from({ length: n }, () => {
    const s = connect(port, '127.0.0.1', () => s.write('GET /callback?code=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '));
    s.on('error', () => undefined);
    return s;
  });
}

/** The tags of a page, in order: input that is escaped adds none. */
const tagsOf = (html: string) => (html.match(/<[^<>]*>/g) ?? []).join('');

/** One local stack for the file: the CLI's login goes through it, then its own robustness tests flood it. */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
});
afterAll(async () => {
  await stack?.close();
});

describe("login's redirect receiver (core/oauth/authcode on core/loopback)", () => {
  it('binds 127.0.0.1 only, refuses a non-loopback host, serves one path, GET only', async () => {
    await expect(startRedirectReceiver({ redirectUri: 'http://0.0.0.0:0/' })).rejects.toMatchObject({
      code: 'ERR_USAGE',
    });
    const srv = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/callback' });
    try {
      const ip = nonLoopbackIPv4();
      if (ip)
        expect(await raw(srv.port, 'GET /callback HTTP/1.1\r\n\r\n', ip)).toMatch(
          /error (ECONNREFUSED|EHOSTUNREACH|ENETUNREACH)/,
        );
      expect(await raw(srv.port, 'GET /other?code=x&state=y HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe(
        'HTTP/1.1 404 Not Found',
      );
      expect(
        await raw(srv.port, 'POST /callback?code=x&state=y HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n'),
      ).toBe('HTTP/1.1 405 Method Not Allowed');
      const wait = srv.waitForCallback({ timeoutMs: 5000 });
      const res = await fetch(`${srv.url}?code=c1&state=s1`);
      expect(res.status).toBe(200);
      const u = await wait;
      expect(u.searchParams.get('code')).toBe('c1');
      // one shot: closed after the first callback
      expect(await raw(srv.port, 'GET /callback?code=c2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toMatch(
        /^error ECONNREFUSED|^closed/,
      );
    } finally {
      await srv.close();
    }
  });

  const title = `malformed requests (${MALFORMED.length}) are answered or dropped, never thrown; the server still`;
  it(`${title} completes`, async () => {
    const srv = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/callback' });
    try {
      for (const m of MALFORMED.filter((x) => !x.includes('%zz'))) {
        const line = await raw(srv.port, m);
        expect(line, JSON.stringify(m.slice(0, 40))).toMatch(/^HTTP\/1\.1 (4\d\d)|^closed|^error ECONNRESET/);
      }
      // a GET on the path with an undecodable query is still the redirect (the caller checks its state)
      const wait = srv.waitForCallback({ timeoutMs: 5000 });
      expect(await raw(srv.port, MALFORMED.find((x) => x.includes('%zz'))!)).toBe('HTTP/1.1 200 OK');
      expect((await wait).search).toBe('?%zz=%%%');
    } finally {
      await srv.close();
    }
  });

  it('error and error_description are escaped in the page (fast-check, 200 runs)', async () => {
    const first = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/callback' });
    const w = first.waitForCallback({ timeoutMs: 5000 });
    const benign = tagsOf(await (await fetch(`${first.url}?error=x&error_description=y`)).text());
    await w;
    await first.close();
    expect(benign).toContain('<h1>');
    // Without a description the page has no detail paragraph: one <p class="detail"> less.
    const benignNoDescription = benign.replace('<p class="detail"></p>', '');
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.string({ maxLength: 80 }),
        async (error, desc) => {
          const srv = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/callback' });
          try {
            const wait = srv.waitForCallback({ timeoutMs: 5000 });
            const q = new URLSearchParams({ error, error_description: desc, state: 's' });
            const res = await fetch(`${srv.url}?${q}`);
            const body = await res.text();
            expect(res.status).toBe(400);
            expect(tagsOf(body)).toBe(desc ? benign : benignNoDescription);
            await wait;
          } finally {
            await srv.close();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it(
    'a bounded flood (400 requests, 40 at a time, + 30 slowloris sockets) does not crash it; the real ' +
      'redirect still completes and close() does not hang',
    async () => {
      const srv = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/callback' });
      const slow = slowloris(srv.port, 30);
      try {
        const pathnameOf = (p: string) => {
          try {
            return new URL(p, 'http://h').pathname;
          } catch {
            return p;
          }
        };
        const paths = fc.sample(arbPath, 360).filter((p) => pathnameOf(p) !== '/callback');
        const notTheRedirect = MALFORMED.filter((m) => !m.includes('%zz'));
        const jobs = [
          ...paths.map(
            (p) => () =>
              fetch(`http://127.0.0.1:${srv.port}${p}`).then(
                (r) => r.status,
                () => -1,
              ),
          ),
          ...Array.from({ length: 40 }, (_, i) => () => raw(srv.port, notTheRedirect[i % notTheRedirect.length]!)),
        ];
        const results: unknown[] = [];
        for (let i = 0; i < jobs.length; i += 40)
          results.push(...(await Promise.all(jobs.slice(i, i + 40).map((j) => j()))));
        expect(results).toHaveLength(jobs.length);
        expect(results.filter((r) => r === 200)).toEqual([]); // nothing but the real path counts
        const wait = srv.waitForCallback({ timeoutMs: 5000 });
        expect((await fetch(`${srv.url}?code=real&state=s`)).status).toBe(200);
        expect((await wait).searchParams.get('code')).toBe('real');
        await srv.close(); // would never end if it waited for the slow clients, which never finish
      } finally {
        for (const so of slow) so.destroy();
      }
    },
  );

  it('via the CLI: a redirect with another state is refused (exit 4) and the port is freed', async () => {
    const port = await freePort();
    const app = stack.userPool.clients.find((c) => c.clientSecret)!;
    const r = await runCommand(
      [
        'login',
        '--auth-flow',
        'authorization-code',
        '--discovery-url',
        stack.userPool.discoveryUrl,
        '--client-id',
        app.clientId,
        '--client-secret',
        app.clientSecret!,
        '--redirect-uri',
        `http://127.0.0.1:${port}/callback`,
        '--no-cache',
        '--timeout',
        '5',
      ],
      {
        openBrowser: async () => {
          expect((await fetch(`http://127.0.0.1:${port}/elsewhere?code=x&state=y`)).status).toBe(404);
          await fetch(`http://127.0.0.1:${port}/callback?code=stolen&state=forged`);
        },
      },
    );
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('unexpected state');
    expect(await raw(port, 'GET /callback HTTP/1.1\r\n\r\n')).toMatch(/^error ECONNREFUSED/);
  });
});

describe('the return-URL server (callback, exchange)', () => {
  let srv: Awaited<ReturnType<typeof startReturnUrlServer>>;
  const sessions: string[] = [];
  beforeAll(async () => {
    srv = await startReturnUrlServer({
      port: 0,
      path: '/oauth2/callback',
      expectState: 'expected-state',
      requireState: true,
      onSession: async ({ sessionUri }) => {
        sessions.push(sessionUri);
        return { ok: true, title: 'Done', message: `completed ${sessionUri}` };
      },
    });
  });
  afterAll(async () => {
    await srv?.close();
  });
  const base = () => `http://127.0.0.1:${srv.port}/oauth2/callback`;
  const urn = 'urn:ietf:params:oauth:request_uri:abc-123';

  it(
    'one path, GET only, a URN session_id, the expected state, and a loopback Host header (DNS ' + 'rebinding)',
    async () => {
      expect((await fetch(`http://127.0.0.1:${srv.port}/other?session_id=${urn}&state=expected-state`)).status).toBe(
        404,
      );
      expect((await fetch(`${base()}?session_id=${urn}&state=expected-state`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${base()}?session_id=not-a-urn&state=expected-state`)).status).toBe(400);
      expect((await fetch(`${base()}?session_id=${urn}&state=forged`)).status).toBe(400);
      expect((await fetch(`${base()}?session_id=${urn}`)).status).toBe(400);
      expect(
        await raw(
          srv.port,
          `GET /oauth2/callback?session_id=${urn}&state=expected-state HTTP/1.1\r\nHost: ` +
            `attacker.example:${srv.port}\r\n\r\n`,
        ),
      ).toBe('HTTP/1.1 421 Misdirected Request');
      expect(sessions).toEqual([]);
      const ip = nonLoopbackIPv4();
      if (ip)
        expect(await raw(srv.port, 'GET / HTTP/1.1\r\n\r\n', ip)).toMatch(
          /error (ECONNREFUSED|EHOSTUNREACH|ENETUNREACH)/,
        );
    },
  );

  it('error / error_description values are escaped in its pages (fast-check, 200 runs)', async () => {
    const benign = tagsOf(await (await fetch(`${base()}?error=x&error_description=y`)).text());
    expect(benign).toContain('<h1>');
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.string({ maxLength: 80 }),
        async (error, desc) => {
          const res = await fetch(`${base()}?${new URLSearchParams({ error, error_description: desc })}`);
          const body = await res.text();
          expect(res.status).toBe(400);
          expect(tagsOf(body)).toBe(benign);
        },
      ),
      { numRuns: 200 },
    );
    expect(sessions).toEqual([]);
  });

  it(
    'arbitrary query strings on the return path (fast-check, 300 runs): a 4xx page or a ' + 'session, never a 5xx',
    async () => {
      const before = sessions.length;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ maxLength: 120 }),
            webQueryParameters(),
            fc
              .dictionary(
                fc.constantFrom('session_id', 'state', 'error', 'error_description', 'code', 'x'),
                fc.string({ maxLength: 60 }),
              )
              .map((d) => new URLSearchParams(d).toString()),
          ),
          async (q) => {
            const res = await fetch(`${base()}?${q}`);
            await res.arrayBuffer();
            expect(res.status).toBeLessThan(500);
            expect([200, 400, 404]).toContain(res.status);
          },
        ),
        { numRuns: 300 },
      );
      // only real URNs with the expected state can have completed anything
      for (const uri of sessions.slice(before))
        expect(uri).toMatch(/^urn:ietf:params:oauth:request_uri:[a-zA-Z0-9-._~]+$/);
    },
  );

  it(
    'malformed requests and a bounded flood (400 + 30 slowloris) leave it serving; each valid session is ' +
      'handled once',
    async () => {
      const slow = slowloris(srv.port, 30);
      try {
        for (const m of MALFORMED)
          expect(await raw(srv.port, m.replace('/callback', '/oauth2/callback'))).toMatch(
            /^HTTP\/1\.1 4\d\d|^closed|^error ECONNRESET/,
          );
        const paths = fc.sample(arbPath, 340);
        const jobs = [
          ...paths.map(
            (p) => () =>
              fetch(`http://127.0.0.1:${srv.port}${p}`).then(
                (r) => r.status,
                () => -1,
              ),
          ),
          ...Array.from(
            { length: 60 },
            () => () => fetch(`${base()}?session_id=${urn}&state=expected-state`).then((r) => r.status),
          ),
        ];
        const results: unknown[] = [];
        for (let i = 0; i < jobs.length; i += 40)
          results.push(...(await Promise.all(jobs.slice(i, i + 40).map((j) => j()))));
        expect(results).toHaveLength(400);
        expect(sessions).toEqual([urn]); // 60 redirects for one session: completed once
        expect(
          (await fetch(`${base()}?session_id=urn:ietf:params:oauth:request_uri:second&state=expected-state`)).status,
        ).toBe(200);
        expect(sessions).toHaveLength(2);
      } finally {
        for (const so of slow) so.destroy();
      }
    },
  );

  it('via the CLI: callback survives the flood and ends on Ctrl-C with exit 130, port freed', async () => {
    const port = await freePort();
    const ac = new AbortController();
    const ctx = createTestContext({ signal: ac.signal });
    const run = runCommand(['callback', '--port', String(port), '--user-id', 'alice', '--expect-state', 's1'], ctx);
    for (
      let i = 0;
      i < 100 && !(await raw(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', '127.0.0.1', 200)).startsWith('HTTP');
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    const statuses = await Promise.all(
      fc.sample(arbPath, 200).map((p) =>
        fetch(`http://127.0.0.1:${port}${p}`).then(
          (r) => r.status,
          () => -1,
        ),
      ),
    );
    expect(statuses.every((st) => st === 404 || st === 400 || st === 405 || st === -1)).toBe(true);
    const page = await (
      await fetch(`http://127.0.0.1:${port}/oauth2/callback?error=%3Cscript%3Ealert(1)%3C/script%3E`)
    ).text();
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;script&gt;');
    ac.abort(Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' }));
    const r = await run;
    expect(r.code, r.stderr).toBe(130);
    expect(await raw(port, 'GET / HTTP/1.1\r\n\r\n')).toMatch(/^error ECONNREFUSED/);
  });
});

describe('the local stack', () => {
  it('binds 127.0.0.1 by default; the fault switch answers loopback callers', async () => {
    const port = Number(new URL(stack.url).port);
    expect(new URL(stack.url).hostname).toBe('127.0.0.1');
    const ip = nonLoopbackIPv4();
    if (ip)
      expect(await raw(port, 'GET /_local/health HTTP/1.1\r\n\r\n', ip)).toMatch(
        /error (ECONNREFUSED|EHOSTUNREACH|ENETUNREACH)/,
      );
    expect((await fetch(`${stack.url}/_local/faults`)).status).toBe(200);
  });

  it(
    'malformed requests and a flood of unknown routes, bad bodies and bad signatures never make it fail (no ' +
      '500) or stop',
    async () => {
      const errors: unknown[] = [];
      const port = Number(new URL(stack.url).port);
      for (const m of MALFORMED) {
        // a body shorter than its Content-Length is still being sent: the stack waits for it (Node's requestTimeout
        // ends it)
        const incomplete = m.includes('Content-Length: 5');
        expect(await raw(port, m, '127.0.0.1', incomplete ? 300 : 2000), JSON.stringify(m.slice(0, 40))).toMatch(
          incomplete ? /^no answer/ : /^HTTP\/1\.1 [2-4]\d\d|^closed|^error ECONNRESET/,
        );
      }
      const targets = [
        'InitiateAuth',
        'RespondToAuthChallenge',
        'AdminInitiateAuth',
        'GetTokensFromRefreshToken',
        'Frobnicate',
      ];
      const restPaths = [
        '/identities/GetWorkloadAccessToken',
        '/identities/GetWorkloadAccessTokenForJWT',
        '/identities/GetWorkloadAccessTokenForUserId',
        '/identities/oauth2/token',
        '/identities/api-key',
        '/identities/CompleteResourceTokenAuth',
        '/runtimes/x/invocations',
        '/gateways/local-gateway-local00001/mcp',
        '/oauth2/token',
      ];
      const bodies = fc.sample(
        fc.oneof(
          fc.json({ maxDepth: 3 }),
          fc.string({ maxLength: 200 }),
          fc.constant('{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":null,"AuthParameters":5}'),
        ),
        300,
      );
      const jobs = bodies.map((body, i) => async () => {
        const target = targets[i % targets.length]!;
        const useTarget = i % 2 === 0;
        const path = useTarget ? '/' : restPaths[i % restPaths.length]!;
        const res = await fetch(`${stack.url}${path}`, {
          method: 'POST',
          headers: useTarget
            ? {
                'content-type': 'application/x-amz-json-1.1',
                'x-amz-target': `AWSCognitoIdentityProviderService.${target}`,
              }
            : {
                'content-type': i % 3 ? 'application/json' : 'application/x-www-form-urlencoded',
                authorization:
                  i % 5
                    ? 'AWS4-HMAC-SHA256 ' +
                      'Credential=AKIALOCALAGENTCORE01/20260101/us-east-1/bedrock-agentcore/aws4_request, ' +
                      'SignedHeaders=host, Signature=00'
                    : `Bearer ${createHash('sha256').update(body).digest('base64url')}`,
              },
          body,
        }).catch((e: unknown) => {
          errors.push(e);
          return undefined;
        });
        return res ? ([res.status, path, target, body] as const) : undefined;
      });
      const results: Array<readonly [number, string, string, string] | undefined> = [];
      for (let i = 0; i < jobs.length; i += 30)
        results.push(...(await Promise.all(jobs.slice(i, i + 30).map((j) => j()))));
      expect(errors).toEqual([]);
      const fivexx = results.filter((r) => r && r[0] >= 500);
      expect(fivexx, JSON.stringify(fivexx.slice(0, 3))).toEqual([]);
      expect((await fetch(`${stack.url}/_local/health`)).status).toBe(200);
    },
  );

  it(
    'its 3LO provider port takes the malformed requests and a flood of paths too, and still ' + 'serves discovery',
    async () => {
      const port = Number(new URL(stack.threeLo.issuer).port);
      expect(new URL(stack.threeLo.issuer).hostname).toBe('127.0.0.1');
      for (const m of MALFORMED) {
        const incomplete = m.includes('Content-Length: 5');
        expect(await raw(port, m, '127.0.0.1', incomplete ? 300 : 2000), JSON.stringify(m.slice(0, 40))).toMatch(
          incomplete ? /^no answer|^HTTP\/1\.1 4\d\d/ : /^HTTP\/1\.1 [2-4]\d\d|^closed|^error ECONNRESET/,
        );
      }
      const statuses = await Promise.all(
        fc.sample(arbPath, 200).map((p) =>
          fetch(`http://127.0.0.1:${port}${p}`).then(
            (r) => r.status,
            () => -1,
          ),
        ),
      );
      expect(statuses.filter((st) => st >= 500)).toEqual([]);
      expect((await fetch(stack.threeLo.discoveryUrl)).status).toBe(200);
    },
  );
});
