/**
 * The configured (or seeded) credential providers put in state at start (API-key providers as they are): each one's
 * authorization server (the stack's user pool, the local OAuth provider, a discovery URL or metadata), client, client
 * authentication and on-behalf-of configuration, echoed by GetOauth2CredentialProvider as if it had been created
 * through the control plane.
 */
import type { OAuth2ProviderConfig, StackConfig } from '../config.js';
import { ConfigError } from '../config.js';
import type { ClientAuthentication, ProviderEndpoints } from '../state.js';
import { OBO_CLIENTS } from '../threelo/configuration.js';
import type { IdentityCtx } from './context.js';
import { putOAuth2Provider } from './oauth/registry.js';
import { configKeyFor } from './oauth/vendors.js';

export interface SeedIssuers {
  /** The stack's user pool issuer (M2M providers of the pool). */
  userPoolIssuer: string;
  /** The local OAuth provider's discovery URL. */
  threeLoDiscoveryUrl: string;
}

/** The local OAuth provider's client for an on-behalf-of provider: the one registered for its auth method. */
function oboClientId(method: ClientAuthentication['method']): string {
  if (method === 'CLIENT_SECRET_POST') return OBO_CLIENTS.post;
  if (method === 'PRIVATE_KEY_JWT') return OBO_CLIENTS.privateKeyJwt;
  if (method === 'AWS_IAM_ID_TOKEN_JWT') return OBO_CLIENTS.awsIam;
  return OBO_CLIENTS.basic;
}

function clientAuthOf(ctx: IdentityCtx, p: OAuth2ProviderConfig): ClientAuthentication {
  const method = p.clientAuthenticationMethod ?? 'CLIENT_SECRET_BASIC';
  if (method !== 'PRIVATE_KEY_JWT') return { method };
  const alg = p.privateKeyJwt?.signingAlgorithm ?? 'RS256';
  const seeded = ctx.kms.seeded();
  const kmsKeyArn = p.privateKeyJwt?.kmsKeyArn ?? (alg === 'ES256' ? seeded.ec : seeded.rsa);
  return { method, kmsKeyArn, signingAlgorithm: alg, additionalHeaderClaims: {}, additionalPayloadClaims: {} };
}

/** The config's echo of a seeded provider, in CustomOauth2ProviderConfigInput's terms. */
function echoOf(p: OAuth2ProviderConfig, clientId: string | undefined, auth: ClientAuthentication, d: Endpoints) {
  return {
    oauthDiscovery: d.discoveryUrl ? { discoveryUrl: d.discoveryUrl } : { authorizationServerMetadata: d.metadata },
    clientId,
    ...(p.onBehalfOf
      ? {
          onBehalfOfTokenExchangeConfig: {
            grantType: p.onBehalfOf.grantType,
            ...(p.onBehalfOf.actorTokenContent
              ? {
                  tokenExchangeGrantTypeConfig: {
                    actorTokenContent: p.onBehalfOf.actorTokenContent,
                    ...(p.onBehalfOf.actorTokenScopes ? { actorTokenScopes: p.onBehalfOf.actorTokenScopes } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(p.clientAuthenticationMethod ? { clientAuthenticationMethod: p.clientAuthenticationMethod } : {}),
    ...(auth.method === 'PRIVATE_KEY_JWT'
      ? {
          privateKeyJwtConfig: {
            privateKeySource: { kmsKeySource: { kmsKeyArn: auth.kmsKeyArn } },
            signingAlgorithm: auth.signingAlgorithm,
          },
        }
      : {}),
  };
}

interface Endpoints {
  discoveryUrl?: string;
  metadata?: ProviderEndpoints;
}

function endpointsOf(p: OAuth2ProviderConfig, issuers: SeedIssuers): Endpoints {
  if (p.idp.kind === 'userPool') return { discoveryUrl: `${issuers.userPoolIssuer}/.well-known/openid-configuration` };
  if (p.idp.kind === 'threeLo') return { discoveryUrl: issuers.threeLoDiscoveryUrl };
  if (p.idp.kind === 'discovery') return { discoveryUrl: p.idp.discoveryUrl };
  const { issuer, authorizationEndpoint, tokenEndpoint } = p.idp;
  return {
    metadata: {
      ...(issuer ? { issuer } : {}),
      ...(authorizationEndpoint ? { authorizationEndpoint } : {}),
      tokenEndpoint,
    },
  };
}

/** The client a seeded provider signs in with, when the config does not name one. */
function defaultClient(config: StackConfig, p: OAuth2ProviderConfig, auth: ClientAuthentication) {
  if (p.idp.kind === 'userPool') {
    const name = p.idp.client;
    const client = config.userPool.clients.find((c) => c.name === name);
    if (!client) throw new ConfigError(`oauth2Providers: ${p.name}.client`, `no user pool client named "${name}"`);
    return { clientId: client.clientId, clientSecret: client.clientSecret };
  }
  if (p.idp.kind !== 'threeLo') return {};
  const clientId = p.flow === 'ON_BEHALF_OF_TOKEN_EXCHANGE' ? oboClientId(auth.method) : config.threeLo.clientId;
  const secretless = auth.method === 'PRIVATE_KEY_JWT' || auth.method === 'AWS_IAM_ID_TOKEN_JWT';
  return { clientId, clientSecret: secretless ? undefined : config.threeLo.clientSecret };
}

export function seedOAuth2Providers(ctx: IdentityCtx, issuers: SeedIssuers): void {
  const { config } = ctx;
  for (const p of config.oauth2Providers) {
    const clientAuth = clientAuthOf(ctx, p);
    const fallback = defaultClient(config, p, clientAuth);
    const clientId = p.clientId ?? fallback.clientId;
    const clientSecret = p.clientSecret ?? fallback.clientSecret;
    const endpoints = endpointsOf(p, issuers);
    const configKey = configKeyFor(p.vendor);
    putOAuth2Provider(ctx, {
      name: p.name,
      vendor: p.vendor,
      configKey,
      configInput:
        configKey === 'customOauth2ProviderConfig' ? echoOf(p, clientId, clientAuth, endpoints) : { clientId },
      clientId: clientId ?? '',
      ...(clientSecret !== undefined ? { clientSecret } : {}),
      ...endpoints,
      clientAuth,
      ...(p.onBehalfOf ? { onBehalfOf: p.onBehalfOf } : {}),
    });
  }
}

export function seedApiKeyProviders(ctx: IdentityCtx): void {
  const { state } = ctx;
  const t = Math.floor(ctx.now() / 1000);
  for (const k of ctx.config.apiKeyProviders) {
    state.apiKeyProviders.set(k.name, {
      name: k.name,
      arn: state.apiKeyProviderArn(k.name),
      apiKey: k.apiKey,
      secretArn: state.secretArn('apikey', k.name),
      tags: {},
      createdTime: t,
      lastUpdatedTime: t,
    });
  }
}
