/**
 * `token decode|list|print|clear`, `logout`, and the `--bearer` resolver (resolveBearer) every command uses:
 * stdin tokens, missing entries, refresh of a Cognito entry that expires within 2 minutes, ERR_TOKEN_EXPIRED when
 * it cannot be refreshed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveBearer } from '../../src/cli/bearer.js';
import { createIo, type Globals } from '../../src/cli/io.js';
import type { AgentcoreAuthError } from '../../src/core/errors.js';
import { saveEntry } from '../../src/core/token-cache.js';
import { createTestContext, runCommand } from '../helpers/context.js';
import { createAppClient, createUser } from '../fixtures/cognito-users.js';

const c = inject('cognito');
const env = { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: c.endpoint };
const globals: Globals = { json: false, verbose: false, debug: false, quiet: false, color: false, showSecrets: false };

let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
async function jwt(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT', ...header }).sign(signingKey);
}

async function cognitoLogin(saveAs = 'default') {
  const { clientId } = await createAppClient(c, { prefix: 'tok' });
  const { username } = await createUser(c, { prefix: 't', password: 'Perm#Pass1' });
  const ctx = createTestContext({ env });
  const r = await runCommand(
    [
      'login',
      '--user-pool-id',
      c.poolId,
      '--client-id',
      clientId,
      '--username',
      username,
      '--password',
      'Perm#Pass1',
      '--save-as',
      saveAs,
      '--print',
      'access-token',
    ],
    ctx,
  );
  expect(r.code).toBe(0);
  return { home: ctx.homedir, token: r.stdout.trim(), username, clientId };
}

beforeAll(async () => {
  signingKey = (await generateKeyPair('RS256')).privateKey;
});

describe('token decode', () => {
  it('prints header and claims on stdout with dates and relative times, marked unverified on stderr', async () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const token = await jwt({
      sub: 'alice',
      token_use: 'access',
      client_id: 'c1',
      scope: 'a b',
      iat: now / 1000 - 360,
      exp: now / 1000 + 54 * 60,
    });
    const r = await runCommand(['token', 'decode', token], { now: () => now });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^header\n {2}alg\s+RS256\n/);
    expect(r.stdout).toMatch(/^ {2}kid\s+k1$/m);
    expect(r.stdout).toMatch(/^ {2}sub\s+alice$/m);
    expect(r.stdout).toMatch(/^ {2}exp\s+2026-11-23T12:54:00Z \(in 54 min\)$/m);
    expect(r.stdout).toMatch(/^ {2}iat\s+2026-11-23T11:54:00Z \(6 min ago\)$/m);
    expect(r.stderr).toContain('unverified');
    expect(r.stderr).toContain('no aud');
    expect(r.stderr).not.toContain(token);
  });

  it('reads - from stdin, --json is the decoded document, an expired token is flagged', async () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const token = await jwt({ sub: 'bob', exp: now / 1000 - 7200 });
    const r = await runCommand(['token', 'decode', '-', '--json'], { stdin: `Bearer ${token}\n`, now: () => now });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      verified: false,
      header: { alg: 'RS256' },
      payload: { sub: 'bob' },
      expired: true,
      times: { exp: { relative: '2 h ago' } },
    });
    expect(out.fingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
    const human = await runCommand(['token', 'decode', token], { now: () => now });
    expect(human.stderr).toContain('warning: this token has expired');
    expect(human.stdout).toContain('(expired 2 h ago)');
  });

  it('a malformed token is exit 2 with a hint; no token at all on a terminal is a usage error', async () => {
    const r = await runCommand(['token', 'decode', 'not-a-jwt']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: not a JWT');
    expect(r.stderr).toContain('hint:');
    const jwe = await runCommand(['token', 'decode', 'a.b.c.d.e']);
    expect(jwe.code).toBe(2);
    expect(jwe.stderr).toContain('encrypted JWE');
    const none = await runCommand(['token', 'decode'], { stdinTTY: true });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no token given');
  });
});

describe('token list / print / clear, logout', () => {
  it('list shows names, users, clients and expiry but never a token', async () => {
    const a = await cognitoLogin('work');
    const r = await runCommand(['token', 'list'], { home: a.home });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+FLOW\s+USER\s+CLIENT\s+EXPIRES\s+REFRESH$/m);
    expect(r.stdout).toMatch(
      new RegExp(`^work\\s+user-password\\s+${a.username}\\s+${a.clientId}\\s+in \\d+ h\\s+yes$`, 'm'),
    );
    expect(r.stdout).not.toContain(a.token.slice(0, 40));
    const json = await runCommand(['token', 'list', '--json'], { home: a.home });
    expect(json.stdout).not.toContain(a.token.slice(0, 40));
    expect(JSON.parse(json.stdout).entries[0]).toMatchObject({
      name: 'work',
      username: a.username,
      expired: false,
      hasRefreshToken: true,
    });
  });

  it('print writes the cached token; --refresh-token the refresh token; unknown names are exit 2', async () => {
    const a = await cognitoLogin();
    const r = await runCommand(['token', 'print'], { home: a.home });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${a.token}\n`);
    expect(r.stderr).toBe('');
    const id = await runCommand(['token', 'print', '--id-token'], { home: a.home });
    expect(decodeJwt(id.stdout.trim())).toMatchObject({ token_use: 'id', 'cognito:username': a.username });
    const rt = await runCommand(['token', 'print', '--refresh-token'], { home: a.home });
    expect(rt.stdout.trim().length).toBeGreaterThan(20);
    const missing = await runCommand(['token', 'print', 'nope'], { home: a.home });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no cached token named 'nope'");
    expect(missing.stderr).toContain('Cached: default');
  });

  it('clear NAME, logout (default entry), clear --all; clearing a missing entry is not an error', async () => {
    const a = await cognitoLogin();
    await saveEntry(
      { env: { XDG_CACHE_HOME: join(a.home, '.cache') }, homedir: a.home },
      { name: 'other', flow: 'client-credentials', tokens: { accessToken: 'x' } },
    );
    await saveEntry(
      { env: { XDG_CACHE_HOME: join(a.home, '.cache') }, homedir: a.home },
      { name: 'third', flow: 'client-credentials', tokens: { accessToken: 'y' } },
    );
    const one = await runCommand(['token', 'clear', 'other'], { home: a.home });
    expect(one.code).toBe(0);
    expect(one.stderr).toContain("Removed 'other'");
    const lo = await runCommand(['logout'], { home: a.home });
    expect(lo.code).toBe(0);
    expect(lo.stderr).toContain("Removed 'default'");
    const again = await runCommand(['logout'], { home: a.home });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("No cached token named 'default'");
    const all = await runCommand(['logout', '--all', '--json'], { home: a.home });
    expect(JSON.parse(all.stdout)).toEqual({ removed: ['third'] });
    expect(JSON.parse((await runCommand(['token', 'list', '--json'], { home: a.home })).stdout).entries).toEqual([]);
  });
});

describe('resolveBearer (--bearer-token / --bearer)', () => {
  it('--bearer-token - reads stdin (a "Bearer " prefix is dropped) and registers the token as a secret', async () => {
    const token = await jwt({ sub: 'x' });
    const io = createIo(createTestContext({ stdin: `Bearer ${token}\n` }), globals);
    const r = await resolveBearer(io, { bearerToken: '-' });
    expect(r).toEqual({ token, source: 'stdin' });
    expect(io.secrets.scrub(`token=${token}`)).not.toContain(token);
  });

  it('both flags, neither flag, an empty token: usage errors', async () => {
    const io = createIo(createTestContext(), globals);
    await expect(resolveBearer(io, { bearerToken: 'a.b.c', bearer: true })).rejects.toMatchObject({
      code: 'ERR_USAGE',
    });
    await expect(resolveBearer(io, {})).rejects.toMatchObject({ code: 'ERR_USAGE' });
    await expect(resolveBearer(io, { bearerToken: '  ' })).rejects.toMatchObject({ code: 'ERR_USAGE' });
  });

  it('--bearer with an empty cache is ERR_CONFIG telling how to log in', async () => {
    const io = createIo(createTestContext(), globals);
    const e = (await resolveBearer(io, { bearer: true }).catch((x: unknown) => x)) as AgentcoreAuthError;
    expect(e.code).toBe('ERR_CONFIG');
    expect(e.hint).toContain('agentcore-auth login');
  });

  it('a Cognito entry expiring within 2 minutes is refreshed (REFRESH_TOKEN_AUTH) and the cache updated', async () => {
    const a = await cognitoLogin();
    const exp = decodeJwt(a.token).exp!;
    const io = createIo(createTestContext({ home: a.home, env, now: () => (exp - 90) * 1000 }), globals);
    const r = await resolveBearer(io, { bearer: 'default' });
    expect(r.source).toBe('cache:default (refreshed)');
    expect(r.token).not.toBe(a.token); // a new token: each carries its own jti
    expect(decodeJwt(r.token)).toMatchObject({ username: a.username, token_use: 'access' });
    const cached = JSON.parse(readFileSync(join(a.home, '.cache', 'agentcore-auth', 'tokens.json'), 'utf8')).entries
      .default;
    expect(cached.tokens.accessToken).toBe(r.token);
    // 3 minutes before expiry: no refresh
    const io2 = createIo(
      createTestContext({ home: a.home, env, now: () => (decodeJwt(r.token).exp! - 180) * 1000 }),
      globals,
    );
    expect((await resolveBearer(io2, { bearer: true })).source).toBe('cache:default');
  });

  it('an expiring entry that cannot be refreshed is ERR_TOKEN_EXPIRED (exit 4) naming the login command', async () => {
    const a = await cognitoLogin();
    const file = join(a.home, '.cache', 'agentcore-auth', 'tokens.json');
    const cache = JSON.parse(readFileSync(file, 'utf8'));
    cache.entries.default.tokens.refreshToken = 'revoked-refresh-token';
    writeFileSync(file, JSON.stringify(cache));
    const exp = decodeJwt(a.token).exp!;
    const r = await runCommand(['token', 'print'], { home: a.home, env, now: () => (exp + 60) * 1000 });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("error: the cached token 'default' has expired and could not be refreshed");
    expect(r.stderr).toContain(
      `hint: Log in again: agentcore-auth login --region us-east-1 --user-pool-id ${c.poolId} ` +
        `--client-id ${a.clientId} --username ${a.username}`,
    );
  });

  it('--id-token on a client-credentials entry is a config error explaining why', async () => {
    const ctx = createTestContext();
    await saveEntry(
      { env: ctx.env, homedir: ctx.homedir },
      { name: 'm2m', flow: 'client-credentials', tokens: { accessToken: await jwt({ sub: 'svc' }) } },
    );
    const r = await runCommand(['token', 'print', 'm2m', '--id-token'], ctx);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no ID token');
    expect(r.stderr).toContain('Client-credentials tokens have no ID token');
  });
});

describe('a damaged cache', () => {
  it('tokens.json being a directory is ERR_CONFIG (exit 2) naming the path, for reads and for login', async () => {
    const ctx = createTestContext();
    const file = join(ctx.env.XDG_CACHE_HOME!, 'agentcore-auth', 'tokens.json');
    mkdirSync(file, { recursive: true });
    const r = await runCommand(['token', 'list'], { home: ctx.homedir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: cannot read the token cache: ${file} is a directory, not a file`);
    expect(r.stderr).toContain('AGENTCORE_AUTH_CACHE_DIR');
  });

  it('a hand-edited entry with wrongly typed fields is listed without its bad fields, not a crash', async () => {
    const ctx = createTestContext();
    const dir = join(ctx.env.XDG_CACHE_HOME!, 'agentcore-auth');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(dir, 'tokens.json'),
      JSON.stringify({
        version: 1,
        entries: { odd: { flow: 'user-password', tokens: { accessToken: 42 }, expiresAt: 'soon' } },
      }),
      { mode: 0o600 },
    );
    const r = await runCommand(['token', 'list', '--json'], { home: ctx.homedir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).entries).toEqual([expect.objectContaining({ name: 'odd', flow: 'user-password' })]);
    const p = await runCommand(['token', 'print', 'odd'], { home: ctx.homedir });
    expect(p.code).toBe(2);
    expect(p.stderr).toContain("the cached entry 'odd' has no access token");
  });
});
