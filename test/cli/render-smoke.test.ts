/** cli/render/smoke.ts: a smoke step and the run's summary as text (and the summary's NDJSON record beside it). */
import { describe, expect, it } from 'vitest';
import { renderStep, renderSummary } from '../../src/cli/render/smoke.js';
import { summaryRecord } from '../../src/core/smoke/report.js';
import { result, summary } from '../fixtures/smoke-results.js';

describe('smoke text report', () => {
  it('renders a passing step on one line, a failing one with its command, checks, error and hint', () => {
    const pass = renderStep(
      result({
        id: 'bearer',
        name: 'the agent accepts it',
        checks: [
          { label: 'allow', ok: true },
          { label: 'within 2.00 s', ok: true },
        ],
      }),
      { scrub: (t) => t, idWidth: 8 },
    );
    expect(pass).toBe('  ✓ bearer      12 ms  the agent accepts it · allow, within 2.00 s');
    const fail = renderStep(
      result({
        id: 'x',
        name: 'x',
        status: 'fail',
        exitCode: 4,
        httpStatus: 403,
        reason: 'expected allow; got denied: exit 4 ERR_AUTH, HTTP 403',
        checks: [{ label: 'allow', ok: false, actual: 'denied: exit 4 ERR_AUTH, HTTP 403' }],
        error: { code: 'ERR_AUTH', message: 'Authorization method mismatch', hint: 'send a bearer token' },
      }),
      { scrub: (t) => t },
    );
    expect(fail.split('\n')).toEqual([
      '  ✗ x    12 ms  expected allow; got denied: exit 4 ERR_AUTH, HTTP 403',
      '      $ agentcore-auth invoke arn:x',
      '      line 3 · exit 4 · HTTP 403',
      '      ✗ allow — got denied: exit 4 ERR_AUTH, HTTP 403',
      '      error: Authorization method mismatch',
      '      hint: send a bearer token',
    ]);
    // A long fix command is never cut short, in the hint or in the last lines of a step that could not run.
    const fix = `agentcore-auth login --user-pool-id us-east-1_AbC123 --client-id ${'c'.repeat(300)} --save-as ci`;
    const long = renderStep(
      result({ status: 'fail', error: { code: 'ERR_CONFIG', message: 'no cached token named ci', hint: fix } }),
      { scrub: (t) => t },
    );
    expect(long).toContain(`hint: ${fix}`);
    const errored = renderStep(result({ status: 'error', stderr: `error: it failed\nhint: ${fix}\n` }), {
      scrub: (t) => t,
    });
    expect(errored).toContain(`hint: ${fix}`);
    const s = summary([result({}), result({ status: 'fail' }), result({ status: 'skipped' })]);
    expect(renderSummary(s)).toBe('1 passed, 1 failed, 1 skipped of 3 steps in 1.23 s — expectations failed (exit 6)');
    expect(summaryRecord(s)).toEqual({
      type: 'summary',
      scenario: 'weird <&> "scenario"',
      file: 'a&b.yaml',
      total: 3,
      passed: 1,
      failed: 1,
      errored: 0,
      skipped: 1,
      durationMs: 1234,
      exitCode: 6,
    });
  });
});
