/**
 * Plans and the one step runner. A multi-step flow (setup, teardown, exchange and its 3LO leg, a smoke scenario, the
 * demo, the gateway and policy flows) is a typed plan: a list of steps known before the first runs, each of which may
 * decide when it would start that it does not run this time (`skip`: it is counted and reported as skipped). So a
 * counter never changes its total mid-run. `runPlan` runs the steps in order (or up to `concurrency` at once, each
 * after the steps it `needs`), and reports what happens as typed events; it prints nothing: the CLI renders the events
 * as text (src/cli/render/steps.ts) and keeps the records for --json. docs/architecture.md: "Writing a plan".
 */
import { AgentcoreAuthError } from './errors.js';

/** Values shown beside a step: key inputs, outputs. Never secrets (pass fingerprints); empty values are dropped. */
export type Shown = Readonly<Record<string, string | undefined>>;

export type StepStatus = 'running' | 'ok' | 'failed' | 'skipped';

/** `info`: narrative (hidden by --quiet); `warn`: a warning; `action`: something the user must do (always shown). */
export type NoteLevel = 'info' | 'warn' | 'action';

/** One step as reported, in the events and in --json. */
export interface StepRecord {
  /** 1-based position in the count (numbering.first + index). */
  n: number;
  id: string;
  operation: string;
  inputs: Record<string, string>;
  status: StepStatus;
  durationMs?: number;
  outputs: Record<string, string>;
  /** The further service calls a step made (a DescribeUserPool per pool found, a retry), each with what it found. */
  calls?: Array<{ operation: string; detail: Record<string, string> }>;
  error?: { code: string; message: string };
  /** Why it was skipped, or a remark on its result. */
  note?: string;
  /** false when the step ran but its outcome does not count as passed (a scenario expectation). */
  passed?: boolean;
}

export type PlanEvent =
  | { type: 'started'; step: StepRecord; total: number }
  | { type: 'call'; step: StepRecord; total: number; operation: string; detail: Record<string, string> }
  | { type: 'note'; step: StepRecord | undefined; total: number; text: string; level: NoteLevel }
  | { type: 'result'; step: StepRecord; total: number }
  | { type: 'skipped'; step: StepRecord; total: number }
  | { type: 'failed'; step: StepRecord; total: number; error: unknown };

/** What a running step may report besides its result. */
export interface StepControl {
  readonly record: Readonly<StepRecord>;
  /** The run's abort signal (Ctrl-C). */
  readonly signal: AbortSignal;
  /** A further service call the step made, with what it found. */
  call(operation: string, detail?: Shown): void;
  /** Narrative for the user (NoteLevel). */
  note(text: string, level?: NoteLevel): void;
}

/** What a step reports when it is done. */
export interface StepDone {
  outputs?: Shown;
  note?: string;
  /** false: the step ran, but its outcome does not count as passed (steps that need it are skipped). */
  passed?: boolean;
}

/** One step of a plan over the state `S` the steps share (what earlier steps found, what the flow returns). */
export interface PlanStep<S> {
  /** Unique in the plan; default: its 1-based position. */
  id?: string;
  /** What it does, as shown: the API operation ("CreateUserPool") or a short phrase ("authorize in the browser"). */
  operation: string;
  /** Steps (by id) that must have passed before this one starts. */
  needs?: readonly string[];
  /** Runs even after a failure or a stop (clean-up). */
  always?: boolean;
  /**
   * Read once, when the step would start: a reason not to run it this time (it is reported as skipped). It may record
   * on the state what the earlier steps' findings mean for it (a resource found is "existing").
   */
  skip?(state: S): string | undefined;
  /** The key inputs shown when it starts. */
  inputs?(state: S): Shown;
  run(state: S, step: StepControl): Promise<StepDone | undefined>;
}

export type Plan<S> = readonly PlanStep<S>[];

export interface RunPlanOptions {
  now(): number;
  emit?(event: PlanEvent): void;
  signal?: AbortSignal;
  /** Steps at once (default 1); a step still waits for the steps it needs. */
  concurrency?: number;
  /** Start no step after one that did not pass (a step that throws always stops the plan). */
  failFast?: boolean;
  /** This plan's place in a longer count, e.g. teardown's finding then deleting: { first: 6, total: 9 }. */
  numbering?: { first: number; total: number };
}

export interface PlanRun {
  records: StepRecord[];
  /** The step that threw, and what it threw. */
  failure?: { step: StepRecord; error: unknown };
  /** The run's signal was aborted: steps not started were skipped. */
  interrupted: boolean;
}

/** Every step of a plan reported as skipped (a dry run, a cancelled confirmation), in the same count. */
export function skipPlan<S>(plan: Plan<S>, reason: string, options: RunPlanOptions): StepRecord[] {
  const { first, total } = numberingOf(plan, options);
  return plan.map((s, i) => {
    const record = newRecord(s, i, first);
    finishSkipped(record, reason);
    options.emit?.({ type: 'skipped', step: record, total });
    return record;
  });
}

/** Run a plan. A step that throws is reported as failed and stops the plan (its `always` steps still run). */
export async function runPlan<S>(plan: Plan<S>, state: S, options: RunPlanOptions): Promise<PlanRun> {
  return new PlanRunner(plan, state, options).run();
}

function numberingOf<S>(plan: Plan<S>, o: RunPlanOptions): { first: number; total: number } {
  return o.numbering ?? { first: 1, total: plan.length };
}

function newRecord<S>(s: PlanStep<S>, index: number, first: number): StepRecord {
  return {
    n: first + index,
    id: s.id ?? String(index + 1),
    operation: s.operation,
    inputs: {},
    status: 'running',
    outputs: {},
  };
}

function finishSkipped(record: StepRecord, reason: string): void {
  record.status = 'skipped';
  record.note = reason;
}

/** The values worth showing: undefined and empty ones dropped. */
export function shown(values: Shown | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values ?? {})) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** Our error's code and message, or the thrown value's name and message. */
function errorSummary(error: unknown): { code: string; message: string } {
  if (error instanceof AgentcoreAuthError) return { code: error.code, message: error.message };
  const e = error as { name?: string; message?: string } | undefined;
  return { code: e?.name ?? 'Error', message: e?.message ?? String(error) };
}

class PlanRunner<S> {
  private readonly records: StepRecord[];
  private readonly total: number;
  private readonly pending: number[];
  private readonly running = new Map<number, Promise<void>>();
  private failure?: { step: StepRecord; error: unknown };
  private stopReason?: string;

  constructor(
    private readonly plan: Plan<S>,
    private readonly state: S,
    private readonly o: RunPlanOptions,
  ) {
    const { first, total } = numberingOf(plan, o);
    this.total = total;
    this.records = plan.map((s, i) => newRecord(s, i, first));
    const ids = new Set(this.records.map((r) => r.id));
    if (ids.size !== this.records.length) throw new Error('runPlan: step ids must be unique');
    this.pending = plan.map((_, i) => i);
  }

  async run(): Promise<PlanRun> {
    const concurrency = Math.max(1, Math.floor(this.o.concurrency ?? 1));
    while (this.pending.length || this.running.size) {
      this.startReady(concurrency);
      if (this.running.size) await Promise.race(this.running.values());
      else if (this.pending.length) {
        // Every pending step waits for one that will never finish (cannot happen with ids checked above).
        for (const i of this.pending.splice(0)) this.skip(i, `not run: it needs ${this.needs(i).join(', ')}`);
      }
    }
    return {
      records: this.records,
      ...(this.failure ? { failure: this.failure } : {}),
      interrupted: !!this.o.signal?.aborted,
    };
  }

  private needs(i: number): readonly string[] {
    return this.plan[i]!.needs ?? [];
  }

  private startReady(concurrency: number): void {
    for (let k = 0; k < this.pending.length && this.running.size < concurrency; ) {
      const i = this.pending[k]!;
      const step = this.plan[i]!;
      const stopped = this.o.signal?.aborted ? 'not run: interrupted' : this.stopReason;
      if (stopped && !step.always) {
        this.pending.splice(k, 1);
        this.skip(i, stopped);
        continue;
      }
      const deps = this.needs(i).map((id) => this.records.find((r) => r.id === id));
      if (deps.some((d) => !d || d.status === 'running')) {
        k++;
        continue;
      }
      this.pending.splice(k, 1);
      const bad = deps.find((d) => d!.status !== 'ok' || d!.passed === false);
      if (bad) {
        const why = bad.status === 'skipped' ? 'was skipped' : 'did not pass';
        this.skip(i, `not run: it needs "${bad.id}", which ${why}`);
      } else this.start(i);
    }
  }

  private skip(i: number, reason: string): void {
    const record = this.records[i]!;
    finishSkipped(record, reason);
    this.o.emit?.({ type: 'skipped', step: record, total: this.total });
  }

  private start(i: number): void {
    const p = this.runStep(i).finally(() => this.running.delete(i));
    this.running.set(i, p);
  }

  private async runStep(i: number): Promise<void> {
    const step = this.plan[i]!;
    const record = this.records[i]!;
    const { total, state, o } = this;
    const skipped = step.skip?.(state);
    if (skipped !== undefined) return this.skip(i, skipped);
    record.inputs = shown(step.inputs?.(state));
    const started = o.now();
    o.emit?.({ type: 'started', step: record, total });
    const control: StepControl = {
      record,
      signal: o.signal ?? new AbortController().signal,
      call: (operation, detail) => {
        const d = shown(detail);
        record.calls ??= [];
        record.calls.push({ operation, detail: d });
        o.emit?.({ type: 'call', step: record, total, operation, detail: d });
      },
      note: (text, level = 'info') => o.emit?.({ type: 'note', step: record, total, text, level }),
    };
    try {
      const done = await step.run(state, control);
      record.durationMs = Math.max(0, Math.round(o.now() - started));
      record.status = 'ok';
      record.outputs = shown(done?.outputs);
      if (done?.note) record.note = done.note;
      if (done?.passed === false) {
        record.passed = false;
        if (o.failFast) this.stopReason ??= `not run: --fail-fast stopped the run after "${record.id}" failed`;
      }
      o.emit?.({ type: 'result', step: record, total });
    } catch (error) {
      record.durationMs = Math.max(0, Math.round(o.now() - started));
      record.status = 'failed';
      record.error = errorSummary(error);
      this.failure ??= { step: record, error };
      this.stopReason ??= `not run: step ${record.n} (${record.operation}) failed`;
      o.emit?.({ type: 'failed', step: record, total, error });
    }
  }
}
