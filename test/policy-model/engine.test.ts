/** The shared Cedar model evaluated by the official engine (@cedar-policy/cedar-wasm): decisions, listing, input. */
import { describe, expect, it } from 'vitest';
import {
  claimsToTags,
  compilePolicies,
  denialText,
  parsePolicyText,
  type GatewayModel,
} from '../../src/policy-model/index.js';

const GW = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/shop-abcdefghij';
const gateway: GatewayModel = {
  arn: GW,
  targets: [
    {
      name: 'RefundTool',
      tools: [
        {
          name: 'process_refund',
          inputSchema: {
            type: 'object',
            properties: { amount: { type: 'integer' }, currency: { type: 'string' }, rate: { type: 'number' } },
            required: ['amount'],
          },
        },
        { name: 'list_orders', inputSchema: { type: 'object', properties: {} } },
      ],
    },
    { name: 'Weather', tools: [{ name: 'forecast', inputSchema: { type: 'object', properties: {} } }] },
  ],
};

const POLICIES = `
@id("refund-small")
permit(
  principal is AgentCore::OAuthUser,
  action == AgentCore::Action::"RefundTool___process_refund",
  resource == AgentCore::Gateway::"${GW}"
) when {
  principal.hasTag("role") && principal.getTag("role") == "support" && context.input.amount < 500
};

permit(principal, action in AgentCore::Action::"Weather", resource == AgentCore::Gateway::"${GW}")
when { principal.hasTag("cognito:groups") && principal.getTag("cognito:groups") like "*\\"staff\\"*" };

@id("no-blocked")
forbid(principal, action, resource is AgentCore::Gateway)
when { principal.getTag("blocked") == "true" };
`;

function compiled(extra = '', logOnly = '') {
  const parsed = parsePolicyText(POLICIES + extra, { file: 'shop.cedar' });
  expect(parsed.diagnostics).toEqual([]);
  const lo = logOnly ? parsePolicyText(logOnly, { file: 'trial.cedar', enforcementMode: 'LOG_ONLY' }).policies : [];
  return compilePolicies({ gateway, policies: [...parsed.policies, ...lo] });
}

const jwt = (claims: Record<string, unknown>) => ({ kind: 'jwt' as const, claims: { sub: 'alice', ...claims } });

describe('claims become string tags', () => {
  it('numbers and booleans as text, arrays and objects as JSON text, null claims no tag', () => {
    expect(
      claimsToTags({ sub: 'a', exp: 1735689600, admin: true, groups: ['a', 'b'], o: { x: 1 }, gone: null }),
    ).toEqual({ sub: 'a', exp: '1735689600', admin: 'true', groups: '["a","b"]', o: '{"x":1}' });
  });
});

describe('authorize (tools/call)', () => {
  const set = compiled();

  it('allows with the determining permit, and reports the getTag error of the forbid it skipped', () => {
    const d = set.authorize({
      caller: jwt({ role: 'support' }),
      tool: 'RefundTool___process_refund',
      input: { amount: 100 },
    });
    expect(d.decision).toBe('allow');
    expect(d.determining).toEqual([{ id: 'refund-small', name: 'refund-small', effect: 'permit' }]);
    expect(d.errors).toEqual([
      expect.objectContaining({
        policyId: 'no-blocked',
        message: expect.stringContaining('does not have the tag `blocked`'),
      }),
    ]);
    expect(d.principal).toMatchObject({ type: 'AgentCore::OAuthUser', id: 'alice', tags: { role: 'support' } });
    expect(d.denialText).toBeUndefined();
  });

  it('denies by default when no permit matches, with the documented text', () => {
    const d = set.authorize({
      caller: jwt({ role: 'support' }),
      tool: 'RefundTool___process_refund',
      input: { amount: 900 },
    });
    expect(d).toMatchObject({ decision: 'deny', determining: [] });
    expect(d.denialText).toBe(
      'AuthorizeActionException - Tool Execution Denied: Tool call not allowed due to policy enforcement ' +
        '[No policy applies to the request (denied by default).]',
    );
  });

  it('a matching forbid wins and is named in the denial', () => {
    const d = set.authorize({
      caller: jwt({ role: 'support', blocked: true }),
      tool: 'RefundTool___process_refund',
      input: { amount: 1 },
    });
    expect(d.decision).toBe('deny');
    expect(d.determining).toEqual([{ id: 'no-blocked', name: 'no-blocked', effect: 'forbid' }]);
    expect(d.denialText).toBe(denialText(['no-blocked']));
    expect(d.denialText).toContain('[Policy evaluation denied due to no-blocked]');
  });

  it('a multi-valued claim is JSON text: matched with like, as the docs advise', () => {
    const ok = set.authorize({
      caller: jwt({ 'cognito:groups': ['staff', 'x'] }),
      tool: 'Weather___forecast',
      input: {},
    });
    expect(ok.decision).toBe('allow');
    expect(ok.determining[0]!.id).toBe('shop.cedar#2');
    const no = set.authorize({
      caller: jwt({ 'cognito:groups': ['staffing'] }),
      tool: 'Weather___forecast',
      input: {},
    });
    expect(no.decision).toBe('deny');
  });

  it('input is typed from the tool schema: integer → Long, number → decimal; bad input denies with the reason', () => {
    const ok = set.authorize({
      caller: jwt({ role: 'support' }),
      tool: 'RefundTool___process_refund',
      input: { amount: 5, rate: 1.25, currency: 'EUR' },
    });
    expect(ok.decision).toBe('allow');
    expect(set.checkInput('RefundTool___process_refund', { amount: '5' })).toEqual([
      'input.amount: expected an integer, got "5"',
    ]);
    expect(set.checkInput('RefundTool___process_refund', {})).toEqual([
      "input.amount: required by the tool's input schema",
    ]);
    expect(set.checkInput('RefundTool___process_refund', { amount: 1, rate: 0.123456 })).toEqual([
      'input.rate: 0.123456 cannot be a Cedar decimal (at most 4 digits after the point)',
    ]);
    const bad = set.authorize({ caller: jwt({ role: 'support' }), tool: 'RefundTool___process_refund', input: {} });
    expect(bad).toMatchObject({
      decision: 'deny',
      errors: [{ message: "input.amount: required by the tool's input schema" }],
    });
  });

  it('an unknown tool or a caller without sub is denied, not thrown', () => {
    expect(set.authorize({ caller: jwt({}), tool: 'Nope___x', input: {} })).toMatchObject({
      decision: 'deny',
      errors: [{ message: 'unknown tool Nope___x' }],
    });
    expect(
      set.authorize({ caller: { kind: 'jwt', claims: { role: 'x' } }, tool: 'Weather___forecast', input: {} }),
    ).toMatchObject({ decision: 'deny', errors: [{ message: 'the claims have no "sub"' }] });
  });

  it('a caller of the other kind is refused as request validation would (an IAM caller on a JWT gateway)', () => {
    const d = set.authorize({
      caller: { kind: 'iam', arn: 'arn:aws:iam::123456789012:role/ops' },
      tool: 'Weather___forecast',
      input: {},
    });
    expect(d).toMatchObject({
      decision: 'deny',
      errors: [
        { message: "a AgentCore::IamEntity cannot call this gateway's tools (its callers are AgentCore::OAuthUser)" },
      ],
    });
  });

  it('per-policy LOG_ONLY: reported beside the decision, never deciding', () => {
    const trial =
      '@id("trial-forbid") forbid(principal, action == AgentCore::Action::"Weather___forecast", ' +
      `resource == AgentCore::Gateway::"${GW}") when { principal.hasTag("cognito:groups") };`;
    const s = compiled('', trial);
    const d = s.authorize({ caller: jwt({ 'cognito:groups': ['staff'] }), tool: 'Weather___forecast', input: {} });
    expect(d.decision).toBe('allow');
    expect(d.logOnly).toEqual({
      decision: 'deny',
      determining: [{ id: 'trial-forbid', name: 'trial-forbid', effect: 'forbid' }],
    });
  });
});

describe('listing (tools/list): partial evaluation with the input unknown', () => {
  const set = compiled();

  it('lists a tool when some input could be permitted, hides it when none could', () => {
    expect(set.listable(jwt({ role: 'support' }))).toEqual(['RefundTool___process_refund']);
    expect(set.listable(jwt({ 'cognito:groups': ['staff'] }))).toEqual(['Weather___forecast']);
    expect(set.listable(jwt({ role: 'support', blocked: 'true' }))).toEqual([]);
    expect(set.listable(jwt({}))).toEqual([]);
  });

  it('a group permit (action in CallTool) lists every tool; answers are cached per principal', () => {
    const s = compiled(
      '\npermit(principal, action in AgentCore::Action::"CallTool", resource is AgentCore::Gateway) ' +
        'when { principal.hasTag("admin") };',
    );
    const admin = jwt({ admin: 'yes' });
    expect(s.listable(admin)).toEqual([
      'RefundTool___list_orders',
      'RefundTool___process_refund',
      'Weather___forecast',
    ]);
    expect(s.listable(admin)).toEqual(s.listable(admin));
  });
});

describe('policy text', () => {
  it('keeps source order and lines past ten policies (Cedar returns them sorted by generated id)', () => {
    const text = Array.from(
      { length: 12 },
      (_, i) => `permit(principal == AgentCore::OAuthUser::"u${i}", action, resource is AgentCore::Gateway);`,
    ).join('\n');
    const { policies } = parsePolicyText(text, { file: 'many.cedar' });
    expect(policies.map((p) => p.statement.match(/u\d+/)![0])).toEqual(policies.map((_, i) => `u${i}`));
    expect(policies.map((p) => p.line)).toEqual(policies.map((_, i) => i + 1));
    expect(policies[11]!.id).toBe('many.cedar#12');
  });

  it('a parse error is placed at file:line:column (byte offsets of non-ASCII text included)', () => {
    const { diagnostics, policies } = parsePolicyText('// é\npermit(principal, action resource);\n', {
      file: 'bad.cedar',
    });
    expect(policies).toEqual([]);
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', file: 'bad.cedar', line: 2, column: 26, source: 'parse' }),
    ]);
  });
});

describe('per-action policy sets', () => {
  it('decide exactly as the whole set does (decision, determining policies, errors)', async () => {
    const { createRequire } = await import('node:module');
    const cedar = createRequire(import.meta.url)(
      '@cedar-policy/cedar-wasm/nodejs',
    ) as typeof import('@cedar-policy/cedar-wasm/nodejs');
    const { buildSchema, principalOf, principalEntityJson } = await import('../../src/policy-model/index.js');
    const tools = ['RefundTool___process_refund', 'RefundTool___list_orders', 'Weather___forecast'];
    const groups = ['RefundTool', 'Weather', 'CallTool', 'Mcp'];
    const text = Array.from({ length: 30 }, (_, i) => {
      const effect = i % 4 === 3 ? 'forbid' : 'permit';
      const action =
        i % 3 === 0
          ? `action == AgentCore::Action::"${tools[i % 3]}"`
          : i % 3 === 1
            ? `action in AgentCore::Action::"${groups[i % 4]}"`
            : 'action';
      const resource = i % 3 === 0 ? `resource == AgentCore::Gateway::"${GW}"` : 'resource is AgentCore::Gateway';
      return `${effect}(principal, ${action}, ${resource}) when { principal.getTag("k${i % 5}") == "v" };`;
    }).join('\n');
    const { policies } = parsePolicyText(text, { file: 'many.cedar' });
    const set = compilePolicies({ gateway, policies });
    const schema = buildSchema(gateway);
    const seen = new Set<string>();
    for (let n = 0; n < 40; n++) {
      const claims = Object.fromEntries(
        Array.from({ length: 5 }, (_, k) => [`k${k}`, (n >> k) & 1 ? 'v' : 'w']).filter((_, k) => (n + k) % 3),
      );
      const caller = jwt(claims);
      const tool = tools[n % 3]!;
      const input: Record<string, number> = tool === 'RefundTool___process_refund' ? { amount: 1 } : {};
      const ours = set.authorize({ caller, tool, input });
      const principal = principalOf(caller);
      const whole = cedar.isAuthorized({
        principal: { type: principal.type, id: principal.id },
        action: { type: 'AgentCore::Action', id: tool },
        resource: { type: 'AgentCore::Gateway', id: GW },
        context: { input },
        schema: schema as never,
        policies: { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.statement])) },
        entities: [principalEntityJson(principal)],
      });
      if (whole.type !== 'success') throw new Error(JSON.stringify(whole.errors));
      expect(ours.decision, `${n}`).toBe(whole.response.decision);
      seen.add(`${ours.decision}:${ours.determining.length > 0}`);
      expect(ours.determining.map((d) => d.id).sort(), `${n}`).toEqual([...whole.response.diagnostics.reason].sort());
      expect(ours.errors.map((e) => e.policyId).sort(), `${n}`).toEqual(
        whole.response.diagnostics.errors.map((e) => e.policyId).sort(),
      );
    }
    // allowed by permits, denied by a forbid, denied by default
    expect([...seen].sort()).toEqual(['allow:true', 'deny:false', 'deny:true']);
  });
});
