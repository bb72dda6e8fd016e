/**
 * The control plane's views of a runtime, a version and an endpoint, shaped as the SDK models them
 * (GetAgentRuntimeResponse, AgentRuntime, AgentRuntimeEndpoint). Timestamps are RFC 3339 date-time strings (the
 * model's timestampFormat: the SDK refuses epoch seconds for them).
 * A runtime is READY once an operation on it has answered: the stack has nothing to provision.
 */
import type { RuntimeEndpoint, RuntimeEntry, RuntimeVersion } from '../registry.js';
import type { RuntimeContext } from '../runtime-context.js';

export const timestamp = (ms: number) => new Date(ms).toISOString();

/** GetAgentRuntime (the latest version, or the one asked for). */
export function describeRuntime(ctx: RuntimeContext, e: RuntimeEntry, v: RuntimeVersion): Record<string, unknown> {
  const a = v.agent;
  const jwt = a.authorizerConfiguration?.customJWTAuthorizer;
  return {
    agentRuntimeArn: e.arn,
    agentRuntimeName: a.name,
    agentRuntimeId: a.id,
    agentRuntimeVersion: v.version,
    createdAt: timestamp(e.createdAt),
    lastUpdatedAt: timestamp(v.createdAt),
    status: 'READY',
    ...(a.description ? { description: a.description } : {}),
    workloadIdentityDetails: { workloadIdentityArn: ctx.workloadArnOf(a) },
    protocolConfiguration: { serverProtocol: a.protocol },
    ...v.details,
    ...(jwt
      ? { authorizerConfiguration: { customJWTAuthorizer: { ...jwt, discoveryUrl: ctx.discoveryOf(jwt) } } }
      : {}),
    ...(a.requestHeaderAllowlist.length
      ? { requestHeaderConfiguration: { requestHeaderAllowlist: a.requestHeaderAllowlist } }
      : {}),
  };
}

/** ListAgentRuntimes / ListAgentRuntimeVersions entry (AgentRuntime). */
export function runtimeSummary(e: RuntimeEntry, v: RuntimeVersion): Record<string, unknown> {
  return {
    agentRuntimeArn: e.arn,
    agentRuntimeId: v.agent.id,
    agentRuntimeVersion: v.version,
    agentRuntimeName: v.agent.name,
    description: v.agent.description ?? '',
    lastUpdatedAt: timestamp(v.createdAt),
    status: 'READY',
  };
}

export function endpointArn(e: RuntimeEntry, name: string): string {
  return `${e.arn}/runtime-endpoint/${name}`;
}

/** GetAgentRuntimeEndpoint / ListAgentRuntimeEndpoints entry (AgentRuntimeEndpoint). */
export function describeEndpoint(e: RuntimeEntry, ep: RuntimeEndpoint): Record<string, unknown> {
  return {
    name: ep.name,
    id: ep.id,
    agentRuntimeEndpointArn: endpointArn(e, ep.name),
    agentRuntimeArn: e.arn,
    status: 'READY',
    liveVersion: ep.liveVersion,
    targetVersion: ep.targetVersion,
    ...(ep.description ? { description: ep.description } : {}),
    createdAt: timestamp(ep.createdAt),
    lastUpdatedAt: timestamp(ep.lastUpdatedAt),
  };
}
