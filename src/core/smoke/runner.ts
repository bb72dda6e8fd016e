/**
 * The scenario runner: resolves each step's variables, builds its command line, hands it to an executor (the CLI
 * layer runs it in-process through runCli), reads the --json result, checks the expectations, and schedules steps
 * with up to `concurrency` at a time, in file order, each after the steps it reads from.
 */
import { EXIT } from '../errors.js';
import { isSecretField } from '../redact.js';
import { evaluate, oneLine, type Check, type Observed, type ResolvedExpectation } from './expect.js';
import { Tpl, STEP_KINDS, type Scenario, type Step, type TValue } from './schema.js';
import {
  envRefs,
  getPath,
  isSecretEnvName,
  looksSecretValue,
  ResolveError,
  resolveTemplate,
  type ResolveScope,
} from './template.js';

export interface StepInvocation {
  step: Step;
  /** agentcore-auth arguments (without the program name), `--json` included. */
  argv: string[];
  /** The full environment for the step: the runner's env + scenario env + step env. */
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  timeoutMs: number;
}

export interface StepExecution {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The step's own time limit ran out (the executor aborted it). */
  timedOut?: boolean;
}

export type StepExecutor = (inv: StepInvocation) => Promise<StepExecution>;

export type StepStatus = 'pass' | 'fail' | 'error' | 'skipped';

export interface StepResult {
  id: string;
  name: string;
  kind: Step['kind'];
  line: number;
  derivedFrom?: Step['derivedFrom'];
  status: StepStatus;
  /** Why a step is `error` or `skipped`, or the first failed check. */
  reason?: string;
  argv: string[];
  /** Indexes in argv of secret values (masked in reports). */
  secretArgs: number[];
  startMs: number;
  durationMs: number;
  exitCode?: number;
  httpStatus?: number;
  error?: Observed['error'];
  output?: unknown;
  stdout: string;
  stderr: string;
  checks: Check[];
}

export interface RunSummary {
  scenario: string;
  file: string;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  total: number;
  durationMs: number;
  exitCode: number;
  results: StepResult[];
}

export interface RunOptions {
  executor: StepExecutor;
  env: Record<string, string | undefined>;
  concurrency?: number;
  /** Stop starting new steps after the first failure. */
  failFast?: boolean;
  /** Default per-step time limit (the scenario's or the step's `timeout` wins). */
  timeoutMs?: number;
  /** Arguments put before every step's own (global flags such as --region). */
  globalArgs?: string[];
  /** Run each command with --json (default) so that its result can be read; `demo` turns it off to show the
   * commands' own human output. */
  json?: boolean;
  signal?: AbortSignal;
  now?: () => number;
  /** Called with every secret value the run learns (env values, tokens in outputs) so reports can mask them. */
  onSecret?: (value: string) => void;
  onStepStart?: (step: Step) => void;
  onStepEnd?: (result: StepResult) => void;
}

export const DEFAULT_STEP_TIMEOUT_MS = 60_000;

/** Exit codes of steps that could not run as intended, in the order in which the run reports them. */
const INFRA_PRIORITY = [EXIT.INTERRUPTED, EXIT.INTERNAL, EXIT.USAGE, EXIT.TIMEOUT, EXIT.REMOTE] as const;

export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The environment variables a scenario reads without a default and that are not set: `[{name, line}]`. */
export function missingEnv(
  scenario: Scenario,
  env: Record<string, string | undefined>,
): Array<{ name: string; line: number }> {
  const provided = new Set(Object.keys(scenario.env));
  const missing: Array<{ name: string; line: number }> = [];
  const seen = new Set<string>();
  const visit = (v: TValue | undefined, scenarioLevel: boolean, stepEnv?: Set<string>): void => {
    if (v instanceof Tpl) {
      for (const r of envRefs(v.template)) {
        if (r.fallback !== undefined || seen.has(r.name)) continue;
        const set = env[r.name] !== undefined && env[r.name] !== '';
        if (set || (!scenarioLevel && provided.has(r.name)) || stepEnv?.has(r.name)) continue;
        seen.add(r.name);
        missing.push({ name: r.name, line: v.line });
      }
    } else if (Array.isArray(v)) for (const x of v) visit(x, scenarioLevel, stepEnv);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) visit(x, scenarioLevel, stepEnv);
  };
  for (const v of Object.values(scenario.env)) visit(v, true);
  for (const s of scenario.steps) {
    for (const v of Object.values(s.env)) visit(v, false);
    const stepEnv = new Set(Object.keys(s.env));
    for (const o of Object.values(s.options)) visit(o.value, false, stepEnv);
    for (const a of s.args) visit(a, false, stepEnv);
    const e = s.expect;
    const expected = [e.error, ...e.contains, ...e.notContains, ...e.json.map((j) => j.value)];
    for (const v of [...expected, ...e.claims.map((c) => c.value)]) visit(v, false, stepEnv);
  }
  return missing.sort((a, b) => a.line - b.line);
}

class StepRefError extends Error {}

/** Run a scenario. Never throws for a failing step; the summary says what happened. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunSummary> {
  const now = options.now ?? (() => performance.now());
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const started = now();
  const results = new Map<string, StepResult>();
  const addSecret = (v: string) => options.onSecret?.(v);

  // Scenario-level env, resolved against the runner's environment.
  const baseEnv: Record<string, string | undefined> = { ...options.env };
  const noSteps: ResolveScope['step'] = (id) => {
    throw new StepRefError(`the scenario env cannot read step "${id}"`);
  };
  for (const [name, v] of Object.entries(scenario.env)) {
    const r = resolveValue(v, { env: options.env, step: noSteps });
    r.secrets.forEach(addSecret);
    baseEnv[name] = typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
    if (isSecretEnvName(name)) addSecret(baseEnv[name]!);
  }

  const pending = [...scenario.steps];
  const running = new Map<string, Promise<void>>();
  let stopReason: string | undefined;

  const skip = (step: Step, reason: string) => {
    const r: StepResult = {
      id: step.id,
      name: stepTitle(step),
      kind: step.kind,
      line: step.line,
      ...(step.derivedFrom ? { derivedFrom: step.derivedFrom } : {}),
      status: 'skipped',
      reason,
      argv: [],
      secretArgs: [],
      startMs: now() - started,
      durationMs: 0,
      stdout: '',
      stderr: '',
      checks: [],
    };
    results.set(step.id, r);
    options.onStepEnd?.(r);
  };

  const start = (step: Step) => {
    const p = runStep(step).then((r) => {
      results.set(step.id, r);
      running.delete(step.id);
      if (r.status !== 'pass' && options.failFast)
        stopReason ??= `not run: --fail-fast stopped the run after "${r.id}" failed`;
      options.onStepEnd?.(r);
    });
    running.set(step.id, p);
  };

  const runStep = async (step: Step): Promise<StepResult> => {
    options.onStepStart?.(step);
    const t0 = now();
    const base: StepResult = {
      id: step.id,
      name: stepTitle(step),
      kind: step.kind,
      line: step.line,
      ...(step.derivedFrom ? { derivedFrom: step.derivedFrom } : {}),
      status: 'error',
      argv: [],
      secretArgs: [],
      startMs: t0 - started,
      durationMs: 0,
      stdout: '',
      stderr: '',
      checks: [],
    };
    // Resolve variables.
    const scope: ResolveScope = {
      env: baseEnv,
      step: (id, path) => {
        const r = results.get(id);
        if (!r) throw new StepRefError(`\${steps.${id}…}: step "${id}" has not run`);
        const v = lookupStepValue(r, path);
        if (v === undefined) {
          const keys = r.output && typeof r.output === 'object' ? Object.keys(r.output as object) : [];
          throw new StepRefError(
            `\${steps.${id}.${path.join('.')}}: step "${id}" has no "${path.join('.')}" in its output` +
              (keys.length
                ? ` (it has: ${keys.slice(0, 12).join(', ')})`
                : r.output === undefined
                  ? ' (it printed no JSON result)'
                  : ''),
          );
        }
        return v;
      },
    };
    let argv: string[];
    let env: Record<string, string | undefined>;
    let expectation: ResolvedExpectation;
    try {
      env = { ...baseEnv };
      for (const [name, v] of Object.entries(step.env)) {
        const r = resolveValue(v, scope);
        r.secrets.forEach(addSecret);
        env[name] = typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
        if (isSecretEnvName(name)) addSecret(env[name]!);
      }
      const stepScope: ResolveScope = { env, step: scope.step };
      const prefix = [...(options.globalArgs ?? []), ...(options.json === false ? [] : ['--json'])];
      const built = buildArgs(step, (v) => resolveValue(v, stepScope, addSecret));
      argv = [...prefix, ...built.args];
      base.secretArgs = built.secret.map((i) => prefix.length + i);
      expectation = resolveExpectation(step, (v) => resolveValue(v, stepScope, addSecret).value);
    } catch (e) {
      if (e instanceof ResolveError || e instanceof StepRefError) {
        return { ...base, exitCode: EXIT.USAGE, reason: `line ${step.line}: ${e.message}`, durationMs: now() - t0 };
      }
      throw e;
    }
    base.argv = argv;

    // Run, with the step's time limit and the run's signal.
    const timeoutMs = step.timeoutMs ?? scenario.timeoutMs ?? options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`step timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    let exec: StepExecution;
    try {
      exec = await options.executor({ step, argv, env, signal: controller.signal, timeoutMs });
    } catch (e) {
      exec = { exitCode: EXIT.INTERNAL, stdout: '', stderr: `${(e as Error)?.message ?? String(e)}\n` };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
    const durationMs = now() - t0;
    const observed = observe(exec, durationMs);
    if (timedOut || exec.timedOut) {
      observed.exitCode = EXIT.TIMEOUT;
      observed.error = {
        code: 'ERR_TIMEOUT',
        message: `the step did not finish within ${timeoutMs} ms (timeout: in the scenario raises it)`,
      };
    } else if (options.signal?.aborted) {
      observed.exitCode = EXIT.INTERRUPTED;
      observed.error = { code: 'ERR_INTERRUPTED', message: 'interrupted' };
    }
    collectSecrets(observed.output, addSecret);
    const checks = evaluate(expectation, observed);
    const failed = checks.find((c) => !c.ok);
    const explicit =
      expectation.exitCode !== undefined || expectation.status !== undefined || expectation.error !== undefined;
    // A command that ran and refused its own configuration (exit 2: no such cached login, no region …) fails this
    // step like any unmet expectation (the run exits 6); exit 2 for the run is kept for a malformed scenario.
    const infra =
      observed.exitCode !== EXIT.USAGE &&
      (INFRA_PRIORITY as readonly number[]).includes(observed.exitCode) &&
      !explicit;
    const status: StepStatus = !failed ? 'pass' : infra ? 'error' : 'fail';
    const result: StepResult = {
      ...base,
      status,
      durationMs,
      exitCode: observed.exitCode,
      stdout: exec.stdout,
      stderr: exec.stderr,
      checks,
      ...(observed.httpStatus !== undefined ? { httpStatus: observed.httpStatus } : {}),
      ...(observed.error ? { error: observed.error } : {}),
      ...(observed.output !== undefined ? { output: observed.output } : {}),
    };
    if (failed) {
      result.reason =
        status === 'error'
          ? `could not run: ${observed.error ? `${observed.error.code}: ${oneLine(observed.error.message, 200)}` : `exit ${observed.exitCode}`}`
          : `expected ${failed.label}; got ${failed.actual ?? '(nothing)'}`;
    }
    return result;
  };

  while (pending.length || running.size) {
    for (let i = 0; i < pending.length && running.size < concurrency; ) {
      const step = pending[i]!;
      if (options.signal?.aborted || stopReason) {
        pending.splice(i, 1);
        skip(step, options.signal?.aborted ? 'not run: interrupted' : stopReason!);
        continue;
      }
      const deps = step.needs.map((id) => ({ id, r: results.get(id) }));
      if (deps.some((d) => !d.r)) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      const bad = deps.find((d) => d.r!.status !== 'pass');
      if (bad)
        skip(
          step,
          `not run: it needs "${bad.id}", which ${bad.r!.status === 'skipped' ? 'was skipped' : 'did not pass'}`,
        );
      else start(step);
    }
    if (running.size) await Promise.race(running.values());
    else if (pending.length) {
      // Every pending step waits on something that never ran (cannot happen with parsed scenarios).
      for (const s of pending.splice(0)) skip(s, `not run: it needs ${s.needs.join(', ')}`);
    }
  }

  const ordered = scenario.steps.map((s) => results.get(s.id)!);
  const count = (st: StepStatus) => ordered.filter((r) => r.status === st).length;
  const errored = ordered.filter((r) => r.status === 'error');
  // A run interrupted before a step started has only skipped steps: it still ends as interrupted, not as failed.
  const exitCode = combineExitCodes([
    ...ordered.map((r) =>
      r.status === 'error' ? (r.exitCode ?? EXIT.INTERNAL) : r.status === 'pass' ? EXIT.OK : EXIT.EXPECTATION,
    ),
    ...(options.signal?.aborted ? [EXIT.INTERRUPTED] : []),
  ]);
  return {
    scenario: scenario.name,
    file: scenario.file,
    passed: count('pass'),
    failed: count('fail'),
    errored: errored.length,
    skipped: count('skipped'),
    total: ordered.length,
    durationMs: now() - started,
    exitCode,
    results: ordered,
  };
}

/**
 * One exit code for several outcomes: a step (or scenario) that could not run wins, in INFRA_PRIORITY order (an
 * unknown code counts as internal); otherwise 6 when an expectation failed; otherwise 0.
 */
export function combineExitCodes(codes: readonly number[]): number {
  const infra = codes.filter((c) => c !== EXIT.OK && c !== EXIT.EXPECTATION);
  if (infra.length) return INFRA_PRIORITY.find((c) => infra.includes(c)) ?? EXIT.INTERNAL;
  return codes.includes(EXIT.EXPECTATION) ? EXIT.EXPECTATION : EXIT.OK;
}

/** `${steps.x.exitCode}`, `.status`, `.durationMs`, `.stdout` work for every step; anything else reads its --json output
 * (and, for a login, its `tokens`). */
function lookupStepValue(r: StepResult, path: string[]): unknown {
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

function resolveValue(
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

function resolveExpectation(step: Step, resolve: (v: TValue) => unknown): ResolvedExpectation {
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
    return `${step.derivedFrom.step}: ${step.derivedFrom.check === 'no-token' ? 'without the bearer token it must be denied' : 'in the wrong inbound mode it must be denied'}`;
  }
  return step.id;
}
