/** examples/policy-test.schema.json (for editors and the reference docs) names exactly what `policy test` reads. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CASE_KEYS, TOP_KEYS } from '../../src/core/policy/table.js';

it('the policy-test schema names exactly the keys the table parser knows', () => {
  const schema = JSON.parse(readFileSync('examples/policy-test.schema.json', 'utf8')) as {
    properties: Record<string, unknown>;
    required: string[];
    definitions: { case: { properties: Record<string, unknown>; required: string[] } };
  };
  expect(Object.keys(schema.properties).sort()).toEqual([...TOP_KEYS].sort());
  expect(Object.keys(schema.definitions.case.properties).sort()).toEqual([...CASE_KEYS].sort());
  expect(schema.required).toEqual(['cases']);
  // policies: or gateway: (a deployed gateway's engine), as loadPolicyTest requires
  expect((schema as unknown as { anyOf: unknown }).anyOf).toEqual([
    { required: ['policies'] },
    { required: ['gateway'] },
  ]);
  expect(schema.definitions.case.required).toEqual(['tool', 'expect']);
});

it('the example table points editors at the schema', () => {
  const text = readFileSync('examples/policy/shop.policy-test.yaml', 'utf8');
  expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../policy-test.schema.json');
});

it('explain knows the texts the gateway answers a denied call with (as the evaluator writes them)', async () => {
  const { findHint } = await import('../../src/core/hints.js');
  const { denialText } = await import('../../src/policy-model/model.js');
  const { GATEWAY_MESSAGES } = await import('../../src/wire.js');
  expect(findHint({ message: denialText([]) })?.id).toBe('policy-denied-by-default');
  expect(findHint({ message: denialText(['no-suspended']) })?.id).toBe('policy-denied-by-forbid');
  expect(
    findHint({ message: 'Tool call not allowed [Policy evaluation denied due to no determining policies]' })?.id,
  ).toBe('policy-denied-by-default');
  expect(findHint({ message: GATEWAY_MESSAGES.policyListToolsFailed })?.id).toBe('policy-list-tools-failed');
});
