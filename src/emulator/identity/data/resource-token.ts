/**
 * GetResourceOauth2Token: the request checked against its shape, the workload access token and the provider resolved,
 * then the flow: M2M (m2m.ts), USER_FEDERATION (user-federation.ts) or ON_BEHALF_OF_TOKEN_EXCHANGE (on-behalf-of.ts).
 */
import type { GetResourceOauth2TokenRequest } from '@aws-sdk/client-bedrock-agentcore';
import { OAUTH2_FLOW, PATHS } from '../../../wire.js';
import { op } from '../../api/rest.js';
import type { IdentityCtx } from '../context.js';
import type { RequestedScope } from '../oauth/params.js';
import { DATA } from '../shapes.js';
import { oauth2ProviderFor, watFor } from './lookup.js';
import { m2mToken } from './m2m.js';
import { onBehalfOfToken } from './on-behalf-of.js';
import { userFederationToken } from './user-federation.js';

export const getResourceOauth2Token = op<IdentityCtx, GetResourceOauth2TokenRequest>({
  name: 'GetResourceOauth2Token',
  method: 'POST',
  path: PATHS.getResourceOauth2Token,
  input: DATA.GetResourceOauth2Token,
  handle: ({ ctx, body }) => {
    const wat = watFor(ctx, body.workloadIdentityToken!);
    const provider = oauth2ProviderFor(ctx, body.resourceCredentialProviderName!);
    const requested: RequestedScope = {
      scopes: body.scopes ?? [],
      audiences: body.audiences,
      resources: body.resources,
      customParameters: body.customParameters,
    };
    if (body.oauth2Flow === OAUTH2_FLOW.M2M) return m2mToken(ctx, wat, provider, requested);
    if (body.oauth2Flow === OAUTH2_FLOW.ON_BEHALF_OF_TOKEN_EXCHANGE)
      return onBehalfOfToken(ctx, wat, provider, requested);
    return userFederationToken(ctx, wat, provider, body);
  },
});
