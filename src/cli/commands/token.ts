/**
 * `token decode|list|print|clear`: read and manage tokens.
 *
 *   decode [JWT|-]           header and claims (unverified), iat/nbf/exp as dates and relative times; exit 2 if
 *   malformed
 *   list                     cached entries: name, flow, user, client, expiry — never a token or secret
 *   print [NAME] [--id-token|--refresh-token]
 *                            the raw token on stdout, refreshed first when it expires within 2 minutes
 *   clear [NAME] [--all]     remove cached entries (`logout` is an alias)
 */
import type { Command } from 'commander';
import { configError, usageError } from '../../core/errors.js';
import { cachePath, DEFAULT_ENTRY, getEntry, listEntries, type CacheEntry } from '../../core/token-cache.js';
import { cacheLocation, entryNameOf, resolveBearer } from '../bearer.js';
import { defineAction, type Outcome, type CliRun } from '../command.js';
import { readStdin, type Io } from '../io.js';
import { registerClear } from '../clear-tokens.js';
import { addOptions, flag, type OptionsOf } from '../options.js';

const PRINT_OPTIONS = {
  idToken: flag('--id-token', 'the ID token instead of the access token', { conflicts: ['refreshToken'] }),
  refreshToken: flag('--refresh-token', 'the refresh token (never refreshed)'),
};

type PrintOptions = OptionsOf<typeof PRINT_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const token = program
    .command('token')
    .description('decode, list, print and clear cached tokens')
    .addHelpText(
      'after',
      '\nThe cache lives in $AGENTCORE_AUTH_CACHE_DIR, else $XDG_CACHE_HOME/agentcore-auth, else ' +
        '~/.cache/agentcore-auth.',
    );

  token
    .command('decode')
    .description('show the header and claims of a JWT (unverified) with readable times')
    .argument('[jwt]', 'the token, or - to read stdin (default: stdin when it is not a terminal)')
    .action(defineAction(run, (io: Io, jwt: string | undefined) => decode(io, jwt)));

  token
    .command('list')
    .description('list the cached tokens (names, users, clients, expiry; never the tokens)')
    .action(defineAction(run, (io: Io) => list(io)));

  const print = token
    .command('print')
    .description('write a cached token to stdout (refreshed first if it expires within 2 minutes)')
    .argument('[name]', 'cache entry', DEFAULT_ENTRY);
  addOptions(print, PRINT_OPTIONS).action(
    defineAction(run, (io: Io, name: string, opts: PrintOptions) => printToken(io, name, opts)),
  );

  registerClear(token.command('clear'), run);
}

async function printToken(io: Io, name: string, opts: PrintOptions): Promise<Outcome> {
  const n = entryNameOf(name);
  if (opts.refreshToken) {
    const entry = await getEntry(cacheLocation(io), n);
    if (!entry)
      throw configError(`no cached token named '${n}'`, '`agentcore-auth token list` shows the cached names.');
    if (!entry.tokens.refreshToken) throw configError(`the cached entry '${n}' has no refresh token`);
    io.secrets.add(entry.tokens.refreshToken);
    io.out.line(entry.tokens.refreshToken);
    return {};
  }
  const r = await resolveBearer(io, { bearer: n }, { use: opts.idToken ? 'id' : 'access' });
  if (r.source.endsWith('(refreshed)')) io.ui.note(`refreshed '${n}' (it expired within 2 minutes)`);
  io.out.line(r.token);
  return {};
}

function isoAndRelative(sec: number, now: number, rel: (s: number, n: number) => string, isExpiry: boolean): string {
  const iso = new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
  return `${iso} (${isExpiry && sec * 1000 <= now ? `expired ${rel(sec, now)}` : rel(sec, now)})`;
}

async function list(io: Io): Promise<Outcome> {
  const loc = cacheLocation(io);
  const entries = await listEntries(loc);
  const now = io.ctx.now();
  const { relativeTime } = await import('../../core/jwt.js');
  const view = (e: CacheEntry) => ({
    name: e.name,
    flow: e.flow,
    ...(e.username ? { username: e.username } : {}),
    ...(e.subject ? { subject: e.subject } : {}),
    ...(e.clientId ? { clientId: e.clientId } : {}),
    ...(e.issuer ? { issuer: e.issuer } : {}),
    ...(e.expiresAt !== undefined
      ? { expiresAt: new Date(e.expiresAt * 1000).toISOString(), expired: e.expiresAt * 1000 <= now }
      : {}),
    hasIdToken: !!e.tokens.idToken,
    hasRefreshToken: !!e.tokens.refreshToken,
    savedAt: e.savedAt,
  });
  return {
    json: { file: cachePath(loc), entries: entries.map(view) },
    human: () => {
      if (!entries.length) {
        io.ui.info(`No cached tokens (${cachePath(loc)}). Log in with: agentcore-auth login …`);
        return;
      }
      const rows = [['NAME', 'FLOW', 'USER', 'CLIENT', 'EXPIRES', 'REFRESH']];
      for (const e of entries) {
        rows.push([
          e.name,
          e.flow,
          e.username ?? e.subject ?? '-',
          e.clientId ?? '-',
          e.expiresAt === undefined
            ? 'unknown'
            : e.expiresAt * 1000 > now
              ? relativeTime(e.expiresAt, now)
              : `expired ${relativeTime(e.expiresAt, now)}`,
          e.tokens.refreshToken
            ? 'yes'
            : e.flow === 'client-credentials' && e.refresh?.clientSecret
              ? 're-grant'
              : 'no',
        ]);
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) io.out.line(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
    },
  };
}

async function decode(io: Io, jwt: string | undefined): Promise<Outcome> {
  let raw = jwt;
  if (raw === undefined || raw === '-') {
    if (raw === undefined && io.ctx.stdin.isTTY)
      throw usageError('no token given', 'Pass the JWT as an argument, or - to read it from stdin.');
    raw = await readStdin(io.ctx);
  }
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  io.secrets.add(token);
  const { decodeJwtUnverified, relativeTime, tokenScopes } = await import('../../core/jwt.js');
  const { fingerprint } = await import('../../core/redact.js');
  const { header, payload } = decodeJwtUnverified(token);
  const now = io.ctx.now();
  const times: Record<string, { epoch: number; iso: string; relative: string }> = {};
  for (const k of ['iat', 'nbf', 'exp', 'auth_time'] as const) {
    const v = payload[k];
    if (typeof v === 'number')
      times[k] = { epoch: v, iso: new Date(v * 1000).toISOString(), relative: relativeTime(v, now) };
  }
  const expired = typeof payload.exp === 'number' ? payload.exp * 1000 <= now : undefined;
  const notYetValid = typeof payload.nbf === 'number' ? payload.nbf * 1000 > now : undefined;
  return {
    json: {
      verified: false,
      fingerprint: fingerprint(token),
      header,
      payload,
      times,
      ...(expired !== undefined ? { expired } : {}),
    },
    human: () => {
      const w = (rows: Array<[string, string]>) => {
        const width = Math.max(...rows.map(([k]) => k.length));
        for (const [k, v] of rows) io.out.line(`  ${k.padEnd(width)}  ${v}`);
      };
      const show = (k: string, v: unknown) => {
        if (typeof v === 'number' && ['iat', 'nbf', 'exp', 'auth_time'].includes(k))
          return isoAndRelative(v, now, relativeTime, k === 'exp');
        return typeof v === 'string' ? v : JSON.stringify(v);
      };
      io.out.line('header');
      w(Object.entries(header).map(([k, v]) => [k, show(k, v)]));
      io.out.line('claims');
      w(Object.entries(payload).map(([k, v]) => [k, show(k, v)]));
      const bits = [`unverified: the signature was not checked (${fingerprint(token)})`];
      if (expired) bits.push(`expired ${relativeTime(payload.exp as number, now)}`);
      else if (typeof payload.exp === 'number') bits.push(`expires ${relativeTime(payload.exp, now)}`);
      if (notYetValid) bits.push('not valid yet (nbf)');
      const scopes = tokenScopes(payload);
      if (payload.token_use === 'access' && payload.aud === undefined)
        bits.push('Cognito access token: no aud — authorizers must use allowedClients');
      else if (payload.token_use === 'id')
        bits.push('Cognito ID token: aud is the app client — authorizers must use allowedAudience');
      if (scopes.length === 0 && payload.token_use === undefined) bits.push('no scope claim');
      io.ui.note(bits.join(' · '));
      if (expired) io.ui.warn('this token has expired; AgentCore will reject it');
    },
  };
}
