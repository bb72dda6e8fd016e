/**
 * Bounded waits: fault injection through the local stack (throttle, 5xx, connection drop, latency) for each command
 * that calls AgentCore or Cognito, with its exit code and the number of attempts; non-retryable errors sent once;
 * Retry-After honoured on the raw and the SDK paths; SDK calls time out against a silent endpoint; Ctrl-C during
 * every kind of wait ends with exit 130, with the command's servers closed.
 *
 * No wall-clock assertions: a wait that is not bounded would outlast the test (the stack holds a call for 10 minutes, a
 * silent server never answers), so the exit code alone proves the bound. Ctrl-C is sent once the command is known to
 * wait (the stack holds its call, the browser is asked to open), never after a fixed delay.
 */
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients, fromAwsError } from '../../src/core/aws.js';
import type { FaultSettings } from '../../src/emulator/server.js';
import { freePort, portIsFree } from '../fixtures/ports.js';
import { createTestContext, runCommand, type TestContext } from '../helpers/context.js';
import {
  canaryAuthCodeLogin,
  canaryGatewayUrl,
  canaryPoolArgs,
  canaryThreeLo,
  startCanaryStack,
  type CanaryStack,
} from './canary-stack.js';

let s: CanaryStack;
let home: string;
let env: Record<string, string>;

const ARN = (id: string) => `arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/${id}`;
const SIGV4 = ARN('sigv4_agent-local00001');
const JWT = ARN('jwt_agent-local00002');

beforeAll(async () => {
  s = await startCanaryStack();
  env = { ...s.env, AGENTCORE_AUTH_PASSWORD: s.canaries.password };
  home = mkdtempSync(join(tmpdir(), 'aca-rel-waits-'));
  const r = await runCommand(['login', ...canaryPoolArgs(s), '--quiet'], { env, home });
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await s?.stack.close();
});

/** The commands that call the stack's AWS APIs, and how each reaches them. */
const COMMANDS: Record<string, { argv: () => string[]; path: 'sdk' | 'raw' }> = {
  'login (Cognito InitiateAuth, SDK)': {
    argv: () => ['login', ...canaryPoolArgs(s), '--no-cache'],
    path: 'sdk',
  },
  'invoke SigV4 (SDK)': { argv: () => ['invoke', SIGV4, '{"action":"whoami"}', '--user-id', 'alice'], path: 'sdk' },
  'invoke bearer (raw HTTP)': { argv: () => ['invoke', JWT, '{"action":"whoami"}', '--bearer'], path: 'raw' },
  'exchange API key (SDK)': {
    argv: () => [
      'exchange',
      '--workload-name',
      'local-workload',
      '--user-id',
      'alice',
      '--api-key-provider',
      'local-api-key',
    ],
    path: 'sdk',
  },
  'mcp gateway (raw HTTP)': {
    argv: () => ['mcp', '--gateway-url', canaryGatewayUrl(s), '--bearer'],
    path: 'raw',
  },
};

/**
 * The matrix counts attempts and exit codes, not waits: the SDK's own retry strategy with its backoff taken out (the
 * SDK's ConfiguredRetryStrategy with a 0 ms delay, made for the attempts the CLI allows) and the raw path's sleep a
 * no-op. The real waits are tested below: Retry-After on both paths, the SDK one with the product's own strategy.
 */
const noWaits = () => {
  const ctx = createTestContext({ env, home, sleep: async () => undefined });
  ctx.awsRetryStrategy = (maxAttempts) => new ConfiguredRetryStrategy(maxAttempts, 0);
  return ctx;
};

const FAULTS: Array<{ name: string; faults: FaultSettings; code: number; injected: number | 'once'; stderr?: RegExp }> =
  [
    {
      name: 'one throttle → retried, succeeds',
      faults: { rules: [{ kind: 'throttle', count: 1 }] },
      code: 0,
      injected: 1,
    },
    {
      name: 'throttled on every attempt → exit 3 after exactly 3 attempts',
      faults: { rules: [{ kind: 'throttle' }] },
      code: 3,
      injected: 3,
      stderr: /(throttl|TooManyRequests|Rate exceeded)/i,
    },
    { name: 'one 500 → retried, succeeds', faults: { rules: [{ kind: 'error', count: 1 }] }, code: 0, injected: 1 },
    {
      name: '503 on every attempt → exit 3 after exactly 3 attempts',
      faults: { rules: [{ kind: 'error', status: 503 }] },
      code: 3,
      injected: 3,
      stderr: /Service ?Unavailable|503/,
    },
    {
      name: 'one dropped connection → retried, succeeds',
      faults: { rules: [{ kind: 'drop', count: 1 }] },
      code: 0,
      injected: 1,
    },
    {
      name: 'every connection dropped → exit 3 after exactly 3 attempts',
      faults: { rules: [{ kind: 'drop' }] },
      code: 3,
      injected: 3,
      stderr: /connection reset/,
    },
  ];

describe('fault injection through the local stack', () => {
  const matrix = Object.entries(COMMANDS).flatMap(([cmd, c]) =>
    FAULTS.map((f) => [`${cmd}: ${f.name}`, c, f] as const),
  );
  it.each(matrix)('%s', async (_name, c, f) => {
    s.stack.faults.set({ rules: f.faults.rules!.map((r) => ({ ...r })) });
    s.stack.faults.injected = { throttle: 0, error: 0, drop: 0 };
    try {
      const r = await runCommand(c.argv(), noWaits());
      const injected = Object.values(s.stack.faults.injected).reduce((a, b) => a + b, 0);
      expect(r.code, r.stderr).toBe(f.code);
      expect(injected, 'attempts that met the fault').toBe(f.injected);
      if (f.stderr) expect(r.stderr).toMatch(f.stderr);
      expect(r.stderr).not.toContain('internal error');
      if (f.code === 0) expect(r.stderr).not.toContain('error:');
    } finally {
      s.stack.faults.clear();
    }
  });

  it('a non-retryable answer (401 for a bad bearer token) is sent once, not retried', async () => {
    const r = await runCommand(
      ['invoke', JWT, '{"action":"whoami"}', '--bearer-token', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', '--verbose'],
      { env, home },
    );
    expect(r.code).toBe(4);
    expect(r.stderr.match(/^→ POST /gm)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/retrying in/);
  });

  it('a validation error (unknown provider) through the SDK is sent once', async () => {
    s.stack.faults.set({ latencyMs: 1, latencyMatch: 'GetResourceApiKey' });
    const r = await runCommand(
      [
        'exchange',
        '--workload-name',
        'local-workload',
        '--user-id',
        'alice',
        '--api-key-provider',
        'nope',
        '--verbose',
      ],
      { env, home },
    );
    s.stack.faults.clear();
    expect(r.code).toBe(3);
    expect(r.stderr.match(/^→ POST .*\(GetResourceApiKey\)/gm)).toHaveLength(1);
  });

  it('latency beyond --timeout: invoke (both paths) and mcp stop with exit 5 before the answer', async () => {
    s.stack.faults.set({ latencyMs: HOLD_MS });
    try {
      // The three at once: each waits out its own --timeout.
      const argvs = [
        COMMANDS['invoke SigV4 (SDK)']!.argv(),
        COMMANDS['invoke bearer (raw HTTP)']!.argv(),
        COMMANDS['mcp gateway (raw HTTP)']!.argv(),
      ];
      const results = await Promise.all(argvs.map((argv) => runCommand([...argv, '--timeout', '0.4'], { env, home })));
      results.forEach((r, i) => {
        expect(r.code, `${argvs[i]![0]} ${r.stderr}`).toBe(5);
        expect(r.stderr).toMatch(/did not finish within 400 ms \(--timeout\)/);
      });
    } finally {
      s.stack.faults.clear();
    }
  });
});

/** A loopback stand-in for the AgentCore endpoint: answers from a list, recording each request. */
async function scriptedServer(
  answers: Array<{ status: number; headers?: Record<string, string>; body: string }>,
): Promise<{ url: string; hits: number[]; close(): Promise<void> }> {
  const hits: number[] = [];
  let i = 0;
  const server: Server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(Date.now());
      const a = answers[Math.min(i++, answers.length - 1)]!;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const THROTTLE = {
  status: 429,
  headers: { 'x-amzn-errortype': 'ThrottlingException', 'retry-after': '1' },
  body: '{"message":"Rate exceeded"}',
};
const OK = {
  status: 200,
  headers: { 'x-amzn-bedrock-agentcore-runtime-session-id': 's'.repeat(40) },
  body: '{"ok":true}',
};

describe('Retry-After', () => {
  it("raw path (bearer invoke): the wait is the server's Retry-After (3 s), not the random backoff", async () => {
    const srv = await scriptedServer([{ ...THROTTLE, headers: { ...THROTTLE.headers, 'retry-after': '3' } }, OK]);
    const sleeps: number[] = [];
    try {
      const ctx = createTestContext({
        env: { ...env, AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: srv.url },
        home,
        sleep: async (ms) => void sleeps.push(ms),
      });
      const r = await runCommand(['invoke', JWT, '{}', '--bearer', '--auth', 'bearer'], ctx);
      expect(r.code, r.stderr).toBe(0);
      expect(srv.hits).toHaveLength(2);
      expect(sleeps).toEqual([3000]);
      expect(r.stderr).toContain('retrying in 3000 ms');
    } finally {
      await srv.close();
    }
  });

  it('raw path: RetryableConflictException (409) is retried, a plain ConflictException (409) is not', async () => {
    const conflict = (type: string) => ({
      status: 409,
      headers: { 'x-amzn-errortype': type },
      body: `{"message":"${type}"}`,
    });
    for (const [type, hits, code] of [
      ['RetryableConflictException', 2, 0],
      ['ConflictException', 1, 3],
    ] as const) {
      const srv = await scriptedServer([conflict(type), OK]);
      try {
        const ctx = createTestContext({
          env: { ...env, AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: srv.url },
          home,
          sleep: async () => undefined,
        });
        const r = await runCommand(['invoke', JWT, '{}', '--bearer', '--auth', 'bearer'], ctx);
        expect(r.code, `${type}: ${r.stderr}`).toBe(code);
        expect(srv.hits, type).toHaveLength(hits);
      } finally {
        await srv.close();
      }
    }
  });

  it(
    'OAuth token endpoint (login client-credentials): 503 and 429 + Retry-After are retried, invalid_client ' +
      'is not',
    async () => {
      const token = {
        status: 200,
        headers: {},
        body: JSON.stringify({ access_token: 'opaque-access-token-xyz', token_type: 'Bearer', expires_in: 3600 }),
      };
      const cases = [
        {
          answers: [{ status: 503, headers: {}, body: '{"error":"temporarily_unavailable"}' }, token],
          code: 0,
          hits: 2,
          sleeps: 1,
        },
        {
          answers: [{ status: 429, headers: { 'retry-after': '2' }, body: '{"error":"slow_down"}' }, token],
          code: 0,
          hits: 2,
          sleeps: 1,
          exact: 2000,
        },
        {
          answers: [{ status: 401, headers: {}, body: '{"error":"invalid_client"}' }, token],
          code: 4,
          hits: 1,
          sleeps: 0,
        },
      ];
      for (const c of cases) {
        const srv = await scriptedServer(c.answers);
        const sleeps: number[] = [];
        try {
          const ctx = createTestContext({ home, sleep: async (ms) => void sleeps.push(ms) });
          const r = await runCommand(
            [
              'login',
              '--auth-flow',
              'client-credentials',
              '--token-endpoint',
              `${srv.url}/token`,
              '--client-id',
              'c',
              '--client-secret',
              'not-a-real-secret',
              '--no-cache',
            ],
            ctx,
          );
          expect(r.code, `${c.answers[0]!.status}: ${r.stderr}`).toBe(c.code);
          expect(srv.hits).toHaveLength(c.hits);
          expect(sleeps).toHaveLength(c.sleeps);
          if (c.exact) expect(sleeps).toEqual([c.exact]);
        } finally {
          await srv.close();
        }
      }
    },
  );

  it('verify: a discovery document behind one 503 is fetched again, not reported as a rejection', async () => {
    const discovery = await (await fetch(s.stack.userPool.discoveryUrl)).text();
    const srv = await scriptedServer([
      { status: 503, headers: {}, body: '{"message":"busy"}' },
      { status: 200, headers: {}, body: discovery },
    ]);
    try {
      const token = (await runCommand(['token', 'print'], { env, home })).stdout.trim();
      const ctx = createTestContext({ env, home, sleep: async () => undefined });
      const r = await runCommand(
        ['verify', token, '--discovery-url', `${srv.url}/.well-known/openid-configuration`],
        ctx,
      );
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(srv.hits).toHaveLength(2);
      expect(r.stderr).toMatch(/attempt 1 got 503; retrying/);
    } finally {
      await srv.close();
    }
  });

  it('SDK path (SigV4 invoke): the second attempt comes no sooner than Retry-After: 1', async () => {
    const srv = await scriptedServer([THROTTLE, OK]);
    try {
      const r = await runCommand(['invoke', SIGV4, '{}', '--user-id', 'alice'], {
        env: { ...env, AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: srv.url },
        home,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(srv.hits).toHaveLength(2);
      expect(srv.hits[1]! - srv.hits[0]!).toBeGreaterThanOrEqual(900);
    } finally {
      await srv.close();
    }
  });
});

/** A TCP server that accepts connections and never answers (a hung endpoint). */
async function silentServer(): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const so of sockets) so.destroy();
        server.close(() => r());
      }),
  };
}

describe('a silent endpoint', () => {
  it('SDK calls time out (requestTimeout is enforced, not only logged) and map to ERR_TIMEOUT (exit 5)', async () => {
    const silent = await silentServer();
    try {
      const clients = createAwsClients({
        env: {
          AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: silent.url,
          AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
          AWS_SECRET_ACCESS_KEY: 'x',
          AWS_REGION: 'us-east-1',
        },
        settings: { timeoutMs: 300, maxAttempts: 1 },
      });
      const cognito = await clients.cognito('us-east-1');
      const { InitiateAuthCommand } = await import('@aws-sdk/client-cognito-identity-provider');
      const err = await cognito
        .send(
          new InitiateAuthCommand({
            ClientId: 'c',
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'u', PASSWORD: 'p' },
          }),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const mapped = fromAwsError(err, 'InitiateAuth');
      expect(mapped.code).toBe('ERR_TIMEOUT');
      expect(mapped.exitCode).toBe(5);
    } finally {
      await silent.close();
    }
  });

  it(
    'raw calls time out: verify against a discovery URL that never answers is bounded by the fetch timeout ' +
      '(exit 5 or Ctrl-C 130)',
    async () => {
      const silent = await silentServer();
      const ac = new AbortController();
      try {
        const timer = setTimeout(
          () => ac.abort(Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' })),
          300,
        );
        const r = await runCommand(
          [
            'verify',
            'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln',
            '--discovery-url',
            `${silent.url}/.well-known/openid-configuration`,
          ],
          { env, home, signal: ac.signal },
        );
        clearTimeout(timer);
        expect(r.code, r.stderr).toBe(130);
      } finally {
        await silent.close();
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Ctrl-C

const sigint = () => Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' });

/**
 * Long enough that only Ctrl-C or --timeout can end a held call within the test (the hold ends when the client goes
 * away).
 */
const HOLD_MS = 600_000;

/**
 * Run argv and send Ctrl-C once `waiting` resolves (the command is then known to wait); exit 130 expected. If the
 * command ends before that, its result is returned as it is (and the test's exit-code assertion says why).
 */
async function interrupt(
  argv: string[],
  waiting: Promise<unknown> | ((ctx: TestContext) => Promise<unknown>),
  extra: Parameters<typeof createTestContext>[0] = {},
) {
  const ac = new AbortController();
  const ctx = createTestContext({ env, home, signal: ac.signal, ...extra });
  const ready = typeof waiting === 'function' ? waiting(ctx) : waiting;
  const run = runCommand(argv, ctx);
  await Promise.race([ready, run]);
  ac.abort(sigint());
  return run;
}

/** A test browser that never signs in, and a promise of its first use: the command then waits for the redirect. */
function idleBrowser(): { openBrowser: (url: string) => Promise<void>; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { openBrowser: async () => open(), opened };
}

describe('Ctrl-C during any wait ends cleanly (exit 130)', () => {
  const slow: Array<[string, () => string[]]> = [
    ['login waiting on Cognito', () => COMMANDS['login (Cognito InitiateAuth, SDK)']!.argv()],
    ['invoke SigV4 waiting on the runtime', () => COMMANDS['invoke SigV4 (SDK)']!.argv()],
    ['invoke bearer waiting on the runtime', () => COMMANDS['invoke bearer (raw HTTP)']!.argv()],
    ['exchange waiting on the data plane', () => COMMANDS['exchange API key (SDK)']!.argv()],
    ['mcp waiting on the gateway', () => COMMANDS['mcp gateway (raw HTTP)']!.argv()],
    [
      'doctor waiting on the control plane',
      () => ['doctor', '--workload-name', 'local-workload', '--provider', 'local-m2m'],
    ],
  ];
  it.each(slow)('%s (the stack holds the call)', async (_name, argv) => {
    s.stack.faults.set({ latencyMs: HOLD_MS });
    try {
      const r = await interrupt(argv(), s.stack.faults.nextHeld());
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toContain('interrupted');
      expect(r.stderr).not.toContain('internal error');
    } finally {
      s.stack.faults.clear();
    }
  });

  it(
    'smoke waiting on a step: exit 130, and the work done is kept (the JUnit report holds the step that ' + 'passed)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'aca-rel-smoke-'));
      const file = join(dir, 's.yaml');
      const junit = join(dir, 'junit.xml');
      writeFileSync(
        file,
        `steps:\n  - id: quick\n    explain: Token has expired\n  - id: inv\n    invoke:\n      ` +
          `agent: ${SIGV4}\n      payload: '{"action":"whoami"}'\n      user-id: alice\n`,
      );
      s.stack.faults.set({ latencyMs: HOLD_MS });
      try {
        // Held: the invoke step's call (the explain step needs no stack), so the first step has passed by then.
        const r = await interrupt(['smoke', file, '--junit', junit], s.stack.faults.nextHeld(), { cwd: dir });
        expect(r.code, r.stderr + r.stdout).toBe(130);
        const xml = readFileSync(junit, 'utf8');
        expect(xml).toMatch(/<testcase name="quick"[^>]*\/>/);
        expect(xml).toMatch(/<testcase name="inv"[\s\S]*ERR_INTERRUPTED/);
      } finally {
        s.stack.faults.clear();
      }
    },
  );

  it('callback waiting for a redirect: exit 130 and the port is free again', async () => {
    const port = await freePort();
    // Interrupted once it says where it listens.
    // Raced against the run: never rejects (the assertions below say what went wrong).
    const listening = (ctx: TestContext) =>
      vi
        .waitFor(() => expect(ctx.stderr.text()).toContain(`${port}`), { timeout: 10_000, interval: 10 })
        .catch(() => undefined);
    const r = await interrupt(['callback', '--port', String(port), '--user-id', 'alice'], listening);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(`${port}`); // it was listening when interrupted
    expect(await portIsFree(port)).toBe(true);
  });

  it('login authorization-code waiting for the browser: exit 130 and the redirect port is free again', async () => {
    const port = await freePort();
    const browser = idleBrowser();
    const r = await interrupt(canaryAuthCodeLogin(s, port), browser.opened, { openBrowser: browser.openBrowser });
    expect(r.code, r.stderr).toBe(130);
    expect(await portIsFree(port)).toBe(true);
  });

  it('exchange 3LO waiting for the consent (browser never comes): exit 130, return-URL server closed', async () => {
    const port = await freePort();
    const returnUrl = `http://127.0.0.1:${port}/oauth2/callback`;
    const browser = idleBrowser();
    const r = await interrupt([...canaryThreeLo(returnUrl), '--force-auth'], browser.opened, {
      openBrowser: browser.openBrowser,
    });
    expect(r.code, r.stderr).toBe(130);
    expect(await portIsFree(port)).toBe(true);
  });

  it(
    'exchange 3LO with --register-return-url --ephemeral, Ctrl-C while waiting: the return URL it added is ' +
      'removed again',
    async () => {
      const port = await freePort();
      const returnUrl = `http://127.0.0.1:${port}/oauth2/callback`;
      const before = [...s.stack.state.workloadIdentities.get('local-workload')!.allowedResourceOauth2ReturnUrls];
      const browser = idleBrowser();
      const r = await interrupt([...canaryThreeLo(returnUrl), '--ephemeral', '--force-auth'], browser.opened, {
        openBrowser: browser.openBrowser,
      });
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(/UpdateWorkloadIdentity/);
      expect(s.stack.state.workloadIdentities.get('local-workload')!.allowedResourceOauth2ReturnUrls).toEqual(before);
      expect(await portIsFree(port)).toBe(true);
    },
  );

  it('a real SIGINT to the built CLI (callback waiting): exit 130, one line on stderr, the port released', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        new URL('../../bin/agentcore-auth.js', import.meta.url).pathname,
        'callback',
        '--port',
        String(port),
        '--user-id',
        'alice',
      ],
      {
        env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    await vi.waitFor(async () => expect(await portIsFree(port)).toBe(false), { timeout: 5000, interval: 25 });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/^error: interrupted$/m);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await portIsFree(port)).toBe(true);
  });

  it('local (the stack itself): exit 130 and its port is closed', async () => {
    const port = await freePort();
    const ac = new AbortController();
    const ctx = createTestContext({ env: {}, signal: ac.signal });
    const run = runCommand(['local', '--port', String(port), '--json'], ctx);
    await vi.waitFor(() => expect(ctx.stdout.text()).toContain('}'), { timeout: 6000, interval: 20 });
    const info = JSON.parse(ctx.stdout.text()) as { env: Record<string, string> };
    expect(info.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/_local/health`)).status).toBe(200);
    ac.abort(sigint());
    const r = await run;
    expect(r.code, r.stderr).toBe(130);
    expect(await portIsFree(port)).toBe(true);
  });
});
