/**
 * CI=true on a terminal never prompts (issue 28, item 7): CI runners may allocate a terminal nobody answers, so with
 * `CI` set (or stdin not a terminal) a command that would ask exits 2 at once, naming the flag or variable that
 * answers instead. The test context's prompt fails the run if called without an answer, and records every question.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { runCommand } from '../helpers/context.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
});
afterAll(async () => {
  await stack?.close();
});

const terminal = { stdinTTY: true, stderrTTY: true };
// A terminal, but colourless output to match on.
const base = () => ({ ...stack.env, NO_COLOR: '1' });
const loginArgs = () => {
  const client = stack.userPool.clients.find((c) => !c.clientSecret)!;
  const user = stack.userPool.users.find((u) => !u.temporaryPassword)!;
  return { argv: ['login', '--client-id', client.clientId, '--username', user.username], user };
};

describe('CI=true on a terminal', () => {
  it('login without a password: exit 2 naming --password, --password-stdin and AGENTCORE_AUTH_PASSWORD', async () => {
    const r = await runCommand(loginArgs().argv, { env: { ...base(), CI: 'true' }, ...terminal });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: missing --password$/m);
    expect(r.stderr).toMatch(
      /^hint: Pass --password, --password-stdin or set AGENTCORE_AUTH_PASSWORD \(no prompt: CI is set\)\.$/m,
    );
    expect(r.ctx.prompts).toEqual([]);
  });

  it('login without a client id: exit 2 naming --client-id and AGENTCORE_AUTH_CLIENT_ID', async () => {
    const r = await runCommand(['login', '--username', 'u'], { env: { ...base(), CI: '1' }, ...terminal });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: missing --client-id$/m);
    expect(r.stderr).toMatch(/^hint: Pass --client-id or set AGENTCORE_AUTH_CLIENT_ID \(no prompt: CI is set\)\.$/m);
    expect(r.ctx.prompts).toEqual([]);
  });

  it('teardown without --yes: exit 2 naming --yes, before any AWS call', async () => {
    // Endpoints nobody listens on: an AWS call would be exit 3, not 2.
    const dead = { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9', CI: 'true' };
    const r = await runCommand(['teardown', '--name', 'dev'], { env: { ...base(), ...dead }, ...terminal });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^error: teardown deletes AWS resources: pass --yes to confirm \(no prompt: CI is set\)$/m,
    );
    expect(r.ctx.prompts).toEqual([]);
  });
});

describe('CI unset (or CI=false) on a terminal still asks', () => {
  it.each([[{}], [{ CI: 'false' }]])('%j: login prompts for the password', async (ci) => {
    const { argv, user } = loginArgs();
    const r = await runCommand(argv, { env: { ...base(), ...ci }, ...terminal, answers: [user.password] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.ctx.prompts).toEqual([`Password for ${user.username}: `]);
  });
});
