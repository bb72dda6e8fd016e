/**
 * Reports: JUnit stays well-formed XML whatever a step printed (property test), secrets are masked in every format,
 * and the command line is shown as a user would type it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../src/core/redact.js';
import { renderStep } from '../../src/cli/render/smoke.js';
import { commandLine, junitXml, stepRecord } from '../../src/core/smoke/report.js';
import { binaryString } from '../helpers/arbitraries.js';
import { parseXml } from '../fixtures/xml.js';
import { result, summary } from '../fixtures/smoke-results.js';

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
});
