/**
 * A Cognito-compatible user pool: awsJson1_1 `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`
 * (InitiateAuth, RespondToAuthChallenge, AdminInitiateAuth, AdminRespondToAuthChallenge), the pool's OIDC discovery and
 * JWKS at `/{poolId}/.well-known/…`, and the hosted-UI endpoints `/oauth2/token`, `/oauth2/authorize` (+ `/login`).
 * Tokens are RS256 (jose) with Cognito's claim sets: access tokens carry client_id, token_use, scope, username and no
 * aud; ID tokens carry aud = the app client id and cognito:username. Error names and messages follow
 * agentcore-errors.md §7.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { decodeJwt, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { MESSAGES, SIGNING_NAME } from '../../wire.js';
import type { CognitoAuthFlow, UserPoolClientConfig } from '../config.js';
import { cardPage } from '../pages.js';
import { escapeHtml, redirect, sendAwsJson, sendAwsJsonError, sendHtml, sendJson } from '../respond.js';
import type { EmuRequest, Handler } from '../server.js';
import type { EmuContext } from '../context.js';
import type { CognitoUser } from '../state.js';
import { createAdminApi } from './admin.js';
import {
  CognitoError,
  DEFAULT_POLICY,
  passwordPolicyViolation,
  PoolRegistry,
  poolKey,
  type Pool,
  type PoolClient,
} from './pools.js';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

type Found = { pool: Pool; client: PoolClient };
const SESSION_TTL_MS = 3 * 60_000;
const CODE_TTL_MS = 5 * 60_000;

interface RefreshRecord {
  username?: string;
  clientId: string;
  scope: string;
  expiresAt: number;
}

interface ChallengeSession {
  username: string;
  clientId: string;
  expiresAt: number;
}

interface AuthCode {
  username: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
}

/** Refresh tokens kept (about 1 KiB each); past this the oldest is forgotten, as MAX_WATS does for workload tokens. */
const MAX_REFRESH_TOKENS = 20_000;

export interface CognitoIdp {
  /** The seeded pool (from the stack config). */
  poolId: string;
  issuer: string;
  handler: Handler;
  /** Verify a token one of this IdP's pools issued (signature, iss, exp). */
  verify(token: string): Promise<JWTPayload>;
  /** Whether `iss` is one of this IdP's pools (the seeded one or one made through CreateUserPool). */
  ownsIssuer(iss: unknown): boolean;
  users: Map<string, CognitoUser>;
  jwks(): { keys: JWK[] };
  registry: PoolRegistry;
}

export function secretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Cognito's refresh tokens are JWEs (five dot-separated segments); ours are opaque random text of the same look. */
function opaqueRefreshToken(): string {
  const seg = (n: number) => randomBytes(n).toString('base64url');
  return `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${seg(256)}.${seg(12)}.${seg(384)}.${seg(16)}`;
}

export async function createCognitoIdp(ctx: EmuContext): Promise<CognitoIdp> {
  const { config, origin } = ctx;
  const seedConfig = config.userPool;
  const poolId = seedConfig.id;
  const issuer = `${origin}/${poolId}`;
  const registry = new PoolRegistry();
  const t0 = ctx.now();
  const seeded: Pool = {
    id: poolId,
    name: seedConfig.name,
    arn: `arn:aws:cognito-idp:${config.region}:${config.accountId}:userpool/${poolId}`,
    issuer,
    createdAt: t0,
    lastModifiedAt: t0,
    tags: {},
    users: new Map(),
    clients: new Map(),
    resourceServers: new Map(),
    policy: { ...DEFAULT_POLICY },
    settings: {},
    deletionProtection: 'INACTIVE',
    key: await poolKey(ctx.keys),
  };
  for (const u of seedConfig.users) {
    seeded.users.set(u.username, {
      username: u.username,
      sub: u.attributes.sub ?? randomUUID(),
      password: u.password,
      temporary: u.temporaryPassword,
      enabled: true,
      attributes: { ...u.attributes },
      createdAt: t0,
      lastModifiedAt: t0,
    });
  }
  registry.add(seeded);
  for (const c of seedConfig.clients) {
    registry.addClient(seeded, { ...c, settings: {}, createdAt: t0 });
    // The seeded clients' custom scopes (`server/scope`) belong to resource servers of the seeded pool.
    for (const scope of c.allowedOAuthScopes) {
      const i = scope.lastIndexOf('/');
      if (i <= 0) continue;
      const id = scope.slice(0, i);
      const rs = seeded.resourceServers.get(id) ?? { identifier: id, name: id, scopes: [] };
      if (!rs.scopes.some((x) => x.ScopeName === scope.slice(i + 1)))
        rs.scopes.push({ ScopeName: scope.slice(i + 1), ScopeDescription: scope.slice(i + 1) });
      seeded.resourceServers.set(id, rs);
    }
  }
  const users = seeded.users;
  const refreshTokens = new Map<string, RefreshRecord>();
  const challenges = new Map<string, ChallengeSession>();
  const codes = new Map<string, AuthCode>();

  const now = () => ctx.now();
  const sec = () => Math.floor(now() / 1000);

  async function sign(pool: Pool, payload: JWTPayload, ttlSeconds: number): Promise<string> {
    const iat = sec();
    return new SignJWT({ ...payload, iat, exp: iat + ttlSeconds, iss: pool.issuer })
      .setProtectedHeader({ kid: pool.key.kid, alg: 'RS256' })
      .sign(pool.key.privateKey);
  }

  async function issueUserTokens(
    pool: Pool,
    user: CognitoUser,
    client: UserPoolClientConfig,
    opts: { scope?: string; withRefresh: boolean; nonce?: string; originJti?: string },
  ) {
    const authTime = sec();
    const originJti = opts.originJti ?? randomUUID();
    const eventId = randomUUID();
    const scope = opts.scope ?? 'aws.cognito.signin.user.admin';
    const accessToken = await sign(
      pool,
      {
        sub: user.sub,
        iss: pool.issuer,
        client_id: client.clientId,
        origin_jti: originJti,
        event_id: eventId,
        token_use: 'access',
        scope,
        auth_time: authTime,
        jti: randomUUID(),
        username: user.username,
      },
      client.accessTokenValiditySeconds,
    );
    const { email, email_verified, ...rest } = user.attributes;
    const idToken = await sign(
      pool,
      {
        sub: user.sub,
        ...(email ? { email, email_verified: email_verified === undefined ? true : email_verified === 'true' } : {}),
        ...rest,
        aud: client.clientId,
        event_id: eventId,
        token_use: 'id',
        auth_time: authTime,
        'cognito:username': user.username,
        origin_jti: originJti,
        jti: randomUUID(),
        ...(opts.nonce ? { nonce: opts.nonce } : {}),
      },
      client.idTokenValiditySeconds,
    );
    const result: Record<string, unknown> = {
      AccessToken: accessToken,
      ExpiresIn: client.accessTokenValiditySeconds,
      TokenType: 'Bearer',
      IdToken: idToken,
    };
    if (opts.withRefresh) {
      const rt = opaqueRefreshToken();
      refreshTokens.set(rt, {
        username: user.username,
        clientId: client.clientId,
        scope,
        expiresAt: now() + client.refreshTokenValiditySeconds * 1000,
      });
      // Refresh tokens live for days: under a load test (a login per request) keep memory bounded, oldest first.
      if (refreshTokens.size > MAX_REFRESH_TOKENS) refreshTokens.delete(refreshTokens.keys().next().value!);
      result.RefreshToken = rt;
    }
    return result as {
      AccessToken: string;
      ExpiresIn: number;
      TokenType: string;
      IdToken: string;
      RefreshToken?: string;
    };
  }

  function clientOf(clientId: unknown): Found {
    if (typeof clientId !== 'string' || !clientId) {
      throw new CognitoError(
        'InvalidParameterException',
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null",
      );
    }
    const found = registry.client(clientId);
    if (!found) throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return found;
  }

  function checkSecretHash(client: UserPoolClientConfig, params: Record<string, unknown>, usernames: string[]): void {
    if (!client.clientSecret) return;
    const given = params.SECRET_HASH;
    if (typeof given !== 'string' || !given)
      throw new CognitoError('NotAuthorizedException', MESSAGES.cognitoSecretHashMissing(client.clientId));
    if (!usernames.some((u) => safeEqual(given, secretHash(u, client.clientId, client.clientSecret!)))) {
      throw new CognitoError('NotAuthorizedException', MESSAGES.cognitoSecretHashWrong(client.clientId));
    }
  }

  function requireFlow(client: UserPoolClientConfig, flow: CognitoAuthFlow): void {
    if (client.explicitAuthFlows.includes(flow)) return;
    if (flow === 'USER_PASSWORD_AUTH')
      throw new CognitoError('InvalidParameterException', MESSAGES.cognitoUserPasswordNotEnabled);
    throw new CognitoError('InvalidParameterException', 'Auth flow not enabled for this client');
  }

  async function passwordAuth({ pool, client }: Found, params: Record<string, unknown>, flow: CognitoAuthFlow) {
    requireFlow(client, flow);
    const username = params.USERNAME;
    if (typeof username !== 'string' || !username)
      throw new CognitoError('InvalidParameterException', 'Missing required parameter USERNAME');
    const password = params.PASSWORD;
    // AWS's text for a missing PASSWORD is UNVERIFIED; this one follows the USERNAME message.
    if (typeof password !== 'string' || !password)
      throw new CognitoError('InvalidParameterException', 'Missing required parameter PASSWORD');
    const user = pool.users.get(username);
    checkSecretHash(client, params, [username]);
    // New pools prevent user-existence errors by default: an unknown user looks like a wrong password.
    if (!user || !safeEqual(user.password, password))
      throw new CognitoError('NotAuthorizedException', MESSAGES.cognitoIncorrectPassword);
    if (!user.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
    if (user.temporary) {
      const session = randomBytes(96).toString('base64url');
      challenges.set(session, { username, clientId: client.clientId, expiresAt: now() + SESSION_TTL_MS });
      const { sub: _s, ...attrs } = user.attributes;
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeParameters: {
          USER_ID_FOR_SRP: username,
          requiredAttributes: '[]',
          userAttributes: JSON.stringify(attrs),
        },
      };
    }
    return {
      ChallengeParameters: {},
      AuthenticationResult: await issueUserTokens(pool, user, client, { withRefresh: true }),
    };
  }

  async function refreshAuth({ pool, client }: Found, params: Record<string, unknown>) {
    requireFlow(client, 'REFRESH_TOKEN_AUTH');
    const rt = params.REFRESH_TOKEN;
    if (typeof rt !== 'string' || !rt)
      throw new CognitoError('InvalidParameterException', 'Missing required parameter REFRESH_TOKEN');
    const rec = refreshTokens.get(rt);
    if (!rec || rec.clientId !== client.clientId)
      throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
    if (rec.expiresAt <= now()) throw new CognitoError('NotAuthorizedException', 'Refresh Token has expired');
    const user = rec.username ? pool.users.get(rec.username) : undefined;
    if (!user) throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
    // With a client secret, SECRET_HASH is computed over the user's name or sub.
    checkSecretHash(client, params, [
      user.username,
      user.sub,
      ...(typeof params.USERNAME === 'string' ? [params.USERNAME] : []),
    ]);
    const { RefreshToken: _drop, ...tokens } = await issueUserTokens(pool, user, client, {
      withRefresh: false,
      scope: rec.scope,
    });
    return { ChallengeParameters: {}, AuthenticationResult: tokens };
  }

  async function respondToChallenge(body: Record<string, unknown>) {
    const { pool, client } = clientOf(body.ClientId);
    if (body.ChallengeName !== 'NEW_PASSWORD_REQUIRED') {
      throw new CognitoError(
        'InvalidParameterException',
        `Unsupported challenge ${String(body.ChallengeName)} (the local stack answers NEW_PASSWORD_REQUIRED only)`,
      );
    }
    const responses = (body.ChallengeResponses ?? {}) as Record<string, unknown>;
    const session = typeof body.Session === 'string' ? challenges.get(body.Session) : undefined;
    if (!session || session.expiresAt <= now() || session.clientId !== client.clientId) {
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    }
    const username = responses.USERNAME;
    if (typeof username !== 'string' || !username)
      throw new CognitoError('InvalidParameterException', 'Missing required parameter USERNAME');
    if (username !== session.username)
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user.');
    checkSecretHash(client, responses, [username]);
    const np = responses.NEW_PASSWORD;
    if (typeof np !== 'string' || !np)
      throw new CognitoError('InvalidParameterException', 'Missing required parameter NEW_PASSWORD');
    const policy = passwordPolicyViolation(np, pool.policy);
    if (policy) throw new CognitoError('InvalidPasswordException', `Password does not conform to policy: ${policy}`);
    const user = pool.users.get(username)!;
    user.password = np;
    user.temporary = false;
    for (const [k, v] of Object.entries(responses))
      if (k.startsWith('userAttributes.') && typeof v === 'string') user.attributes[k.slice(15)] = v;
    challenges.delete(body.Session as string);
    return {
      ChallengeParameters: {},
      AuthenticationResult: await issueUserTokens(pool, user, client, { withRefresh: true }),
    };
  }

  async function dispatch(op: string, body: Record<string, unknown>, req: EmuRequest): Promise<unknown> {
    switch (op) {
      case 'InitiateAuth': {
        const client = clientOf(body.ClientId);
        const params = (body.AuthParameters ?? {}) as Record<string, unknown>;
        const flow = body.AuthFlow;
        if (flow === 'USER_PASSWORD_AUTH') return passwordAuth(client, params, 'USER_PASSWORD_AUTH');
        if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') return refreshAuth(client, params);
        if (flow === 'ADMIN_USER_PASSWORD_AUTH' || flow === 'ADMIN_NO_SRP_AUTH')
          throw new CognitoError('InvalidParameterException', `Initiate Auth method not supported.`);
        if (flow === undefined)
          throw new CognitoError(
            'InvalidParameterException',
            "1 validation error detected: Value null at 'authFlow' failed to satisfy constraint: Member must not be null",
          );
        throw new CognitoError(
          'InvalidParameterException',
          `${String(flow)} is not supported by the local stack (use USER_PASSWORD_AUTH or REFRESH_TOKEN_AUTH)`,
        );
      }
      case 'RespondToAuthChallenge':
        return respondToChallenge(body);
      case 'AdminInitiateAuth':
      case 'AdminRespondToAuthChallenge': {
        const sig = await ctx.verify(req, SIGNING_NAME.cognito);
        if (!sig.ok) throw new CognitoError(sig.type, sig.message, sig.status === 403 ? 400 : sig.status);
        if (typeof body.UserPoolId !== 'string')
          throw new CognitoError(
            'InvalidParameterException',
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
          );
        if (!registry.pools.has(body.UserPoolId))
          throw new CognitoError('ResourceNotFoundException', `User pool ${body.UserPoolId} does not exist.`);
        if (op === 'AdminRespondToAuthChallenge') return respondToChallenge(body);
        const client = clientOf(body.ClientId);
        if (client.pool.id !== body.UserPoolId)
          throw new CognitoError(
            'ResourceNotFoundException',
            `User pool client ${client.client.clientId} does not exist.`,
          );
        const params = (body.AuthParameters ?? {}) as Record<string, unknown>;
        if (body.AuthFlow === 'ADMIN_USER_PASSWORD_AUTH' || body.AuthFlow === 'ADMIN_NO_SRP_AUTH')
          return passwordAuth(client, params, 'ADMIN_USER_PASSWORD_AUTH');
        if (body.AuthFlow === 'REFRESH_TOKEN_AUTH' || body.AuthFlow === 'REFRESH_TOKEN')
          return refreshAuth(client, params);
        throw new CognitoError(
          'InvalidParameterException',
          `${String(body.AuthFlow)} is not supported by the local stack (use ADMIN_USER_PASSWORD_AUTH or REFRESH_TOKEN_AUTH)`,
        );
      }
      default: {
        const handled = await admin.dispatch(op, body, req);
        if (handled !== undefined) return handled;
        throw new CognitoError('UnknownOperationException', '');
      }
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Hosted UI: /oauth2/token, /oauth2/authorize, /login

  function oauthError(res: Parameters<Handler>[1], status: number, error: string, description?: string) {
    sendJson(res, status, { error, ...(description ? { error_description: description } : {}) });
  }

  function clientAuth(req: EmuRequest, form: URLSearchParams): { clientId?: string; secret?: string; basic: boolean } {
    const h = req.headers.authorization;
    if (typeof h === 'string' && /^basic /i.test(h)) {
      const dec = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
      const i = dec.indexOf(':');
      if (i > 0)
        return {
          clientId: decodeURIComponent(dec.slice(0, i)),
          secret: decodeURIComponent(dec.slice(i + 1)),
          basic: true,
        };
    }
    return {
      ...(form.get('client_id') ? { clientId: form.get('client_id')! } : {}),
      ...(form.get('client_secret') ? { secret: form.get('client_secret')! } : {}),
      basic: false,
    };
  }

  async function tokenEndpoint(req: EmuRequest, res: Parameters<Handler>[1]) {
    if (req.method !== 'POST') return oauthError(res, 405, 'invalid_request', 'POST required');
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.toLowerCase().startsWith('application/x-www-form-urlencoded'))
      return oauthError(res, 400, 'invalid_request');
    const form = new URLSearchParams(req.body.toString('utf8'));
    const auth = clientAuth(req, form);
    const found = auth.clientId ? registry.client(auth.clientId) : undefined;
    if (!found) return oauthError(res, 400, 'invalid_client');
    const { pool, client } = found;
    if (client.clientSecret && (!auth.secret || !safeEqual(auth.secret, client.clientSecret)))
      return oauthError(res, 400, 'invalid_client');
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') {
      if (!client.clientSecret || !client.allowedOAuthFlows.includes('client_credentials'))
        return oauthError(res, 400, 'unauthorized_client');
      const custom = client.allowedOAuthScopes.filter((s) => s.includes('/'));
      const asked = form.get('scope')?.split(/\s+/).filter(Boolean);
      if (asked && asked.some((s) => !custom.includes(s))) return oauthError(res, 400, 'invalid_scope');
      const scope = (asked ?? custom).join(' ');
      const token = await sign(
        pool,
        {
          sub: client.clientId,
          token_use: 'access',
          scope,
          auth_time: sec(),
          version: 2,
          jti: randomUUID(),
          client_id: client.clientId,
        },
        client.accessTokenValiditySeconds,
      );
      return sendJson(res, 200, {
        access_token: token,
        expires_in: client.accessTokenValiditySeconds,
        token_type: 'Bearer',
      });
    }
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const rec = codes.get(code);
      codes.delete(code);
      if (!rec || rec.expiresAt <= now() || rec.clientId !== client.clientId)
        return oauthError(res, 400, 'invalid_grant');
      if (form.get('redirect_uri') !== rec.redirectUri) return oauthError(res, 400, 'invalid_grant');
      if (rec.codeChallenge) {
        const verifier = form.get('code_verifier') ?? '';
        const computed =
          rec.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
        if (!verifier || !safeEqual(computed, rec.codeChallenge)) return oauthError(res, 400, 'invalid_grant');
      }
      const user = pool.users.get(rec.username);
      if (!user) return oauthError(res, 400, 'invalid_grant');
      const t = await issueUserTokens(pool, user, client, {
        withRefresh: true,
        scope: rec.scope,
        ...(rec.nonce ? { nonce: rec.nonce } : {}),
      });
      return sendJson(res, 200, {
        id_token: t.IdToken,
        access_token: t.AccessToken,
        refresh_token: t.RefreshToken,
        expires_in: t.ExpiresIn,
        token_type: 'Bearer',
      });
    }
    if (grant === 'refresh_token') {
      const rec = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!rec || rec.clientId !== client.clientId || rec.expiresAt <= now() || !rec.username)
        return oauthError(res, 400, 'invalid_grant');
      const user = pool.users.get(rec.username);
      if (!user) return oauthError(res, 400, 'invalid_grant');
      const t = await issueUserTokens(pool, user, client, { withRefresh: false, scope: rec.scope });
      return sendJson(res, 200, {
        id_token: t.IdToken,
        access_token: t.AccessToken,
        expires_in: t.ExpiresIn,
        token_type: 'Bearer',
      });
    }
    return oauthError(res, 400, 'unsupported_grant_type');
  }

  function loginPage(poolId: string, params: URLSearchParams, error?: string): string {
    const hidden = [...params]
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    return cardPage(
      'Sign in — agentcore-auth local user pool',
      `<h1>Sign in</h1><p class="sub">Local user pool <code>${escapeHtml(poolId)}</code></p>${error ? `<p class="err" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">${hidden}<label for="username">Username</label><input id="username" type="text" name="username" autocomplete="username" autofocus required>
<label for="password">Password</label><input id="password" type="password" name="password" autocomplete="current-password" required><button type="submit">Sign in</button></form>`,
    );
  }

  function errorPage(error: string, poolId = seeded.id): string {
    return cardPage(
      'Sign-in cannot start — agentcore-auth local user pool',
      `<h1>Sign-in cannot start</h1><p class="sub">Local user pool <code>${escapeHtml(poolId)}</code></p><p class="err" role="alert">${escapeHtml(error)}</p>`,
    );
  }

  /** Validate /oauth2/authorize parameters; returns an error text for the page, or the client. */
  function checkAuthorize(
    params: URLSearchParams,
  ): { pool: Pool; client: PoolClient; redirectUri: string } | { error: string } {
    const found = registry.client(params.get('client_id') ?? '');
    if (!found) return { error: 'invalid_request: unknown client_id' };
    const { pool, client } = found;
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!client.callbackUrls.includes(redirectUri))
      return { error: 'redirect_mismatch: redirect_uri is not one of the client\u2019s callback URLs' };
    if (params.get('response_type') !== 'code')
      return { error: 'unsupported_response_type: only response_type=code is supported' };
    if (!client.allowedOAuthFlows.includes('code')) return { error: 'unauthorized_client' };
    return { pool, client, redirectUri };
  }

  async function authorizeEndpoint(req: EmuRequest, res: Parameters<Handler>[1]) {
    const params = req.url.searchParams;
    const checked = checkAuthorize(params);
    if ('error' in checked) return sendHtml(res, 400, errorPage(checked.error));
    const scopes = (params.get('scope') ?? 'openid').split(/\s+/).filter(Boolean);
    const bad = scopes.filter((s) => !checked.client.allowedOAuthScopes.includes(s));
    if (bad.length)
      return redirect(
        res,
        withQuery(checked.redirectUri, {
          error: 'invalid_scope',
          ...(params.get('state') ? { state: params.get('state')! } : {}),
        }),
      );
    const keep = new URLSearchParams();
    for (const k of [
      'client_id',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
      'nonce',
      'code_challenge',
      'code_challenge_method',
    ])
      if (params.get(k)) keep.set(k, params.get(k)!);
    return sendHtml(res, 200, loginPage(checked.pool.id, keep));
  }

  async function loginPost(req: EmuRequest, res: Parameters<Handler>[1]) {
    const form = new URLSearchParams(req.body.toString('utf8'));
    const params = new URLSearchParams();
    for (const k of [
      'client_id',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
      'nonce',
      'code_challenge',
      'code_challenge_method',
    ])
      if (form.get(k)) params.set(k, form.get(k)!);
    const checked = checkAuthorize(params);
    if ('error' in checked) return sendHtml(res, 400, errorPage(checked.error));
    const user = checked.pool.users.get(form.get('username') ?? '');
    if (!user || !safeEqual(user.password, form.get('password') ?? ''))
      return sendHtml(res, 200, loginPage(checked.pool.id, params, MESSAGES.cognitoIncorrectPassword));
    if (user.temporary) {
      return sendHtml(
        res,
        200,
        loginPage(
          checked.pool.id,
          params,
          'This user must set a new password first (agentcore-auth login --auth-flow user-password --new-password …).',
        ),
      );
    }
    const code = randomUUID();
    codes.set(code, {
      username: user.username,
      clientId: checked.client.clientId,
      redirectUri: checked.redirectUri,
      scope: params.get('scope') ?? 'openid',
      ...(params.get('nonce') ? { nonce: params.get('nonce')! } : {}),
      ...(params.get('code_challenge')
        ? {
            codeChallenge: params.get('code_challenge')!,
            codeChallengeMethod: params.get('code_challenge_method') ?? 'plain',
          }
        : {}),
      expiresAt: now() + CODE_TTL_MS,
    });
    return redirect(
      res,
      withQuery(checked.redirectUri, { code, ...(params.get('state') ? { state: params.get('state')! } : {}) }),
    );
  }

  const discovery = (pool: Pool) => ({
    issuer: pool.issuer,
    authorization_endpoint: `${origin}/oauth2/authorize`,
    token_endpoint: `${origin}/oauth2/token`,
    userinfo_endpoint: `${origin}/oauth2/userInfo`,
    jwks_uri: `${pool.issuer}/.well-known/jwks.json`,
    end_session_endpoint: `${origin}/logout`,
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256', 'plain'],
  });

  const handler: Handler = async (req, res) => {
    const path = req.url.pathname;
    const target = req.headers['x-amz-target'];
    if (req.method === 'POST' && path === '/' && typeof target === 'string' && target.startsWith(TARGET_PREFIX)) {
      let body: Record<string, unknown>;
      try {
        body = req.body.length ? (JSON.parse(req.body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        sendAwsJsonError(res, 400, 'SerializationException', 'Start of structure or map found where not expected.');
        return true;
      }
      // `null`, a number, a string or an array parse as JSON but are not a structure
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        sendAwsJsonError(res, 400, 'SerializationException', 'Start of structure or map found where not expected.');
        return true;
      }
      try {
        sendAwsJson(res, await dispatch(target.slice(TARGET_PREFIX.length), body, req));
      } catch (e) {
        if (e instanceof CognitoError) sendAwsJsonError(res, e.status, e.type, e.message);
        else throw e;
      }
      return true;
    }
    const wellKnown =
      req.method === 'GET'
        ? /^\/([\w-]+_[0-9A-Za-z]+)\/\.well-known\/(openid-configuration|jwks\.json)$/.exec(path)
        : null;
    const wkPool = wellKnown ? registry.pools.get(wellKnown[1]!) : undefined;
    if (wellKnown && wkPool) {
      sendJson(res, 200, wellKnown[2] === 'jwks.json' ? { keys: [wkPool.key.jwk] } : discovery(wkPool));
      return true;
    }
    if (path === '/oauth2/token') {
      await tokenEndpoint(req, res);
      return true;
    }
    if (path === '/oauth2/authorize' && req.method === 'GET') {
      await authorizeEndpoint(req, res);
      return true;
    }
    if (path === '/login' && req.method === 'POST') {
      await loginPost(req, res);
      return true;
    }
    if (path === '/oauth2/userInfo' && req.method === 'GET') {
      const bearer = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
      try {
        const claims = await verify(bearer ?? '');
        const user = [...(registry.byIssuer(claims.iss)?.users.values() ?? [])].find((u) => u.sub === claims.sub);
        if (!user || claims.token_use !== 'access') throw new Error('not an access token');
        sendJson(res, 200, { sub: user.sub, ...user.attributes, username: user.username });
      } catch {
        sendJson(
          res,
          401,
          { error: 'invalid_token', error_description: 'Access token is expired or invalid' },
          { 'www-authenticate': 'Bearer error="invalid_token"' },
        );
      }
      return true;
    }
    return false;
  };

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
      currentDate: new Date(now()),
    });
    return payload;
  }

  const admin = createAdminApi(ctx, registry);
  return {
    poolId,
    issuer,
    handler,
    verify,
    ownsIssuer: (iss) => !!registry.byIssuer(iss),
    users,
    jwks: () => ({ keys: [seeded.key.jwk] }),
    registry,
  };
}

export function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
  return u.href;
}
