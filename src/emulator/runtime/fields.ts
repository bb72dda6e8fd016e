/**
 * The field readers of the runtime half's config sections (agents, gateways, authorizers): each names the offending
 * field in a ConfigError (`agents[0].name: "my-agent" must match …`), the config file's one error (../config-fields.ts,
 * whose readers, the identity half's, keep their own wording). Also the bridge between the models' shape tables
 * (api/shapes.ts) and a config-file error, both ways: a structure checked by the control plane is checked by the same
 * table in a config file (checkShape), and a config-file parser run on an API member answers ValidationException
 * (asValidation).
 */
import { ApiError, validate, validationMessage, type Rule } from '../api/index.js';
import { ConfigError, keyField, type Raw } from '../config-fields.js';

export type { Raw };

export function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(
  v: unknown,
  path: string,
  opts: { optional?: boolean; pattern?: RegExp; hint?: string } = {},
): string | undefined {
  if (v === undefined || v === null) {
    if (opts.optional) return undefined;
    throw new ConfigError(path, 'is required');
  }
  if (typeof v !== 'string' || v.length === 0)
    throw new ConfigError(path, `must be a non-empty string (got ${JSON.stringify(v)})`);
  if (opts.pattern && !opts.pattern.test(v))
    throw new ConfigError(path, `${JSON.stringify(v)} ${opts.hint ?? `must match ${opts.pattern}`}`);
  return v;
}

export function strList(v: unknown, path: string, each?: (s: string, p: string) => void): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list =
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v;
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError(path, 'must be a non-empty list of strings (AgentCore rejects an empty list)');
  return list.map((s, i) => {
    const item = str(s, `${path}[${i}]`)!;
    each?.(item, `${path}[${i}]`);
    return item;
  });
}

export function known(o: Raw, path: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k))
      throw new ConfigError(keyField(path, k), `unknown field (expected one of: ${keys.join(', ')})`);
  }
}

export function httpUrl(v: unknown, path: string, optional = true): string | undefined {
  const s = str(v, path, { optional });
  if (s === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(path, `${JSON.stringify(s)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ConfigError(path, `${JSON.stringify(s)} must be an http(s) URL`);
  return s.replace(/\/+$/, '');
}

/**
 * Checks a config value against a model shape (the control plane's table), reporting the first violation with the
 * config path: `agents[0]…privateEndpoint.managedVpcResource.vpcIdentifier: failed to satisfy constraint: …`.
 */
export function checkShape(value: unknown, rule: Rule, path: string): void {
  try {
    validate({ [path]: value }, { type: 'structure', members: { [path]: rule } });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const field = (e.extra.fieldList as Array<{ name: string }> | undefined)?.[0]?.name;
    const m = /^Value at '(.*)' ((?:failed|must)[\s\S]*)$/.exec(e.message);
    throw new ConfigError(m?.[1] ?? field ?? path, m?.[2] ?? e.message);
  }
}

/** Runs a config-file parser on an API member; its ConfigError becomes the service's ValidationException. */
export function asValidation<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ConfigError) throw validationMessage(e.message);
    throw e;
  }
}
