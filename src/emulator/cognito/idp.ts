/**
 * A Cognito-compatible user pool service: awsJson1_1 `POST /` with `X-Amz-Target:
 * AWSCognitoIdentityProviderService.<Op>` (one handler per operation, in files by resource: user-pools, clients,
 * resource-servers, users, sign-up, groups, auth-flows, challenges, mfa, sessions), each pool's OIDC discovery and
 * JWKS at `/{poolId}/.well-known/…`, and the hosted UI (`/oauth2/token`, `/oauth2/authorize`, `/login`,
 * `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`). Tokens follow Cognito's claim sets (tokens.ts); error names and
 * messages follow agentcore-errors.md §7.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { SIGNING_NAME } from '../../wire.js';
import { awsJsonService } from '../api/index.js';
import type { EmuContext } from '../context.js';
import { sendJson } from '../respond.js';
import type { Handler } from '../server.js';
import { adminInitiateAuth, initiateAuth } from './auth-flows.js';
import { Challenges } from './challenge-store.js';
import { adminRespondToAuthChallenge, respondToAuthChallenge } from './challenges.js';
import * as clients from './clients.js';
import type { CognitoCtx, CognitoOp } from './context.js';
import * as groups from './groups.js';
import { authorizeEndpoint, loginPost, logoutEndpoint } from './hosted-ui.js';
import * as mfa from './mfa.js';
import { discovery, revokeEndpoint, tokenEndpoint, userInfoEndpoint } from './oauth-endpoints.js';
import { newPool, newUser, poolKey, PoolRegistry, type Pool } from './pools.js';
import * as resourceServers from './resource-servers.js';
import * as sessions from './sessions.js';
import * as signUp from './sign-up.js';
import { TokenService } from './tokens.js';
import * as userPools from './user-pools.js';
import * as users from './users.js';

export { withQuery } from './hosted-ui.js';

export interface CognitoIdp {
  /** The seeded pool (from the stack config). */
  poolId: string;
  issuer: string;
  handler: Handler;
  /** Verify a token one of this IdP's pools issued (signature, iss, exp). */
  verify(token: string): Promise<JWTPayload>;
  /** Whether `iss` is one of this IdP's pools (the seeded one or one made through CreateUserPool). */
  ownsIssuer(iss: unknown): boolean;
  jwks(): { keys: JWK[] };
  registry: PoolRegistry;
}

const OPERATIONS = [
  ...Object.values(userPools),
  ...Object.values(clients),
  ...Object.values(resourceServers),
  ...Object.values(users),
  ...Object.values(signUp),
  ...Object.values(groups),
  ...Object.values(mfa),
  ...Object.values(sessions),
  initiateAuth,
  adminInitiateAuth,
  respondToAuthChallenge,
  adminRespondToAuthChallenge,
].filter((o): o is CognitoOp => typeof o === 'object' && o !== null && 'name' in o && 'handle' in o);

/** Operations that do not change a pool (its LastModifiedDate stays). */
const READS = /^(Describe|List|Get|AdminGet|AdminList)/;

/** The seeded pool: the config's users, groups, clients and the resource servers of the clients' custom scopes. */
async function seededPool(ctx: EmuContext): Promise<Pool> {
  const { config } = ctx;
  const seed = config.userPool;
  const t0 = ctx.now();
  const pool = newPool({
    id: seed.id,
    name: seed.name,
    region: config.region,
    accountId: config.accountId,
    origin: ctx.origin,
    now: t0,
    key: await poolKey(ctx.keys),
  });
  for (const g of seed.groups)
    pool.groups.set(g.name, {
      name: g.name,
      ...(g.description !== undefined ? { description: g.description } : {}),
      ...(g.roleArn !== undefined ? { roleArn: g.roleArn } : {}),
      ...(g.precedence !== undefined ? { precedence: g.precedence } : {}),
      createdAt: t0,
      lastModifiedAt: t0,
    });
  if (seed.preTokenGeneration)
    pool.lambdaConfig = {
      PreTokenGenerationConfig: {
        LambdaArn: seed.preTokenGeneration.lambdaArn,
        LambdaVersion: seed.preTokenGeneration.lambdaVersion,
      },
    };
  for (const u of seed.users) {
    const { sub, ...attributes } = u.attributes;
    const user = newUser({
      username: u.username,
      sub: sub ?? randomUUID(),
      password: u.password,
      status: u.temporaryPassword ? 'FORCE_CHANGE_PASSWORD' : 'CONFIRMED',
      attributes,
      now: t0,
    });
    for (const g of u.groups ?? []) user.groups.add(g);
    for (const name of Object.keys(attributes))
      if (name.startsWith('custom:')) pool.customAttributes.set(name.slice(7), { type: 'String', mutable: true });
    pool.users.set(u.username, user);
  }
  return pool;
}

function seedClients(registry: PoolRegistry, pool: Pool, ctx: EmuContext): void {
  const t0 = ctx.now();
  for (const c of ctx.config.userPool.clients) {
    registry.addClient(pool, {
      ...c,
      settings: {},
      createdAt: t0,
      lastModifiedAt: t0,
      logoutUrls: c.logoutUrls,
      tokenRevocation: true,
    });
    // The seeded clients' custom scopes (`server/scope`) belong to resource servers of the seeded pool.
    for (const scope of c.allowedOAuthScopes) {
      const i = scope.lastIndexOf('/');
      if (i <= 0) continue;
      const id = scope.slice(0, i);
      const rs = pool.resourceServers.get(id) ?? { identifier: id, name: id, scopes: [] };
      if (!rs.scopes.some((x) => x.ScopeName === scope.slice(i + 1)))
        rs.scopes.push({ ScopeName: scope.slice(i + 1), ScopeDescription: scope.slice(i + 1) });
      pool.resourceServers.set(id, rs);
    }
  }
}

function hostedUi(ctx: CognitoCtx): Handler {
  return async (req, res) => {
    const path = req.url.pathname;
    const wellKnown =
      req.method === 'GET'
        ? /^\/([\w-]+_[0-9A-Za-z]+)\/\.well-known\/(openid-configuration|jwks\.json)$/.exec(path)
        : null;
    const pool = wellKnown ? ctx.registry.pools.get(wellKnown[1]!) : undefined;
    if (wellKnown && pool) {
      sendJson(res, 200, wellKnown[2] === 'jwks.json' ? { keys: [pool.key.jwk] } : discovery(ctx.emu.origin, pool));
      return true;
    }
    if (path === '/oauth2/token') await tokenEndpoint(ctx, req, res);
    else if (path === '/oauth2/revoke') revokeEndpoint(ctx, req, res);
    else if (path === '/oauth2/authorize' && req.method === 'GET') authorizeEndpoint(ctx, req, res);
    else if (path === '/login' && req.method === 'POST') loginPost(ctx, req, res);
    else if (path === '/logout' && req.method === 'GET') logoutEndpoint(ctx, req, res);
    else if (path === '/oauth2/userInfo' && req.method === 'GET') await userInfoEndpoint(ctx, req, res);
    else return false;
    return true;
  };
}

export async function createCognitoIdp(emu: EmuContext): Promise<CognitoIdp> {
  const registry = new PoolRegistry();
  const seeded = await seededPool(emu);
  registry.add(seeded);
  seedClients(registry, seeded, emu);
  const ctx: CognitoCtx = {
    emu,
    registry,
    tokens: new TokenService(emu, registry),
    challenges: new Challenges(() => emu.now()),
    codes: new Map(),
    browserSessions: new Map(),
  };
  const api = awsJsonService(OPERATIONS, {
    ctx,
    targetPrefix: 'AWSCognitoIdentityProviderService.',
    signingName: SIGNING_NAME.cognito,
    verify: emu.verify,
    after: (operation, body) => {
      const touched = typeof body.UserPoolId === 'string' ? registry.pools.get(body.UserPoolId) : undefined;
      if (touched && !READS.test(operation)) touched.lastModifiedAt = emu.now();
    },
  });
  const hosted = hostedUi(ctx);
  const handler: Handler = async (req, res) => (await api(req, res)) || hosted(req, res);

  async function verify(token: string): Promise<JWTPayload> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      iss = undefined;
    }
    const pool = registry.byIssuer(iss) ?? seeded;
    const { payload } = await jwtVerify(token, pool.key.publicKey, {
      issuer: pool.issuer,
      algorithms: ['RS256'],
      currentDate: new Date(emu.now()),
    });
    return payload;
  }

  return {
    poolId: seeded.id,
    issuer: seeded.issuer,
    handler,
    verify,
    ownsIssuer: (iss) => !!registry.byIssuer(iss),
    jwks: () => ({ keys: [seeded.key.jwk] }),
    registry,
  };
}
