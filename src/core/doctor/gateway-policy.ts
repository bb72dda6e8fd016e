/**
 * `doctor --gateway-id`'s policy lines (agentcore-gateway.md §1.7): the policy engine the gateway names exists and is
 * ACTIVE, its mode (LOG_ONLY decides nothing), its policies (how many are in effect, which failed validation, whether
 * any permit can allow a call at all under ENFORCE), and the permissions the gateway's role needs to evaluate them —
 * listed, since IAM is not read, with the symptom of their absence.
 */
import type { GetGatewayCommandOutput, Policy } from '@aws-sdk/client-bedrock-agentcore-control';
import { GATEWAY, GATEWAY_MESSAGES } from '../../wire.js';
import { policyHead } from '../../policy-model/scope.js';
import { controlSdk } from '../../sdk.js';
import { engineOf, listEnginePolicies, type GatewayEngine } from '../policy/gateway.js';
import { failLine, type AddCheck, type DoctorDeps } from './common.js';

type Control = Awaited<ReturnType<DoctorDeps['aws']['control']>>;

async function engineLine(control: Control, engine: GatewayEngine, add: AddCheck): Promise<boolean> {
  const label = `policy engine ${engine.id} exists and is ACTIVE (mode ${engine.mode})`;
  try {
    const e = await control.send(new (controlSdk().GetPolicyEngineCommand)({ policyEngineId: engine.id }));
    const active = e.status === 'ACTIVE';
    const logOnly = engine.mode === 'LOG_ONLY';
    add({
      id: 'gateway.policy',
      status: !active ? (/FAILED$/.test(e.status ?? '') ? 'fail' : 'warn') : logOnly ? 'warn' : 'pass',
      label,
      detail:
        `${e.name ?? engine.id}: ${e.status}` +
        (e.statusReasons?.length ? ` (${e.statusReasons.join('; ')})` : '') +
        (logOnly
          ? ' — LOG_ONLY: decisions are logged, never enforced'
          : ' — ENFORCE: a denied tools/call answers AuthorizeActionException, tools/list is filtered'),
      ...(logOnly
        ? { fix: 'switch to ENFORCE (UpdateGateway policyEngineConfiguration.mode) once `policy test` passes' }
        : !active
          ? { fix: 'fix or recreate the engine: calls are refused while the gateway cannot evaluate it' }
          : {}),
    });
    return true;
  } catch (e) {
    add(failLine('gateway.policy', label, e, 'GetPolicyEngine', 'fix policyEngineConfiguration.arn (UpdateGateway)'));
    return false;
  }
}

function policiesLine(engine: GatewayEngine, policies: readonly Policy[], add: AddCheck): void {
  const active = policies.filter((p) => p.status === 'ACTIVE');
  const failed = policies.filter((p) => /FAILED$/.test(p.status ?? ''));
  const enforced = active.filter((p) => p.enforcementMode !== 'LOG_ONLY');
  const permits = enforced.filter((p) => policyHead(p.definition?.cedar?.statement ?? '')?.effect !== 'forbid');
  const counts =
    `${active.length} ACTIVE (${active.length - enforced.length} LOG_ONLY)` +
    (failed.length ? `, ${failed.length} failed: ${failed.map((p) => `${p.name} ${p.status}`).join(', ')}` : '');
  const noPermit = engine.mode === 'ENFORCE' && !permits.length;
  add({
    id: 'gateway.policy.policies',
    status: failed.length || noPermit ? 'warn' : 'pass',
    label: `the engine's policies`,
    detail: noPermit ? `${counts}; no enforced permit: every tools/call is denied by default` : counts,
    ...(failed.length
      ? { fix: 'read statusReasons (GetPolicy) or run `agentcore-auth policy validate FILE --gateway-id ID`' }
      : noPermit
        ? { fix: 'add a permit policy (CreatePolicy); `agentcore-auth policy test` tries it first' }
        : {}),
  });
}

/** The engine, its mode and policies, and the role permissions policy evaluation needs. */
export async function gatewayPolicyChecks(
  g: GetGatewayCommandOutput,
  region: string,
  deps: DoctorDeps,
  add: AddCheck,
): Promise<void> {
  const engine = engineOf(g);
  if (!engine) return;
  const control = await deps.aws.control(region);
  if (await engineLine(control, engine, add)) {
    try {
      policiesLine(engine, await listEnginePolicies(control, engine.id), add);
    } catch (e) {
      add(failLine('gateway.policy.policies', "the engine's policies can be read", e, 'ListPolicies'));
    }
  }
  add({
    id: 'gateway.policy.role',
    status: 'skip',
    label: `the gateway role ${g.roleArn ?? ''} needs, on ${engine.arn} (IAM is not read: check it)`,
    detail:
      `${GATEWAY.policyRoleActions.join(', ')} — attaching an engine to an existing gateway does not add them; ` +
      `without them tools/list fails with "${GATEWAY_MESSAGES.policyListToolsFailed}"`,
  });
}
