/**
 * Startup cost: `--help`, `login --help` and `--version` of the built binary must not load the AWS SDK or
 * openid-client, nor any ES module of the CLI: the CommonJS launcher serves them from dist/bin.cjs. A Node
 * module-resolution hook (module.register, loaded with --import) and a wrapper of require()'s resolver record every
 * module URL the process resolves; the test reads that list. The built `demo` passes every
 * step, its stack and oidc-provider loaded by require() (the faster loader). Needs dist/ (npm test builds it first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { portIsFree } from '../fixtures/ports.js';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'agentcore-auth.js');
const HEAVY = [/@aws-sdk\//, /@smithy\//, /\/openid-client\//, /\/oauth4webapi\//, /\/oidc-provider\//];

let dir: string;
let registerUrl: string;

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'bin.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'aca-startup-'));
  // Runs in the loader thread: append each resolved URL to the file named by the env variable.
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.ACA_RESOLVE_LOG, r.url + '\\n');
  return r;
}
`,
  );
  // require() (src/sdk.ts loads the AWS SDK that way) does not pass the ESM hooks on Node 20: record its resolutions
  // too.
  writeFileSync(
    join(dir, 'register.mjs'),
    `import Module, { register } from 'node:module';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  if (file.startsWith('/')) appendFileSync(process.env.ACA_RESOLVE_LOG, pathToFileURL(file).href + '\\n');
  return file;
};
`,
  );
  registerUrl = pathToFileURL(join(dir, 'register.mjs')).href;
});

function run(args: string[], extraEnv: Record<string, string> = {}) {
  const log = join(dir, `resolved-${args.join('_').replace(/\W/g, '')}-${Date.now()}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', registerUrl, bin, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, ACA_RESOLVE_LOG: log, NO_COLOR: '1', ...extraEnv },
    encoding: 'utf8',
    timeout: 15_000,
  });
  const resolved = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, resolved };
}

describe('startup of the built CLI', () => {
  it.each([[['--help']], [['login', '--help']], [['token', '--help']], [['--version']]])(
    '%j loads neither the AWS SDK nor openid-client',
    (args) => {
      const r = run(args);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.resolved.some((u) => u.endsWith('/dist/bin.cjs'))).toBe(true); // the hook saw our own module
      // served by the CommonJS fast path: not one of the CLI's ES modules (the ESM loader never needed)
      expect(r.resolved.filter((u) => /\/dist\/.*\.js$/.test(u))).toEqual([]);
      const heavy = r.resolved.filter((u) => HEAVY.some((re) => re.test(u)));
      expect(heavy).toEqual([]);
      if (args[0] === '--version') {
        expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
        // the fast path: not even commander
        expect(r.resolved.filter((u) => /\/commander\//.test(u))).toEqual([]);
      } else {
        expect(r.stdout).toContain('Usage: agentcore-auth');
      }
    },
  );

  it('login --help documents the flows, the default redirect URI and the environment variables', () => {
    const r = run(['login', '--help']);
    for (const s of [
      '--auth-flow',
      'user-password',
      'authorization-code',
      'http://localhost:53682/callback',
      'AGENTCORE_AUTH_PASSWORD',
      'AGENTCORE_AUTH_CLIENT_SECRET',
      '--print',
      '--save-as',
      '--no-cache',
    ]) {
      expect(r.stdout).toContain(s);
    }
  });

  it('a real command does load the SDK (the hook would notice)', () => {
    // loopback only: a closed local port stands in for Cognito (the call fails with exit 3, after loading the SDK)
    const r = run(
      ['login', '--client-id', 'x', '--username', 'u', '--password', 'p', '--region', 'us-east-1', '--no-cache'],
      {
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9',
      },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('http://127.0.0.1:9');
    expect(r.resolved.some((u) => u.endsWith('/dist/bin.js'))).toBe(true); // the full CLI, imported by the launcher
    expect(r.resolved.some((u) => /@aws-sdk\/client-cognito-identity-provider/.test(u))).toBe(true);
  }, 20_000);
});

describe('built binary: demo', () => {
  it('every step behaves as narrated; the stack and oidc-provider load by require() where Node can', () => {
    const r = run(['demo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { ok: boolean; steps: Array<{ id: string; status: string }> };
    expect(summary.ok).toBe(true);
    expect(summary.steps).toHaveLength(18);
    expect(summary.steps.filter((s) => s.status !== 'pass')).toEqual([]);
    expect(r.resolved.some((u) => u.endsWith('/dist/cli/demo/run.js'))).toBe(true);
    expect(r.resolved.some((u) => u.endsWith('/oidc-provider/lib/index.js'))).toBe(true);
    // require(esm) (Node 20.19+) links the graph synchronously, past the ESM hooks: the hook never sees the stack's
    // modules. import() (the fallback) would pass each of them through it.
    if ((process.features as { require_module?: boolean }).require_module === true)
      expect(r.resolved.filter((u) => u.endsWith('/dist/emulator/stack.js'))).toEqual([]);
  }, 20_000);
});

describe('built binary: Ctrl-C during a browser login', () => {
  it('SIGINT while waiting for the redirect exits 130, says so, and frees the port', async () => {
    const o = inject('oidc');
    // Port 0: the OS picks the redirect port (the test provider accepts any loopback port); login prints it.
    const child = spawn(
      process.execPath,
      [
        bin,
        'login',
        '--auth-flow',
        'authorization-code',
        '--discovery-url',
        o.discoveryUrl,
        '--client-id',
        o.clientId,
        '--redirect-uri',
        'http://127.0.0.1:0/callback',
        '--no-browser',
        '--no-cache',
      ],
      { env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += String(d)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no sign-in URL within 10 s: ${stderr}`)), 10_000);
      child.stderr!.on('data', (d) => {
        stderr += String(d);
        if (/\/auth\?/.test(stderr)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const port = Number(stderr.match(/waiting on http:\/\/127\.0\.0\.1:(\d+)\/callback/)?.[1]);
    expect(port).toBeGreaterThan(0);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toContain('error: interrupted');
    expect(await portIsFree(port)).toBe(true);
  }, 20_000);
});
