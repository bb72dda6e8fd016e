/** A doctor run's lines and what every check module shares: the line type, the run's inputs and dependencies. */
import { fromAwsError, type AwsClients, type Env } from '../aws.js';
import { isNotFound } from '../classify.js';
import { AgentcoreAuthError, isAbortError } from '../errors.js';
import type { FetchLike } from '../http.js';
import type { CacheLocation } from '../token-cache.js';

export type DoctorStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface DoctorCheck {
  /** Stable id: region, credentials, endpoint.control, runtime.exists, runtime.status, runtime.inbound, … */
  id: string;
  status: DoctorStatus;
  /** What was checked, e.g. "runtime myAgent is READY". */
  label: string;
  /** What was found. */
  detail?: string;
  fix?: string;
}

export interface DoctorInput {
  agentArn?: string;
  workloadName?: string;
  provider?: string;
  /** --region / --endpoint-url as given (for the report and endpoint URLs). */
  regionFlag?: string;
  endpointUrlFlag?: string;
}

export interface DoctorDeps {
  aws: AwsClients;
  fetch: FetchLike;
  env: Env;
  cache: CacheLocation;
  now: () => number;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

/** Adds a line to the report and returns it. */
export type AddCheck = (c: DoctorCheck) => DoctorCheck;

export const aborting = (e: unknown) =>
  isAbortError(e) || (e instanceof AgentcoreAuthError && e.code === 'ERR_INTERRUPTED');

/** An AWS failure as a failed line: the error's message, and the hint table's fix. */
export function failLine(id: string, label: string, e: unknown, operation: string, notFoundFix?: string): DoctorCheck {
  if (aborting(e)) throw e;
  const err = fromAwsError(e, operation);
  const notFound = isNotFound(err);
  return {
    id,
    status: 'fail',
    label,
    detail: err.message,
    fix: (notFound && notFoundFix) || err.hint || 'see the message',
  };
}
