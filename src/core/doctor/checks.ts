/**
 * The doctor checklist: one line per fact that decides whether an AgentCore auth setup works, each ✓ (pass), ✗ (fail),
 * ! (warn) or – (skipped because something it needs failed), with the fix. Failures of AWS calls become failed lines,
 * not exceptions, so that one run shows everything; only an abort (Ctrl-C) escapes. The lines, in order: region,
 * credentials and endpoints (environment.ts), the agent runtime (runtime.ts), the gateway (gateway.ts), the workload
 * identity (workload.ts), the credential provider (provider.ts, obo.ts), the cached logins (cache.ts); what they
 * share is in common.ts.
 */
import { serviceBaseUrl } from '../aws.js';
import { parseRuntimeRef } from '../authorizer-prediction/remote.js';
import { cacheChecks } from './cache.js';
import type { DoctorCheck, DoctorDeps, DoctorInput, DoctorReport } from './common.js';
import { credentialsCheck, endpointChecks, regionChecks } from './environment.js';
import { gatewayChecks } from './gateway.js';
import { providerChecks } from './provider.js';
import { agentChecks, type AgentFacts } from './runtime.js';
import { workloadChecks } from './workload.js';

export type { DoctorCheck, DoctorDeps, DoctorInput, DoctorReport, DoctorStatus } from './common.js';

export async function runDoctor(input: DoctorInput, deps: DoctorDeps): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => {
    checks.push(c);
    return c;
  };
  const region = regionChecks(input, deps, add);
  const credsOk = await credentialsCheck(deps, add);
  const controlReachable = region ? await endpointChecks(input, deps, region, add) : false;
  const controlRegion = region && credsOk && controlReachable ? region : undefined;
  const why = !region ? 'no region' : !credsOk ? 'no credentials' : 'control plane unreachable';
  const skipped = (id: string, label: string) => add({ id, status: 'skip', label, detail: `not checked: ${why}` });

  let agent: AgentFacts = {};
  if (input.agentArn && !checks.some((c) => c.id === 'runtime.arn')) {
    if (controlRegion) agent = await agentChecks(input.agentArn, controlRegion, deps, add);
    else skipped('runtime.exists', `runtime ${parseRuntimeRef(input.agentArn).id} exists`);
  }
  // The gateway: inbound, targets and their outbound credentials, providers, Lambdas, policy engine.
  if (input.gatewayId) {
    if (!controlRegion) skipped('gateway.exists', `gateway ${input.gatewayId} exists`);
    else {
      const controlUrl = serviceBaseUrl(deps.env, 'control', controlRegion, input.endpointUrlFlag);
      await gatewayChecks(input.gatewayId, controlRegion, deps, add, controlUrl);
    }
  }
  const workload = input.workloadName ?? agent.workloadName;
  if (workload) {
    if (controlRegion) await workloadChecks(workload, !!input.workloadName, controlRegion, deps, add);
    else skipped('workload.exists', `workload identity ${workload}`);
  }
  if (input.provider) await providerChecks(input.provider, controlRegion, why, deps, add);
  await cacheChecks(deps, agent.jwtConfig, add);
  return { ok: !checks.some((c) => c.status === 'fail'), checks };
}
