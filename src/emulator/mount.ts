/**
 * The identity half of the stack, assembled: the Cognito-compatible IdP, the 3LO provider (second loopback port), the
 * seeded workload identities and credential providers, and the handlers (IdP, data plane, control plane, 3LO browser
 * leg) in the order stack.ts mounts them.
 */
import { decodeJwt } from 'jose';
import { createCognitoIdp } from './cognito/idp.js';
import { JwtRejection, type IdentityCtx } from './identity/context.js';
import { createControlPlaneHandler } from './identity/control/index.js';
import { createDataPlaneHandler } from './identity/data/index.js';
import { LocalKms } from './identity/kms.js';
import { seedOAuth2Providers } from './identity/seed.js';
import { createStandInsHandler } from './identity/stand-ins.js';
import { createUserJwtVerifier } from './identity/user-jwt.js';
import { LocalSts } from './identity/sts.js';
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
  // The KMS and STS stand-ins (keys made on first use) and the identity handlers' context.
  const kms = new LocalKms(ctx.keys, config.region, config.accountId);
  const sts = new LocalSts(origin, config.accountId, ctx.keys, ctx.now);
  let verifyUserJwt: IdentityCtx['verifyUserJwt'] = async () => {
    throw new JwtRejection('The user pools are not started yet');
  };
  const ictx: IdentityCtx = { ...ctx, verifyUserJwt: (token) => verifyUserJwt(token), kms, sts };
  let ownsIssuer: (iss: string) => boolean = () => false;

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
      // The on-behalf-of grants take the stack's user pools as subject issuers.
      subjectJwksUri: (iss) => (ownsIssuer(iss) ? `${iss}/.well-known/jwks.json` : undefined),
      sts: { issuer: sts.issuer, jwksUri: `${sts.issuer}/.well-known/jwks.json`, roleArn: sts.roleArn },
      kmsJwksUri: kms.jwksUrl(origin, Object.values(kms.seeded())),
      now: ctx.now,
    }),
  ]);
  if (threeLoStarted.status === 'fulfilled') closers.push(() => threeLoStarted.value.close());
  if (cognitoStarted.status === 'rejected') throw cognitoStarted.reason;
  if (threeLoStarted.status === 'rejected') throw threeLoStarted.reason;
  const cognito = cognitoStarted.value;
  const threeLo = threeLoStarted.value;
  ownsIssuer = (iss) => cognito.ownsIssuer(iss);

  for (const w of config.workloadIdentities)
    state.putWorkloadIdentity(w.name, { allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls });
  seedOAuth2Providers(ictx, { userPoolIssuer: cognito.issuer, threeLoDiscoveryUrl: threeLo.discoveryUrl });
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

  // Issuers GetWorkloadAccessTokenForJWT trusts: the stack's pools, plus config.trustedIssuers (resolved lazily).
  verifyUserJwt = createUserJwtVerifier(cognito, config.trustedIssuers, ctx.now);

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
      createDataPlaneHandler(ictx),
      createControlPlaneHandler(ictx),
      createThreeLoFlowHandler(ictx),
      createStandInsHandler(ictx),
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
