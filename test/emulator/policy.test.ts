/** AgentCore Policy's control plane on the local stack, through the real @aws-sdk/client-bedrock-agentcore-control. */
import {
  CreatePolicyCommand,
  CreatePolicyEngineCommand,
  DeletePolicyCommand,
  DeletePolicyEngineCommand,
  GetPolicyCommand,
  GetPolicyEngineCommand,
  GetPolicyEngineSummaryCommand,
  GetPolicyGenerationCommand,
  GetPolicySummaryCommand,
  ListPoliciesCommand,
  ListPolicyEngineSummariesCommand,
  ListPolicyEnginesCommand,
  ListPolicyGenerationsCommand,
  ListPolicySummariesCommand,
  StartPolicyGenerationCommand,
  UpdatePolicyCommand,
  UpdatePolicyEngineCommand,
  paginateListPolicies,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/emulator/config.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import type { GatewayModel } from '../../src/policy-model/index.js';
import { clientsFor, failure } from './helpers.js';

const GW = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/shop-abcdefghij';
/** The gateway the engine is associated with, as the gateway half describes it to the policy store. */
const shop: GatewayModel = {
  arn: GW,
  targets: [
    {
      name: 'RefundTool',
      tools: [
        {
          name: 'process_refund',
          inputSchema: { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] },
        },
      ],
    },
  ],
};
const refund = (body: string) =>
  'permit(principal, action == AgentCore::Action::"RefundTool___process_refund", ' +
  `resource == AgentCore::Gateway::"${GW}") ${body};`;
const SMALL = refund('when { principal.hasTag("role") && context.input.amount < 500 }');
const ANY_TOOL =
  'permit(principal, action in AgentCore::Action::"CallTool", resource is AgentCore::Gateway) ' +
  'when { principal.hasTag("admin") };';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
const log: string[] = [];
beforeAll(async () => {
  stack = await startLocalStack({
    log: (l) => log.push(l),
    config: {
      policyEngines: [
        {
          name: 'seeded',
          policies: [
            { name: 'seeded_ok', statement: ANY_TOOL, validationMode: 'IGNORE_ALL_FINDINGS' },
            { name: 'seeded_bad', statement: refund('when { context.input.nope == 1 }') },
          ],
        },
      ],
    },
  });
  stack.policies.gatewaysFor = (arn) => (arn.includes(':policy-engine/shop') ? [shop] : []);
  c = clientsFor(stack);
});
afterAll(() => stack.close());

async function newEngine(name: string) {
  const e = await c.control.send(new CreatePolicyEngineCommand({ name, description: 'for tests' }));
  return e.policyEngineId!;
}

describe('policy engines', () => {
  it('create (202 CREATING) → get (ACTIVE) → update → list and summaries → delete (202 DELETING)', async () => {
    const created = await c.control.send(new CreatePolicyEngineCommand({ name: 'engine_one', description: 'one' }));
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created).toMatchObject({ name: 'engine_one', status: 'CREATING', statusReasons: [], description: 'one' });
    const id = created.policyEngineId!;
    expect(id).toMatch(/^engine_one-[a-z0-9]{10}$/);
    expect(created.policyEngineArn).toBe(`arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/${id}`);
    expect(created.createdAt).toBeInstanceOf(Date);
    const got = await c.control.send(new GetPolicyEngineCommand({ policyEngineId: id }));
    expect(got.status).toBe('ACTIVE');
    const updated = await c.control.send(new UpdatePolicyEngineCommand({ policyEngineId: id, description: {} }));
    expect(updated.$metadata.httpStatusCode).toBe(202);
    expect(updated.description).toBeUndefined();
    const list = await c.control.send(new ListPolicyEnginesCommand({}));
    expect(list.policyEngines!.map((e) => e.name)).toContain('engine_one');
    const summaries = await c.control.send(new ListPolicyEngineSummariesCommand({ maxResults: 1 }));
    expect(summaries.policyEngines).toHaveLength(1);
    expect(summaries.nextToken).toBeTruthy();
    const summary = await c.control.send(new GetPolicyEngineSummaryCommand({ policyEngineId: id }));
    expect(summary).not.toHaveProperty('statusReasons');
    const deleted = await c.control.send(new DeletePolicyEngineCommand({ policyEngineId: id }));
    expect(deleted).toMatchObject({ $metadata: { httpStatusCode: 202 }, status: 'DELETING' });
    const gone = await failure(c.control.send(new GetPolicyEngineCommand({ policyEngineId: id })));
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('names: no hyphen (the model pattern), unique in the account', async () => {
    const bad = await failure(c.control.send(new CreatePolicyEngineCommand({ name: 'my-engine' })));
    expect(bad).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(bad.message).toMatch(/Value at 'name' failed to satisfy constraint: Member must satisfy regular expression/);
    await newEngine('twice');
    expect(await failure(c.control.send(new CreatePolicyEngineCommand({ name: 'twice' })))).toMatchObject({
      name: 'ConflictException',
      status: 409,
    });
  });

  it('an engine that still has policies cannot be deleted', async () => {
    const id = await newEngine('shop_busy');
    await c.control.send(
      new CreatePolicyCommand({ policyEngineId: id, name: 'busy_one', definition: { cedar: { statement: SMALL } } }),
    );
    const e = await failure(c.control.send(new DeletePolicyEngineCommand({ policyEngineId: id })));
    expect(e).toMatchObject({ name: 'ConflictException', status: 409 });
  });
});

describe('policies', () => {
  let engineId: string;
  beforeAll(async () => {
    engineId = await newEngine('shop_main');
  });

  it('a valid statement: 202 CREATING, then ACTIVE; the gateway evaluates it', async () => {
    const created = await c.control.send(
      new CreatePolicyCommand({
        policyEngineId: engineId,
        name: 'refund_small',
        definition: { cedar: { statement: SMALL } },
      }),
    );
    expect(created).toMatchObject({
      $metadata: { httpStatusCode: 202 },
      status: 'CREATING',
      enforcementMode: 'ACTIVE',
    });
    expect(created.policyArn).toBe(`${stack.policies.engineArn(engineId)}/policy/${created.policyId}`);
    const got = await c.control.send(new GetPolicyCommand({ policyEngineId: engineId, policyId: created.policyId }));
    expect(got).toMatchObject({ status: 'ACTIVE', statusReasons: [], definition: { cedar: { statement: SMALL } } });
    const set = stack.policies.compiled(engineId, shop)!;
    const call = {
      caller: { kind: 'jwt' as const, claims: { sub: 'u', role: 'x' } },
      tool: 'RefundTool___process_refund',
    };
    expect(set.authorize({ ...call, input: { amount: 10 } })).toMatchObject({
      decision: 'allow',
      determining: [{ id: created.policyId, name: 'refund_small' }],
    });
    expect(set.authorize({ ...call, input: { amount: 900 } }).decision).toBe('deny');
    expect(stack.policies.compiled(engineId, shop)).toBe(set);
  });

  it('statements that do not parse or validate settle in CREATE_FAILED with statusReasons', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['bad_syntax', `${refund('when { context.input.amount < }')}`, /^line 1, column \d+: .*unexpected token/],
      [
        'bad_tool',
        refund('when { true }').replace('process_refund', 'nope'),
        /unrecognized action.*known tools: RefundTool___process_refund/,
      ],
      ['bad_type', refund('when { context.input.amount == "x" }'), /type/i],
      ['allow_all', refund(''), /overly permissive/],
    ];
    for (const [name, statement, reason] of cases) {
      const created = await c.control.send(
        new CreatePolicyCommand({ policyEngineId: engineId, name, definition: { cedar: { statement } } }),
      );
      const got = await c.control.send(new GetPolicyCommand({ policyEngineId: engineId, policyId: created.policyId }));
      expect(got.status, name).toBe('CREATE_FAILED');
      expect(got.statusReasons!.join('\n'), name).toMatch(reason);
    }
    const ignored = await c.control.send(
      new CreatePolicyCommand({
        policyEngineId: engineId,
        name: 'allow_all_ignored',
        validationMode: 'IGNORE_ALL_FINDINGS',
        enforcementMode: 'LOG_ONLY',
        definition: { cedar: { statement: refund('') } },
      }),
    );
    const got = await c.control.send(
      new GetPolicySummaryCommand({ policyEngineId: engineId, policyId: ignored.policyId }),
    );
    expect(got).toMatchObject({ status: 'ACTIVE', enforcementMode: 'LOG_ONLY' });
    expect(got).not.toHaveProperty('definition');
  });

  it('an update that fails keeps the previous statement in effect; a good one replaces it', async () => {
    const { policyId } = await c.control.send(
      new CreatePolicyCommand({
        policyEngineId: engineId,
        name: 'to_update',
        definition: { cedar: { statement: SMALL } },
      }),
    );
    const bad = await c.control.send(
      new UpdatePolicyCommand({
        policyEngineId: engineId,
        policyId,
        definition: { cedar: { statement: refund('when { context.input.missing == 1 }') } },
      }),
    );
    expect(bad).toMatchObject({ $metadata: { httpStatusCode: 202 }, status: 'UPDATING' });
    const failed = await c.control.send(new GetPolicyCommand({ policyEngineId: engineId, policyId }));
    expect(failed.status).toBe('UPDATE_FAILED');
    expect(stack.policies.sources(engineId).find((p) => p.id === policyId)?.statement).toBe(SMALL);
    const big = refund('when { principal.hasTag("role") && context.input.amount < 5000 }');
    await c.control.send(
      new UpdatePolicyCommand({ policyEngineId: engineId, policyId, definition: { cedar: { statement: big } } }),
    );
    expect((await c.control.send(new GetPolicyCommand({ policyEngineId: engineId, policyId }))).status).toBe('ACTIVE');
    expect(stack.policies.sources(engineId).find((p) => p.id === policyId)?.statement).toBe(big);
    await c.control.send(new DeletePolicyCommand({ policyEngineId: engineId, policyId }));
    expect(stack.policies.sources(engineId).some((p) => p.id === policyId)).toBe(false);
  });

  it('lists page by maxResults (the SDK paginator follows nextToken) and filter by targetResourceScope', async () => {
    const id = await newEngine('shop_lists');
    for (const n of ['l_one', 'l_two', 'l_three'])
      await c.control.send(
        new CreatePolicyCommand({ policyEngineId: id, name: n, definition: { cedar: { statement: SMALL } } }),
      );
    const names: string[] = [];
    for await (const page of paginateListPolicies({ client: c.control, pageSize: 2 }, { policyEngineId: id }))
      names.push(...(page.policies ?? []).map((p) => p.name!));
    expect(names).toEqual(['l_one', 'l_two', 'l_three']);
    const scoped = await c.control.send(new ListPoliciesCommand({ policyEngineId: id, targetResourceScope: `${GW}x` }));
    expect(scoped.policies).toEqual([]);
    const summaries = await c.control.send(
      new ListPolicySummariesCommand({ policyEngineId: id, targetResourceScope: GW }),
    );
    expect(summaries.policies).toHaveLength(3);
  });

  it('temporal policies and policy generation are refused as not supported by the local stack', async () => {
    const temporal = await failure(
      c.control.send(
        new CreatePolicyCommand({
          policyEngineId: engineId,
          name: 'temporal',
          definition: { policy: { statement: 'after approve then allow payout' } },
        }),
      ),
    );
    expect(temporal).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(temporal.message).toMatch(/not supported by the local stack/);
    const gen = await failure(
      c.control.send(
        new StartPolicyGenerationCommand({
          policyEngineId: engineId,
          name: 'gen',
          resource: { arn: GW },
          content: { rawText: 'allow refunds under 500' },
        }),
      ),
    );
    expect(gen.message).toMatch(/StartPolicyGeneration is not supported by the local stack/);
    expect(
      (await c.control.send(new ListPolicyGenerationsCommand({ policyEngineId: engineId }))).policyGenerations,
    ).toEqual([]);
    const none = await failure(
      c.control.send(
        new GetPolicyGenerationCommand({ policyEngineId: engineId, policyGenerationId: 'gen-0123456789' }),
      ),
    );
    expect(none.name).toBe('ResourceNotFoundException');
  });

  it('a statement shorter than the model allows is a ValidationException', async () => {
    const e = await failure(
      c.control.send(
        new CreatePolicyCommand({
          policyEngineId: engineId,
          name: 'short',
          definition: { cedar: { statement: 'permit(principal,action,resource);' } },
        }),
      ),
    );
    expect(e.message).toMatch(
      /definition\.cedar\.statement' failed to satisfy constraint: Member must have length greater than or equal to 35/,
    );
  });
});

describe('policyEngines in the config', () => {
  it('are created at start with ids derived from their names; a policy that fails validation is logged', async () => {
    const engines = await c.control.send(new ListPolicyEnginesCommand({ maxResults: 100 }));
    const seeded = engines.policyEngines!.find((e) => e.name === 'seeded')!;
    expect(seeded.policyEngineId).toMatch(/^seeded-[a-z0-9]{10}$/);
    const policies = await c.control.send(new ListPoliciesCommand({ policyEngineId: seeded.policyEngineId }));
    expect(policies.policies!.map((p) => [p.name, p.status])).toEqual([
      ['seeded_ok', 'ACTIVE'],
      ['seeded_bad', 'CREATE_FAILED'],
    ]);
    expect(log.join('\n')).toMatch(/policy seeded_bad \(engine seeded\): CREATE_FAILED/);
  });

  it('bad entries are config errors naming the field', () => {
    const err = (raw: unknown) => {
      try {
        parseConfig(raw);
      } catch (e) {
        if (e instanceof ConfigError) return e.message;
      }
      return 'no error';
    };
    expect(err({ policyEngines: [{ name: 'a-b' }] })).toMatch(/^policyEngines\[0\]\.name: must match a letter/);
    expect(err({ policyEngines: [{ name: 'a', policies: [{ name: 'p', statement: 'permit(' }] }] })).toMatch(
      /^policyEngines\[0\]\.policies\[0\]\.statement: line 1: /,
    );
    expect(
      err({ policyEngines: [{ name: 'a', policies: [{ name: 'p', statement: SMALL, enforcementMode: 'ON' }] }] }),
    ).toBe('policyEngines[0].policies[0].enforcementMode: must be one of ACTIVE, LOG_ONLY');
  });
});
