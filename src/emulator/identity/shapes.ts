/**
 * The request shapes of AgentCore Identity, data plane (@aws-sdk/client-bedrock-agentcore) and control plane
 * (@aws-sdk/client-bedrock-agentcore-control, identity operations), declared once with the models' constraints:
 * members and required-ness from the installed SDKs' schemas; lengths and patterns from the Smithy model and the API
 * reference (../shared/docs/agentcore-identity.md §2–3, agentcore-gateway.md §5). Constraints no source gives are
 * left out rather than guessed, except where marked UNVERIFIED.
 */
import { LIMITS, OAUTH2_FLOW, PATTERNS } from '../../wire.js';
import { bool, doc, enumOf, int, list, map, req, str, struct, union } from '../api/shapes.js';

const workloadName = str({ min: LIMITS.workloadNameMin, max: LIMITS.workloadNameMax, pattern: PATTERNS.workloadName });
const providerName = str({ min: 1, max: LIMITS.providerNameMax, pattern: PATTERNS.providerName });
const userToken = str({ min: 1, max: LIMITS.tokenMax, pattern: PATTERNS.userToken });
const userId = str({ min: 1, max: LIMITS.identityUserIdMax });
const token = str({ min: 1, max: LIMITS.tokenMax });
const sessionUri = str({ min: 1, max: 1024, pattern: PATTERNS.sessionUri });
const returnUrl = str({ min: 1, max: LIMITS.returnUrlMax, pattern: PATTERNS.returnUrl });
const url = str({ min: 1, max: 2048 });
const tags = map(str({ max: 256 }), { key: str({ min: 1, max: 128 }), max: 50 });
const nextToken = str({ min: 1, max: 2048 });
const secretReference = struct({ secretId: req(str({ min: 1, max: 2048 })), jsonKey: req(str({ min: 1, max: 1024 })) });
const secretSource = enumOf(['MANAGED', 'EXTERNAL']);

export const OAUTH2_FLOWS = Object.values(OAUTH2_FLOW);

/** customParameters: keys 1–256 `[a-zA-Z0-9\-_.]`, values 1–2048 [MODEL]; at most 10 members (UNVERIFIED). */
const customParameters = map(str({ min: 1, max: 2048 }), {
  key: str({ min: 1, max: 256, pattern: /^[a-zA-Z0-9\-_.]+$/ }),
});

export const DATA = {
  GetWorkloadAccessToken: struct({ workloadName: req(workloadName) }),
  GetWorkloadAccessTokenForJWT: struct({ workloadName: req(workloadName), userToken: req(userToken) }),
  GetWorkloadAccessTokenForUserId: struct({ workloadName: req(workloadName), userId: req(userId) }),
  GetResourceOauth2Token: struct({
    workloadIdentityToken: req(token),
    resourceCredentialProviderName: req(providerName),
    scopes: req(list(str({ min: 1, max: LIMITS.scopeMax }))),
    oauth2Flow: req(enumOf(OAUTH2_FLOWS)),
    sessionUri,
    resourceOauth2ReturnUrl: returnUrl,
    forceAuthentication: bool(),
    customParameters,
    customState: str({ min: 1, max: LIMITS.customStateMax }),
    // Each 1–2048 [API-DP]; for resources the limits are UNVERIFIED (the same assumed).
    resources: list(str({ min: 1, max: 2048 })),
    audiences: list(str({ min: 1, max: 2048 })),
  }),
  CompleteResourceTokenAuth: struct({
    userIdentifier: req(union({ userToken, userId })),
    sessionUri: req(sessionUri),
  }),
  GetResourceApiKey: struct({ workloadIdentityToken: req(token), resourceCredentialProviderName: req(providerName) }),
} as const;

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

export const CLIENT_AUTH_METHODS = [
  'CLIENT_SECRET_BASIC',
  'CLIENT_SECRET_POST',
  'PRIVATE_KEY_JWT',
  'AWS_IAM_ID_TOKEN_JWT',
] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];
export const OBO_GRANT_TYPES = ['TOKEN_EXCHANGE', 'JWT_AUTHORIZATION_GRANT'] as const;
export const ACTOR_TOKEN_CONTENTS = ['M2M', 'AWS_IAM_ID_TOKEN_JWT', 'NONE'] as const;
export const SIGNING_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;

const clientSecret = str({ min: 1, max: 2048 });
const clientId = str({ min: 1, max: 256 });
/** A vendor's own config member (Google, GitHub, …): the client and its secret. */
const vendorConfig = (extra: Record<string, ReturnType<typeof str>> = {}) =>
  struct({
    clientId: req(clientId),
    clientSecret,
    clientSecretConfig: secretReference,
    clientSecretSource: secretSource,
    ...extra,
  });

const privateEndpoint = doc();
export const CUSTOM_CONFIG = struct({
  oauthDiscovery: req(
    union({
      discoveryUrl: str({ min: 1, max: 2048, pattern: PATTERNS.discoveryUrl }),
      authorizationServerMetadata: struct({
        issuer: req(url),
        authorizationEndpoint: req(url),
        tokenEndpoint: req(url),
        responseTypes: list(str()),
        tokenEndpointAuthMethods: list(str()),
      }),
    }),
  ),
  clientId,
  clientSecret,
  clientSecretConfig: secretReference,
  clientSecretSource: secretSource,
  onBehalfOfTokenExchangeConfig: struct({
    grantType: req(enumOf(OBO_GRANT_TYPES)),
    tokenExchangeGrantTypeConfig: struct({
      actorTokenContent: req(enumOf(ACTOR_TOKEN_CONTENTS)),
      actorTokenScopes: list(str({ min: 1, max: LIMITS.scopeMax })),
    }),
  }),
  clientAuthenticationMethod: enumOf(CLIENT_AUTH_METHODS),
  privateKeyJwtConfig: struct({
    privateKeySource: union({ kmsKeySource: struct({ kmsKeyArn: req(str({ min: 1, max: 2048 })) }) }),
    signingAlgorithm: enumOf(SIGNING_ALGORITHMS),
    additionalHeaderClaims: map(str({ min: 1, max: 2048 }), { key: str({ min: 1, max: 256 }) }),
    additionalPayloadClaims: map(str({ min: 1, max: 2048 }), { key: str({ min: 1, max: 256 }) }),
  }),
  // Stored and echoed; no network effect on the local stack.
  privateEndpoint,
  privateEndpointOverrides: list(doc()),
});

const providerConfigInput = union({
  customOauth2ProviderConfig: CUSTOM_CONFIG,
  googleOauth2ProviderConfig: vendorConfig(),
  githubOauth2ProviderConfig: vendorConfig(),
  slackOauth2ProviderConfig: vendorConfig(),
  salesforceOauth2ProviderConfig: vendorConfig(),
  microsoftOauth2ProviderConfig: vendorConfig({ tenantId: str({ min: 1, max: 2048 }) }),
  atlassianOauth2ProviderConfig: vendorConfig(),
  linkedinOauth2ProviderConfig: vendorConfig(),
  includedOauth2ProviderConfig: vendorConfig({ issuer: url, authorizationEndpoint: url, tokenEndpoint: url }),
});

const byName = (name: typeof workloadName) => struct({ name: req(name) });
const listRequest = struct({ nextToken, maxResults: int({ min: 1, max: 20 }) });
const apiKey = str({ min: 1, max: 65536 });

export const CONTROL = {
  CreateWorkloadIdentity: struct({
    name: req(workloadName),
    allowedResourceOauth2ReturnUrls: list(returnUrl),
    tags,
  }),
  GetWorkloadIdentity: byName(workloadName),
  UpdateWorkloadIdentity: struct({ name: req(workloadName), allowedResourceOauth2ReturnUrls: list(returnUrl) }),
  DeleteWorkloadIdentity: byName(workloadName),
  ListWorkloadIdentities: listRequest,
  CreateOauth2CredentialProvider: struct({
    name: req(providerName),
    credentialProviderVendor: req(enumOf(VENDORS)),
    oauth2ProviderConfigInput: req(providerConfigInput),
    tags,
  }),
  UpdateOauth2CredentialProvider: struct({
    name: req(providerName),
    credentialProviderVendor: req(enumOf(VENDORS)),
    oauth2ProviderConfigInput: req(providerConfigInput),
  }),
  GetOauth2CredentialProvider: byName(providerName),
  DeleteOauth2CredentialProvider: byName(providerName),
  ListOauth2CredentialProviders: listRequest,
  CreateApiKeyCredentialProvider: struct({
    name: req(providerName),
    apiKey,
    apiKeySecretConfig: secretReference,
    apiKeySecretSource: secretSource,
    tags,
  }),
  UpdateApiKeyCredentialProvider: struct({
    name: req(providerName),
    apiKey,
    apiKeySecretConfig: secretReference,
    apiKeySecretSource: secretSource,
  }),
  GetApiKeyCredentialProvider: byName(providerName),
  DeleteApiKeyCredentialProvider: byName(providerName),
  ListApiKeyCredentialProviders: listRequest,
  GetTokenVault: struct({ tokenVaultId: str({ min: 1, max: 64, pattern: /^[a-zA-Z0-9\-_]+$/ }) }),
  SetTokenVaultCMK: struct({
    kmsConfiguration: req(
      struct({
        keyType: req(enumOf(['CustomerManagedKey', 'ServiceManagedKey'])),
        kmsKeyArn: str({ min: 1, max: 2048 }),
      }),
    ),
    tokenVaultId: str({ min: 1, max: 64, pattern: /^[a-zA-Z0-9\-_]+$/ }),
  }),
} as const;
