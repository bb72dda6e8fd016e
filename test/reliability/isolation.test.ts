/**
 * The local stack under 50 concurrent users, through the whole CLI in-process: each user logs in (Cognito
 * user-password), calls a JWT agent with their own bearer token and a SigV4 agent with their own user id (the sample
 * agent reports whom its workload access token is for), and runs a 3LO exchange with consent (auto-consent, the
 * provider account chosen by login_hint) on their own return URL, then a second exchange served from the token vault.
 * Zero cross-user deliveries: every answer names the user who asked, every resource token is that user's, and the
 * vault holds exactly one token per user. (Memory over a longer run is measured in bench/soak.mjs.)
 */
import { createServer, type Server } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/emulator/config.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { follow } from '../emulator/helpers.js';
import { stackLoginArgs } from '../fixtures/stack-users.js';
import { runCommand } from '../helpers/context.js';

const USERS = 50;
const JWT_AGENT = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/jwt_agent-local00002';
const SIGV4_AGENT = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/sigv4_agent-local00001';

let stack: LocalStack;
let env: Record<string, string>;
let ports: number[];
/** Each user's return-URL port stays bound here until that user's exchange binds it (see beforeAll). */
let held: Server[];
const name = (i: number) => `user${String(i).padStart(2, '0')}`;
const password = (i: number) => `Pw-${name(i)}-Aa1!x`;

beforeAll(async () => {
  ports = [];
  held = [];
  while (ports.length < USERS) {
    // Below the ephemeral range (32768+), where the run's own outgoing connections cannot take them meanwhile; and
    // held (bound) until the user's exchange needs it, so that a test run beside this one, picking its own ports the
    // same way, cannot take it between this pick and the exchange.
    const p = 20000 + Math.floor(Math.random() * 10000);
    const srv = ports.includes(p) ? undefined : await hold(p);
    if (srv) {
      ports.push(p);
      held.push(srv);
    }
  }
  const cfg = parseConfig({
    autoConsent: true,
    workloadIdentities: [
      {
        name: 'local-workload',
        allowedResourceOauth2ReturnUrls: ports.map((p) => `http://127.0.0.1:${p}/oauth2/callback`),
      },
    ],
  });
  for (let i = 0; i < USERS; i++)
    cfg.userPool.users.push({
      username: name(i),
      password: password(i),
      temporaryPassword: false,
      attributes: { email: `${name(i)}@example.com` },
    });
  stack = await startLocalStack({ port: 0, config: cfg });
  env = { ...stack.env };
});
afterAll(async () => {
  await Promise.all((held ?? []).map(release));
  await stack?.close();
});

function hold(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

const release = (srv: Server) =>
  new Promise<void>((resolve) => (srv.listening ? srv.close(() => resolve()) : resolve()));

/** A browser with a cookie jar that follows the 3LO redirects (auto-consent) and finally requests the return URL. */
async function browser(url: string): Promise<void> {
  const end = await follow(url);
  expect(end.finalUrl).toContain('session_id=');
  const res = await fetch(end.finalUrl);
  await res.arrayBuffer();
}

interface UserResult {
  user: string;
  sub: string;
  bearerWhoami: { caller: { sub?: string }; workloadAccessToken: { forUser?: string } };
  sigv4Whoami: { caller: { userId?: string }; workloadAccessToken: { forUser?: string } };
  resourceToken: string;
  vaultToken: string;
}

async function oneUser(i: number): Promise<UserResult> {
  const user = name(i);
  const login = await runCommand(
    [...stackLoginArgs(stack, user, password(i)), '--print', 'access-token', '--no-cache'],
    { env },
  );
  expect(login.code, login.stderr).toBe(0);
  const access = login.stdout.trim();
  const sub = decodeJwt(access).sub!;

  const [bearer, sigv4] = await Promise.all([
    runCommand(['invoke', JWT_AGENT, '{"action":"whoami"}', '--bearer-token', access, '--accept', 'application/json'], {
      env,
    }),
    runCommand(['invoke', SIGV4_AGENT, '{"action":"whoami"}', '--user-id', user, '--accept', 'application/json'], {
      env,
    }),
  ]);
  expect(bearer.code, bearer.stderr).toBe(0);
  expect(sigv4.code, sigv4.stderr).toBe(0);

  const exchange = (extra: string[]) =>
    runCommand(
      [
        'exchange',
        '--workload-name',
        'local-workload',
        '--user-id',
        user,
        '--provider',
        'local-3lo',
        '--scopes',
        'api:read',
        '--return-url',
        `http://127.0.0.1:${ports[i]}/oauth2/callback`,
        '--custom-param',
        `login_hint=${user}`,
        '--print',
        'resource-token',
        '--timeout',
        '20',
        ...extra,
      ],
      { env, openBrowser: browser },
    );
  await release(held[i]!);
  const first = await exchange([]);
  expect(first.code, first.stderr).toBe(0);
  const again = await exchange([]);
  expect(again.code, again.stderr).toBe(0);
  expect(again.ctx.opened, 'the second exchange is served from the vault, no consent').toEqual([]);
  return {
    user,
    sub,
    bearerWhoami: JSON.parse(bearer.stdout),
    sigv4Whoami: JSON.parse(sigv4.stdout),
    resourceToken: first.stdout.trim(),
    vaultToken: again.stdout.trim(),
  };
}

describe(`the local stack under ${USERS} concurrent users`, () => {
  it('zero cross-user token deliveries (login, bearer invoke, SigV4 invoke, 3LO consent, token vault)', async () => {
    const results = await Promise.all(Array.from({ length: USERS }, (_, i) => oneUser(i)));
    const crossings: string[] = [];
    for (const r of results) {
      if (r.bearerWhoami.caller.sub !== r.sub)
        crossings.push(`${r.user}: bearer invoke answered for sub ${r.bearerWhoami.caller.sub}`);
      if (!r.bearerWhoami.workloadAccessToken.forUser?.endsWith(`#${r.sub}`))
        crossings.push(`${r.user}: JWT agent's WAT is for ${r.bearerWhoami.workloadAccessToken.forUser}`);
      if (r.sigv4Whoami.caller.userId !== r.user)
        crossings.push(`${r.user}: SigV4 invoke answered for ${r.sigv4Whoami.caller.userId}`);
      if (r.sigv4Whoami.workloadAccessToken.forUser !== r.user)
        crossings.push(`${r.user}: SigV4 agent's WAT is for ${r.sigv4Whoami.workloadAccessToken.forUser}`);
      const rt = decodeJwt(r.resourceToken);
      if (rt.sub !== r.user) crossings.push(`${r.user}: 3LO resource token is for ${rt.sub}`);
      if (r.vaultToken !== r.resourceToken)
        crossings.push(`${r.user}: the vault returned another token than the one consented`);
    }
    expect(crossings).toEqual([]);
    expect(new Set(results.map((r) => r.sub)).size).toBe(USERS);
    expect(new Set(results.map((r) => r.resourceToken)).size).toBe(USERS);
    // the vault: one entry per user for (workload, provider), each holding that user's token
    const vault = [...stack.state.vault.entries()].filter(([k]) => k.startsWith('local-workload\nlocal-3lo\n'));
    expect(vault).toHaveLength(USERS);
    for (const [, v] of vault) expect(results.some((r) => r.resourceToken === v.accessToken)).toBe(true);
  }, 90_000);
});
