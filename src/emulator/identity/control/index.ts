/**
 * AgentCore control plane, identity operations (restJson1, SigV4 as `bedrock-agentcore`): workload identities,
 * OAuth2 and API-key credential providers, the token vault. One handler per operation, in files by resource.
 */
import { restJsonService } from '../../api/rest.js';
import type { Handler } from '../../server.js';
import type { IdentityCtx } from '../context.js';
import * as apiKeys from './api-key-providers.js';
import * as oauth2 from './oauth2-providers.js';
import * as vault from './token-vault.js';
import * as workloads from './workloads.js';

export function createControlPlaneHandler(ctx: IdentityCtx): Handler {
  const operations = [
    ...Object.values(workloads),
    ...Object.values(oauth2),
    ...Object.values(apiKeys),
    ...Object.values(vault),
  ];
  return restJsonService(operations, { ctx, verify: ctx.verify, prefixes: ['/identities/'] });
}
