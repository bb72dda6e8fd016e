/**
 * The exchange timeline: numbered steps on stderr (operation, key inputs, status, duration, token fingerprints) and
 * the same steps as structured records for --json. Values shown here are never secrets: callers pass fingerprints.
 */
import { AgentcoreAuthError } from '../errors.js';
import type { TimelineUi } from './io.js';

export type StepStatus = 'ok' | 'failed' | 'skipped' | 'running';

export interface StepRecord {
  n: number;
  operation: string;
  inputs: Record<string, string>;
  status: StepStatus;
  durationMs?: number;
  outputs: Record<string, string>;
  error?: { code: string; message: string };
  note?: string;
}

export interface StepHandle {
  readonly record: StepRecord;
  ok(outputs?: Record<string, string | undefined>, note?: string): void;
  fail(error: unknown, outputs?: Record<string, string | undefined>): void;
}

export class Timeline {
  readonly steps: StepRecord[] = [];
  /** The planned number of steps; may be raised or lowered as the plan becomes known. */
  total: number;

  constructor(
    private readonly ui: TimelineUi,
    private readonly now: () => number,
    total: number,
  ) {
    this.total = total;
  }

  begin(operation: string, inputs: Record<string, string | undefined> = {}): StepHandle {
    const record: StepRecord = {
      n: this.steps.length + 1,
      operation,
      inputs: compact(inputs),
      status: 'running',
      outputs: {},
    };
    if (record.n > this.total) this.total = record.n;
    this.steps.push(record);
    const started = this.now();
    const c = this.ui.c;
    const shownInputs = Object.entries(record.inputs)
      .map(([k, v]) => `${c.dim(`${k}=`)}${v}`)
      .join(' ');
    this.ui.step(record.n, this.total, `${c.bold(operation)}${shownInputs ? `  ${shownInputs}` : ''}`);
    const finish = (status: StepStatus) => {
      record.status = status;
      record.durationMs = Math.max(0, Math.round(this.now() - started));
    };
    return {
      record,
      ok: (outputs = {}, note) => {
        finish('ok');
        record.outputs = compact(outputs);
        if (note) record.note = note;
        const parts = [`${record.durationMs} ms`, ...Object.entries(record.outputs).map(([k, v]) => `${k} ${v}`)];
        this.ui.info(`      ${c.green('✓')} ${parts.join(c.dim(' · '))}${note ? c.dim(` (${note})`) : ''}`);
      },
      fail: (error, outputs = {}) => {
        finish('failed');
        record.outputs = compact(outputs);
        const e = error as { code?: string; message?: string; name?: string };
        record.error = {
          code: error instanceof AgentcoreAuthError ? error.code : (e?.name ?? 'Error'),
          message: e?.message ?? String(error),
        };
        const extra = Object.entries(record.outputs)
          .map(([k, v]) => ` · ${k} ${v}`)
          .join('');
        // The error itself is rendered once, at the end, by the CLI boundary; here only where it happened.
        this.ui.line(
          `      ${c.red('✗')} ${record.durationMs} ms${extra} ${c.dim('·')} failed ${c.dim(`(${record.error.code})`)}`,
        );
      },
    };
  }

  /** Record planned steps that will not run (e.g. the vault already held a token). */
  skip(operations: string[], reason: string): void {
    for (const operation of operations) {
      const record: StepRecord = {
        n: this.steps.length + 1,
        operation,
        inputs: {},
        status: 'skipped',
        outputs: {},
        note: reason,
      };
      this.steps.push(record);
    }
    if (operations.length) {
      const first = this.steps.length - operations.length + 1;
      const range = operations.length === 1 ? `step ${first}` : `steps ${first}–${this.steps.length}`;
      this.ui.note(`      ${range} skipped: ${reason}`);
    }
  }
}

function compact(o: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
