/**
 * M2M (client credentials): the provider's token for the workload itself, kept in the vault per workload, provider
 * and request (scopes, audiences, resources, customParameters) until a minute before it expires. Also the actor token
 * of an on-behalf-of exchange with actorTokenContent M2M.
 */
import { MESSAGES } from '../../../wire.js';
import { validationMessage } from '../../api/errors.js';
import type { OAuth2Provider, VaultEntry, WatInfo } from '../../state.js';
import type { IdentityCtx } from '../context.js';
import { requestKey, tokenParams, type RequestedScope } from '../oauth/params.js';
import { ProviderError, tokenRequest } from '../oauth/token-endpoint.js';

/** A cached token is served until this long before it expires. */
export const VAULT_MARGIN_MS = 60_000;

/** The vault's client-credentials token for this request, fetched when missing or about to expire. */
export async function clientCredentialsToken(
  ctx: IdentityCtx,
  workloadName: string,
  provider: OAuth2Provider,
  requested: RequestedScope,
): Promise<VaultEntry> {
  const { state } = ctx;
  const key = state.vaultKey(workloadName, provider.name, `m2m:${requestKey(requested)}`);
  const cached = state.vault.get(key);
  if (cached && (cached.expiresAt === undefined || cached.expiresAt - VAULT_MARGIN_MS > ctx.now())) return cached;
  const entry = await tokenRequest(ctx, provider, tokenParams({ grant_type: 'client_credentials' }, requested));
  const kept = { ...entry, scopes: [...requested.scopes] };
  state.vault.set(key, kept);
  return kept;
}

export async function m2mToken(
  ctx: IdentityCtx,
  wat: WatInfo,
  provider: OAuth2Provider,
  requested: RequestedScope,
): Promise<{ accessToken: string }> {
  try {
    return { accessToken: (await clientCredentialsToken(ctx, wat.workloadName, provider, requested)).accessToken };
  } catch (e) {
    // The service's text for any refusal of the client-credentials call (agentcore-errors.md).
    if (e instanceof ProviderError) throw validationMessage(MESSAGES.clientCredentialsParse);
    throw e;
  }
}
