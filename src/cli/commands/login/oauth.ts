/**
 * `login --auth-flow client-credentials | authorization-code` through openid-client: the OAuth server from
 * --discovery-url, --domain (Cognito), --token-endpoint or --user-pool-id; then the client_credentials grant, or a
 * browser sign-in with PKCE S256 + state + nonce on a one-shot loopback redirect.
 */
import { usageError } from '../../../core/errors.js';
import type { OAuthContext, OAuthTokens, ServerSpec } from '../../../core/oauth/client.js';
import type { TokenSet } from '../../../core/token-cache.js';
import { DEFAULT_REDIRECT_URI } from '../../../wire.js';
import { retryWithNotes, type Io } from '../../io.js';
import { LOGIN_ENV, type LoginOptions, type Minted } from './options.js';
import { plainValue, secretValue } from './prompts.js';

type OAuthFlow = 'client-credentials' | 'authorization-code';

export async function oauthLogin(io: Io, opts: LoginOptions, flow: OAuthFlow, timeoutMs: number): Promise<Minted> {
  const servers = [
    opts.domain && '--domain',
    opts.discoveryUrl && '--discovery-url',
    opts.tokenEndpoint && '--token-endpoint',
  ].filter(Boolean);
  if (servers.length > 1) throw usageError(`pass only one of ${servers.join(', ')}`);
  const oauth = await import('../../../core/oauth/client.js');
  const { server, discoveryUrl } = await oauthServer(io, opts, flow, oauth.cognitoDomainBase);

  // Ask for the client only once the server is known (a usage error should not follow a prompt).
  const clientId = await plainValue(io, opts.clientId, LOGIN_ENV.clientId, 'Client id: ', '--client-id');
  const clientSecret = await secretValue(io, {
    flag: opts.clientSecret,
    stdin: !!opts.clientSecretStdin,
    stdinFlag: '--client-secret-stdin',
    env: LOGIN_ENV.clientSecret,
    prompt: 'Client secret: ',
    flagName: '--client-secret',
    required: flow === 'client-credentials',
  });
  const ctx = await oauth.createOAuthContext({
    server,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(opts.clientAuth ? { clientAuth: opts.clientAuth } : {}),
    fetch: io.fetch,
    retry: retryWithNotes(io),
  });
  const scopes = opts.scopes?.length ? opts.scopes : flow === 'authorization-code' ? ['openid'] : [];
  let tokens: OAuthTokens;
  if (flow === 'client-credentials') {
    io.ui.info(
      `client_credentials grant for ${clientId}${scopes.length ? ` (scopes ${scopes.join(' ')})` : ''} ` +
        `→ ${ctx.tokenEndpoint} (${ctx.clientAuth})`,
    );
    tokens = await oauth.clientCredentialsGrant(ctx, { scopes, ...(opts.resource ? { resource: opts.resource } : {}) });
  } else {
    tokens = await browserSignIn(io, ctx, opts, scopes, timeoutMs);
  }
  return minted(flow, tokens, ctx, { discoveryUrl, clientId, clientSecret, scopes, resource: opts.resource });
}

/** What a login through an OAuth server leaves in the token cache: the tokens and how to refresh them. */
function minted(
  flow: OAuthFlow,
  tokens: OAuthTokens,
  ctx: OAuthContext,
  o: { discoveryUrl?: string; clientId: string; clientSecret?: string; scopes: string[]; resource?: string },
): Minted {
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
    clientId: o.clientId,
    refresh: {
      kind: 'oauth',
      tokenEndpoint: ctx.tokenEndpoint,
      issuer: ctx.issuer,
      ...(o.discoveryUrl ? { discoveryUrl: o.discoveryUrl } : {}),
      clientId: o.clientId,
      ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
      clientAuth: ctx.clientAuth,
      ...(o.scopes.length ? { scopes: o.scopes } : {}),
      ...(o.resource ? { resource: o.resource } : {}),
    },
  };
}

/** The OAuth server the flags name (and the discovery URL to cache for refreshes, when there is one). */
async function oauthServer(
  io: Io,
  opts: LoginOptions,
  flow: OAuthFlow,
  cognitoDomainBase: (domain: string) => string,
): Promise<{ server: ServerSpec; discoveryUrl?: string }> {
  const userPoolId = opts.userPoolId ?? io.ctx.env[LOGIN_ENV.userPoolId];
  const { serviceBaseUrl } = await import('../../../core/aws.js');
  const { regionFromPoolId } = await import('../../../core/cognito/secret-hash.js');
  if (opts.discoveryUrl) return { server: { discoveryUrl: opts.discoveryUrl }, discoveryUrl: opts.discoveryUrl };
  if (opts.domain) {
    const base = cognitoDomainBase(opts.domain);
    const region =
      io.globals.region ??
      regionFromPoolId(userPoolId) ??
      base.match(/\.auth\.([a-z0-9-]+)\.amazoncognito\.com/)?.[1] ??
      io.aws.region();
    let issuer: string | undefined;
    if (userPoolId && region)
      issuer = `${serviceBaseUrl(io.ctx.env, 'cognito', region, io.globals.endpointUrl)}/${userPoolId}`;
    if (flow === 'authorization-code' && !issuer) {
      throw usageError(
        'with --domain, --auth-flow authorization-code needs --user-pool-id (the ID token issuer is the user ' +
          'pool, not the domain)',
        'Or pass --discovery-url ' +
          'https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/openid-configuration.',
      );
    }
    return {
      server: {
        tokenEndpoint: `${base}/oauth2/token`,
        authorizationEndpoint: `${base}/oauth2/authorize`,
        ...(issuer ? { issuer } : {}),
      },
    };
  }
  if (opts.tokenEndpoint) {
    if (flow === 'authorization-code') {
      throw usageError(
        '--auth-flow authorization-code needs --discovery-url or --domain (an authorization endpoint), not ' +
          'only --token-endpoint',
      );
    }
    return { server: { tokenEndpoint: opts.tokenEndpoint } };
  }
  if (userPoolId) {
    const region = io.globals.region ?? regionFromPoolId(userPoolId) ?? io.aws.region();
    if (!region) throw usageError('no region for the user pool', 'Pass --region.');
    const cognitoBase = serviceBaseUrl(io.ctx.env, 'cognito', region, io.globals.endpointUrl);
    const discoveryUrl = `${cognitoBase}/${userPoolId}/.well-known/openid-configuration`;
    return { server: { discoveryUrl }, discoveryUrl };
  }
  throw usageError(
    `--auth-flow ${flow} needs the OAuth server`,
    'Pass --discovery-url, --domain (Cognito) or --token-endpoint.',
  );
}

/** authorization_code with PKCE: the browser (or the printed URL with --no-browser) signs in; the redirect ends it. */
async function browserSignIn(
  io: Io,
  ctx: OAuthContext,
  opts: LoginOptions,
  scopes: string[],
  timeoutMs: number,
): Promise<OAuthTokens> {
  const { authorizationCodeLogin } = await import('../../../core/oauth/authcode.js');
  const redirectUri = opts.redirectUri ?? DEFAULT_REDIRECT_URI;
  const tokens = await authorizationCodeLogin(ctx, {
    redirectUri,
    scopes,
    ...(opts.resource ? { resource: opts.resource } : {}),
    timeoutMs,
    signal: io.ctx.signal,
    open: async (url) => {
      // With port 0 in --redirect-uri, the port the OS picked is in the authorization URL's redirect_uri.
      const waitingOn = new URL(url).searchParams.get('redirect_uri') ?? redirectUri;
      if (!opts.browser) {
        io.ui.line(
          `Open this URL in a browser to sign in (waiting on ${waitingOn}, up to ${Math.round(timeoutMs / 1000)} s):`,
        );
        io.ui.line(`  ${url}`);
        return;
      }
      io.ui.info(
        `Opening the browser to sign in at ${new URL(url).origin} (waiting on ${waitingOn}, up ` +
          `to ${Math.round(timeoutMs / 1000)} s)…`,
      );
      try {
        await io.ctx.openBrowser(url);
      } catch (e) {
        io.ui.warn(`could not open a browser (${(e as Error).message}); open this URL yourself:`);
        io.ui.line(`  ${url}`);
      }
    },
  });
  io.ui.info('Redirect received; exchanged the code for tokens.');
  return tokens;
}
