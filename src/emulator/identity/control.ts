/**
 * AgentCore control plane, identity subset (restJson1, SigV4 as `bedrock-agentcore`): workload identities
 * (Create/Get/Update/Delete/List), OAuth2 credential providers (Create/Get/List/Delete; CustomOauth2 with a discovery
 * URL or authorization server metadata, and the included vendors' shapes) returning a per-provider `callbackUrl` on the
 * stack, API-key credential providers (Create/Get/List/Delete) and GetTokenVault. Timestamps are epoch seconds.
 */
import { LIMITS, PATTERNS } from '../../wire.js';
import type { Handler } from '../server.js';
import type { EmuContext } from '../context.js';
import type { OAuth2Provider, ProviderEndpoints } from '../state.js';
import {
  ApiError,
  conflict,
  createRouter,
  notFound,
  optMap,
  optString,
  optStringList,
  reqString,
  validation,
  validationMessage,
} from './common.js';
import { microsoftDiscovery, putOAuth2Provider, VENDOR_DISCOVERY } from './oauth.js';

const WORKLOAD_NAME = { min: LIMITS.workloadNameMin, max: LIMITS.workloadNameMax, pattern: PATTERNS.workloadName };
const PROVIDER_NAME = { min: 1, max: LIMITS.providerNameMax, pattern: PATTERNS.providerName };
const RETURN_URL = { min: 1, max: LIMITS.returnUrlMax, pattern: PATTERNS.returnUrl };

export const VENDORS = [
  'AtlassianOauth2',
  'Auth0Oauth2',
  'CognitoOauth2',
  'CustomOauth2',
  'CyberArkOauth2',
  'DropboxOauth2',
  'FacebookOauth2',
  'FusionAuthOauth2',
  'GithubOauth2',
  'GoogleOauth2',
  'HubspotOauth2',
  'LinkedinOauth2',
  'MicrosoftOauth2',
  'NotionOauth2',
  'OktaOauth2',
  'OneLoginOauth2',
  'PingOneOauth2',
  'RedditOauth2',
  'SalesforceOauth2',
  'SlackOauth2',
  'SpotifyOauth2',
  'TwitchOauth2',
  'XOauth2',
  'YandexOauth2',
  'ZoomOauth2',
] as const;

/** Vendor → the oauth2ProviderConfigInput member that configures it (others use includedOauth2ProviderConfig). */
const CONFIG_KEY: Record<string, string> = {
  CustomOauth2: 'customOauth2ProviderConfig',
  GoogleOauth2: 'googleOauth2ProviderConfig',
  GithubOauth2: 'githubOauth2ProviderConfig',
  SlackOauth2: 'slackOauth2ProviderConfig',
  SalesforceOauth2: 'salesforceOauth2ProviderConfig',
  MicrosoftOauth2: 'microsoftOauth2ProviderConfig',
  AtlassianOauth2: 'atlassianOauth2ProviderConfig',
  LinkedinOauth2: 'linkedinOauth2ProviderConfig',
};
/** The oauth2ProviderConfigInput/Output member for a vendor. */
export function configKeyFor(vendor: string): string {
  return CONFIG_KEY[vendor] ?? 'includedOauth2ProviderConfig';
}
const CONFIG_KEYS = [...Object.values(CONFIG_KEY), 'includedOauth2ProviderConfig'];

function tags(body: Record<string, unknown>): Record<string, string> {
  const t = optMap(body, 'tags') ?? {};
  if (Object.keys(t).length > 50) throw validation('tags', 'Member must have length less than or equal to 50');
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, String(v)]));
}

function paginate<T>(items: T[], body: Record<string, unknown>, max = 20): { page: T[]; nextToken?: string } {
  const mr = body.maxResults;
  if (mr !== undefined && (typeof mr !== 'number' || !Number.isInteger(mr) || mr < 1 || mr > max)) {
    throw validation(
      'maxResults',
      mr !== undefined && typeof mr === 'number' && mr < 1
        ? 'Member must have value greater than or equal to 1'
        : `Member must have value less than or equal to ${max}`,
    );
  }
  const size = (mr as number | undefined) ?? max;
  const token = optString(body, 'nextToken');
  const start = token ? Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10) : 0;
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw validationMessage('Invalid nextToken');
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
  return { page, ...(next ? { nextToken: next } : {}) };
}

function discoveryOut(p: OAuth2Provider): Record<string, unknown> {
  if (p.discoveryUrl) return { discoveryUrl: p.discoveryUrl };
  const m = p.metadata!;
  return {
    authorizationServerMetadata: {
      ...(m.issuer ? { issuer: m.issuer } : {}),
      ...(m.authorizationEndpoint ? { authorizationEndpoint: m.authorizationEndpoint } : {}),
      tokenEndpoint: m.tokenEndpoint,
      responseTypes: ['code'],
    },
  };
}

export function providerConfigOutput(p: OAuth2Provider): Record<string, unknown> {
  const out: Record<string, unknown> = { oauthDiscovery: discoveryOut(p), clientId: p.clientId };
  if (p.configKey === 'customOauth2ProviderConfig' && typeof p.configInput.clientAuthenticationMethod === 'string')
    out.clientAuthenticationMethod = p.configInput.clientAuthenticationMethod;
  return { [p.configKey]: out };
}

export function createControlPlaneHandler(ctx: EmuContext): Handler {
  const { state } = ctx;
  const now = () => Math.floor(ctx.now() / 1000);

  function workload(name: string) {
    const w = state.workloadIdentities.get(name);
    // UNVERIFIED: AWS's exact text.
    if (!w) throw notFound(`Workload identity '${name}' not found`);
    return w;
  }
  function workloadOut(w: ReturnType<typeof workload>) {
    return {
      name: w.name,
      workloadIdentityArn: w.arn,
      createdTime: w.createdTime,
      lastUpdatedTime: w.lastUpdatedTime,
      allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls,
    };
  }
  function oauthProvider(name: string) {
    const p = state.oauth2Providers.get(name);
    if (!p) throw notFound(`Credential provider '${name}' not found`);
    return p;
  }
  function apiKeyProvider(name: string) {
    const p = state.apiKeyProviders.get(name);
    if (!p) throw notFound(`Credential provider '${name}' not found`);
    return p;
  }

  function parseOauthInput(
    vendor: string,
    input: Record<string, unknown>,
  ): {
    configKey: string;
    clientId: string;
    clientSecret?: string;
    discoveryUrl?: string;
    metadata?: ProviderEndpoints;
    authMethod: 'client_secret_basic' | 'client_secret_post';
  } {
    const given = Object.keys(input).filter((k) => input[k] !== undefined && input[k] !== null);
    if (given.length !== 1)
      throw validationMessage('oauth2ProviderConfigInput must have exactly one member', 'CannotParse');
    const key = given[0]!;
    if (!CONFIG_KEYS.includes(key))
      throw validationMessage(`Unknown oauth2ProviderConfigInput member ${key}`, 'CannotParse');
    const expected = CONFIG_KEY[vendor] ?? 'includedOauth2ProviderConfig';
    if (key !== expected)
      throw validationMessage(`credentialProviderVendor ${vendor} requires oauth2ProviderConfigInput.${expected}`);
    const cfg = optMap(input, key)!;
    const path = `oauth2ProviderConfigInput.${key}`;
    const clientSecret = optString(cfg, 'clientSecret', { min: 1, max: 2048 }, `${path}.clientSecret`);
    const authMethod =
      cfg.clientAuthenticationMethod === 'CLIENT_SECRET_POST' ? 'client_secret_post' : 'client_secret_basic';
    if (key === 'customOauth2ProviderConfig') {
      const d = optMap(cfg, 'oauthDiscovery');
      if (!d) throw validation(`${path}.oauthDiscovery`, 'Member must not be null');
      const members = Object.keys(d).filter((k) => d[k] !== undefined && d[k] !== null);
      if (members.length !== 1)
        throw validationMessage(
          'oauthDiscovery must have exactly one of discoveryUrl or authorizationServerMetadata',
          'CannotParse',
        );
      const clientId = optString(cfg, 'clientId', { min: 1, max: 256 }, `${path}.clientId`) ?? '';
      if (members[0] === 'discoveryUrl') {
        const discoveryUrl = reqString(
          d,
          'discoveryUrl',
          { min: 1, max: 2048, pattern: PATTERNS.discoveryUrl },
          `${path}.oauthDiscovery.discoveryUrl`,
        );
        return { configKey: key, clientId, ...(clientSecret ? { clientSecret } : {}), discoveryUrl, authMethod };
      }
      const m = optMap(d, 'authorizationServerMetadata')!;
      const mp = `${path}.oauthDiscovery.authorizationServerMetadata`;
      const metadata: ProviderEndpoints = {
        issuer: reqString(m, 'issuer', { min: 1, max: 2048 }, `${mp}.issuer`),
        authorizationEndpoint: reqString(
          m,
          'authorizationEndpoint',
          { min: 1, max: 2048 },
          `${mp}.authorizationEndpoint`,
        ),
        tokenEndpoint: reqString(m, 'tokenEndpoint', { min: 1, max: 2048 }, `${mp}.tokenEndpoint`),
      };
      return { configKey: key, clientId, ...(clientSecret ? { clientSecret } : {}), metadata, authMethod };
    }
    const clientId = reqString(cfg, 'clientId', { min: 1, max: 256 }, `${path}.clientId`);
    if (key === 'microsoftOauth2ProviderConfig') {
      const tenantId = optString(cfg, 'tenantId', { min: 1, max: 2048 }, `${path}.tenantId`);
      return {
        configKey: key,
        clientId,
        ...(clientSecret ? { clientSecret } : {}),
        discoveryUrl: microsoftDiscovery(tenantId),
        authMethod,
      };
    }
    if (key === 'includedOauth2ProviderConfig') {
      const issuer = optString(cfg, 'issuer', { min: 1, max: 2048 }, `${path}.issuer`);
      const authorizationEndpoint = optString(
        cfg,
        'authorizationEndpoint',
        { min: 1, max: 2048 },
        `${path}.authorizationEndpoint`,
      );
      const tokenEndpoint = optString(cfg, 'tokenEndpoint', { min: 1, max: 2048 }, `${path}.tokenEndpoint`);
      if (tokenEndpoint) {
        return {
          configKey: key,
          clientId,
          ...(clientSecret ? { clientSecret } : {}),
          metadata: {
            ...(issuer ? { issuer } : {}),
            ...(authorizationEndpoint ? { authorizationEndpoint } : {}),
            tokenEndpoint,
          },
          authMethod,
        };
      }
      if (issuer)
        return {
          configKey: key,
          clientId,
          ...(clientSecret ? { clientSecret } : {}),
          discoveryUrl: `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
          authMethod,
        };
      throw validationMessage(`${vendor} needs issuer or tokenEndpoint in includedOauth2ProviderConfig`);
    }
    const known = VENDOR_DISCOVERY[vendor]!;
    return {
      configKey: key,
      clientId,
      ...(clientSecret ? { clientSecret } : {}),
      ...(known.discoveryUrl ? { discoveryUrl: known.discoveryUrl } : { metadata: known.metadata! }),
      authMethod,
    };
  }

  const routes = {
    '/identities/CreateWorkloadIdentity': async (body: Record<string, unknown>) => {
      const name = reqString(body, 'name', WORKLOAD_NAME);
      const urls = optStringList(body, 'allowedResourceOauth2ReturnUrls', RETURN_URL) ?? [];
      const t = tags(body);
      // UNVERIFIED: AWS's text for a duplicate name.
      if (state.workloadIdentities.has(name)) throw conflict(`Workload identity '${name}' already exists`);
      const w = state.putWorkloadIdentity(name, { allowedResourceOauth2ReturnUrls: urls, tags: t });
      return {
        status: 201,
        body: {
          name: w.name,
          workloadIdentityArn: w.arn,
          allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls,
        },
      };
    },
    '/identities/GetWorkloadIdentity': async (body: Record<string, unknown>) => ({
      body: workloadOut(workload(reqString(body, 'name', WORKLOAD_NAME))),
    }),
    '/identities/UpdateWorkloadIdentity': async (body: Record<string, unknown>) => {
      const w = workload(reqString(body, 'name', WORKLOAD_NAME));
      w.allowedResourceOauth2ReturnUrls = optStringList(body, 'allowedResourceOauth2ReturnUrls', RETURN_URL) ?? [];
      w.lastUpdatedTime = now();
      return { body: workloadOut(w) };
    },
    '/identities/DeleteWorkloadIdentity': async (body: Record<string, unknown>) => {
      const w = workload(reqString(body, 'name', WORKLOAD_NAME));
      state.workloadIdentities.delete(w.name);
      return { status: 204 };
    },
    '/identities/ListWorkloadIdentities': async (body: Record<string, unknown>) => {
      const all = [...state.workloadIdentities.values()].map((w) => ({ name: w.name, workloadIdentityArn: w.arn }));
      const { page, nextToken } = paginate(all, body);
      return { body: { workloadIdentities: page, ...(nextToken ? { nextToken } : {}) } };
    },

    '/identities/CreateOauth2CredentialProvider': async (body: Record<string, unknown>) => {
      const name = reqString(body, 'name', PROVIDER_NAME);
      const vendor = reqString(body, 'credentialProviderVendor');
      if (!(VENDORS as readonly string[]).includes(vendor))
        throw validation('credentialProviderVendor', `Member must satisfy enum value set: [${VENDORS.join(', ')}]`);
      if (body.oauth2ProviderConfigInput === undefined || body.oauth2ProviderConfigInput === null)
        throw validation('oauth2ProviderConfigInput', 'Member must not be null');
      const input = optMap(body, 'oauth2ProviderConfigInput')!;
      const parsed = parseOauthInput(vendor, input);
      const t = tags(body);
      if (state.oauth2Providers.has(name) || state.apiKeyProviders.has(name))
        throw conflict(`Credential provider '${name}' already exists`);
      const { clientSecret: _secret, ...echo } = optMap(input, parsed.configKey)!;
      const p = putOAuth2Provider(ctx, {
        name,
        vendor,
        configKey: parsed.configKey,
        configInput: echo,
        clientId: parsed.clientId,
        ...(parsed.clientSecret ? { clientSecret: parsed.clientSecret } : {}),
        ...(parsed.discoveryUrl ? { discoveryUrl: parsed.discoveryUrl } : {}),
        ...(parsed.metadata ? { metadata: parsed.metadata } : {}),
        tokenEndpointAuthMethod: parsed.authMethod,
        tags: t,
      });
      return {
        status: 201,
        body: {
          clientSecretArn: { secretArn: p.clientSecretArn },
          name: p.name,
          credentialProviderArn: p.arn,
          callbackUrl: p.callbackUrl,
          oauth2ProviderConfigOutput: providerConfigOutput(p),
          status: 'READY',
        },
      };
    },
    '/identities/GetOauth2CredentialProvider': async (body: Record<string, unknown>) => {
      const p = oauthProvider(reqString(body, 'name', PROVIDER_NAME));
      return {
        body: {
          clientSecretArn: { secretArn: p.clientSecretArn },
          name: p.name,
          credentialProviderArn: p.arn,
          credentialProviderVendor: p.vendor,
          oauth2ProviderConfigOutput: providerConfigOutput(p),
          createdTime: p.createdTime,
          lastUpdatedTime: p.lastUpdatedTime,
          callbackUrl: p.callbackUrl,
          status: 'READY',
        },
      };
    },
    '/identities/ListOauth2CredentialProviders': async (body: Record<string, unknown>) => {
      const all = [...state.oauth2Providers.values()].map((p) => ({
        name: p.name,
        credentialProviderVendor: p.vendor,
        credentialProviderArn: p.arn,
        createdTime: p.createdTime,
        lastUpdatedTime: p.lastUpdatedTime,
      }));
      const { page, nextToken } = paginate(all, body);
      return { body: { credentialProviders: page, ...(nextToken ? { nextToken } : {}) } };
    },
    '/identities/DeleteOauth2CredentialProvider': async (body: Record<string, unknown>) => {
      const p = oauthProvider(reqString(body, 'name', PROVIDER_NAME));
      state.oauth2Providers.delete(p.name);
      for (const k of [...state.vault.keys()]) if (k.split('\n')[1] === p.name) state.vault.delete(k);
      return { status: 204 };
    },

    '/identities/CreateApiKeyCredentialProvider': async (body: Record<string, unknown>) => {
      const name = reqString(body, 'name', PROVIDER_NAME);
      const apiKey = reqString(body, 'apiKey', { min: 1, max: 65536 });
      const t = tags(body);
      if (state.apiKeyProviders.has(name) || state.oauth2Providers.has(name))
        throw conflict(`Credential provider '${name}' already exists`);
      const time = now();
      const p = {
        name,
        arn: state.apiKeyProviderArn(name),
        apiKey,
        secretArn: state.secretArn('apikey', name),
        tags: t,
        createdTime: time,
        lastUpdatedTime: time,
      };
      state.apiKeyProviders.set(name, p);
      return { status: 201, body: { apiKeySecretArn: { secretArn: p.secretArn }, name, credentialProviderArn: p.arn } };
    },
    '/identities/GetApiKeyCredentialProvider': async (body: Record<string, unknown>) => {
      const p = apiKeyProvider(reqString(body, 'name', PROVIDER_NAME));
      return {
        body: {
          apiKeySecretArn: { secretArn: p.secretArn },
          name: p.name,
          credentialProviderArn: p.arn,
          createdTime: p.createdTime,
          lastUpdatedTime: p.lastUpdatedTime,
        },
      };
    },
    '/identities/ListApiKeyCredentialProviders': async (body: Record<string, unknown>) => {
      const all = [...state.apiKeyProviders.values()].map((p) => ({
        name: p.name,
        credentialProviderArn: p.arn,
        createdTime: p.createdTime,
        lastUpdatedTime: p.lastUpdatedTime,
      }));
      const { page, nextToken } = paginate(all, body);
      return { body: { credentialProviders: page, ...(nextToken ? { nextToken } : {}) } };
    },
    '/identities/DeleteApiKeyCredentialProvider': async (body: Record<string, unknown>) => {
      const p = apiKeyProvider(reqString(body, 'name', PROVIDER_NAME));
      state.apiKeyProviders.delete(p.name);
      return { status: 204 };
    },

    '/identities/get-token-vault': async (body: Record<string, unknown>) => {
      const id = optString(body, 'tokenVaultId', { min: 1, max: 64, pattern: /^[a-zA-Z0-9\-_]+$/ });
      if (id !== undefined && id !== state.tokenVault.tokenVaultId) throw notFound(`Token vault '${id}' not found`);
      return {
        body: {
          tokenVaultId: state.tokenVault.tokenVaultId,
          kmsConfiguration: { keyType: state.tokenVault.keyType },
          lastModifiedDate: state.tokenVault.lastModifiedDate,
        },
      };
    },
  };
  const router = createRouter(ctx, routes);
  return router;
}

export { ApiError };
