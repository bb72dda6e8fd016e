/**
 * Reports: JUnit stays well-formed XML whatever a step printed (property test), secrets are masked in every format,
 * and the command line is shown as a user would type it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../src/core/redact.js';
import { renderStep, renderSummary } from '../../src/cli/render/smoke.js';
import { commandLine, junitXml, stepRecord, summaryRecord } from '../../src/core/smoke/report.js';
import type { RunSummary, StepResult } from '../../src/core/smoke/results.js';
import { binaryString } from '../helpers/arbitraries.js';
import { parseXml } from './smoke-xml.js';

function result(over: Partial<StepResult>): StepResult {
  return {
    id: 's',
    name: 's',
    kind: 'invoke',
    line: 3,
    status: 'pass',
    argv: ['--json', 'invoke', 'arn:x'],
    secretArgs: [],
    startMs: 0,
    durationMs: 12,
    stdout: '',
    stderr: '',
    checks: [{ label: 'allow', ok: true }],
    exitCode: 0,
    ...over,
  };
}

function summary(results: StepResult[]): RunSummary {
  const count = (s: StepResult['status']) => results.filter((r) => r.status === s).length;
  return {
    scenario: 'weird <&> "scenario"',
    file: 'a&b.yaml',
    passed: count('pass'),
    failed: count('fail'),
    errored: count('error'),
    skipped: count('skipped'),
    total: results.length,
    durationMs: 1234,
    exitCode: count('fail') ? 6 : 0,
    results,
  };
}

describe('smoke reports', () => {
  it('JUnit is well-formed and keeps the text for any step output (control characters and ANSI removed)', () => {
    fc.assert(
      fc.property(binaryString({ maxLength: 200 }), fc.string({ maxLength: 60 }), (stderr, reason) => {
        const xml = junitXml(
          summary([
            result({
              id: 'a',
              status: 'fail',
              reason,
              stderr: `${stderr}x`,
              checks: [{ label: 'deny', ok: false, actual: stderr }],
            }),
            result({ id: 'b', status: 'skipped', reason: `needs ${reason}` }),
          ]),
          { scrub: (t) => t, timestamp: new Date(0) },
        );
        const root = parseXml(xml);
        const suite = root.children[0]!;
        const [a, b] = suite.children;
        expect(suite.attrs.name).toBe('weird <&> "scenario"');
        expect(a!.children.map((c) => c.name)).toEqual(['failure', 'system-err']);
        // eslint-disable-next-line no-control-regex
        const clean = (t: string) =>
          t.replace(/\u001b\[[0-9;]*m/g, '').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
        expect(a!.children[1]!.text).toBe(clean(`${stderr}x`.trimEnd()));
        expect(a!.children[0]!.attrs.message).toBe(clean(reason) || 'expectation failed');
        expect(b!.children[0]!.name).toBe('skipped');
      }),
      { numRuns: 200 },
    );
  });

  it('masks secrets everywhere: flag values by position, registered values, in human, NDJSON and JUnit', () => {
    const secrets = new SecretRegistry();
    const token = `eyJhbGciOiJSUzI1NiJ9.${'a'.repeat(40)}.${'b'.repeat(40)}`;
    secrets.add(token, 'hunter2-password');
    const scrub = (t: string) => secrets.scrub(t);
    const r = result({
      status: 'fail',
      argv: [
        '--json',
        'login',
        '--username',
        'alice',
        '--password',
        'hunter2-password',
        '--client-secret',
        'literal-secret-in-file',
      ],
      secretArgs: [5, 7],
      reason: `expected allow; got ${token}`,
      stderr: `POST … password=hunter2-password token ${token}`,
      checks: [{ label: 'allow', ok: false, actual: `denied with ${token}` }],
    });
    const outputs = [
      renderStep(r, { scrub }),
      JSON.stringify(stepRecord(r, scrub)),
      junitXml(summary([r]), { scrub, timestamp: new Date(0) }).replace(/&apos;/g, "'"),
    ];
    for (const o of outputs) {
      expect(o).not.toContain(token);
      expect(o).not.toContain('hunter2-password');
      expect(o).not.toContain('literal-secret-in-file');
      expect(o).toContain('--username alice');
      expect(o).toContain("--client-secret '[22 chars]'");
    }
    expect(commandLine(r.argv, (t) => secrets.scrub(t, true), true, r.secretArgs)).toBe(
      'agentcore-auth login --username alice --password hunter2-password --client-secret literal-secret-in-file',
    );
  });

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
