/**
 * The runtime endpoint operations: GetAgentRuntimeEndpoint, ListAgentRuntimeEndpoints, and Create / Update /
 * DeleteAgentRuntimeEndpoint. Every runtime has DEFAULT, which follows its latest version and cannot be changed or
 * deleted (the stack's wording, UNVERIFIED); a named endpoint serves the version it points at, and an invocation with
 * `qualifier=<name>` is checked against that version's configuration.
 */
import { conflict, notFound, op, paginateQuery, validationMessage } from '../../api/index.js';
import type { RestCall } from '../../api/rest.js';
import { DEFAULT_ENDPOINT, type RuntimeEndpoint, type RuntimeEntry } from '../registry.js';
import type { RuntimeContext } from '../runtime-context.js';
import { describeEndpoint, endpointArn, timestamp } from './describe.js';
import { idempotent, newId, runtimeOr404 } from './runtimes.js';
import { SHAPES } from './shapes.js';

type Call = RestCall<RuntimeContext>;

function endpointOr404(entry: RuntimeEntry, name: string | undefined): RuntimeEndpoint {
  const ep = name ? entry.endpoints.get(name) : undefined;
  if (!ep) throw notFound(`Agent runtime ${entry.id} has no endpoint ${name}`);
  return ep;
}

function versionOr404(entry: RuntimeEntry, version: unknown): string {
  const v = typeof version === 'string' ? version : entry.latest.version;
  if (!entry.versions.has(v)) throw notFound(`Agent runtime ${entry.id} has no version ${v}`);
  return v;
}

export const getAgentRuntimeEndpoint = op<RuntimeContext>({
  name: 'GetAgentRuntimeEndpoint',
  method: 'GET',
  path: '/runtimes/{agentRuntimeId}/runtime-endpoints/{endpointName}/',
  labels: SHAPES.EndpointLabels,
  handle: ({ ctx, params }: Call) => {
    const entry = runtimeOr404(ctx, params.agentRuntimeId);
    return describeEndpoint(entry, endpointOr404(entry, params.endpointName));
  },
});

export const listAgentRuntimeEndpoints = op<RuntimeContext>({
  name: 'ListAgentRuntimeEndpoints',
  method: 'POST',
  path: '/runtimes/{agentRuntimeId}/runtime-endpoints/',
  labels: SHAPES.RuntimeLabels,
  handle: ({ ctx, params, query }: Call) => {
    const entry = runtimeOr404(ctx, params.agentRuntimeId);
    const page = paginateQuery([...entry.endpoints.values()], query, { max: 100 });
    return {
      runtimeEndpoints: page.items.map((ep) => describeEndpoint(entry, ep)),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  },
});

function create(entry: RuntimeEntry, body: Record<string, unknown>): unknown {
  const name = body.name as string;
  if (entry.endpoints.has(name)) throw conflict(`Agent runtime ${entry.id} already has an endpoint named ${name}`);
  const version = versionOr404(entry, body.agentRuntimeVersion);
  const now = Date.now();
  const ep: RuntimeEndpoint = {
    name,
    id: newId(name),
    liveVersion: version,
    targetVersion: version,
    createdAt: now,
    lastUpdatedAt: now,
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
  };
  entry.endpoints.set(name, ep);
  return {
    targetVersion: version,
    agentRuntimeEndpointArn: endpointArn(entry, name),
    agentRuntimeArn: entry.arn,
    agentRuntimeId: entry.id,
    endpointName: name,
    status: 'CREATING',
    createdAt: timestamp(now),
  };
}

export const createAgentRuntimeEndpoint = op<RuntimeContext>({
  name: 'CreateAgentRuntimeEndpoint',
  method: 'PUT',
  path: '/runtimes/{agentRuntimeId}/runtime-endpoints/',
  status: 202,
  labels: SHAPES.RuntimeLabels,
  input: SHAPES.CreateAgentRuntimeEndpointRequest,
  handle: ({ ctx, params, body }: Call) => {
    const entry = runtimeOr404(ctx, params.agentRuntimeId);
    return idempotent(ctx, `CreateAgentRuntimeEndpoint\n${entry.id}`, body.clientToken, () => create(entry, body));
  },
});

function update(entry: RuntimeEntry, ep: RuntimeEndpoint, body: Record<string, unknown>): unknown {
  if (ep.name === DEFAULT_ENDPOINT)
    throw validationMessage('The DEFAULT endpoint follows the latest version of the runtime; it cannot be updated');
  const version = versionOr404(entry, body.agentRuntimeVersion ?? ep.liveVersion);
  ep.liveVersion = ep.targetVersion = version;
  if (typeof body.description === 'string') ep.description = body.description;
  ep.lastUpdatedAt = Date.now();
  return {
    liveVersion: version,
    targetVersion: version,
    agentRuntimeEndpointArn: endpointArn(entry, ep.name),
    agentRuntimeArn: entry.arn,
    status: 'UPDATING',
    createdAt: timestamp(ep.createdAt),
    lastUpdatedAt: timestamp(ep.lastUpdatedAt),
  };
}

export const updateAgentRuntimeEndpoint = op<RuntimeContext>({
  name: 'UpdateAgentRuntimeEndpoint',
  method: 'PUT',
  path: '/runtimes/{agentRuntimeId}/runtime-endpoints/{endpointName}/',
  status: 202,
  labels: SHAPES.EndpointLabels,
  input: SHAPES.UpdateAgentRuntimeEndpointRequest,
  handle: ({ ctx, params, body }: Call) => {
    const entry = runtimeOr404(ctx, params.agentRuntimeId);
    const ep = endpointOr404(entry, params.endpointName);
    return update(entry, ep, body);
  },
});

export const deleteAgentRuntimeEndpoint = op<RuntimeContext>({
  name: 'DeleteAgentRuntimeEndpoint',
  method: 'DELETE',
  path: '/runtimes/{agentRuntimeId}/runtime-endpoints/{endpointName}/',
  status: 202,
  labels: SHAPES.EndpointLabels,
  handle: ({ ctx, params }: Call) => {
    const entry = runtimeOr404(ctx, params.agentRuntimeId);
    const ep = endpointOr404(entry, params.endpointName);
    if (ep.name === DEFAULT_ENDPOINT)
      throw conflict('The DEFAULT endpoint cannot be deleted; DeleteAgentRuntime deletes the runtime with it');
    entry.endpoints.delete(ep.name);
    return { status: 'DELETING', agentRuntimeId: entry.id, endpointName: ep.name };
  },
});

export const ENDPOINT_OPERATIONS = [
  getAgentRuntimeEndpoint,
  listAgentRuntimeEndpoints,
  createAgentRuntimeEndpoint,
  updateAgentRuntimeEndpoint,
  deleteAgentRuntimeEndpoint,
];
