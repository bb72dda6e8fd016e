/**
 * `login`: mint a user (or M2M) token the way each real setup needs it, show who it is for, and cache it by name.
 *
 *   user-password        Cognito InitiateAuth USER_PASSWORD_AUTH (SECRET_HASH when a client secret is given); an app
 *                        client that does not allow it is signed in with SRP instead (said on stderr)
 *   user-srp             Cognito InitiateAuth USER_SRP_AUTH + PASSWORD_VERIFIER (--user-pool-id; device-less)
 *   admin-user-password  Cognito AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH (SigV4; --user-pool-id)
 *   refresh              the cached entry's refresh token (Cognito REFRESH_TOKEN_AUTH or OAuth refresh_token)
 *   client-credentials   OAuth token endpoint (Cognito domain, discovery document or explicit token endpoint)
 *   authorization-code   browser sign-in with PKCE S256 + state + nonce on a one-shot loopback redirect
 *
 * Secrets: flag > --*-stdin > environment > hidden prompt (TTY only). Heavy modules load inside the action.
 */
import type { Command } from 'commander';
import { classify } from '../../../core/classify.js';
import { AgentcoreAuthError, usageError } from '../../../core/errors.js';
import { jwtClaims, jwtExp, tokenSetExpiry } from '../../../core/jwt.js';
import {
  cachePath,
  DEFAULT_ENTRY,
  getEntry,
  saveEntry,
  validateEntryName,
  type CacheEntry,
  type LoginFlow,
} from '../../../core/token-cache.js';
import { cacheLocation, refreshEntry, registerEntrySecrets } from '../../bearer.js';
import { defineAction, type Outcome, type CliRun } from '../../command.js';
import type { Io } from '../../io.js';
import { addDiagramOption } from '../../diagram-output.js';
import { cognitoPasswordLogin } from './cognito.js';
import { oauthLogin } from './oauth.js';
import { addOptions } from '../../options.js';
import { LOGIN_ENV, LOGIN_OPTIONS, type LoginOptions, type Minted } from './options.js';

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('login')
    .description('mint a user token (Cognito or any OIDC provider), show who it is for, and cache it for --bearer');
  addOptions(cmd, LOGIN_OPTIONS).addHelpText(
    'after',
    `
Examples:
  agentcore-auth login --user-pool-id us-east-1_AbC123 --client-id 1example23 --username alice
  printf %s "$PASSWORD" | agentcore-auth login --user-pool-id us-east-1_AbC123 --client-id 1example23 \\
      --username alice --password-stdin --print access-token
  agentcore-auth login --auth-flow client-credentials --domain my-prefix.auth.us-east-1.amazoncognito.com \\
      --client-id 1example23 --client-secret-stdin --scopes my-api/read < secret.txt
  agentcore-auth login --auth-flow authorization-code --discovery-url ` +
      `https://idp.example.com/.well-known/openid-configuration \\
      --client-id my-cli --scopes openid,profile
  agentcore-auth login --auth-flow user-srp --user-pool-id us-east-1_AbC123 --client-id 1example23 --username alice
  AGENTCORE_AUTH_TOTP_SECRET=JBSWY3DPEHPK3PXP… agentcore-auth login --user-pool-id us-east-1_AbC123 \\
      --client-id 1example23 --username alice --password-stdin < password.txt
  agentcore-auth login --auth-flow refresh --save-as default

Environment: ${Object.values(LOGIN_ENV).join(', ')}, AGENTCORE_AUTH_CACHE_DIR (cache directory).`,
  );
  addDiagramOption(cmd).action(defineAction(run, (io: Io, opts: LoginOptions) => login(io, opts)));
}

/** A login's tokens as shown, saved and printed: the decoded claims and who they are for. */
interface LoginResult {
  /** The flow asked for (`refresh` included). */
  flow: LoginFlow;
  minted: Minted;
  saved?: CacheEntry;
  cacheFile?: string;
  now: number;
  expiresAt?: number;
  accessClaims?: Record<string, unknown>;
  idClaims?: Record<string, unknown>;
  username?: string;
}

async function login(io: Io, opts: LoginOptions): Promise<Outcome> {
  checkLoginFlags(opts);
  const flow = chooseFlow(opts, io);

  let minted: Minted;
  let saved: CacheEntry | undefined;
  if (flow === 'refresh') ({ minted, saved } = await refreshCachedLogin(io, opts));
  else if (flow === 'user-password' || flow === 'admin-user-password' || flow === 'user-srp')
    minted = await cognitoPasswordLogin(io, opts, flow);
  else minted = await oauthLogin(io, opts, flow, opts.timeout);

  const r = loginResult(io, flow, minted);
  if (flow !== 'refresh' && opts.cache) saved = await saveLogin(io, opts, r);
  const printed = opts.print ? printedToken(minted, opts.print) : undefined;
  if (saved) {
    r.saved = saved;
    r.cacheFile = cachePath(cacheLocation(io));
  }

  if (printed !== undefined) {
    await renderSummary(io, opts, r);
    io.out.line(printed);
    return {};
  }
  if (io.globals.json) return { json: loginJson(r) };
  await renderSummary(io, opts, r);
  return {};
}

/** --save-as is a valid name; at most one secret comes from stdin. */
function checkLoginFlags(opts: LoginOptions): void {
  const nameProblem = validateEntryName(opts.saveAs);
  if (nameProblem) throw usageError(`--save-as: ${nameProblem}`);
  const stdinFlags = [
    opts.passwordStdin && '--password-stdin',
    opts.clientSecretStdin && '--client-secret-stdin',
    opts.totpSecretStdin && '--totp-secret-stdin',
  ].filter(Boolean);
  if (stdinFlags.length > 1) {
    throw usageError(
      `${stdinFlags.join(' and ')} cannot all read stdin`,
      `Pass all but one of them through the environment (${LOGIN_ENV.password}, ${LOGIN_ENV.clientSecret}, ` +
        `${LOGIN_ENV.totpSecret}).`,
    );
  }
}

/** What the login got: the tokens (registered as secrets), their expiry and claims, the user's name. */
function loginResult(io: Io, flow: LoginResult['flow'], minted: Minted): LoginResult {
  const t = minted.tokens;
  io.secrets.add(t.accessToken, t.idToken, t.refreshToken);
  const now = io.ctx.now();
  const expiresAt = tokenSetExpiry(t, minted.expiresIn, now);
  const accessClaims = jwtClaims(t.accessToken);
  const idClaims = jwtClaims(t.idToken);
  const username =
    str(accessClaims?.username) ??
    str(idClaims?.['cognito:username']) ??
    minted.username ??
    str(idClaims?.preferred_username) ??
    str(accessClaims?.sub) ??
    str(idClaims?.sub);
  return {
    flow,
    minted,
    now,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(accessClaims ? { accessClaims } : {}),
    ...(idClaims ? { idClaims } : {}),
    ...(username ? { username } : {}),
  };
}

/** --auth-flow refresh: the cached entry --save-as names, refreshed and saved under the same name. */
async function refreshCachedLogin(io: Io, opts: LoginOptions): Promise<{ minted: Minted; saved: CacheEntry }> {
  if (!opts.cache)
    throw usageError('--auth-flow refresh reads and updates the token cache; it cannot run with --no-cache');
  const entry = await getEntry(cacheLocation(io), opts.saveAs);
  if (!entry) {
    throw new AgentcoreAuthError('ERR_CONFIG', `no cached token named '${opts.saveAs}' to refresh`, {
      hint:
        `Log in first (agentcore-auth login … --save-as ${opts.saveAs}); \`agentcore-auth token list\` ` +
        `shows the cached names.`,
    });
  }
  registerEntrySecrets(io, entry);
  io.ui.info(`Refreshing '${entry.name}' (${entry.flow})…`);
  const saved = await refreshEntry(io, entry).catch((e: unknown) => {
    throw revokedExplained(e, entry);
  });
  const minted: Minted = {
    flow: entry.flow,
    tokens: saved.tokens,
    provider: entry.refresh?.kind === 'cognito' ? `Cognito ${entry.refresh.region}` : (entry.issuer ?? 'OAuth'),
    ...(entry.clientId ? { clientId: entry.clientId } : {}),
    ...(entry.username ? { username: entry.username } : {}),
  };
  return { minted, saved };
}

/** A revoked refresh token, said plainly: what revokes one, and how to get going again. */
function revokedExplained(e: unknown, entry: CacheEntry): unknown {
  if (!(e instanceof AgentcoreAuthError) || classify(e).kind !== 'cognito-refresh-revoked') return e;
  return new AgentcoreAuthError(
    'ERR_AUTH',
    `cannot refresh '${entry.name}': Cognito says the refresh token was revoked (${e.message.replace(/^.*?: /, '')})`,
    {
      hint:
        'A refresh token stops working after a sign-out everywhere (GlobalSignOut, AdminUserGlobalSignOut) or its ' +
        `revocation (RevokeToken, /oauth2/revoke). Log in again: agentcore-auth login … --save-as ${entry.name}`,
      details: e.details,
      cause: e,
    },
  );
}

async function saveLogin(
  io: Io,
  opts: LoginOptions,
  { minted, expiresAt, accessClaims, idClaims, username }: LoginResult,
): Promise<CacheEntry> {
  const t = minted.tokens;
  const idExp = jwtExp(t.idToken);
  const issuer = str(accessClaims?.iss) ?? str(idClaims?.iss);
  const subject = str(accessClaims?.sub) ?? str(idClaims?.sub);
  return saveEntry(cacheLocation(io), {
    name: opts.saveAs,
    flow: minted.flow,
    tokens: t,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(idExp !== undefined ? { idTokenExpiresAt: idExp } : {}),
    ...(subject ? { subject } : {}),
    ...(username ? { username } : {}),
    ...(minted.clientId ? { clientId: minted.clientId } : {}),
    ...(issuer ? { issuer } : {}),
    ...(minted.refresh ? { refresh: minted.refresh } : {}),
  });
}

/** The raw token --print asks for; a usage error when the flow returned none. */
function printedToken(minted: Minted, print: NonNullable<LoginOptions['print']>): string {
  const t = minted.tokens;
  const value = print === 'access-token' ? t.accessToken : print === 'id-token' ? t.idToken : t.refreshToken;
  if (!value) {
    throw new AgentcoreAuthError(
      'ERR_USAGE',
      `--print ${print}: the ${minted.flow} flow returned no ${print.replace('-', ' ')}`,
      {
        hint:
          print === 'id-token'
            ? 'ID tokens come with the openid scope of user sign-ins; client-credentials tokens have none.'
            : 'Refresh tokens come from user sign-ins (Cognito, or OIDC with offline_access).',
      },
    );
  }
  return value;
}

function scopesOf(r: LoginResult): string | undefined {
  const scp = r.accessClaims?.scp;
  return (
    r.minted.tokens.scope ??
    str(r.accessClaims?.scope) ??
    (Array.isArray(scp) ? (scp as string[]).join(' ') : undefined)
  );
}

function loginJson(r: LoginResult) {
  const { minted, saved, expiresAt, accessClaims, idClaims, username, now } = r;
  const t = minted.tokens;
  const scopes = scopesOf(r);
  return {
    flow: minted.flow,
    provider: minted.provider,
    ...(minted.clientId ? { clientId: minted.clientId } : {}),
    ...(username ? { username } : {}),
    ...(scopes ? { scope: scopes } : {}),
    tokenType: t.tokenType ?? 'Bearer',
    ...(expiresAt !== undefined
      ? { expiresAt: new Date(expiresAt * 1000).toISOString(), expiresIn: Math.round(expiresAt - now / 1000) }
      : {}),
    saved: saved ? { name: saved.name, file: r.cacheFile } : null,
    ...(minted.challenges?.length ? { challenges: minted.challenges } : {}),
    tokens: {
      accessToken: t.accessToken ?? null,
      idToken: t.idToken ?? null,
      refreshToken: t.refreshToken ?? null,
    },
    claims: {
      ...(accessClaims ? { access: accessClaims } : {}),
      ...(idClaims ? { id: idClaims } : {}),
    },
  };
}

async function renderSummary(io: Io, opts: LoginOptions, r: LoginResult): Promise<void> {
  if (io.globals.quiet) return;
  const { minted, saved, expiresAt, accessClaims, idClaims, username, now } = r;
  const t = minted.tokens;
  const { relativeTime } = await import('../../../core/jwt.js');
  const when = (exp: number | undefined) =>
    exp === undefined
      ? 'unknown (opaque token, no expires_in)'
      : `${exp * 1000 > now ? relativeTime(exp, now) : `expired ${relativeTime(exp, now)}`} ` +
        `(${new Date(exp * 1000).toISOString().replace('.000', '')})`;
  io.ui.success(`${r.flow === 'refresh' ? 'Refreshed' : 'Logged in'} — ${minted.flow}, ${minted.provider}`);
  io.ui.kv([
    [
      minted.flow === 'client-credentials' ? 'subject' : 'user',
      username
        ? `${username}${accessClaims?.sub && accessClaims.sub !== username ? ` (sub ${String(accessClaims.sub)})` : ''}`
        : undefined,
    ],
    ['client', minted.clientId],
    ['token_use', str(accessClaims?.token_use)],
    ['scopes', scopesOf(r)],
    ['audience', accessClaims?.aud !== undefined ? [accessClaims.aud].flat().join(', ') : undefined],
    ['expires', when(expiresAt)],
    [
      'id token',
      t.idToken ? `yes, aud ${[idClaims?.aud].flat().join(', ')}, expires ${when(jwtExp(t.idToken))}` : 'none',
    ],
    ['refresh token', t.refreshToken ? 'yes (cached; --bearer refreshes automatically)' : 'none'],
    ['saved as', saved ? `${saved.name} (${r.cacheFile})` : opts.cache ? undefined : 'not saved (--no-cache)'],
  ]);
  if (minted.challenges?.length) io.ui.note(`  answered: ${minted.challenges.join(', ')}`);
  if (saved && !opts.print) {
    io.ui.note(
      `  next: agentcore-auth invoke <agent-arn> ` +
        `--bearer${saved.name === DEFAULT_ENTRY ? '' : ` ${saved.name}`}   ·   agentcore-auth token ` +
        `print${saved.name === DEFAULT_ENTRY ? '' : ` ${saved.name}`}`,
    );
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function chooseFlow(opts: LoginOptions, io: Io): LoginFlow {
  if (opts.authFlow) return opts.authFlow;
  const oauthServer = opts.domain || opts.discoveryUrl || opts.tokenEndpoint;
  if (opts.username || io.ctx.env[LOGIN_ENV.username]) return 'user-password';
  if (oauthServer) {
    throw usageError(
      'which OAuth flow? pass --auth-flow client-credentials (machine token) or --auth-flow authorization-code ' +
        '(browser sign-in)',
    );
  }
  return 'user-password';
}
