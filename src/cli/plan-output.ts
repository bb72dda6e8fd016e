/**
 * What every command that runs a plan (core/plan.ts) does with it at the CLI boundary: the step records in its --json
 * result, and a failed step's error thrown as the user sees it, carrying the steps in the --json error document.
 */
import { AgentcoreAuthError } from '../core/errors.js';
import type { PlanRun, StepRecord } from '../core/plan.js';
import type { Io } from './io.js';

/** The steps as --json shows them (every planned step: ok, failed or skipped). */
export type StepsJson = StepRecord[];

/** With --json, the steps travel with the error document (cli/run.ts prints its details). */
export function withSteps(io: Pick<Io, 'globals'>, error: unknown, records: readonly StepRecord[]): unknown {
  if (io.globals.json && error instanceof AgentcoreAuthError && records.length) error.details.steps = [...records];
  return error;
}

/** Throw a run's failure (if any) with its steps. */
export function throwIfFailed(io: Pick<Io, 'globals'>, run: PlanRun): void {
  if (run.failure) throw withSteps(io, run.failure.error, run.records);
}
