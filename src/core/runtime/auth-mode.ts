/**
 * Which inbound mode a runtime expects, read from the control plane: GetAgentRuntimeEndpoint (the qualifier's live
 * version, when the qualifier is not DEFAULT) then GetAgentRuntime. A runtime with `authorizerConfiguration.
 * customJWTAuthorizer` accepts only bearer JWTs; without it, only SigV4. Used by `--auth auto` and to explain an
 * "Authorization method mismatch".
 */
import type {
  BedrockAgentCoreControlClient,
  GetAgentRuntimeCommandOutput,
  CustomJWTAuthorizerConfiguration,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { fromAwsError } from '../aws.js';
import type { RuntimeAuthInfo } from './inbound.js';
import { controlSdk } from '../../sdk.js';

export async function lookupRuntimeAuth(
  client: BedrockAgentCoreControlClient,
  runtimeId: string,
  qualifier: string,
  abortSignal?: AbortSignal,
): Promise<RuntimeAuthInfo> {
  const { GetAgentRuntimeCommand, GetAgentRuntimeEndpointCommand } = controlSdk();
  let version: string | undefined;
  if (qualifier !== 'DEFAULT') {
    try {
      const ep = await client.send(
        new GetAgentRuntimeEndpointCommand({ agentRuntimeId: runtimeId, endpointName: qualifier }),
        { abortSignal },
      );
      version = ep.liveVersion ?? ep.targetVersion;
    } catch (e) {
      throw fromAwsError(e, `GetAgentRuntimeEndpoint (${runtimeId}, endpoint ${qualifier})`);
    }
  }
  let out: GetAgentRuntimeCommandOutput;
  try {
    out = await client.send(
      new GetAgentRuntimeCommand({ agentRuntimeId: runtimeId, ...(version ? { agentRuntimeVersion: version } : {}) }),
      { abortSignal },
    );
  } catch (e) {
    throw fromAwsError(e, `GetAgentRuntime (${runtimeId})`);
  }
  const jwt: CustomJWTAuthorizerConfiguration | undefined = out.authorizerConfiguration?.customJWTAuthorizer;
  const info: RuntimeAuthInfo = {
    mode: jwt ? 'bearer' : 'sigv4',
    runtimeId,
    ...(out.agentRuntimeVersion ? { version: out.agentRuntimeVersion } : {}),
  };
  if (jwt) {
    info.jwt = {
      ...(jwt.discoveryUrl ? { discoveryUrl: jwt.discoveryUrl } : {}),
      ...(jwt.allowedAudience?.length ? { allowedAudience: jwt.allowedAudience } : {}),
      ...(jwt.allowedClients?.length ? { allowedClients: jwt.allowedClients } : {}),
      ...(jwt.allowedScopes?.length ? { allowedScopes: jwt.allowedScopes } : {}),
      ...(jwt.customClaims?.length ? { customClaims: jwt.customClaims.length } : {}),
    };
  }
  if (out.protocolConfiguration?.serverProtocol) info.serverProtocol = out.protocolConfiguration.serverProtocol;
  if (out.status) info.status = out.status;
  const allow = out.requestHeaderConfiguration?.requestHeaderAllowlist;
  if (allow?.length) info.headerAllowlist = allow;
  return info;
}

export function describeAuth(info: RuntimeAuthInfo): string {
  if (info.mode === 'sigv4') return 'IAM SigV4 (no customJWTAuthorizer)';
  const j = info.jwt ?? {};
  const bits = [
    j.allowedClients ? `allowedClients=${j.allowedClients.join(',')}` : undefined,
    j.allowedAudience ? `allowedAudience=${j.allowedAudience.join(',')}` : undefined,
    j.allowedScopes ? `allowedScopes=${j.allowedScopes.join(',')}` : undefined,
  ].filter(Boolean);
  return `OAuth bearer JWT (customJWTAuthorizer${
    j.discoveryUrl ? `, discovery ${j.discoveryUrl}` : ''
  }${bits.length ? `; ${bits.join('; ')}` : ''})`;
}
