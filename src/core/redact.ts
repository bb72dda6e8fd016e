/**
 * Secret masking. A token is shown as its first few characters and its length, e.g. `eyJraW…[1043 chars]`, which is
 * enough to tell two tokens apart without making either usable; a password, a client secret, an API key or any other
 * value that is not token-shaped shows no character at all (`[16 chars]`). `--show-secrets` turns masking off.
 */
import { createHash } from 'node:crypto';

const SHOW_PREFIX = 6;

/**
 * Token-shaped: a JWT or JWE (`eyJ…` header, then a dot) or an AgentCore workload access token (`AgV4…`). Their first
 * characters are a fixed header (the algorithm, the format), not part of a secret someone chose.
 */
export function looksLikeToken(value: string): boolean {
  return /^eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]/.test(value) || /^AgV4[A-Za-z0-9+/=_-]{20,}$/.test(value);
}

export function maskSecret(value: string | undefined | null, show = false): string {
  if (value === undefined || value === null) return '';
  if (show) return value;
  if (value.length <= SHOW_PREFIX + 2 || !looksLikeToken(value)) return `[${value.length} chars]`;
  return `${value.slice(0, SHOW_PREFIX)}…[${value.length} chars]`;
}

/** A stable, short, non-reversible fingerprint of a secret: `sha256:1a2b3c4d`. */
export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

/** Header names (lower-case) whose values are secrets. */
export const SECRET_HEADERS = new Set([
  'authorization',
  'x-amz-security-token',
  'cookie',
  'set-cookie',
  'workloadaccesstoken',
  'x-amz-bedrock-agentcore-identity-wat',
  'proxy-authorization',
]);

/** Field names (lower-case, in forms, JSON bodies and query strings) whose values are secrets. */
export const SECRET_FIELDS = new Set([
  'password',
  'new_password',
  'newpassword',
  'client_secret',
  'clientsecret',
  'secret_hash',
  'code',
  'code_verifier',
  'refresh_token',
  'access_token',
  'id_token',
  'accesstoken',
  'idtoken',
  'refreshtoken',
  'usertoken',
  'workloadaccesstoken',
  'workloadidentitytoken',
  'apikey',
  'api_key',
  'session',
  'token',
  'assertion',
  'client_assertion',
  'subject_token',
  'actor_token',
  'secretaccesskey',
  'sessiontoken',
  'authorizationurl',
  'customstate',
  'state',
  'nonce',
]);

export function isSecretField(name: string): boolean {
  const n = name.toLowerCase();
  if (SECRET_FIELDS.has(n)) return true;
  // AuthParameters / ChallengeResponses keys such as PASSWORD, SECRET_HASH, NEW_PASSWORD, REFRESH_TOKEN
  return /(password|secret|token|session|verifier|api_?key)$/i.test(n);
}

export function redactHeaders(headers: Record<string, string>, show = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const lk = k.toLowerCase();
    if (show || !SECRET_HEADERS.has(lk)) {
      out[k] = v;
    } else if (lk === 'authorization' || lk === 'proxy-authorization') {
      const sp = v.indexOf(' ');
      const scheme = sp > 0 ? v.slice(0, sp) : '';
      // SigV4 Authorization is not a reusable secret but its signature is noise: keep the credential scope.
      if (scheme === 'AWS4-HMAC-SHA256') out[k] = v.replace(/Signature=[0-9a-f]+/, 'Signature=…');
      else out[k] = scheme ? `${scheme} ${maskSecret(v.slice(sp + 1))}` : maskSecret(v);
    } else {
      out[k] = maskSecret(v);
    }
  }
  return out;
}

/** Deep-copy a JSON value with secret fields masked. */
export function redactJson(value: unknown, show = false): unknown {
  if (show) return value;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, show));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string' && isSecretField(k)) out[k] = maskSecret(v);
      else out[k] = redactJson(v, show);
    }
    return out;
  }
  return value;
}

/** Redact an application/x-www-form-urlencoded string or a query string. */
export function redactForm(form: string, show = false): string {
  if (show) return form;
  const params = new URLSearchParams(form);
  const out = new URLSearchParams();
  for (const [k, v] of params) out.append(k, isSecretField(k) ? maskSecret(v) : v);
  return out.toString();
}

export function redactUrl(url: string, show = false): string {
  if (show) return url;
  try {
    const u = new URL(url);
    if (!u.search) return url;
    u.search = redactForm(u.search.slice(1));
    return u.toString();
  } catch {
    return url;
  }
}

/** Redact a body whose content type is known (JSON, form) or guessed. */
export function redactBody(body: string, contentType: string | undefined, show = false): string {
  if (show || !body) return body;
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('json') || /^\s*[[{]/.test(body)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body), show));
    } catch {
      /* fall through */
    }
  }
  if (ct.includes('x-www-form-urlencoded')) return redactForm(body, show);
  // Anything that looks like a JWT inside free text
  return maskJwtsInText(body, show);
}

const JWT_IN_TEXT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

export function maskJwtsInText(text: string, show = false): string {
  if (show) return text;
  return text.replace(JWT_IN_TEXT, (m) => maskSecret(m));
}

/**
 * A registry of concrete secret values seen during this run (passwords, client secrets, tokens), so that any text
 * about to reach stderr can be scrubbed even where a secret appears in an unexpected place (an error message echoing
 * a request, for example).
 */
export class SecretRegistry {
  private readonly values = new Set<string>();

  add(...values: Array<string | undefined | null>): void {
    for (const v of values) if (v && v.length >= 4) this.values.add(v);
  }

  scrub(text: string, show = false): string {
    if (show || this.values.size === 0) return text;
    let out = text;
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) {
      if (out.includes(v)) out = out.split(v).join(maskSecret(v));
      const enc = encodeURIComponent(v);
      if (enc !== v && out.includes(enc)) out = out.split(enc).join(maskSecret(v));
    }
    return out;
  }
}
