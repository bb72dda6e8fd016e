/**
 * What every part of the doctor checklist shares: a check line, the dependencies, an AWS failure as a failed line,
 * and the discovery-document check of a JWT authorizer (an agent's or a gateway's).
 */
import { AgentcoreAuthError, isAbortError } from '../errors.js';
import { fromAwsError, type AwsClients, type Env } from '../aws.js';
import { isNotFound } from '../classify.js';
import type { FetchLike } from '../http.js';
import type { CacheLocation } from '../token-cache.js';
import { discoveryUrlIsValid, type AuthorizerConfig } from '../authorizer-prediction/config.js';

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

export interface DoctorDeps {
  aws: AwsClients;
  fetch: FetchLike;
  env: Env;
  cache: CacheLocation;
  now: () => number;
}

export interface DoctorInput {
  agentArn?: string;
  workloadName?: string;
  provider?: string;
  /** A gateway to check (GetGateway, its targets, providers, Lambdas and policy engine). */
  gatewayId?: string;
  /** --region / --endpoint-url as given (for the report and endpoint URLs). */
  regionFlag?: string;
  endpointUrlFlag?: string;
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

export async function discoveryCheck(
  cfg: AuthorizerConfig,
  deps: DoctorDeps,
  add: AddCheck,
  id = 'runtime.discovery',
): Promise<void> {
  const label = "the authorizer's discovery document is reachable";
  if (!discoveryUrlIsValid(cfg.discoveryUrl)) {
    add({
      id,
      status: 'fail',
      label,
      detail: `${cfg.discoveryUrl} does not end in /.well-known/openid-configuration`,
      fix: 'set discoveryUrl to <issuer>/.well-known/openid-configuration',
    });
    return;
  }
  try {
    const res = await deps.fetch(cfg.discoveryUrl, { headers: { accept: 'application/json' } });
    const doc = res.ok
      ? ((await res.json().catch(() => undefined)) as { issuer?: unknown; jwks_uri?: unknown } | undefined)
      : undefined;
    if (!res.ok)
      add({
        id,
        status: 'fail',
        label,
        detail: `${cfg.discoveryUrl} answered HTTP ${res.status}`,
        fix: 'fix discoveryUrl: every token is rejected while AgentCore cannot read it',
      });
    else if (typeof doc?.issuer !== 'string' || typeof doc.jwks_uri !== 'string')
      add({
        id,
        status: 'fail',
        label,
        detail: `${cfg.discoveryUrl} has no issuer / jwks_uri`,
        fix: "point discoveryUrl at the IdP's OpenID configuration",
      });
    else add({ id, status: 'pass', label, detail: `issuer ${doc.issuer}` });
  } catch (e) {
    if (aborting(e)) throw e;
    add({
      id,
      status: 'fail',
      label,
      detail: `${cfg.discoveryUrl}: ${(e as Error).message}`,
      fix: 'check the URL; AgentCore must reach it from the internet (or through privateEndpoint)',
    });
  }
}
