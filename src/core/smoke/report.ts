/**
 * Reports of a smoke run as data: the command line of a step (masked), the NDJSON records (one per step, a summary, a
 * total) and JUnit XML. Every text passes through `scrub` (the run's secret registry) and secret-looking flag values
 * are masked. The text report is the CLI's (src/cli/render/smoke.ts).
 */
import { maskSecret } from '../redact.js';
import type { RunSummary, StepResult } from './results.js';

export type Scrub = (text: string) => string;

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

/** NDJSON record of one step (no stdout/stderr: those may hold tokens; the checks say what was seen). */
/** `smoke --json`: one line per step. */
export interface StepLine {
  type: 'step';
  file?: string;
  id: string;
  name: string;
  kind: StepResult['kind'];
  line: number;
  status: StepResult['status'];
  durationMs: number;
  derivedFrom?: StepResult['derivedFrom'];
  command?: string;
  exitCode?: number;
  httpStatus?: number;
  error?: { code: string; message: string; hint?: string };
  checks: Array<{ label: string; ok: boolean; actual?: string }>;
  reason?: string;
}

export function stepRecord(r: StepResult, scrub: Scrub, showSecrets = false, file?: string): StepLine {
  const rec: StepLine = {
    type: 'step',
    ...(file !== undefined ? { file } : {}),
    id: r.id,
    name: r.name,
    kind: r.kind,
    line: r.line,
    status: r.status,
    durationMs: Math.round(r.durationMs),
    checks: [],
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

/** `smoke --json`: the line after a scenario's steps. */
export interface SummaryLine {
  type: 'summary';
  scenario: string;
  file: string;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  durationMs: number;
  exitCode: number;
}

export function summaryRecord(s: RunSummary): SummaryLine {
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

/** `smoke --json`: the last line after several scenarios. */
export interface TotalLine {
  type: 'total';
  scenarios: number;
  run: number;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  durationMs: number;
  exitCode: number;
}

export function totalRecord(
  all: readonly RunSummary[],
  exitCode: number,
  durationMs: number,
  scenarios: number,
): TotalLine {
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

type JunitOptions = { scrub: Scrub; timestamp: Date; showSecrets?: boolean };

const secs = (ms: number) => (ms / 1000).toFixed(3);
const attr = (name: string, v: string | number) => ` ${name}="${xmlEscape(String(v))}"`;

/**
 * JUnit XML in the shape CI systems read (GitHub test reporters, GitLab, Jenkins): one <testsuite> per scenario,
 * one <testcase> per step with <failure> (an expectation failed), <error> (the step could not run) or <skipped>.
 */
export function junitXml(runs: RunSummary | readonly RunSummary[], o: JunitOptions): string {
  const all: readonly RunSummary[] = Array.isArray(runs) ? runs : [runs as RunSummary];
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
    return [
      `  <testsuite${suiteAttrs}${attr('timestamp', o.timestamp.toISOString().replace(/\.\d+Z$/, ''))}` +
        `${attr('file', s.file)}>`,
      ...s.results.map((r) => testCase(s, r, o)),
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr('name', 'agentcore-auth smoke')}${attr('tests', sum('total'))}` +
      `${attr('failures', sum('failed'))}${attr('errors', sum('errored'))}${attr('skipped', sum('skipped'))}` +
      `${attr('time', secs(sum('durationMs')))}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** One step as a <testcase>: its verdict element and what it wrote on stderr. */
function testCase(s: RunSummary, r: StepResult, o: JunitOptions): string {
  const classname = `smoke.${s.scenario.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
  const caseAttrs =
    attr('name', r.id === r.name ? r.id : `${r.id}: ${r.name}`) +
    attr('classname', classname) +
    attr('file', s.file) +
    attr('line', r.line) +
    attr('time', secs(r.durationMs));
  const body: string[] = [];
  if (r.status === 'fail')
    body.push(
      `      <failure${attr('message', o.scrub(r.reason || 'expectation failed'))}` +
        `${attr('type', 'ExpectationFailed')}>${caseDetail(r, o)}</failure>`,
    );
  if (r.status === 'error')
    body.push(
      `      <error${attr('message', o.scrub(r.reason || 'could not run'))}` +
        `${attr('type', r.error?.code ?? `exit ${r.exitCode}`)}>${caseDetail(r, o)}</error>`,
    );
  if (r.status === 'skipped') body.push(`      <skipped${attr('message', o.scrub(r.reason || 'skipped'))}/>`);
  if (r.status !== 'skipped' && r.stderr.trim())
    body.push(`      <system-err>${xmlEscape(o.scrub(r.stderr.trimEnd()))}</system-err>`);
  return body.length
    ? `    <testcase${caseAttrs}>\n${body.join('\n')}\n    </testcase>`
    : `    <testcase${caseAttrs}/>`;
}

/** A failed or errored step's text: its command line, where it is, its checks, its error and hint. */
function caseDetail(r: StepResult, o: JunitOptions): string {
  return xmlEscape(
    o.scrub(
      [
        r.argv.length ? `$ ${commandLine(r.argv, o.scrub, o.showSecrets, r.secretArgs)}` : '',
        `line ${r.line}${
          r.exitCode !== undefined ? `, exit ${r.exitCode}` : ''
        }${r.httpStatus !== undefined ? `, HTTP ${r.httpStatus}` : ''}`,
        ...r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.label}${c.ok ? '' : ` (got ${c.actual ?? 'nothing'})`}`),
        r.error ? `error: ${r.error.code}: ${r.error.message}${r.error.hint ? `\nhint: ${r.error.hint}` : ''}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    ),
  );
}
