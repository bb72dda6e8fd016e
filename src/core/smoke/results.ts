/**
 * What a scenario run produces: each step's invocation (its command line and environment), what the executor saw, and
 * the step's result and verdict; the summary of a run.
 */
import type { ExpectationCheck, Observed } from './expect.js';
import type { Step } from './schema.js';

export interface StepInvocation {
  step: Step;
  /** agentcore-auth arguments (without the program name), `--json` included. */
  argv: string[];
  /** The full environment for the step: the runner's env + scenario env + step env. */
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  timeoutMs: number;
}

export interface StepExecution {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The step's own time limit ran out (the executor aborted it). */
  timedOut?: boolean;
}

export type StepExecutor = (inv: StepInvocation) => Promise<StepExecution>;

/** A scenario step's verdict: its expectations met, not met, it could not run, or it did not run. */
export type StepVerdict = 'pass' | 'fail' | 'error' | 'skipped';

export interface StepResult {
  id: string;
  name: string;
  kind: Step['kind'];
  line: number;
  derivedFrom?: Step['derivedFrom'];
  status: StepVerdict;
  /** Why a step is `error` or `skipped`, or the first failed check. */
  reason?: string;
  argv: string[];
  /** Indexes in argv of secret values (masked in reports). */
  secretArgs: number[];
  startMs: number;
  durationMs: number;
  exitCode?: number;
  httpStatus?: number;
  error?: Observed['error'];
  output?: unknown;
  stdout: string;
  stderr: string;
  checks: ExpectationCheck[];
}

export interface RunSummary {
  scenario: string;
  file: string;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  total: number;
  durationMs: number;
  exitCode: number;
  results: StepResult[];
}
