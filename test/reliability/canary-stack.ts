/**
 * The local stack seeded with canary secrets: every password, client secret, API key and AWS secret it knows is a
 * recognisable value, so that a test can search any output or file for it. Tokens minted at run time (Cognito JWTs,
 * workload access tokens, vault tokens) are collected from the cache files and the stack's state.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/emulator/config.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';

const tag = () => randomBytes(6).toString('hex');

/** Static canaries: values the user types or configures. */
export function makeCanaries() {
  const t = tag();
  return {
    password: `CanaryPw-${t}-Aa1!`,
    tempPassword: `CanaryTemp-${t}-Aa1!`,
    newPassword: `CanaryNew-${t}-Aa1!`,
    wrongPassword: `CanaryWrong-${t}-Aa1!`,
    clientSecret: `canarysecret${t}${tag()}`,
    wrongSecret: `canarywrongsecret${t}`,
    apiKey: `sk-canary-${t}-${tag()}`,
    awsSecret: `CanaryAwsSecret${t}${tag()}`,
    code: `canarycode-${t}`,
    mfa: `937${t.slice(0, 3)}`.replace(/\D/g, '7'),
  };
}
export type Canaries = ReturnType<typeof makeCanaries>;

export interface CanaryStack {
  stack: LocalStack;
  canaries: Canaries;
  env: Record<string, string>;
  poolId: string;
  clientId: string;
  publicClientId: string;
}

export async function startCanaryStack(): Promise<CanaryStack> {
  const canaries = makeCanaries();
  const cfg = parseConfig({});
  cfg.credentials.secretAccessKey = canaries.awsSecret;
  const app = cfg.userPool.clients.find((c) => c.name === 'app-client')!;
  app.clientSecret = canaries.clientSecret;
  for (const u of cfg.userPool.users) {
    if (u.username === 'alice') u.password = canaries.password;
    if (u.username === 'bob') u.password = canaries.tempPassword;
  }
  cfg.apiKeyProviders[0]!.apiKey = canaries.apiKey;
  const stack = await startLocalStack({ port: 0, config: cfg, autoConsent: true });
  return {
    stack,
    canaries,
    env: { ...stack.env },
    poolId: stack.userPool.id,
    clientId: app.clientId,
    publicClientId: cfg.userPool.clients.find((c) => c.name === 'public-client')!.clientId,
  };
}

/** The pool, the app client with its secret on the command line, and a username: the arguments `login` takes. */
export function canaryPoolArgs(s: CanaryStack, username = 'alice'): string[] {
  return [
    ...['--user-pool-id', s.poolId, '--client-id', s.clientId],
    ...['--client-secret', s.canaries.clientSecret, '--username', username],
  ];
}

/** `login --auth-flow authorization-code` with the app client and its secret, redirected to 127.0.0.1:port. */
export function canaryAuthCodeLogin(s: CanaryStack, port: number): string[] {
  return [
    ...['login', '--auth-flow', 'authorization-code', '--discovery-url', s.stack.userPool.discoveryUrl],
    ...['--client-id', s.clientId, '--client-secret', s.canaries.clientSecret],
    ...['--redirect-uri', `http://127.0.0.1:${port}/callback`, '--no-cache'],
  ];
}

/** `exchange` through the 3LO provider for alice, returning to returnUrl (registered by the run). */
export function canaryThreeLo(returnUrl: string): string[] {
  return [
    ...['exchange', '--workload-name', 'local-workload', '--user-id', 'alice'],
    ...['--provider', 'local-3lo', '--scopes', 'api:read', '--return-url', returnUrl, '--register-return-url'],
  ];
}

/** The stack's gateway MCP endpoint. */
export const canaryGatewayUrl = (s: CanaryStack) => `${s.stack.url}/gateways/local-gateway-local00001/mcp`;

export type SecretKind =
  | 'access'
  | 'id'
  | 'refresh'
  | 'wat'
  | 'resource'
  | 'apiKey'
  | 'password'
  | 'clientSecret'
  | 'awsSecret'
  | 'code';

export interface KnownSecret {
  kind: SecretKind;
  label: string;
  value: string;
}

export function staticSecrets(c: Canaries): KnownSecret[] {
  return [
    { kind: 'password', label: 'password', value: c.password },
    { kind: 'password', label: 'temporary password', value: c.tempPassword },
    { kind: 'password', label: 'new password', value: c.newPassword },
    { kind: 'password', label: 'wrong password', value: c.wrongPassword },
    { kind: 'clientSecret', label: 'client secret', value: c.clientSecret },
    { kind: 'clientSecret', label: 'wrong client secret', value: c.wrongSecret },
    { kind: 'apiKey', label: 'api key', value: c.apiKey },
    { kind: 'awsSecret', label: 'AWS secret access key', value: c.awsSecret },
    { kind: 'code', label: 'authorization code', value: c.code },
    { kind: 'code', label: 'MFA code', value: c.mfa },
  ];
}

/** Tokens in a token cache file (if any). */
export function cachedSecrets(file: string): KnownSecret[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: KnownSecret[] = [];
  try {
    const cache = JSON.parse(text) as { entries: Record<string, { tokens: Record<string, string> }> };
    for (const [name, e] of Object.entries(cache.entries ?? {})) {
      if (e.tokens.accessToken)
        out.push({ kind: 'access', label: `${name} access token`, value: e.tokens.accessToken });
      if (e.tokens.idToken) out.push({ kind: 'id', label: `${name} ID token`, value: e.tokens.idToken });
      if (e.tokens.refreshToken)
        out.push({ kind: 'refresh', label: `${name} refresh token`, value: e.tokens.refreshToken });
    }
  } catch {
    /* broken file: nothing to add */
  }
  return out;
}

/** Workload access tokens and vault tokens the stack has handed out so far. */
export function stackSecrets(stack: LocalStack): KnownSecret[] {
  const out: KnownSecret[] = [];
  for (const t of stack.state.wats.keys()) out.push({ kind: 'wat', label: 'workload access token', value: t });
  for (const v of stack.state.vault.values()) {
    out.push({ kind: 'resource', label: 'resource token', value: v.accessToken });
    if (v.refreshToken) out.push({ kind: 'resource', label: 'resource refresh token', value: v.refreshToken });
  }
  return out;
}

/** The forms a secret may take in text: as is, URL-encoded, base64 (Basic auth, JSON-in-base64). */
export function leakForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value)]);
  // a long secret's middle part, in case it was split or wrapped
  if (value.length >= 24) forms.add(value.slice(4, value.length - 4));
  return [...forms];
}

/**
 * Whether `form` occurs in `text`. A short secret (the 6-digit MFA code) counts only as a whole token, not inside a
 * longer run of letters and digits: "937517" inside a SigV4 x-amz-content-sha256 digest is chance, not a leak (it
 * failed a CI run); the code printed anywhere on its own (a JSON value, a flag, a form field) still counts.
 */
function occursIn(text: string, form: string): boolean {
  if (form.length >= 12) return text.includes(form);
  const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![0-9A-Za-z])${escaped}(?![0-9A-Za-z])`).test(text);
}

/** Names of the known secrets whose value (in any leak form) occurs in `text`. */
export function findLeaks(
  text: string,
  secrets: KnownSecret[],
  allowed: ReadonlySet<SecretKind> = new Set(),
): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    if (allowed.has(s.kind)) continue;
    if (leakForms(s.value).some((f) => occursIn(text, f))) found.push(s.label);
  }
  return [...new Set(found)];
}

/** Every file under a directory (recursively) with its text. */
export function filesUnder(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push({ path: p, text: readFileSync(p, 'latin1') });
    }
  };
  walk(dir);
  return out;
}

/** A full three-part JWT anywhere in the text. */
export const FULL_JWT = /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}/;
