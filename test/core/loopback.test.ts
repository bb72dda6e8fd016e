/**
 * src/core/loopback.ts. One isLoopbackUrl, RFC 8252 §7.3/§8.3: the http scheme and a loopback host (127.0.0.0/8,
 * [::1], localhost); its two callers: the OAuth URL check (https anywhere, plain http only on loopback) and the 3LO
 * return URL (served here only when loopback http; test/cli for exchange, invoke and mcp). And the one loopback
 * server both redirect receivers run on (login's, and the 3LO return URL's; their own suites test them end to end).
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkServiceUrl, isLoopbackUrl, startLoopbackServer } from '../../src/core/loopback.js';

describe('isLoopbackUrl', () => {
  it.each([
    ['http://127.0.0.1:8081/oauth2/callback', true],
    ['http://127.8.9.10/cb', true],
    ['http://localhost:53682/callback', true],
    ['http://LOCALHOST:1/x', true],
    ['http://[::1]:9090/cb', true],
    ['https://localhost/cb', false], // RFC 8252 §7.3: loopback redirects use http; a TLS listener is not ours
    ['https://127.0.0.1:8443/cb', false],
    ['ftp://127.0.0.1/cb', false],
    ['ws://localhost:1/', false],
    ['http://10.0.0.1:1/', false],
    ['http://127.0.0.1.example.com/cb', false],
    ['http://localhost.example.com/cb', false],
    ['http://[::2]/cb', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });
});

describe('the OAuth URL check (login --discovery-url, --token-endpoint, --domain)', () => {
  it('https anywhere; http on loopback hosts only; any other scheme refused', () => {
    expect(checkServiceUrl('https://idp.example.com/.well-known/openid-configuration', '--discovery-url').host).toBe(
      'idp.example.com',
    );
    expect(checkServiceUrl('https://localhost:8443/token', '--token-endpoint').protocol).toBe('https:');
    expect(checkServiceUrl('http://127.0.0.1:9229/token', '--token-endpoint').port).toBe('9229');
    expect(checkServiceUrl('http://[::1]:9229/token', '--token-endpoint').hostname).toBe('[::1]');
    expect(() => checkServiceUrl('http://idp.example.com/token', '--token-endpoint')).toThrow(
      /https URL \(plain http is accepted for loopback hosts only\)/,
    );
    expect(() => checkServiceUrl('ftp://127.0.0.1/token', '--token-endpoint')).toThrow(/https URL/);
  });
});

/** GET over a raw socket to a given address (fetch cannot pick ::1 vs 127.0.0.1 for localhost). */
function rawGet(host: string, port: number, path: string, hostHeader = 'localhost'): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, host, () =>
      s.write(`GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`),
    );
    let out = '';
    s.on('data', (d) => (out += String(d)));
    s.on('end', () => resolve(out.split('\r\n')[0]!));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
  });
}

describe('startLoopbackServer', () => {
  it('hands every GET on its path to the hook with the URL on the served origin; answers the rest itself', async () => {
    const seen: string[] = [];
    const ignored: number[] = [];
    const srv = await startLoopbackServer({
      url: 'http://127.0.0.1:0/cb',
      respond: (u) => {
        seen.push(u.href);
        if (u.searchParams.has('boom')) throw new Error('hook failed');
        return { status: 201, html: '<p>ok</p>' };
      },
      onIgnored: (e) => ignored.push(e.status),
    });
    try {
      expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/cb`);
      const res = await fetch(`${srv.url}?a=1`);
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect((await fetch(`${srv.url}?boom=1`)).status).toBe(500); // a failing hook never breaks the server
      expect((await fetch(`http://127.0.0.1:${srv.port}/other`)).status).toBe(404);
      expect((await fetch(srv.url, { method: 'POST' })).status).toBe(405);
      expect(await rawGet('127.0.0.1', srv.port, '/cb', 'attacker.example')).toBe('HTTP/1.1 421 Misdirected Request');
      expect(seen).toEqual([`${srv.url}?a=1`, `${srv.url}?boom=1`]);
      expect(ignored).toEqual([404, 405, 421]);
    } finally {
      await srv.close();
    }
    expect(await rawGet('127.0.0.1', srv.port, '/cb')).toMatch(/^error ECONNREFUSED/);
  });

  it(
    'localhost is served on 127.0.0.1 and, when the machine has it, on [::1] (same port); non-loopback URLs ' +
      'are refused',
    async () => {
      const srv = await startLoopbackServer({
        url: 'http://localhost:0/cb',
        respond: () => ({ status: 200, html: 'ok' }),
      });
      try {
        expect(srv.url).toBe(`http://localhost:${srv.port}/cb`);
        expect(await rawGet('127.0.0.1', srv.port, '/cb')).toBe('HTTP/1.1 200 OK');
        const v6 = await rawGet('::1', srv.port, '/cb');
        expect(
          v6 === 'HTTP/1.1 200 OK' || /^error E(ADDRNOTAVAIL|CONNREFUSED|NETUNREACH|AFNOSUPPORT)/.test(v6),
          v6,
        ).toBe(true);
      } finally {
        await srv.close();
      }
      for (const url of ['http://0.0.0.0:0/cb', 'http://192.168.1.1:0/', 'https://localhost:0/cb']) {
        await expect(startLoopbackServer({ url, respond: () => ({ status: 200, html: '' }) })).rejects.toMatchObject({
          code: 'ERR_USAGE',
        });
      }
    },
  );

  it('close() answers a request whose connection was open before the close, and refuses new connections', async () => {
    // A browser's concurrent redirects race the end of the flow: a connection accepted just before close() whose
    // request arrives just after must get its page, not a reset (exchange-stack's concurrent-redirects case).
    const srv = await startLoopbackServer({
      url: 'http://127.0.0.1:0/cb',
      respond: () => ({ status: 200, html: 'ok' }),
    });
    const socket = connect(srv.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let first = '';
    const answered = new Promise<string>((resolve) => {
      socket.on('data', (d) => (first += String(d)));
      socket.on('end', () => resolve(first.split('\r\n')[0]!));
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
    });
    const closing = srv.close();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the request is on its way when the close starts
    socket.write('GET /cb HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(await answered).toBe('HTTP/1.1 200 OK');
    await closing;
    expect(await rawGet('127.0.0.1', srv.port, '/cb')).toMatch(/^error ECONNREFUSED/);
  });
});
