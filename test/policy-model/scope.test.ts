/** policyHead (our scanner of a policy's head) agrees with Cedar's own policyToJson on what it reads. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { policyHead } from '../../src/policy-model/index.js';

const cedar = createRequire(import.meta.url)(
  '@cedar-policy/cedar-wasm/nodejs',
) as typeof import('@cedar-policy/cedar-wasm/nodejs');
const GW = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/g-abcdefghij';

const POLICIES = [
  'permit(principal, action, resource);',
  '@id("a") @note("x ) , y") permit(principal is AgentCore::OAuthUser, ' +
    `action == AgentCore::Action::"T___x", resource == AgentCore::Gateway::"${GW}") when { true };`,
  [
    'forbid (',
    '  principal == AgentCore::OAuthUser::"a\\"b),",',
    '  // a comment, with ) and ,',
    '  action in [AgentCore::Action::"T___x", AgentCore :: Action :: "T___y"],',
    '  resource is AgentCore::Gateway',
    ') unless { context.input.n > 1 };',
  ].join('\n'),
  'permit(principal, action in AgentCore::Action::"CallTool", ' +
    `resource is AgentCore::Gateway in AgentCore::Gateway::"${GW}");`,
  `permit(principal, action, resource in AgentCore::Gateway::"${GW}") when { principal.getTag("x") == "(,)" };`,
  'permit(principal, action == AgentCore::Action::"caf\\u{e9}", resource);',
];

type Uid = { type?: string; id?: string; __entity?: { type: string; id: string } };
const uid = (e: Uid) => e.__entity ?? (e as { type: string; id: string });

describe('policyHead', () => {
  it.each(POLICIES.map((p, i) => [i, p]))('policy %i reads as policyToJson does', (_, text) => {
    const j = cedar.policyToJson(text as string);
    if (j.type !== 'success') throw new Error(JSON.stringify(j.errors));
    const head = policyHead(text as string)!;
    expect(head.effect).toBe(j.json.effect);
    expect(head.conditions).toBe(j.json.conditions.length > 0);
    const a = j.json.action;
    const actions =
      a.op === 'All'
        ? undefined
        : 'entities' in a
          ? a.entities.map((e) => uid(e).id)
          : [uid((a as { entity: Uid }).entity).id];
    expect(head.actions).toEqual(actions);
    const r = j.json.resource;
    if (r.op === 'All') expect(head.resource).toEqual({ op: 'All' });
    else if (r.op === 'is') expect(head.resource).toEqual({ op: 'is', type: r.entity_type });
    else expect(head.resource).toEqual({ op: r.op, ...uid((r as { entity: Uid }).entity) });
  });

  it('is undefined for text that is not a policy', () => {
    expect(policyHead('')).toBeUndefined();
    expect(policyHead('allow(principal, action, resource);')).toBeUndefined();
  });
});
