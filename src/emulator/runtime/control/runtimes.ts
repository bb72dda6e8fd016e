/**
 * The runtime control plane's runtime operations (SigV4, service `bedrock-agentcore`): CreateAgentRuntime,
 * GetAgentRuntime, UpdateAgentRuntime, ListAgentRuntimes, ListAgentRuntimeVersions, DeleteAgentRuntime — paths and
 * success codes of the SDK model. A change takes effect on the next invocation (registry.ts); the in-progress status
 * the SDK models (CREATING, UPDATING, DELETING) is what these calls answer, and GetAgentRuntime shows READY at once.
 * Messages the service was never recorded saying are the stack's own (UNVERIFIED wording).
 */
import { randomBytes } from 'node:crypto';
import { conflict, notFound, op, paginateQuery, validate } from '../../api/index.js';
import type { RestCall } from '../../api/rest.js';
import type { AgentConfig } from '../config.js';
import type { RuntimeEntry } from '../registry.js';
import type { RuntimeContext } from '../runtime-context.js';
import { agentOf, agentUrlTag, detailsOf } from './configure.js';
import { describeRuntime, runtimeSummary, timestamp } from './describe.js';
import { SHAPES } from './shapes.js';

type Call = RestCall<RuntimeContext>;

/** `<name>-<10 letters and digits>`, as AgentCore makes runtime and endpoint ids. */
export function newId(name: string): string {
  let tail = '';
  while (tail.length < 10)
    tail += randomBytes(12)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '');
  return `${name}-${tail.slice(0, 10)}`;
}

export function runtimeOr404(ctx: RuntimeContext, id: string | undefined): RuntimeEntry {
  const entry = id ? ctx.registry.get(id) : undefined;
  if (!entry) throw notFound(`Agent runtime ${id} not found`);
  return entry;
}

/** A repeated clientToken gets the first call's answer (the SDK fills one in and reuses it when it retries). */
export function idempotent(ctx: RuntimeContext, key: string, token: unknown, run: () => unknown): unknown {
  if (typeof token !== 'string') return run();
  const k = `${key}\n${token}`;
  if (ctx.clientTokens.has(k)) return ctx.clientTokens.get(k);
  const out = run();
  // Bounded: the SDK sends a fresh token with every call; the oldest answers are forgotten first.
  if (ctx.clientTokens.size >= 1000) ctx.clientTokens.delete(ctx.clientTokens.keys().next().value!);
  ctx.clientTokens.set(k, out);
  return out;
}

/** Says, once per change, which stored settings have no effect on this stack. */
function noteLocalOnly(ctx: RuntimeContext, a: AgentConfig): void {
  const jwt = a.authorizerConfiguration?.customJWTAuthorizer;
  if (jwt?.privateEndpoint || jwt?.privateEndpointOverrides)
    ctx.deps.log?.(
      `runtime ${a.name}: privateEndpoint settings are stored and shown, with no effect here ` +
        `(the local stack reaches ${ctx.discoveryOf(jwt)} directly, not through VPC Lattice)`,
    );
}

function create(ctx: RuntimeContext, body: Record<string, unknown>): unknown {
  const name = body.agentRuntimeName as string;
  if (ctx.registry.byName(name)) throw conflict(`An agent runtime named ${name} already exists`);
  const tags = (body.tags ?? {}) as Record<string, string>;
  const agentUrl = agentUrlTag(tags);
  const agent = agentOf(ctx, body, { name, id: newId(name), ...(agentUrl ? { agentUrl } : {}) });
  const entry = ctx.registry.create(agent, detailsOf(body), tags);
  ctx.deps.workloadIdentities?.link(agent.workloadName, agent.allowedResourceOauth2ReturnUrls);
  noteLocalOnly(ctx, agent);
  return {
    agentRuntimeArn: entry.arn,
    agentRuntimeId: agent.id,
    agentRuntimeVersion: entry.latest.version,
    createdAt: timestamp(entry.createdAt),
    status: 'CREATING',
    workloadIdentityDetails: { workloadIdentityArn: ctx.workloadArnOf(agent) },
  };
}

export const createAgentRuntime = op<RuntimeContext>({
  name: 'CreateAgentRuntime',
  method: 'PUT',
  path: '/runtimes/',
  status: 202,
  input: SHAPES.CreateAgentRuntimeRequest,
  handle: ({ ctx, body }) => idempotent(ctx, 'CreateAgentRuntime', body.clientToken, () => create(ctx, body)),
});

function versionQuery(query: URLSearchParams): string | undefined {
  const version = query.get('version') ?? undefined;
  const clientToken = query.get('clientToken') ?? undefined;
  validate({ version, clientToken }, SHAPES.VersionQuery);
  return version;
}

export const getAgentRuntime = op<RuntimeContext>({
  name: 'GetAgentRuntime',
  method: 'GET',
  path: '/runtimes/{agentRuntimeId}/',
  labels: SHAPES.RuntimeLabels,
  handle: ({ ctx, params, query }: Call) => {
    const entry = runtimeOr404(ctx, params.agentRuntimeId);
    const version = versionQuery(query);
    const v = version === undefined ? entry.latest : entry.versions.get(version);
    if (!v) throw notFound(`Agent runtime ${entry.id} has no version ${version}`);
    return describeRuntime(ctx, entry, v);
  },
});

function update(ctx: RuntimeContext, entry: RuntimeEntry, body: Record<string, unknown>): unknown {
  const previous = entry.agent;
  const agent = agentOf(ctx, body, { name: previous.name, id: previous.id, previous });
  const v = ctx.registry.update(entry, agent, detailsOf(body));
  noteLocalOnly(ctx, agent);
  return {
    agentRuntimeArn: entry.arn,
    agentRuntimeId: agent.id,
    workloadIdentityDetails: { workloadIdentityArn: ctx.workloadArnOf(agent) },
    agentRuntimeVersion: v.version,
    createdAt: timestamp(entry.createdAt),
    lastUpdatedAt: timestamp(v.createdAt),
    status: 'UPDATING',
  };
}

export const updateAgentRuntime = op<RuntimeContext>({
  name: 'UpdateAgentRuntime',
  method: 'PUT',
  path: '/runtimes/{agentRuntimeId}/',
  status: 202,
  labels: SHAPES.RuntimeLabels,
  input: SHAPES.UpdateAgentRuntimeRequest,
  handle: ({ ctx, body, params }: Call) => {
    const entry = runtimeOr404(ctx, params.agentRuntimeId);
    return idempotent(ctx, `UpdateAgentRuntime\n${entry.id}`, body.clientToken, () => update(ctx, entry, body));
  },
});

export const listAgentRuntimes = op<RuntimeContext>({
  name: 'ListAgentRuntimes',
  method: 'POST',
  path: '/runtimes/',
  handle: ({ ctx, query }: Call) => {
    const page = paginateQuery(ctx.registry.entries(), query, { max: 100 });
    return {
      agentRuntimes: page.items.map((e) => runtimeSummary(e, e.latest)),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  },
});

export const listAgentRuntimeVersions = op<RuntimeContext>({
  name: 'ListAgentRuntimeVersions',
  method: 'POST',
  path: '/runtimes/{agentRuntimeId}/versions/',
  labels: SHAPES.RuntimeLabels,
  handle: ({ ctx, params, query }: Call) => {
    const entry = runtimeOr404(ctx, params.agentRuntimeId);
    const page = paginateQuery([...entry.versions.values()].reverse(), query, { max: 100 });
    return {
      agentRuntimes: page.items.map((v) => runtimeSummary(entry, v)),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  },
});

function remove(ctx: RuntimeContext, entry: RuntimeEntry, version: string | undefined): unknown {
  const id = entry.id;
  if (version === undefined) {
    ctx.registry.remove(entry);
    ctx.sessions.forgetRuntime(id);
    ctx.deps.workloadIdentities?.unlink(entry.agent.workloadName);
    return { status: 'DELETING', agentRuntimeId: id };
  }
  if (!entry.versions.has(version)) throw notFound(`Agent runtime ${id} has no version ${version}`);
  const users = entry.endpointsOn(version);
  if (users.length)
    throw conflict(`Version ${version} of agent runtime ${id} is served by endpoint(s) ${users.join(', ')}`);
  entry.versions.delete(version);
  return { status: 'DELETING', agentRuntimeId: id, agentRuntimeVersion: version };
}

export const deleteAgentRuntime = op<RuntimeContext>({
  name: 'DeleteAgentRuntime',
  method: 'DELETE',
  path: '/runtimes/{agentRuntimeId}/',
  status: 202,
  labels: SHAPES.RuntimeLabels,
  handle: ({ ctx, params, query }: Call) => {
    const version = versionQuery(query);
    const token = query.get('clientToken');
    const key = `DeleteAgentRuntime\n${params.agentRuntimeId}\n${version ?? ''}`;
    return idempotent(ctx, key, token ?? undefined, () =>
      remove(ctx, runtimeOr404(ctx, params.agentRuntimeId), version),
    );
  },
});

export const RUNTIME_OPERATIONS = [
  createAgentRuntime,
  getAgentRuntime,
  updateAgentRuntime,
  listAgentRuntimes,
  listAgentRuntimeVersions,
  deleteAgentRuntime,
];
