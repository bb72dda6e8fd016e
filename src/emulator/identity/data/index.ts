/**
 * AgentCore Identity data plane (restJson1, SigV4): GetWorkloadAccessToken[ForJWT|ForUserId], GetResourceOauth2Token
 * (M2M, USER_FEDERATION, ON_BEHALF_OF_TOKEN_EXCHANGE), CompleteResourceTokenAuth, GetResourceApiKey. Paths, bodies,
 * limits and messages follow @aws-sdk/client-bedrock-agentcore and ../shared/docs/agentcore-{identity,errors}.md; where
 * AWS's wording is not known (marked UNVERIFIED) the text is this stack's choice.
 */
import { restJsonService } from '../../api/rest.js';
import type { Handler } from '../../server.js';
import type { IdentityCtx } from '../context.js';
import { getResourceApiKey } from './api-key.js';
import { getResourceOauth2Token } from './resource-token.js';
import { completeResourceTokenAuth } from './user-federation.js';
import {
  getWorkloadAccessToken,
  getWorkloadAccessTokenForJWT,
  getWorkloadAccessTokenForUserId,
} from './workload-tokens.js';

export function createDataPlaneHandler(ctx: IdentityCtx): Handler {
  const operations = [
    getWorkloadAccessToken,
    getWorkloadAccessTokenForUserId,
    getWorkloadAccessTokenForJWT,
    getResourceOauth2Token,
    completeResourceTokenAuth,
    getResourceApiKey,
  ];
  return restJsonService(operations, { ctx, verify: ctx.verify, prefixes: ['/identities/'] });
}
