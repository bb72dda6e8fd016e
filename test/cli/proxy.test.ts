/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY on every outbound call (issue 28, item 3), in-process against the local stack.
 * The network here is loopback-only, so the stack is addressed as `agentcore.test`, a name that only the test's
 * forward proxy resolves (to 127.0.0.1): a call that succeeds went through the proxy, and the proxy's log shows it.
 * Loopback endpoints are never proxied (a dead proxy set does not matter to them); NO_PROXY sends a host direct;
 * a failure at the proxy names the proxy; --verbose says which proxy each call went through.
 * (test/e2e/proxy-tls.test.ts: HTTPS targets through HTTPS_PROXY — SDK, OAuth token endpoint, gateway — with the
 * built binary.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { freePort } from '../fixtures/ports.js';
import { startForwardProxy, type ForwardProxy } from '../fixtures/forward-proxy.js';
import { runCommand } from '../helpers/context.js';

let stack: LocalStack;
let proxy: ForwardProxy;
let port: number;
let home: string;
/** The stack's env with every endpoint at http://agentcore.test:PORT, through the proxy. */
let env: Record<string, string | undefined>;

const alias = () => `http://agentcore.test:${port}`;
const arn = (name: string) =>
  `arn:aws:bedrock-agentcore:us-east-1:${stack.accountId}:runtime/${stack.agents.find((a) => a.name === name)!.id}`;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  port = Number(new URL(stack.url).port);
  proxy = await startForwardProxy({ hosts: { 'agentcore.test': '127.0.0.1' } });
  const endpoints = Object.fromEntries(
    Object.entries(stack.env).map(([k, v]) => [k, k.startsWith('AWS_ENDPOINT_URL') ? alias() : v]),
  );
  env = { ...endpoints, HTTP_PROXY: proxy.url, NO_PROXY: undefined };
  // One signed-in user, cached in `home`, for the bearer calls (Cognito's InitiateAuth itself through the proxy).
  const client = stack.userPool.clients.find((c) => !c.clientSecret)!;
  const user = stack.userPool.users.find((u) => !u.temporaryPassword)!;
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  home = mkdtempSync(join(tmpdir(), 'aca-proxy-'));
  const login = await runCommand(
    ['login', '--client-id', client.clientId, '--username', user.username, '--password', user.password],
    { env, home },
  );
  expect(login.code, login.stderr).toBe(0);
  expect(proxy.log).toContain(`CONNECT agentcore.test:${port}`);
});
afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});
beforeEach(() => {
  proxy.log.length = 0;
});

describe('through the proxy', () => {
  it('SigV4 invoke (AWS SDK): tunnelled; --verbose names the proxy', async () => {
    const r = await runCommand(['invoke', arn('sigv4_agent'), '{"a":1}', '--user-id', 'alice', '--verbose'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.log).toContain(`CONNECT agentcore.test:${port}`);
    expect(r.stderr).toContain(`→ POST ${alias()}/runtimes/`);
    expect(r.stderr).toMatch(new RegExp(`→ POST ${alias()}/runtimes/\\S+ .*via proxy ${proxy.url}`));
  });

  it('bearer invoke (raw fetch): through the proxy', async () => {
    const r = await runCommand(['invoke', arn('jwt_agent'), '{"a":1}', '--bearer', '--verbose'], { env, home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`→ POST ${alias()}/runtimes/\\S+.*via proxy ${proxy.url}`));
    expect(proxy.log).toContain(`CONNECT agentcore.test:${port}`);
  });

  it('the lowercase http_proxy works too, and wins over HTTP_PROXY', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const r = await runCommand(['invoke', arn('sigv4_agent'), '{}', '--user-id', 'a'], {
      env: { ...env, http_proxy: proxy.url, HTTP_PROXY: dead },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.log).toContain(`CONNECT agentcore.test:${port}`);
  });
});

describe('never proxied', () => {
  it('loopback endpoints (127.0.0.1, localhost) and a dead proxy set: direct; --verbose names no proxy', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const proxies = { HTTPS_PROXY: dead, HTTP_PROXY: dead, https_proxy: dead, http_proxy: dead };
    const r = await runCommand(['invoke', arn('sigv4_agent'), '{}', '--user-id', 'a', '--verbose'], {
      env: { ...stack.env, ...proxies },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('via proxy');
    const localhost = Object.fromEntries(
      Object.entries(stack.env).map(([k, v]) => [k, k.startsWith('AWS_ENDPOINT_URL') ? `http://localhost:${port}` : v]),
    );
    const l = await runCommand(['invoke', arn('sigv4_agent'), '{}', '--user-id', 'a'], {
      env: { ...localhost, ...proxies },
    });
    expect(l.code, l.stderr).toBe(0);
    expect(proxy.log).toEqual([]);
  });

  it('NO_PROXY=agentcore.test: a direct connection (which cannot resolve the name), not the proxy', async () => {
    const r = await runCommand(['invoke', arn('sigv4_agent'), '{}', '--user-id', 'a'], {
      env: { ...env, NO_PROXY: 'example.com, .agentcore.test' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach .*agentcore\.test/);
    expect(r.stderr).not.toContain('proxy');
    expect(proxy.log).toEqual([]);
  });
});

describe('a failure at the proxy names the proxy', () => {
  it('a proxy that is not running: SDK and raw fetch calls both say so (exit 3)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const sdk = await runCommand(['invoke', arn('sigv4_agent'), '{}', '--user-id', 'a'], {
      env: { ...env, HTTP_PROXY: dead },
    });
    expect(sdk.code, sdk.stderr).toBe(3);
    expect(sdk.stderr).toContain(
      `error: cannot reach ${alias()} through proxy ${dead} (connection to the proxy refused)`,
    );
    expect(sdk.stderr).toMatch(/^hint: .*HTTPS_PROXY \/ HTTP_PROXY.*NO_PROXY/m);
    const raw = await runCommand(['invoke', arn('jwt_agent'), '{}', '--bearer'], {
      env: { ...env, HTTP_PROXY: dead },
      home,
    });
    expect(raw.code, raw.stderr).toBe(3);
    expect(raw.stderr).toContain(`through proxy ${dead} (connection to the proxy refused)`);
  });

  it('a proxy that wants credentials (407): named, with the fix; its URL credentials sent, never shown', async () => {
    const strict = await startForwardProxy({ refuse: 407 });
    try {
      const r = await runCommand(['invoke', arn('sigv4_agent'), '{}', '--user-id', 'a', '--verbose'], {
        env: { ...env, HTTP_PROXY: strict.url.replace('//', '//alice:s3cr3t@') },
      });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`through proxy ${strict.url} (the proxy answered 407 Proxy Authentication Required)`);
      expect(r.stderr).toMatch(/^hint: The proxy wants credentials/m);
      expect(r.stderr).not.toContain('s3cr3t');
      expect(strict.auth[0]).toBe(`Basic ${Buffer.from('alice:s3cr3t').toString('base64')}`);
    } finally {
      await strict.close();
    }
  });

  it('a malformed HTTPS_PROXY: exit 2 naming the variable, at the first call', async () => {
    const r = await runCommand(['invoke', arn('sigv4_agent'), '{}', '--user-id', 'a'], {
      env: { ...env, HTTP_PROXY: 'http://[bad' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: HTTP_PROXY is not a URL: "http://[bad"');
    const decode = await runCommand(['token', 'decode', 'x.y.z'], { env: { HTTP_PROXY: 'http://[bad' } });
    expect(decode.stderr).not.toContain('HTTP_PROXY');
  });
});
