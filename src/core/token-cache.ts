/**
 * The token cache: named entries (default `default`) holding a token set, its decoded expiry and what is needed to
 * refresh it. One JSON file, `tokens.json` (0600), in a private directory (0700):
 *
 *   $AGENTCORE_AUTH_CACHE_DIR  or  $XDG_CACHE_HOME/agentcore-auth  or  <home>/.cache/agentcore-auth
 *
 * Every change is read-merge-write under a lock file (`tokens.json.lock`, created with O_EXCL; a lock older than
 * STALE_LOCK_MS or held by a dead process is taken over), and the new file is written to a temp file and renamed
 * over the old one, so concurrent `login` processes never lose each other's entries and a reader never sees half a
 * file. A broken or truncated file, or JSON that is not a token cache, is moved aside (`tokens.json.broken-<time>`)
 * with a warning, never a crash.
 *
 * This module depends on node: built-ins only and never touches `process`: the environment, the home directory and the
 * running process (its pid, written into the lock, and a way to tell whether a lock's holder is still alive) are
 * parameters. It is the one place where a client secret may be stored (so that a later command can refresh without
 * asking again).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import { platform } from 'node:os';
import { join } from 'node:path';
import type { Env } from './aws-profile.js';

export interface CacheLocation {
  env: Env;
  homedir: string;
  /** Called with a human sentence when something was recovered (broken file, loose permissions, stale lock). */
  warn?: (message: string) => void;
  /**
   * Builds the error thrown when the cache cannot be used (not a file, permissions, lock held); default a plain Error.
   */
  fail?: (message: string, cause: unknown) => Error;
  /**
   * The process taking the lock: its pid is written into the lock file, and a lock whose holder is no longer alive is
   * taken over at once. Without it the pid is written as 0 and only a lock's age (STALE_LOCK_MS) makes it stale.
   */
  lockHolder?: LockHolder;
}

export interface LockHolder {
  pid: number;
  /** Whether a process with this pid runs on this host (`kill(pid, 0)`). */
  isAlive(pid: number): boolean;
}

function cacheFailure(loc: CacheLocation, message: string, cause: unknown): Error {
  if (loc.fail) return loc.fail(message, cause);
  return Object.assign(new Error(message, { cause }), { code: (cause as NodeJS.ErrnoException)?.code });
}

/** A file-system failure on the cache as one sentence naming the path. */
function describeFsError(what: string, path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EISDIR') return `cannot ${what} the token cache: ${path} is a directory, not a file`;
  if (code === 'ENOTDIR') return `cannot ${what} the token cache: a part of ${path} is a file, not a directory`;
  if (code === 'EACCES' || code === 'EPERM') return `cannot ${what} the token cache ${path}: permission denied`;
  if (code === 'ENOSPC') return `cannot ${what} the token cache ${path}: no space left on the device`;
  if (code === 'EROFS') return `cannot ${what} the token cache ${path}: read-only file system`;
  return `cannot ${what} the token cache ${path} (${code ?? (e as Error)?.message ?? String(e)})`;
}

export const DEFAULT_ENTRY = 'default';
export const CACHE_FILE = 'tokens.json';
export const CACHE_VERSION = 1;
/** A lock file older than this is considered abandoned (a crashed process). */
export const STALE_LOCK_MS = 10_000;
/** How long a writer waits for the lock before giving up. */
export const LOCK_WAIT_MS = 15_000;

export type LoginFlow =
  | 'user-password'
  | 'admin-user-password'
  | 'user-srp'
  | 'refresh'
  | 'client-credentials'
  | 'authorization-code';

/** How to refresh a Cognito entry (REFRESH_TOKEN_AUTH through the Cognito API). */
export interface CognitoRefreshConfig {
  kind: 'cognito';
  region: string;
  clientId: string;
  userPoolId?: string;
  /** Only when the app client has a secret: SECRET_HASH needs it on refresh too. */
  clientSecret?: string;
  /** The Cognito endpoint override in effect at login (local stacks); absent for the real AWS endpoint. */
  endpoint?: string;
}

/** How to refresh an OAuth/OIDC entry (refresh_token grant, or a new client_credentials grant). */
export interface OAuthRefreshConfig {
  kind: 'oauth';
  tokenEndpoint: string;
  issuer?: string;
  discoveryUrl?: string;
  clientId: string;
  clientSecret?: string;
  clientAuth?: 'client_secret_basic' | 'client_secret_post' | 'none';
  scopes?: string[];
  resource?: string;
}

export type RefreshConfig = CognitoRefreshConfig | OAuthRefreshConfig;

export interface TokenSet {
  accessToken?: string;
  idToken?: string;
  refreshToken?: string;
  tokenType?: string;
  /** Space-separated scopes the server granted, when it said. */
  scope?: string;
}

export interface CacheEntry {
  name: string;
  flow: LoginFlow;
  tokens: TokenSet;
  /** Expiry of the access token (or of the ID token when there is no access token), epoch seconds. */
  expiresAt?: number;
  idTokenExpiresAt?: number;
  /** Who the tokens are for (username / sub) and which client minted them: for `token list`. */
  subject?: string;
  username?: string;
  clientId?: string;
  issuer?: string;
  /** ISO time of the last save. */
  savedAt: string;
  refresh?: RefreshConfig;
}

export interface CacheFile {
  version: number;
  entries: Record<string, CacheEntry>;
}

/** The cache directory for this environment (not created). */
export function cacheDir(loc: Pick<CacheLocation, 'env' | 'homedir'>): string {
  const { env, homedir } = loc;
  if (env.AGENTCORE_AUTH_CACHE_DIR) return env.AGENTCORE_AUTH_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'agentcore-auth');
  return join(homedir, '.cache', 'agentcore-auth');
}

export function cachePath(loc: Pick<CacheLocation, 'env' | 'homedir'>): string {
  return join(cacheDir(loc), CACHE_FILE);
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** Entry names: letters, digits, `.`, `_`, `-`, `@`; 1–128 characters. */
export function validateEntryName(name: string): string | undefined {
  return NAME_RE.test(name)
    ? undefined
    : `invalid cache entry name '${name}': use letters, digits, '.', '_', '-', '@' (up to 128)`;
}

function emptyCache(): CacheFile {
  return { version: CACHE_VERSION, entries: Object.create(null) as Record<string, CacheEntry> };
}

async function ensureDir(loc: CacheLocation): Promise<string> {
  const dir = cacheDir(loc);
  let created = false;
  try {
    await fs.mkdir(dir, { recursive: false, mode: 0o700 });
    created = true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      created = true;
    } else if (code !== 'EEXIST') throw e;
  }
  if (created) {
    // mkdir's mode is filtered by the umask; make it exactly 0700.
    await fs.chmod(dir, 0o700).catch(() => undefined);
  } else if (platform() !== 'win32') {
    const st = await fs.stat(dir);
    if ((st.mode & 0o077) !== 0 && loc.warn) {
      loc.warn(
        `token cache directory ${dir} is accessible to other users (mode ${(st.mode & 0o777).toString(8)}); ` +
          `run: chmod 700 ${dir}`,
      );
    }
  }
  return dir;
}

/** What is wrong with a file that cannot be used: not JSON at all, or JSON of another shape. */
const UNUSABLE = {
  json: 'is unreadable (broken or truncated JSON)',
  shape: 'is valid JSON but not a token cache (not the shape agentcore-auth writes)',
} as const;

/** Parse the file's text; a file that cannot be used yields what is wrong with it (the caller recovers). */
function parseCache(text: string): CacheFile | { unusable: keyof typeof UNUSABLE } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { unusable: 'json' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { unusable: 'shape' };
  const p = parsed as Partial<CacheFile>;
  if (!p.entries || typeof p.entries !== 'object' || Array.isArray(p.entries)) return { unusable: 'shape' };
  // No prototype: an entry named `valueOf` or `constructor` must not find Object.prototype's members.
  const entries: Record<string, CacheEntry> = Object.create(null) as Record<string, CacheEntry>;
  for (const [name, entry] of Object.entries(p.entries)) {
    // Keep only entries that have the minimum shape; drop others silently (a newer version's data is kept as is).
    if (
      entry &&
      typeof entry === 'object' &&
      (entry as CacheEntry).tokens &&
      typeof (entry as CacheEntry).tokens === 'object' &&
      !Array.isArray((entry as CacheEntry).tokens)
    ) {
      entries[name] = sanitizeEntry({ ...(entry as CacheEntry), name });
    }
  }
  return { version: typeof p.version === 'number' ? p.version : CACHE_VERSION, entries };
}

/**
 * A hand-edited entry may hold values of the wrong type: drop those (a token that is not a string, an expiry that is
 * not a number) so that readers never crash on them; everything else is kept as is.
 */
function sanitizeEntry(entry: CacheEntry): CacheEntry {
  const tokens: TokenSet = {};
  for (const [k, v] of Object.entries(entry.tokens))
    if (typeof v === 'string') (tokens as Record<string, string>)[k] = v;
  const out: CacheEntry = { ...entry, tokens };
  for (const k of ['expiresAt', 'idTokenExpiresAt'] as const) {
    if (out[k] !== undefined && !(typeof out[k] === 'number' && Number.isFinite(out[k]))) delete out[k];
  }
  for (const k of ['subject', 'username', 'clientId', 'issuer', 'savedAt'] as const) {
    if (out[k] !== undefined && typeof out[k] !== 'string') delete out[k];
  }
  if (
    out.refresh !== undefined &&
    (!out.refresh ||
      typeof out.refresh !== 'object' ||
      (out.refresh.kind !== 'cognito' && out.refresh.kind !== 'oauth'))
  )
    delete out.refresh;
  return out;
}

async function readCacheFile(loc: CacheLocation, recover: boolean): Promise<CacheFile> {
  const file = cachePath(loc);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyCache();
    throw cacheFailure(loc, describeFsError('read', file, e), e);
  }
  if (text.trim() === '') return emptyCache();
  const parsed = parseCache(text);
  if (!('unusable' in parsed)) return parsed;
  const what = UNUSABLE[parsed.unusable];
  if (recover) {
    const aside = `${file}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await fs.rename(file, aside).catch(() => undefined);
    await fs.chmod(aside, 0o600).catch(() => undefined);
    loc.warn?.(`the token cache ${file} ${what}; moved it to ${aside} and started a new one — log in again`);
  } else {
    loc.warn?.(`the token cache ${file} ${what}; ignoring it — the next login replaces it`);
  }
  return emptyCache();
}

/** Read the whole cache (no lock: writes are atomic renames, so a reader sees the old or the new file). */
export async function loadCache(loc: CacheLocation): Promise<CacheFile> {
  return readCacheFile(loc, false);
}

export async function getEntry(loc: CacheLocation, name = DEFAULT_ENTRY): Promise<CacheEntry | undefined> {
  return (await loadCache(loc)).entries[name];
}

export async function listEntries(loc: CacheLocation): Promise<CacheEntry[]> {
  const cache = await loadCache(loc);
  return Object.values(cache.entries).sort((a, b) => a.name.localeCompare(b.name));
}

/** Insert or replace an entry (read-merge-write under the lock). Returns the saved entry. */
export async function saveEntry(
  loc: CacheLocation,
  entry: Omit<CacheEntry, 'savedAt'> & { savedAt?: string },
): Promise<CacheEntry> {
  const saved: CacheEntry = { ...entry, savedAt: entry.savedAt ?? new Date().toISOString() };
  await updateCache(loc, (cache) => {
    cache.entries[saved.name] = saved;
  });
  return saved;
}

/** Remove one entry; returns whether it existed. */
export async function removeEntry(loc: CacheLocation, name = DEFAULT_ENTRY): Promise<boolean> {
  let existed = false;
  await updateCache(loc, (cache) => {
    existed = name in cache.entries;
    delete cache.entries[name];
  });
  return existed;
}

/** Remove every entry; returns their names. */
export async function clearCache(loc: CacheLocation): Promise<string[]> {
  let names: string[] = [];
  await updateCache(loc, (cache) => {
    names = Object.keys(cache.entries);
    cache.entries = Object.create(null) as Record<string, CacheEntry>;
  });
  return names;
}

/** Read-merge-write under the lock; the mutation sees the current file. */
export async function updateCache(
  loc: CacheLocation,
  mutate: (cache: CacheFile) => void | Promise<void>,
): Promise<void> {
  const dir = await ensureDir(loc).catch((e: unknown) => {
    throw cacheFailure(loc, describeFsError('create', cacheDir(loc), e), e);
  });
  const release = await acquireLock(loc, join(dir, `${CACHE_FILE}.lock`)).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException)?.code;
    throw cacheFailure(
      loc,
      code === 'ETOKENCACHELOCKED' ? (e as Error).message : describeFsError('lock', join(dir, `${CACHE_FILE}.lock`), e),
      e,
    );
  });
  try {
    await removeOrphanTemps(dir);
    const cache = await readCacheFile(loc, true);
    await mutate(cache);
    cache.version = CACHE_VERSION;
    await writeAtomic(join(dir, CACHE_FILE), `${JSON.stringify(cache, null, 2)}\n`).catch((e: unknown) => {
      throw cacheFailure(loc, describeFsError('write', join(dir, CACHE_FILE), e), e);
    });
  } finally {
    await release();
  }
}

/**
 * Temp files are written only under the lock: one that exists while we hold the lock was left by a writer that died
 * before its rename. It holds tokens, so remove it.
 */
async function removeOrphanTemps(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const orphan = new RegExp(`^${CACHE_FILE.replace('.', '\\.')}\\.[0-9a-f]{12}\\.tmp$`);
  await Promise.all(names.filter((n) => orphan.test(n)).map((n) => fs.unlink(join(dir, n)).catch(() => undefined)));
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.chmod(tmp, 0o600); // in case the umask was odd
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take the lock file with O_EXCL. The holder writes `<pid> <epoch ms>`; a lock held by a dead pid on this host or
 * older than STALE_LOCK_MS is removed and retaken. Gives up after LOCK_WAIT_MS with a clear error.
 */
async function acquireLock(loc: CacheLocation, lockFile: string): Promise<() => Promise<void>> {
  const token = `${loc.lockHolder?.pid ?? 0} ${Date.now()} ${randomBytes(4).toString('hex')}`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let delay = 5;
  for (;;) {
    try {
      const h = await fs.open(lockFile, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
      try {
        await h.writeFile(token, 'utf8');
      } finally {
        await h.close();
      }
      return async () => {
        // Remove only our own lock (a takeover may have replaced it).
        const content = await fs.readFile(lockFile, 'utf8').catch(() => undefined);
        if (content === token) await fs.unlink(lockFile).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (await isStale(lockFile, loc.lockHolder)) {
      // Rename first so that only one contender removes a given stale lock.
      const aside = `${lockFile}.stale-${randomBytes(4).toString('hex')}`;
      try {
        await fs.rename(lockFile, aside);
        await fs.unlink(aside).catch(() => undefined);
        loc.warn?.(`removed a stale token-cache lock (${lockFile}) left by an interrupted process`);
      } catch {
        /* somebody else took it over first */
      }
      continue;
    }
    if (Date.now() > deadline) {
      const err = new Error(
        `the token cache is locked by another agentcore-auth process (${lockFile}); if none is running, ` +
          `delete that file`,
      );
      (err as Error & { code: string }).code = 'ETOKENCACHELOCKED';
      throw err;
    }
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}

async function isStale(lockFile: string, holder: LockHolder | undefined): Promise<boolean> {
  let content: string;
  let mtimeMs: number;
  try {
    [content, mtimeMs] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile).then((s) => s.mtimeMs)]);
  } catch {
    return false; // vanished: retry at once
  }
  const [pidText, timeText] = content.split(' ');
  const since = Number(timeText) || mtimeMs;
  if (Date.now() - since > STALE_LOCK_MS) return true;
  const pid = Number(pidText);
  // An empty lock (crash between create and write) older than a second is stale too.
  if (!content && Date.now() - mtimeMs > 1000) return true;
  if (!pidText) return false;
  if (!Number.isInteger(pid) || pid < 0) return true; // not a pid: no process holds it
  if (pid === 0 || !holder) return false; // holder unknown (or no way to ask): only the age tells
  return pid !== holder.pid && !holder.isAlive(pid);
}

/** Expiry in seconds from now (negative when expired); undefined when unknown. */
export function secondsLeft(entry: Pick<CacheEntry, 'expiresAt'>, nowMs: number): number | undefined {
  return typeof entry.expiresAt === 'number' ? Math.round(entry.expiresAt - nowMs / 1000) : undefined;
}
