/**
 * `login` OAuth flows against oidc-provider (a certified OpenID provider): client-credentials (basic/post, wrong
 * secret), authorization code + PKCE on the loopback redirect completed by a headless browser, --no-browser, state
 * mismatch, error=, timeout, Ctrl-C, and the refresh of an OIDC entry through --bearer.
 */
import { createServer, type AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { browseHeadless } from '../fixtures/headless-browser.js';
import { portIsFree } from '../fixtures/ports.js';
import { createTestContext, runCommand } from '../helpers/context.js';
import { untilMatch } from '../helpers/wait.js';

const o = inject('oidc');
// Port 0: login binds a port the OS picks and sends it in redirect_uri; the test provider's client is native (RFC 8252
// §7.3), so it accepts any loopback port. No two test runs share a port.
const REDIRECT = 'http://127.0.0.1:0/callback';

/** The redirect URI login put in the authorization URL (with the port it listens on). */
function redirectOf(authUrl: string): string {
  return new URL(authUrl).searchParams.get('redirect_uri')!;
}
const portOf = (authUrl: string) => Number(new URL(redirectOf(authUrl)).port);

function expectNoTokenOnStderr(stderr: string) {
  expect(stderr).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/);
}

/** `login` against the test provider (discovery) with its client id; the secret and the rest follow. */
function oidcLogin(flow: 'client-credentials' | 'authorization-code'): string[] {
  return ['login', '--auth-flow', flow, '--discovery-url', o.discoveryUrl, '--client-id', o.clientId];
}
const clientCredentials = oidcLogin('client-credentials');

describe('login --auth-flow client-credentials (oidc-provider)', () => {
  it('discovery + client_secret_basic: a JWT access token for the resource, cached', async () => {
    const r = await runCommand(
      [...clientCredentials, '--client-secret-stdin', '--scopes', 'api:read', '--print', 'access-token'],
      { stdin: o.clientSecret },
    );
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    const claims = decodeJwt(r.stdout.trim());
    expect(claims).toMatchObject({
      sub: o.clientId,
      client_id: o.clientId,
      aud: o.resource,
      scope: 'api:read',
      iss: o.issuer,
    });
    expect(r.stderr).toContain('client_secret_basic');
    expect(r.stderr).not.toContain(o.clientSecret);
    expectNoTokenOnStderr(r.stderr);
    const list = await runCommand(['token', 'list', '--json'], { home: r.ctx.homedir });
    expect(JSON.parse(list.stdout).entries).toEqual([
      expect.objectContaining({
        name: 'default',
        flow: 'client-credentials',
        clientId: o.clientId,
        issuer: o.issuer,
        hasRefreshToken: false,
      }),
    ]);
  });

  it('--token-endpoint without discovery works too', async () => {
    const r = await runCommand(
      [
        'login',
        '--auth-flow',
        'client-credentials',
        '--token-endpoint',
        `${o.issuer}/token`,
        '--client-id',
        o.clientId,
        '--scopes',
        'api:write',
        '--no-cache',
        '--json',
      ],
      { env: { AGENTCORE_AUTH_CLIENT_SECRET: o.clientSecret } },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ flow: 'client-credentials', saved: null, claims: { access: { scope: 'api:write' } } });
    expect(out.tokens.idToken).toBeNull();
  });

  it('a wrong secret is ERR_OAUTH invalid_client (exit 4) with the client-auth hint', async () => {
    const r = await runCommand([...clientCredentials, '--client-secret', 'wrong-secret-xyz']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('invalid_client');
    expect(r.stderr).toContain('--client-auth');
    expect(r.stderr).not.toContain('wrong-secret-xyz');
  });

  it(
    '--client-auth client_secret_post sends the secret in the form body, not in Authorization (seen with ' +
      '--verbose)',
    async () => {
      const r = await runCommand([
        ...clientCredentials,
        '--verbose',
        '--client-secret',
        o.clientSecret,
        '--client-auth',
        'client_secret_post',
        '--no-cache',
      ]);
      expect(r.code).toBe(0);
      const tokenRequest = r.stderr.slice(r.stderr.indexOf(`POST ${o.issuer}/token`));
      expect(tokenRequest).toContain('client_secret=');
      expect(tokenRequest).toContain('grant_type=client_credentials');
      expect(tokenRequest.split(/\n\S/)[0]).not.toMatch(/authorization: Basic/i);
      expect(r.stderr).not.toContain(o.clientSecret);
      const basic = await runCommand([
        ...clientCredentials,
        '--verbose',
        '--client-secret',
        o.clientSecret,
        '--no-cache',
      ]);
      expect(basic.code).toBe(0);
      expect(basic.stderr).toMatch(/authorization: Basic /i);
      expect(basic.stderr).not.toContain('client_secret=');
    },
  );

  it('an OAuth server flag without --auth-flow asks which flow (exit 2)', async () => {
    const r = await runCommand(['login', '--discovery-url', o.discoveryUrl, '--client-id', o.clientId]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--auth-flow client-credentials');
  });

  it('plain http to a non-loopback host is refused before any request (exit 2)', async () => {
    const r = await runCommand([
      'login',
      '--auth-flow',
      'client-credentials',
      '--token-endpoint',
      'http://idp.example.com/token',
      '--client-id',
      'a',
      '--client-secret',
      'b',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('https');
  });
});

describe('login --auth-flow authorization-code (oidc-provider, headless browser)', () => {
  const flow = [...oidcLogin('authorization-code'), '--client-secret', o.clientSecret];
  const base = [...flow, '--redirect-uri', REDIRECT];

  it(
    'PKCE S256 + state + nonce on the loopback redirect (port 0: a port the OS picked): access, ID and ' +
      'refresh tokens, cached',
    async () => {
      let port = 0;
      const r = await runCommand([...base, '--scopes', 'openid,api:read', '--save-as', 'oidc'], {
        openBrowser: async (url) => {
          port = portOf(url);
          const u = new URL(url);
          expect(u.searchParams.get('code_challenge_method')).toBe('S256');
          expect(u.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(u.searchParams.get('state')).toBeTruthy();
          expect(u.searchParams.get('nonce')).toBeTruthy();
          expect(u.searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
          expect(port).toBeGreaterThan(0);
          const end = await browseHeadless(url, { login: 'alice' });
          expect(end.status).toBe(200);
          expect(end.body).toContain('Signed in');
        },
      });
      expect(r.stderr).not.toContain('error:');
      expect(r.code).toBe(0);
      expect(r.ctx.opened).toHaveLength(1);
      expect(r.stderr).toContain('Redirect received');
      expect(r.stderr).toMatch(/user\s+alice/);
      expectNoTokenOnStderr(r.stderr);
      const list = JSON.parse((await runCommand(['token', 'list', '--json'], { home: r.ctx.homedir })).stdout);
      expect(list.entries[0]).toMatchObject({
        name: 'oidc',
        flow: 'authorization-code',
        subject: 'alice',
        hasIdToken: true,
        hasRefreshToken: true,
      });
      const id = await runCommand(['token', 'print', 'oidc', '--id-token'], { home: r.ctx.homedir });
      expect(decodeJwt(id.stdout.trim())).toMatchObject({ sub: 'alice', aud: o.clientId, iss: o.issuer });
      expect(await portIsFree(port)).toBe(true);
    },
  );

  it(
    '--bearer refreshes an OIDC entry that expires within 2 minutes (refresh_token grant) and updates the ' + 'cache',
    async () => {
      const ctx = createTestContext({ openBrowser: async (url) => void (await browseHeadless(url, { login: 'bob' })) });
      const first = await runCommand([...base, '--scopes', 'openid,api:read', '--print', 'access-token'], ctx);
      expect(first.code).toBe(0);
      const original = first.stdout.trim();
      const exp = decodeJwt(original).exp!;
      // Move the clock to 1 minute before expiry: the cached token must be refreshed before use.
      const later = createTestContext({ home: ctx.homedir, now: () => (exp - 60) * 1000 });
      const r = await runCommand(['token', 'print'], later);
      expect(r.stderr).not.toContain('error:');
      expect(r.code).toBe(0);
      const fresh = r.stdout.trim();
      expect(fresh).not.toBe(original);
      expect(decodeJwt(fresh)).toMatchObject({ sub: 'bob', client_id: o.clientId });
      expect(r.stderr).toContain("refreshed 'default'");
      // the new token is in the cache; the next call does not refresh again (real clock)
      const again = await runCommand(['token', 'print'], createTestContext({ home: ctx.homedir }));
      expect(again.stdout.trim()).toBe(fresh);
      expect(again.stderr).toBe('');
    },
  );

  it('--no-browser prints the URL on stderr and still completes', async () => {
    const ctx = createTestContext();
    const run = runCommand(
      [...base, '--no-browser', '--no-cache', '--print', 'access-token', '--scopes', 'api:read'],
      ctx,
    );
    const url = await untilMatch(() => ctx.stderr.text(), /^\s+(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m, 2000);
    await browseHeadless(url, { login: 'carol' });
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.ctx.opened).toEqual([]);
    expect(decodeJwt(r.stdout.trim())).toMatchObject({ sub: 'carol' });
  });

  it('a redirect with another state is refused (exit 4), no code exchange', async () => {
    let port = 0;
    const r = await runCommand([...base, '--no-cache'], {
      openBrowser: async (url) => {
        port = portOf(url);
        await fetch(`${redirectOf(url)}?code=stolen-code&state=not-the-state`);
      },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('unexpected state');
    expect(await portIsFree(port)).toBe(true);
  });

  it('error= on the redirect is exit 4 with the provider error', async () => {
    const r = await runCommand([...base, '--no-cache'], {
      openBrowser: async (url) => {
        const state = new URL(url).searchParams.get('state')!;
        const res = await fetch(
          `${redirectOf(url)}?error=access_denied&error_description=` +
            `${encodeURIComponent('End-User aborted interaction')}&state=${state}`,
        );
        expect(res.status).toBe(400);
      },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('access_denied: End-User aborted interaction');
  });

  it('--timeout waiting for the browser is exit 5 and frees the port', async () => {
    let port = 0;
    const r = await runCommand([...base, '--no-cache', '--timeout', '0.3'], {
      openBrowser: async (url) => {
        port = portOf(url);
      },
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`error: no redirect reached http://127.0.0.1:${port}/callback within 0.3 s`);
    expect(r.stderr).toContain('hint: Finish the sign-in in the browser, or raise --timeout');
    expect(await portIsFree(port)).toBe(true);
  });

  it('Ctrl-C while waiting is exit 130 and closes the server', async () => {
    const ac = new AbortController();
    let port = 0;
    const r = await runCommand([...base, '--no-cache'], {
      signal: ac.signal,
      openBrowser: async (url) => {
        port = portOf(url);
        setTimeout(() => ac.abort(Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' })), 50);
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted');
    expect(await portIsFree(port)).toBe(true);
  });

  it('a busy redirect port is a usage error naming --redirect-uri', async () => {
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const r = await runCommand([...flow, '--redirect-uri', `http://127.0.0.1:${busy}/callback`, '--no-cache'], {
        openBrowser: async () => undefined,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('in use');
      expect(r.stderr).toContain('--redirect-uri');
      expect(r.ctx.opened).toEqual([]);
    } finally {
      await new Promise((res) => blocker.close(res));
    }
  });

  it('a non-loopback redirect URI is refused (exit 2)', async () => {
    const r = await runCommand([...oidcLogin('authorization-code'), '--redirect-uri', 'https://example.com/cb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('loopback');
  });
});
