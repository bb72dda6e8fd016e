/**
 * Secret canaries: every command and flag combination that touches a secret runs in-process against the local stack
 * seeded with recognisable passwords, client secrets, an API key and an AWS secret key; the tokens it mints (Cognito
 * JWTs, workload access tokens, vault tokens) are canaries too. Each case asserts:
 *   - no canary on stderr (plain, URL-encoded, or a long secret's middle part), and no full JWT there;
 *   - on stdout only the kinds the user asked for (--print, token print, --show-secrets curl, documented --json);
 *   - no canary in any file of the run's home other than the token cache itself.
 * --show-secrets cases assert the opposite: the value IS shown (the flag works).
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { follow } from '../emulator/helpers.js';
import { freePort } from '../fixtures/ports.js';
import { runCommand, type TestContextOptions } from '../helpers/context.js';
import { runBuiltCli } from '../helpers/bin.js';
import {
  canaryAuthCodeLogin,
  canaryGatewayUrl,
  canaryPoolArgs,
  canaryThreeLo,
  cachedSecrets,
  filesUnder,
  findLeaks,
  FULL_JWT,
  stackSecrets,
  startCanaryStack,
  staticSecrets,
  type CanaryStack,
  type KnownSecret,
  type SecretKind,
} from './canary-stack.js';

let s: CanaryStack;
let baseHome: string;
let base: { access: string; id: string; refresh: string };

const cacheFileOf = (home: string) => join(home, '.cache', 'agentcore-auth', 'tokens.json');

/** A fresh home holding a copy of the logged-in cache (entry `default`, alice via the app client with a secret). */
function seededHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'aca-canary-'));
  mkdirSync(join(home, '.cache', 'agentcore-auth'), { recursive: true, mode: 0o700 });
  copyFileSync(cacheFileOf(baseHome), cacheFileOf(home));
  return home;
}

interface Case {
  name: string;
  argv: () => string[];
  /** Exit code expected. */
  code: number;
  /** Secret kinds the user asked to see on stdout. */
  stdout?: SecretKind[];
  /** With --show-secrets: these kinds must be visible on stderr. */
  showOnStderr?: SecretKind[];
  stdin?: () => string;
  env?: () => Record<string, string>;
  seeded?: boolean;
  openBrowser?: (url: string) => Promise<void>;
}

const cog = (username = 'alice') => canaryPoolArgs(s, username);
/** `login` as alice with her password on the command line. */
const withPassword = () => ['login', ...cog(), '--password', s.canaries.password];
const cc = () => [
  'login',
  '--auth-flow',
  'client-credentials',
  '--token-endpoint',
  s.stack.userPool.tokenEndpoint,
  '--client-id',
  s.clientId,
  '--scopes',
  'agentcore/invoke',
];
const jwtAgent = () => s.stack.agents.find((a) => a.name === 'jwt_agent')!;
const sigv4Agent = () => s.stack.agents.find((a) => a.name === 'sigv4_agent')!;
const arnOf = (a: { id?: string; runtimeId?: string }) =>
  `arn:aws:bedrock-agentcore:us-east-1:${s.stack.accountId}:runtime/${(a as { id: string }).id}`;
const wl = ['--workload-name', 'local-workload'];
const m2m = ['--provider', 'local-m2m', '--flow', 'm2m', '--scopes', 'agentcore/invoke'];
const disc = () => ['--discovery-url', s.stack.userPool.discoveryUrl];
const whoami = (agent: { id?: string }) => ['invoke', arnOf(agent), '{"action":"whoami"}'];

let redirectPort = 0;
let returnPort = 0;

const cases: Case[] = [
  // ---- login: Cognito password flows (flag, stdin, env), every output mode
  ...(['', '--verbose', '--debug', '--quiet', '--no-color'] as const).map((flag) => ({
    name: `login user-password ${flag || '(plain)'}`,
    argv: () => [...withPassword(), ...(flag ? [flag] : [])],
    code: 0,
  })),
  {
    name: 'login user-password --json',
    argv: () => [...withPassword(), '--json'],
    code: 0,
    stdout: ['access', 'id', 'refresh'],
  },
  {
    name: 'login user-password --json --verbose',
    argv: () => [...withPassword(), '--json', '--verbose'],
    code: 0,
    stdout: ['access', 'id', 'refresh'],
  },
  {
    name: 'login --print access-token --debug',
    argv: () => [...withPassword(), '--print', 'access-token', '--debug'],
    code: 0,
    stdout: ['access'],
  },
  {
    name: 'login --print id-token --verbose',
    argv: () => [...withPassword(), '--print', 'id-token', '--verbose'],
    code: 0,
    stdout: ['id'],
  },
  {
    name: 'login --print refresh-token',
    argv: () => [...withPassword(), '--print', 'refresh-token'],
    code: 0,
    stdout: ['refresh'],
  },
  {
    name: 'login --password-stdin --verbose',
    argv: () => ['login', ...cog(), '--password-stdin', '--verbose'],
    stdin: () => `${s.canaries.password}\n`,
    code: 0,
  },
  {
    name: 'login --client-secret-stdin + AGENTCORE_AUTH_PASSWORD --debug',
    argv: () => [
      'login',
      '--user-pool-id',
      s.poolId,
      '--client-id',
      s.clientId,
      '--client-secret-stdin',
      '--username',
      'alice',
      '--debug',
    ],
    stdin: () => s.canaries.clientSecret,
    env: () => ({ AGENTCORE_AUTH_PASSWORD: s.canaries.password }),
    code: 0,
  },
  {
    name: 'login, secrets only from the environment, --verbose --json',
    argv: () => ['login', '--verbose', '--json'],
    env: () => ({
      AGENTCORE_AUTH_PASSWORD: s.canaries.password,
      AGENTCORE_AUTH_CLIENT_SECRET: s.canaries.clientSecret,
      AGENTCORE_AUTH_USERNAME: 'alice',
      AGENTCORE_AUTH_CLIENT_ID: s.clientId,
      AGENTCORE_AUTH_USER_POOL_ID: s.poolId,
    }),
    code: 0,
    stdout: ['access', 'id', 'refresh'],
  },
  {
    name: 'login admin-user-password --verbose',
    argv: () => [...withPassword(), '--auth-flow', 'admin-user-password', '--verbose'],
    code: 0,
  },
  {
    name: 'login admin-user-password --debug --json',
    argv: () => [...withPassword(), '--auth-flow', 'admin-user-password', '--debug', '--json'],
    code: 0,
    stdout: ['access', 'id', 'refresh'],
  },
  {
    name: 'login --show-secrets --verbose shows the request in full on stderr (asked for)',
    argv: () => [...withPassword(), '--verbose', '--show-secrets'],
    code: 0,
    showOnStderr: ['password'],
  },
  // errors
  ...(['', '--verbose', '--debug', '--json'] as const).map((flag) => ({
    name: `login wrong password ${flag || '(plain)'}`,
    argv: () => ['login', ...cog(), '--password', s.canaries.wrongPassword, ...(flag ? [flag] : [])],
    code: 4,
  })),
  ...(['--verbose', '--debug'] as const).map((flag) => ({
    name: `login wrong client secret ${flag}`,
    argv: () => [
      'login',
      '--user-pool-id',
      s.poolId,
      '--client-id',
      s.clientId,
      '--client-secret',
      s.canaries.wrongSecret,
      '--username',
      'alice',
      '--password',
      s.canaries.password,
      flag,
    ],
    code: 4,
  })),
  {
    name: 'login unknown user --debug',
    argv: () => ['login', ...cog('nobody-here'), '--password', s.canaries.password, '--debug'],
    code: 4,
  },
  {
    name: 'login usage error with secrets on argv (no client id)',
    argv: () => [
      'login',
      '--username',
      'alice',
      '--password',
      s.canaries.password,
      '--client-secret',
      s.canaries.clientSecret,
      '--debug',
    ],
    code: 2,
  },
  {
    name: 'login unknown option after secrets',
    argv: () => [
      'login',
      '--password',
      s.canaries.password,
      '--client-secret',
      s.canaries.clientSecret,
      '--frobnicate',
    ],
    code: 2,
  },
  {
    name: 'login bad --print value after secrets --json',
    argv: () => [...withPassword(), '--print', 'everything', '--json'],
    code: 2,
  },
  {
    name: 'login both stdin flags',
    argv: () => ['login', ...cog(), '--password-stdin', '--client-secret-stdin', '--debug'],
    stdin: () => s.canaries.password,
    code: 2,
  },
  {
    name: 'login --save-as invalid with secrets',
    argv: () => [...withPassword(), '--save-as', '../x', '--debug'],
    code: 2,
  },
  // NEW_PASSWORD_REQUIRED: bob's temporary password, then the new one
  {
    name: 'login NEW_PASSWORD_REQUIRED --verbose --debug',
    argv: () => [
      'login',
      ...cog('bob'),
      '--password',
      s.canaries.tempPassword,
      '--new-password',
      s.canaries.newPassword,
      '--verbose',
      '--debug',
    ],
    code: 0,
  },
  {
    name: 'login with the new password --verbose',
    argv: () => ['login', ...cog('bob'), '--password', s.canaries.newPassword, '--verbose'],
    code: 0,
  },
  // refresh
  {
    name: 'login --auth-flow refresh --verbose',
    argv: () => ['login', '--auth-flow', 'refresh', '--verbose'],
    seeded: true,
    code: 0,
  },
  {
    name: 'login --auth-flow refresh --debug --json',
    argv: () => ['login', '--auth-flow', 'refresh', '--debug', '--json'],
    seeded: true,
    code: 0,
    stdout: ['access', 'id', 'refresh'],
  },

  // ---- login: OAuth client credentials and authorization code
  ...(['', '--verbose', '--debug'] as const).map((flag) => ({
    name: `login client-credentials ${flag || '(plain)'}`,
    argv: () => [...cc(), '--client-secret', s.canaries.clientSecret, ...(flag ? [flag] : [])],
    code: 0,
  })),
  {
    name: 'login client-credentials client_secret_post --verbose',
    argv: () => [
      ...cc(),
      '--client-secret',
      s.canaries.clientSecret,
      '--client-auth',
      'client_secret_post',
      '--verbose',
    ],
    code: 0,
  },
  {
    name: 'login client-credentials --json',
    argv: () => [...cc(), '--client-secret', s.canaries.clientSecret, '--json'],
    code: 0,
    stdout: ['access'],
  },
  {
    name: 'login client-credentials discovery + --client-secret-stdin --verbose',
    argv: () => [
      'login',
      '--auth-flow',
      'client-credentials',
      ...disc(),
      '--client-id',
      s.clientId,
      '--client-secret-stdin',
      '--verbose',
    ],
    stdin: () => s.canaries.clientSecret,
    code: 0,
  },
  ...(['--verbose', '--debug', '--json'] as const).map((flag) => ({
    name: `login client-credentials wrong secret ${flag}`,
    argv: () => [...cc(), '--client-secret', s.canaries.wrongSecret, flag],
    code: 4,
  })),
  ...(['--verbose', '--debug'] as const).map((flag) => ({
    name: `login authorization-code: a code that does not redeem ${flag}`,
    argv: () => [...canaryAuthCodeLogin(s, redirectPort), flag],
    code: 4,
    openBrowser: async (url: string) => {
      const state = new URL(url).searchParams.get('state')!;
      await fetch(
        `http://127.0.0.1:${redirectPort}/callback?code=${encodeURIComponent(s.canaries.code)}` +
          `&state=${encodeURIComponent(state)}`,
      );
    },
  })),

  // ---- token
  { name: 'token list', argv: () => ['token', 'list'], seeded: true, code: 0 },
  { name: 'token list --json --verbose', argv: () => ['token', 'list', '--json', '--verbose'], seeded: true, code: 0 },
  { name: 'token print', argv: () => ['token', 'print'], seeded: true, code: 0, stdout: ['access'] },
  {
    name: 'token print --id-token --debug',
    argv: () => ['token', 'print', '--id-token', '--debug'],
    seeded: true,
    code: 0,
    stdout: ['id'],
  },
  {
    name: 'token print --refresh-token',
    argv: () => ['token', 'print', '--refresh-token'],
    seeded: true,
    code: 0,
    stdout: ['refresh'],
  },
  {
    name: 'token print missing entry --debug',
    argv: () => ['token', 'print', 'nope', '--debug'],
    seeded: true,
    code: 2,
  },
  { name: 'token decode <access>', argv: () => ['token', 'decode', base.access], code: 0 },
  { name: 'token decode --json <id> --debug', argv: () => ['token', 'decode', base.id, '--json', '--debug'], code: 0 },
  {
    name: 'token decode - (stdin) --verbose',
    argv: () => ['token', 'decode', '-', '--verbose'],
    stdin: () => base.access,
    code: 0,
  },
  {
    name: 'token decode of the (opaque) refresh token --debug',
    argv: () => ['token', 'decode', base.refresh, '--debug'],
    code: 2,
  },
  {
    name: 'token decode of a damaged JWT --debug',
    argv: () => ['token', 'decode', `${base.access.slice(0, -30)}!!`, '--debug'],
    code: 2,
  },
  { name: 'token clear --verbose', argv: () => ['token', 'clear', '--verbose'], seeded: true, code: 0 },
  { name: 'logout --debug', argv: () => ['logout', '--debug'], seeded: true, code: 0 },

  // ---- verify
  ...(['', '--verbose', '--debug', '--json'] as const).map((flag) => ({
    name: `verify <access> ${flag || '(plain)'}`,
    argv: () => ['verify', base.access, ...disc(), '--allowed-clients', s.clientId, ...(flag ? [flag] : [])],
    code: 0,
  })),
  {
    name: 'verify --bearer --verbose',
    argv: () => ['verify', '--bearer', ...disc(), '--allowed-clients', s.clientId, '--verbose'],
    seeded: true,
    code: 0,
  },
  {
    name: 'verify - (stdin) --debug',
    argv: () => ['verify', '-', ...disc(), '--debug'],
    stdin: () => base.access,
    code: 0,
  },
  {
    name: 'verify rejected (wrong client) --debug',
    argv: () => ['verify', base.access, ...disc(), '--allowed-clients', 'someoneelse', '--debug'],
    code: 4,
  },
  {
    name: 'verify rejected (ID token as access, scope) --json --verbose',
    argv: () => ['verify', base.id, ...disc(), '--allowed-scopes', 'agentcore/invoke', '--json', '--verbose'],
    code: 4,
  },

  // ---- invoke
  ...(['', '--verbose', '--debug'] as const).map((flag) => ({
    name: `invoke bearer --bearer-token ${flag || '(plain)'}`,
    argv: () => [
      ...whoami(jwtAgent()),
      '--bearer-token',
      base.access,
      '--accept',
      'application/json',
      ...(flag ? [flag] : []),
    ],
    code: 0,
  })),
  {
    name: 'invoke --bearer (cache) --verbose --json',
    argv: () => [...whoami(jwtAgent()), '--bearer', '--verbose', '--json'],
    seeded: true,
    code: 0,
  },
  {
    name: 'invoke --bearer-token - (stdin) --debug',
    argv: () => [...whoami(jwtAgent()), '--bearer-token', '-', '--debug'],
    stdin: () => base.access,
    code: 0,
  },
  {
    name: 'invoke --dry-run bearer (masked)',
    argv: () => ['invoke', arnOf(jwtAgent()), '{"a":1}', '--bearer-token', base.access, '--dry-run'],
    code: 0,
  },
  {
    name: 'invoke --print-curl --show-secrets (asked for)',
    argv: () => [
      'invoke',
      arnOf(jwtAgent()),
      '{"a":1}',
      '--bearer-token',
      base.access,
      '--print-curl',
      '--show-secrets',
    ],
    code: 0,
    stdout: ['access'],
  },
  {
    name: 'invoke --print-curl SigV4 --debug',
    argv: () => ['invoke', arnOf(sigv4Agent()), '{"a":1}', '--user-id', 'alice', '--print-curl', '--debug'],
    code: 0,
  },
  {
    name: 'invoke SigV4 --user-id --verbose --debug',
    argv: () => [...whoami(sigv4Agent()), '--user-id', 'alice', '--verbose', '--debug'],
    code: 0,
  },
  {
    name: 'invoke the ID token where an access token is needed --debug',
    argv: () => [...whoami(jwtAgent()), '--bearer-token', base.id, '--debug'],
    code: 4,
  },
  {
    name: 'invoke bearer to a SigV4 agent (mismatch) --verbose',
    argv: () => [...whoami(sigv4Agent()), '--bearer-token', base.access, '--verbose'],
    code: 4,
  },
  {
    name: 'invoke SigV4 to a JWT agent (mismatch) --debug --json',
    argv: () => [...whoami(jwtAgent()), '--user-id', 'alice', '--debug', '--json'],
    code: 4,
  },

  // ---- exchange
  {
    name: 'exchange workload token --verbose',
    argv: () => ['exchange', ...wl, '--user-id', 'alice', '--verbose'],
    code: 0,
  },
  {
    name: 'exchange --print workload-token',
    argv: () => ['exchange', ...wl, '--user-id', 'alice', '--print', 'workload-token'],
    code: 0,
    stdout: ['wat'],
  },
  {
    name: 'exchange workload token --json --debug',
    argv: () => ['exchange', ...wl, '--user-id', 'alice', '--json', '--debug'],
    code: 0,
  },
  {
    name: 'exchange --user-token JWT binding --verbose',
    argv: () => ['exchange', ...wl, '--user-token', base.access, '--verbose'],
    code: 0,
  },
  {
    name: 'exchange --bearer (cache) --debug',
    argv: () => ['exchange', ...wl, '--bearer', '--debug'],
    seeded: true,
    code: 0,
  },
  ...(['--verbose', '--debug', '--json'] as const).map((flag) => ({
    name: `exchange API key ${flag}`,
    argv: () => ['exchange', ...wl, '--user-id', 'alice', '--api-key-provider', 'local-api-key', flag],
    code: 0,
  })),
  {
    name: 'exchange --print api-key --verbose',
    argv: () => [
      'exchange',
      ...wl,
      '--user-id',
      'alice',
      '--api-key-provider',
      'local-api-key',
      '--print',
      'api-key',
      '--verbose',
    ],
    code: 0,
    stdout: ['apiKey'],
  },
  {
    name: 'exchange --json --show-secrets (asked for) API key',
    argv: () => ['exchange', ...wl, '--api-key-provider', 'local-api-key', '--json', '--show-secrets'],
    code: 0,
    stdout: ['apiKey', 'wat'],
  },
  ...(['--verbose', '--debug'] as const).map((flag) => ({
    name: `exchange M2M resource token ${flag}`,
    argv: () => ['exchange', ...wl, ...m2m, flag],
    code: 0,
  })),
  {
    name: 'exchange --print resource-token',
    argv: () => ['exchange', ...wl, ...m2m, '--print', 'resource-token'],
    code: 0,
    stdout: ['resource'],
  },
  {
    name: 'exchange M2M --user-token --json --verbose',
    argv: () => ['exchange', ...wl, '--user-token', base.access, ...m2m, '--json', '--verbose'],
    code: 0,
  },
  {
    name: 'exchange unknown API key provider --debug',
    argv: () => ['exchange', ...wl, '--user-id', 'alice', '--api-key-provider', 'no-such-provider', '--debug'],
    code: 3,
  },
  {
    name: 'exchange a garbage --user-token --debug',
    argv: () => ['exchange', ...wl, '--user-token', `${s.canaries.code}.not.a.jwt`, '--debug'],
    code: 2,
  },

  // ---- mcp (gateway, bearer)
  ...(['--verbose', '--debug', '--json'] as const).map((flag) => ({
    name: `mcp gateway --bearer-token ${flag}`,
    argv: () => ['mcp', '--gateway-url', canaryGatewayUrl(s), '--bearer-token', base.access, flag],
    code: 0,
  })),
  {
    name: 'mcp gateway --bearer (cache) --verbose',
    argv: () => ['mcp', '--gateway-url', canaryGatewayUrl(s), '--bearer', '--verbose'],
    seeded: true,
    code: 0,
  },

  // ---- exchange 3LO with consent (auto-consent provider), a custom state
  ...(['--verbose', '--debug'] as const).map((flag) => ({
    name: `exchange 3LO consent + --custom-state ${flag}`,
    argv: () => [
      ...canaryThreeLo(`http://127.0.0.1:${returnPort}/oauth2/callback`),
      '--ephemeral',
      '--force-auth',
      '--custom-state',
      s.canaries.code,
      flag,
    ],
    code: 0,
    openBrowser: async (url: string) => {
      const end = await follow(url);
      await (await fetch(end.finalUrl)).text();
    },
  })),

  // ---- a token pasted where something else was expected: error messages echo the input, the token stays masked
  {
    name: 'pasted token: invoke <token> (as the agent)',
    argv: () => ['invoke', base.access, '{}', '--user-id', 'a', '--dry-run'],
    code: 2,
  },
  {
    name: 'pasted token: -H "Bearer <token>" (no colon)',
    argv: () => ['invoke', arnOf(jwtAgent()), '{}', '--user-id', 'a', '-H', `Bearer ${base.access}`, '--dry-run'],
    code: 2,
  },
  // the dry run shows on stdout the request it would send, user id header included: that is what was typed
  {
    name: 'pasted token: --user-id <token> --dry-run',
    argv: () => ['invoke', arnOf(sigv4Agent()), '{}', '--user-id', base.access, '--dry-run'],
    code: 0,
    stdout: ['access'],
  },
  {
    name: 'pasted token: --custom-claim <token>',
    argv: () => ['verify', base.access, '--custom-claim', base.access],
    code: 2,
  },
  {
    name: 'pasted token: exchange --workload-name <token>',
    argv: () => ['exchange', '--workload-name', base.access, '--user-id', 'a'],
    code: 2,
  },
  {
    name: 'pasted token: exchange --custom-param <token>',
    argv: () => [
      'exchange',
      ...wl,
      '--user-id',
      'a',
      '--provider',
      'local-m2m',
      '--flow',
      'm2m',
      '--custom-param',
      base.access,
    ],
    code: 2,
  },
  { name: 'pasted token: token print <token>', argv: () => ['token', 'print', base.access], code: 2 },
  {
    name: 'pasted token: login --save-as <token> --json',
    argv: () => ['login', '--save-as', base.id, '--json'],
    code: 2,
  },
  {
    name: 'pasted token: mcp --gateway-url <token>',
    argv: () => ['mcp', '--gateway-url', base.access, '--bearer-token', 'x.y.z'],
    code: 2,
  },
  { name: 'pasted token: smoke <token>', argv: () => ['smoke', base.access], code: 2 },

  // ---- callback, explain, doctor
  {
    name: 'callback --user-token, timing out --verbose',
    argv: () => ['callback', '--port', '0', '--user-token', base.access, '--once', '--timeout', '0.2', '--verbose'],
    code: 5,
  },
  {
    name: 'callback --bearer, timing out --debug --json',
    argv: () => ['callback', '--port', '0', '--bearer', '--once', '--timeout', '0.2', '--debug', '--json'],
    seeded: true,
    code: 5,
  },
  {
    name: 'explain a pasted error that holds a token',
    argv: () => ['explain', `AccessDeniedException: Authorization method mismatch. Bearer ${base.access}`],
    code: 0,
  },
  {
    name: 'doctor --workload-name --provider --verbose',
    argv: () => ['doctor', ...wl, '--provider', 'local-m2m', '--verbose'],
    code: 0,
  },
];

beforeAll(async () => {
  s = await startCanaryStack();
  redirectPort = await freePort();
  returnPort = await freePort();
  baseHome = mkdtempSync(join(tmpdir(), 'aca-canary-base-'));
  const r = await runCommand([...withPassword(), '--quiet'], {
    env: s.env,
    home: baseHome,
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const toks = cachedSecrets(cacheFileOf(baseHome));
  base = {
    access: toks.find((t) => t.kind === 'access')!.value,
    id: toks.find((t) => t.kind === 'id')!.value,
    refresh: toks.find((t) => t.kind === 'refresh')!.value,
  };
});
afterAll(async () => {
  await s?.stack.close();
});

/** Every secret known so far: static canaries, the base tokens, this run's cache and everything the stack minted. */
function knownSecrets(home: string): KnownSecret[] {
  return [
    ...staticSecrets(s.canaries),
    ...cachedSecrets(cacheFileOf(baseHome)),
    ...cachedSecrets(cacheFileOf(home)),
    ...stackSecrets(s.stack),
  ];
}

describe(`secret canaries (${cases.length} command/flag combinations)`, () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const home = c.seeded ? seededHome() : mkdtempSync(join(tmpdir(), 'aca-canary-'));
    const opts: TestContextOptions = { env: { ...s.env, ...(c.env?.() ?? {}) }, home };
    if (c.stdin) opts.stdin = c.stdin();
    if (c.openBrowser) opts.openBrowser = c.openBrowser;
    const r = await runCommand(c.argv(), opts);
    const secrets = knownSecrets(home);
    const context = `\n--- stdout\n${r.stdout.slice(0, 1500)}\n--- stderr\n${r.stderr.slice(0, 3000)}`;
    expect(r.code, `exit code${context}`).toBe(c.code);

    if (c.showOnStderr) {
      const shown = secrets.filter((x) => c.showOnStderr!.includes(x.kind) && r.stderr.includes(x.value));
      expect(shown.length, '--show-secrets shows the value').toBeGreaterThan(0);
    } else {
      expect(findLeaks(r.stderr, secrets), `secrets on stderr${context}`).toEqual([]);
      expect(r.stderr, 'a full JWT on stderr').not.toMatch(FULL_JWT);
    }
    const allowed = new Set<SecretKind>(c.stdout ?? []);
    expect(findLeaks(r.stdout, secrets, allowed), `secrets on stdout${context}`).toEqual([]);
    if (c.stdout) {
      // what was asked for is there
      const asked = secrets.filter((x) => allowed.has(x.kind) && r.stdout.includes(x.value));
      expect(asked.length, `stdout holds the ${c.stdout.join('/')} asked for${context}`).toBeGreaterThan(0);
    }
    // passwords and client secrets never reach stdout, whatever was asked
    expect(
      findLeaks(
        r.stdout,
        staticSecrets(s.canaries).filter(
          (x) => x.kind === 'password' || x.kind === 'clientSecret' || x.kind === 'awsSecret' || x.kind === 'code',
        ),
      ),
    ).toEqual([]);

    for (const f of filesUnder(home)) {
      if (f.path === cacheFileOf(home)) continue;
      expect(findLeaks(f.text, secrets), `secrets in ${f.path}`).toEqual([]);
    }
  });
});

// `demo` (its own stack, its own random secrets): test/cli/demo.test.ts runs it and checks both streams for a full JWT,
// a workload access token, an API key, a client secret and the demo passwords (expectNoSecrets).

describe('canaries in files a command writes', () => {
  it(
    'smoke: a scenario with a password from ${env:} writes no secret to stdout, stderr or the ' + 'JUnit file',
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'aca-canary-smoke-'));
      const scenario = join(home, 'scenario.yaml');
      writeFileSync(
        scenario,
        `name: canary
steps:
  - id: login
    login:
      user-pool-id: \${env:POOL_ID}
      client-id: \${env:CLIENT_ID}
      client-secret: \${env:CLIENT_SECRET}
      username: alice
      password: \${env:PW}
      cache: false
  - id: verify
    verify:
      token: \${steps.login.accessToken}
      discovery-url: \${env:DISCOVERY_URL}
  - id: wrong
    login:
      user-pool-id: \${env:POOL_ID}
      client-id: \${env:CLIENT_ID}
      client-secret: \${env:CLIENT_SECRET}
      username: alice
      password: \${env:WRONG}
      cache: false
    expect: { outcome: deny }
`,
      );
      const env = {
        ...s.env,
        POOL_ID: s.poolId,
        CLIENT_ID: s.clientId,
        CLIENT_SECRET: s.canaries.clientSecret,
        PW: s.canaries.password,
        WRONG: s.canaries.wrongPassword,
        DISCOVERY_URL: s.stack.userPool.discoveryUrl,
      };
      const junit = join(home, 'junit.xml');
      for (const argv of [
        ['smoke', scenario, '--junit', junit],
        ['smoke', scenario, '--json', '--verbose'],
      ]) {
        const r = await runCommand(argv, { env, home, cwd: home });
        expect(r.code, r.stderr).toBe(0);
        const secrets = knownSecrets(home);
        expect(findLeaks(r.stdout, secrets), `stdout of ${argv.join(' ')}\n${r.stdout}`).toEqual([]);
        expect(findLeaks(r.stderr, secrets), `stderr of ${argv.join(' ')}\n${r.stderr}`).toEqual([]);
        expect(r.stdout + r.stderr).not.toMatch(FULL_JWT);
      }
      for (const f of filesUnder(home)) {
        if (f.path === scenario) continue;
        expect(findLeaks(f.text, knownSecrets(home)), `secrets in ${f.path}`).toEqual([]);
      }
    },
  );
});

describe('canaries through the built CLI (real process: library console output and warnings included)', () => {
  // A fresh HOME per run: the canary check reads every file the run leaves there.
  const runBin = (args: string[], stdin = '') =>
    runBuiltCli(args, { HOME: mkdtempSync(join(tmpdir(), 'aca-canary-bin-')), ...s.env }, stdin);

  const binCases: Array<[string, () => string[], number, string?]> = [
    [
      'login --debug --verbose (password on stdin)',
      () => ['login', ...cog(), '--password-stdin', '--debug', '--verbose'],
      0,
      'password',
    ],
    ['login wrong password --debug', () => ['login', ...cog(), '--password', s.canaries.wrongPassword, '--debug'], 4],
    [
      'login client-credentials wrong secret --debug --verbose',
      () => [...cc(), '--client-secret', s.canaries.wrongSecret, '--debug', '--verbose'],
      4,
    ],
    [
      'exchange API key --debug --verbose',
      () => ['exchange', ...wl, '--user-id', 'alice', '--api-key-provider', 'local-api-key', '--debug', '--verbose'],
      0,
    ],
    [
      'invoke bearer --debug --verbose',
      () => [...whoami(jwtAgent()), '--bearer-token', base.access, '--debug', '--verbose'],
      0,
    ],
  ];
  it.each(binCases)('%s', async (_name, argv, code, stdinKind) => {
    const r = await runBin(argv(), stdinKind === 'password' ? s.canaries.password : '');
    expect(r.code, r.stderr.slice(0, 2000)).toBe(code);
    const secrets = [...staticSecrets(s.canaries), ...cachedSecrets(cacheFileOf(baseHome)), ...stackSecrets(s.stack)];
    expect(findLeaks(r.stderr, secrets), r.stderr.slice(0, 3000)).toEqual([]);
    expect(r.stderr).not.toMatch(FULL_JWT);
    expect(findLeaks(r.stdout, secrets, new Set(['access']))).toEqual([]);
  });
});
