/**
 * The step runner's events (core/plan.ts) as stderr narrative: `[n/total] Operation  key=value …` when a step starts,
 * its further calls, `✓ 12 ms · outputs (note)` or `✗ 12 ms · failed (CODE)` when it ends, `— skipped: why` for a step
 * that does not run. The error itself is rendered once, at the end, by cli/run.ts. Values are never secrets (core
 * passes fingerprints), and the Ui scrubs whatever is registered anyway.
 */
import type { PlanEvent } from '../../core/plan.js';
import type { Ui } from './ui.js';

const INDENT = '      ';

/** A renderer for one run's events (it remembers the last skip reason, so a run of skips says it once). */
export function stepRenderer(ui: Ui): (event: PlanEvent) => void {
  let lastSkip: string | undefined;
  const c = ui.c;
  const pairs = (o: Record<string, string>, sep: string, join: string) =>
    Object.entries(o)
      .map(([k, v]) => `${k}${sep}${v}`)
      .join(join);
  return (e) => {
    if (e.type !== 'skipped') lastSkip = undefined;
    const head = (n: number) => c.cyan(`[${n}/${e.total}]`);
    switch (e.type) {
      case 'started': {
        const inputs = Object.entries(e.step.inputs)
          .map(([k, v]) => `${c.dim(`${k}=`)}${v}`)
          .join(' ');
        ui.info(`${head(e.step.n)} ${c.bold(e.step.operation)}${inputs ? `  ${inputs}` : ''}`);
        return;
      }
      case 'call': {
        const detail = pairs(e.detail, ' ', c.dim(' · '));
        ui.info(`${INDENT}${c.dim('↳')} ${e.operation}${detail ? ` ${detail}` : ''}`);
        return;
      }
      case 'note':
        if (e.level === 'warn') ui.warn(e.text);
        else if (e.level === 'action') ui.line(`${INDENT}${e.text}`);
        else ui.note(`${INDENT}${e.text}`);
        return;
      case 'result': {
        const { step } = e;
        const parts = [`${step.durationMs ?? 0} ms`, ...Object.entries(step.outputs).map(([k, v]) => `${k} ${v}`)];
        const mark = step.passed === false ? c.yellow('!') : c.green('✓');
        ui.info(`${INDENT}${mark} ${parts.join(c.dim(' · '))}${step.note ? c.dim(` (${step.note})`) : ''}`);
        return;
      }
      case 'failed': {
        const { step } = e;
        const extra = Object.entries(step.outputs)
          .map(([k, v]) => ` · ${k} ${v}`)
          .join('');
        const code = step.error?.code ?? 'Error';
        ui.line(`${INDENT}${c.red('✗')} ${step.durationMs ?? 0} ms${extra} ${c.dim('·')} failed ${c.dim(`(${code})`)}`);
        return;
      }
      case 'skipped': {
        const why = e.step.note ?? '';
        const said = why === lastSkip ? '' : `: ${why}`;
        lastSkip = why;
        ui.note(`${head(e.step.n)} ${e.step.operation} — skipped${said}`);
        return;
      }
    }
  };
}
