/**
 * The local OAuth provider's oidc-provider configuration: its clients, its one API (JWT access tokens, RFC 9068),
 * scopes, lifetimes, accounts and error page.
 *
 * Clients: the 3LO client (authorization code + PKCE, refresh; client_secret_basic) and one on-behalf-of client per
 * client-authentication method AgentCore Identity uses — each may use token exchange, JWT bearer and client
 * credentials (the M2M actor):
 *   agentcore-local-obo        client_secret_basic   (the seeded `local-obo` credential provider)
 *   agentcore-local-obo-post   client_secret_post
 *   agentcore-local-obo-pkjwt  private_key_jwt, keys = the KMS stand-in's two seeded keys (RS256/PS256, ES256)
 *   agentcore-local-obo-iam    AWS_IAM_ID_TOKEN_JWT: federated, the STS stand-in's role (federation.ts)
 * The secret-based clients share the 3LO client's secret.
 */
import type { OidcErrors, OidcRenderErrorContext } from './oidc-types.js';
import { errorPage } from './pages.js';

export const THREELO_RESOURCE = 'urn:agentcore-local:3lo-api';
export const THREELO_API_SCOPES = 'api:read api:write';
/** `audience` values the provider accepts on its on-behalf-of grants (each becomes the token's `aud`). */
export const OBO_AUDIENCES = [THREELO_RESOURCE, 'local-api'] as const;

export const OBO_CLIENTS = {
  basic: 'agentcore-local-obo',
  post: 'agentcore-local-obo-post',
  privateKeyJwt: 'agentcore-local-obo-pkjwt',
  awsIam: 'agentcore-local-obo-iam',
} as const;

const OBO_GRANTS = [
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'client_credentials',
];

export const RESOURCE_SERVER_INFO = {
  scope: THREELO_API_SCOPES,
  audience: THREELO_RESOURCE,
  accessTokenTTL: 3600,
  accessTokenFormat: 'jwt',
  jwt: { sign: { alg: 'RS256' } },
};

export interface ConfigurationInput {
  clientId: string;
  clientSecret: string;
  redirectUriPrefix: string;
  jwk: Record<string, unknown>;
  /** The KMS stand-in's JWKS URL of the keys the private_key_jwt client has registered. */
  kmsJwksUri: string;
  extraClaims: WeakMap<object, Record<string, unknown>>;
  errors: OidcErrors;
}

function clients(input: ConfigurationInput) {
  const obo = (client_id: string, token_endpoint_auth_method: string, extra: Record<string, unknown> = {}) => ({
    client_id,
    redirect_uris: [],
    response_types: [],
    grant_types: OBO_GRANTS,
    token_endpoint_auth_method,
    scope: THREELO_API_SCOPES,
    ...extra,
  });
  return [
    {
      client_id: input.clientId,
      client_secret: input.clientSecret,
      // The real list is checked by the redirectUriAllowed override (provider.ts): callback URLs are per provider.
      redirect_uris: [`${input.redirectUriPrefix}seed`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: `openid profile email offline_access ${THREELO_API_SCOPES}`,
    },
    obo(OBO_CLIENTS.basic, 'client_secret_basic', { client_secret: input.clientSecret }),
    obo(OBO_CLIENTS.post, 'client_secret_post', { client_secret: input.clientSecret }),
    obo(OBO_CLIENTS.privateKeyJwt, 'private_key_jwt', { jwks_uri: input.kmsJwksUri }),
    obo(OBO_CLIENTS.awsIam, 'none'),
  ];
}

export function providerConfiguration(input: ConfigurationInput): Record<string, unknown> {
  const { errors, jwk } = input;
  return {
    clients: clients(input),
    jwks: { keys: [jwk] },
    cookies: {
      keys: [
        Buffer.from(String(jwk.n ?? 'x'))
          .toString('base64url')
          .slice(0, 32),
      ],
    },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', ...THREELO_API_SCOPES.split(' ')],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    issueRefreshToken: async () => true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 120,
      ClientCredentials: 3600,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 86400,
    },
    async findAccount(_ctx: unknown, sub: string) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: `${sub}@example.com`, email_verified: true, name: sub };
        },
      };
    },
    extraTokenClaims: async (_ctx: unknown, token: object) => input.extraClaims.get(token),
    // oidc-provider's outgoing fetches refuse loopback addresses (SSRF protection); the one it makes here — the
    // private_key_jwt client's jwks_uri on the stack — is loopback by design, so that URL alone goes without it.
    fetch: (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _protected, ...plain } = options;
      return fetch(url, String(url) === input.kmsJwksUri ? plain : options);
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => THREELO_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== THREELO_RESOURCE) throw new errors.InvalidTarget();
          return RESOURCE_SERVER_INFO;
        },
      },
    },
    async renderError(ctx: OidcRenderErrorContext, out: Record<string, string>) {
      ctx.type = 'html';
      ctx.body = errorPage(String(out.error ?? 'error'), String(out.error_description ?? ''));
    },
  };
}
