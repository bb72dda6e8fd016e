/**
 * The hosted UI's browser pages: `/oauth2/authorize` (the sign-in form, or straight back with a code when the browser
 * is signed in already), `POST /login` (username, password and, when the user has an authenticator, its code) and
 * `/logout` (signs the browser out and sends it to one of the client's LogoutURLs, or back to the sign-in form with
 * `redirect_uri` + `response_type`). The signed-in browser is the `cognito` cookie, as with Cognito's hosted UI.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { MESSAGES } from '../../wire.js';
import { cardPage } from '../pages.js';
import { escapeHtml, redirect, sendHtml } from '../respond.js';
import type { EmuRequest } from '../server.js';
import { safeEqual, type CognitoCtx } from './context.js';
import { totpMatches } from './mfa.js';
import type { Pool, PoolClient, PoolUser } from './pools.js';

type Res = ServerResponse;
const CODE_TTL_MS = 5 * 60_000;
/** How long a browser stays signed in to the hosted UI (Cognito: one hour). */
const BROWSER_SESSION_MS = 3600_000;
const KEPT = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
];
const COOKIE = 'cognito';
const MAX_BROWSER_SESSIONS = 20_000;

export function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
  return u.href;
}

function loginPage(pool: Pool, params: URLSearchParams, error?: string): string {
  const hidden = [...params]
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const mfa =
    pool.mfa.configuration === 'OFF'
      ? ''
      : '<label for="totp">Authenticator code (when your account has one)</label>' +
        '<input id="totp" type="text" name="totp" inputmode="numeric" autocomplete="one-time-code">';
  const err = error ? `<p class="err" role="alert">${escapeHtml(error)}</p>` : '';
  return cardPage(
    'Sign in — agentcore-auth local user pool',
    `<h1>Sign in</h1><p class="sub">Local user pool <code>${escapeHtml(pool.id)}</code></p>${err}
<form method="post" action="/login">${hidden}<label for="username">Username</label>` +
      '<input id="username" type="text" name="username" autocomplete="username" autofocus required>' +
      '<label for="password">Password</label>' +
      '<input id="password" type="password" name="password" autocomplete="current-password" required>' +
      `${mfa}<button type="submit">Sign in</button></form>`,
  );
}

function errorPage(error: string, poolId?: string): string {
  const sub = poolId ? `<p class="sub">Local user pool <code>${escapeHtml(poolId)}</code></p>` : '';
  return cardPage(
    'Sign-in cannot start — agentcore-auth local user pool',
    `<h1>Sign-in cannot start</h1>${sub}<p class="err" role="alert">${escapeHtml(error)}</p>`,
  );
}

/** Validates /oauth2/authorize parameters; returns an error text for the page, or the client. */
function checkAuthorize(ctx: CognitoCtx, params: URLSearchParams): Checked | { error: string } {
  const found = ctx.registry.client(params.get('client_id') ?? '');
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

function kept(from: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of KEPT) if (from.get(k)) out.set(k, from.get(k)!);
  return out;
}

function cookieOf(req: EmuRequest): string | undefined {
  const header = String(req.headers.cookie ?? '');
  return header
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
}

/** The user this browser is signed in as, in this pool (none once signed out, expired or disabled). */
function browserUser(ctx: CognitoCtx, req: EmuRequest, pool: Pool): PoolUser | undefined {
  const id = cookieOf(req);
  const s = id ? ctx.browserSessions.get(id) : undefined;
  if (!s || s.poolId !== pool.id || s.expiresAt <= ctx.emu.now()) return undefined;
  const user = pool.users.get(s.username);
  return user?.enabled ? user : undefined;
}

/** Back to the app with a single-use code. */
type Checked = { pool: Pool; client: PoolClient; redirectUri: string };

function issueCode(ctx: CognitoCtx, res: Res, c: Checked, user: PoolUser, params: URLSearchParams, cookie?: string) {
  const code = randomUUID();
  const challenge = params.get('code_challenge');
  ctx.codes.set(code, {
    poolId: c.pool.id,
    username: user.username,
    clientId: c.client.clientId,
    redirectUri: c.redirectUri,
    scope: params.get('scope') ?? 'openid',
    ...(params.get('nonce') ? { nonce: params.get('nonce')! } : {}),
    ...(challenge
      ? { codeChallenge: challenge, codeChallengeMethod: params.get('code_challenge_method') ?? 'plain' }
      : {}),
    expiresAt: ctx.emu.now() + CODE_TTL_MS,
  });
  const state = params.get('state');
  if (cookie) res.setHeader('set-cookie', cookie);
  redirect(res, withQuery(c.redirectUri, { code, ...(state ? { state } : {}) }));
}

export function authorizeEndpoint(ctx: CognitoCtx, req: EmuRequest, res: Res) {
  const params = req.url.searchParams;
  const checked = checkAuthorize(ctx, params);
  if ('error' in checked) return sendHtml(res, 400, errorPage(checked.error));
  const scopes = (params.get('scope') ?? 'openid').split(/\s+/).filter(Boolean);
  if (scopes.some((s) => !checked.client.allowedOAuthScopes.includes(s))) {
    const state = params.get('state');
    return redirect(res, withQuery(checked.redirectUri, { error: 'invalid_scope', ...(state ? { state } : {}) }));
  }
  const signedIn = params.get('prompt') === 'login' ? undefined : browserUser(ctx, req, checked.pool);
  if (signedIn) return issueCode(ctx, res, checked, signedIn, kept(params));
  sendHtml(res, 200, loginPage(checked.pool, kept(params)));
}

/** The sign-in form's problem for this user, as the page shows it; undefined when the user may sign in. */
function signInProblem(ctx: CognitoCtx, pool: Pool, user: PoolUser | undefined, form: URLSearchParams) {
  if (!user || !safeEqual(user.password, form.get('password') ?? '')) return MESSAGES.cognitoIncorrectPassword;
  if (!user.enabled) return MESSAGES.cognitoUserDisabled;
  if (user.status === 'UNCONFIRMED') return 'User is not confirmed.';
  if (user.status === 'FORCE_CHANGE_PASSWORD')
    return (
      'This user must set a new password first ' + '(agentcore-auth login --auth-flow user-password --new-password …).'
    );
  const mfa = pool.mfa.configuration !== 'OFF' && pool.mfa.softwareToken;
  const hasTotp = pool.mfa.configuration === 'ON' ? user.totp.verified : user.totp.enabled;
  if (mfa && hasTotp && !totpMatches(user.totp.secret ?? '', form.get('totp') ?? '', ctx.emu.now()))
    return MESSAGES.cognitoMfaCodeMismatch;
  if (mfa && !hasTotp && pool.mfa.configuration === 'ON')
    return 'This user must set up an authenticator first (MFA is required in this pool).';
  return undefined;
}

export function loginPost(ctx: CognitoCtx, req: EmuRequest, res: Res) {
  const form = new URLSearchParams(req.body.toString('utf8'));
  const params = kept(form);
  const checked = checkAuthorize(ctx, params);
  if ('error' in checked) return sendHtml(res, 400, errorPage(checked.error));
  const user = checked.pool.users.get(form.get('username') ?? '');
  const problem = signInProblem(ctx, checked.pool, user, form);
  if (problem || !user) return sendHtml(res, 200, loginPage(checked.pool, params, problem));
  const session = randomBytes(32).toString('base64url');
  ctx.browserSessions.set(session, {
    poolId: checked.pool.id,
    username: user.username,
    expiresAt: ctx.emu.now() + BROWSER_SESSION_MS,
  });
  if (ctx.browserSessions.size > MAX_BROWSER_SESSIONS)
    ctx.browserSessions.delete(ctx.browserSessions.keys().next().value!);
  const cookie = `${COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${BROWSER_SESSION_MS / 1000}`;
  issueCode(ctx, res, checked, user, params, cookie);
}

/**
 * GET /logout?client_id=…&logout_uri=… (a registered LogoutURL), or …&redirect_uri=…&response_type=code to sign
 * in again: the browser's session ends either way, as Cognito's logout endpoint does.
 */
export function logoutEndpoint(ctx: CognitoCtx, req: EmuRequest, res: Res) {
  const q = req.url.searchParams;
  const found = ctx.registry.client(q.get('client_id') ?? '');
  if (!found) return sendHtml(res, 400, errorPage('invalid_request: unknown or missing client_id'));
  const logoutUri = q.get('logout_uri');
  let target: string;
  if (logoutUri) {
    if (!found.client.logoutUrls.includes(logoutUri))
      return sendHtml(
        res,
        400,
        errorPage(
          'redirect_mismatch: logout_uri is not one of the client\u2019s sign-out URLs (LogoutURLs)',
          found.pool.id,
        ),
      );
    target = logoutUri;
  } else {
    const again = kept(q);
    const checked = checkAuthorize(ctx, again);
    if ('error' in checked) return sendHtml(res, 400, errorPage(checked.error, found.pool.id));
    target = `${ctx.emu.origin}/oauth2/authorize?${again}`;
  }
  const id = cookieOf(req);
  if (id) ctx.browserSessions.delete(id);
  res.setHeader('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
  redirect(res, target);
}
