/**
 * The one step runner (core/plan.ts): a plan's count is known before the first step, skipped steps are counted and
 * reported, a failure stops the plan (clean-up steps still run), steps wait for what they need, --fail-fast, Ctrl-C,
 * and the events in the order they happen.
 */
import { describe, expect, it } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { runPlan, skipPlan, type Plan, type PlanEvent } from '../../src/core/plan.js';

/** A clock that advances only when told. */
function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const line = (e: PlanEvent) =>
  e.type === 'call'
    ? `call ${e.step.n}/${e.total} ${e.operation} ${JSON.stringify(e.detail)}`
    : e.type === 'note'
      ? `note ${e.level} ${e.text}`
      : `${e.type} ${e.step.n}/${e.total} ${e.step.operation}${e.step.note ? ` (${e.step.note})` : ''}`;

interface State {
  found?: boolean;
  log: string[];
}

describe('runPlan', () => {
  it('runs in order with a constant total; a step may skip itself; outputs, calls and notes are reported', async () => {
    const c = clock();
    const events: string[] = [];
    const plan: Plan<State> = [
      {
        operation: 'Find',
        inputs: () => ({ name: 'x', empty: '' }),
        run: async (s, step) => {
          c.advance(12);
          step.call('Describe', { pool: 'p1', found: 'ours' });
          step.note('looked at one pool');
          s.found = true;
          return { outputs: { pools: '1', none: undefined }, note: 'made by setup' };
        },
      },
      { operation: 'Create', skip: (s) => (s.found ? 'exists' : undefined), run: async () => undefined },
      { operation: 'Use', run: async (s) => void s.log.push('used') },
    ];
    const state: State = { log: [] };
    const run = await runPlan(plan, state, { now: c.now, emit: (e) => events.push(line(e)) });
    expect(events).toEqual([
      'started 1/3 Find',
      'call 1/3 Describe {"pool":"p1","found":"ours"}',
      'note info looked at one pool',
      'result 1/3 Find (made by setup)',
      'skipped 2/3 Create (exists)',
      'started 3/3 Use',
      'result 3/3 Use',
    ]);
    expect(run.failure).toBeUndefined();
    expect(run.records.map((r) => [r.n, r.operation, r.status])).toEqual([
      [1, 'Find', 'ok'],
      [2, 'Create', 'skipped'],
      [3, 'Use', 'ok'],
    ]);
    expect(run.records[0]).toMatchObject({
      inputs: { name: 'x' },
      outputs: { pools: '1' },
      durationMs: 12,
      calls: [{ operation: 'Describe', detail: { pool: 'p1', found: 'ours' } }],
    });
    expect(state.log).toEqual(['used']);
  });

  it('a failure stops the plan: later steps are reported skipped, clean-up steps still run', async () => {
    const events: string[] = [];
    const plan: Plan<State> = [
      {
        operation: 'Fails',
        run: async () => {
          throw new AgentcoreAuthError('ERR_REMOTE', 'boom');
        },
      },
      { operation: 'Next', run: async (s) => void s.log.push('next') },
      { operation: 'Also', run: async (s) => void s.log.push('also') },
      { operation: 'Cleanup', always: true, run: async (s) => void s.log.push('cleanup') },
    ];
    const state: State = { log: [] };
    const run = await runPlan(plan, state, { now: clock().now, emit: (e) => events.push(line(e)) });
    expect(events).toEqual([
      'started 1/4 Fails',
      'failed 1/4 Fails',
      'skipped 2/4 Next (not run: step 1 (Fails) failed)',
      'skipped 3/4 Also (not run: step 1 (Fails) failed)',
      'started 4/4 Cleanup',
      'result 4/4 Cleanup',
    ]);
    expect(state.log).toEqual(['cleanup']);
    expect(run.failure?.step.operation).toBe('Fails');
    expect(run.records[0]!.error).toEqual({ code: 'ERR_REMOTE', message: 'boom' });
    expect((run.failure!.error as AgentcoreAuthError).message).toBe('boom');
  });

  it('needs, concurrency and --fail-fast: numbering stays the plan order', async () => {
    const order: string[] = [];
    const gate: Record<string, () => void> = {};
    const wait = (id: string) =>
      new Promise<void>((r) => {
        gate[id] = r;
      });
    const ran = (id: string) => async () => {
      order.push(id);
      return undefined;
    };
    const plan: Plan<State> = [
      {
        id: 'a',
        operation: 'A',
        run: async () => {
          await wait('a');
          order.push('a');
          return { passed: false };
        },
      },
      { id: 'b', operation: 'B', run: ran('b') },
      { id: 'c', operation: 'C', needs: ['a'], run: ran('c') },
      { id: 'd', operation: 'D', run: ran('d') },
    ];
    const events: string[] = [];
    const running = runPlan(plan, { log: [] }, { now: clock().now, concurrency: 2, emit: (e) => events.push(line(e)) });
    await new Promise((r) => setImmediate(r));
    gate.a!();
    const run = await running;
    // b ran beside a; c waits for a, so d took b's place; a did not pass, so c never ran.
    expect(order).toEqual(['b', 'd', 'a']);
    expect(run.records.map((r) => `${r.id}:${r.status}${r.passed === false ? ':not-passed' : ''}`)).toEqual([
      'a:ok:not-passed',
      'b:ok',
      'c:skipped',
      'd:ok',
    ]);
    expect(run.records[2]!.note).toBe('not run: it needs "a", which did not pass');

    const ff = await runPlan(
      [
        { id: 'x', operation: 'X', run: async () => ({ passed: false }) },
        { id: 'y', operation: 'Y', run: async () => undefined },
      ],
      { log: [] },
      { now: clock().now, failFast: true },
    );
    expect(ff.records[1]).toMatchObject({
      status: 'skipped',
      note: 'not run: --fail-fast stopped the run after "x" failed',
    });
  });

  it('Ctrl-C: steps not started are skipped as interrupted', async () => {
    const ac = new AbortController();
    const plan: Plan<State> = [
      { operation: 'First', run: async () => void ac.abort() },
      { operation: 'Second', run: async (s) => void s.log.push('second') },
    ];
    const state: State = { log: [] };
    const run = await runPlan(plan, state, { now: clock().now, signal: ac.signal });
    expect(run.interrupted).toBe(true);
    expect(run.records[1]).toMatchObject({ status: 'skipped', note: 'not run: interrupted' });
    expect(state.log).toEqual([]);
  });

  it('numbering places a plan in a longer count; skipPlan reports every step skipped', async () => {
    const events: string[] = [];
    const plan: Plan<State> = [
      { operation: 'Delete A', run: async () => undefined },
      { operation: 'Delete B', run: async () => undefined },
    ];
    const o = { now: clock().now, numbering: { first: 6, total: 7 }, emit: (e: PlanEvent) => events.push(line(e)) };
    skipPlan(plan, 'dry run', o);
    await runPlan(plan, { log: [] }, o);
    expect(events).toEqual([
      'skipped 6/7 Delete A (dry run)',
      'skipped 7/7 Delete B (dry run)',
      'started 6/7 Delete A',
      'result 6/7 Delete A',
      'started 7/7 Delete B',
      'result 7/7 Delete B',
    ]);
  });

  it('refuses duplicate step ids (a programming error)', async () => {
    await expect(
      runPlan(
        [
          { id: 'x', operation: 'A', run: async () => undefined },
          { id: 'x', operation: 'B', run: async () => undefined },
        ],
        {},
        { now: clock().now },
      ),
    ).rejects.toThrow('step ids must be unique');
  });
});
