/**
 * The config file's field checks, shared by the identity half's parsers (config.ts, cognito/config.ts,
 * identity/config.ts, principals.ts, policy/config.ts): each names the field it refuses (`userPool.users[1].password:
 * required string`). ConfigError is the one error of every config section: the runtime half's readers
 * (runtime/fields.ts, with their own wording) and the gateways' parser throw it too.
 */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export type Raw = Record<string, unknown>;

export function obj(v: unknown, field: string): Raw {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(field, 'must be a mapping (object)');
  return v as Raw;
}
export function str(
  v: unknown,
  field: string,
  opts: { min?: number; max?: number; pattern?: RegExp; patternText?: string } = {},
): string {
  if (typeof v !== 'string') throw new ConfigError(field, 'required string');
  if (opts.min !== undefined && v.length < opts.min)
    throw new ConfigError(field, `must be at least ${opts.min} characters`);
  if (opts.max !== undefined && v.length > opts.max)
    throw new ConfigError(field, `must be at most ${opts.max} characters`);
  if (opts.pattern && !opts.pattern.test(v))
    throw new ConfigError(field, `must match ${opts.patternText ?? opts.pattern.source}`);
  return v;
}
export function optStr(v: unknown, field: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, field);
}
export function bool(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ConfigError(field, 'must be true or false');
  return v;
}
export function int(v: unknown, field: string, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new ConfigError(field, `must be an integer ≥ ${min}`);
  return v;
}
export function list(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new ConfigError(field, 'must be a list');
  return v;
}
export function strList(v: unknown, field: string, dflt: string[]): string[] {
  if (v === undefined) return dflt;
  return list(v, field).map((x, i) => str(x, `${field}[${i}]`));
}
/**
 * The field of the key `key` of a mapping at `field` (`field.key`). A key other than a plain name (letters, digits,
 * `_`, `-`, `$`) is JSON-quoted, so that `<field>: <detail>` still reads as one field and its detail when the key has
 * a colon or a space in it (`attributes."custom:team"`, `lambdas."arn:aws:lambda:…"`, a scope `"api:read"`) or is
 * empty (`""`). Every section's parser names mapping keys with it (runtime, gateway and policy sections too).
 */
export function keyField(field: string, key: string): string {
  const shown = /^[\w$-]+$/.test(key) ? key : JSON.stringify(key);
  return field ? `${field}.${shown}` : shown;
}
export function known(o: Raw, field: string, keys: string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k))
      throw new ConfigError(keyField(field, k), `unknown key (expected one of: ${keys.join(', ')})`);
  }
}
export function unique<T>(items: T[], key: (t: T) => string, field: string): void {
  const seen = new Set<string>();
  items.forEach((t, i) => {
    const k = key(t);
    if (seen.has(k)) throw new ConfigError(`${field}[${i}]`, `duplicate "${k}"`);
    seen.add(k);
  });
}
