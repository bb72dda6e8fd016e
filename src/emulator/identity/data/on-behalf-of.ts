/**
 * ON_BEHALF_OF_TOKEN_EXCHANGE [DG:on-behalf-of-token-exchange] (agentcore-gateway.md §5): the user's JWT bound in the
 * workload access token (GetWorkloadAccessTokenForJWT) is exchanged at the provider's token endpoint, per the
 * provider's onBehalfOfTokenExchangeConfig:
 * - TOKEN_EXCHANGE (RFC 8693): subject_token = the user JWT, subject_token_type …:jwt (a customParameter may override
 *   it); the actor per actorTokenContent — M2M: a client-credentials token of the same provider with actorTokenScopes,
 *   actor_token_type …:access_token; AWS_IAM_ID_TOKEN_JWT: a web-identity JWT of the workload's role (STS stand-in),
 *   aud = the token endpoint, actor_token_type …:jwt; NONE: no actor.
 * - JWT_AUTHORIZATION_GRANT (RFC 7523): assertion = the user JWT; MicrosoftOauth2 adds requested_token_use=on_behalf_of
 *   (and is preconfigured for it without an onBehalfOfTokenExchangeConfig).
 * scopes/audiences/resources/customParameters as oauth/params.ts maps them (audience and resource UNVERIFIED).
 * The client authenticates per clientAuthenticationMethod. Refusals are ValidationExceptions naming the provider's
 * OAuth error (the service's wording is UNVERIFIED). Whether AWS refuses ForUserId or unbound workload tokens for this
 * flow is UNVERIFIED; there is no user JWT to exchange then, so the stack refuses them.
 */
import { createHash } from 'node:crypto';
import { validationMessage } from '../../api/errors.js';
import type { OAuth2Provider, OnBehalfOfConfig, WatInfo } from '../../state.js';
import type { IdentityCtx } from '../context.js';
import { requestKey, tokenParams, type RequestedScope } from '../oauth/params.js';
import { ProviderError, resolveEndpoints, tokenRequest, type TokenParams } from '../oauth/token-endpoint.js';
import { clientCredentialsToken, VAULT_MARGIN_MS } from './m2m.js';

export const GRANT = {
  tokenExchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
  jwtBearer: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
} as const;
export const TOKEN_TYPE = {
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
} as const;

/** UNVERIFIED wording (ours). */
export const OBO_MESSAGES = {
  needsJwt:
    'ON_BEHALF_OF_TOKEN_EXCHANGE needs a workload access token obtained with GetWorkloadAccessTokenForJWT: ' +
    "the user's JWT bound in it is the subject token",
  notConfigured: (name: string) =>
    `Credential provider '${name}' is not configured for on-behalf-of token exchange ` +
    '(customOauth2ProviderConfig.onBehalfOfTokenExchangeConfig)',
  refused: (detail: string) => `On-behalf-of token exchange failed at the credential provider: ${detail}`,
  actorRefused: (detail: string) => `The actor token (client credentials) could not be obtained: ${detail}`,
} as const;

function configOf(provider: OAuth2Provider): OnBehalfOfConfig {
  if (provider.onBehalfOf) return provider.onBehalfOf;
  // MicrosoftOauth2 comes preconfigured for the Entra ID on-behalf-of flow (RFC 7523) [DG].
  if (provider.vendor === 'MicrosoftOauth2') return { grantType: 'JWT_AUTHORIZATION_GRANT' };
  throw validationMessage(OBO_MESSAGES.notConfigured(provider.name));
}

function refusalText(e: ProviderError): string {
  const { error, description } = e.detail;
  return error ? `${error}${description ? ` (${description})` : ''}` : e.message;
}

async function actorParams(
  ctx: IdentityCtx,
  wat: WatInfo,
  provider: OAuth2Provider,
  obo: OnBehalfOfConfig,
): Promise<TokenParams> {
  if (obo.actorTokenContent === 'M2M') {
    try {
      const requested = { scopes: obo.actorTokenScopes ?? [] };
      const actor = await clientCredentialsToken(ctx, wat.workloadName, provider, requested);
      return { actor_token: actor.accessToken, actor_token_type: TOKEN_TYPE.accessToken };
    } catch (e) {
      if (e instanceof ProviderError) throw validationMessage(OBO_MESSAGES.actorRefused(refusalText(e)));
      throw e;
    }
  }
  if (obo.actorTokenContent === 'AWS_IAM_ID_TOKEN_JWT') {
    const { tokenEndpoint } = await resolveEndpoints(provider);
    return { actor_token: await ctx.sts.webIdentityToken(tokenEndpoint), actor_token_type: TOKEN_TYPE.jwt };
  }
  return {};
}

async function grantParams(
  ctx: IdentityCtx,
  wat: WatInfo & { userToken: string },
  provider: OAuth2Provider,
  obo: OnBehalfOfConfig,
): Promise<TokenParams> {
  if (obo.grantType === 'JWT_AUTHORIZATION_GRANT') {
    return {
      grant_type: GRANT.jwtBearer,
      assertion: wat.userToken,
      ...(provider.vendor === 'MicrosoftOauth2' ? { requested_token_use: 'on_behalf_of' } : {}),
    };
  }
  return {
    grant_type: GRANT.tokenExchange,
    subject_token: wat.userToken,
    subject_token_type: TOKEN_TYPE.jwt,
    ...(await actorParams(ctx, wat, provider, obo)),
  };
}

export async function onBehalfOfToken(
  ctx: IdentityCtx,
  wat: WatInfo,
  provider: OAuth2Provider,
  requested: RequestedScope,
): Promise<{ accessToken: string }> {
  const { userToken } = wat;
  if (userToken === undefined) throw validationMessage(OBO_MESSAGES.needsJwt);
  const obo = configOf(provider);
  // One exchange per subject token and request, kept in the vault until a minute before it expires.
  const subject = createHash('sha256').update(userToken).digest('base64url');
  const key = ctx.state.vaultKey(wat.workloadName, provider.name, `obo:${subject}\n${requestKey(requested)}`);
  const cached = ctx.state.vault.get(key);
  if (cached && (cached.expiresAt === undefined || cached.expiresAt - VAULT_MARGIN_MS > ctx.now()))
    return { accessToken: cached.accessToken };
  try {
    const grant = await grantParams(ctx, { ...wat, userToken }, provider, obo);
    const entry = await tokenRequest(ctx, provider, tokenParams(grant, requested));
    ctx.state.vault.set(key, { ...entry, scopes: [...requested.scopes] });
    return { accessToken: entry.accessToken };
  } catch (e) {
    if (e instanceof ProviderError) throw validationMessage(OBO_MESSAGES.refused(refusalText(e)));
    throw e;
  }
}
