/**
 * OAuth2 credential providers (control plane): Create (201), Get, Update, List, Delete (204). CustomOauth2 with a
 * discovery URL or authorization server metadata, and the included vendors' shapes; the output echoes
 * onBehalfOfTokenExchangeConfig, clientAuthenticationMethod and privateKeyJwtConfig exactly; `callbackUrl` is per
 * provider, on the stack. Timestamps are epoch seconds.
 */
import type {
  CreateOauth2CredentialProviderRequest,
  GetOauth2CredentialProviderRequest,
  ListOauth2CredentialProvidersRequest,
  UpdateOauth2CredentialProviderRequest,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { conflict, notFound } from '../../api/errors.js';
import { paginate } from '../../api/paginate.js';
import { op } from '../../api/rest.js';
import type { OAuth2Provider } from '../../state.js';
import type { IdentityCtx } from '../context.js';
import { putOAuth2Provider, replaceOAuth2Provider } from '../oauth/registry.js';
import { CONTROL } from '../shapes.js';
import { parseProviderInput, providerConfigOutput } from './provider-input.js';

type Json = Record<string, unknown>;

function oauthProvider(ctx: IdentityCtx, name: string): OAuth2Provider {
  const p = ctx.state.oauth2Providers.get(name);
  if (!p) throw notFound(`Credential provider '${name}' not found`);
  return p;
}

function described(p: OAuth2Provider) {
  return {
    clientSecretArn: { secretArn: p.clientSecretArn },
    name: p.name,
    credentialProviderArn: p.arn,
    credentialProviderVendor: p.vendor,
    oauth2ProviderConfigOutput: providerConfigOutput(p),
    createdTime: p.createdTime,
    lastUpdatedTime: p.lastUpdatedTime,
    callbackUrl: p.callbackUrl,
    status: 'READY',
  };
}

export const createOauth2CredentialProvider = op<IdentityCtx, CreateOauth2CredentialProviderRequest>({
  name: 'CreateOauth2CredentialProvider',
  method: 'POST',
  path: '/identities/CreateOauth2CredentialProvider',
  status: 201,
  input: CONTROL.CreateOauth2CredentialProvider,
  handle: ({ ctx, body }) => {
    const name = body.name!;
    const parsed = parseProviderInput(
      body.credentialProviderVendor!,
      body.oauth2ProviderConfigInput as unknown as Json,
    );
    if (ctx.state.oauth2Providers.has(name) || ctx.state.apiKeyProviders.has(name))
      throw conflict(`Credential provider '${name}' already exists`);
    const p = putOAuth2Provider(ctx, { name, ...parsed, tags: body.tags ?? {} });
    return {
      clientSecretArn: { secretArn: p.clientSecretArn },
      name: p.name,
      credentialProviderArn: p.arn,
      callbackUrl: p.callbackUrl,
      oauth2ProviderConfigOutput: providerConfigOutput(p),
      status: 'READY',
    };
  },
});

export const getOauth2CredentialProvider = op<IdentityCtx, GetOauth2CredentialProviderRequest>({
  name: 'GetOauth2CredentialProvider',
  method: 'POST',
  path: '/identities/GetOauth2CredentialProvider',
  input: CONTROL.GetOauth2CredentialProvider,
  handle: ({ ctx, body }) => described(oauthProvider(ctx, body.name!)),
});

/**
 * The new definition replaces the old one (vendor, client, endpoints, authentication, on-behalf-of config); tokens
 * the vault holds for the provider are dropped, since they came from the old client.
 */
export const updateOauth2CredentialProvider = op<IdentityCtx, UpdateOauth2CredentialProviderRequest>({
  name: 'UpdateOauth2CredentialProvider',
  method: 'POST',
  path: '/identities/UpdateOauth2CredentialProvider',
  input: CONTROL.UpdateOauth2CredentialProvider,
  handle: ({ ctx, body }) => {
    const old = oauthProvider(ctx, body.name!);
    const parsed = parseProviderInput(
      body.credentialProviderVendor!,
      body.oauth2ProviderConfigInput as unknown as Json,
    );
    const p = replaceOAuth2Provider(ctx, old, { name: old.name, ...parsed });
    dropVaultEntries(ctx, p.name);
    return described(p);
  },
});

export const listOauth2CredentialProviders = op<IdentityCtx, ListOauth2CredentialProvidersRequest>({
  name: 'ListOauth2CredentialProviders',
  method: 'POST',
  path: '/identities/ListOauth2CredentialProviders',
  input: CONTROL.ListOauth2CredentialProviders,
  handle: ({ ctx, body }) => {
    const all = [...ctx.state.oauth2Providers.values()].map((p) => ({
      name: p.name,
      credentialProviderVendor: p.vendor,
      credentialProviderArn: p.arn,
      createdTime: p.createdTime,
      lastUpdatedTime: p.lastUpdatedTime,
    }));
    const { items, nextToken } = paginate(all, body, { max: 20 });
    return { credentialProviders: items, ...(nextToken ? { nextToken } : {}) };
  },
});

export const deleteOauth2CredentialProvider = op<IdentityCtx, GetOauth2CredentialProviderRequest>({
  name: 'DeleteOauth2CredentialProvider',
  method: 'POST',
  path: '/identities/DeleteOauth2CredentialProvider',
  status: 204,
  input: CONTROL.DeleteOauth2CredentialProvider,
  handle: ({ ctx, body }) => {
    const p = oauthProvider(ctx, body.name!);
    ctx.state.oauth2Providers.delete(p.name);
    dropVaultEntries(ctx, p.name);
  },
});

function dropVaultEntries(ctx: IdentityCtx, provider: string): void {
  for (const k of [...ctx.state.vault.keys()]) if (k.split('\n')[1] === provider) ctx.state.vault.delete(k);
}
