/**
 * Reports of a smoke run: the per-step human report, NDJSON records (one per step plus a summary) and JUnit XML.
 * Every text passes through `scrub` (the run's secret registry) and secret-looking flag values are masked.
 */
import { maskSecret } from '../redact.js';
import { formatMs, oneLine } from './expect.js';
import type { RunSummary, StepResult } from './results.js';

export type Scrub = (text: string) => string;

export interface Paint {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

export const NO_PAINT: Paint = {
  green: (s) => s,
  red: (s) => s,
  yellow: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
  cyan: (s) => s,
};

/** The command line of a step as a user would type it: secret values (by index, and the run's registry) masked. */
export function commandLine(
  argv: readonly string[],
  scrub: Scrub,
  showSecrets = false,
  secretArgs: readonly number[] = [],
): string {
  const secret = new Set(showSecrets ? [] : secretArgs);
  const shown = argv.flatMap((a, i) => (a === '--json' ? [] : [shellQuote(secret.has(i) ? maskSecret(a) : scrub(a))]));
  return `agentcore-auth ${shown.join(' ')}`;
}

function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./\-…[\]]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const MARK: Record<StepResult['status'], (p: Paint) => string> = {
  pass: (p) => p.green('✓'),
  fail: (p) => p.red('✗'),
  error: (p) => p.red('!'),
  skipped: (p) => p.yellow('-'),
};

/** One step of the human report (several lines for a step that did not pass). */
export function renderStep(
  r: StepResult,
  o: { scrub: Scrub; paint?: Paint; idWidth?: number; showSecrets?: boolean; verbose?: boolean },
): string {
  const p = o.paint ?? NO_PAINT;
  const w = o.idWidth ?? r.id.length;
  const time = r.status === 'skipped' ? ''.padStart(8) : formatMs(r.durationMs).padStart(8);
  const title = r.name !== r.id ? `${r.name}` : '';
  const summary =
    r.status === 'pass'
      ? r.checks.map((c) => c.label).join(', ')
      : r.status === 'skipped'
        ? (r.reason ?? 'skipped')
        : (r.reason ?? '');
  const head = `  ${MARK[r.status](p)} ${r.id.padEnd(w)} ${p.dim(time)}  ${[title, r.status === 'pass' ? p.dim(summary) : summary].filter(Boolean).join(p.dim(' · '))}`;
  const lines = [head];
  if (r.status === 'fail' || r.status === 'error') {
    const pad = ' '.repeat(6);
    if (r.argv.length) lines.push(`${pad}${p.dim('$')} ${commandLine(r.argv, o.scrub, o.showSecrets, r.secretArgs)}`);
    lines.push(
      `${pad}${p.dim(`line ${r.line}${r.exitCode !== undefined ? ` · exit ${r.exitCode}` : ''}${r.httpStatus !== undefined ? ` · HTTP ${r.httpStatus}` : ''}`)}`,
    );
    for (const c of r.checks)
      lines.push(
        `${pad}${c.ok ? p.green('✓') : p.red('✗')} ${c.label}${c.ok ? '' : p.dim(` — got ${c.actual ?? '(nothing)'}`)}`,
      );
    if (r.error) {
      lines.push(`${pad}${p.red('error:')} ${oneLine(r.error.message, 300)}`);
      if (r.error.hint) lines.push(`${pad}${p.yellow('hint:')} ${oneLine(r.error.hint, 300)}`);
    } else if (r.status === 'error' && r.stderr.trim() && !o.verbose) {
      for (const l of lastLines(r.stderr, 5)) lines.push(`${pad}${p.dim(l)}`);
    }
    // --verbose: the command's own stderr (its narrative and HTTP trace), as it would have printed it.
    if (o.verbose && r.stderr.trim()) {
      lines.push(`${pad}${p.dim('stderr of the command:')}`);
      for (const l of r.stderr.trimEnd().split('\n')) lines.push(`${pad}${p.dim('│')} ${l}`);
    }
  }
  return o.scrub(lines.join('\n'));
}

function lastLines(text: string, n: number): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-n)
    .map((l) => oneLine(l, 200));
}

export function renderSummary(s: RunSummary, paint: Paint = NO_PAINT): string {
  const parts = [paint.green(`${s.passed} passed`)];
  if (s.failed) parts.push(paint.red(`${s.failed} failed`));
  if (s.errored) parts.push(paint.red(`${s.errored} could not run`));
  if (s.skipped) parts.push(paint.yellow(`${s.skipped} skipped`));
  const verdict =
    s.exitCode === 0
      ? paint.green('all expectations met')
      : s.exitCode === 6
        ? paint.red('expectations failed (exit 6)')
        : paint.red(`steps could not run (exit ${s.exitCode})`);
  return `${parts.join(', ')} of ${s.total} step${s.total === 1 ? '' : 's'} in ${formatMs(s.durationMs)} — ${verdict}`;
}

/** NDJSON record of one step (no stdout/stderr: those may hold tokens; the checks say what was seen). */
export function stepRecord(r: StepResult, scrub: Scrub, showSecrets = false, file?: string): Record<string, unknown> {
  const rec: Record<string, unknown> = {
    type: 'step',
    ...(file !== undefined ? { file } : {}),
    id: r.id,
    name: r.name,
    kind: r.kind,
    line: r.line,
    status: r.status,
    durationMs: Math.round(r.durationMs),
  };
  if (r.derivedFrom) rec.derivedFrom = r.derivedFrom;
  if (r.argv.length) rec.command = commandLine(r.argv, scrub, showSecrets, r.secretArgs);
  if (r.exitCode !== undefined) rec.exitCode = r.exitCode;
  if (r.httpStatus !== undefined) rec.httpStatus = r.httpStatus;
  if (r.error)
    rec.error = {
      code: r.error.code,
      message: scrub(r.error.message),
      ...(r.error.hint ? { hint: scrub(r.error.hint) } : {}),
    };
  rec.checks = r.checks.map((c) => ({
    label: scrub(c.label),
    ok: c.ok,
    ...(c.ok ? {} : { actual: scrub(c.actual ?? '') }),
  }));
  if (r.reason) rec.reason = scrub(r.reason);
  return rec;
}

export function summaryRecord(s: RunSummary): Record<string, unknown> {
  return {
    type: 'summary',
    scenario: s.scenario,
    file: s.file,
    total: s.total,
    passed: s.passed,
    failed: s.failed,
    errored: s.errored,
    skipped: s.skipped,
    durationMs: Math.round(s.durationMs),
    exitCode: s.exitCode,
  };
}

/** The line after several scenarios: totals over all of them. */
export function renderTotal(
  all: readonly RunSummary[],
  exitCode: number,
  durationMs: number,
  scenarios: number,
  paint: Paint = NO_PAINT,
): string {
  const sum = (k: 'passed' | 'failed' | 'errored' | 'skipped' | 'total') => all.reduce((n, s) => n + s[k], 0);
  const parts = [paint.green(`${sum('passed')} passed`)];
  if (sum('failed')) parts.push(paint.red(`${sum('failed')} failed`));
  if (sum('errored')) parts.push(paint.red(`${sum('errored')} could not run`));
  if (sum('skipped')) parts.push(paint.yellow(`${sum('skipped')} skipped`));
  const notRun = scenarios - all.length;
  const verdict =
    exitCode === 0
      ? paint.green('all expectations met')
      : exitCode === 6
        ? paint.red('expectations failed (exit 6)')
        : paint.red(`steps could not run (exit ${exitCode})`);
  return `${paint.bold(`${scenarios} scenarios`)}: ${parts.join(', ')} of ${sum('total')} steps in ${formatMs(durationMs)}${notRun ? paint.yellow(`, ${notRun} scenario${notRun === 1 ? '' : 's'} not run`) : ''} — ${verdict}`;
}

export function totalRecord(
  all: readonly RunSummary[],
  exitCode: number,
  durationMs: number,
  scenarios: number,
): Record<string, unknown> {
  const sum = (k: 'passed' | 'failed' | 'errored' | 'skipped' | 'total') => all.reduce((n, s) => n + s[k], 0);
  return {
    type: 'total',
    scenarios,
    run: all.length,
    total: sum('total'),
    passed: sum('passed'),
    failed: sum('failed'),
    errored: sum('errored'),
    skipped: sum('skipped'),
    durationMs: Math.round(durationMs),
    exitCode,
  };
}

// XML 1.0 allows tab, LF, CR and U+0020 and above (minus surrogates handled by JS strings, and U+FFFE/U+FFFF).
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function xmlEscape(s: string): string {
  return s
    .replace(ANSI, '')
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * JUnit XML in the shape CI systems read (GitHub test reporters, GitLab, Jenkins): one <testsuite> per scenario,
 * one <testcase> per step with <failure> (an expectation failed), <error> (the step could not run) or <skipped>.
 */
export function junitXml(
  runs: RunSummary | readonly RunSummary[],
  o: { scrub: Scrub; timestamp: Date; showSecrets?: boolean },
): string {
  const all: readonly RunSummary[] = Array.isArray(runs) ? runs : [runs as RunSummary];
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const attr = (name: string, v: string | number) => ` ${name}="${xmlEscape(String(v))}"`;
  const sum = (k: 'passed' | 'failed' | 'errored' | 'skipped' | 'total' | 'durationMs') =>
    all.reduce((n, s) => n + s[k], 0);
  const suites = all.map((s) => {
    const suiteAttrs =
      attr('name', s.scenario) +
      attr('tests', s.total) +
      attr('failures', s.failed) +
      attr('errors', s.errored) +
      attr('skipped', s.skipped) +
      attr('time', secs(s.durationMs));
    const classname = `smoke.${s.scenario.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
    const cases = s.results.map((r) => {
      const caseAttrs =
        attr('name', r.id === r.name ? r.id : `${r.id}: ${r.name}`) +
        attr('classname', classname) +
        attr('file', s.file) +
        attr('line', r.line) +
        attr('time', secs(r.durationMs));
      const body: string[] = [];
      const detail = () =>
        xmlEscape(
          o.scrub(
            [
              r.argv.length ? `$ ${commandLine(r.argv, o.scrub, o.showSecrets, r.secretArgs)}` : '',
              `line ${r.line}${r.exitCode !== undefined ? `, exit ${r.exitCode}` : ''}${r.httpStatus !== undefined ? `, HTTP ${r.httpStatus}` : ''}`,
              ...r.checks.map(
                (c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.label}${c.ok ? '' : ` (got ${c.actual ?? 'nothing'})`}`,
              ),
              r.error
                ? `error: ${r.error.code}: ${r.error.message}${r.error.hint ? `\nhint: ${r.error.hint}` : ''}`
                : '',
            ]
              .filter(Boolean)
              .join('\n'),
          ),
        );
      if (r.status === 'fail')
        body.push(
          `      <failure${attr('message', o.scrub(r.reason || 'expectation failed'))}${attr('type', 'ExpectationFailed')}>${detail()}</failure>`,
        );
      if (r.status === 'error')
        body.push(
          `      <error${attr('message', o.scrub(r.reason || 'could not run'))}${attr('type', r.error?.code ?? `exit ${r.exitCode}`)}>${detail()}</error>`,
        );
      if (r.status === 'skipped') body.push(`      <skipped${attr('message', o.scrub(r.reason || 'skipped'))}/>`);
      if (r.status !== 'skipped' && r.stderr.trim())
        body.push(`      <system-err>${xmlEscape(o.scrub(r.stderr.trimEnd()))}</system-err>`);
      return body.length
        ? `    <testcase${caseAttrs}>\n${body.join('\n')}\n    </testcase>`
        : `    <testcase${caseAttrs}/>`;
    });
    return [
      `  <testsuite${suiteAttrs}${attr('timestamp', o.timestamp.toISOString().replace(/\.\d+Z$/, ''))}${attr('file', s.file)}>`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr('name', 'agentcore-auth smoke')}${attr('tests', sum('total'))}${attr('failures', sum('failed'))}${attr('errors', sum('errored'))}${attr('skipped', sum('skipped'))}${attr('time', secs(sum('durationMs')))}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
