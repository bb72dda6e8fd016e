/**
 * The identity half of the stack, assembled: the Cognito-compatible IdP, the 3LO provider (second loopback port), the
 * KMS and STS stand-ins, the seeded workload identities and credential providers, and the handlers (IdP, data plane,
 * control plane, 3LO browser leg, stand-ins) in the order stack.ts mounts them. It imports nothing of stack.ts: the
 * summaries it returns are its own types (UserPoolInfo, CredentialProvidersInfo), which stack.ts re-exports.
 */
import { createCognitoIdp } from './cognito/idp.js';
import type { OAuth2ProviderConfig } from './config.js';
import type { EmuContext } from './context.js';
import { JwtRejection, type IdentityCtx } from './identity/context.js';
import { createControlPlaneHandler } from './identity/control/index.js';
import { createDataPlaneHandler } from './identity/data/index.js';
import { LocalKms } from './identity/kms.js';
import { mintInProcess } from './identity/data/workload-tokens.js';
import { seedApiKeyProviders, seedOAuth2Providers } from './identity/seed.js';
import { createStandInsHandler } from './identity/stand-ins.js';
import { LocalSts } from './identity/sts.js';
import { createUserJwtVerifier } from './identity/user-jwt.js';
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
    flow: OAuth2ProviderConfig['flow'];
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
  const { config, origin } = ctx;
  // The KMS and STS stand-ins (keys made on first use) and the identity handlers' context.
  const kms = new LocalKms(ctx.keys, config.region, config.accountId);
  const sts = new LocalSts(origin, config.accountId, ctx.keys, ctx.now);
  let verifyUserJwt: IdentityCtx['verifyUserJwt'] = async () => {
    throw new JwtRejection('The user pools are not started yet');
  };
  const ictx: IdentityCtx = { ...ctx, verifyUserJwt: (token) => verifyUserJwt(token), kms, sts };
  let ownsIssuer: (iss: string) => boolean = () => false;
  const { cognito, threeLo } = await startIdps(ictx, options, closers, (iss) => ownsIssuer(iss));
  ownsIssuer = (iss) => cognito.ownsIssuer(iss);
  seedIdentity(ictx, cognito, threeLo);
  // Issuers GetWorkloadAccessTokenForJWT trusts: the stack's pools, plus config.trustedIssuers (resolved lazily).
  verifyUserJwt = createUserJwtVerifier(cognito, config.trustedIssuers, ctx.now);
  return {
    handlers: [
      cognito.handler,
      createDataPlaneHandler(ictx),
      createControlPlaneHandler(ictx),
      createThreeLoFlowHandler(ictx),
      createStandInsHandler(ictx),
    ],
    mintWorkloadAccessToken: (input) => mintInProcess(ctx.state, input),
    userPoolInfo: userPoolInfo(ctx, cognito),
    providersInfo: providersInfo(ctx),
    threeLoIssuer: threeLo.issuer,
  };
}

/** Concurrently: each generates an RSA key on the thread pool while the other (oidc-provider's import) uses the CPU. */
async function startIdps(
  ictx: IdentityCtx,
  options: MountOptions,
  closers: Array<() => Promise<void>>,
  ownsIssuer: (iss: string) => boolean,
): Promise<{ cognito: Cognito; threeLo: ThreeLo }> {
  const { config, origin, kms, sts } = ictx;
  // The 3LO provider binds the interface the stack binds (127.0.0.1 unless --host says otherwise).
  const host = options.host ?? '127.0.0.1';
  const [cognitoStarted, threeLoStarted] = await Promise.allSettled([
    createCognitoIdp(ictx),
    startThreeLoProvider({
      host: host === 'localhost' ? '127.0.0.1' : host,
      port: options.threeLoPort ?? 0,
      clientId: config.threeLo.clientId,
      clientSecret: config.threeLo.clientSecret,
      redirectUriPrefix: `${origin}/identities/oauth2/callback/`,
      autoConsent: config.autoConsent,
      defaultUser: config.threeLo.defaultUser,
      keys: ictx.keys,
      // The on-behalf-of grants take the stack's user pools as subject issuers.
      subjectJwksUri: (iss) => (ownsIssuer(iss) ? `${iss}/.well-known/jwks.json` : undefined),
      sts: { issuer: sts.issuer, jwksUri: `${sts.issuer}/.well-known/jwks.json`, roleArn: sts.roleArn },
      kmsJwksUri: kms.jwksUrl(origin, Object.values(kms.seeded())),
      now: ictx.now,
    }),
  ]);
  if (threeLoStarted.status === 'fulfilled') closers.push(() => threeLoStarted.value.close());
  if (cognitoStarted.status === 'rejected') throw cognitoStarted.reason;
  if (threeLoStarted.status === 'rejected') throw threeLoStarted.reason;
  return { cognito: cognitoStarted.value, threeLo: threeLoStarted.value };
}

/** The config's workload identities, OAuth2 and API-key providers (identity/seed.ts). */
function seedIdentity(ictx: IdentityCtx, cognito: Cognito, threeLo: ThreeLo): void {
  const { config, state } = ictx;
  for (const w of config.workloadIdentities)
    state.putWorkloadIdentity(w.name, { allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls });
  seedOAuth2Providers(ictx, { userPoolIssuer: cognito.issuer, threeLoDiscoveryUrl: threeLo.discoveryUrl });
  seedApiKeyProviders(ictx);
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
