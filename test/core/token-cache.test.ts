/**
 * The token cache: location precedence, file modes, atomic writes, several processes writing at once, stale-lock
 * takeover, waiting on a live lock, and recovery from a broken file.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/cli/context.js';
import {
  cacheDir,
  cachePath,
  clearCache,
  getEntry,
  listEntries,
  loadCache,
  removeEntry,
  saveEntry,
  updateCache,
  validateEntryName,
  type CacheLocation,
} from '../../src/core/token-cache.js';
import { tokenSetExpiry } from '../../src/core/jwt.js';

function freshLoc(): CacheLocation & { warnings: string[] } {
  const home = mkdtempSync(join(tmpdir(), 'aca-cache-'));
  const warnings: string[] = [];
  return {
    env: { XDG_CACHE_HOME: join(home, '.cache') },
    homedir: home,
    lockHolder: { pid: process.pid, isAlive: isProcessAlive },
    warn: (m) => warnings.push(m),
    warnings,
  };
}

const entry = (name: string, token = `tok-${name}`) => ({
  name,
  flow: 'user-password' as const,
  tokens: { accessToken: token },
});

describe('token cache location', () => {
  it('AGENTCORE_AUTH_CACHE_DIR > XDG_CACHE_HOME/agentcore-auth > <home>/.cache/agentcore-auth', () => {
    expect(cacheDir({ env: { AGENTCORE_AUTH_CACHE_DIR: '/x/y', XDG_CACHE_HOME: '/c' }, homedir: '/h' })).toBe('/x/y');
    expect(cacheDir({ env: { XDG_CACHE_HOME: '/c' }, homedir: '/h' })).toBe(join('/c', 'agentcore-auth'));
    expect(cacheDir({ env: {}, homedir: '/h' })).toBe(join('/h', '.cache', 'agentcore-auth'));
    expect(cachePath({ env: {}, homedir: '/h' })).toBe(join('/h', '.cache', 'agentcore-auth', 'tokens.json'));
  });

  it('entry names are checked', () => {
    expect(validateEntryName('default')).toBeUndefined();
    expect(validateEntryName('alice@prod.v2')).toBeUndefined();
    expect(validateEntryName('../etc')).toMatch(/invalid/);
    expect(validateEntryName('')).toMatch(/invalid/);
  });
});

describe('token cache files', () => {
  it(
    'creates the directory 0700 and the file 0600 even with a permissive umask, and leaves no ' + 'temp files',
    async () => {
      const loc = freshLoc();
      const old = process.umask(0);
      try {
        await saveEntry(loc, entry('default'));
      } finally {
        process.umask(old);
      }
      expect(statSync(cacheDir(loc)).mode & 0o777).toBe(0o700);
      expect(statSync(cachePath(loc)).mode & 0o777).toBe(0o600);
      expect(readdirSync(cacheDir(loc)).sort()).toEqual(['tokens.json']);
      expect(JSON.parse(readFileSync(cachePath(loc), 'utf8'))).toMatchObject({
        version: 1,
        entries: { default: { tokens: { accessToken: 'tok-default' } } },
      });
    },
  );

  it('save / get / list / remove / clear', async () => {
    const loc = freshLoc();
    expect(await getEntry(loc)).toBeUndefined();
    expect(await listEntries(loc)).toEqual([]);
    await saveEntry(loc, entry('b'));
    await saveEntry(loc, entry('a'));
    await saveEntry(loc, entry('b', 'tok-b2'));
    expect((await listEntries(loc)).map((e) => e.name)).toEqual(['a', 'b']);
    expect((await getEntry(loc, 'b'))?.tokens.accessToken).toBe('tok-b2');
    expect((await getEntry(loc, 'b'))?.savedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await removeEntry(loc, 'b')).toBe(true);
    expect(await removeEntry(loc, 'b')).toBe(false);
    expect(await clearCache(loc)).toEqual(['a']);
    expect(await listEntries(loc)).toEqual([]);
  });

  it('warns about a group/world-accessible directory it did not create', async () => {
    const loc = freshLoc();
    mkdirSync(cacheDir(loc), { recursive: true });
    chmodSync(cacheDir(loc), 0o755);
    await saveEntry(loc, entry('default'));
    expect(loc.warnings.join('\n')).toMatch(/accessible to other users .*chmod 700/);
  });

  it('a truncated file is recovered with a warning: readers ignore it, the next write moves it aside', async () => {
    const loc = freshLoc();
    await saveEntry(loc, entry('default'));
    const full = readFileSync(cachePath(loc), 'utf8');
    writeFileSync(cachePath(loc), full.slice(0, Math.floor(full.length / 2)));
    expect(await loadCache(loc)).toEqual({ version: 1, entries: {} });
    expect(loc.warnings.at(-1)).toMatch(/unreadable \(broken or truncated JSON\)/);
    await saveEntry(loc, entry('next'));
    expect(loc.warnings.at(-1)).toMatch(/moved it to .*tokens\.json\.broken-/);
    expect((await listEntries(loc)).map((e) => e.name)).toEqual(['next']);
    const files = readdirSync(cacheDir(loc));
    expect(files.some((f) => f.startsWith('tokens.json.broken-'))).toBe(true);
    for (const junk of ['null', '[]', '{"entries": 5}', '\u0000\u0000']) {
      writeFileSync(cachePath(loc), junk);
      await expect(loadCache(loc)).resolves.toEqual({ version: 1, entries: {} });
    }
  });

  it('takes over a stale lock left by a dead process, with a warning', async () => {
    const loc = freshLoc();
    await saveEntry(loc, entry('first'));
    // a pid that is certainly gone: a child that has exited
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => child.once('exit', r));
    writeFileSync(join(cacheDir(loc), 'tokens.json.lock'), `${child.pid} ${Date.now()} abcd`);
    await saveEntry(loc, entry('second'));
    expect((await listEntries(loc)).map((e) => e.name)).toEqual(['first', 'second']);
    expect(loc.warnings.join('\n')).toContain('stale token-cache lock');
    expect(readdirSync(cacheDir(loc))).not.toContain('tokens.json.lock');
  });

  it(
    'asks the injected lock holder, not the process: its pid goes into the lock, a holder it calls dead is ' +
      'taken over',
    async () => {
      const asked: number[] = [];
      const isAlive = (pid: number) => {
        asked.push(pid);
        return false;
      };
      const loc = { ...freshLoc(), lockHolder: { pid: 4242, isAlive } };
      await saveEntry(loc, entry('first'));
      const lock = join(cacheDir(loc), 'tokens.json.lock');
      writeFileSync(lock, `777 ${Date.now()} held`);
      let held = '';
      await updateCache(loc, () => {
        held = readFileSync(lock, 'utf8');
      });
      expect(held).toMatch(/^4242 \d+ [0-9a-f]{8}$/);
      expect(asked).toEqual([777]);
      expect(loc.warnings.join('\n')).toContain('stale token-cache lock');
    },
  );

  it('without a lock holder, a young lock is waited for, never taken over (only its age makes it stale)', async () => {
    const { lockHolder: _, ...loc } = freshLoc();
    await saveEntry(loc, entry('first'));
    const lock = join(cacheDir(loc), 'tokens.json.lock');
    writeFileSync(lock, `999999 ${Date.now()} other`);
    let held = '';
    setTimeout(() => unlinkSync(lock), 200); // the holder finishes
    await updateCache(loc, () => {
      held = readFileSync(lock, 'utf8');
    });
    expect(held).toMatch(/^0 /); // no pid to write
    expect(loc.warnings).toEqual([]);
  });

  it('waits for a lock held by a live process and writes once it is released', async () => {
    const loc = freshLoc();
    await saveEntry(loc, entry('first'));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
    const lock = join(cacheDir(loc), 'tokens.json.lock');
    writeFileSync(lock, `${holder.pid} ${Date.now()} live`);
    const started = Date.now();
    setTimeout(() => {
      // the holder finishes its write: removes the lock
      unlinkSync(lock);
      holder.kill();
    }, 300);
    await saveEntry(loc, entry('second'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await listEntries(loc)).map((e) => e.name)).toEqual(['first', 'second']);
    expect(loc.warnings).toEqual([]);
  });

  it('tokenSetExpiry: access token exp, else expires_in, else the ID token exp', () => {
    const jwt = (exp: number) => `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;
    expect(tokenSetExpiry({ accessToken: jwt(2000), idToken: jwt(3000) }, 60, 1_000_000)).toBe(2000);
    expect(tokenSetExpiry({ accessToken: 'opaque' }, 60, 1_000_000)).toBe(1060);
    expect(tokenSetExpiry({ accessToken: 'opaque', idToken: jwt(3000) }, undefined, 0)).toBe(3000);
    expect(tokenSetExpiry({ accessToken: 'opaque' }, undefined, 0)).toBeUndefined();
  });
});

describe('token cache under concurrent processes', () => {
  let dir: string;
  let moduleUrl: string;
  beforeAll(() => {
    // Run the real module in child processes: transpile it (it imports only node: built-ins at run time).
    dir = mkdtempSync(join(tmpdir(), 'aca-cache-mod-'));
    const src = readFileSync(new URL('../../src/core/token-cache.ts', import.meta.url), 'utf8');
    const out = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    expect(out.outputText).not.toMatch(/from '\.\.?\//); // no relative run-time imports
    writeFileSync(join(dir, 'token-cache.mjs'), out.outputText);
    moduleUrl = new URL(`file://${join(dir, 'token-cache.mjs')}`).href;
  });

  it('6 processes × 15 writes each: no entry lost, the file always parses, no temp or lock files left', async () => {
    const loc = freshLoc();
    const env = { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: loc.env.XDG_CACHE_HOME };
    const script =
      `
      const m = await import(${JSON.stringify(moduleUrl)});
      const isAlive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
      const loc = { env: { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME }, ` +
      `homedir: ${JSON.stringify(loc.homedir)}, lockHolder: { pid: process.pid, isAlive } };
      for (let i = 0; i < 15; i++) {
        await m.saveEntry(loc, { name: 'p' + process.argv[1] + '-' + i, flow: 'user-password', tokens: { ` +
      `accessToken: 'x'.repeat(2000) } });
      }
    `;
    const children = Array.from({ length: 6 }, (_, p) =>
      spawn(process.execPath, ['--input-type=module', '-e', script, String(p)], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    const errors: string[] = [];
    for (const c of children) c.stderr!.on('data', (d) => errors.push(String(d)));
    // Meanwhile, a reader: every read must see a complete JSON document (atomic rename).
    let reads = 0;
    let running = true;
    const exits = Promise.all(children.map((c) => new Promise<number | null>((r) => c.once('exit', r))));
    void exits.then(() => (running = false));
    while (running) {
      try {
        const text = readFileSync(cachePath(loc), 'utf8');
        JSON.parse(text);
        reads++;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await exits).toEqual([0, 0, 0, 0, 0, 0]);
    expect(errors.join('')).toBe('');
    expect(reads).toBeGreaterThan(0);
    const names = (await listEntries(loc)).map((e) => e.name);
    expect(names).toHaveLength(90);
    expect(readdirSync(cacheDir(loc))).toEqual(['tokens.json']);
  }, 30_000);
});
