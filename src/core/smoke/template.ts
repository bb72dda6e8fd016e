/**
 * Variable interpolation in scenario values: `${env:NAME}`, `${env:NAME:-default}` and `${steps.<id>.<path>}`.
 * `$${` is a literal `${`. Templates are parsed when the scenario is loaded (so a typo names its line) and resolved
 * when a step is about to run.
 */

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'env'; name: string; fallback?: string }
  | { kind: 'step'; id: string; path: string[] };

export interface Template {
  parts: TemplatePart[];
  /** The source text, for messages. */
  source: string;
}

export class TemplateSyntaxError extends Error {}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Parse a string; throws TemplateSyntaxError on `${` that is not a known variable form. */
export function parseTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!source.startsWith('${', i)) {
      text += source[i];
      i++;
      continue;
    }
    const end = source.indexOf('}', i + 2);
    if (end < 0) throw new TemplateSyntaxError(`unterminated "\${" in "${source}" (write $\${ for a literal \${)`);
    const body = source.slice(i + 2, end).trim();
    if (text) parts.push({ kind: 'text', text });
    text = '';
    parts.push(parseVariable(body));
    i = end + 1;
  }
  if (text) parts.push({ kind: 'text', text });
  return { parts, source };
}

function parseVariable(body: string): TemplatePart {
  if (body.startsWith('env:')) {
    const rest = body.slice(4);
    const sep = rest.indexOf(':-');
    const name = sep >= 0 ? rest.slice(0, sep) : rest;
    if (!ENV_NAME.test(name))
      throw new TemplateSyntaxError(`"\${${body}}": "${name}" is not an environment variable name`);
    return sep >= 0 ? { kind: 'env', name, fallback: rest.slice(sep + 2) } : { kind: 'env', name };
  }
  if (body.startsWith('steps.')) {
    const path = splitPath(body.slice(6));
    const id = path.shift();
    if (!id || !STEP_ID.test(id)) throw new TemplateSyntaxError(`"\${${body}}": expected \${steps.<id>.<path>}`);
    if (path.length === 0)
      throw new TemplateSyntaxError(`"\${${body}}" names a step but no value; for example \${steps.${id}.accessToken}`);
    return { kind: 'step', id, path };
  }
  throw new TemplateSyntaxError(`unknown variable "\${${body}}": use \${env:NAME} or \${steps.<id>.<path>}`);
}

/** `a.b[0].c` → ['a', 'b', '0', 'c']. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const seg of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(seg);
    if (!m) throw new TemplateSyntaxError(`bad path segment "${seg}" in "${path}"`);
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(idx[1]!);
    if (!m[1] && !m[2]) throw new TemplateSyntaxError(`empty path segment in "${path}"`);
  }
  return out;
}

export function isPlainText(t: Template): boolean {
  return t.parts.every((p) => p.kind === 'text');
}

export function stepRefs(t: Template): string[] {
  return t.parts.flatMap((p) => (p.kind === 'step' ? [p.id] : []));
}

export function envRefs(t: Template): Array<{ name: string; fallback?: string }> {
  return t.parts.flatMap((p) =>
    p.kind === 'env' ? [{ name: p.name, ...(p.fallback !== undefined ? { fallback: p.fallback } : {}) }] : [],
  );
}

/** Look a path up in a JSON value; `undefined` when absent. */
export function getPath(value: unknown, path: readonly string[]): unknown {
  let cur: unknown = value;
  for (const seg of path) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (typeof cur === 'object') {
      if (!Object.hasOwn(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    } else return undefined;
  }
  return cur;
}

export interface ResolveScope {
  env: Record<string, string | undefined>;
  /** The looked-up value of a step path, or a thrown Error explaining why there is none. */
  step(id: string, path: string[]): unknown;
}

export interface Resolved {
  value: unknown;
  /** Values that came from the environment or from a step's token-like output: mask them in any report. */
  secrets: string[];
}

export class ResolveError extends Error {}

/**
 * Resolve a template. A template that is exactly one variable keeps the variable's type (number, object); anything
 * else is a string.
 */
export function resolveTemplate(t: Template, scope: ResolveScope, isSecretEnv: (name: string) => boolean): Resolved {
  const secrets: string[] = [];
  const values = t.parts.map((p) => {
    if (p.kind === 'text') return p.text;
    if (p.kind === 'env') {
      const v = scope.env[p.name];
      if (v === undefined || v === '') {
        if (p.fallback !== undefined) return p.fallback;
        throw new ResolveError(`environment variable ${p.name} is not set (referenced as "\${env:${p.name}}")`);
      }
      if (isSecretEnv(p.name)) secrets.push(v);
      return v;
    }
    const v = scope.step(p.id, p.path);
    if (typeof v === 'string' && looksSecretValue(v)) secrets.push(v);
    return v;
  });
  if (values.length === 1 && t.parts[0]!.kind !== 'text') return { value: values[0], secrets };
  return { value: values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(''), secrets };
}

/** A JWT, or a long opaque token-looking string. */
export function looksSecretValue(v: string): boolean {
  if (/^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./.test(v)) return true;
  // Long opaque strings, except hex ids and ids that end in a UUID (request ids, runtime session ids such as
  // agentcore-auth-<uuid>, MCP session ids): those are not secrets.
  if (/^[0-9a-fA-F-]+$/.test(v) || /(^|[-_])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v))
    return false;
  return v.length >= 32 && /^[A-Za-z0-9_\-+/=.~]+$/.test(v);
}

/**
 * Environment variables whose values are shown in reports: names that end in a public-looking suffix and do not
 * mention a secret. Everything else read through `${env:…}` is masked.
 */
export function isSecretEnvName(name: string): boolean {
  const n = name.toUpperCase();
  if (/(SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL|SESSION|COOKIE|PRIVATE|AUTH)/.test(n)) return true;
  return !PLAIN_ENV_NAME.test(n);
}

/** Names that say what a value is and that it is not a secret (a region, a URL, an id…). */
const PLAIN_ENV_NAME = new RegExp(
  `(^|_)(${[
    'REGION',
    'URL',
    'URI',
    'ARN',
    'ENDPOINT',
    'NAME',
    'ID',
    'USERNAME',
    'USER',
    'QUALIFIER',
    'ACCOUNT',
    'PORT',
    'HOST',
    'ISSUER',
    'AUDIENCE',
    'SCOPES?',
    'PROVIDER',
    'MODE',
  ].join('|')})$`,
);
