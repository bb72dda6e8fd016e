/** What CreatePolicy and `policy validate` check: Cedar's validator, AgentCore's scope rules, emulated findings. */
import { describe, expect, it } from 'vitest';
import {
  buildSchema,
  inferTargets,
  parsePolicyText,
  targetsFromToolsDocument,
  validatePolicies,
  type GatewayModel,
} from '../../src/policy-model/index.js';

const GW = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/shop-abcdefghij';
const gateway: GatewayModel = {
  arn: GW,
  targets: targetsFromToolsDocument({
    tools: [
      {
        name: 'RefundTool___process_refund',
        inputSchema: { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] },
      },
      { name: 'x_amz_bedrock_agentcore_search', inputSchema: { type: 'object' } },
    ],
  }).targets,
};

const check = (
  text: string,
  mode?: 'FAIL_ON_ANY_FINDINGS' | 'IGNORE_ALL_FINDINGS',
  gw: GatewayModel | undefined = gateway,
) => validatePolicies(gw, parsePolicyText(text, { file: 'p.cedar' }).policies, mode);

describe('the schema', () => {
  it('namespace AgentCore: tagged OAuthUser, IamEntity, Gateway; tool actions in CallTool and in their target', () => {
    const s = buildSchema(gateway) as { AgentCore: { entityTypes: object; actions: Record<string, unknown> } };
    expect(Object.keys(s.AgentCore.entityTypes)).toEqual(['OAuthUser', 'IamEntity', 'Gateway']);
    expect(s.AgentCore.actions).toMatchObject({
      Mcp: {},
      CallTool: { memberOf: [{ id: 'Mcp' }] },
      RefundTool: {},
      RefundTool___process_refund: {
        memberOf: [{ id: 'CallTool' }, { id: 'RefundTool' }],
        appliesTo: {
          principalTypes: ['OAuthUser'],
          resourceTypes: ['Gateway'],
          context: {
            type: 'Record',
            attributes: { input: { type: 'Record', attributes: { amount: { type: 'Long', required: true } } } },
          },
        },
      },
    });
    expect(Object.keys(s.AgentCore.actions)).not.toContain('x_amz_bedrock_agentcore_search');
  });

  it('tools without a schema are typed from the inputs that call them', () => {
    expect(
      inferTargets([
        { tool: 'T___a', input: { n: 1, s: 'x' } },
        { tool: 'T___a', input: { n: 2.5 } },
      ]),
    ).toEqual([
      {
        name: 'T',
        tools: [
          {
            name: 'a',
            inputSchema: {
              type: 'object',
              properties: { n: { type: 'integer' }, s: { type: 'string' } },
              required: ['n'],
            },
          },
        ],
      },
    ]);
  });
});

describe('validation', () => {
  const scoped = (body: string) =>
    'permit(principal, action == AgentCore::Action::"RefundTool___process_refund", ' +
    `resource == AgentCore::Gateway::"${GW}") ${body};`;

  it('a valid conditional policy has no findings', () => {
    expect(check(scoped('when { principal.hasTag("role") && context.input.amount < 10 }'))).toEqual([]);
  });

  it('schema errors carry file:line and the policy: unknown tool, getTag without hasTag, wrong input type', () => {
    const text = [
      '// refunds',
      scoped('when { principal.getTag("role") == "a" }'),
      scoped('when { true }').replace('process_refund', 'nope'),
      scoped('when { context.input.amount == "x" }'),
    ].join('\n');
    const d = check(text, 'IGNORE_ALL_FINDINGS');
    const errors = d.filter((x) => x.severity === 'error');
    expect(errors.map((x) => [x.line, x.policyId, x.source])).toEqual([
      [2, 'p.cedar#1', 'schema'],
      [3, 'p.cedar#2', 'schema'],
      [4, 'p.cedar#3', 'schema'],
    ]);
    expect(errors[0]!.message).toMatch(/tag `"role"`/);
    expect(errors[1]!.message).toMatch(/unrecognized action/);
    expect(errors[1]!.help).toBe('known tools: RefundTool___process_refund');
  });

  it("AgentCore's scope rules: no unconstrained resource; specific actions need a specific gateway", () => {
    const d = check(
      'permit(principal, action, resource) when { true };\n' +
        'permit(principal, action == AgentCore::Action::"RefundTool___process_refund", ' +
        'resource is AgentCore::Gateway) when { true };',
      'IGNORE_ALL_FINDINGS',
    );
    expect(d.filter((x) => x.source === 'agentcore').map((x) => [x.line, x.message])).toEqual([
      [1, 'the resource is unconstrained: AgentCore rejects such a policy'],
      [2, 'a policy naming specific actions must name a specific gateway'],
    ]);
  });

  it('FAIL_ON_ANY_FINDINGS (default): condition-free and impossible policies are findings; IGNORE drops them', () => {
    const forbidAll = 'forbid(principal, action, resource is AgentCore::Gateway);';
    const text = `${scoped('')}\n${forbidAll}\n${scoped('when { false }')}`;
    const d = check(text);
    expect(d.filter((x) => x.severity === 'error').map((x) => [x.line, x.message.split(':')[0]])).toEqual([
      [1, 'overly permissive'],
      [2, 'overly restrictive'],
      [3, 'ineffective'],
    ]);
    expect(check(text, 'IGNORE_ALL_FINDINGS').filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('an engine with no gateway knows no tool actions, and says so', () => {
    const d = validatePolicies(undefined, parsePolicyText(scoped('when { true }')).policies, 'IGNORE_ALL_FINDINGS');
    expect(d[0]).toMatchObject({
      severity: 'error',
      help: expect.stringContaining('no gateway with tools is associated'),
    });
  });
});
