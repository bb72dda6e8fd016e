/**
 * A tool call's arguments as `context.input`: JSON values converted to Cedar values of the tool's schema (integers as
 * Long, numbers as decimal extension values, arrays as sets, objects as records). Properties the Cedar schema has no
 * type for are not visible to policies and are left out; what does not fit the schema is reported, path by path.
 */
import type { CedarType } from './schema.js';

export type CedarValue =
  | string
  | number
  | boolean
  | CedarValue[]
  | { [key: string]: CedarValue }
  | { __extn: { fn: string; arg: string } };

export interface ConvertedInput {
  value: Record<string, CedarValue>;
  /** `input.amount: expected an integer, got "12"`; empty when the input fits. */
  problems: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
/** Cedar decimals: at most 4 digits after the point, within ±922337203685477.5807. */
const DECIMAL_MAX = 922337203685477;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}…` : v) : String(v);
}

function decimalOf(n: number): string | undefined {
  if (!Number.isFinite(n) || Math.abs(n) > DECIMAL_MAX) return undefined;
  const text = n.toString();
  if (/e/i.test(text)) return undefined;
  const [int, frac = ''] = text.split('.');
  if (frac.length > 4) return undefined;
  return `${int}.${frac || '0'}`;
}

function convert(t: CedarType, v: unknown, path: string, problems: string[]): CedarValue | undefined {
  switch (t.type) {
    case 'String':
      if (typeof v === 'string') return v;
      break;
    case 'Boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'Long':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      if (typeof v === 'number' && Number.isInteger(v)) {
        problems.push(`${path}: ${v} is out of the range of a Cedar Long`);
        return undefined;
      }
      break;
    case 'Extension': {
      if (typeof v !== 'number') break;
      const d = decimalOf(v);
      if (d !== undefined) return { __extn: { fn: 'decimal', arg: d } };
      problems.push(`${path}: ${v} cannot be a Cedar decimal (at most 4 digits after the point)`);
      return undefined;
    }
    case 'Set':
      if (Array.isArray(v)) {
        const out = v.map((x, i) => convert(t.element, x, `${path}[${i}]`, problems));
        return out.every((x) => x !== undefined) ? (out as CedarValue[]) : undefined;
      }
      break;
    case 'Record':
      if (isObj(v)) return convertRecord(t, v, path, problems);
      break;
  }
  problems.push(`${path}: expected ${expected(t)}, got ${describe(v)}`);
  return undefined;
}

function expected(t: CedarType): string {
  switch (t.type) {
    case 'String':
      return 'a string';
    case 'Boolean':
      return 'a boolean';
    case 'Long':
      return 'an integer';
    case 'Extension':
      return 'a number';
    case 'Set':
      return 'a list';
    case 'Record':
      return 'an object';
  }
}

function convertRecord(
  t: Extract<CedarType, { type: 'Record' }>,
  v: Record<string, unknown>,
  path: string,
  problems: string[],
): Record<string, CedarValue> {
  const out: Record<string, CedarValue> = {};
  for (const [k, at] of Object.entries(t.attributes)) {
    const x = v[k];
    if (x === undefined || x === null) {
      if (at.required) problems.push(`${path}.${k}: required by the tool's input schema`);
      continue;
    }
    const c = convert(at, x, `${path}.${k}`, problems);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/**
 * Convert a call's arguments for the tool's input type. `closed` (the property names of a JSON Schema that says
 * `additionalProperties: false`) reports top-level properties the schema does not name.
 */
export function toCedarInput(
  type: Extract<CedarType, { type: 'Record' }>,
  input: unknown,
  closed?: readonly string[],
): ConvertedInput {
  const problems: string[] = [];
  if (input === undefined || input === null) input = {};
  if (!isObj(input)) return { value: {}, problems: [`input: expected an object, got ${describe(input)}`] };
  const value = convertRecord(type, input, 'input', problems);
  if (closed)
    for (const k of Object.keys(input))
      if (!closed.includes(k)) problems.push(`input.${k}: not a property of the tool's input schema`);
  return { value, problems };
}
