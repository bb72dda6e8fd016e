/** The doctor's first lines: the region (and the agent ARN's), the credentials, and both endpoints reachable. */
import { fromAwsError, serviceBaseUrl } from '../aws.js';
import { AgentcoreAuthError } from '../errors.js';
import { hintFor } from '../hints.js';
import { parseRuntimeRef } from '../authorizer-prediction/remote.js';
import { aborting, type AddCheck, type DoctorDeps, type DoctorInput } from './common.js';

/** The region calls go to (and a warning when the agent ARN names another); undefined when none resolves. */
export function regionChecks(input: DoctorInput, deps: DoctorDeps, add: AddCheck): string | undefined {
  let arnRegion: string | undefined;
  if (input.agentArn) {
    try {
      arnRegion = parseRuntimeRef(input.agentArn).region;
    } catch (e) {
      add({
        id: 'runtime.arn',
        status: 'fail',
        label: 'agent ARN',
        detail: (e as Error).message,
        fix: (e as AgentcoreAuthError).hint ?? 'check --agent-arn',
      });
    }
  }
  const region = regionCheck(deps, arnRegion, add);
  if (region && arnRegion && arnRegion !== region)
    add({
      id: 'region.arn',
      status: 'warn',
      label: "the agent ARN's region is the region used",
      detail: `the ARN is in ${arnRegion}, calls go to ${region}`,
      fix: `pass --region ${arnRegion} (or unset the region that wins) to check the agent where it runs`,
    });
  return region;
}

function regionCheck(deps: DoctorDeps, arnRegion: string | undefined, add: AddCheck): string | undefined {
  const label = 'AWS region resolves';
  try {
    const choice = deps.aws.regionChoice(arnRegion);
    if (choice) {
      const source = choice.source === 'the ARN' ? 'the agent ARN' : choice.source;
      add({ id: 'region', status: 'pass', label, detail: `${choice.region} (from ${source})` });
      return choice.region;
    }
    add({
      id: 'region',
      status: 'fail',
      label,
      detail: 'no region in --region, AWS_REGION, AWS_DEFAULT_REGION, the AWS profile or an ARN',
      fix: 'pass --region, set AWS_REGION, or set region in your AWS profile',
    });
  } catch (e) {
    // A profile named by --profile / AWS_PROFILE that no file holds.
    add({
      id: 'region',
      status: 'fail',
      label,
      detail: (e as Error).message,
      fix: (e as AgentcoreAuthError).hint ?? 'check --profile',
    });
  }
  return undefined;
}

/** Whether the credentials resolve. */
export async function credentialsCheck(deps: DoctorDeps, add: AddCheck): Promise<boolean> {
  try {
    const c = await deps.aws.credentials();
    add({
      id: 'credentials',
      status: 'pass',
      label: 'AWS credentials resolve',
      detail:
        `access ` +
        `key ${c.accessKeyId.slice(0, 4)}…${c.accessKeyId.slice(-4)}${c.sessionToken ? ' (temporary)' : ''}`,
    });
    return true;
  } catch (e) {
    if (aborting(e)) throw e;
    const err = e instanceof AgentcoreAuthError ? e : fromAwsError(e, 'resolve AWS credentials');
    add({
      id: 'credentials',
      status: 'fail',
      label: 'AWS credentials resolve',
      detail: err.message,
      fix: err.hint ?? hintFor('no-credentials')!.fix,
    });
    return false;
  }
}

/** Both endpoints answer (any HTTP answer counts; only a network failure fails). Whether the control plane did. */
export async function endpointChecks(
  input: DoctorInput,
  deps: DoctorDeps,
  region: string,
  add: AddCheck,
): Promise<boolean> {
  let controlReachable = false;
  for (const service of ['control', 'agentcore'] as const) {
    const url = serviceBaseUrl(deps.env, service, region, input.endpointUrlFlag);
    const label = `${service === 'control' ? 'control plane' : 'data plane'} endpoint reachable`;
    try {
      const started = performance.now();
      const res = await deps.fetch(`${url}/`, { method: 'GET' });
      await res.body?.cancel();
      add({
        id: `endpoint.${service}`,
        status: 'pass',
        label,
        detail: `${url} (HTTP ${res.status}, ${Math.round(performance.now() - started)} ms)`,
      });
      if (service === 'control') controlReachable = true;
    } catch (e) {
      if (aborting(e)) throw e;
      const err = e as AgentcoreAuthError;
      add({
        id: `endpoint.${service}`,
        status: 'fail',
        label,
        detail: err.message?.includes(url) ? err.message : `${url}: ${err.message}`,
        fix: err.hint ?? 'check the endpoint URL and your network (proxy, VPC endpoint, DNS)',
      });
    }
  }
  return controlReachable;
}
