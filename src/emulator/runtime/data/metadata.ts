/**
 * The OAuth protected-resource metadata (RFC 9728) of a JWT runtime endpoint, the document its 401 challenge points
 * at: `GET /runtimes/{agentRuntimeArn}/invocations/.well-known/oauth-protected-resource?qualifier=…`. Anonymous; the
 * scopes are the advertised ones (allowedScopes through advertisedScopeMapping).
 */
import type { ServerResponse } from 'node:http';
import { ApiError, notFound } from '../../api/errors.js';
import type { EmuRequest } from '../../server.js';
import { advertisedScopes } from '../authorizer-config.js';
import { sendJson } from '../deps.js';
import type { RuntimeContext } from '../runtime-context.js';
import type { Target } from './target.js';

export async function getProtectedResourceMetadata(
  ctx: RuntimeContext,
  _req: EmuRequest,
  res: ServerResponse,
  t: Target,
): Promise<void> {
  const jwt = ctx.effectiveJwt(t.agent);
  if (!jwt)
    throw notFound(`Agent runtime ${t.arn} uses IAM (SigV4) inbound auth; it has no OAuth protected-resource metadata`);
  let issuer: string;
  try {
    issuer = await ctx.authorizer.issuerOf(jwt.discoveryUrl);
  } catch (e) {
    throw new ApiError(500, 'InternalServerException', `Could not read ${jwt.discoveryUrl}: ${(e as Error).message}`);
  }
  const scopes = advertisedScopes(jwt);
  const q = encodeURIComponent(t.qualifier);
  sendJson(res, 200, {
    resource: `${ctx.deps.baseUrl}/runtimes/${encodeURIComponent(t.arn)}/invocations?qualifier=${q}`,
    authorization_servers: [issuer],
    ...(scopes ? { scopes_supported: scopes } : {}),
  });
}
