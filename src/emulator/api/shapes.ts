/**
 * Request validation driven by one table of the models' constraints. A service declares its request shapes once
 * (members with type, required, length, range, pattern, enum — as the Smithy/botocore models give them) and every
 * operation's input is checked against its shape before the handler runs, with the service's own wording:
 * - `agentcore` (restJson1, Coral): `Value at 'gateway.name' failed to satisfy constraint: Member must …`
 * - `cognito` (awsJson1_1): `1 validation error detected: Value 'x' at 'clientId' failed to satisfy constraint: …`,
 *   an InvalidParameterException, member names with a lower-case first letter. Only the first violation is reported
 *   (what the services were seen to do for one bad field; several at once UNVERIFIED).
 */
import { ApiError, cannotParse, validation } from './errors.js';

interface Base {
  required?: boolean;
}
export interface StringRule extends Base {
  type: 'string';
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly string[];
}
export interface NumberRule extends Base {
  type: 'integer' | 'double';
  min?: number;
  max?: number;
}
export interface BooleanRule extends Base {
  type: 'boolean';
}
export interface ListRule extends Base {
  type: 'list';
  member: Rule;
  min?: number;
  max?: number;
}
export interface MapRule extends Base {
  type: 'map';
  key?: StringRule;
  value: Rule;
  min?: number;
  max?: number;
}
export interface StructureRule extends Base {
  type: 'structure';
  members: Record<string, Rule>;
}
/** Exactly one member set (a Smithy union). */
export interface UnionRule extends Base {
  type: 'union';
  members: Record<string, Rule>;
}
/** Any JSON value (a Smithy document), or a structure whose inside this emulator does not check. */
export interface DocumentRule extends Base {
  type: 'document';
}
export type Rule =
  | StringRule
  | NumberRule
  | BooleanRule
  | ListRule
  | MapRule
  | StructureRule
  | UnionRule
  | DocumentRule;

export type Dialect = 'agentcore' | 'cognito';

// Builders, so a shape table reads like the model.
export const str = (rule: Omit<StringRule, 'type'> = {}): StringRule => ({ type: 'string', ...rule });
export const int = (rule: Omit<NumberRule, 'type'> = {}): NumberRule => ({ type: 'integer', ...rule });
export const bool = (rule: Omit<BooleanRule, 'type'> = {}): BooleanRule => ({ type: 'boolean', ...rule });
export const list = (member: Rule, rule: Omit<ListRule, 'type' | 'member'> = {}): ListRule => ({
  type: 'list',
  member,
  ...rule,
});
export const map = (value: Rule, rule: Omit<MapRule, 'type' | 'value'> = {}): MapRule => ({
  type: 'map',
  value,
  ...rule,
});
export const struct = (members: Record<string, Rule>, rule: Omit<StructureRule, 'type' | 'members'> = {}) =>
  ({ type: 'structure', members, ...rule }) as StructureRule;
export const union = (members: Record<string, Rule>, rule: Omit<UnionRule, 'type' | 'members'> = {}) =>
  ({ type: 'union', members, ...rule }) as UnionRule;
export const doc = (rule: Omit<DocumentRule, 'type'> = {}): DocumentRule => ({ type: 'document', ...rule });
/** The same rule, required. */
export const req = <R extends Rule>(rule: R): R => ({ ...rule, required: true });

type Json = Record<string, unknown>;

/** Checks `body` against `shape`; throws the service's ValidationException (or InvalidParameterException). */
export function validate(body: Json, shape: StructureRule, dialect: Dialect = 'agentcore'): void {
  const problem = check(body, shape, '', dialect);
  if (problem) throw problem;
}

function memberPath(parent: string, name: string, dialect: Dialect): string {
  const own = dialect === 'cognito' ? name.charAt(0).toLowerCase() + name.slice(1) : name;
  return parent ? `${parent}.${own}` : own;
}

function fail(dialect: Dialect, path: string, value: unknown, constraint: string): ApiError {
  if (dialect === 'agentcore') return validation(path, constraint);
  const shown =
    value === undefined || value === null ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
  return new ApiError(
    400,
    'InvalidParameterException',
    `1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}

function typeError(dialect: Dialect, path: string, expected: string): ApiError {
  if (dialect === 'agentcore') return cannotParse(path, expected);
  return new ApiError(400, 'SerializationException', `Value at '${path}' must be ${expected}`);
}

function lengthOf(v: unknown): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  return Object.keys(v as Json).length;
}

function checkLength(v: unknown, rule: { min?: number; max?: number }, path: string, d: Dialect): ApiError | undefined {
  const n = lengthOf(v);
  if (rule.min !== undefined && n < rule.min)
    return fail(d, path, v, `Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && n > rule.max)
    return fail(d, path, v, `Member must have length less than or equal to ${rule.max}`);
  return undefined;
}

function check(v: unknown, rule: Rule, path: string, d: Dialect): ApiError | undefined {
  if (v === undefined || v === null) return rule.required ? fail(d, path, v, 'Member must not be null') : undefined;
  switch (rule.type) {
    case 'string':
      return checkString(v, rule, path, d);
    case 'integer':
    case 'double':
      return checkNumber(v, rule, path, d);
    case 'boolean':
      return typeof v === 'boolean' ? undefined : typeError(d, path, 'a boolean');
    case 'list':
      return checkList(v, rule, path, d);
    case 'map':
      return checkMap(v, rule, path, d);
    case 'structure':
    case 'union':
      return checkStructure(v, rule, path, d);
    case 'document':
      return undefined;
  }
}

function checkString(v: unknown, rule: StringRule, path: string, d: Dialect): ApiError | undefined {
  if (typeof v !== 'string') return typeError(d, path, 'a string');
  const bad = checkLength(v, rule, path, d);
  if (bad) return bad;
  if (rule.enum && !rule.enum.includes(v))
    return fail(d, path, v, `Member must satisfy enum value set: [${rule.enum.join(', ')}]`);
  if (rule.pattern && !fullMatch(rule.pattern, v))
    return fail(d, path, v, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
  return undefined;
}

/** Model patterns are matched against the whole value, as Smithy's `@pattern` is used by these services. */
function fullMatch(pattern: RegExp, v: string): boolean {
  let whole = anchored.get(pattern);
  if (!whole) {
    // Anchored as a whole, not by the first match: with an alternation (`vpc-(([0-9a-z]{8})|([0-9a-z]{17}))`) the
    // first match can be a shorter alternative than the one that spans the value.
    whole = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
    anchored.set(pattern, whole);
  }
  return whole.test(v);
}
const anchored = new WeakMap<RegExp, RegExp>();

function checkNumber(v: unknown, rule: NumberRule, path: string, d: Dialect): ApiError | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || (rule.type === 'integer' && !Number.isInteger(v)))
    return typeError(d, path, rule.type === 'integer' ? 'an integer' : 'a number');
  if (rule.min !== undefined && v < rule.min)
    return fail(d, path, v, `Member must have value greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && v > rule.max)
    return fail(d, path, v, `Member must have value less than or equal to ${rule.max}`);
  return undefined;
}

function checkList(v: unknown, rule: ListRule, path: string, d: Dialect): ApiError | undefined {
  if (!Array.isArray(v)) return typeError(d, path, 'a list');
  const bad = checkLength(v, rule, path, d);
  if (bad) return bad;
  for (let i = 0; i < v.length; i++) {
    const inner = check(v[i], { ...rule.member, required: true }, `${path}.${i + 1}.member`, d);
    if (inner) return inner;
  }
  return undefined;
}

function checkMap(v: unknown, rule: MapRule, path: string, d: Dialect): ApiError | undefined {
  if (typeof v !== 'object' || Array.isArray(v)) return typeError(d, path, 'a map');
  const bad = checkLength(v, rule, path, d);
  if (bad) return bad;
  for (const [k, val] of Object.entries(v as Json)) {
    const key = rule.key ? checkString(k, rule.key, `${path}.key`, d) : undefined;
    if (key) return key;
    const inner = check(val, { ...rule.value, required: true }, `${path}.${k}`, d);
    if (inner) return inner;
  }
  return undefined;
}

function checkStructure(v: unknown, rule: StructureRule | UnionRule, path: string, d: Dialect): ApiError | undefined {
  if (typeof v !== 'object' || Array.isArray(v)) return typeError(d, path, 'a structure');
  const obj = v as Json;
  if (rule.type === 'union') {
    const set = Object.keys(rule.members).filter((k) => obj[k] !== undefined && obj[k] !== null);
    // UNVERIFIED wording: Smithy servers reject a union with no or several members set as a serialization error.
    if (set.length !== 1) return typeError(d, path || 'body', 'a union with exactly one member set');
  }
  for (const [name, member] of Object.entries(rule.members)) {
    const inner = check(obj[name], member, memberPath(path, name, d), d);
    if (inner) return inner;
  }
  return undefined;
}

/** A string member restricted to the model's enum values. */
export const enumOf = (values: readonly string[], rule: Omit<StringRule, 'type' | 'enum'> = {}): StringRule => ({
  type: 'string',
  enum: values,
  ...rule,
});
