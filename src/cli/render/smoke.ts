/**
 * A smoke run as text on stdout: one line per step (several for a step that did not pass: its command, exit code,
 * checks, error and hint; with --verbose the command's own stderr), the summary of a scenario and the total over
 * several. Every text passes through `scrub` (the run's secret registry); colour comes from the caller's paint.
 */
import { formatMs, squeezeLine } from '../../core/smoke/expect.js';
import { commandLine, type Scrub } from '../../core/smoke/report.js';
import type { RunSummary, StepResult } from '../../core/smoke/results.js';

export interface Palette {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

export const PLAIN: Palette = {
  green: (s) => s,
  red: (s) => s,
  yellow: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
  cyan: (s) => s,
};

const MARK: Record<StepResult['status'], (p: Palette) => string> = {
  pass: (p) => p.green('✓'),
  fail: (p) => p.red('✗'),
  error: (p) => p.red('!'),
  skipped: (p) => p.yellow('-'),
};

/** One step of the human report (several lines for a step that did not pass). */
export function renderStep(
  r: StepResult,
  o: { scrub: Scrub; paint?: Palette; idWidth?: number; showSecrets?: boolean; verbose?: boolean },
): string {
  const p = o.paint ?? PLAIN;
  const w = o.idWidth ?? r.id.length;
  const time = r.status === 'skipped' ? ''.padStart(8) : formatMs(r.durationMs).padStart(8);
  const title = r.name !== r.id ? `${r.name}` : '';
  const summary =
    r.status === 'pass'
      ? r.checks.map((c) => c.label).join(', ')
      : r.status === 'skipped'
        ? (r.reason ?? 'skipped')
        : (r.reason ?? '');
  const said = [title, r.status === 'pass' ? p.dim(summary) : summary].filter(Boolean).join(p.dim(' · '));
  const head = `  ${MARK[r.status](p)} ${r.id.padEnd(w)} ${p.dim(time)}  ${said}`;
  const lines = [head];
  if (r.status === 'fail' || r.status === 'error') {
    const pad = ' '.repeat(6);
    if (r.argv.length) lines.push(`${pad}${p.dim('$')} ${commandLine(r.argv, o.scrub, o.showSecrets, r.secretArgs)}`);
    lines.push(
      `${pad}${p.dim(
        `line ${r.line}${
          r.exitCode !== undefined ? ` · exit ${r.exitCode}` : ''
        }${r.httpStatus !== undefined ? ` · HTTP ${r.httpStatus}` : ''}`,
      )}`,
    );
    for (const c of r.checks)
      lines.push(
        `${pad}${c.ok ? p.green('✓') : p.red('✗')} ${c.label}${c.ok ? '' : p.dim(` — got ${c.actual ?? '(nothing)'}`)}`,
      );
    if (r.error) {
      lines.push(`${pad}${p.red('error:')} ${squeezeLine(r.error.message, 300)}`);
      // The hint is the fix, often a command to run: never cut short.
      if (r.error.hint) lines.push(`${pad}${p.yellow('hint:')} ${squeezeLine(r.error.hint, Number.POSITIVE_INFINITY)}`);
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
    .map((l) => (l.startsWith('hint:') ? l : squeezeLine(l, 200)));
}

export function renderSummary(s: RunSummary, paint: Palette = PLAIN): string {
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

/** The line after several scenarios: totals over all of them. */
export function renderTotal(
  all: readonly RunSummary[],
  exitCode: number,
  durationMs: number,
  scenarios: number,
  paint: Palette = PLAIN,
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
  const notRunText = notRun ? paint.yellow(`, ${notRun} scenario${notRun === 1 ? '' : 's'} not run`) : '';
  return `${paint.bold(
    `${scenarios} scenarios`,
  )}: ${parts.join(', ')} of ${sum('total')} steps in ${formatMs(durationMs)}${notRunText} — ${verdict}`;
}
