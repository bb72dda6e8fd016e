/**
 * A gateway read from the control plane (GetGateway), for the commands that take `--gateway-id` or need the
 * authorizer behind `--gateway-url` (mcp, invoke --gateway-url, doctor): its URL, and the inbound mode `--auth auto`
 * chooses from its authorizerType (CUSTOM_JWT → bearer; AWS_IAM / AUTHENTICATE_ONLY → SigV4; NONE → a bearer token
 * when one was given, else SigV4, which the gateway ignores).
 */
import type { GetGatewayCommandOutput } from '@aws-sdk/client-bedrock-agentcore-control';
import { usageError } from '../core/errors.js';
import type { RuntimeAuthInfo } from '../core/runtime/inbound.js';
import { controlSdk } from '../sdk.js';
import type { Io } from './io.js';

/**
 * The gateway id of a gatewayUrl: the local stack's `/gateways/{id}/mcp`, or AWS's `{id}.gateway.bedrock-agentcore…`.
 */
export function gatewayIdFromUrl(url: string): string | undefined {
  const u = new URL(url);
  return (
    /^\/gateways\/([^/]+)(\/|$)/.exec(u.pathname)?.[1] ??
    (/\.gateway\.bedrock-agentcore\./.test(u.hostname) ? u.hostname.split('.')[0] : undefined)
  );
}

export async function getGateway(io: Io, id: string, region: string): Promise<GetGatewayCommandOutput> {
  const { GetGatewayCommand } = controlSdk();
  const { fromAwsError } = await import('../core/aws.js');
  try {
    return await (await io.aws.control(region)).send(new GetGatewayCommand({ gatewayIdentifier: id }), {
      abortSignal: io.ctx.signal,
    });
  } catch (e) {
    const err = fromAwsError(e, `GetGateway (${id})`);
    if (err.details?.errorName === 'ResourceNotFoundException')
      err.hint = `No gateway ${id} in ${region}: check the id (ListGateways) and --region.`;
    throw err;
  }
}

/** The inbound mode for `--auth auto` from a gateway's authorizer. */
export function gatewayAuthInfo(out: GetGatewayCommandOutput, hasBearer: boolean): RuntimeAuthInfo {
  const jwt = out.authorizerConfiguration?.customJWTAuthorizer;
  const type = out.authorizerType;
  return {
    mode: type === 'CUSTOM_JWT' || (type === 'NONE' && hasBearer) ? 'bearer' : 'sigv4',
    runtimeId: out.gatewayId ?? '',
    ...(jwt
      ? {
          jwt: {
            ...(jwt.discoveryUrl ? { discoveryUrl: jwt.discoveryUrl } : {}),
            ...(jwt.allowedClients?.length ? { allowedClients: jwt.allowedClients } : {}),
            ...(jwt.allowedAudience?.length ? { allowedAudience: jwt.allowedAudience } : {}),
            ...(jwt.allowedScopes?.length ? { allowedScopes: jwt.allowedScopes } : {}),
          },
        }
      : {}),
  };
}

/** `--auth auto` behind a gateway URL: GetGateway by the id in the URL (or the answer already read). */
export function gatewayAuthLookup(
  io: Io,
  url: string,
  region: string,
  hasBearer: boolean,
  known?: GetGatewayCommandOutput,
): () => Promise<RuntimeAuthInfo> {
  return async () => {
    let out = known;
    if (!out) {
      const id = gatewayIdFromUrl(url);
      if (!id)
        throw usageError(
          '--auth auto: cannot read the gateway id from --gateway-url',
          'Pass --auth sigv4 or a bearer flag.',
        );
      out = await getGateway(io, id, region);
    }
    const type = out.authorizerType ?? '?';
    if (type === 'NONE') io.ui.note(`  the gateway has authorizerType NONE: it checks no caller credential`);
    else if (type === 'AUTHENTICATE_ONLY')
      io.ui.note('  the gateway has authorizerType AUTHENTICATE_ONLY: SigV4, no IAM check');
    return gatewayAuthInfo(out, hasBearer);
  };
}
