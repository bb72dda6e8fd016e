/**
 * `login` against cognito-local (a third-party Cognito emulator) through the real AWS SDK client:
 * user-password with and without a client secret, admin flow, NEW_PASSWORD_REQUIRED, refresh, bad input.
 */
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestContext, runCommand } from '../helpers/context.js';
import { createAppClient, createUser } from '../fixtures/cognito-users.js';

const c = inject('cognito');

const makeClient = (secret: boolean) => createAppClient(c, { secret });
const makeUser = (opts: { temporary?: boolean } = {}) => createUser(c, opts);

const env = {
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: c.endpoint,
  AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
  AWS_SECRET_ACCESS_KEY: 'local-secret',
};

/** `login` with the test pool, an app client and a username; the flags that differ follow. */
function poolLogin(clientId: string, username: string): string[] {
  return ['login', '--user-pool-id', c.poolId, '--client-id', clientId, '--username', username];
}

/** The cache file of a run's context, parsed. */
const readCache = (env: Record<string, string | undefined>) =>
  JSON.parse(readFileSync(join(env.XDG_CACHE_HOME!, 'agentcore-auth', 'tokens.json'), 'utf8'));

/** No complete token may ever reach stderr. */
function expectNoTokenOnStderr(stderr: string, ...tokens: Array<string | undefined>) {
  for (const t of tokens) if (t) expect(stderr).not.toContain(t);
  expect(stderr).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/);
}

describe('login --auth-flow user-password (cognito-local)', () => {
  let app: { clientId: string; clientSecret?: string };
  let secretApp: { clientId: string; clientSecret?: string };
  beforeAll(async () => {
    [app, secretApp] = await Promise.all([makeClient(false), makeClient(true)]);
  });

  it('--print access-token writes only the token; the summary and the cache are right', async () => {
    const u = await makeUser();
    const r = await runCommand(
      [...poolLogin(app.clientId, u.username), '--password-stdin', '--print', 'access-token'],
      { env, stdin: `${u.password}\n` },
    );
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^eyJ[^\s]+\n$/);
    const token = r.stdout.trim();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ token_use: 'access', client_id: app.clientId, username: u.username, iss: c.issuer });
    expect(r.stderr).toContain('Logged in');
    expect(r.stderr).toContain(u.username);
    expect(r.stderr).toMatch(/expires\s+in (59|60) min|expires\s+in 2\d h/);
    expect(r.stderr).not.toContain(u.password);
    expectNoTokenOnStderr(r.stderr, token);

    const dir = join(r.ctx.env.XDG_CACHE_HOME!, 'agentcore-auth');
    const file = join(dir, 'tokens.json');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const cache = JSON.parse(readFileSync(file, 'utf8'));
    expect(cache.entries.default).toMatchObject({
      flow: 'user-password',
      username: u.username,
      clientId: app.clientId,
      tokens: { accessToken: token },
      refresh: {
        kind: 'cognito',
        region: 'us-east-1',
        clientId: app.clientId,
        userPoolId: c.poolId,
        endpoint: c.endpoint,
      },
    });
    expect(cache.entries.default.expiresAt).toBe(claims.exp);
    expect(cache.entries.default.refresh.clientSecret).toBeUndefined();
  });

  it(
    'with a client secret (from stdin): signs in, --json holds the token set and decoded claims, secret ' +
      'cached for refresh',
    async () => {
      const u = await makeUser();
      const r = await runCommand(
        [
          'login',
          '--json',
          '--client-id',
          secretApp.clientId,
          '--client-secret-stdin',
          '--username',
          u.username,
          '--save-as',
          'withsecret',
        ],
        {
          env: { ...env, AWS_REGION: 'us-east-1', AGENTCORE_AUTH_PASSWORD: u.password },
          stdin: secretApp.clientSecret!,
        },
      );
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({
        flow: 'user-password',
        clientId: secretApp.clientId,
        username: u.username,
        saved: { name: 'withsecret' },
      });
      expect(out.claims.access).toMatchObject({ token_use: 'access', client_id: secretApp.clientId });
      expect(out.claims.id).toMatchObject({ token_use: 'id', aud: secretApp.clientId });
      expect(out.tokens.accessToken).toMatch(/^eyJ/);
      expect(out.tokens.refreshToken).toBeTruthy();
      expect(r.stdout).not.toContain(secretApp.clientSecret);
      expect(r.stderr).toContain('with SECRET_HASH');
      expect(r.stderr).not.toContain(secretApp.clientSecret);
      const cache = readCache(r.ctx.env);
      expect(cache.entries.withsecret.refresh.clientSecret).toBe(secretApp.clientSecret);
    },
  );

  it('admin-user-password signs AdminInitiateAuth with SigV4 and needs --user-pool-id', async () => {
    const u = await makeUser();
    const missing = await runCommand(
      [
        'login',
        '--auth-flow',
        'admin-user-password',
        '--client-id',
        app.clientId,
        '--username',
        u.username,
        '--password',
        u.password,
        '--region',
        'us-east-1',
      ],
      { env },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--user-pool-id');

    const seen: string[] = [];
    const ok = await runCommand(
      [
        'login',
        '--verbose',
        '--auth-flow',
        'admin-user-password',
        '--user-pool-id',
        c.poolId,
        '--client-id',
        app.clientId,
        '--username',
        u.username,
        '--print',
        'id-token',
      ],
      { env: { ...env, AGENTCORE_AUTH_PASSWORD: u.password } },
    );
    expect(ok.code).toBe(0);
    expect(decodeJwt(ok.stdout.trim())).toMatchObject({
      token_use: 'id',
      aud: app.clientId,
      'cognito:username': u.username,
    });
    // --verbose shows the signed request (signature elided) and the target, never the password
    expect(ok.stderr).toMatch(/AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/us-east-1\/cognito-idp\/aws4_request/);
    expect(ok.stderr).toContain('AdminInitiateAuth');
    expect(ok.stderr).not.toContain(u.password);
    expectNoTokenOnStderr(ok.stderr, ok.stdout.trim());
    seen.push('done');
    expect(seen).toEqual(['done']);
  });

  it(
    'NEW_PASSWORD_REQUIRED: answered with --new-password; off a TTY without it, a usage error ' + 'naming the flag',
    async () => {
      const u = await makeUser({ temporary: true });
      const fail = await runCommand([...poolLogin(app.clientId, u.username), '--password', u.password], { env });
      expect(fail.code).toBe(2);
      expect(fail.stderr).toContain('Cognito asks: NEW_PASSWORD_REQUIRED');
      expect(fail.stderr).toContain('missing --new-password');
      expect(fail.stderr).toContain('AGENTCORE_AUTH_NEW_PASSWORD');

      const ok = await runCommand(
        [
          ...poolLogin(app.clientId, u.username),
          '--password',
          u.password,
          '--new-password',
          'Brand-New#Pass1',
          '--print',
          'access-token',
        ],
        { env },
      );
      expect(ok.code).toBe(0);
      expect(ok.stderr).toContain('answered: NEW_PASSWORD_REQUIRED');
      expect(decodeJwt(ok.stdout.trim())).toMatchObject({ username: u.username });
      expect(ok.stderr).not.toContain('Brand-New#Pass1');

      // the new password is now the password
      const again = await runCommand(
        [...poolLogin(app.clientId, u.username), '--password', 'Brand-New#Pass1', '--no-cache'],
        { env },
      );
      expect(again.code).toBe(0);
    },
  );

  it(
    'NEW_PASSWORD_REQUIRED on a terminal: hidden prompts for the password and the new password ' + '(typed twice)',
    async () => {
      const u = await makeUser({ temporary: true });
      const hidden: boolean[] = [];
      const answers = [u.password, 'Prompted#Pass9', 'Prompted#Pass9'];
      const r = await runCommand(poolLogin(app.clientId, u.username), {
        env,
        stdinTTY: true,
        stderrTTY: true,
        answers: (_q, o) => {
          hidden.push(!!o?.hidden);
          return answers.shift()!;
        },
      });
      expect(r.code).toBe(0);
      expect(r.ctx.prompts).toEqual([`Password for ${u.username}: `, 'New password: ', 'New password again: ']);
      expect(hidden).toEqual([true, true, true]);
      expect(r.stderr).not.toContain('Prompted#Pass9');
    },
  );

  it('--auth-flow refresh uses the cached refresh token and updates the entry', async () => {
    const u = await makeUser();
    const ctx = createTestContext({ env });
    const first = await runCommand(
      [
        ...poolLogin(secretApp.clientId, u.username),
        '--client-secret',
        secretApp.clientSecret!,
        '--password',
        u.password,
        '--print',
        'access-token',
      ],
      ctx,
    );
    expect(first.code).toBe(0);
    const before = readCache(ctx.env).entries.default;
    ctx.stdout.chunks.length = 0;
    ctx.stderr.chunks.length = 0;
    const r = await runCommand(['login', '--auth-flow', 'refresh', '--print', 'access-token'], ctx);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Refreshed');
    const fresh = r.stdout.trim();
    // A newly minted token (cognito-local gives each its own jti), not the cached one, and not an older one.
    expect(fresh).not.toBe(before.tokens.accessToken);
    expect(decodeJwt(fresh).jti).not.toBe(decodeJwt(before.tokens.accessToken).jti);
    expect(decodeJwt(fresh).iat!).toBeGreaterThanOrEqual(decodeJwt(before.tokens.accessToken).iat!);
    const after = readCache(ctx.env).entries.default;
    expect(after.tokens.accessToken).toBe(fresh);
    expect(after.tokens.refreshToken).toBe(before.tokens.refreshToken); // Cognito keeps the refresh token
    expectNoTokenOnStderr(r.stderr, fresh, before.tokens.refreshToken);
  });

  it('a wrong password is an auth failure (exit 4) with a hint, and nothing is cached', async () => {
    const u = await makeUser();
    const r = await runCommand([...poolLogin(app.clientId, u.username), '--password', 'wrong-password-1'], { env });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error: InitiateAuth failed: \w+: /);
    expect(r.stderr).toMatch(/hint: /);
    const list = await runCommand(['token', 'list', '--json'], r.ctx);
    expect(JSON.parse(list.stdout).entries).toEqual([]);
  });

  it('an unknown app client is a remote rejection (exit 3) naming the fix', async () => {
    const r = await runCommand([...poolLogin('nosuchclient123', 'x'), '--password', 'y'], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('ResourceNotFoundException');
    expect(r.stderr).toContain('hint: Check --client-id');
  });

  it('an unreachable endpoint is exit 3 naming the URL', async () => {
    const r = await runCommand([...poolLogin(app.clientId, 'x'), '--password', 'y'], {
      env: { ...env, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('http://127.0.0.1:9');
  });

  it(
    'a missing password off a terminal is a usage error naming the flag, the stdin flag and the ' + 'variable',
    async () => {
      const r = await runCommand(poolLogin(app.clientId, 'someone'), { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error: missing --password');
      expect(r.stderr).toContain('--password-stdin');
      expect(r.stderr).toContain('AGENTCORE_AUTH_PASSWORD');
    },
  );

  it('no region anywhere is a config error (exit 2)', async () => {
    const r = await runCommand(['login', '--client-id', app.clientId, '--username', 'x', '--password', 'y'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no AWS region');
  });
});
