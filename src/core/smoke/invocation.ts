/**
 * One scenario step made concrete and read back: its variables resolved (`${env:…}`, `${steps.<id>.<field>}`), its
 * command line built (with the indexes of the secret values, for masking), its expectation resolved, and the
 * command's --json result and error read from what it printed.
 */
import { isSecretField } from '../redact.js';
import type { Observed, ResolvedExpectation } from './expect.js';
import type { StepExecution, StepResult } from './results.js';
import { Tpl, STEP_KINDS, type Step, type TValue } from './schema.js';
import { getPath, looksSecretValue, resolveTemplate, isSecretEnvName, type ResolveScope } from './template.js';

/** A `${steps.…}` reference that cannot be resolved (the step has not run, or has no such field). */
export class StepRefError extends Error {}

/** A step option's flag name: `userId` → `user-id`. */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * `${steps.x.exitCode}`, `.status`, `.durationMs`, `.stdout` work for every step; anything else reads its --json
 * output (and, for a login, its `tokens`).
 */
export function lookupStepValue(r: StepResult, path: string[]): unknown {
  const fromOutput = getPath(r.output, path);
  if (fromOutput !== undefined) return fromOutput;
  // `login --json` nests its token set under `tokens`: ${steps.login.accessToken} is ${steps.login.tokens.accessToken}.
  const fromTokens = getPath(getPath(r.output, ['tokens']), path);
  if (fromTokens !== undefined && fromTokens !== null) return fromTokens;
  if (path.length === 1) {
    const meta: Record<string, unknown> = {
      exitCode: r.exitCode,
      status: r.httpStatus,
      durationMs: Math.round(r.durationMs),
      stdout: r.stdout.trim(),
    };
    return meta[path[0]!];
  }
  return undefined;
}

export function resolveValue(
  v: TValue,
  scope: ResolveScope,
  onSecret?: (s: string) => void,
): { value: unknown; secrets: string[] } {
  if (v instanceof Tpl) {
    const r = resolveTemplate(v.template, scope, isSecretEnvName);
    for (const s of r.secrets) onSecret?.(s);
    return r;
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => resolveValue(x, scope, onSecret));
    return { value: items.map((i) => i.value), secrets: items.flatMap((i) => i.secrets) };
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    const secrets: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      const r = resolveValue(x, scope, onSecret);
      out[k] = r.value;
      secrets.push(...r.secrets);
    }
    return { value: out, secrets };
  }
  return { value: v, secrets: [] };
}

function asArg(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Flags whose names look secret but take no value. */
const SECRET_LOOKING_SWITCHES = new Set([
  'id-token',
  'refresh-token',
  'password-stdin',
  'client-secret-stdin',
  'show-secrets',
]);

/**
 * The command words, positionals and `--flags` of a step, plus the indexes of the values that are secrets (the values
 * of --password, --client-secret, --bearer-token…), so that reports can mask them. Positionals come first (so that a
 * flag with an optional value, such as `--bearer`, never swallows one), or after `--` when one starts with a dash.
 */
export function buildArgs(
  step: Step,
  resolve: (v: TValue) => { value: unknown },
): { args: string[]; secret: number[] } {
  const spec = STEP_KINDS[step.kind];
  const positionals = step.args.map((a) => asArg(resolve(a).value));
  if (step.kind === 'run') {
    const args = [...positionals];
    const secret: number[] = [];
    args.forEach((a, i) => {
      const m = /^--([a-z0-9-]+)$/.exec(a);
      const next = args[i + 1];
      if (
        m &&
        !SECRET_LOOKING_SWITCHES.has(m[1]!) &&
        isSecretField(m[1]!.replace(/-/g, '_')) &&
        next !== undefined &&
        !next.startsWith('-')
      )
        secret.push(i + 1);
    });
    return { args, secret };
  }
  const flags: string[] = [];
  const secretFlags: number[] = [];
  for (const [key, { value }] of Object.entries(step.options)) {
    const name = kebab(key);
    const flag = `--${name}`;
    const v = resolve(value).value;
    const isSecret = !SECRET_LOOKING_SWITCHES.has(name) && isSecretField(name.replace(/-/g, '_'));
    const push = (x: unknown) => {
      flags.push(flag, asArg(x));
      if (isSecret) secretFlags.push(flags.length - 1);
    };
    // null and "" leave the option out: `client-secret: ${env:CLIENT_SECRET:-}` is optional.
    if (v === null || v === undefined || v === '') continue;
    if (v === true) flags.push(flag);
    else if (v === false) flags.push(`--no-${name}`);
    else if (Array.isArray(v)) v.forEach(push);
    else push(v);
  }
  const command = [...spec.command];
  if (positionals.some((p) => p.startsWith('-'))) {
    const base = command.length;
    return { args: [...command, ...flags, '--', ...positionals], secret: secretFlags.map((i) => base + i) };
  }
  const base = command.length + positionals.length;
  return { args: [...command, ...positionals, ...flags], secret: secretFlags.map((i) => base + i) };
}

export function resolveExpectation(step: Step, resolve: (v: TValue) => unknown): ResolvedExpectation {
  const e = step.expect;
  const str = (v: TValue) => asArg(resolve(v));
  return {
    ...(e.outcome ? { outcome: e.outcome } : {}),
    ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
    ...(e.status ? { status: e.status } : {}),
    ...(e.error !== undefined ? { error: str(e.error) } : {}),
    contains: e.contains.map(str),
    notContains: e.notContains.map(str),
    json: e.json.map((j) => ({ path: j.path, pathText: j.pathText, value: resolve(j.value) })),
    claims: e.claims.map((c) => ({ claim: c.path[0]!, value: resolve(c.value) })),
    ...(e.claimsFrom ? { claimsFrom: e.claimsFrom } : {}),
    ...(e.maxDurationMs !== undefined ? { maxDurationMs: e.maxDurationMs } : {}),
  };
}

/** Read a command's --json result (stdout) and --json error (stderr). */
export function observe(exec: StepExecution, durationMs: number): Observed {
  const o: Observed = { exitCode: exec.exitCode, durationMs, stdout: exec.stdout, stderr: exec.stderr };
  const out = parseJsonOutput(exec.stdout);
  if (out !== undefined) o.output = out;
  for (const line of exec.stderr.split('\n').reverse()) {
    const t = line.trim();
    if (!t.startsWith('{"error"')) continue;
    try {
      const parsed = JSON.parse(t) as { error?: Observed['error'] };
      if (parsed.error && typeof parsed.error.code === 'string') {
        o.error = parsed.error;
        break;
      }
    } catch {
      /* not ours */
    }
  }
  const status =
    httpStatusOf(o.output) ?? (typeof o.error?.details?.status === 'number' ? o.error.details.status : undefined);
  if (status !== undefined) o.httpStatus = status;
  return o;
}

function parseJsonOutput(stdout: string): unknown {
  const t = stdout.trim();
  if (!t) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    // NDJSON or text: the last line that parses.
    for (const line of t.split('\n').reverse()) {
      try {
        return JSON.parse(line);
      } catch {
        /* keep looking */
      }
    }
  }
  return undefined;
}

function httpStatusOf(output: unknown): number | undefined {
  for (const path of [['status'], ['statusCode'], ['httpStatus'], ['response', 'status'], ['http', 'status']]) {
    const v = getPath(output, path);
    if (typeof v === 'number' && v >= 100 && v <= 599) return v;
  }
  return undefined;
}

/** Register token-like strings of a step's output (secret field names, JWTs, long opaque tokens). */
export function collectSecrets(value: unknown, add: (s: string) => void, key = ''): void {
  if (typeof value === 'string') {
    // A secret-named field (password, client_secret, code, state…) holding a token-sized value without spaces, or
    // anything that looks like a token wherever it is.
    if ((key && isSecretField(key) && value.length >= 16 && !/\s/.test(value)) || looksSecretValue(value)) add(value);
  } else if (Array.isArray(value)) for (const v of value) collectSecrets(v, add, key);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collectSecrets(v, add, k);
}

export function stepTitle(step: Step): string {
  if (step.name) return step.name;
  if (step.derivedFrom) {
    const check =
      step.derivedFrom.check === 'no-token'
        ? 'without the bearer token it must be denied'
        : 'in the wrong inbound mode it must be denied';
    return `${step.derivedFrom.step}: ${check}`;
  }
  return step.id;
}
