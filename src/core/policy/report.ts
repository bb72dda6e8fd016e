/** `policy test`'s table (stdout) and its JUnit XML (one <testsuite> per file, one <testcase> per case). */
import { xmlEscape } from '../smoke/report.js';
import type { PolicyTestRun } from './table.js';

export type Paint = (kind: 'pass' | 'fail' | 'dim', text: string) => string;
const plain: Paint = (_, t) => t;

export function renderTable(run: PolicyTestRun, paint: Paint = plain): string[] {
  const width = Math.min(48, Math.max(4, ...run.results.map((r) => r.name.length)));
  const lines = run.results.map((r) => {
    const mark = r.pass ? paint('pass', 'PASS') : paint('fail', 'FAIL');
    const name = r.name.length > width ? `${r.name.slice(0, width - 1)}…` : r.name.padEnd(width);
    const by = r.determining.length ? ` (${r.determining.join(', ')})` : r.got === 'deny' ? ' (default deny)' : '';
    const detail = r.pass ? `${r.got}${paint('dim', by)}` : `${r.reason}${by}`;
    return `${mark}  ${name}  ${detail}`;
  });
  lines.push(
    '',
    `${run.results.length} case${run.results.length === 1 ? '' : 's'}: ${run.passed} passed, ` +
      `${run.failed ? paint('fail', `${run.failed} failed`) : '0 failed'}`,
  );
  return lines;
}

export function policyTestRecord(run: PolicyTestRun) {
  return {
    file: run.file,
    name: run.name,
    passed: run.passed,
    failed: run.failed,
    notes: run.notes,
    cases: run.results.map(({ micros: _, ...r }) => r),
  };
}

export function policyJunitXml(run: PolicyTestRun, timestamp: Date): string {
  const attr = (name: string, v: string | number) => ` ${name}="${xmlEscape(String(v))}"`;
  const secs = (us: number) => (us / 1e6).toFixed(6);
  const total = run.results.reduce((n, r) => n + r.micros, 0);
  const classname = `policy.${run.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
  const cases = run.results.map((r) => {
    const a = attr('name', r.name) + attr('classname', classname) + attr('file', run.file) + attr('line', r.line);
    const head = `    <testcase${a}${attr('time', secs(r.micros))}`;
    if (r.pass) return `${head}/>`;
    const detail = [
      `tool ${r.tool}: expected ${r.expect}, got ${r.got}`,
      `determining: ${r.determining.join(', ') || '(none: default deny)'}`,
      ...r.errors.map((e) => `error: ${e}`),
    ].join('\n');
    const failure = `<failure${attr('message', r.reason ?? 'mismatch')}${attr('type', 'PolicyDecisionMismatch')}>`;
    return `${head}>\n      ${failure}${xmlEscape(detail)}</failure>\n    </testcase>`;
  });
  const suite =
    attr('name', run.name) +
    attr('tests', run.results.length) +
    attr('failures', run.failed) +
    attr('errors', 0) +
    attr('time', secs(total)) +
    attr('timestamp', timestamp.toISOString().replace(/\.\d+Z$/, '')) +
    attr('file', run.file);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr('name', 'agentcore-auth policy test')}${attr('tests', run.results.length)}` +
      `${attr('failures', run.failed)}>`,
    `  <testsuite${suite}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
