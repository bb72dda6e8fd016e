/**
 * The token cache under stress, through the CLI: concurrent `login` processes (the built bin, real child processes)
 * and concurrent in-process logins against the local stack never corrupt it or lose an entry; modes stay 0700/0600;
 * no temp or lock file is left; hand-broken and truncated files (a fixed set plus fast-check arbitrary content) are
 * recovered with a warning, never a crash, by every command that reads or writes the cache.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/context.js';
import { canaryPoolArgs, startCanaryStack, type CanaryStack } from './canary-stack.js';
import { runBuiltCli } from '../helpers/bin.js';

let s: CanaryStack;

beforeAll(async () => {
  s = await startCanaryStack();
});
afterAll(async () => {
  await s?.stack.close();
});

const cacheDirOf = (home: string) => join(home, '.cache', 'agentcore-auth');
const cacheFileOf = (home: string) => join(cacheDirOf(home), 'tokens.json');
const loginArgs = (name: string) => ['login', ...canaryPoolArgs(s), '--save-as', name, '--quiet'];

function expectHealthyCache(home: string, names: string[]) {
  const dir = cacheDirOf(home);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(cacheFileOf(home)).mode & 0o777).toBe(0o600);
  const cache = JSON.parse(readFileSync(cacheFileOf(home), 'utf8')) as {
    version: number;
    entries: Record<string, { tokens: { accessToken: string } }>;
  };
  expect(Object.keys(cache.entries).sort()).toEqual([...names].sort());
  for (const e of Object.values(cache.entries)) expect(e.tokens.accessToken).toMatch(/^eyJ/);
  // no temp file, no lock file, nothing moved aside
  expect(readdirSync(dir)).toEqual(['tokens.json']);
}

const runBin = runBuiltCli;

describe('concurrent writers', () => {
  it('6 `login` processes at once (the built CLI), two of them on the same name: every entry saved, file ' +
    'intact, modes kept', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aca-rel-procs-'));
    const env = {
      ...s.env,
      HOME: home,
      XDG_CACHE_HOME: join(home, '.cache'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const names = ['p0', 'p1', 'p2', 'p3', 'same', 'same'];
    const results = await Promise.all(
      names.map((n) => runBin([...loginArgs(n), '--password-stdin'], env, s.canaries.password)),
    );
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expectHealthyCache(home, ['p0', 'p1', 'p2', 'p3', 'same']);
    // the cache is usable by the next command
    const list = await runCommand(['token', 'list', '--json'], { home });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { entries: unknown[] }).entries).toHaveLength(5);
  }, 30_000);

  it('12 in-process logins, 12 readers and 4 refreshes interleaved: nothing lost, every read parses', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aca-rel-inproc-'));
    const env = { ...s.env, AGENTCORE_AUTH_PASSWORD: s.canaries.password };
    const first = await runCommand(loginArgs('base'), { env, home });
    expect(first.code).toBe(0);
    const jobs: Array<Promise<{ code: number; stderr: string }>> = [];
    for (let i = 0; i < 12; i++) {
      jobs.push(runCommand(loginArgs(`u${i}`), { env, home }));
      jobs.push(runCommand(['token', 'list', '--json'], { home }));
      if (i % 3 === 0)
        jobs.push(runCommand(['login', '--auth-flow', 'refresh', '--save-as', 'base', '--quiet'], { env, home }));
    }
    const results = await Promise.all(jobs);
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expectHealthyCache(home, ['base', ...Array.from({ length: 12 }, (_, i) => `u${i}`)]);
  });
});

/** Hand-broken cache contents: each must be recovered with a warning by readers and writers. */
const BROKEN: Array<[string, string]> = [
  ['truncated JSON', '{"version":1,"entries":{"default":{"name":"default","flow":"user-pass'],
  ['a bare string', '"tokens"'],
  ['null', 'null'],
  ['an array', '[1,2,3]'],
  ['entries is a number', '{"version":1,"entries":5}'],
  ['entries is an array', '{"version":1,"entries":[]}'],
  ['binary garbage', '\u0000\u0001\u00ff\u00fe{{{'],
  ['a merge-conflict marker', '<<<<<<< HEAD\n{"version":1,"entries":{}}\n=======\n{}\n>>>>>>> other\n'],
  ['a BOM before the JSON', '\ufeff{"version":1,"entries":{}}'],
];

/** Files that parse but hold odd entries: readers must not crash on them either. */
const ODD: Array<[string, unknown]> = [
  [
    'tokens is a string',
    { version: 1, entries: { default: { name: 'default', flow: 'user-password', tokens: 'eyJ' } } },
  ],
  [
    'accessToken is a number',
    {
      version: 1,
      entries: { default: { name: 'default', flow: 'user-password', tokens: { accessToken: 42 }, savedAt: 'x' } },
    },
  ],
  [
    'expiresAt is a string',
    {
      version: 1,
      entries: {
        default: {
          name: 'default',
          flow: 'user-password',
          tokens: { accessToken: 'abc.def.ghi' },
          expiresAt: 'soon',
          savedAt: 'x',
        },
      },
    },
  ],
  [
    'refresh config is garbage',
    {
      version: 1,
      entries: {
        default: {
          name: 'default',
          flow: 'refresh',
          tokens: { accessToken: 'a.b.c' },
          expiresAt: 1,
          refresh: { kind: 'nope' },
          savedAt: 'x',
        },
      },
    },
  ],
  [
    'a future version with extra fields',
    {
      version: 99,
      entries: {
        default: {
          name: 'default',
          flow: 'user-password',
          tokens: { accessToken: 'a.b.c' },
          savedAt: 'x',
          newField: [1, { a: 2 }],
        },
      },
      extra: true,
    },
  ],
];

function homeWithCache(text: string): string {
  const home = mkdtempSync(join(tmpdir(), 'aca-rel-broken-'));
  mkdirSync(cacheDirOf(home), { recursive: true, mode: 0o700 });
  writeFileSync(cacheFileOf(home), text, { mode: 0o600 });
  return home;
}

describe('broken cache files', () => {
  it.each(BROKEN)(
    '%s: token list/print/--bearer warn and go on; login moves it aside (0600) and writes a good file',
    async (_name, text) => {
      const home = homeWithCache(text);
      const list = await runCommand(['token', 'list'], { home });
      expect(list.code).toBe(0);
      expect(list.stderr).toMatch(
        /warning: the token cache .*(unreadable \(broken or truncated JSON\)|valid JSON but not a token cache)/,
      );
      const print = await runCommand(['token', 'print'], { home });
      expect(print.code).toBe(2);
      expect(print.stderr).toContain('warning:');
      expect(print.stderr).not.toContain('internal error');
      const bearer = await runCommand(['verify', '--bearer', '--discovery-url', s.stack.userPool.discoveryUrl], {
        home,
        env: s.env,
      });
      expect(bearer.stderr).not.toContain('internal error');
      expect(bearer.code).toBe(2);
      const login = await runCommand(loginArgs('default'), {
        home,
        env: { ...s.env, AGENTCORE_AUTH_PASSWORD: s.canaries.password },
      });
      expect(login.code).toBe(0);
      expect(login.stderr).toMatch(/moved it to .*tokens\.json\.broken-/);
      const names = readdirSync(cacheDirOf(home));
      const aside = names.find((n) => n.startsWith('tokens.json.broken-'))!;
      expect(aside).toBeDefined();
      expect(readFileSync(join(cacheDirOf(home), aside), 'utf8')).toBe(text); // the user's data is kept, not deleted
      expect(statSync(join(cacheDirOf(home), aside)).mode & 0o777).toBe(0o600);
      rmSync(join(cacheDirOf(home), aside));
      expectHealthyCache(home, ['default']);
    },
  );

  it.each(ODD)('%s: no command crashes on it', async (_name, content) => {
    const home = homeWithCache(JSON.stringify(content));
    for (const argv of [
      ['token', 'list'],
      ['token', 'list', '--json'],
      ['token', 'print'],
      ['token', 'clear'],
      ['verify', '--bearer', '--discovery-url', s.stack.userPool.discoveryUrl],
    ]) {
      const r = await runCommand(argv, { home, env: s.env });
      expect(r.stderr, argv.join(' ')).not.toContain('internal error');
      expect([0, 2, 3, 4], `${argv.join(' ')} → ${r.code}\n${r.stderr}`).toContain(r.code);
    }
  });

  it(
    'a file of any content (fast-check, 60 runs): token list never crashes, and login always leaves a valid ' + 'cache',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ maxLength: 200 }),
            fc.json({ maxDepth: 4 }),
            fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
          ),
          async (text) => {
            const home = homeWithCache(text);
            const list = await runCommand(['token', 'list', '--json'], { home });
            expect(list.stderr).not.toContain('internal error');
            expect(list.code).toBe(0);
            JSON.parse(list.stdout);
            const login = await runCommand(loginArgs('fc'), {
              home,
              env: { ...s.env, AGENTCORE_AUTH_PASSWORD: s.canaries.password },
            });
            expect(login.code, login.stderr).toBe(0);
            const cache = JSON.parse(readFileSync(cacheFileOf(home), 'utf8')) as { entries: Record<string, unknown> };
            expect(cache.entries.fc).toBeDefined();
            expect(statSync(cacheFileOf(home)).mode & 0o777).toBe(0o600);
            rmSync(home, { recursive: true, force: true });
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('tokens.json being a directory is a clear error (exit 2), not a crash', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aca-rel-dir-'));
    mkdirSync(cacheFileOf(home), { recursive: true });
    for (const argv of [['token', 'list'], loginArgs('x')]) {
      const r = await runCommand(argv, { home, env: { ...s.env, AGENTCORE_AUTH_PASSWORD: s.canaries.password } });
      expect(r.stderr, argv.join(' ')).not.toContain('internal error');
      expect(r.stderr).toContain('tokens.json');
      expect(r.code, r.stderr).toBe(2);
    }
  });

  it('a cache directory open to others is tightened on write or warned about, and the file stays 0600', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aca-rel-mode-'));
    mkdirSync(cacheDirOf(home), { recursive: true });
    chmodSync(cacheDirOf(home), 0o755);
    const r = await runCommand(loginArgs('default'), {
      home,
      env: { ...s.env, AGENTCORE_AUTH_PASSWORD: s.canaries.password },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/accessible to other users .*chmod 700/);
    expect(statSync(cacheFileOf(home)).mode & 0o777).toBe(0o600);
  });

  it(
    'a temp file left by a writer killed before its rename (it holds tokens) is removed by the ' + 'next write',
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'aca-rel-orphan-'));
      mkdirSync(cacheDirOf(home), { recursive: true, mode: 0o700 });
      writeFileSync(
        join(cacheDirOf(home), 'tokens.json.0123456789ab.tmp'),
        '{"version":1,"entries":{"x":{"tokens":{"accessToken":"eyJorphan"}}}}',
        { mode: 0o600 },
      );
      const r = await runCommand(loginArgs('default'), {
        home,
        env: { ...s.env, AGENTCORE_AUTH_PASSWORD: s.canaries.password },
      });
      expect(r.code, r.stderr).toBe(0);
      expectHealthyCache(home, ['default']);
    },
  );

  it('a stale lock left by a killed process is taken over with a warning; the login still saves', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aca-rel-lock-'));
    mkdirSync(cacheDirOf(home), { recursive: true, mode: 0o700 });
    writeFileSync(join(cacheDirOf(home), 'tokens.json.lock'), `999999 ${Date.now()} dead`);
    const r = await runCommand(loginArgs('default'), {
      home,
      env: { ...s.env, AGENTCORE_AUTH_PASSWORD: s.canaries.password },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('stale token-cache lock');
    expect(existsSync(join(cacheDirOf(home), 'tokens.json.lock'))).toBe(false);
    expectHealthyCache(home, ['default']);
  });
});
