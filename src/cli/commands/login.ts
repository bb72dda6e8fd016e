/**
 * `login`: mint a user (or M2M) token the way each real setup needs it, show who it is for, and cache it by name.
 *
 *   user-password        Cognito InitiateAuth USER_PASSWORD_AUTH (SECRET_HASH when a client secret is given)
 *   admin-user-password  Cognito AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH (SigV4; --user-pool-id)
 *   refresh              the cached entry's refresh token (Cognito REFRESH_TOKEN_AUTH or OAuth refresh_token)
 *   client-credentials   OAuth token endpoint (Cognito domain, discovery document or explicit token endpoint)
 *   authorization-code   browser sign-in with PKCE S256 + state + nonce on a one-shot loopback redirect
 *
 * Secrets: flag > --*-stdin > environment > hidden prompt (TTY only). Heavy modules load inside the action.
 */
import { Option, type Command } from 'commander';
import { AgentcoreAuthError, usageError } from '../../core/errors.js';
import { jwtClaims, jwtExp, tokenSetExpiry } from '../../core/jwt.js';
import {
  cachePath,
  DEFAULT_ENTRY,
  getEntry,
  saveEntry,
  validateEntryName,
  type CacheEntry,
  type LoginFlow,
  type RefreshConfig,
  type TokenSet,
} from '../../core/token-cache.js';
import { cacheLocation, refreshEntry, registerEntrySecrets } from '../bearer.js';
import { collectList, defineAction, readStdin, type Io, type Outcome } from '../command.js';
import { addDiagramOption } from '../diagram-output.js';
import type { CliContext } from '../context.js';
import { DEFAULT_REDIRECT_URI } from '../../wire.js';

export const LOGIN_FLOWS = ['user-password', 'admin-user-password', 'refresh', 'client-credentials', 'authorization-code'] as const;
export const PRINT_CHOICES = ['access-token', 'id-token', 'refresh-token'] as const;
/** Documented default; register it at the provider or pass --redirect-uri. Kept in sync with oauth/authcode.ts. */

/** Environment variables login reads (documented in README.md, "Secrets and environment variables"). */
export const LOGIN_ENV = {
  username: 'AGENTCORE_AUTH_USERNAME',
  password: 'AGENTCORE_AUTH_PASSWORD',
  newPassword: 'AGENTCORE_AUTH_NEW_PASSWORD',
  clientId: 'AGENTCORE_AUTH_CLIENT_ID',
  clientSecret: 'AGENTCORE_AUTH_CLIENT_SECRET',
  userPoolId: 'AGENTCORE_AUTH_USER_POOL_ID',
} as const;

export interface LoginOptions {
  authFlow?: (typeof LOGIN_FLOWS)[number];
  userPoolId?: string;
  clientId?: string;
  clientSecret?: string;
  clientSecretStdin?: boolean;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  newPassword?: string;
  attribute?: string[];
  mfaCode?: string;
  domain?: string;
  discoveryUrl?: string;
  tokenEndpoint?: string;
  scopes?: string[];
  resource?: string;
  clientAuth?: 'client_secret_basic' | 'client_secret_post';
  redirectUri?: string;
  browser: boolean;
  timeout: string;
  print?: (typeof PRINT_CHOICES)[number];
  saveAs: string;
  cache: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('login')
    .description('mint a user token (Cognito or any OIDC provider), show who it is for, and cache it for --bearer')
    .addOption(new Option('--auth-flow <flow>', 'how to sign in (default: user-password when a username is given)').choices(LOGIN_FLOWS))
    .option('--user-pool-id <id>', `Cognito user pool id, e.g. us-east-1_AbC123 (env ${LOGIN_ENV.userPoolId}); also gives the region`)
    .option('--client-id <id>', `app client id (env ${LOGIN_ENV.clientId})`)
    .option('--client-secret <secret>', `app client secret (env ${LOGIN_ENV.clientSecret}); Cognito SECRET_HASH is computed from it`)
    .option('--client-secret-stdin', 'read the client secret from stdin')
    .option('--username <name>', `user name (env ${LOGIN_ENV.username})`)
    .option('--password <password>', `password (env ${LOGIN_ENV.password}; prompted on a terminal)`)
    .option('--password-stdin', 'read the password from stdin')
    .option('--new-password <password>', `answer NEW_PASSWORD_REQUIRED (env ${LOGIN_ENV.newPassword}; prompted on a terminal)`)
    .option('--attribute <name=value>', 'a required user attribute for NEW_PASSWORD_REQUIRED (repeatable)', (v: string, p: string[] | undefined) => [...(p ?? []), v])
    .option('--mfa-code <code>', 'answer SMS_MFA / SOFTWARE_TOKEN_MFA / EMAIL_OTP (prompted on a terminal)')
    .option('--domain <domain>', 'Cognito domain: <prefix>.auth.<region>.amazoncognito.com, a custom domain, or a full URL')
    .option('--discovery-url <url>', 'OIDC discovery URL (…/.well-known/openid-configuration) or issuer URL')
    .option('--token-endpoint <url>', 'OAuth token endpoint (client-credentials without discovery)')
    .option('--scopes <list>', 'scopes, comma-separated or repeated (authorization-code default: openid)', collectList)
    .option('--resource <uri>', 'RFC 8707 resource indicator sent with the token request')
    .addOption(new Option('--client-auth <method>', 'how the client secret is sent to the token endpoint').choices(['client_secret_basic', 'client_secret_post']))
    .option('--redirect-uri <uri>', `loopback redirect URI registered at the provider (default ${DEFAULT_REDIRECT_URI})`)
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .option('--timeout <seconds>', 'how long to wait for the browser sign-in', '300')
    .addOption(new Option('--print <token>', 'write only this raw token (and a newline) to stdout').choices(PRINT_CHOICES))
    .option('--save-as <name>', 'cache entry name (the entry `--auth-flow refresh` refreshes)', DEFAULT_ENTRY)
    .option('--no-cache', 'do not write the token cache (CI)')
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth login --user-pool-id us-east-1_AbC123 --client-id 1example23 --username alice
  printf %s "$PASSWORD" | agentcore-auth login --user-pool-id us-east-1_AbC123 --client-id 1example23 \\
      --username alice --password-stdin --print access-token
  agentcore-auth login --auth-flow client-credentials --domain my-prefix.auth.us-east-1.amazoncognito.com \\
      --client-id 1example23 --client-secret-stdin --scopes my-api/read < secret.txt
  agentcore-auth login --auth-flow authorization-code --discovery-url https://idp.example.com/.well-known/openid-configuration \\
      --client-id my-cli --scopes openid,profile
  agentcore-auth login --auth-flow refresh --save-as default

Environment: ${Object.values(LOGIN_ENV).join(', ')}, AGENTCORE_AUTH_CACHE_DIR (cache directory).`,
    );
  addDiagramOption(cmd)
    .action(defineAction(ctx, (io: Io, opts: LoginOptions) => login(io, opts)));
}

interface Minted {
  flow: LoginFlow;
  tokens: TokenSet;
  expiresIn?: number;
  refresh?: RefreshConfig;
  provider: string;
  clientId?: string;
  username?: string;
  challenges?: string[];
}

async function login(io: Io, opts: LoginOptions): Promise<Outcome> {
  const nameProblem = validateEntryName(opts.saveAs);
  if (nameProblem) throw usageError(`--save-as: ${nameProblem}`);
  if (opts.clientSecretStdin && opts.passwordStdin) {
    throw usageError('--password-stdin and --client-secret-stdin cannot both read stdin', `Pass one of them through the environment (${LOGIN_ENV.password} or ${LOGIN_ENV.clientSecret}).`);
  }
  const flow = chooseFlow(opts, io);
  const timeoutSec = Number(opts.timeout);
  if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) throw usageError(`--timeout must be a positive number of seconds, got '${opts.timeout}'`);

  let minted: Minted;
  let saved: CacheEntry | undefined;
  if (flow === 'refresh') {
    if (!opts.cache) throw usageError('--auth-flow refresh reads and updates the token cache; it cannot run with --no-cache');
    const loc = cacheLocation(io);
    const entry = await getEntry(loc, opts.saveAs);
    if (!entry) {
      throw new AgentcoreAuthError('ERR_CONFIG', `no cached token named '${opts.saveAs}' to refresh`, {
        hint: `Log in first (agentcore-auth login … --save-as ${opts.saveAs}); \`agentcore-auth token list\` shows the cached names.`,
      });
    }
    registerEntrySecrets(io, entry);
    io.ui.info(`Refreshing '${entry.name}' (${entry.flow})…`);
    saved = await refreshEntry(io, entry);
    minted = {
      flow: entry.flow,
      tokens: saved.tokens,
      provider: entry.refresh?.kind === 'cognito' ? `Cognito ${entry.refresh.region}` : (entry.issuer ?? 'OAuth'),
      ...(entry.clientId ? { clientId: entry.clientId } : {}),
      ...(entry.username ? { username: entry.username } : {}),
    };
  } else if (flow === 'user-password' || flow === 'admin-user-password') {
    minted = await cognitoPasswordLogin(io, opts, flow);
  } else {
    minted = await oauthLogin(io, opts, flow, timeoutSec * 1000);
  }

  const t = minted.tokens;
  io.secrets.add(t.accessToken, t.idToken, t.refreshToken);
  const now = io.ctx.now();
  const expiresAt = tokenSetExpiry(t, minted.expiresIn, now);
  const accessClaims = jwtClaims(t.accessToken);
  const idClaims = jwtClaims(t.idToken);
  const username =
    str(accessClaims?.username) ?? str(idClaims?.['cognito:username']) ?? minted.username ?? str(idClaims?.preferred_username) ?? str(accessClaims?.sub) ?? str(idClaims?.sub);

  if (flow !== 'refresh' && opts.cache) {
    const idExp = jwtExp(t.idToken);
    const issuer = str(accessClaims?.iss) ?? str(idClaims?.iss);
    const subject = str(accessClaims?.sub) ?? str(idClaims?.sub);
    saved = await saveEntry(cacheLocation(io), {
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

  if (opts.print) {
    const value = opts.print === 'access-token' ? t.accessToken : opts.print === 'id-token' ? t.idToken : t.refreshToken;
    if (!value) {
      throw new AgentcoreAuthError('ERR_USAGE', `--print ${opts.print}: the ${minted.flow} flow returned no ${opts.print.replace('-', ' ')}`, {
        hint: opts.print === 'id-token' ? 'ID tokens come with the openid scope of user sign-ins; client-credentials tokens have none.' : 'Refresh tokens come from user sign-ins (Cognito, or OIDC with offline_access).',
      });
    }
  }

  const cacheFile = saved ? cachePath(cacheLocation(io)) : undefined;
  const scopes = t.scope ?? str(accessClaims?.scope) ?? (Array.isArray(accessClaims?.scp) ? (accessClaims.scp as string[]).join(' ') : undefined);
  const tokenUse = str(accessClaims?.token_use);
  const json = {
    flow: minted.flow,
    provider: minted.provider,
    ...(minted.clientId ? { clientId: minted.clientId } : {}),
    ...(username ? { username } : {}),
    ...(scopes ? { scope: scopes } : {}),
    tokenType: t.tokenType ?? 'Bearer',
    ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt * 1000).toISOString(), expiresIn: Math.round(expiresAt - now / 1000) } : {}),
    saved: saved ? { name: saved.name, file: cacheFile } : null,
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

  const renderSummary = async () => {
    if (io.globals.quiet) return;
    const { relativeTime } = await import('../../core/jwt.js');
    const when = (exp: number | undefined) =>
      exp === undefined ? 'unknown (opaque token, no expires_in)' : `${exp * 1000 > now ? relativeTime(exp, now) : `expired ${relativeTime(exp, now)}`} (${new Date(exp * 1000).toISOString().replace('.000', '')})`;
    io.ui.success(`${flow === 'refresh' ? 'Refreshed' : 'Logged in'} — ${minted.flow}, ${minted.provider}`);
    io.ui.kv([
      [minted.flow === 'client-credentials' ? 'subject' : 'user', username ? `${username}${accessClaims?.sub && accessClaims.sub !== username ? ` (sub ${String(accessClaims.sub)})` : ''}` : undefined],
      ['client', minted.clientId],
      ['token_use', tokenUse],
      ['scopes', scopes],
      ['audience', accessClaims?.aud !== undefined ? [accessClaims.aud].flat().join(', ') : undefined],
      ['expires', when(expiresAt)],
      ['id token', t.idToken ? `yes, aud ${[idClaims?.aud].flat().join(', ')}, expires ${when(jwtExp(t.idToken))}` : 'none'],
      ['refresh token', t.refreshToken ? 'yes (cached; --bearer refreshes automatically)' : 'none'],
      ['saved as', saved ? `${saved.name} (${cacheFile})` : opts.cache ? undefined : 'not saved (--no-cache)'],
    ]);
    if (minted.challenges?.length) io.ui.note(`  answered: ${minted.challenges.join(', ')}`);
    if (saved && !opts.print) {
      io.ui.note(`  next: agentcore-auth invoke <agent-arn> --bearer${saved.name === DEFAULT_ENTRY ? '' : ` ${saved.name}`}   ·   agentcore-auth token print${saved.name === DEFAULT_ENTRY ? '' : ` ${saved.name}`}`);
    }
  };

  if (opts.print) {
    const value = opts.print === 'access-token' ? t.accessToken : opts.print === 'id-token' ? t.idToken : t.refreshToken;
    await renderSummary();
    io.out.line(value!);
    return {};
  }
  if (io.globals.json) return { json };
  await renderSummary();
  return {};
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
      'which OAuth flow? pass --auth-flow client-credentials (machine token) or --auth-flow authorization-code (browser sign-in)',
    );
  }
  return 'user-password';
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets and answers

function canPrompt(io: Io): boolean {
  return !!io.ctx.stdin.isTTY && !!io.ctx.stderr.isTTY;
}

async function readStdinSecret(io: Io, flag: string): Promise<string> {
  if (io.ctx.stdin.isTTY) throw usageError(`${flag} reads stdin, but stdin is a terminal`, `Pipe the value in: printf %s "$VALUE" | agentcore-auth login … ${flag}`);
  const text = (await readStdin(io.ctx)).replace(/\r?\n$/, '');
  if (!text) throw usageError(`${flag}: stdin was empty`);
  return text;
}

/** flag > stdin > env > hidden prompt (TTY) > usage error naming the flag. */
async function secretValue(
  io: Io,
  spec: { flag?: string; stdin?: boolean; stdinFlag?: string; env: string; prompt: string; flagName: string; required: boolean; hidden?: boolean },
): Promise<string | undefined> {
  let value = spec.flag;
  if (value === undefined && spec.stdin) value = await readStdinSecret(io, spec.stdinFlag!);
  if (value === undefined && io.ctx.env[spec.env]) value = io.ctx.env[spec.env];
  if (value === undefined && spec.required) {
    if (!canPrompt(io)) {
      throw usageError(
        `missing ${spec.flagName}`,
        `Pass ${spec.flagName}${spec.stdinFlag ? `, ${spec.stdinFlag}` : ''} or set ${spec.env} (no prompt: stdin or stderr is not a terminal).`,
      );
    }
    value = await io.ctx.prompt(spec.prompt, { hidden: spec.hidden ?? true });
    if (!value) throw usageError(`missing ${spec.flagName}: nothing was entered`);
  }
  if (value !== undefined && (spec.hidden ?? true)) io.secrets.add(value);
  return value;
}

async function plainValue(io: Io, flag: string | undefined, env: string, prompt: string, flagName: string): Promise<string> {
  const v = flag ?? io.ctx.env[env];
  if (v) return v;
  if (!canPrompt(io)) throw usageError(`missing ${flagName}`, `Pass ${flagName} or set ${env}.`);
  const answer = (await io.ctx.prompt(prompt, { hidden: false })).trim();
  if (!answer) throw usageError(`missing ${flagName}: nothing was entered`);
  return answer;
}

function parseAttributes(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) throw usageError(`--attribute expects name=value, got '${item}'`);
    out[item.slice(0, i).replace(/^userAttributes\./, '')] = item.slice(i + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Cognito password flows

async function cognitoPasswordLogin(io: Io, opts: LoginOptions, flow: 'user-password' | 'admin-user-password'): Promise<Minted> {
  const clientId = await plainValue(io, opts.clientId, LOGIN_ENV.clientId, 'App client id: ', '--client-id');
  const userPoolId = opts.userPoolId ?? io.ctx.env[LOGIN_ENV.userPoolId];
  if (flow === 'admin-user-password' && !userPoolId) {
    throw usageError('--auth-flow admin-user-password needs --user-pool-id', `Or set ${LOGIN_ENV.userPoolId}.`);
  }
  const { regionFromPoolId } = await import('../../core/cognito/secret-hash.js');
  const region = io.globals.region ?? regionFromPoolId(userPoolId) ?? io.aws.region();
  if (!region) {
    throw new AgentcoreAuthError('ERR_CONFIG', 'no AWS region for Cognito', {
      hint: 'Pass --region, --user-pool-id (its prefix is the region, e.g. us-east-1_AbC123) or set AWS_REGION.',
    });
  }
  if (userPoolId && io.globals.region && regionFromPoolId(userPoolId) && regionFromPoolId(userPoolId) !== io.globals.region) {
    io.ui.warn(`--region ${io.globals.region} differs from the region of user pool ${userPoolId}`);
  }
  const username = await plainValue(io, opts.username, LOGIN_ENV.username, 'Username: ', '--username');
  const clientSecret = await secretValue(io, {
    flag: opts.clientSecret, stdin: !!opts.clientSecretStdin, stdinFlag: '--client-secret-stdin', env: LOGIN_ENV.clientSecret,
    prompt: 'Client secret: ', flagName: '--client-secret', required: false,
  });
  const password = (await secretValue(io, {
    flag: opts.password, stdin: !!opts.passwordStdin, stdinFlag: '--password-stdin', env: LOGIN_ENV.password,
    prompt: `Password for ${username}: `, flagName: '--password', required: true,
  }))!;
  if (opts.password !== undefined && io.ctx.stderr.isTTY) {
    io.ui.note('note: --password on the command line stays in the shell history; prefer --password-stdin or AGENTCORE_AUTH_PASSWORD');
  }
  const extraAttributes = parseAttributes(opts.attribute);

  const [{ passwordLogin }, client] = await Promise.all([import('../../core/cognito/auth.js'), io.aws.cognito(region)]);
  const endpoint = io.aws.endpoint('cognito');
  const shownEndpoint = endpoint ?? `https://cognito-idp.${region}.amazonaws.com`;
  io.ui.info(`${flow === 'admin-user-password' ? 'AdminInitiateAuth' : 'InitiateAuth'} ${flow === 'admin-user-password' ? 'ADMIN_USER_PASSWORD_AUTH' : 'USER_PASSWORD_AUTH'} as ${username} (client ${clientId}${clientSecret ? ', with SECRET_HASH' : ''}) → ${shownEndpoint}`);
  const result = await passwordLogin(client, {
    admin: flow === 'admin-user-password',
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(userPoolId ? { userPoolId } : {}),
    username,
    password,
    endpoint: shownEndpoint,
    onChallenge: (name) => io.ui.info(`Cognito asks: ${name}`),
    answer: {
      async newPassword({ requiredAttributes }) {
        const newPassword = (await secretValue(io, {
          flag: opts.newPassword, env: LOGIN_ENV.newPassword, prompt: 'New password: ', flagName: '--new-password', required: true,
        }))!;
        if (opts.newPassword === undefined && !io.ctx.env[LOGIN_ENV.newPassword]) {
          const again = await io.ctx.prompt('New password again: ', { hidden: true });
          if (again !== newPassword) throw usageError('the new passwords do not match');
        }
        const attributes: Record<string, string> = {};
        for (const name of requiredAttributes) {
          if (extraAttributes[name] !== undefined) attributes[name] = extraAttributes[name];
          else if (canPrompt(io)) attributes[name] = await io.ctx.prompt(`${name}: `, { hidden: false });
          else throw usageError(`NEW_PASSWORD_REQUIRED needs the attribute '${name}'`, `Pass --attribute ${name}=<value>.`);
        }
        for (const [k, v] of Object.entries(extraAttributes)) if (!(k in attributes)) attributes[k] = v;
        return { newPassword, attributes };
      },
      async mfaCode({ kind, destination }) {
        if (opts.mfaCode) {
          io.secrets.add(opts.mfaCode);
          return opts.mfaCode;
        }
        if (!canPrompt(io)) {
          throw usageError(`Cognito asks for an MFA code (${kind}${destination ? `, sent to ${destination}` : ''})`, 'Pass --mfa-code <code> (no prompt: stdin or stderr is not a terminal).');
        }
        const label = kind === 'SOFTWARE_TOKEN_MFA' ? 'Authenticator app code' : `Code sent to ${destination ?? (kind === 'EMAIL_OTP' ? 'your email' : 'your phone')}`;
        const code = (await io.ctx.prompt(`${label}: `, { hidden: true })).trim();
        io.secrets.add(code);
        return code;
      },
    },
  });
  const t = result.tokens;
  return {
    flow,
    tokens: {
      accessToken: t.accessToken,
      ...(t.idToken ? { idToken: t.idToken } : {}),
      ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}),
      tokenType: t.tokenType ?? 'Bearer',
    },
    ...(t.expiresIn !== undefined ? { expiresIn: t.expiresIn } : {}),
    provider: `Cognito ${region}${userPoolId ? ` ${userPoolId}` : ''}`,
    clientId,
    username,
    challenges: result.challenges,
    refresh: {
      kind: 'cognito',
      region,
      clientId,
      ...(userPoolId ? { userPoolId } : {}),
      ...(clientSecret ? { clientSecret } : {}),
      ...(endpoint ? { endpoint } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OAuth flows (openid-client)

async function oauthLogin(io: Io, opts: LoginOptions, flow: 'client-credentials' | 'authorization-code', timeoutMs: number): Promise<Minted> {
  const servers = [opts.domain && '--domain', opts.discoveryUrl && '--discovery-url', opts.tokenEndpoint && '--token-endpoint'].filter(Boolean);
  if (servers.length > 1) throw usageError(`pass only one of ${servers.join(', ')}`);
  const userPoolId = opts.userPoolId ?? io.ctx.env[LOGIN_ENV.userPoolId];
  const oauth = await import('../../core/oauth/client.js');
  const { serviceBaseUrl } = await import('../../core/aws.js');
  const { regionFromPoolId } = await import('../../core/cognito/secret-hash.js');

  let server: import('../../core/oauth/client.js').ServerSpec;
  let discoveryUrl: string | undefined;
  if (opts.discoveryUrl) {
    discoveryUrl = opts.discoveryUrl;
    server = { discoveryUrl };
  } else if (opts.domain) {
    const base = oauth.cognitoDomainBase(opts.domain);
    const region = io.globals.region ?? regionFromPoolId(userPoolId) ?? base.match(/\.auth\.([a-z0-9-]+)\.amazoncognito\.com/)?.[1] ?? io.aws.region();
    let issuer: string | undefined;
    if (userPoolId && region) issuer = `${serviceBaseUrl(io.ctx.env, 'cognito', region, io.globals.endpointUrl)}/${userPoolId}`;
    if (flow === 'authorization-code' && !issuer) {
      throw usageError(
        'with --domain, --auth-flow authorization-code needs --user-pool-id (the ID token issuer is the user pool, not the domain)',
        'Or pass --discovery-url https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/openid-configuration.',
      );
    }
    server = { tokenEndpoint: `${base}/oauth2/token`, authorizationEndpoint: `${base}/oauth2/authorize`, ...(issuer ? { issuer } : {}) };
  } else if (opts.tokenEndpoint) {
    if (flow === 'authorization-code') {
      throw usageError('--auth-flow authorization-code needs --discovery-url or --domain (an authorization endpoint), not only --token-endpoint');
    }
    server = { tokenEndpoint: opts.tokenEndpoint };
  } else if (userPoolId) {
    const region = io.globals.region ?? regionFromPoolId(userPoolId) ?? io.aws.region();
    if (!region) throw usageError('no region for the user pool', 'Pass --region.');
    discoveryUrl = `${serviceBaseUrl(io.ctx.env, 'cognito', region, io.globals.endpointUrl)}/${userPoolId}/.well-known/openid-configuration`;
    server = { discoveryUrl };
  } else {
    throw usageError(`--auth-flow ${flow} needs the OAuth server`, 'Pass --discovery-url, --domain (Cognito) or --token-endpoint.');
  }

  // Ask for the client only once the server is known (a usage error should not follow a prompt).
  const clientId = await plainValue(io, opts.clientId, LOGIN_ENV.clientId, 'Client id: ', '--client-id');
  const clientSecret = await secretValue(io, {
    flag: opts.clientSecret, stdin: !!opts.clientSecretStdin, stdinFlag: '--client-secret-stdin', env: LOGIN_ENV.clientSecret,
    prompt: 'Client secret: ', flagName: '--client-secret', required: flow === 'client-credentials',
  });
  const ctx = await oauth.createOAuthContext({
    server,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(opts.clientAuth ? { clientAuth: opts.clientAuth } : {}),
    fetch: io.fetch,
    retry: { sleep: io.ctx.sleep, signal: io.ctx.signal, onRetry: ({ attempt, delayMs, reason }) => io.ui.note(`  attempt ${attempt} got ${reason}; retrying in ${delayMs} ms`) },
  });
  const scopes = opts.scopes?.length ? opts.scopes : flow === 'authorization-code' ? ['openid'] : [];
  let tokens: import('../../core/oauth/client.js').OAuthTokens;
  if (flow === 'client-credentials') {
    io.ui.info(`client_credentials grant for ${clientId}${scopes.length ? ` (scopes ${scopes.join(' ')})` : ''} → ${ctx.tokenEndpoint} (${ctx.clientAuth})`);
    tokens = await oauth.clientCredentialsGrant(ctx, { scopes, ...(opts.resource ? { resource: opts.resource } : {}) });
  } else {
    const { authorizationCodeLogin } = await import('../../core/oauth/authcode.js');
    const redirectUri = opts.redirectUri ?? DEFAULT_REDIRECT_URI;
    tokens = await authorizationCodeLogin(ctx, {
      redirectUri,
      scopes,
      ...(opts.resource ? { resource: opts.resource } : {}),
      timeoutMs,
      signal: io.ctx.signal,
      open: async (url) => {
        // With port 0 in --redirect-uri, the port the OS picked is in the authorization URL's redirect_uri.
        const waitingOn = new URL(url).searchParams.get('redirect_uri') ?? redirectUri;
        if (!opts.browser) {
          io.ui.line(`Open this URL in a browser to sign in (waiting on ${waitingOn}, up to ${Math.round(timeoutMs / 1000)} s):`);
          io.ui.line(`  ${url}`);
          return;
        }
        io.ui.info(`Opening the browser to sign in at ${new URL(url).origin} (waiting on ${waitingOn}, up to ${Math.round(timeoutMs / 1000)} s)…`);
        try {
          await io.ctx.openBrowser(url);
        } catch (e) {
          io.ui.warn(`could not open a browser (${(e as Error).message}); open this URL yourself:`);
          io.ui.line(`  ${url}`);
        }
      },
    });
    io.ui.info('Redirect received; exchanged the code for tokens.');
  }
  const rawTokens: TokenSet = {
    accessToken: tokens.accessToken,
    ...(tokens.idToken ? { idToken: tokens.idToken } : {}),
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
    tokenType: tokens.tokenType ?? 'Bearer',
    ...(tokens.scope ? { scope: tokens.scope } : {}),
  };
  return {
    flow,
    tokens: rawTokens,
    ...(tokens.expiresIn !== undefined ? { expiresIn: tokens.expiresIn } : {}),
    provider: ctx.issuer,
    clientId,
    refresh: {
      kind: 'oauth',
      tokenEndpoint: ctx.tokenEndpoint,
      issuer: ctx.issuer,
      ...(discoveryUrl ? { discoveryUrl } : {}),
      clientId,
      ...(clientSecret ? { clientSecret } : {}),
      clientAuth: ctx.clientAuth,
      ...(scopes.length ? { scopes } : {}),
      ...(opts.resource ? { resource: opts.resource } : {}),
    },
  };
}
