/**
 * A CreateAgentRuntime / UpdateAgentRuntime request (already checked against its shape) → the version it makes: the
 * inbound configuration invocations are checked against (an AgentConfig, as a config file gives one) and the details
 * the control plane stores and shows. UpdateAgentRuntime replaces the whole configuration, as AWS does: a member left
 * out is gone (no authorizerConfiguration = SigV4 again; agentcore-identity.md §3.5).
 *
 * What the API does not carry stays the runtime's own: its container URL on this stack (config `agentUrl`, the
 * `agentcore-auth:agent-url` tag of CreateAgentRuntime, or the built-in sample agent), its workload identity, the
 * OAuth2CallbackUrl it hands the agent.
 */
import { DEFAULT_RETURN_URL } from '../../../wire.js';
import { parseCustomJwtAuthorizer } from '../authorizer-config.js';
import { parseAllowlist, type AgentConfig, type ServerProtocol } from '../config.js';
import { asValidation, httpUrl } from '../fields.js';
import { DEFAULT_LIFECYCLE, type RuntimeDetails } from '../registry.js';
import type { RuntimeContext } from '../runtime-context.js';

/** Local only: a CreateAgentRuntime tag naming the URL of the user's container behind the new runtime. */
export const AGENT_URL_TAG = 'agentcore-auth:agent-url';

type Body = Record<string, unknown>;

function inbound(body: Body): Pick<AgentConfig, 'authorizerConfiguration' | 'requestHeaderAllowlist' | 'protocol'> {
  const auth = body.authorizerConfiguration as { customJWTAuthorizer?: unknown } | undefined;
  const jwt = auth?.customJWTAuthorizer;
  const headers = (body.requestHeaderConfiguration as { requestHeaderAllowlist?: unknown } | undefined)
    ?.requestHeaderAllowlist;
  const protocol = ((body.protocolConfiguration as { serverProtocol?: string } | undefined)?.serverProtocol ??
    'HTTP') as ServerProtocol;
  return asValidation(() => ({
    ...(jwt
      ? {
          authorizerConfiguration: {
            customJWTAuthorizer: parseCustomJwtAuthorizer(jwt, 'authorizerConfiguration.customJWTAuthorizer'),
          },
        }
      : {}),
    requestHeaderAllowlist: parseAllowlist(headers, 'requestHeaderConfiguration.requestHeaderAllowlist', true),
    protocol,
  }));
}

/** The agent a CreateAgentRuntime request makes (`previous` for UpdateAgentRuntime: what the API does not carry). */
export function agentOf(
  ctx: RuntimeContext,
  body: Body,
  who: { name: string; id: string; previous?: AgentConfig; agentUrl?: string },
): AgentConfig {
  const { previous } = who;
  const callback = previous?.oauth2CallbackUrl ?? ctx.deps.defaults?.returnUrl ?? DEFAULT_RETURN_URL;
  const agent: AgentConfig = {
    name: who.name,
    id: who.id,
    ...inbound(body),
    oauth2CallbackUrl: callback,
    workloadName: previous?.workloadName ?? who.id,
    allowedResourceOauth2ReturnUrls: previous?.allowedResourceOauth2ReturnUrls ?? [callback],
  };
  if (typeof body.description === 'string') agent.description = body.description;
  const agentUrl = previous?.agentUrl ?? who.agentUrl;
  if (agentUrl) agent.agentUrl = agentUrl;
  return agent;
}

/** The URL in CreateAgentRuntime's `agentcore-auth:agent-url` tag, checked. */
export function agentUrlTag(tags: Record<string, string> | undefined): string | undefined {
  const url = tags?.[AGENT_URL_TAG];
  return url === undefined ? undefined : asValidation(() => httpUrl(url, `tags.${AGENT_URL_TAG}`));
}

/** What GetAgentRuntime shows of a version besides its inbound configuration. */
export function detailsOf(body: Body): RuntimeDetails {
  const lifecycle = (body.lifecycleConfiguration ?? {}) as Partial<RuntimeDetails['lifecycleConfiguration']>;
  const details: RuntimeDetails = {
    roleArn: body.roleArn as string,
    agentRuntimeArtifact: body.agentRuntimeArtifact as Record<string, unknown>,
    networkConfiguration: (body.networkConfiguration as Record<string, unknown> | undefined) ?? {
      networkMode: 'PUBLIC',
    },
    lifecycleConfiguration: { ...DEFAULT_LIFECYCLE, ...lifecycle },
  };
  const optional = [
    'environmentVariables',
    'filesystemConfigurations',
    'metadataConfiguration',
    'capacityProviderConfiguration',
    'platformVersion',
  ] as const;
  for (const k of optional) if (body[k] !== undefined) (details as unknown as Body)[k] = body[k];
  return details;
}
