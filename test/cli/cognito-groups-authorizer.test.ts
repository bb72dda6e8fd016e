/**
 * The rule AgentCore users write most: `customClaims` on `cognito:groups`. End to end on the local stack — users in
 * groups (config), `login` (SRP, chosen by itself), then a runtime whose rule is CONTAINS / CONTAINS_ANY and a gateway
 * with the same rule: a group member gets in, anyone else is refused with the service's message, and `verify`
 * shows that claim's check either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../src/wire.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { createTestContext, runCommand, type TestContext } from '../helpers/context.js';

let stack: LocalStack;
let ctx: TestContext;
const CLIENT = 'groupsauthzlocalclient0000';

const groupsRule = (operator: 'CONTAINS' | 'CONTAINS_ANY', value: string | string[]) => ({
  inboundTokenClaimName: 'cognito:groups',
  inboundTokenClaimValueType: 'STRING_ARRAY',
  authorizingClaimMatchValue: {
    claimMatchOperator: operator,
    claimMatchValue: Array.isArray(value) ? { matchValueStringList: value } : { matchValueString: value },
  },
});
const authorizer = (rule: ReturnType<typeof groupsRule>) => ({
  customJWTAuthorizer: { allowedClients: [CLIENT], customClaims: [rule] },
});

beforeAll(async () => {
  stack = await startLocalStack({
    config: {
      userPool: {
        // A new app client's flows: SRP and refresh, no plain passwords.
        clients: [{ name: 'app', clientId: CLIENT, explicitAuthFlows: ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'] }],
        groups: [{ name: 'admins', precedence: 1 }],
        users: [
          { username: 'alice', password: 'Alice-Passw0rd!', groups: ['admins'] },
          { username: 'olga', password: 'Olga-Passw0rd!1', groups: ['ops'] },
          { username: 'bob', password: 'Bob-Passw0rd!1' },
        ],
      },
      agents: [
        { name: 'admins_agent', authorizerConfiguration: authorizer(groupsRule('CONTAINS', 'admins')) },
        { name: 'staff_agent', authorizerConfiguration: authorizer(groupsRule('CONTAINS_ANY', ['admins', 'ops'])) },
      ],
      gateways: [
        {
          name: 'admins-gw',
          authorizerConfiguration: authorizer(groupsRule('CONTAINS', 'admins')),
          // tools from a static schema: listing them needs no server
          targets: [
            {
              name: 'echo',
              targetConfiguration: {
                mcp: {
                  mcpServer: {
                    endpoint: 'http://127.0.0.1:9/mcp',
                    mcpToolSchema: { inlinePayload: JSON.stringify({ tools: [{ name: 'inspect' }] }) },
                  },
                },
              },
            },
          ],
        },
      ],
    },
  });
  ctx = createTestContext({ env: stack.env });
  for (const [user, password] of [
    ['alice', 'Alice-Passw0rd!'],
    ['olga', 'Olga-Passw0rd!1'],
    ['bob', 'Bob-Passw0rd!1'],
  ]) {
    const args = ['--user-pool-id', stack.userPool.id, '--client-id', CLIENT, '--username', user!];
    const r = await run(['login', ...args, '--password', password!, '--save-as', user!]);
    if (r.code !== 0) throw new Error(`login ${user} failed: ${r.stderr}`);
  }
});
afterAll(() => stack?.close());

const run = (argv: string[]) => runCommand(argv, createTestContext({ env: stack.env, home: ctx.homedir }));
const arnOf = (name: string) => {
  const id = stack.agents.find((a) => a.name === name)!.id;
  return `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${id}`;
};
const refused = MESSAGES.claimMismatch('cognito:groups');

describe('cognito:groups in a runtime’s customClaims rule', () => {
  it('CONTAINS: the member gets in; others are refused with the service’s message (exit 4)', async () => {
    const ok = await run(['invoke', arnOf('admins_agent'), '{"prompt":"hi"}', '--bearer', 'alice']);
    expect(ok.code, ok.stderr).toBe(0);
    for (const user of ['bob', 'olga']) {
      const no = await run(['invoke', arnOf('admins_agent'), '{"prompt":"hi"}', '--bearer', user]);
      expect(no.code).toBe(4);
      expect(no.stderr).toContain(refused);
    }
  });

  it('CONTAINS_ANY: a member of any listed group gets in; a user without groups is refused', async () => {
    for (const user of ['alice', 'olga'])
      expect((await run(['invoke', arnOf('staff_agent'), '{"prompt":"hi"}', '--bearer', user])).code).toBe(0);
    const no = await run(['invoke', arnOf('staff_agent'), '{"prompt":"hi"}', '--bearer', 'bob']);
    expect(no.code).toBe(4);
    expect(no.stderr).toContain(refused);
  });

  it('verify --agent-arn shows the cognito:groups check, passing for a member and failing for others', async () => {
    const yes = await run(['--json', 'verify', '--bearer', 'alice', '--agent-arn', arnOf('admins_agent')]);
    expect(yes.code, yes.stderr).toBe(0);
    const check = (out: string) =>
      (JSON.parse(out).checks as Array<{ claim: string; status: string }>).find((c) => c.claim === 'cognito:groups');
    expect(check(yes.stdout)).toMatchObject({ status: 'pass' });
    const no = await run(['--json', 'verify', '--bearer', 'bob', '--agent-arn', arnOf('admins_agent')]);
    expect(no.code).toBe(4);
    expect(check(no.stdout)).toMatchObject({ status: 'fail' });
    const human = await run(['verify', '--bearer', 'olga', '--agent-arn', arnOf('staff_agent')]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr + human.stdout).toContain('cognito:groups');
  });
});

describe('cognito:groups in a gateway’s customClaims rule', () => {
  it('the member lists the tools; others are refused; verify --gateway-id agrees', async () => {
    const gw = stack.gateways.find((g) => g.name === 'admins-gw')!;
    const url = gw.gatewayUrl;
    const ok = await run(['mcp', '--gateway-url', url, '--bearer', 'alice', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('echo___');
    const no = await run(['mcp', '--gateway-url', url, '--bearer', 'bob']);
    expect(no.code).toBe(4);
    expect(no.stderr).toContain('cognito:groups');
    expect((await run(['verify', '--bearer', 'alice', '--gateway-id', gw.gatewayId])).code).toBe(0);
    expect((await run(['verify', '--bearer', 'bob', '--gateway-id', gw.gatewayId])).code).toBe(4);
  });
});
