/**
 * The identity half of the stack, assembled: the Cognito-compatible IdP, the 3LO provider (second loopback port), the
 * seeded workload identities and credential providers, and the handlers (IdP, data plane, control plane, 3LO browser
 * leg) in the order stack.ts mounts them. It imports nothing of stack.ts: the summaries it returns are its own types.
 */
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { createCognitoIdp } from './cognito/idp.js';
import { ConfigError, type OAuth2ProviderConfig } from './config.js';
import type { EmuContext } from './context.js';
import { configKeyFor, createControlPlaneHandler } from './identity/control.js';
import { createDataPlaneHandler, JwtRejection } from './identity/dataplane.js';
import { putOAuth2Provider } from './identity/oauth.js';
import type { Handler } from './server.js';
import { createThreeLoFlowHandler } from './threelo/flow.js';
import { startThreeLoProvider } from './threelo/provider.js';

export interface StackClientInfo {
  name: string;
  clientId: string;
  clientSecret?: string;
  explicitAuthFlows: string[];
  allowedOAuthFlows: string[];
  allowedOAuthScopes: string[];
}

/** The stack's own user pool, as LocalStack.userPool shows it. */
export interface UserPoolInfo {
  id: string;
  issuer: string;
  discoveryUrl: string;
  jwksUri: string;
  tokenEndpoint: string;
  authorizationEndpoint: string;
  clients: StackClientInfo[];
  users: Array<{ username: string; password: string; temporaryPassword: boolean }>;
}

/** The seeded credential providers, as LocalStack.credentialProviders shows them. */
export interface CredentialProvidersInfo {
  oauth2: Array<{
    name: string;
    arn: string;
    vendor: string;
    flow: 'M2M' | 'USER_FEDERATION';
    callbackUrl: string;
    scopes: string[];
  }>;
  apiKey: Array<{ name: string; arn: string }>;
}

export interface MountedIdentity {
  handlers: Handler[];
  mintWorkloadAccessToken(input: { workloadName: string; userId?: string; userToken?: string }): string;
  userPoolInfo: UserPoolInfo;
  providersInfo: CredentialProvidersInfo;
  threeLoIssuer: string;
}

export interface MountOptions {
  /** The interface the stack binds (the 3LO provider binds it too). */
  host?: string;
  threeLoPort?: number;
}

type Cognito = Awaited<ReturnType<typeof createCognitoIdp>>;
type ThreeLo = Awaited<ReturnType<typeof startThreeLoProvider>>;

export async function mountIdentity(
  ctx: EmuContext,
  options: MountOptions,
  closers: Array<() => Promise<void>>,
): Promise<MountedIdentity> {
  const { cognito, threeLo } = await startIdps(ctx, options, closers);
  seedIdentity(ctx, cognito, threeLo);
  const verifyUserJwt = userJwtVerifier(ctx, cognito);
  return {
    handlers: [
      cognito.handler,
      createDataPlaneHandler(ctx, { verifyUserJwt }),
      createControlPlaneHandler(ctx),
      createThreeLoFlowHandler(ctx),
    ],
    mintWorkloadAccessToken: (input) => mintWat(ctx, input),
    userPoolInfo: userPoolInfo(ctx, cognito),
    providersInfo: providersInfo(ctx),
    threeLoIssuer: threeLo.issuer,
  };
}

/** Concurrently: each generates an RSA key on the thread pool while the other (oidc-provider's import) uses the CPU. */
async function startIdps(ctx: EmuContext, options: MountOptions, closers: Array<() => Promise<void>>) {
  const { config, origin } = ctx;
  // The 3LO provider binds the interface the stack binds (127.0.0.1 unless --host says otherwise).
  const host = options.host ?? '127.0.0.1';
  const [cognitoStarted, threeLoStarted] = await Promise.allSettled([
    createCognitoIdp(ctx),
    startThreeLoProvider({
      host: host === 'localhost' ? '127.0.0.1' : host,
      port: options.threeLoPort ?? 0,
      clientId: config.threeLo.clientId,
      clientSecret: config.threeLo.clientSecret,
      redirectUriPrefix: `${origin}/identities/oauth2/callback/`,
      autoConsent: config.autoConsent,
      defaultUser: config.threeLo.defaultUser,
      keys: ctx.keys,
    }),
  ]);
  if (threeLoStarted.status === 'fulfilled') closers.push(() => threeLoStarted.value.close());
  if (cognitoStarted.status === 'rejected') throw cognitoStarted.reason;
  if (threeLoStarted.status === 'rejected') throw threeLoStarted.reason;
  return { cognito: cognitoStarted.value, threeLo: threeLoStarted.value };
}

/** The config's workload identities, OAuth2 providers (on the stack's pool or 3LO provider) and API-key providers. */
function seedIdentity(ctx: EmuContext, cognito: Cognito, threeLo: ThreeLo): void {
  const { config, state } = ctx;
  for (const w of config.workloadIdentities)
    state.putWorkloadIdentity(w.name, { allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls });
  for (const p of config.oauth2Providers) seedOAuth2Provider(ctx, p, cognito, threeLo);
  const t = Math.floor(ctx.now() / 1000);
  for (const k of config.apiKeyProviders) {
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

function seedOAuth2Provider(ctx: EmuContext, p: OAuth2ProviderConfig, cognito: Cognito, threeLo: ThreeLo): void {
  const { config } = ctx;
  let discoveryUrl: string | undefined;
  let metadata: { issuer?: string; authorizationEndpoint?: string; tokenEndpoint: string } | undefined;
  let clientId = p.clientId;
  let clientSecret = p.clientSecret;
  if (p.idp.kind === 'userPool') {
    const name = p.idp.client;
    const client = config.userPool.clients.find((c) => c.name === name);
    if (!client) throw new ConfigError(`oauth2Providers: ${p.name}.client`, `no user pool client named "${name}"`);
    discoveryUrl = `${cognito.issuer}/.well-known/openid-configuration`;
    clientId ??= client.clientId;
    clientSecret ??= client.clientSecret;
  } else if (p.idp.kind === 'threeLo') {
    discoveryUrl = threeLo.discoveryUrl;
    clientId ??= config.threeLo.clientId;
    clientSecret ??= config.threeLo.clientSecret;
  } else if (p.idp.kind === 'discovery') discoveryUrl = p.idp.discoveryUrl;
  else
    metadata = {
      ...(p.idp.issuer ? { issuer: p.idp.issuer } : {}),
      ...(p.idp.authorizationEndpoint ? { authorizationEndpoint: p.idp.authorizationEndpoint } : {}),
      tokenEndpoint: p.idp.tokenEndpoint,
    };
  const configKey = configKeyFor(p.vendor);
  putOAuth2Provider(ctx, {
    name: p.name,
    vendor: p.vendor,
    configKey,
    configInput:
      configKey === 'customOauth2ProviderConfig'
        ? { oauthDiscovery: discoveryUrl ? { discoveryUrl } : { authorizationServerMetadata: metadata }, clientId }
        : { clientId },
    clientId: clientId ?? '',
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    ...(discoveryUrl ? { discoveryUrl } : {}),
    ...(metadata ? { metadata } : {}),
  });
}

/** Issuers GetWorkloadAccessTokenForJWT trusts: the stack's pools, plus config.trustedIssuers (resolved lazily). */
function userJwtVerifier(ctx: EmuContext, cognito: Cognito): (token: string) => Promise<JWTPayload> {
  const { config } = ctx;
  const external = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  let externalLoaded: Promise<void> | undefined;
  const loadExternal = () =>
    (externalLoaded ??= (async () => {
      for (const url of config.trustedIssuers) {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
          const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
          if (doc.issuer && doc.jwks_uri) external.set(doc.issuer, createRemoteJWKSet(new URL(doc.jwks_uri)));
        } catch {
          /* unreachable issuer: its tokens are refused */
        }
      }
    })());
  return async (token) => {
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new JwtRejection('Failed to parse token');
    }
    try {
      // The seeded pool and any pool made through CreateUserPool (`agentcore-auth setup` against the stack).
      if (cognito.ownsIssuer(iss)) return await cognito.verify(token);
      if (config.trustedIssuers.length) await loadExternal();
      const jwks = iss ? external.get(iss) : undefined;
      if (!jwks) {
        const trusted = [cognito.issuer, ...external.keys()].join(', ');
        throw new JwtRejection(`Token issuer ${iss ?? '(none)'} is not trusted (trusted: ${trusted})`);
      }
      return (await jwtVerify(token, jwks, { issuer: iss!, currentDate: new Date(ctx.now()) })).payload;
    } catch (e) {
      throw rejection(e);
    }
  };
}

function rejection(e: unknown): JwtRejection {
  if (e instanceof JwtRejection) return e;
  if (e instanceof joseErrors.JWTExpired) return new JwtRejection('Token has expired');
  if (e instanceof joseErrors.JWSSignatureVerificationFailed || e instanceof joseErrors.JWKSNoMatchingKey)
    return new JwtRejection('Token signature is invalid');
  if (e instanceof joseErrors.JWTClaimValidationFailed) return new JwtRejection(`Claim '${e.claim}' is invalid`);
  return new JwtRejection('Failed to parse token');
}

/** A workload access token for a runtime or gateway caller (the user is keyed by `iss#sub` or by user id). */
function mintWat(ctx: EmuContext, input: { workloadName: string; userId?: string; userToken?: string }): string {
  const { state } = ctx;
  if (input.userToken !== undefined) {
    let key: string | undefined;
    try {
      const c = decodeJwt(input.userToken);
      key = `jwt:${String(c.iss)}#${String(c.sub ?? '')}`;
    } catch {
      key = undefined;
    }
    return state.mintWat({
      workloadName: input.workloadName,
      userToken: input.userToken,
      ...(key ? { userKey: key } : {}),
    });
  }
  if (input.userId !== undefined)
    return state.mintWat({ workloadName: input.workloadName, userId: input.userId, userKey: `id:${input.userId}` });
  return state.mintWat({ workloadName: input.workloadName });
}

function userPoolInfo(ctx: EmuContext, cognito: Cognito): UserPoolInfo {
  const { config, origin } = ctx;
  return {
    id: cognito.poolId,
    issuer: cognito.issuer,
    discoveryUrl: `${cognito.issuer}/.well-known/openid-configuration`,
    jwksUri: `${cognito.issuer}/.well-known/jwks.json`,
    tokenEndpoint: `${origin}/oauth2/token`,
    authorizationEndpoint: `${origin}/oauth2/authorize`,
    clients: config.userPool.clients.map((c) => ({
      name: c.name,
      clientId: c.clientId,
      ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
      explicitAuthFlows: [...c.explicitAuthFlows],
      allowedOAuthFlows: [...c.allowedOAuthFlows],
      allowedOAuthScopes: [...c.allowedOAuthScopes],
    })),
    users: config.userPool.users.map((u) => ({
      username: u.username,
      password: u.password,
      temporaryPassword: u.temporaryPassword,
    })),
  };
}

function providersInfo(ctx: EmuContext): CredentialProvidersInfo {
  const { config, state } = ctx;
  return {
    oauth2: config.oauth2Providers.map((p) => {
      const s = state.oauth2Providers.get(p.name)!;
      return {
        name: p.name,
        arn: s.arn,
        vendor: p.vendor,
        flow: p.flow,
        callbackUrl: s.callbackUrl,
        scopes: [...p.scopes],
      };
    }),
    apiKey: config.apiKeyProviders.map((k) => ({ name: k.name, arn: state.apiKeyProviderArn(k.name) })),
  };
}
