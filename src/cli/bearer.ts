/**
 * `--bearer-token TOKEN|-` and `--bearer [NAME]`, shared by every command that sends a user JWT:
 *
 *   resolveBearer(io, { bearerToken, bearer }, { use: 'access' | 'id' }) → { token, source, entryName? }
 *
 * A cached entry whose token expires within REFRESH_MARGIN_MS (2 min: AgentCore rejects tokens that expire during
 * the call) is refreshed first (Cognito REFRESH_TOKEN_AUTH, OAuth refresh_token grant, or a new client_credentials
 * grant for M2M entries) and the cache is updated; if that is impossible the error is ERR_TOKEN_EXPIRED naming the
 * login command to run. Every token is registered with io.secrets. Heavy modules (AWS SDK, openid-client) are loaded
 * only when a refresh is needed.
 */
import { AgentcoreAuthError, configError, usageError } from '../core/errors.js';
import { jwtExp, tokenSetExpiry } from '../core/jwt.js';
import {
  DEFAULT_ENTRY,
  getEntry,
  listEntries,
  saveEntry,
  validateEntryName,
  type CacheEntry,
  type CacheLocation,
  type CognitoRefreshConfig,
  type OAuthRefreshConfig,
  type TokenSet,
} from '../core/token-cache.js';
import { readStdin, retryWithNotes, type Io } from './io.js';

/** Refresh a cached token that expires within this margin. */
export const REFRESH_MARGIN_MS = 2 * 60 * 1000;

export interface BearerFlags {
  bearerToken?: string;
  bearer?: string | boolean;
}

export interface ResolvedBearer {
  token: string;
  /** 'flag', 'stdin' or 'cache:<name>' (+ ' (refreshed)'). */
  source: string;
  entryName?: string;
}

/** Warnings already given in a run: a command may read the cache several times, the user hears of a problem once. */
const warnedIn = new WeakMap<Io, Set<string>>();

export function cacheLocation(io: Io): CacheLocation {
  return {
    env: io.ctx.env,
    homedir: io.ctx.homedir,
    lockHolder: { pid: io.ctx.pid, isAlive: (pid) => io.ctx.isProcessAlive(pid) },
    warn: (m) => {
      const warned = warnedIn.get(io) ?? warnedIn.set(io, new Set()).get(io)!;
      if (!warned.has(m)) io.ui.warn(m);
      warned.add(m);
    },
    fail: (m, cause) =>
      new AgentcoreAuthError('ERR_CONFIG', m, {
        hint:
          'Fix or remove that path, or point AGENTCORE_AUTH_CACHE_DIR at a private directory (--no-cache ' +
          'skips the cache on login).',
        cause,
      }),
  };
}

export function entryNameOf(bearer: string | boolean | undefined): string {
  const name = bearer === true || bearer === undefined || bearer === '' ? DEFAULT_ENTRY : bearer;
  if (typeof name !== 'string') return DEFAULT_ENTRY;
  const problem = validateEntryName(name);
  if (problem) throw usageError(problem);
  return name;
}

export async function resolveBearer(
  io: Io,
  opts: BearerFlags,
  options: { use?: 'access' | 'id' } = {},
): Promise<ResolvedBearer> {
  const use = options.use ?? 'access';
  if (opts.bearerToken !== undefined && opts.bearer !== undefined && opts.bearer !== false) {
    throw usageError('pass either --bearer-token or --bearer, not both');
  }
  if (opts.bearerToken !== undefined) return tokenFromFlag(io, opts.bearerToken);
  if (opts.bearer === undefined || opts.bearer === false) {
    throw usageError(
      'no bearer token',
      'Pass --bearer-token TOKEN (or - for stdin), or --bearer [NAME] for a cached `agentcore-auth login`.',
    );
  }
  const name = entryNameOf(opts.bearer);
  let entry = await cachedEntry(io, name);
  registerEntrySecrets(io, entry);
  let refreshed = false;
  const pick = (e: CacheEntry) => (use === 'id' ? e.tokens.idToken : e.tokens.accessToken);
  if (!pick(entry)) {
    throw configError(
      `the cached entry '${name}' has no ${use === 'id' ? 'ID' : 'access'} token`,
      use === 'id'
        ? 'Client-credentials tokens have no ID token; use the access token, or log in as a user.'
        : undefined,
    );
  }
  if (needsRefresh(entry, use, io.ctx.now())) {
    entry = await refreshOrExplain(io, entry, use);
    refreshed = true;
  }
  const token = pick(entry)!;
  io.secrets.add(token);
  return { token, source: `cache:${name}${refreshed ? ' (refreshed)' : ''}`, entryName: name };
}

/** --bearer-token TOKEN or - (stdin), a "Bearer " prefix dropped. */
async function tokenFromFlag(io: Io, bearerToken: string): Promise<ResolvedBearer> {
  const fromStdin = bearerToken === '-';
  const raw = fromStdin ? await readStdin(io.ctx) : bearerToken;
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  if (!token) throw usageError(fromStdin ? '--bearer-token -: stdin was empty' : '--bearer-token: empty token');
  io.secrets.add(token);
  return { token, source: fromStdin ? 'stdin' : 'flag' };
}

/** The cached login of that name, or exit 2 listing the cached ones. */
async function cachedEntry(io: Io, name: string): Promise<CacheEntry> {
  const loc = cacheLocation(io);
  const entry = await getEntry(loc, name);
  if (entry) return entry;
  const names = (await listEntries(loc)).map((e) => e.name);
  throw configError(
    `no cached token named '${name}'`,
    names.length
      ? `Cached: ${names.join(', ')}. Or log in: agentcore-auth login … --save-as ${name}`
      : `Log in first: agentcore-auth login --client-id <id> --username ` +
          `<user>${name === DEFAULT_ENTRY ? '' : ` --save-as ${name}`}`,
  );
}

/** A refresh that fails says whether the token expired or is about to, and how to log in again. */
async function refreshOrExplain(io: Io, entry: CacheEntry, use: 'access' | 'id'): Promise<CacheEntry> {
  try {
    return await refreshEntry(io, entry);
  } catch (e) {
    const exp = tokenExpiry(entry, use);
    const state =
      exp === undefined ? 'expires soon' : exp * 1000 <= io.ctx.now() ? 'has expired' : 'expires within 2 minutes';
    const why = e instanceof AgentcoreAuthError ? e.message : (e as Error).message;
    throw new AgentcoreAuthError(
      'ERR_TOKEN_EXPIRED',
      `the cached token '${entry.name}' ${state} and could not be refreshed: ${why}`,
      { hint: `Log in again: ${loginCommandFor(entry)}`, details: { entry: entry.name }, cause: e },
    );
  }
}

/**
 * `--bearer [NAME]` on its own (exchange, callback): the cached login's access token, refreshed if it is about to
 * expire.
 */
export async function resolveCachedBearer(
  io: Io,
  bearer: string | boolean | undefined,
): Promise<{ token: string; source: string }> {
  const r = await resolveBearer(io, { bearer: bearer ?? true }, { use: 'access' });
  return { token: r.token, source: r.source };
}

function tokenExpiry(entry: CacheEntry, use: 'access' | 'id'): number | undefined {
  return use === 'id'
    ? (jwtExp(entry.tokens.idToken) ?? entry.idTokenExpiresAt)
    : (jwtExp(entry.tokens.accessToken) ?? entry.expiresAt);
}

export function needsRefresh(
  entry: CacheEntry,
  use: 'access' | 'id',
  nowMs: number,
  marginMs = REFRESH_MARGIN_MS,
): boolean {
  const exp = tokenExpiry(entry, use);
  return exp !== undefined && exp * 1000 - nowMs <= marginMs;
}

export function registerEntrySecrets(io: Io, entry: CacheEntry): void {
  io.secrets.add(
    entry.tokens.accessToken,
    entry.tokens.idToken,
    entry.tokens.refreshToken,
    entry.refresh?.clientSecret,
  );
}

/** The login command that recreates an entry (shown when a refresh is impossible). Never includes a secret. */
export function loginCommandFor(entry: CacheEntry): string {
  const r = entry.refresh;
  const save = entry.name === DEFAULT_ENTRY ? '' : ` --save-as ${entry.name}`;
  if (!r) return `agentcore-auth login …${save}`;
  if (r.kind === 'cognito') {
    const flow = entry.flow === 'admin-user-password' ? ' --auth-flow admin-user-password' : '';
    const pool = r.userPoolId ? ` --user-pool-id ${r.userPoolId}` : '';
    const user = entry.username ? ` --username ${entry.username}` : ' --username <user>';
    return `agentcore-auth login${flow} --region ${r.region}${pool} --client-id ${r.clientId}${user}${save}`;
  }
  const server = r.discoveryUrl ? ` --discovery-url ${r.discoveryUrl}` : ` --token-endpoint ${r.tokenEndpoint}`;
  const flow = entry.flow === 'client-credentials' ? 'client-credentials' : 'authorization-code';
  const scopes = r.scopes?.length ? ` --scopes ${r.scopes.join(',')}` : '';
  return `agentcore-auth login --auth-flow ${flow}${server} --client-id ${r.clientId}${scopes}${save}`;
}

/**
 * Refresh a cached entry now and save the result under the same name. Throws (ERR_CONFIG, ERR_AUTH, ERR_OAUTH …)
 * when the entry cannot be refreshed.
 */
export async function refreshEntry(io: Io, entry: CacheEntry): Promise<CacheEntry> {
  const r = entry.refresh;
  if (!r) throw configError(`the cached entry '${entry.name}' holds no refresh information`);
  const { tokens, expiresIn } =
    r.kind === 'cognito' ? await refreshCognito(io, entry, r) : await refreshOAuth(io, entry, r);
  io.secrets.add(tokens.accessToken, tokens.idToken, tokens.refreshToken);
  const now = io.ctx.now();
  const updated: CacheEntry = {
    ...entry,
    tokens,
    savedAt: new Date(now).toISOString(),
  };
  const exp = tokenSetExpiry(tokens, expiresIn, now);
  if (exp !== undefined) updated.expiresAt = exp;
  else delete updated.expiresAt;
  const idExp = jwtExp(tokens.idToken);
  if (idExp !== undefined) updated.idTokenExpiresAt = idExp;
  else delete updated.idTokenExpiresAt;
  return saveEntry(cacheLocation(io), updated);
}

type Refreshed = { tokens: TokenSet; expiresIn: number | undefined };

/** Cognito's REFRESH_TOKEN_AUTH, at the endpoint the login used when no override says otherwise. */
async function refreshCognito(io: Io, entry: CacheEntry, r: CognitoRefreshConfig): Promise<Refreshed> {
  if (!entry.tokens.refreshToken) throw configError(`the cached entry '${entry.name}' has no refresh token`);
  const [{ refreshLogin }, cognito] = await Promise.all([
    import('../core/cognito/auth.js'),
    cognitoClientFor(io, r.region, r.endpoint),
  ]);
  const t = await refreshLogin(cognito.client, {
    clientId: r.clientId,
    refreshToken: entry.tokens.refreshToken,
    ...(r.clientSecret ? { clientSecret: r.clientSecret } : {}),
    ...(entry.username ? { username: entry.username } : {}),
    ...(cognito.endpoint ? { endpoint: cognito.endpoint } : {}),
  });
  return refreshed(t);
}

/** An OAuth server: the refresh_token grant, or a new client_credentials grant for a machine login. */
async function refreshOAuth(io: Io, entry: CacheEntry, r: OAuthRefreshConfig): Promise<Refreshed> {
  const { createOAuthContext, refreshTokenGrant, clientCredentialsGrant } = await import('../core/oauth/client.js');
  const ctx = await createOAuthContext({
    server: r.discoveryUrl
      ? { discoveryUrl: r.discoveryUrl }
      : { tokenEndpoint: r.tokenEndpoint, ...(r.issuer ? { issuer: r.issuer } : {}) },
    clientId: r.clientId,
    ...(r.clientSecret ? { clientSecret: r.clientSecret } : {}),
    ...(r.clientAuth ? { clientAuth: r.clientAuth } : {}),
    fetch: io.fetch,
    retry: retryWithNotes(io),
  });
  const grantOpts = { ...(r.scopes ? { scopes: r.scopes } : {}), ...(r.resource ? { resource: r.resource } : {}) };
  let t: Awaited<ReturnType<typeof refreshTokenGrant>>;
  if (entry.tokens.refreshToken) t = await refreshTokenGrant(ctx, entry.tokens.refreshToken, grantOpts);
  else if (entry.flow === 'client-credentials') {
    if (!r.clientSecret && r.clientAuth !== 'none')
      throw configError('no client secret cached for a new client_credentials grant');
    t = await clientCredentialsGrant(ctx, grantOpts);
  } else throw configError(`the cached entry '${entry.name}' has no refresh token`);
  return refreshed(t, t.scope || entry.tokens.scope);
}

/** The tokens a refresh answered, as the cache keeps them (a scope the answer leaves out stays the cached one). */
function refreshed(
  t: { accessToken: string; idToken?: string; refreshToken?: string; tokenType?: string; expiresIn?: number },
  scope?: string,
): Refreshed {
  return {
    tokens: {
      accessToken: t.accessToken,
      ...(t.idToken ? { idToken: t.idToken } : {}),
      ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}),
      ...(t.tokenType ? { tokenType: t.tokenType } : {}),
      ...(scope ? { scope } : {}),
    },
    expiresIn: t.expiresIn,
  };
}

/** The Cognito client for a refresh: current overrides win; else the endpoint used at login (a local stack). */
async function cognitoClientFor(io: Io, region: string, storedEndpoint: string | undefined) {
  const current = io.aws.endpoint('cognito');
  if (current || !storedEndpoint) return { client: await io.aws.cognito(region), endpoint: current };
  const aws = io.awsWith({ env: { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: storedEndpoint } });
  return { client: await aws.cognito(region), endpoint: storedEndpoint };
}
