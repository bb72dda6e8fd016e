/**
 * `login`'s flags, the environment variables it reads, and what every sign-in flow hands back (`Minted`), shared by
 * the files of this command (index.ts runs the command; cognito.ts and oauth.ts mint the tokens).
 */
import type { LoginFlow, RefreshConfig, TokenSet } from '../../../core/token-cache.js';

export const LOGIN_FLOWS = [
  'user-password',
  'admin-user-password',
  'user-srp',
  'refresh',
  'client-credentials',
  'authorization-code',
] as const;
export const PRINT_CHOICES = ['access-token', 'id-token', 'refresh-token'] as const;
/** Environment variables login reads (documented in README.md, "Secrets and environment variables"). */
export const LOGIN_ENV = {
  username: 'AGENTCORE_AUTH_USERNAME',
  password: 'AGENTCORE_AUTH_PASSWORD',
  newPassword: 'AGENTCORE_AUTH_NEW_PASSWORD',
  clientId: 'AGENTCORE_AUTH_CLIENT_ID',
  clientSecret: 'AGENTCORE_AUTH_CLIENT_SECRET',
  userPoolId: 'AGENTCORE_AUTH_USER_POOL_ID',
  totpSecret: 'AGENTCORE_AUTH_TOTP_SECRET',
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
  totpSecretStdin?: boolean;
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
