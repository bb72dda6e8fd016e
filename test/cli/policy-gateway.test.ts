/**
 * AgentCore Policy with a deployed gateway, the CLI against the local stack through the real SDK: `policy check
 * --gateway-id` (the engine's policies, the gateway's tools and ARN read from the control plane) answering exactly
 * what the gateway answers the same call, `policy validate --gateway-id`, a test table's `gateway:`, `doctor
 * --gateway-id`'s policy lines, and `--diagram` drawing the decision inside the gateway. The target is an MCP server
 * on the official SDK; the caller's token comes from the stack's user pool.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BedrockAgentCoreControlClient,
  CreateGatewayCommand,
  CreateGatewayTargetCommand,
  CreatePolicyCommand,
  CreatePolicyEngineCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor } from '../emulator/helpers.js';
import { stackUserTokens } from '../fixtures/stack-users.js';
import { startMcpToolServer, type McpToolServer } from '../fixtures/gateway.js';
import { runCommand } from '../helpers/context.js';
import { arrowLines } from '../helpers/diagram.js';

const ROLE = 'arn:aws:iam::123456789012:role/GatewayRole';
const SHOP_TOOLS = {
  tools: [
    {
      name: 'add',
      description: 'Adds two numbers',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'integer' }, b: { type: 'integer' } },
        required: ['a', 'b'],
      },
    },
    { name: 'whoami', inputSchema: { type: 'object', properties: {} } },
  ],
};

let stack: LocalStack;
let tools: McpToolServer;
let control: BedrockAgentCoreControlClient;
let token: string;
let gw: { id: string; arn: string };
let engine: { id: string; arn: string };
let policyIds: Record<string, string>;
let bare: string;
let dir: string;

async function createGateway(name: string, policyEngineConfiguration?: { arn: string; mode: string }) {
  const g = await control.send(
    new CreateGatewayCommand({
      name,
      roleArn: ROLE,
      authorizerType: 'CUSTOM_JWT',
      authorizerConfiguration: {
        customJWTAuthorizer: {
          discoveryUrl: stack.userPool.discoveryUrl,
          allowedClients: stack.userPool.clients.map((c) => c.clientId),
        },
      },
      ...(policyEngineConfiguration ? { policyEngineConfiguration: policyEngineConfiguration as never } : {}),
    }),
  );
  const endpoint = tools.url;
  const inline = { inlinePayload: JSON.stringify(SHOP_TOOLS) };
  for (const [target, mcpServer] of [
    ['shop', { endpoint, mcpToolSchema: inline }],
    ['calc', { endpoint }],
  ] as const)
    await control.send(
      new CreateGatewayTargetCommand({
        gatewayIdentifier: g.gatewayId,
        name: target,
        targetConfiguration: { mcp: { mcpServer } },
      }),
    );
  await vi.waitFor(() =>
    expect(stack.gateways.find((x) => x.gatewayId === g.gatewayId)!.targets.map((t) => t.status)).toEqual([
      'READY',
      'READY',
    ]),
  );
  return { id: g.gatewayId!, arn: g.gatewayArn! };
}

async function createPolicy(engineId: string, name: string, statement: string): Promise<string> {
  const p = await control.send(
    new CreatePolicyCommand({ policyEngineId: engineId, name, definition: { cedar: { statement } } }),
  );
  return p.policyId!;
}

beforeAll(async () => {
  tools = await startMcpToolServer();
  stack = await startLocalStack({ config: { gateways: [] } });
  control = clientsFor(stack).control;
  token = (await stackUserTokens(stack, 'alice')).accessToken;
  const e = await control.send(new CreatePolicyEngineCommand({ name: 'shop_engine' }));
  engine = { id: e.policyEngineId!, arn: e.policyEngineArn! };
  gw = await createGateway('shop', { arn: engine.arn, mode: 'ENFORCE' });
  const res = `resource == AgentCore::Gateway::"${gw.arn}"`;
  policyIds = {
    small_adds: await createPolicy(
      engine.id,
      'small_adds',
      `permit(principal, action == AgentCore::Action::"shop___add", ${res}) ` +
        'when { principal.hasTag("username") && principal.getTag("username") == "alice" && context.input.a < 10 };',
    ),
    no_whoami: await createPolicy(
      engine.id,
      'no_whoami',
      `forbid(principal, action == AgentCore::Action::"shop___whoami", ${res}) ` +
        'when { principal.hasTag("username") };',
    ),
    calc_users: await createPolicy(
      engine.id,
      'calc_users',
      `permit(principal, action in AgentCore::Action::"calc", ${res}) when { principal.hasTag("username") };`,
    ),
  };
  bare = (await createGateway('bare')).id;
  dir = mkdtempSync(join(tmpdir(), 'aca-policy-gw-'));
});

afterAll(async () => {
  control?.destroy();
  await stack?.close();
  await tools?.close();
});

const run = (argv: string[]) => runCommand(argv, { env: stack.env, cwd: dir });
const check = (argv: string[]) => run(['--json', 'policy', 'check', '--gateway-id', gw.id, ...argv]);
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return name;
};

/** What the gateway itself answers a tools/call (mcp --gateway-id, the same caller). */
async function gatewayAnswer(tool: string, input: Record<string, unknown>) {
  const argv = ['mcp', '--gateway-id', gw.id, '--bearer-token', token, '--call', tool, '--input'];
  const r = await run([...argv, JSON.stringify(input), '--json']);
  const result = JSON.parse(r.stdout).result as { isError?: boolean; content: Array<{ text: string }> };
  // A policy denial is an authorization refusal for mcp too: exit 4, like policy check's deny.
  expect(r.code, r.stderr).toBe(result.isError ? 4 : 0);
  return result;
}

describe('policy check --gateway-id', () => {
  it("allow: the engine's policy decides, by the gateway's tools (from mcpToolSchema) and ARN; exit 0", async () => {
    const r = await check(['--bearer-token', token, '--tool', 'shop___add', '--input', '{"a":1,"b":2}']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      decision: 'allow',
      gatewayId: gw.id,
      gatewayArn: gw.arn,
      engine: { id: engine.id, arn: engine.arn, mode: 'ENFORCE' },
      mode: 'ENFORCE',
      determining: [{ id: policyIds.small_adds, name: 'small_adds', effect: 'permit' }],
      principal: { type: 'AgentCore::OAuthUser', tags: { username: 'alice' } },
    });
    expect(r.stderr).toContain(`gateway ${gw.id} (CUSTOM_JWT): policy engine ${engine.id} (ENFORCE)`);
    expect(r.stderr).toContain('targets without listed tools: calc');
    expect(r.stderr).toContain(`3 ACTIVE policies of ${engine.id}`);
    expect(r.stderr).not.toContain(token);
  });

  it('deny: exit 4 and the very text the gateway answers the same call with (default deny, and a forbid)', async () => {
    for (const [tool, input] of [
      ['shop___add', { a: 50, b: 2 }],
      ['shop___whoami', {}],
    ] as const) {
      const r = await check(['--bearer-token', token, '--tool', tool, '--input', JSON.stringify(input)]);
      expect(r.code, r.stderr).toBe(4);
      const out = JSON.parse(r.stdout);
      const answer = await gatewayAnswer(tool, input);
      expect(answer.isError).toBe(true);
      expect(out.denialText).toBe(answer.content[0]!.text);
    }
    expect((await gatewayAnswer('shop___whoami', {})).content[0]!.text).toContain(
      `[Policy evaluation denied due to ${policyIds.no_whoami}]`,
    );
  });

  it("a target whose tools only the gateway's catalogue holds: the schema inferred from --input, said so", async () => {
    const ok = await check(['--claims', '{"sub":"u1","username":"bob"}', '--tool', 'calc___add', '--input', '{"a":1}']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).determining).toEqual([
      { id: policyIds.calc_users, name: 'calc_users', effect: 'permit' },
    ]);
    expect(ok.stderr).toMatch(/the tools of calc are the gateway's catalogue, not in the control plane: their input/);
    expect(ok.stderr).toContain('mcp --gateway-id ID --json > tools.json');
    const nobody = await check(['--claims', '{"sub":"u2"}', '--tool', 'calc___add', '--input', '{"a":1}']);
    expect(nobody.code).toBe(4);
    expect(JSON.parse(nobody.stdout).determining).toEqual([]);
  });

  it('--tools fills in such a target; --policy-file replaces the engine; LOG_ONLY is said', async () => {
    const listed = file(
      'tools.json',
      JSON.stringify({
        targets: [
          { name: 'calc', tools: SHOP_TOOLS.tools },
          { name: 'elsewhere', tools: SHOP_TOOLS.tools },
        ],
      }),
    );
    const policy = file(
      'mine.cedar',
      '@id("mine") permit(principal, action == AgentCore::Action::"calc___add", ' +
        `resource == AgentCore::Gateway::"${gw.arn}") ` +
        'when { context.input.b == 7 };',
    );
    const argv = ['--claims', '{"sub":"u3"}', '--tool', 'calc___add', '--input', '{"a":1,"b":7}'];
    const r = await check([...argv, '--tools', listed, '--policy-file', policy]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.determining).toEqual([expect.objectContaining({ id: 'mine', file: 'mine.cedar', line: 1 })]);
    expect(out.engine).toBeUndefined();
    expect(r.stderr).toContain(`the policy files replace the policies of engine ${engine.id}`);
    expect(r.stderr).not.toContain("gateway's catalogue");
    expect(r.stderr).toContain(`tools.json: elsewhere is not an MCP target of ${gw.id}: its tools are ignored`);
    const typed = await check([...argv.slice(0, 4), '--input', '{"a":"x"}', '--tools', listed]);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toMatch(/does not match calc___add's input schema/);
  });

  it('bad input: an unknown tool lists the known ones, no engine, --gateway-arn beside it, no gateway', async () => {
    const unknown = await check(['--claims', '{"sub":"x"}', '--tool', 'shop___nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown tool shop___nope/);
    expect(unknown.stderr).toMatch(/shop___add, shop___whoami/);
    const none = await run([
      'policy',
      'check',
      '--gateway-id',
      bare,
      '--claims',
      '{"sub":"x"}',
      '--tool',
      'shop___add',
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`gateway ${bare} has no policy engine`);
    expect(none.stderr).toContain('--gateway-id ID --policy-file FILE');
    const withFile = await run([
      ...['policy', 'check', '--gateway-id', bare, '--claims', '{"sub":"x"}', '--tool', 'shop___add'],
      ...['--policy-file', file('none.cedar', '@id("all") permit(principal, action, resource is AgentCore::Gateway);')],
    ]);
    expect(withFile.stderr).toContain('the gateway has no policy engine: the policy files decide');
    expect(withFile.stderr).not.toContain('engine (none)');
    const both = await check(['--gateway-arn', gw.arn, '--claims', '{"sub":"x"}', '--tool', 'shop___add']);
    expect(both.code).toBe(2);
    const missing = await run([
      'policy',
      'check',
      '--gateway-id',
      'ghost-abcdefghij',
      '--claims',
      '{}',
      '--tool',
      'a___b',
    ]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('ListGateways');
  });
});

describe('policy validate --gateway-id', () => {
  it("the schema is the gateway's: an attribute a tool does not take is an error at its line", async () => {
    const res = `resource == AgentCore::Gateway::"${gw.arn}"`;
    const f = file(
      'check.cedar',
      [
        `permit(principal, action == AgentCore::Action::"shop___add", ${res}) when { context.input.a < 3 };`,
        `permit(principal, action == AgentCore::Action::"shop___add", ${res}) when { context.input.c < 3 };`,
        `permit(principal, action == AgentCore::Action::"calc___add", ${res}) when { context.input.a < 3 };`,
      ].join('\n'),
    );
    const r = await run(['policy', 'validate', f, '--gateway-id', gw.id]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^check\.cedar:2: error: .*`input\.c`.*not found/m);
    expect(r.stdout).not.toMatch(/check\.cedar:[13]:/);
    expect(r.stdout).toContain('3 policies in 1 file: 1 error, 0 warnings');
    expect(r.stderr).toMatch(/the tools of calc are the gateway's catalogue.*syntax and scope only/);
  });
});

describe('policy test with gateway:', () => {
  it('cases decided by the deployed engine; determining by name; gatewayArn beside gateway: refused', async () => {
    const table = file(
      'shop.policy-test.yaml',
      [
        `gateway: ${gw.id}`,
        'cases:',
        '  - name: alice adds small numbers',
        '    claims: { sub: u1, username: alice }',
        '    tool: shop___add',
        '    input: { a: 1, b: 2 }',
        '    expect: allow',
        '    determining: [small_adds]',
        '  - name: nobody calls whoami',
        `    token: ${token}`,
        '    tool: shop___whoami',
        '    expect: deny',
        `    determining: [${policyIds.no_whoami}]`,
        '  - name: a wrong expectation',
        '    claims: { sub: u1, username: alice }',
        '    tool: shop___add',
        '    input: { a: 50, b: 2 }',
        '    expect: allow',
      ].join('\n'),
    );
    const r = await run(['--json', 'policy', 'test', table]);
    expect(r.code, r.stderr).toBe(6);
    const out = JSON.parse(r.stdout);
    expect(out.cases.map((c: { pass: boolean }) => c.pass)).toEqual([true, true, false]);
    expect(out.cases[2].reason).toBe('expected allow, got deny');
    const bad = file(
      'bad.policy-test.yaml',
      `gateway: ${gw.id}\ngatewayArn: ${gw.arn}\ncases: [{tool: a___b, claims: {sub: x}, expect: deny}]\n`,
    );
    const refused = await run(['policy', 'test', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`gatewayArn: comes from the gateway (gateway: ${gw.id})`);
  });
});

describe('doctor --gateway-id: the policy engine, its mode, its policies, the role permissions', () => {
  type Check = { id: string; status: string; label: string; detail?: string; fix?: string };
  const checks = async (id: string) => {
    const r = await run(['doctor', '--gateway-id', id, '--json']);
    return (JSON.parse(r.stdout) as { checks: Check[] }).checks;
  };
  it('ENFORCE with ACTIVE policies; the three role actions on the engine', async () => {
    const c = await checks(gw.id);
    const by = (id: string) => c.find((x) => x.id === id);
    expect(by('gateway.policy')).toMatchObject({ status: 'pass', detail: expect.stringContaining('ACTIVE') });
    expect(by('gateway.policy.policies')).toMatchObject({ status: 'pass', detail: '3 ACTIVE (0 LOG_ONLY)' });
    expect(by('gateway.policy.role')).toMatchObject({
      status: 'skip',
      label: expect.stringContaining(engine.arn),
      detail: expect.stringMatching(
        new RegExp(
          '^bedrock-agentcore:AuthorizeAction, bedrock-agentcore:PartiallyAuthorizeActions, ' +
            'bedrock-agentcore:GetPolicyEngine — .*Policy evaluation failed for list tools',
        ),
      ),
    });
  });
  it('LOG_ONLY is a warning; an engine without any permit warns that every call is denied', async () => {
    const e = await control.send(new CreatePolicyEngineCommand({ name: 'empty_engine' }));
    const g = await createGateway('logonly', { arn: e.policyEngineArn!, mode: 'LOG_ONLY' });
    const c = await checks(g.id);
    expect(c.find((x) => x.id === 'gateway.policy')).toMatchObject({
      status: 'warn',
      fix: expect.stringMatching(/ENFORCE/),
    });
    const strict = await createGateway('strict', { arn: e.policyEngineArn!, mode: 'ENFORCE' });
    expect((await checks(strict.id)).find((x) => x.id === 'gateway.policy.policies')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('every tools/call is denied by default'),
    });
  });
});

describe('--diagram: the policy decision inside the gateway', () => {
  const call = (tool: string, input: string) =>
    run(['mcp', '--gateway-id', gw.id, '--bearer-token', token, '--call', tool, '--input', input, '--diagram', '-']);

  it('allowed: the determining permit, then the target', async () => {
    const r = await call('shop___add', '{"a":1,"b":2}');
    expect(r.code, r.stderr).toBe(0);
    const d = arrowLines(r.stdout);
    expect(d, d).toContain('Gateway -> AgentCore Policy: AuthorizeAction shop___add (ENFORCE)');
    expect(d).toContain('AgentCore Policy -> Gateway: ALLOW: permit small_adds');
    expect(d.indexOf('AgentCore Policy -> Gateway')).toBeLessThan(d.indexOf('Gateway -> Target'));
  });

  it('denied: by default or by a forbid, and the target is never called', async () => {
    const byDefault = arrowLines((await call('shop___add', '{"a":50,"b":2}')).stdout);
    expect(byDefault, byDefault).toContain('AgentCore Policy -> Gateway: DENY: no policy applies: denied by default');
    expect(byDefault).toContain('note: denied: the target is not called');
    expect(byDefault).not.toContain('-> Target');
    const forbid = arrowLines((await call('shop___whoami', '{}')).stdout);
    expect(forbid).toContain('AgentCore Policy -> Gateway: DENY: forbid no_whoami');
  });

  it('tools/list: how many tools the engine lets this caller see', async () => {
    const r = await run(['mcp', '--gateway-id', gw.id, '--bearer-token', token, '--diagram', '-']);
    expect(r.code, r.stderr).toBe(0);
    const d = arrowLines(r.stdout);
    expect(d, d).toContain('Gateway -> AgentCore Policy: PartiallyAuthorizeActions: tools/list (ENFORCE)');
    expect(d).toMatch(/AgentCore Policy -> Gateway: 3 of 4 tools listable for this caller/);
  });
});

describe('smoke: a policy step with gateway-id, an mcp step the policy denies', () => {
  it('expect allow / deny hold for the policy decision and for the call through the gateway', async () => {
    const scenario = file(
      'policy.smoke.yaml',
      [
        'name: policy at the gateway',
        'steps:',
        '  - id: decided',
        '    policy:',
        `      gateway-id: ${gw.id}`,
        '      claims: { sub: u1, username: alice }',
        '      tool: shop___add',
        '      input: { a: 1, b: 2 }',
        '    expect: allow',
        '  - id: denied-call',
        '    mcp:',
        `      gateway-id: ${gw.id}`,
        '      bearer-token: ${env:TOKEN}',
        '      call: shop___add',
        '      input: { a: 50, b: 2 }',
        '    expect: deny',
      ].join('\n'),
    );
    const r = await runCommand(['smoke', scenario, '--json'], { env: { ...stack.env, TOKEN: token }, cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const recs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs.map((x) => [x.id ?? x.type, x.status ?? x.exitCode])).toEqual([
      ['decided', 'pass'],
      ['denied-call', 'pass'],
      ['summary', 0],
    ]);
    expect(recs[1]!.exitCode).toBe(4);
    expect(r.stdout).not.toContain(token);
  });
});
