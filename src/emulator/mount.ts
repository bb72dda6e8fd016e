/**
 * The identity half of the stack, assembled: seeds the state from the config and returns the handlers (Cognito IdP,
 * data plane, control plane, 3LO browser leg) plus what stack.ts reports.
 */
import type { LocalStack, EmuContext, LocalStackOptions } from './stack.js';
import type { Handler } from './server.js';

export interface MountedIdentity {
  handlers: Handler[];
  mintWorkloadAccessToken(input: { workloadName: string; userId?: string; userToken?: string }): string;
  userPoolInfo: LocalStack['userPool'];
  providersInfo: LocalStack['credentialProviders'];
  threeLoIssuer: string;
}

export async function mountIdentity(ctx: EmuContext, _options: LocalStackOptions, _closers: Array<() => Promise<void>>): Promise<MountedIdentity> {
  const { config, state, origin } = ctx;
  for (const w of config.workloadIdentities) state.putWorkloadIdentity(w.name, { allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls });
  const issuer = `${origin}/${config.userPool.id}`;
  return {
    handlers: [],
    mintWorkloadAccessToken: (input) => state.mintWat({ workloadName: input.workloadName, ...(input.userId !== undefined ? { userId: input.userId, userKey: `id:${input.userId}` } : {}), ...(input.userToken !== undefined ? { userToken: input.userToken } : {}) }),
    userPoolInfo: {
      id: config.userPool.id,
      issuer,
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      tokenEndpoint: `${origin}/oauth2/token`,
      authorizationEndpoint: `${origin}/oauth2/authorize`,
      clients: [],
      users: [],
    },
    providersInfo: { oauth2: [], apiKey: [] },
    threeLoIssuer: '',
  };
}
