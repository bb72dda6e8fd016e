/** GetResourceApiKey: the key an API-key credential provider holds, for any valid workload access token. */
import type { GetResourceApiKeyRequest } from '@aws-sdk/client-bedrock-agentcore';
import { MESSAGES, PATHS } from '../../../wire.js';
import { notFound } from '../../api/errors.js';
import { op } from '../../api/rest.js';
import type { IdentityCtx } from '../context.js';
import { DATA } from '../shapes.js';
import { watFor } from './lookup.js';

export const getResourceApiKey = op<IdentityCtx, GetResourceApiKeyRequest>({
  name: 'GetResourceApiKey',
  method: 'POST',
  path: PATHS.getResourceApiKey,
  input: DATA.GetResourceApiKey,
  handle: ({ ctx, body }) => {
    watFor(ctx, body.workloadIdentityToken!);
    const p = ctx.state.apiKeyProviders.get(body.resourceCredentialProviderName!);
    if (!p) throw notFound(MESSAGES.providerNotFound);
    return { apiKey: p.apiKey };
  },
});
