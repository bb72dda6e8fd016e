/**
 * `teardown` as two plans in one count: finding what `setup --name NAME` made (by tag and exact name), then — once
 * confirmed — deleting it in dependency order: credential provider, workload identity, hosted-UI domain, user pool
 * (its clients, resource server and users go with it). AgentCore resources are looked for only when the pool carries
 * the with-identity tag (setup writes it before creating them), so Cognito-only users need no bedrock-agentcore
 * permission. A dry run, a cancellation or nothing to delete reports the deleting steps as skipped.
 */
import { fromAwsError } from '../aws.js';
import { isNotFound } from '../classify.js';
import {
  runPlan,
  skipPlan,
  type Plan,
  type PlanRun,
  type PlanStep,
  type RunPlanOptions,
  type StepRecord,
} from '../plan.js';
import { cognitoSdk, controlSdk } from '../../sdk.js';
import { setupNames, type SetupNames } from './names.js';
import { allPages, awsCall, describePoolsStep, emptySearch, listPoolsStep, type PoolSearch } from './pools.js';
import { StepFailure, type SetupDeps, type TeardownItem, type TeardownPlan } from './types.js';

interface FindState {
  names: SetupNames;
  search: PoolSearch;
  plan: TeardownPlan;
}

const FIND_STEPS = 5;
const DELETE_STEPS = 4;

function options(deps: SetupDeps, first: number): RunPlanOptions {
  return {
    now: deps.now,
    signal: deps.signal,
    numbering: { first, total: FIND_STEPS + DELETE_STEPS },
    ...(deps.emit ? { emit: deps.emit } : {}),
  };
}

/** Find what `setup --name NAME` made, in deletion order (provider → workload identity → domain → pool). */
export async function planTeardown(
  deps: SetupDeps,
  name: string,
): Promise<{ plan: TeardownPlan; records: StepRecord[] }> {
  const names = setupNames(name);
  const state: FindState = {
    names,
    search: emptySearch(),
    plan: { name: names.name, region: deps.region, items: [], ignoredPools: [], unchecked: [] },
  };
  const plan: Plan<FindState> = [
    listPoolsStep<FindState>(deps, names),
    describePoolsStep<FindState>(deps, names),
    lookUpStep(deps, 'GetOauth2CredentialProvider', 'credential-provider', names.providerName),
    lookUpStep(deps, 'GetWorkloadIdentity', 'workload-identity', names.workloadName),
    listClientsStep(deps),
  ];
  const run = await runPlan(plan, state, options(deps, 1));
  if (run.failure) throw failure(run);
  state.plan.ignoredPools = state.search.ignored;
  // Deletion order: provider → workload identity → domains → pools.
  const order: TeardownItem['kind'][] = ['credential-provider', 'workload-identity', 'domain', 'user-pool'];
  state.plan.items.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  return { plan: state.plan, records: run.records };
}

const withIdentity = (s: FindState) => s.search.tagged.some((p) => p.withIdentity);

/** Look one AgentCore resource up by its exact name: found → planned; not found → nothing; denied → said. */
function lookUpStep(
  deps: SetupDeps,
  operation: 'GetOauth2CredentialProvider' | 'GetWorkloadIdentity',
  kind: 'credential-provider' | 'workload-identity',
  id: string,
): PlanStep<FindState> {
  const what = kind === 'credential-provider' ? 'credential provider' : 'workload identity';
  return {
    operation,
    skip: (s) =>
      !deps.control
        ? 'no control-plane client'
        : withIdentity(s)
          ? undefined
          : 'setup --with-identity did not run on this pool: nothing of AgentCore Identity to look for',
    inputs: () => ({ name: id }),
    run: async (s) => {
      const sdk = controlSdk();
      const client = await deps.control!();
      let arn: string | undefined;
      try {
        arn =
          kind === 'credential-provider'
            ? (await client.send(new sdk.GetOauth2CredentialProviderCommand({ name: id }))).credentialProviderArn
            : (await client.send(new sdk.GetWorkloadIdentityCommand({ name: id }))).workloadIdentityArn;
      } catch (e) {
        if (isNotFound(e)) return { note: 'none' };
        if (fromAwsError(e, operation).code !== 'ERR_AUTH') throw e;
        s.plan.unchecked.push(`${what} ${id}`);
        return { note: `not checked: ${(e as Error).name}` };
      }
      s.plan.items.push({ kind, id, status: 'planned' });
      return { outputs: { arn }, note: 'found' };
    },
  };
}

/** ListUserPoolClients of each tagged pool (what deleting the pool removes); the pools and domains are planned. */
function listClientsStep(deps: SetupDeps): PlanStep<FindState> {
  return {
    operation: 'ListUserPoolClients',
    skip: (s) => (s.search.tagged.length ? undefined : 'no pool made by setup'),
    inputs: (s) => ({ pools: s.search.tagged.map((p) => p.id).join(', ') }),
    run: async (s, step) => {
      const sdk = cognitoSdk();
      for (const p of s.search.tagged) {
        if (p.domain) s.plan.items.push({ kind: 'domain', id: p.domain, poolId: p.id, status: 'planned' });
        if (p.customDomain) s.plan.items.push({ kind: 'domain', id: p.customDomain, poolId: p.id, status: 'planned' });
        const clients = await awsCall('ListUserPoolClients', () =>
          allPages(async (token) => {
            const out = await deps.cognito.send(
              new sdk.ListUserPoolClientsCommand({
                UserPoolId: p.id,
                MaxResults: 60,
                ...(token ? { NextToken: token } : {}),
              }),
            );
            return { items: out.UserPoolClients ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
          }),
        );
        const names = clients.map((c) => `${c.ClientName ?? '?'} (${c.ClientId})`);
        s.plan.items.push({ kind: 'user-pool', id: p.id, contains: names, status: 'planned' });
        step.call('ListUserPoolClients', { pool: p.id, clients: String(names.length) });
      }
      return {};
    },
  };
}

interface DeleteState {
  plan: TeardownPlan;
}

function deletePlan(deps: SetupDeps): Plan<DeleteState> {
  const cognito = () => cognitoSdk();
  const control = async () => deps.control!();
  return [
    deleteStep('DeleteOauth2CredentialProvider', 'credential-provider', async (i) => {
      await (await control()).send(new (controlSdk().DeleteOauth2CredentialProviderCommand)({ name: i.id }));
    }),
    deleteStep('DeleteWorkloadIdentity', 'workload-identity', async (i) => {
      await (await control()).send(new (controlSdk().DeleteWorkloadIdentityCommand)({ name: i.id }));
    }),
    deleteStep('DeleteUserPoolDomain', 'domain', async (i) => {
      await deps.cognito.send(new (cognito().DeleteUserPoolDomainCommand)({ Domain: i.id, UserPoolId: i.poolId! }));
    }),
    deleteStep('DeleteUserPool', 'user-pool', async (i) => {
      await deps.cognito.send(new (cognito().DeleteUserPoolCommand)({ UserPoolId: i.id }));
    }),
  ];
}

/** Delete every planned item of one kind; a missing one counts as gone. */
function deleteStep(
  operation: string,
  kind: TeardownItem['kind'],
  remove: (item: TeardownItem) => Promise<void>,
): PlanStep<DeleteState> {
  const items = (s: DeleteState) => s.plan.items.filter((i) => i.kind === kind);
  return {
    operation,
    skip: (s) => (items(s).length ? undefined : 'nothing of this kind to delete'),
    inputs: (s) => ({
      [kind]: items(s)
        .map((i) => i.id)
        .join(', '),
    }),
    run: async (s, step) => {
      for (const item of items(s)) {
        try {
          await remove(item);
          item.status = 'deleted';
        } catch (e) {
          if (!isNotFound(e)) throw e;
          item.status = 'gone';
        }
        step.call(operation, { [kind]: item.id, result: item.status === 'deleted' ? 'deleted' : 'already gone' });
      }
      return {};
    },
  };
}

/** Delete the planned items in order; a missing one counts as gone. */
export async function runTeardown(deps: SetupDeps, plan: TeardownPlan): Promise<StepRecord[]> {
  const run = await runPlan(deletePlan(deps), { plan }, options(deps, FIND_STEPS + 1));
  if (run.failure) throw failure(run);
  return run.records;
}

function failure(run: PlanRun): StepFailure {
  const { step, error } = run.failure!;
  return new StepFailure(step, fromAwsError(error, step.operation), undefined, run.records);
}

/** The deleting steps, reported as skipped (a dry run, a cancellation, nothing to delete). */
export function skipTeardown(deps: SetupDeps, reason: string): StepRecord[] {
  return skipPlan(deletePlan(deps), reason, options(deps, FIND_STEPS + 1));
}
