/**
 * `smoke --html FILE`: one self-contained HTML page per run (the artifact a CI job uploads): the summary, each step's
 * verdict and checks, its masked trace, and its sequence diagram as inline SVG with the Mermaid source beside it.
 *
 * Self-contained means no request leaves the file: inline CSS only, no script, no font, no image, and a
 * Content-Security-Policy of `default-src 'none'` that would block any fetch that slipped in. Every interpolated text
 * is scrubbed (the run's secret registry), stripped of terminal escapes and HTML-escaped.
 */
import { renderSvg } from '../diagram/svg.js';
import { toMermaid, type SequenceDiagram } from '../diagram/sequence.js';
import { escapeHtml } from '../identity/html.js';
import { formatMs } from './expect.js';
import { commandLine, type Scrub } from './report.js';
import type { RunSummary, StepResult } from './results.js';

export interface HtmlStep {
  result: StepResult;
  /** The diagram of the calls the step made (from its trace). */
  diagram?: SequenceDiagram;
  /** The step's trace as text, already masked (the --verbose rendering of its exchanges). */
  trace?: string;
}

export interface HtmlRun {
  summary: RunSummary;
  steps: HtmlStep[];
}

export interface HtmlReportOptions {
  scrub: Scrub;
  showSecrets?: boolean;
  timestamp: Date;
  exitCode: number;
  durationMs: number;
  /** Scenarios given on the command line (some may not have run after --fail-fast). */
  scenarios?: number;
  version?: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

const STATUS_WORD: Record<StepResult['status'], string> = {
  pass: 'passed',
  fail: 'failed',
  error: 'could not run',
  skipped: 'skipped',
};
const STATUS_MARK: Record<StepResult['status'], string> = { pass: '✓', fail: '✗', error: '!', skipped: '–' };

const CSS =
  `
:root{color-scheme:light;--ink:#1f2328;--dim:#59636e;--line:#d1d9e0;--ok:#1a7f37;` +
  `--bad:#cf222e;--warn:#9a6700;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--ink);background:#fff}
main{max-width:80rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.5rem;margin:0 0 .25rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:0}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.6rem ` +
  `.8rem;overflow:auto;white-space:pre-wrap;word-break:break-word}
.meta{color:var(--dim);font-size:.9rem}
.verdict{display:inline-block;padding:.2rem .6rem;border-radius:2rem;font-weight:600;color:#fff}
.verdict.ok{background:var(--ok)}.verdict.bad{background:var(--bad)}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--dim);font-size:.85rem}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.s-pass{color:var(--ok)}.s-fail,.s-error{color:var(--bad)}.s-skipped{color:var(--warn)}
.mark{font-weight:700;display:inline-block;width:1.2em}
section.step{border:1px solid var(--line);border-radius:8px;padding:1rem;margin:1rem 0;color:var(--ink)}
section.step.s-fail,section.step.s-error{border-left:4px solid var(--bad)}
section.step.s-pass{border-left:4px solid var(--ok)}
section.step.s-skipped{border-left:4px solid var(--warn)}
section.step>*+*{margin-top:.6rem}
ul.checks{list-style:none;padding:0;margin:.4rem 0}
ul.checks li{padding:.1rem 0}
.error{color:var(--bad)}.hint{color:var(--warn)}
figure{margin:.6rem 0;overflow-x:auto}
figure svg{display:block;max-width:none;height:auto}
figcaption{color:var(--dim);font-size:.85rem}
details>summary{cursor:pointer;color:var(--dim)}
`;

const esc = escapeHtml;

function clean(scrub: Scrub, text: string): string {
  return scrub(text).replace(ANSI, '').replace(CONTROL, '');
}

export function htmlReport(runs: readonly HtmlRun[], o: HtmlReportOptions): string {
  const t = (s: string) => esc(clean(o.scrub, s));
  const sum = (k: 'passed' | 'failed' | 'errored' | 'skipped' | 'total') => runs.reduce((n, r) => n + r.summary[k], 0);
  const ok = o.exitCode === 0;
  const verdict = ok
    ? 'all expectations met'
    : o.exitCode === 6
      ? 'expectations failed (exit 6)'
      : `steps could not run (exit ${o.exitCode})`;
  const title = runs.length === 1 ? runs[0]!.summary.scenario : `${runs.length} scenarios`;
  const notRun = (o.scenarios ?? runs.length) - runs.length;

  const parts: string[] = [];
  parts.push(`<header><h1>agentcore-auth smoke: ${t(title)}</h1>`);
  parts.push(
    `<p><span class="verdict ${ok ? 'ok' : 'bad'}">${esc(verdict)}</span> <span ` +
      `class="meta">${sum('passed')} passed, ${sum('failed')} failed, ${sum('errored')} could not ` +
      `run, ${sum('skipped')} skipped of ${sum('total')} steps ` +
      `in ${esc(formatMs(o.durationMs))}${
        notRun > 0 ? `; ${notRun} scenario${notRun === 1 ? '' : 's'} not run` : ''
      } · ${esc(o.timestamp.toISOString())}${o.version ? ` · agentcore-auth ${t(o.version)}` : ''}</span></p></header>`,
  );

  parts.push(...stepIndex(runs, t));

  for (const [i, run] of runs.entries()) {
    const s = run.summary;
    parts.push(
      `<h2>${t(s.scenario)} <span class="meta">${t(s.file)} · ${s.passed}/${s.total} passed ` +
        `in ${esc(formatMs(s.durationMs))}</span></h2>`,
    );
    for (const [j, step] of run.steps.entries()) parts.push(stepSection(step, anchor(i, j), o, t));
  }

  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; ` +
    `base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${t(`agentcore-auth smoke: ${title} — ${verdict}`)}</title>
<style>${CSS}</style>
</head><body><main>
${parts.join('\n')}
</main></body></html>
`
  );
}

/** The index: every step of every scenario, linked to its section. */
function stepIndex(runs: readonly HtmlRun[], t: (s: string) => string): string[] {
  const rows = [
    '<table><thead><tr><th></th><th>step</th><th>scenario</th><th>verdict</th><th ' +
      'class="num">time</th></tr></thead><tbody>',
  ];
  for (const [i, run] of runs.entries()) {
    for (const [j, s] of run.steps.entries()) {
      const r = s.result;
      const name = r.name !== r.id ? ` <span class="meta">${t(r.name)}</span>` : '';
      const reason = r.status !== 'pass' && r.reason ? ` <span class="meta">— ${t(r.reason)}</span>` : '';
      const time = r.status === 'skipped' ? '' : esc(formatMs(r.durationMs));
      rows.push(
        `<tr class="s-${r.status}"><td><span class="mark">${STATUS_MARK[r.status]}</span></td>` +
          `<td><a href="#${anchor(i, j)}">${t(r.id)}</a>${name}</td><td>${t(run.summary.scenario)}</td>` +
          `<td>${esc(STATUS_WORD[r.status])}${reason}</td><td class="num">${time}</td></tr>`,
      );
    }
  }
  rows.push('</tbody></table>');
  return rows;
}

function anchor(run: number, step: number): string {
  return `step-${run + 1}-${step + 1}`;
}

function stepSection(step: HtmlStep, id: string, o: HtmlReportOptions, t: (s: string) => string): string {
  const r = step.result;
  const out: string[] = [];
  out.push(`<section class="step s-${r.status}" id="${id}">`);
  out.push(
    `<h3><span class="mark s-${r.status}">${STATUS_MARK[r.status]}</span> ${t(r.id)}${
      r.name !== r.id ? ` <span class="meta">${t(r.name)}</span>` : ''
    }</h3>`,
  );
  const meta = [
    `<span class="s-${r.status}">${esc(STATUS_WORD[r.status])}</span>`,
    `line ${r.line}`,
    ...(r.exitCode !== undefined ? [`exit ${r.exitCode}`] : []),
    ...(r.httpStatus !== undefined ? [`HTTP ${r.httpStatus}`] : []),
    ...(r.status !== 'skipped' ? [esc(formatMs(r.durationMs))] : []),
    ...(r.derivedFrom ? [`added by --negative (${t(r.derivedFrom.check)} of ${t(r.derivedFrom.step)})`] : []),
  ];
  out.push(`<p class="meta">${meta.join(' · ')}</p>`);
  if (r.reason && r.status !== 'pass') out.push(`<p>${t(r.reason)}</p>`);
  if (r.argv.length) out.push(`<pre>$ ${t(commandLine(r.argv, o.scrub, o.showSecrets, r.secretArgs))}</pre>`);
  if (r.checks.length) {
    out.push('<ul class="checks">');
    for (const c of r.checks) {
      out.push(
        `<li class="${c.ok ? 's-pass' : 's-fail'}"><span ` +
          `class="mark">${c.ok ? '✓' : '✗'}</span>${t(c.label)}${
            c.ok ? '' : ` <span class="meta">— got ${t(c.actual ?? '(nothing)')}</span>`
          }</li>`,
      );
    }
    out.push('</ul>');
  }
  if (r.error) {
    out.push(`<p class="error"><strong>${t(r.error.code)}</strong>: ${t(r.error.message)}</p>`);
    if (r.error.hint) out.push(`<p class="hint">hint: ${t(r.error.hint)}</p>`);
  }
  if (step.diagram) {
    const caption = `Calls made by step ${r.id}`;
    // The SVG renderer escapes every text it draws; the scrub already ran when the diagram was built.
    out.push(
      `<figure>${renderSvg(step.diagram, { title: clean(o.scrub, caption) })}` +
        `<figcaption>${t(caption)}</figcaption></figure>`,
    );
    out.push(`<details><summary>Mermaid source</summary><pre>${t(toMermaid(step.diagram))}</pre></details>`);
  }
  if (step.trace?.trim()) {
    out.push(
      `<details${r.status === 'fail' || r.status === 'error' ? ' open' : ''}><summary>trace (secrets ` +
        `masked)</summary><pre>${t(step.trace.trimEnd())}</pre></details>`,
    );
  }
  out.push('</section>');
  return out.join('\n');
}
