/**
 * API-key credential providers (control plane): Create (201), Get, Update, List, Delete (204). The key never leaves.
 */
import type {
  CreateApiKeyCredentialProviderRequest,
  GetApiKeyCredentialProviderRequest,
  ListApiKeyCredentialProvidersRequest,
  UpdateApiKeyCredentialProviderRequest,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { conflict, notFound, validation, validationMessage } from '../../api/errors.js';
import { paginate } from '../../api/paginate.js';
import { op } from '../../api/rest.js';
import type { ApiKeyProvider } from '../../state.js';
import type { IdentityCtx } from '../context.js';
import { CONTROL } from '../shapes.js';

function apiKeyProvider(ctx: IdentityCtx, name: string): ApiKeyProvider {
  const p = ctx.state.apiKeyProviders.get(name);
  if (!p) throw notFound(`Credential provider '${name}' not found`);
  return p;
}

function described(p: ApiKeyProvider) {
  return {
    apiKeySecretArn: { secretArn: p.secretArn },
    name: p.name,
    credentialProviderArn: p.arn,
    createdTime: p.createdTime,
    lastUpdatedTime: p.lastUpdatedTime,
  };
}

/**
 * The key itself: the local stack keeps MANAGED secrets only. An EXTERNAL secret (apiKeySecretConfig, a Secrets
 * Manager reference) has nothing to read locally, so it is refused with the reason (the service's rule is UNVERIFIED).
 */
function keyOf(body: { apiKey?: string; apiKeySecretSource?: string; apiKeySecretConfig?: unknown }): string {
  if (body.apiKeySecretSource === 'EXTERNAL' || body.apiKeySecretConfig)
    throw validationMessage('The local stack has no Secrets Manager: pass apiKey (apiKeySecretSource MANAGED)');
  if (body.apiKey === undefined) throw validation('apiKey', 'Member must not be null');
  return body.apiKey;
}

export const createApiKeyCredentialProvider = op<IdentityCtx, CreateApiKeyCredentialProviderRequest>({
  name: 'CreateApiKeyCredentialProvider',
  method: 'POST',
  path: '/identities/CreateApiKeyCredentialProvider',
  status: 201,
  input: CONTROL.CreateApiKeyCredentialProvider,
  handle: ({ ctx, body }) => {
    const name = body.name!;
    const apiKey = keyOf(body);
    const { state } = ctx;
    if (state.apiKeyProviders.has(name) || state.oauth2Providers.has(name))
      throw conflict(`Credential provider '${name}' already exists`);
    const time = Math.floor(ctx.now() / 1000);
    const p: ApiKeyProvider = {
      name,
      arn: state.apiKeyProviderArn(name),
      apiKey,
      secretArn: state.secretArn('apikey', name),
      tags: body.tags ?? {},
      createdTime: time,
      lastUpdatedTime: time,
    };
    state.apiKeyProviders.set(name, p);
    return { apiKeySecretArn: { secretArn: p.secretArn }, name, credentialProviderArn: p.arn };
  },
});

export const getApiKeyCredentialProvider = op<IdentityCtx, GetApiKeyCredentialProviderRequest>({
  name: 'GetApiKeyCredentialProvider',
  method: 'POST',
  path: '/identities/GetApiKeyCredentialProvider',
  input: CONTROL.GetApiKeyCredentialProvider,
  handle: ({ ctx, body }) => described(apiKeyProvider(ctx, body.name!)),
});

export const updateApiKeyCredentialProvider = op<IdentityCtx, UpdateApiKeyCredentialProviderRequest>({
  name: 'UpdateApiKeyCredentialProvider',
  method: 'POST',
  path: '/identities/UpdateApiKeyCredentialProvider',
  input: CONTROL.UpdateApiKeyCredentialProvider,
  handle: ({ ctx, body }) => {
    const p = apiKeyProvider(ctx, body.name!);
    p.apiKey = keyOf(body);
    p.lastUpdatedTime = Math.floor(ctx.now() / 1000);
    return described(p);
  },
});

export const listApiKeyCredentialProviders = op<IdentityCtx, ListApiKeyCredentialProvidersRequest>({
  name: 'ListApiKeyCredentialProviders',
  method: 'POST',
  path: '/identities/ListApiKeyCredentialProviders',
  input: CONTROL.ListApiKeyCredentialProviders,
  handle: ({ ctx, body }) => {
    const all = [...ctx.state.apiKeyProviders.values()].map((p) => ({
      name: p.name,
      credentialProviderArn: p.arn,
      createdTime: p.createdTime,
      lastUpdatedTime: p.lastUpdatedTime,
    }));
    const { items, nextToken } = paginate(all, body, { max: 20 });
    return { credentialProviders: items, ...(nextToken ? { nextToken } : {}) };
  },
});

export const deleteApiKeyCredentialProvider = op<IdentityCtx, GetApiKeyCredentialProviderRequest>({
  name: 'DeleteApiKeyCredentialProvider',
  method: 'POST',
  path: '/identities/DeleteApiKeyCredentialProvider',
  status: 204,
  input: CONTROL.DeleteApiKeyCredentialProvider,
  handle: ({ ctx, body }) => {
    ctx.state.apiKeyProviders.delete(apiKeyProvider(ctx, body.name!).name);
  },
});
