/**
 * Time limits and Ctrl-C: a step against a loopback server that never answers. The step's own limit makes the run
 * exit 5 (the step could not run); an interrupt stops the run with 130 and marks what did not run.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../helpers/context.js';

let server: Server;
let url: string;
let dir: string;
/** Called when the server receives a request (that it never answers). */
let onRequest = () => {};
beforeAll(async () => {
  server = createServer(() => {
    onRequest(); // never answers
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  url = `http://127.0.0.1:${addr.port}/.well-known/openid-configuration`;
  dir = mkdtempSync(join(tmpdir(), 'aca-smoke-time-'));
  writeFileSync(
    join(dir, 'hang.yaml'),
    `steps:
  - id: hang
    verify: { token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln, discovery-url: "\${env:HANG_URL}" }
  - explain: Token has expired
`,
  );
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

it('--timeout: a step that does not finish in time makes the run exit 5, and the next step still runs', async () => {
  // The server never answers: only the step's time limit can end it (no wall-clock assertion needed).
  const r = await runCommand(['smoke', 'hang.yaml', '--timeout', '300ms'], { cwd: dir, env: { HANG_URL: url } });
  expect(r.code).toBe(5);
  expect(r.stdout).toMatch(
    /! hang\s+\d+(?:\.\d+)? m?s\s+could not run: ERR_TIMEOUT: the step did not finish within 300 ms/,
  );
  expect(r.stdout).toMatch(/✓ explain/);
  expect(r.stdout).toMatch(/steps could not run \(exit 5\)$/m);
});

it('Ctrl-C stops the run: exit 130, the running step interrupted, the rest not run', async () => {
  const ac = new AbortController();
  onRequest = () => ac.abort(); // Ctrl-C once the step waits on the server, never after a fixed delay
  const r = await runCommand(['smoke', 'hang.yaml', '--junit', 'int.xml'], {
    cwd: dir,
    env: { HANG_URL: url },
    signal: ac.signal,
  });
  expect(r.code).toBe(130);
  expect(r.stdout).toMatch(/! hang\s+\d+(?:\.\d+)? m?s\s+could not run: ERR_INTERRUPTED/);
  expect(r.stdout).toMatch(/- explain\s+not run: interrupted/);
  expect(r.stderr).toContain('error: interrupted');
});
