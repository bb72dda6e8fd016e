/**
 * The one-shot loopback redirect server (login's OAuth redirect) and the OAuth client helpers.
 */
import { createServer } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { parseRedirectUri, startRedirectReceiver } from '../../src/core/oauth/authcode.js';
import { clientCredentialsGrant, cognitoDomainBase, createOAuthContext } from '../../src/core/oauth/client.js';
import { isLoopbackUrl } from '../../src/core/loopback.js';

describe('startRedirectReceiver (login, on core/loopback.ts)', () => {
  it('binds 127.0.0.1 on a free port, 404s other paths, resolves with the first callback and closes', async () => {
    const server = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/cb' });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cb$/);
    const waiting = server.waitForCallback({ timeoutMs: 5000 });
    const favicon = await fetch(`http://127.0.0.1:${server.port}/favicon.ico`);
    expect(favicon.status).toBe(404);
    const res = await fetch(`${server.url}?code=abc&state=xyz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Signed in');
    const url = await waiting;
    expect(url.searchParams.get('code')).toBe('abc');
    expect(url.pathname).toBe('/cb');
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('keeps a callback that arrives before waitForCallback is called', async () => {
    const server = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/early' });
    await fetch(`${server.url}?code=1`);
    const url = await server.waitForCallback();
    expect(url.searchParams.get('code')).toBe('1');
  });

  it('answers error= with an error page (status 400), HTML-escaped', async () => {
    const server = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/cb' });
    const waiting = server.waitForCallback();
    const res = await fetch(`${server.url}?error=${encodeURIComponent('<script>x</script>')}`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>x');
    expect((await waiting).searchParams.get('error')).toBe('<script>x</script>');
  });

  it('a redirect with another state than the login sent gets "Sign-in refused" (400), not "Signed in"', async () => {
    const server = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/cb', expectedState: 'the-state' });
    const waiting = server.waitForCallback();
    const res = await fetch(`${server.url}?code=abc&state=forged`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Sign-in refused');
    expect(html).not.toContain('Signed in');
    expect((await waiting).searchParams.get('state')).toBe('forged'); // the caller refuses it (ERR_STATE_MISMATCH)
    const ok = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/cb', expectedState: 'the-state' });
    const okWaiting = ok.waitForCallback();
    expect(await (await fetch(`${ok.url}?code=abc&state=the-state`)).text()).toContain('Signed in');
    await okWaiting;
  });

  it('times out with ERR_TIMEOUT (exit 5) and aborts with ERR_INTERRUPTED (exit 130), closing the port', async () => {
    const a = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/' });
    const e1 = await a.waitForCallback({ timeoutMs: 50 }).catch((e: unknown) => e);
    expect((e1 as AgentcoreAuthError).code).toBe('ERR_TIMEOUT');
    expect((e1 as AgentcoreAuthError).exitCode).toBe(5);
    await expect(fetch(a.url)).rejects.toThrow();

    const ac = new AbortController();
    const b = await startRedirectReceiver({ redirectUri: 'http://127.0.0.1:0/', signal: ac.signal });
    const waiting = b.waitForCallback();
    ac.abort();
    const e2 = await waiting.catch((e: unknown) => e);
    expect((e2 as AgentcoreAuthError).exitCode).toBe(130);
    await expect(fetch(b.url)).rejects.toThrow();
  });

  it('refuses non-loopback hosts (usage error) and reports a busy port as a config error (exit 2)', async () => {
    await expect(startRedirectReceiver({ redirectUri: 'http://0.0.0.0:0/' })).rejects.toMatchObject({
      code: 'ERR_USAGE',
    });
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startRedirectReceiver({ redirectUri: `http://127.0.0.1:${port}/` })).rejects.toMatchObject({
        code: 'ERR_CONFIG',
        exitCode: 2,
        message: expect.stringContaining('in use'),
      });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('OAuth helpers', () => {
  it('redirect URIs must be loopback http with a port', () => {
    expect(parseRedirectUri('http://localhost:53682/callback').port).toBe('53682');
    expect(parseRedirectUri('http://[::1]:8080/cb').hostname).toBe('[::1]');
    expect(() => parseRedirectUri('https://localhost:1/cb')).toThrow(/loopback http/);
    expect(() => parseRedirectUri('http://example.com:80/cb')).toThrow(/loopback/);
    expect(() => parseRedirectUri('http://127.0.0.1/cb')).toThrow(/explicit port/);
  });

  it('Cognito domains: prefix form, custom domain, full URL; http only for loopback', () => {
    expect(cognitoDomainBase('my-app.auth.us-east-1.amazoncognito.com')).toBe(
      'https://my-app.auth.us-east-1.amazoncognito.com',
    );
    expect(cognitoDomainBase('https://auth.example.com/')).toBe('https://auth.example.com');
    expect(cognitoDomainBase('http://127.0.0.1:9229')).toBe('http://127.0.0.1:9229');
    expect(() => cognitoDomainBase('http://auth.example.com')).toThrow(/https/);
    expect(isLoopbackUrl('http://127.0.0.2:1')).toBe(true);
    expect(isLoopbackUrl('http://10.0.0.1:1')).toBe(false);
  });

  it('client_credentials through discovery with the injected fetch (every request goes through it)', async () => {
    const o = inject('oidc');
    const seen: string[] = [];
    const ctx = await createOAuthContext({
      server: { discoveryUrl: o.discoveryUrl },
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      fetch: (input, init) => {
        seen.push(`${init?.method ?? 'GET'} ${String(input)}`);
        return fetch(input, init);
      },
    });
    expect(ctx.clientAuth).toBe('client_secret_basic');
    expect(ctx.tokenEndpoint).toBe(`${o.issuer}/token`);
    const t = await clientCredentialsGrant(ctx, { scopes: ['api:read'] });
    expect(t.accessToken.split('.')).toHaveLength(3);
    expect(t.expiresIn).toBeGreaterThan(0);
    expect(seen).toEqual([`GET ${o.discoveryUrl}`, `POST ${o.issuer}/token`]);
  });

  it('a discovery URL that is not an OAuth server is a clear remote error', async () => {
    const o = inject('oidc');
    const err = await createOAuthContext({
      server: { discoveryUrl: `${o.issuer}/nope/.well-known/openid-configuration` },
      clientId: 'x',
      fetch,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentcoreAuthError);
    expect((err as AgentcoreAuthError).message).toMatch(/discovery .* failed: .*HTTP 404/);
  });
});
