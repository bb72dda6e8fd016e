/**
 * The identity half of the stack, assembled: the Cognito-compatible IdP, the 3LO provider (second loopback port), the
 * seeded workload identities and credential providers, and the handlers (IdP, data plane, control plane, 3LO browser
 * leg) in the order stack.ts mounts them.
 */
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { createCognitoIdp } from './cognito/idp.js';
import { ConfigError } from './config.js';
import { createControlPlaneHandler, configKeyFor } from './identity/control.js';
import { createDataPlaneHandler, JwtRejection } from './identity/dataplane.js';
import { putOAuth2Provider } from './identity/oauth.js';
import type { Handler } from './server.js';
import type { EmuContext } from './context.js';
import type { LocalStack, LocalStackOptions } from './stack.js';
import { createThreeLoFlowHandler } from './threelo/flow.js';
import { startThreeLoProvider } from './threelo/provider.js';

export interface MountedIdentity {
  handlers: Handler[];
  mintWorkloadAccessToken(input: { workloadName: string; userId?: string; userToken?: string }): string;
  userPoolInfo: LocalStack['userPool'];
  providersInfo: LocalStack['credentialProviders'];
  threeLoIssuer: string;
}

export async function mountIdentity(
  ctx: EmuContext,
  options: LocalStackOptions,
  closers: Array<() => Promise<void>>,
): Promise<MountedIdentity> {
  const { config, state, origin } = ctx;
  // The 3LO provider binds the interface the stack binds (127.0.0.1 unless --host says otherwise).
  const host = options.host ?? '127.0.0.1';

  // Concurrently: each generates an RSA key on the thread pool while the other (oidc-provider's import) uses the CPU.
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
  const cognito = cognitoStarted.value;
  const threeLo = threeLoStarted.value;

  for (const w of config.workloadIdentities)
    state.putWorkloadIdentity(w.name, { allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls });
  for (const p of config.oauth2Providers) {
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

  // Issuers GetWorkloadAccessTokenForJWT trusts: the stack's pool, plus config.trustedIssuers (resolved lazily).
  const external = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  let externalLoaded: Promise<void> | undefined;
  const loadExternal = () =>
    (externalLoaded ??= (async () => {
      for (const url of config.trustedIssuers) {
        try {
          const doc = (await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json()) as {
            issuer?: string;
            jwks_uri?: string;
          };
          if (doc.issuer && doc.jwks_uri) external.set(doc.issuer, createRemoteJWKSet(new URL(doc.jwks_uri)));
        } catch {
          /* unreachable issuer: its tokens are refused */
        }
      }
    })());
  async function verifyUserJwt(token: string): Promise<JWTPayload> {
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
      if (!jwks)
        throw new JwtRejection(
          `Token issuer ${iss ?? '(none)'} is not trusted (trusted: ${[cognito.issuer, ...external.keys()].join(', ')})`,
        );
      return (await jwtVerify(token, jwks, { issuer: iss!, currentDate: new Date(ctx.now()) })).payload;
    } catch (e) {
      if (e instanceof JwtRejection) throw e;
      if (e instanceof joseErrors.JWTExpired) throw new JwtRejection('Token has expired');
      if (e instanceof joseErrors.JWSSignatureVerificationFailed || e instanceof joseErrors.JWKSNoMatchingKey)
        throw new JwtRejection('Token signature is invalid');
      if (e instanceof joseErrors.JWTClaimValidationFailed) throw new JwtRejection(`Claim '${e.claim}' is invalid`);
      throw new JwtRejection('Failed to parse token');
    }
  }

  const userPoolInfo: LocalStack['userPool'] = {
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
  const providersInfo: LocalStack['credentialProviders'] = {
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

  return {
    handlers: [
      cognito.handler,
      createDataPlaneHandler(ctx, { verifyUserJwt }),
      createControlPlaneHandler(ctx),
      createThreeLoFlowHandler(ctx),
    ],
    mintWorkloadAccessToken: (input) => {
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
    },
    userPoolInfo,
    providersInfo,
    threeLoIssuer: threeLo.issuer,
  };
}
