/**
 * The pools' OAuth endpoints (shared by every pool: a client id finds its pool): `/oauth2/token` (client_credentials,
 * authorization_code with PKCE, refresh_token), `/oauth2/revoke` (RFC 7009: a refresh token and its sign-in's tokens),
 * `/oauth2/userInfo`, and each pool's `/.well-known/openid-configuration` and `jwks.json`. Errors in OAuth's form
 * (`{"error": …}`); what a pre-token-generation trigger refuses is an `invalid_request` naming Cognito's exception.
 */
import { createHash, type BinaryLike } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ApiError } from '../api/index.js';
import { sendJson } from '../respond.js';
import type { EmuRequest } from '../server.js';
import { safeEqual, type CognitoCtx } from './context.js';
import type { Pool, PoolClient } from './pools.js';
import { revokeRefreshToken } from './sessions.js';

type Res = ServerResponse;

function oauthError(res: Res, status: number, error: string, description?: string): void {
  sendJson(res, status, { error, ...(description ? { error_description: description } : {}) });
}

function clientAuth(req: EmuRequest, form: URLSearchParams): { clientId?: string; secret?: string } {
  const h = req.headers.authorization;
  if (typeof h === 'string' && /^basic /i.test(h)) {
    const dec = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
    const i = dec.indexOf(':');
    if (i > 0) return { clientId: decodeURIComponent(dec.slice(0, i)), secret: decodeURIComponent(dec.slice(i + 1)) };
  }
  return {
    ...(form.get('client_id') ? { clientId: form.get('client_id')! } : {}),
    ...(form.get('client_secret') ? { secret: form.get('client_secret')! } : {}),
  };
}

/** The form and the authenticated client of a POST to /oauth2/token or /oauth2/revoke; undefined once answered. */
function formClient(req: EmuRequest, res: Res, ctx: CognitoCtx) {
  if (req.method !== 'POST') return oauthError(res, 405, 'invalid_request', 'POST required');
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.toLowerCase().startsWith('application/x-www-form-urlencoded')) return oauthError(res, 400, 'invalid_request');
  const form = new URLSearchParams(req.body.toString('utf8'));
  const auth = clientAuth(req, form);
  const found = auth.clientId ? ctx.registry.client(auth.clientId) : undefined;
  if (!found) return oauthError(res, 400, 'invalid_client');
  return { form, ...found, secret: auth.secret };
}

const sha256 = (v: BinaryLike) => createHash('sha256').update(v).digest('base64url');

export async function tokenEndpoint(ctx: CognitoCtx, req: EmuRequest, res: Res): Promise<void> {
  const got = formClient(req, res, ctx);
  if (!got) return;
  const { form, pool, client } = got;
  if (client.clientSecret && (!got.secret || !safeEqual(got.secret, client.clientSecret)))
    return oauthError(res, 400, 'invalid_client');
  try {
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') return await clientCredentials(ctx, res, pool, client, form);
    if (grant === 'authorization_code') return await authorizationCode(ctx, res, pool, client, form);
    if (grant === 'refresh_token') return await refreshGrant(ctx, res, client, form);
    return oauthError(res, 400, 'unsupported_grant_type');
  } catch (e) {
    // A trigger's refusal (UnexpectedLambdaException, …) or a revoked refresh token.
    if (e instanceof ApiError && e.type === 'NotAuthorizedException') return oauthError(res, 400, 'invalid_grant');
    if (e instanceof ApiError) return oauthError(res, 400, 'invalid_request', `${e.type}: ${e.message}`);
    throw e;
  }
}

async function clientCredentials(ctx: CognitoCtx, res: Res, pool: Pool, client: PoolClient, form: URLSearchParams) {
  if (!client.clientSecret || !client.allowedOAuthFlows.includes('client_credentials'))
    return oauthError(res, 400, 'unauthorized_client');
  const custom = client.allowedOAuthScopes.filter((s) => s.includes('/'));
  const asked = form.get('scope')?.split(/\s+/).filter(Boolean);
  if (asked?.some((s) => !custom.includes(s))) return oauthError(res, 400, 'invalid_scope');
  const token = await ctx.tokens.forClient(pool, client, asked ?? custom);
  sendJson(res, 200, { access_token: token, expires_in: client.accessTokenValiditySeconds, token_type: 'Bearer' });
}

async function authorizationCode(ctx: CognitoCtx, res: Res, pool: Pool, client: PoolClient, form: URLSearchParams) {
  const code = form.get('code') ?? '';
  const rec = ctx.codes.get(code);
  ctx.codes.delete(code);
  if (!rec || rec.expiresAt <= ctx.emu.now() || rec.clientId !== client.clientId)
    return oauthError(res, 400, 'invalid_grant');
  if (form.get('redirect_uri') !== rec.redirectUri) return oauthError(res, 400, 'invalid_grant');
  if (rec.codeChallenge) {
    const verifier = form.get('code_verifier') ?? '';
    const computed = rec.codeChallengeMethod === 'S256' ? sha256(verifier) : verifier;
    if (!verifier || !safeEqual(computed, rec.codeChallenge)) return oauthError(res, 400, 'invalid_grant');
  }
  const user = pool.users.get(rec.username);
  if (!user?.enabled) return oauthError(res, 400, 'invalid_grant');
  const t = await ctx.tokens.forUser(pool, client, user, {
    source: 'TokenGeneration_HostedAuth',
    withRefresh: true,
    scope: rec.scope,
    ...(rec.nonce ? { nonce: rec.nonce } : {}),
  });
  sendJson(res, 200, {
    id_token: t.IdToken,
    access_token: t.AccessToken,
    refresh_token: t.RefreshToken,
    expires_in: t.ExpiresIn,
    token_type: 'Bearer',
  });
}

async function refreshGrant(ctx: CognitoCtx, res: Res, client: PoolClient, form: URLSearchParams) {
  const { record, pool, user } = ctx.tokens.refreshRecord(form.get('refresh_token') ?? '', client.clientId);
  const t = await ctx.tokens.forUser(pool, client, user, {
    source: 'TokenGeneration_RefreshTokens',
    withRefresh: false,
    scope: record.scope,
    originJti: record.originJti,
  });
  sendJson(res, 200, {
    id_token: t.IdToken,
    access_token: t.AccessToken,
    expires_in: t.ExpiresIn,
    token_type: 'Bearer',
  });
}

/** POST /oauth2/revoke `token=<refresh token>`: 200 with an empty body, as Cognito's revocation endpoint. */
export function revokeEndpoint(ctx: CognitoCtx, req: EmuRequest, res: Res) {
  const got = formClient(req, res, ctx);
  if (!got) return;
  const token = got.form.get('token');
  if (!token) return oauthError(res, 400, 'invalid_request');
  const outcome = revokeRefreshToken(ctx, got.client, token, got.secret);
  if (outcome === 'bad-secret') return oauthError(res, 401, 'invalid_client');
  if (outcome === 'revocation-off') return oauthError(res, 400, 'unauthorized_client');
  if (outcome === 'not-refresh-token') return oauthError(res, 400, 'unsupported_token_type');
  res.writeHead(200, { 'content-length': 0, 'cache-control': 'no-store' }).end();
}

export async function userInfoEndpoint(ctx: CognitoCtx, req: EmuRequest, res: Res): Promise<void> {
  const bearer = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
  try {
    // userInfo needs the openid scope, not the admin one.
    const { user } = await ctx.tokens.accessTokenUser(bearer ?? '', 'openid').catch(async (e: unknown) => {
      if (e instanceof ApiError && /required scopes/.test(e.message))
        return ctx.tokens.accessTokenUser(bearer ?? '', 'aws.cognito.signin.user.admin');
      throw e;
    });
    sendJson(res, 200, { sub: user.sub, ...user.attributes, username: user.username });
  } catch {
    sendJson(
      res,
      401,
      { error: 'invalid_token', error_description: 'Access token is expired or invalid' },
      { 'www-authenticate': 'Bearer error="invalid_token"' },
    );
  }
}

export function discovery(origin: string, pool: Pool) {
  return {
    issuer: pool.issuer,
    authorization_endpoint: `${origin}/oauth2/authorize`,
    token_endpoint: `${origin}/oauth2/token`,
    userinfo_endpoint: `${origin}/oauth2/userInfo`,
    revocation_endpoint: `${origin}/oauth2/revoke`,
    jwks_uri: `${pool.issuer}/.well-known/jwks.json`,
    end_session_endpoint: `${origin}/logout`,
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256', 'plain'],
  };
}
