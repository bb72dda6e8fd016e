/**
 * Two smoke runs sharing a token cache (issue 28, item 8): each scenario logs in as its own user with `save-as: ci`
 * and invokes with `bearer: ci`; run at the same time, each run's agent call carries its own user's token (the sample
 * agent names the caller's sub), because a run's saved logins live in a cache private to that run. A run never reads
 * another's login; `--shared-cache` opts back into the user's cache.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { runCommand } from '../helpers/context.js';

let stack: LocalStack;
let dir: string;
let env: Record<string, string>;
const USERS = [
  { username: 'ann', password: 'Ann-Passw0rd!x' },
  { username: 'cid', password: 'Cid-Passw0rd!x' },
];

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, config: { userPool: { users: USERS } } });
  dir = mkdtempSync(join(tmpdir(), 'aca-smoke-cache-'));
  // One cache for both runs, as two CI jobs on one machine would share ~/.cache/agentcore-auth.
  env = { ...stack.env, AGENTCORE_AUTH_CACHE_DIR: join(dir, 'shared-cache'), TMPDIR: join(dir, 'tmp'), NO_COLOR: '1' };
  mkdirSync(env.TMPDIR!);
});
afterAll(async () => {
  await stack?.close();
});

const client = () => stack.userPool.clients.find((c) => !c.clientSecret)!.clientId;
const agent = () => {
  const a = stack.agents.find((x) => x.name === 'jwt_agent')!;
  return `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${a.id}`;
};

/** A scenario: log in as `user` saved as `ci`, then invoke with `bearer: ci`, expecting the agent to see that user. */
function scenario(user: { username: string; password: string }, withLogin = true): string {
  const file = join(dir, `${user.username}-${withLogin ? 'login' : 'reuse'}.yaml`);
  const login = `  - id: login
    login: { client-id: ${client()}, username: ${user.username}, password: "${user.password}", save-as: ci }
`;
  writeFileSync(
    file,
    `name: run as ${user.username}
steps:
${withLogin ? login : ''}  - id: call
    ${withLogin ? 'needs: login\n    ' : ''}invoke: { agent: "${agent()}", payload: '{"action":"whoami"}', bearer: ci }
    expect:
      ${withLogin ? 'contains: "${steps.login.claims.access.sub}"' : 'outcome: allow'}
`,
  );
  return file;
}

it('two runs at once, same cache, same save-as name: each sends only its own token', async () => {
  const [a, b] = await Promise.all(USERS.map((u) => runCommand(['smoke', scenario(u)], { env })));
  for (const r of [a!, b!]) {
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 passed/);
  }
  // Nothing of either run is left in the shared cache, and their private caches are gone.
  expect(existsSync(join(env.AGENTCORE_AUTH_CACHE_DIR!, 'tokens.json'))).toBe(false);
  expect(readdirSync(env.TMPDIR!)).toEqual([]);
});

it("a run never reads another run's saved login: --bearer ci without a login of its own fails", async () => {
  const first = await runCommand(['smoke', scenario(USERS[0]!)], { env });
  expect(first.code, first.stdout).toBe(0);
  const second = await runCommand(['smoke', scenario(USERS[1]!, false)], { env });
  expect(second.code).toBe(6); // the step failed on its configuration; the scenario itself is well-formed
  expect(second.stdout).toContain("no cached token named 'ci'");
});

it('--shared-cache: the steps use the cache of the environment, so a later run can reuse the login', async () => {
  const first = await runCommand(['smoke', '--shared-cache', scenario(USERS[0]!)], { env });
  expect(first.code, first.stdout).toBe(0);
  expect(existsSync(join(env.AGENTCORE_AUTH_CACHE_DIR!, 'tokens.json'))).toBe(true);
  const reuse = await runCommand(['smoke', '--shared-cache', scenario(USERS[1]!, false)], { env });
  expect(reuse.code, reuse.stdout).toBe(0);
});
