/**
 * Policy engine operations, one small handler each (paths and codes from the SDK's schemas: POST/GET
 * /policy-engines, GET/PATCH/DELETE /policy-engines/{policyEngineId}, GET /policy-engine-summaries[/{id}]).
 */
import { conflict, notFound, op, paginateQuery, type RestCall } from '../api/index.js';
import { CREATE_ENGINE, ENGINE_LABELS, engineOut, engineSummary, UPDATE_ENGINE } from './shapes.js';
import { resourceId, type EngineRecord, type PolicyStore } from './store.js';

export interface PolicyCtx {
  store: PolicyStore;
  now(): number;
}

type Call<I = Record<string, unknown>> = RestCall<PolicyCtx, I>;

/** The engine named by the path (404 otherwise). UNVERIFIED: AWS's exact not-found text. */
export function engineOf(call: Call<unknown>): EngineRecord {
  const id = call.params.policyEngineId!;
  const e = call.ctx.store.engine(id);
  if (!e) throw notFound(`Policy engine ${id} not found`);
  return e;
}

/** Settle a just-created engine: a local engine has nothing to provision, so it is ACTIVE from its first read. */
function created(e: EngineRecord) {
  const out = engineOut({ ...e, status: 'CREATING' });
  e.status = 'ACTIVE';
  return out;
}

interface CreateEngineInput {
  name: string;
  description?: string;
  clientToken?: string;
  encryptionKeyArn?: string;
  tags?: Record<string, string>;
}

export function createEngine(
  store: PolicyStore,
  input: CreateEngineInput & { policyEngineId?: string },
  now: number,
): EngineRecord {
  const again = input.clientToken
    ? [...store.engines.values()].find((e) => e.clientToken === input.clientToken)
    : undefined;
  if (again) return again;
  if ([...store.engines.values()].some((e) => e.name === input.name))
    throw conflict(`A policy engine named ${input.name} already exists`);
  const policyEngineId = input.policyEngineId ?? resourceId(input.name);
  const e: EngineRecord = {
    policyEngineId,
    name: input.name,
    policyEngineArn: store.engineArn(policyEngineId),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.encryptionKeyArn ? { encryptionKeyArn: input.encryptionKeyArn } : {}),
    tags: input.tags ?? {},
    createdAt: now,
    updatedAt: now,
    status: 'CREATING',
    statusReasons: [],
    ...(input.clientToken ? { clientToken: input.clientToken } : {}),
  };
  store.engines.set(policyEngineId, e);
  return e;
}

export const engineOperations = [
  op<PolicyCtx, CreateEngineInput>({
    name: 'CreatePolicyEngine',
    method: 'POST',
    path: '/policy-engines',
    status: 202,
    input: CREATE_ENGINE,
    handle: ({ ctx, body }) => {
      const e = createEngine(ctx.store, body, ctx.now());
      return e.status === 'CREATING' ? created(e) : engineOut(e);
    },
  }),
  op<PolicyCtx>({
    name: 'GetPolicyEngine',
    method: 'GET',
    path: '/policy-engines/{policyEngineId}',
    labels: ENGINE_LABELS,
    handle: (call) => engineOut(engineOf(call)),
  }),
  op<PolicyCtx>({
    name: 'ListPolicyEngines',
    method: 'GET',
    path: '/policy-engines',
    handle: ({ ctx, query }) => {
      const page = paginateQuery([...ctx.store.engines.values()], query, { max: 100, default: 10 });
      return { policyEngines: page.items.map(engineOut), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
  }),
  op<PolicyCtx, { description?: { optionalValue?: string } }>({
    name: 'UpdatePolicyEngine',
    method: 'PATCH',
    path: '/policy-engines/{policyEngineId}',
    status: 202,
    labels: ENGINE_LABELS,
    input: UPDATE_ENGINE,
    handle: (call) => {
      const e = engineOf(call);
      // UpdatedDescription: a missing optionalValue clears the description (SDK doc).
      if (call.body.description) {
        const v = call.body.description.optionalValue;
        if (v) e.description = v;
        else delete e.description;
      }
      e.updatedAt = call.ctx.now();
      return engineOut(e);
    },
  }),
  op<PolicyCtx>({
    name: 'DeletePolicyEngine',
    method: 'DELETE',
    path: '/policy-engines/{policyEngineId}',
    status: 202,
    labels: ENGINE_LABELS,
    handle: (call) => {
      const e = engineOf(call);
      const { store } = call.ctx;
      // "The policy engine must not have any associated policies before deletion" (API reference).
      if (store.policiesOf(e.policyEngineId).size)
        throw conflict(`Policy engine ${e.policyEngineId} still has policies: delete them first`);
      store.engines.delete(e.policyEngineId);
      store.forget(e.policyEngineId);
      return engineOut({ ...e, status: 'DELETING', updatedAt: call.ctx.now() });
    },
  }),
  op<PolicyCtx>({
    name: 'GetPolicyEngineSummary',
    method: 'GET',
    path: '/policy-engine-summaries/{policyEngineId}',
    labels: ENGINE_LABELS,
    handle: (call) => engineSummary(engineOf(call)),
  }),
  op<PolicyCtx>({
    name: 'ListPolicyEngineSummaries',
    method: 'GET',
    path: '/policy-engine-summaries',
    handle: ({ ctx, query }) => {
      const page = paginateQuery([...ctx.store.engines.values()], query, { max: 100, default: 10 });
      return {
        policyEngines: page.items.map(engineSummary),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    },
  }),
];
