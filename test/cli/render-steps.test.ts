/**
 * The step events as stderr narrative (src/cli/render/steps.ts): the counter, inputs, outputs and notes, a failure,
 * skipped steps (a run of skips with one reason says it once), and --quiet.
 */
import { describe, expect, it } from 'vitest';
import { stepRenderer } from '../../src/cli/render/steps.js';
import { Ui } from '../../src/cli/render/ui.js';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { runPlan, type Plan } from '../../src/core/plan.js';
import { SecretRegistry } from '../../src/core/redact.js';

function render(quiet = false) {
  const chunks: string[] = [];
  const ui = new Ui(
    { write: (t: string) => chunks.push(t) },
    { color: false, quiet, debug: false, showSecrets: false, secrets: new SecretRegistry() },
  );
  return { emit: stepRenderer(ui), text: () => chunks.join('') };
}

const PLAN: Plan<Record<string, never>> = [
  {
    operation: 'GetWorkloadAccessTokenForUserId',
    inputs: () => ({ workload: 'w', userId: '"alice"', empty: undefined }),
    run: async (_s, step) => {
      step.call('Retry', { attempt: '2' });
      step.note('opening the browser');
      step.note('open this URL: http://x', 'action');
      return { outputs: { 'workload token': 'sha256:12345678' }, note: 'fresh' };
    },
  },
  {
    operation: 'GetResourceOauth2Token',
    inputs: () => ({ flow: 'M2M' }),
    run: async () => {
      throw new AgentcoreAuthError('ERR_REMOTE', 'boom');
    },
  },
  { operation: 'CompleteResourceTokenAuth', run: async () => undefined },
  { operation: 'UpdateWorkloadIdentity', run: async () => undefined },
];

describe('stepRenderer', () => {
  it('numbers steps against the planned total, shows inputs, outputs, calls, notes and skips', async () => {
    let t = 0;
    const r = render();
    await runPlan(PLAN, {}, { now: () => (t += 21), emit: r.emit });
    expect(r.text()).toBe(
      [
        '[1/4] GetWorkloadAccessTokenForUserId  workload=w userId="alice"',
        '      ↳ Retry attempt 2',
        '      opening the browser',
        '      open this URL: http://x',
        '      ✓ 21 ms · workload token sha256:12345678 (fresh)',
        '[2/4] GetResourceOauth2Token  flow=M2M',
        '      ✗ 21 ms · failed (ERR_REMOTE)',
        '[3/4] CompleteResourceTokenAuth — skipped: not run: step 2 (GetResourceOauth2Token) failed',
        '[4/4] UpdateWorkloadIdentity — skipped',
        '',
      ].join('\n'),
    );
  });

  it('--quiet keeps only what the user must see: the action and the failure', async () => {
    const r = render(true);
    await runPlan(PLAN, {}, { now: () => 0, emit: r.emit });
    expect(r.text()).toBe(['      open this URL: http://x', '      ✗ 0 ms · failed (ERR_REMOTE)', ''].join('\n'));
  });
});
