/**
 * oauth2ProviderConfigInput (already checked against its shape) → what the stack keeps: the endpoints (discovery URL,
 * authorization server metadata, or the vendor's known ones), the client, its authentication method and
 * privateKeyJwtConfig, and onBehalfOfTokenExchangeConfig. The echo (`configInput`) keeps every given field except the
 * secret, so the output returns onBehalfOfTokenExchangeConfig, clientAuthenticationMethod and privateKeyJwtConfig
 * exactly as they were given.
 */
import { validationMessage } from '../../api/errors.js';
import type { ClientAuthentication, OnBehalfOfConfig, OAuth2Provider, ProviderEndpoints } from '../../state.js';
import type { NewProvider } from '../oauth/registry.js';
import { configKeyFor, microsoftDiscovery, VENDOR_DISCOVERY } from '../oauth/vendors.js';

type Json = Record<string, unknown>;
type Parsed = Omit<NewProvider, 'name' | 'tags'>;

function endpointsOf(key: string, vendor: string, cfg: Json): { discoveryUrl?: string; metadata?: ProviderEndpoints } {
  if (key === 'customOauth2ProviderConfig') {
    const d = cfg.oauthDiscovery as Json;
    if (typeof d.discoveryUrl === 'string') return { discoveryUrl: d.discoveryUrl };
    const m = d.authorizationServerMetadata as Record<string, string>;
    return {
      metadata: { issuer: m.issuer!, authorizationEndpoint: m.authorizationEndpoint!, tokenEndpoint: m.tokenEndpoint! },
    };
  }
  if (key === 'microsoftOauth2ProviderConfig') return { discoveryUrl: microsoftDiscovery(cfg.tenantId as string) };
  if (key === 'includedOauth2ProviderConfig') {
    const { issuer, authorizationEndpoint, tokenEndpoint } = cfg as Record<string, string | undefined>;
    if (tokenEndpoint)
      return {
        metadata: {
          ...(issuer ? { issuer } : {}),
          ...(authorizationEndpoint ? { authorizationEndpoint } : {}),
          tokenEndpoint,
        },
      };
    if (issuer) return { discoveryUrl: `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration` };
    throw validationMessage(`${vendor} needs issuer or tokenEndpoint in includedOauth2ProviderConfig`);
  }
  const known = VENDOR_DISCOVERY[vendor]!;
  return known.discoveryUrl ? { discoveryUrl: known.discoveryUrl } : { metadata: known.metadata! };
}

function clientAuthOf(cfg: Json, path: string): ClientAuthentication {
  const method =
    (cfg.clientAuthenticationMethod as ClientAuthentication['method'] | undefined) ?? 'CLIENT_SECRET_BASIC';
  const pk = cfg.privateKeyJwtConfig as Json | undefined;
  if (method !== 'PRIVATE_KEY_JWT') return { method };
  // UNVERIFIED wording: the service's answer to PRIVATE_KEY_JWT without its key.
  const arn = ((pk?.privateKeySource as Json | undefined)?.kmsKeySource as Json | undefined)?.kmsKeyArn;
  if (typeof arn !== 'string')
    throw validationMessage(
      `${path}.privateKeyJwtConfig.privateKeySource.kmsKeySource is required for PRIVATE_KEY_JWT`,
    );
  return {
    method,
    kmsKeyArn: arn,
    signingAlgorithm: (pk?.signingAlgorithm as 'RS256' | 'PS256' | 'ES256' | undefined) ?? 'RS256',
    additionalHeaderClaims: (pk?.additionalHeaderClaims as Record<string, string> | undefined) ?? {},
    additionalPayloadClaims: (pk?.additionalPayloadClaims as Record<string, string> | undefined) ?? {},
  };
}

function onBehalfOfOf(cfg: Json, path: string): OnBehalfOfConfig | undefined {
  const o = cfg.onBehalfOfTokenExchangeConfig as Json | undefined;
  if (!o) return undefined;
  const grantType = o.grantType as OnBehalfOfConfig['grantType'];
  const tx = o.tokenExchangeGrantTypeConfig as Json | undefined;
  // UNVERIFIED wording and strictness: the docs say actorTokenScopes is "only valid when actorTokenContent is M2M".
  if (tx?.actorTokenScopes && tx.actorTokenContent !== 'M2M')
    throw validationMessage(`${path}.onBehalfOfTokenExchangeConfig: actorTokenScopes is only valid with M2M`);
  if (tx && grantType !== 'TOKEN_EXCHANGE')
    throw validationMessage(`${path}.onBehalfOfTokenExchangeConfig: tokenExchangeGrantTypeConfig needs TOKEN_EXCHANGE`);
  return {
    grantType,
    ...(tx ? { actorTokenContent: tx.actorTokenContent as NonNullable<OnBehalfOfConfig['actorTokenContent']> } : {}),
    ...(Array.isArray(tx?.actorTokenScopes) ? { actorTokenScopes: tx.actorTokenScopes as string[] } : {}),
  };
}

/** The validated input of Create/UpdateOauth2CredentialProvider → the provider's definition. */
export function parseProviderInput(vendor: string, input: Json): Parsed {
  const key = Object.keys(input).find((k) => input[k] !== undefined && input[k] !== null)!;
  const expected = configKeyFor(vendor);
  if (key !== expected)
    throw validationMessage(`credentialProviderVendor ${vendor} requires oauth2ProviderConfigInput.${expected}`);
  const cfg = input[key] as Json;
  const path = `oauth2ProviderConfigInput.${key}`;
  const { clientSecret, ...echo } = cfg;
  const custom = key === 'customOauth2ProviderConfig';
  const onBehalfOf = custom ? onBehalfOfOf(cfg, path) : undefined;
  return {
    vendor,
    configKey: key,
    configInput: echo,
    clientId: typeof cfg.clientId === 'string' ? cfg.clientId : '',
    ...(typeof clientSecret === 'string' ? { clientSecret } : {}),
    ...endpointsOf(key, vendor, cfg),
    clientAuth: custom ? clientAuthOf(cfg, path) : { method: 'CLIENT_SECRET_BASIC' },
    ...(onBehalfOf ? { onBehalfOf } : {}),
  };
}

function discoveryOut(p: OAuth2Provider): Json {
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

/** Fields of a CustomOauth2 input the output returns as given (CustomOauth2ProviderConfigOutput). */
const CUSTOM_ECHOED = [
  'onBehalfOfTokenExchangeConfig',
  'clientAuthenticationMethod',
  'privateKeyJwtConfig',
  'privateEndpoint',
  'privateEndpointOverrides',
];

export function providerConfigOutput(p: OAuth2Provider): Json {
  const out: Json = { oauthDiscovery: discoveryOut(p), clientId: p.clientId };
  if (p.configKey === 'customOauth2ProviderConfig')
    for (const k of CUSTOM_ECHOED) if (p.configInput[k] !== undefined) out[k] = p.configInput[k];
  return { [p.configKey]: out };
}
