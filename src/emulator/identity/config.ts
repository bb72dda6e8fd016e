/**
 * The identity half's sections of the stack config: workload identities, OAuth2 credential providers (where their
 * authorization server is, the flow they are seeded for, on-behalf-of and client authentication) and API-key
 * providers. Field errors are ConfigErrors naming the field (config-fields.ts).
 */
import { LIMITS, PATTERNS } from '../../wire.js';
import { ConfigError, known, list, obj, optStr, str, strList } from '../config-fields.js';

export interface WorkloadIdentityConfig {
  name: string;
  allowedResourceOauth2ReturnUrls: string[];
}

/** Where an OAuth2 credential provider's authorization server is. */
export type ProviderIdp =
  | { kind: 'userPool'; client: string }
  | { kind: 'threeLo' }
  | { kind: 'discovery'; discoveryUrl: string }
  | { kind: 'metadata'; issuer?: string; authorizationEndpoint?: string; tokenEndpoint: string };

export interface OAuth2ProviderConfig {
  name: string;
  vendor: string;
  idp: ProviderIdp;
  /** For `userPool`/`threeLo` providers filled in at start. */
  clientId?: string;
  clientSecret?: string;
  /** The OAuth2 flow this seeded provider is meant for (informational: shown in `local` output). */
  flow: 'M2M' | 'USER_FEDERATION' | 'ON_BEHALF_OF_TOKEN_EXCHANGE';
  /** Default scopes (informational). */
  scopes: string[];
  /** onBehalfOfTokenExchangeConfig (default for an ON_BEHALF_OF_TOKEN_EXCHANGE provider: TOKEN_EXCHANGE, actor M2M). */
  onBehalfOf?: OnBehalfOfProviderConfig;
  /** clientAuthenticationMethod (default CLIENT_SECRET_BASIC); PRIVATE_KEY_JWT signs with `kmsKeyArn`. */
  clientAuthenticationMethod?:
    | 'CLIENT_SECRET_BASIC'
    | 'CLIENT_SECRET_POST'
    | 'PRIVATE_KEY_JWT'
    | 'AWS_IAM_ID_TOKEN_JWT';
  privateKeyJwt?: { kmsKeyArn?: string; signingAlgorithm: 'RS256' | 'PS256' | 'ES256' };
}

export interface OnBehalfOfProviderConfig {
  grantType: 'TOKEN_EXCHANGE' | 'JWT_AUTHORIZATION_GRANT';
  actorTokenContent?: 'M2M' | 'AWS_IAM_ID_TOKEN_JWT' | 'NONE';
  actorTokenScopes?: string[];
}

export interface ApiKeyProviderConfig {
  name: string;
  apiKey: string;
}

export function parseWorkloadIdentities(v: unknown): WorkloadIdentityConfig[] {
  return list(v, 'workloadIdentities').map((w, i) => {
    const f = `workloadIdentities[${i}]`;
    const o = obj(w, f);
    known(o, f, ['name', 'allowedResourceOauth2ReturnUrls']);
    return {
      name: str(o.name, `${f}.name`, {
        min: LIMITS.workloadNameMin,
        max: LIMITS.workloadNameMax,
        pattern: PATTERNS.workloadName,
      }),
      allowedResourceOauth2ReturnUrls: strList(
        o.allowedResourceOauth2ReturnUrls,
        `${f}.allowedResourceOauth2ReturnUrls`,
        [],
      ).map((u, j) =>
        str(u, `${f}.allowedResourceOauth2ReturnUrls[${j}]`, {
          max: LIMITS.returnUrlMax,
          pattern: PATTERNS.returnUrl,
        }),
      ),
    };
  });
}

/**
 * The seeded M2M provider signs in with the pool's `app-client`. A pool of the user's own may name its clients
 * otherwise: the provider then uses the first confidential client (client credentials needs a secret; the same client
 * the seeded agents and gateway treat as the app client), and is left out when every client is public.
 */
export function reseedM2mProvider(cfg: {
  userPool: { clients: Array<{ name: string; clientSecret?: string }> };
  oauth2Providers: OAuth2ProviderConfig[];
}): OAuth2ProviderConfig[] {
  const confidential =
    cfg.userPool.clients.find((c) => c.name === 'app-client' && c.clientSecret) ??
    cfg.userPool.clients.find((c) => c.clientSecret);
  return cfg.oauth2Providers.flatMap((p) => {
    if (p.idp.kind !== 'userPool') return [p];
    return confidential ? [{ ...p, idp: { kind: 'userPool' as const, client: confidential.name } }] : [];
  });
}

export function parseProvider(v: unknown, f: string, clients: ReadonlyArray<{ name: string }>): OAuth2ProviderConfig {
  const o = obj(v, f);
  known(o, f, [
    'name',
    'vendor',
    'idp',
    'client',
    'discoveryUrl',
    'authorizationServerMetadata',
    'clientId',
    'clientSecret',
    'flow',
    'scopes',
    'onBehalfOf',
    'clientAuthenticationMethod',
    'privateKeyJwt',
  ]);
  const name = str(o.name, `${f}.name`, { min: 1, max: LIMITS.providerNameMax, pattern: PATTERNS.providerName });
  const given = ['idp', 'discoveryUrl', 'authorizationServerMetadata'].filter((k) => o[k] !== undefined);
  if (given.length !== 1)
    throw new ConfigError(f, 'give exactly one of idp (userPool | threeLo), discoveryUrl, authorizationServerMetadata');
  const idp = parseProviderIdp(o, f, clients);
  const external = idp.kind === 'discovery' || idp.kind === 'metadata';
  const flow = o.flow === undefined ? (idp.kind === 'threeLo' ? 'USER_FEDERATION' : 'M2M') : str(o.flow, `${f}.flow`);
  if (flow !== 'M2M' && flow !== 'USER_FEDERATION' && flow !== 'ON_BEHALF_OF_TOKEN_EXCHANGE')
    throw new ConfigError(`${f}.flow`, 'must be M2M, USER_FEDERATION or ON_BEHALF_OF_TOKEN_EXCHANGE');
  const clientId = external ? str(o.clientId, `${f}.clientId`) : optStr(o.clientId, `${f}.clientId`);
  const clientSecret = optStr(o.clientSecret, `${f}.clientSecret`);
  return {
    name,
    vendor:
      o.vendor === undefined
        ? 'CustomOauth2'
        : str(o.vendor, `${f}.vendor`, {
            pattern: /^[A-Za-z]+Oauth2$/,
            patternText: 'a credentialProviderVendor such as CustomOauth2',
          }),
    idp,
    flow,
    scopes: strList(o.scopes, `${f}.scopes`, []),
    ...(clientId !== undefined ? { clientId } : {}),
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    ...parseProviderAuth(o, f, flow),
  };
}

/** Where the provider's authorization server is: the stack's user pool or 3LO provider, or the user's own. */
function parseProviderIdp(
  o: Record<string, unknown>,
  f: string,
  clients: ReadonlyArray<{ name: string }>,
): ProviderIdp {
  if (o.idp !== undefined) {
    const kind = str(o.idp, `${f}.idp`);
    if (kind === 'threeLo') return { kind: 'threeLo' };
    if (kind !== 'userPool') throw new ConfigError(`${f}.idp`, 'must be userPool or threeLo');
    const client = str(o.client ?? 'app-client', `${f}.client`);
    if (!clients.some((c) => c.name === client))
      throw new ConfigError(`${f}.client`, `no user pool client named "${client}"`);
    return { kind: 'userPool', client };
  }
  if (o.discoveryUrl !== undefined) {
    return {
      kind: 'discovery',
      discoveryUrl: str(o.discoveryUrl, `${f}.discoveryUrl`, {
        pattern: PATTERNS.discoveryUrl,
        patternText: 'a URL ending in /.well-known/openid-configuration',
      }),
    };
  }
  const at = `${f}.authorizationServerMetadata`;
  const m = obj(o.authorizationServerMetadata, at);
  known(m, at, ['issuer', 'authorizationEndpoint', 'tokenEndpoint']);
  return {
    kind: 'metadata',
    tokenEndpoint: str(m.tokenEndpoint, `${at}.tokenEndpoint`),
    ...(m.issuer !== undefined ? { issuer: str(m.issuer, `${at}.issuer`) } : {}),
    ...(m.authorizationEndpoint !== undefined
      ? { authorizationEndpoint: str(m.authorizationEndpoint, `${at}.authorizationEndpoint`) }
      : {}),
  };
}

/** A provider's onBehalfOf, clientAuthenticationMethod and privateKeyJwt (the identity half's config fields). */
function parseProviderAuth(o: Record<string, unknown>, f: string, flow: OAuth2ProviderConfig['flow']) {
  const oneOf = <const T extends string>(v: unknown, field: string, values: readonly T[]): T => {
    const s = str(v, field);
    if (!(values as readonly string[]).includes(s)) throw new ConfigError(field, `must be one of ${values.join(', ')}`);
    return s as T;
  };
  const out: Pick<OAuth2ProviderConfig, 'onBehalfOf' | 'clientAuthenticationMethod' | 'privateKeyJwt'> = {};
  if (o.onBehalfOf !== undefined) {
    const b = obj(o.onBehalfOf, `${f}.onBehalfOf`);
    known(b, `${f}.onBehalfOf`, ['grantType', 'actorTokenContent', 'actorTokenScopes']);
    out.onBehalfOf = {
      grantType: oneOf(b.grantType ?? 'TOKEN_EXCHANGE', `${f}.onBehalfOf.grantType`, [
        'TOKEN_EXCHANGE',
        'JWT_AUTHORIZATION_GRANT',
      ]),
      ...(b.actorTokenContent !== undefined
        ? {
            actorTokenContent: oneOf(b.actorTokenContent, `${f}.onBehalfOf.actorTokenContent`, [
              'M2M',
              'AWS_IAM_ID_TOKEN_JWT',
              'NONE',
            ]),
          }
        : {}),
      ...(b.actorTokenScopes !== undefined
        ? { actorTokenScopes: strList(b.actorTokenScopes, `${f}.onBehalfOf.actorTokenScopes`, []) }
        : {}),
    };
  } else if (flow === 'ON_BEHALF_OF_TOKEN_EXCHANGE')
    out.onBehalfOf = { grantType: 'TOKEN_EXCHANGE', actorTokenContent: 'M2M' };
  if (o.clientAuthenticationMethod !== undefined)
    out.clientAuthenticationMethod = oneOf(o.clientAuthenticationMethod, `${f}.clientAuthenticationMethod`, [
      'CLIENT_SECRET_BASIC',
      'CLIENT_SECRET_POST',
      'PRIVATE_KEY_JWT',
      'AWS_IAM_ID_TOKEN_JWT',
    ]);
  if (o.privateKeyJwt !== undefined) {
    const k = obj(o.privateKeyJwt, `${f}.privateKeyJwt`);
    known(k, `${f}.privateKeyJwt`, ['kmsKeyArn', 'signingAlgorithm']);
    out.privateKeyJwt = {
      ...(k.kmsKeyArn !== undefined ? { kmsKeyArn: str(k.kmsKeyArn, `${f}.privateKeyJwt.kmsKeyArn`) } : {}),
      signingAlgorithm: oneOf(k.signingAlgorithm ?? 'RS256', `${f}.privateKeyJwt.signingAlgorithm`, [
        'RS256',
        'PS256',
        'ES256',
      ]),
    };
  }
  return out;
}

export function parseApiKeyProviders(v: unknown): ApiKeyProviderConfig[] {
  return list(v, 'apiKeyProviders').map((p, i) => {
    const f = `apiKeyProviders[${i}]`;
    const o = obj(p, f);
    known(o, f, ['name', 'apiKey']);
    return {
      name: str(o.name, `${f}.name`, { min: 1, max: LIMITS.providerNameMax, pattern: PATTERNS.providerName }),
      apiKey: str(o.apiKey, `${f}.apiKey`, { min: 1, max: 65536 }),
    };
  });
}
