/**
 * `login`'s flags, the environment variables it reads, and what every sign-in flow hands back (`Minted`), shared by
 * the files of this command (index.ts runs the command; cognito.ts and oauth.ts mint the tokens).
 */
import { usageError } from '../../../core/errors.js';
import { DEFAULT_ENTRY, type LoginFlow, type RefreshConfig, type TokenSet } from '../../../core/token-cache.js';
import { DEFAULT_REDIRECT_URI } from '../../../wire.js';
import type { DiagramFlags } from '../../diagram-output.js';
import {
  choice,
  flag,
  HTTP_URL,
  list,
  negatable,
  repeated,
  TIMEOUT,
  value,
  withDefault,
  type OptionsOf,
  type ValueParser,
} from '../../options.js';

export const LOGIN_FLOWS = [
  'user-password',
  'admin-user-password',
  'user-srp',
  'refresh',
  'client-credentials',
  'authorization-code',
] as const;
export const PRINT_CHOICES = ['access-token', 'id-token', 'refresh-token'] as const;
/** Environment variables login reads (documented in `help environment`: cli/manual/environment.ts). */
export const LOGIN_ENV = {
  username: 'AGENTCORE_AUTH_USERNAME',
  password: 'AGENTCORE_AUTH_PASSWORD',
  newPassword: 'AGENTCORE_AUTH_NEW_PASSWORD',
  clientId: 'AGENTCORE_AUTH_CLIENT_ID',
  clientSecret: 'AGENTCORE_AUTH_CLIENT_SECRET',
  userPoolId: 'AGENTCORE_AUTH_USER_POOL_ID',
  totpSecret: 'AGENTCORE_AUTH_TOTP_SECRET',
} as const;

/**
 * An MFA code as Cognito sends or an authenticator shows it: digits only (6 for TOTP and SMS, up to 8 for an email
 * code). Checked here so that a typo is a usage error before any call, not Cognito's CodeMismatchException after one.
 */
const MFA_CODE: ValueParser<string> = (raw, flag) => {
  const code = raw.replace(/\s+/g, '');
  if (!/^[0-9]{6,8}$/.test(code))
    throw usageError(
      `${flag} must be the 6-digit code of the authenticator (or the 6–8 digit code sent by SMS or email)`,
      'Copy the digits only; a TOTP code changes every 30 s.',
    );
  return code;
};

export const LOGIN_OPTIONS = {
  authFlow: choice(
    '--auth-flow <flow>',
    'how to sign in (default: user-password when a username is given)',
    LOGIN_FLOWS,
  ),
  userPoolId: value(
    '--user-pool-id <id>',
    `Cognito user pool id, e.g. us-east-1_AbC123 (env ${LOGIN_ENV.userPoolId}); also gives the region`,
  ),
  clientId: value('--client-id <id>', `app client id (env ${LOGIN_ENV.clientId})`),
  clientSecret: value(
    '--client-secret <secret>',
    `app client secret (env ${LOGIN_ENV.clientSecret}); Cognito SECRET_HASH is computed from it`,
  ),
  clientSecretStdin: flag('--client-secret-stdin', 'read the client secret from stdin'),
  username: value('--username <name>', `user name (env ${LOGIN_ENV.username})`),
  password: value('--password <password>', `password (env ${LOGIN_ENV.password}; prompted on a terminal)`),
  passwordStdin: flag('--password-stdin', 'read the password from stdin'),
  newPassword: value(
    '--new-password <password>',
    `answer NEW_PASSWORD_REQUIRED (env ${LOGIN_ENV.newPassword}; prompted on a terminal)`,
  ),
  attribute: repeated('--attribute <name=value>', 'a required user attribute for NEW_PASSWORD_REQUIRED (repeatable)'),
  mfaCode: value(
    '--mfa-code <code>',
    'answer SMS_MFA / SOFTWARE_TOKEN_MFA / EMAIL_OTP (prompted on a terminal)',
    MFA_CODE,
  ),
  totpSecretStdin: flag(
    '--totp-secret-stdin',
    `read the authenticator's TOTP secret from stdin; login answers SOFTWARE_TOKEN_MFA with its current code ` +
      `(env ${LOGIN_ENV.totpSecret})`,
  ),
  domain: value(
    '--domain <domain>',
    'Cognito domain: <prefix>.auth.<region>.amazoncognito.com, a custom domain, or a full URL',
  ),
  discoveryUrl: value(
    '--discovery-url <url>',
    'OIDC discovery URL (…/.well-known/openid-configuration) or issuer URL',
    HTTP_URL,
  ),
  tokenEndpoint: value(
    '--token-endpoint <url>',
    'OAuth token endpoint (client-credentials without discovery)',
    HTTP_URL,
  ),
  scopes: list('--scopes <list>', 'scopes, comma-separated or repeated (authorization-code default: openid)'),
  resource: value('--resource <uri>', 'RFC 8707 resource indicator sent with the token request'),
  clientAuth: choice('--client-auth <method>', 'how the client secret is sent to the token endpoint', [
    'client_secret_basic',
    'client_secret_post',
  ]),
  redirectUri: value(
    '--redirect-uri <uri>',
    `loopback redirect URI registered at the provider (default ${DEFAULT_REDIRECT_URI})`,
  ),
  browser: negatable('--no-browser', 'print the sign-in URL instead of opening a browser'),
  timeout: withDefault(
    value('--timeout <seconds>', 'how long to wait for the browser sign-in', TIMEOUT),
    300_000,
    '300',
  ),
  print: choice('--print <token>', 'write only this raw token (and a newline) to stdout', PRINT_CHOICES),
  saveAs: withDefault(
    value('--save-as <name>', 'cache entry name (the entry `--auth-flow refresh` refreshes)'),
    DEFAULT_ENTRY,
  ),
  cache: negatable('--no-cache', 'do not write the token cache (CI)'),
};

export type LoginOptions = OptionsOf<typeof LOGIN_OPTIONS> & DiagramFlags;

/** What a sign-in flow hands back to `login`: the tokens and what to cache and show with them. */
export interface Minted {
  flow: LoginFlow;
  tokens: TokenSet;
  expiresIn?: number;
  refresh?: RefreshConfig;
  provider: string;
  clientId?: string;
  username?: string;
  challenges?: string[];
}
