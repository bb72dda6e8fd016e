/**
 * The loopback return-URL server (src/core/identity/return-sessions.ts on core/loopback.ts) on a real socket: one path,
 * 404 elsewhere, 400 for a session id that is not a request_uri URN, provider errors reported and escaped, state
 * checks, the Host-header guard, concurrency (one completion per session), and a clear error for a busy port.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { escapeHtml } from '../../src/core/identity/html.js';
import { isLoopbackUrl } from '../../src/core/loopback.js';
import {
  startReturnUrlServer,
  type ReturnEvent,
  type ReturnUrlServer,
} from '../../src/core/identity/return-sessions.js';

const URN = 'urn:ietf:params:oauth:request_uri:abc-123_XYZ.~def';
const servers: ReturnUrlServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: Partial<Parameters<typeof startReturnUrlServer>[0]> = {}) {
  const events: ReturnEvent[] = [];
  const calls: string[] = [];
  const server = await startReturnUrlServer({
    port: 0,
    path: '/oauth2/callback',
    onSession: async ({ sessionUri }) => {
      calls.push(sessionUri);
      await new Promise((r) => setTimeout(r, 30));
      return { ok: true, title: 'Done', message: `completed ${sessionUri}` };
    },
    onEvent: (e) => events.push(e),
    ...opts,
  });
  servers.push(server);
  const base = `http://127.0.0.1:${server.port}`;
  return { server, events, calls, base };
}

describe('return-URL server', () => {
  it('serves the URL it was asked for on loopback', async () => {
    const { server } = await start();
    expect(server.url).toBe(`http://localhost:${server.port}/oauth2/callback`);
    expect(isLoopbackUrl(server.url)).toBe(true);
    expect(isLoopbackUrl('https://example.com/cb')).toBe(false);
    expect(isLoopbackUrl('https://localhost/cb')).toBe(false);
  });

  it('completes a valid session once and answers an HTML page with safe headers', async () => {
    const { base, calls, events } = await start();
    const res = await fetch(`${base}/oauth2/callback?session_id=${encodeURIComponent(URN)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await res.text();
    expect(body).toContain('Done');
    expect(calls).toEqual([URN]);
    expect(events).toEqual([
      { kind: 'session', sessionUri: URN, outcome: expect.objectContaining({ ok: true }), duplicate: false },
    ]);
  });

  it('answers 404 for other paths and 405 for other methods, without calling onSession', async () => {
    const { base, calls, events } = await start();
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`${base}/oauth2/callback/extra?session_id=${encodeURIComponent(URN)}`)).status).toBe(404);
    const post = await fetch(`${base}/oauth2/callback?session_id=${encodeURIComponent(URN)}`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect(calls).toEqual([]);
    expect(events.map((e) => (e.kind === 'ignored' ? e.status : e.kind))).toEqual([404, 404, 405]);
  });

  it('answers 400 for a missing session_id or one that is not a request_uri URN', async () => {
    const { base, calls } = await start();
    expect((await fetch(`${base}/oauth2/callback`)).status).toBe(400);
    for (const bad of [
      'abc',
      'urn:ietf:params:oauth:request_uri:',
      'urn:ietf:params:oauth:request_uri:a b',
      'https://evil.example/x',
      `${URN}<script>`,
    ]) {
      const res = await fetch(`${base}/oauth2/callback?session_id=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      const body = await res.text();
      expect(body).toContain('Invalid session_id');
      expect(body).not.toContain('<script>');
    }
    expect(calls).toEqual([]);
  });

  it('reports provider errors with every hostile character escaped', async () => {
    const { base, events, calls } = await start();
    const hostile = `<script>alert('x')</script><img src=x onerror="alert(1)">\`&`;
    const res = await fetch(
      `${base}/oauth2/callback?error=access_denied&error_description=${encodeURIComponent(hostile)}`,
    );
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain('access_denied');
    expect(body).toContain(
      '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#96;&amp;',
    );
    expect(body).not.toMatch(/<script|<img|onerror="/);
    expect(events).toEqual([{ kind: 'provider-error', error: 'access_denied', description: hostile }]);
    expect(calls).toEqual([]);
  });

  it(
    'checks state when asked: mismatch refused, match completed, missing accepted only without ' + 'requireState',
    async () => {
      const a = await start({ expectState: 's3cret' });
      const bad = await fetch(`${a.base}/oauth2/callback?session_id=${encodeURIComponent(URN)}&state=other`);
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('State mismatch');
      expect(a.calls).toEqual([]);
      expect(a.events[0]).toEqual({ kind: 'state-mismatch', sessionUri: URN, received: 'other' });
      expect((await fetch(`${a.base}/oauth2/callback?session_id=${encodeURIComponent(URN)}&state=s3cret`)).status).toBe(
        200,
      );
      expect(a.calls).toEqual([URN]);
      const b = await start({ expectState: 's3cret', requireState: true });
      expect((await fetch(`${b.base}/oauth2/callback?session_id=${encodeURIComponent(URN)}`)).status).toBe(400);
      expect(b.calls).toEqual([]);
    },
  );

  it('refuses a non-loopback Host header (DNS rebinding)', async () => {
    const { server, calls } = await start();
    const res = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: `/oauth2/callback?session_id=${encodeURIComponent(URN)}`,
            headers: { host: 'evil.example:80' },
          },
          (r) => {
            r.resume();
            resolve(r.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      }, reject);
    });
    expect(res).toBe(421);
    expect(calls).toEqual([]);
  });

  it('is safe under concurrent requests: one onSession call per session, every request answered', async () => {
    const { base, calls, events } = await start();
    const other = 'urn:ietf:params:oauth:request_uri:second';
    const urls = [...Array(8)].map(
      (_, i) => `${base}/oauth2/callback?session_id=${encodeURIComponent(i % 2 ? other : URN)}`,
    );
    const statuses = await Promise.all(urls.map(async (u) => (await fetch(u)).status));
    expect(statuses).toEqual(Array(8).fill(200));
    expect([...calls].sort()).toEqual([URN, other].sort());
    const sessions = events.filter((e): e is Extract<ReturnEvent, { kind: 'session' }> => e.kind === 'session');
    expect(sessions).toHaveLength(8);
    expect(sessions.filter((e) => !e.duplicate)).toHaveLength(2);
  });

  it('turns an onSession failure into a 500 page without leaking the error', async () => {
    const { base } = await start({
      onSession: async () => {
        throw new Error('secret internals');
      },
    });
    const res = await fetch(`${base}/oauth2/callback?session_id=${encodeURIComponent(URN)}`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('secret internals');
  });

  it('names the port when it is already in use (ERR_CONFIG, exit 2)', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await startReturnUrlServer({
        port,
        path: '/cb',
        onSession: async () => ({ ok: true, title: '', message: '' }),
      }).catch((e) => e);
      expect(err).toBeInstanceOf(AgentcoreAuthError);
      expect(err.code).toBe('ERR_CONFIG');
      expect(err.exitCode).toBe(2);
      expect(err.message).toBe(`port ${port} on 127.0.0.1 is already in use`);
      expect(err.hint).toContain('--port');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('close() lets an in-flight page finish before cutting connections', async () => {
    const { server, base, calls } = await start();
    const pending = fetch(`${base}/oauth2/callback?session_id=${encodeURIComponent(URN)}`);
    await vi.waitFor(() => expect(calls.length).toBeGreaterThan(0), { interval: 2 });
    const closing = server.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Done');
    await closing;
    await expect(fetch(`${base}/oauth2/callback`)).rejects.toThrow();
  });

  it('serves an IPv6 loopback return URL on ::1', async () => {
    const { server, calls } = await start({ hostname: '[::1]' });
    expect(server.url).toBe(`http://[::1]:${server.port}/oauth2/callback`);
    const res = await fetch(`${server.url}?session_id=${encodeURIComponent(URN)}`);
    expect(res.status).toBe(200);
    expect(calls).toEqual([URN]);
  });

  it('close() is idempotent and frees the port', async () => {
    const { server } = await start();
    await server.close();
    await server.close();
    const again = await startReturnUrlServer({
      port: server.port,
      path: '/x',
      hostname: '127.0.0.1',
      onSession: async () => ({ ok: true, title: '', message: '' }),
    });
    servers.push(again);
    expect(again.url).toBe(`http://127.0.0.1:${server.port}/x`);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML specials and the backtick', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });
});
