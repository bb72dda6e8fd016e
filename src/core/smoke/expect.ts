/**
 * Expectations: what a step's result must look like. Each check yields a line of the report (label, pass/fail, and
 * what was seen instead).
 */
import { tryDecodeJwt } from '../jwt.js';
import type { AccessOutcome } from './schema.js';
import { getPath } from './template.js';

/** What one step did, as read from the command's exit code, its --json stdout and its --json error on stderr. */
export interface Observed {
  exitCode: number;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** The command's --json result (stdout), when it printed one. */
  output?: unknown;
  /** The command's --json error (stderr), when it failed. */
  error?: { code: string; message: string; hint?: string; exitCode?: number; details?: Record<string, unknown> };
  /** HTTP status of the main request, when the command reported one. */
  httpStatus?: number;
}

export interface ExpectationCheck {
  label: string;
  ok: boolean;
  /** What was seen, when the check failed. */
  actual?: string;
}

/** Expectation values after variable resolution. */
export interface ResolvedExpectation {
  outcome?: AccessOutcome;
  exitCode?: number;
  status?: number[];
  error?: string;
  contains: string[];
  notContains: string[];
  json: Array<{ path: string[]; pathText: string; value: unknown }>;
  claims: Array<{ claim: string; value: unknown }>;
  claimsFrom?: string[];
  maxDurationMs?: number;
}

/** The outcome checked when the expectation says nothing about exit code, status or error: allow. */
export function effectiveOutcome(e: {
  outcome?: AccessOutcome;
  exitCode?: number;
  status?: number[];
  error?: unknown;
}): AccessOutcome | undefined {
  if (e.outcome) return e.outcome;
  if (e.exitCode !== undefined || e.status !== undefined || e.error !== undefined) return undefined;
  return 'allow';
}

export const DENY_STATUSES = [401, 403];

export function isDenied(o: Observed): boolean {
  return o.exitCode === 4 || (o.httpStatus !== undefined && DENY_STATUSES.includes(o.httpStatus));
}

export function isAllowed(o: Observed): boolean {
  return o.exitCode === 0 && !(o.httpStatus !== undefined && o.httpStatus >= 400);
}

/** "exit 4 ERR_AUTH, HTTP 403 AccessDeniedException" (+ ": the error message" when asked). */
export function describeObserved(o: Observed, withMessage = false): string {
  const bits = [`exit ${o.exitCode}`];
  if (o.error?.code) bits[0] += ` ${o.error.code}`;
  const name = errorNames(o).find((n) => !n.startsWith('ERR_'));
  if (o.httpStatus !== undefined) bits.push(`HTTP ${o.httpStatus}${name ? ` ${name}` : ''}`);
  else if (name) bits.push(name);
  let text = bits.join(', ');
  if (withMessage && o.error?.message) text += `: ${squeezeLine(o.error.message, 160)}`;
  return text;
}

export function squeezeLine(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function errorNames(o: Observed): string[] {
  const d = o.error?.details ?? {};
  return [o.error?.code, d.errorName, d.error, d.type, d.__type].filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
}

function looseEqual(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (expected === null || actual === null || actual === undefined) return false;
  if (typeof expected !== 'object' && typeof actual !== 'object') return String(actual) === String(expected);
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => looseEqual(actual[i], e))
    );
  }
  if (typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(actual)) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    return Object.keys(e).every((k) => looseEqual(a[k], e[k])) && Object.keys(a).length === Object.keys(e).length;
  }
  return false;
}

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  return squeezeLine(typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v)), 120);
}

/** Output fields that usually hold the token a step produced, in order of preference. */
const TOKEN_FIELDS = [
  'accessToken',
  'access_token',
  'token',
  'idToken',
  'id_token',
  'resourceToken',
  'workloadAccessToken',
  'bearerToken',
];

/** The JWT a step produced: `claimsFrom`, else a well-known field, else the first JWT anywhere in the output. */
export function findToken(output: unknown, from?: string[]): { token?: string; where: string } {
  if (from) {
    const v = getPath(output, from);
    return typeof v === 'string' ? { token: v, where: from.join('.') } : { where: from.join('.') };
  }
  for (const path of TOKEN_FIELDS.flatMap((f) => [[f], ['tokens', f]])) {
    const v = getPath(output, path);
    if (typeof v === 'string' && tryDecodeJwt(v)) return { token: v, where: path.join('.') };
  }
  const stack: Array<[unknown, string]> = [[output, '']];
  while (stack.length) {
    const [v, p] = stack.shift()!;
    if (typeof v === 'string' && tryDecodeJwt(v)) return { token: v, where: p || '(output)' };
    if (Array.isArray(v)) for (const [i, x] of v.entries()) stack.push([x, `${p}[${i}]`]);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) stack.push([x, p ? `${p}.${k}` : k]);
  }
  return { where: 'the output' };
}

export function evaluate(e: ResolvedExpectation, o: Observed): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [...outcomeChecks(e, o)];
  const text = `${o.stdout}\n${o.stderr}`;
  for (const c of e.contains)
    checks.push({ label: `output contains ${show(c)}`, ok: text.includes(c), actual: 'not found in stdout or stderr' });
  for (const c of e.notContains)
    checks.push({ label: `output does not contain ${show(c)}`, ok: !text.includes(c), actual: 'found' });
  for (const j of e.json) {
    const actual = o.output === undefined ? undefined : getPath(o.output, j.path);
    checks.push({
      label: `${j.pathText} = ${show(j.value)}`,
      ok: looseEqual(actual, j.value),
      actual: o.output === undefined ? 'the command printed no JSON result' : show(actual),
    });
  }
  if (e.claims.length) checks.push(...claimChecks(e, o));
  if (e.maxDurationMs !== undefined) {
    checks.push({
      label: `within ${formatMs(e.maxDurationMs)}`,
      ok: o.durationMs <= e.maxDurationMs,
      actual: `took ${formatMs(o.durationMs)}`,
    });
  }
  return checks.map((c) => (c.ok ? { label: c.label, ok: true } : c));
}

/** allow / deny, the exit code, the HTTP status, the error name. */
function outcomeChecks(e: ResolvedExpectation, o: Observed): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];
  const outcome = effectiveOutcome(e);
  if (outcome === 'allow')
    checks.push({
      label: 'allow',
      ok: isAllowed(o),
      ...(isAllowed(o) ? {} : { actual: `${isDenied(o) ? 'denied' : 'failed'}: ${describeObserved(o)}` }),
    });
  if (outcome === 'deny') {
    const ok = isDenied(o);
    checks.push({
      label: 'deny',
      ok,
      ...(ok ? {} : { actual: `${isAllowed(o) ? 'allowed' : 'failed without a denial'}: ${describeObserved(o)}` }),
    });
  }
  if (e.exitCode !== undefined) {
    checks.push({ label: `exit code ${e.exitCode}`, ok: o.exitCode === e.exitCode, actual: describeObserved(o) });
  }
  if (e.status) {
    const ok = o.httpStatus !== undefined && e.status.includes(o.httpStatus);
    checks.push({
      label: `HTTP status ${e.status.join(' or ')}`,
      ok,
      actual: o.httpStatus === undefined ? `no HTTP status reported (${describeObserved(o)})` : `HTTP ${o.httpStatus}`,
    });
  }
  if (e.error !== undefined) {
    const names = errorNames(o);
    const ok = names.some((n) => n.toLowerCase() === e.error!.toLowerCase());
    checks.push({
      label: `error ${e.error}`,
      ok,
      actual: names.length ? names.join(' / ') : `no error (${describeObserved(o)})`,
    });
  }
  return checks;
}

/** The token's claims (the JWT at claimsFrom, or the first one in the output); an array claim matches a member. */
function claimChecks(e: ResolvedExpectation, o: Observed): ExpectationCheck[] {
  const { token, where } = findToken(o.output, e.claimsFrom);
  const decoded = token ? tryDecodeJwt(token) : undefined;
  return e.claims.map((c) => {
    const label = `claim ${c.claim} = ${show(c.value)}`;
    if (!decoded) return { label, ok: false, actual: token ? `${where} is not a JWT` : `no JWT in ${where}` };
    const actual = decoded.payload[c.claim];
    const ok =
      looseEqual(actual, c.value) ||
      (Array.isArray(actual) && !Array.isArray(c.value) && actual.some((a) => looseEqual(a, c.value)));
    return { label, ok, actual: show(actual) };
  });
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
