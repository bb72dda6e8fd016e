/**
 * Policy operations, one small handler each (SDK schemas: POST/GET /policy-engines/{id}/policies,
 * GET/PATCH/DELETE /policy-engines/{id}/policies/{policyId}, GET /policy-engines/{id}/policy-summaries[/{policyId}]).
 * A statement that does not parse or validate settles in CREATE_FAILED / UPDATE_FAILED with statusReasons; a failed
 * update keeps the previous statement in effect (UNVERIFIED: what AWS evaluates meanwhile).
 */
import { conflict, notFound, op, paginateQuery, type Page } from '../api/index.js';
import { engineOf, type PolicyCtx } from './engines.js';
import { CREATE_POLICY, POLICY_LABELS, ENGINE_LABELS, policyOut, policySummary, UPDATE_POLICY } from './shapes.js';
import { cedarStatement, checkStatement } from './statement.js';
import {
  resourceId,
  type EngineRecord,
  type EnforcementMode,
  type PolicyRecord,
  type PolicyStore,
  type ValidationMode,
} from './store.js';
import { appliesToResource } from './scope.js';

interface CreatePolicyInput {
  name: string;
  definition: Record<string, unknown>;
  description?: string;
  validationMode?: ValidationMode;
  enforcementMode?: EnforcementMode;
  clientToken?: string;
}

interface UpdatePolicyInput {
  description?: { optionalValue?: string };
  definition?: Record<string, unknown>;
  validationMode?: ValidationMode;
  enforcementMode?: EnforcementMode;
}

/** Create (API and config): the record as the response shows it (CREATING) — stored already settled. */
export function createPolicy(
  store: PolicyStore,
  engine: EngineRecord,
  input: CreatePolicyInput & { policyId?: string },
  now: number,
): { response: PolicyRecord; record: PolicyRecord } {
  const existing = input.clientToken ? store.allPolicies().find((p) => p.clientToken === input.clientToken) : undefined;
  if (existing) return { response: existing, record: existing };
  if (store.allPolicies().some((p) => p.name === input.name))
    throw conflict(`A policy named ${input.name} already exists`);
  const statement = cedarStatement(input.definition);
  const reasons = checkStatement(
    store,
    engine.policyEngineArn,
    input.name,
    statement,
    input.validationMode ?? 'FAIL_ON_ANY_FINDINGS',
  );
  const policyId = input.policyId ?? resourceId(input.name);
  const record: PolicyRecord = {
    policyId,
    name: input.name,
    policyEngineId: engine.policyEngineId,
    policyArn: store.policyArn(engine.policyEngineId, policyId),
    ...(input.description !== undefined ? { description: input.description } : {}),
    statement,
    ...(reasons.length ? {} : { effective: statement }),
    enforcementMode: input.enforcementMode ?? 'ACTIVE',
    createdAt: now,
    updatedAt: now,
    status: reasons.length ? 'CREATE_FAILED' : 'ACTIVE',
    statusReasons: reasons,
    ...(input.clientToken ? { clientToken: input.clientToken } : {}),
  };
  store.policiesOf(engine.policyEngineId).set(policyId, record);
  store.touch(engine.policyEngineId);
  return { response: { ...record, status: 'CREATING', statusReasons: [] }, record };
}

function policyOf(call: Parameters<typeof engineOf>[0]): { engine: EngineRecord; policy: PolicyRecord } {
  const engine = engineOf(call);
  const id = call.params.policyId!;
  const policy = call.ctx.store.policiesOf(engine.policyEngineId).get(id);
  if (!policy) throw notFound(`Policy ${id} not found in policy engine ${engine.policyEngineId}`);
  return { engine, policy };
}

function updatePolicy(store: PolicyStore, engine: EngineRecord, p: PolicyRecord, body: UpdatePolicyInput, now: number) {
  if (body.description) {
    const v = body.description.optionalValue;
    if (v) p.description = v;
    else delete p.description;
  }
  if (body.enforcementMode) p.enforcementMode = body.enforcementMode;
  let status: PolicyRecord['status'] = p.status;
  if (body.definition) {
    const statement = cedarStatement(body.definition);
    const reasons = checkStatement(
      store,
      engine.policyEngineArn,
      p.name,
      statement,
      body.validationMode ?? 'FAIL_ON_ANY_FINDINGS',
    );
    p.statement = statement;
    if (reasons.length) {
      p.status = 'UPDATE_FAILED';
      p.statusReasons = reasons;
    } else {
      p.effective = statement;
      p.status = 'ACTIVE';
      p.statusReasons = [];
    }
    status = 'UPDATING';
  }
  p.updatedAt = now;
  store.touch(engine.policyEngineId);
  return { ...p, status, statusReasons: status === 'UPDATING' ? [] : p.statusReasons };
}

/** ListPolicies' and ListPolicySummaries' page: the engine's policies (those of targetResourceScope), 10 a page. */
function policyPage(call: Parameters<typeof engineOf>[0]): Page<PolicyRecord> {
  const all = [...call.ctx.store.policiesOf(engineOf(call).policyEngineId).values()];
  const scope = call.query.get('targetResourceScope');
  const listed = scope ? all.filter((p) => appliesToResource(p.statement, scope)) : all;
  return paginateQuery(listed, call.query, { max: 100, default: 10 });
}

export const policyOperations = [
  op<PolicyCtx, CreatePolicyInput>({
    name: 'CreatePolicy',
    method: 'POST',
    path: '/policy-engines/{policyEngineId}/policies',
    status: 202,
    labels: ENGINE_LABELS,
    input: CREATE_POLICY,
    handle: (call) => policyOut(createPolicy(call.ctx.store, engineOf(call), call.body, call.ctx.now()).response),
  }),
  op<PolicyCtx>({
    name: 'GetPolicy',
    method: 'GET',
    path: '/policy-engines/{policyEngineId}/policies/{policyId}',
    labels: POLICY_LABELS,
    handle: (call) => policyOut(policyOf(call).policy),
  }),
  op<PolicyCtx>({
    name: 'ListPolicies',
    method: 'GET',
    path: '/policy-engines/{policyEngineId}/policies',
    labels: ENGINE_LABELS,
    handle: (call) => {
      const page = policyPage(call);
      return { policies: page.items.map(policyOut), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
  }),
  op<PolicyCtx, UpdatePolicyInput>({
    name: 'UpdatePolicy',
    method: 'PATCH',
    path: '/policy-engines/{policyEngineId}/policies/{policyId}',
    status: 202,
    labels: POLICY_LABELS,
    input: UPDATE_POLICY,
    handle: (call) => {
      const { engine, policy } = policyOf(call);
      return policyOut(updatePolicy(call.ctx.store, engine, policy, call.body, call.ctx.now()));
    },
  }),
  op<PolicyCtx>({
    name: 'DeletePolicy',
    method: 'DELETE',
    path: '/policy-engines/{policyEngineId}/policies/{policyId}',
    status: 202,
    labels: POLICY_LABELS,
    handle: (call) => {
      const { engine, policy } = policyOf(call);
      call.ctx.store.policiesOf(engine.policyEngineId).delete(policy.policyId);
      call.ctx.store.touch(engine.policyEngineId);
      return policyOut({ ...policy, status: 'DELETING', updatedAt: call.ctx.now() });
    },
  }),
  op<PolicyCtx>({
    name: 'GetPolicySummary',
    method: 'GET',
    path: '/policy-engines/{policyEngineId}/policy-summaries/{policyId}',
    labels: POLICY_LABELS,
    handle: (call) => policySummary(policyOf(call).policy),
  }),
  op<PolicyCtx>({
    name: 'ListPolicySummaries',
    method: 'GET',
    path: '/policy-engines/{policyEngineId}/policy-summaries',
    labels: ENGINE_LABELS,
    handle: (call) => {
      const page = policyPage(call);
      return { policies: page.items.map(policySummary), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
  }),
];
