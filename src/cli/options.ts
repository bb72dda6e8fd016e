/**
 * Typed options. A command declares its options once, as a table (`{ timeout: value('--timeout <seconds>', …,
 * DURATION) }`); `addOptions(cmd, table)` registers them with commander (argParser, default, choices, conflicts,
 * implies) and `OptionsOf<typeof table>` is the handler's option type, so nothing is restated. Each kind of value has
 * one parser here (a duration, a URL, a header, a JSON object, an integer, a user id, a comma list): a bad value is a
 * usage error (exit 2) naming the flag and what it accepts, raised while commander parses, before any action runs.
 */
import { Option, type Command } from 'commander';
import { parseDuration, formatDuration } from '../core/duration.js';
import { inputError, usageError } from '../core/errors.js';
import { checkServiceUrl } from '../core/loopback.js';
import { checkHeaderValue, checkUserId, parseHeaderLine, quoted } from '../core/wire-values.js';

/** Turns the text of one occurrence of a flag into its value; throws a usage error naming `flag`. */
export type ValueParser<T> = (raw: string, flag: string) => T;

/** One option's declaration. `Always` is true when the handler always gets a value (a default, a negatable flag). */
export interface Declared<T, Always extends boolean = false> {
  readonly flags: string;
  readonly description: string;
  readonly kind: 'value' | 'flag' | 'negatable' | 'optional' | 'repeat';
  readonly parse?: ValueParser<unknown>;
  readonly defaultValue?: unknown;
  readonly defaultText?: string;
  readonly choices?: readonly string[];
  readonly conflicts?: readonly string[];
  readonly implies?: Readonly<Record<string, unknown>>;
  readonly mandatory?: boolean;
  readonly label?: string;
  /** Type only: the value the handler sees. */
  readonly __value?: T;
  readonly __always?: Always;
}

/** What a declaration may add: other options it excludes (attribute names) or sets; how errors name it. */
export interface Relations {
  conflicts?: readonly string[];
  implies?: Readonly<Record<string, unknown>>;
  /** The flag as errors name it (default: the long flag), e.g. -H for -H, --header. */
  label?: string;
}

/** The options object a handler receives for a declaration table. */
export type OptionsOf<S> = {
  [K in keyof S]: S[K] extends Declared<infer T, infer A> ? (A extends true ? T : T | undefined) : never;
};

/** `--name <value>`: the text as given, or what `parse` makes of it. */
export function value(flags: string, description: string, relations?: Relations): Declared<string>;
export function value<T>(flags: string, description: string, parse: ValueParser<T>, relations?: Relations): Declared<T>;
export function value<T>(
  flags: string,
  description: string,
  parseOrRelations?: ValueParser<T> | Relations,
  relations?: Relations,
): Declared<T> {
  const parse = typeof parseOrRelations === 'function' ? parseOrRelations : undefined;
  const rel = typeof parseOrRelations === 'function' ? relations : parseOrRelations;
  return { flags, description, kind: 'value', ...(parse ? { parse } : {}), ...rel };
}

/** `--name` alone: true when given. */
export function flag(flags: string, description: string, relations?: Relations): Declared<boolean> {
  return { flags, description, kind: 'flag', ...relations };
}

/** `--no-name`: true unless given. */
export function negatable(flags: string, description: string): Declared<boolean, true> {
  if (!flags.startsWith('--no-')) throw new Error(`negatable option ${flags} must start with --no-`);
  return { flags, description, kind: 'negatable' };
}

/** `--name [value]`: true when given alone, else the value. */
export function optionalValue(flags: string, description: string, relations?: Relations): Declared<string | true> {
  return { flags, description, kind: 'optional', ...relations };
}

/** `--name <value>` from a fixed set (commander lists the choices in help and errors). */
export function choice<const C extends readonly string[]>(
  flags: string,
  description: string,
  choices: C,
  relations?: Relations,
): Declared<C[number]> {
  return { flags, description, kind: 'value', choices, ...relations };
}

/** A repeatable `--name <value>`: every occurrence, in order (each through `parse`). */
export function repeated(flags: string, description: string): Declared<string[]>;
export function repeated<T>(
  flags: string,
  description: string,
  parse: ValueParser<T>,
  relations?: Relations,
): Declared<T[]>;
export function repeated<T>(
  flags: string,
  description: string,
  parse?: ValueParser<T>,
  relations?: Relations,
): Declared<T[]> {
  return { flags, description, kind: 'repeat', ...(parse ? { parse } : {}), ...relations };
}

/** A repeatable comma list: `--scopes a,b --scopes c` → [a, b, c] (blank items dropped). */
export function list(flags: string, description: string): Declared<string[]> {
  return { flags, description, kind: 'repeat', parse: commaItems };
}

/** The same declaration with a default: the handler always gets a value. `text` is what help shows. */
export function withDefault<T>(d: Declared<T, boolean>, value: T, text?: string): Declared<T, true> {
  return { ...d, defaultValue: value, ...(text !== undefined ? { defaultText: text } : {}) } as Declared<T, true>;
}

/** The same declaration, which must be given (commander refuses the command line without it). */
export function required<T>(d: Declared<T, boolean>): Declared<T, true> {
  return { ...d, mandatory: true } as Declared<T, true>;
}

/** Register a declaration table on a command, in table order. The table's keys must be commander's names. */
export function addOptions<S extends Record<string, Declared<unknown, boolean>>>(cmd: Command, table: S): Command {
  for (const [key, d] of Object.entries(table)) cmd.addOption(toOption(key, d));
  return cmd;
}

function toOption(key: string, d: Declared<unknown, boolean>): Option {
  const o = new Option(d.flags, d.description);
  if (o.attributeName() !== key)
    throw new Error(`option ${d.flags} is declared as "${key}", not "${o.attributeName()}"`);
  const long = d.label ?? o.long ?? d.flags;
  if (d.choices) o.choices(d.choices);
  else if (d.kind === 'repeat') {
    const parse = d.parse ?? ((raw: string) => raw);
    o.argParser((raw: string, previous: unknown) => {
      const v = parse(raw, long);
      return [...((previous as unknown[] | undefined) ?? []), ...(parse === commaItems ? (v as unknown[]) : [v])];
    });
  } else if (d.parse) {
    const parse = d.parse;
    o.argParser((raw: string) => parse(raw, long));
  }
  if ('defaultValue' in d) o.default(d.defaultValue, d.defaultText);
  if (d.conflicts) o.conflicts([...d.conflicts]);
  if (d.implies) o.implies({ ...d.implies });
  if (d.mandatory) o.makeOptionMandatory();
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// One parser per kind of value.

function commaItems(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A duration in milliseconds, from a number in `unit` (`300`) or with its own unit (`500ms`, `30s`, `5m`, `1h`),
 * within [min, max] ms.
 */
export function duration(o: { unit: 's' | 'ms'; min: number; max: number }): ValueParser<number> {
  return (raw, flag) => {
    const ms = parseDuration(raw, o.unit);
    if (ms === undefined || ms < o.min || ms > o.max) {
      const words = o.unit === 's' ? 'a number of seconds' : 'a number of milliseconds';
      throw usageError(
        `${flag} must be a duration from ${formatDuration(o.min)} to ${formatDuration(o.max)}, got ${quoted(raw)}`,
        `Give ${words} (${o.unit === 's' ? '30' : '500'}) or a number with a unit: 500ms, 30s, 5m, 1h.`,
      );
    }
    return ms;
  };
}

/** The longest any wait may be: one day (timers cannot go much beyond 24.8 days; nobody waits that long). */
export const MAX_WAIT_MS = 24 * 3_600_000;

/** --timeout in seconds (or with a unit): 1 ms to 24 h. */
export const TIMEOUT = duration({ unit: 's', min: 1, max: MAX_WAIT_MS });

/** A whole number within [min, max]. */
export function integer(o: { min: number; max: number; what?: string }): ValueParser<number> {
  return (raw, flag) => {
    const n = /^\s*[0-9]+\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < o.min || n > o.max) {
      throw usageError(`${flag} must be a whole number from ${o.min} to ${o.max}, got ${quoted(raw)}`);
    }
    return n;
  };
}

/** A TCP port: 0 (any free port) to 65535. */
export const PORT = integer({ min: 0, max: 65535 });

/** A service endpoint: https, or plain http on a loopback host (core/loopback.ts: checkServiceUrl). */
export const SERVICE_URL: ValueParser<string> = (raw, flag) => checkServiceUrl(raw, flag).toString();

/** An http(s) URL, kept as written (an IdP's discovery or token endpoint, which may be any host). */
export const HTTP_URL: ValueParser<string> = (raw, flag) => {
  let u: URL | undefined;
  try {
    u = new URL(raw.trim());
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:'))
    throw usageError(`${flag} must be an http(s) URL, got ${quoted(raw)}`, `e.g. ${flag} https://idp.example.com/…`);
  return raw.trim();
};

/** `-H name:value` → [name, value]: an RFC 7230 token name, a visible-ASCII value (core/wire-values.ts). */
export const HEADER: ValueParser<[string, string]> = (raw, flag) => parseHeaderLine(raw, flag);

/** A value sent as an HTTP header as given (a trace header): visible ASCII and inner spaces. */
export const HEADER_VALUE: ValueParser<string> = (raw, flag) => checkHeaderValue(raw, flag);

/** HEADER_VALUE of at most `max` characters (InvokeAgentRuntime's limits: traceparent 128, tracestate 512 …). */
export function headerValue(o: { max: number }): ValueParser<string> {
  return (raw, flag) => {
    if (raw.length > o.max) throw usageError(`${flag} is ${raw.length} characters; AgentCore accepts at most ${o.max}`);
    return checkHeaderValue(raw, flag);
  };
}

/** Marks a flag whose value is read from stdin (`-`). */
export const STDIN = '-';

/** A JSON object (`{…}`), or `-` to read it from stdin later (then `parseJsonObject` on what was read). */
export const JSON_OBJECT_OR_STDIN: ValueParser<Record<string, unknown> | typeof STDIN> = (raw, flag) =>
  raw === STDIN ? STDIN : parseJsonObject(raw, flag);

/** Parse text as a JSON object, naming the flag (and showing an example of one) when it is not one. */
export function parseJsonObject(text: string, flag: string, example = '{"city":"Paris"}'): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw inputError(`${flag} is not JSON: ${(e as Error).message}`, `Example: ${flag} '${example}'.`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    const what = Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`;
    throw inputError(`${flag} must be a JSON object, got ${what}`, `Example: ${flag} '${example}'.`);
  }
  return v as Record<string, unknown>;
}

/** A user id of 1–`max` characters an HTTP header can carry (core/wire-values.ts: checkUserId). */
export function userId(o: { max: number }): ValueParser<string> {
  return (raw, flag) => checkUserId(raw, { max: o.max, flag });
}
