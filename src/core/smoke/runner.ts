/**
 * The scenario runner: a scenario is a plan (core/plan.ts) whose steps each resolve their variables, build their
 * command line, hand it to an executor (the CLI layer runs it in-process through runCli), read the --json result and
 * check the expectations; the plan runner schedules them with up to `concurrency` at a time, in file order, each
 * after the steps it reads from, and skips what a failure, --fail-fast or Ctrl-C leaves unrun.
 */
import { EXIT } from '../errors.js';
import { runPlan, type PlanEvent, type PlanStep } from '../plan.js';
import { evaluate, squeezeLine, type Observed, type ResolvedExpectation } from './expect.js';
import {
  buildArgs,
  collectSecrets,
  lookupStepValue,
  observe,
  resolveExpectation,
  resolveValue,
  stepTitle,
  StepRefError,
} from './invocation.js';
import type { RunSummary, StepExecution, StepExecutor, StepResult, StepVerdict } from './results.js';
import { Tpl, type Scenario, type Step, type TValue } from './schema.js';
import { envRefs, isSecretEnvName, ResolveError, type ResolveScope } from './template.js';

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
    const e = s.expect;
    const values = [
      ...Object.values(s.options).map((o) => o.value),
      ...s.args,
      e.error,
      ...e.contains,
      ...e.notContains,
      ...e.json.map((j) => j.value),
      ...e.claims.map((c) => c.value),
    ];
    for (const v of values) visit(v, false, stepEnv);
  }
  return missing.sort((a, b) => a.line - b.line);
}

/** Run a scenario. Never throws for a failing step; the summary says what happened. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunSummary> {
  return new ScenarioRun(scenario, options).run();
}

/** One run of a scenario: the resolved scenario env, and each step's result as it comes. */
class ScenarioRun {
  private readonly now: () => number;
  private readonly started: number;
  private readonly results = new Map<string, StepResult>();
  private readonly baseEnv: Record<string, string | undefined>;

  constructor(
    private readonly scenario: Scenario,
    private readonly o: RunOptions,
  ) {
    this.now = o.now ?? (() => performance.now());
    this.started = this.now();
    this.baseEnv = this.scenarioEnv();
  }

  private addSecret = (v: string): void => this.o.onSecret?.(v);

  /** The scenario-level env, resolved against the runner's environment. */
  private scenarioEnv(): Record<string, string | undefined> {
    const env: Record<string, string | undefined> = { ...this.o.env };
    const noSteps: ResolveScope['step'] = (id) => {
      throw new StepRefError(`the scenario env cannot read step "${id}"`);
    };
    for (const [name, v] of Object.entries(this.scenario.env)) {
      const r = resolveValue(v, { env: this.o.env, step: noSteps });
      r.secrets.forEach(this.addSecret);
      env[name] = typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
      if (isSecretEnvName(name)) this.addSecret(env[name]!);
    }
    return env;
  }

  async run(): Promise<RunSummary> {
    const plan: PlanStep<ScenarioRun>[] = this.scenario.steps.map((step) => ({
      id: step.id,
      operation: stepTitle(step),
      needs: step.needs,
      run: async () => {
        this.o.onStepStart?.(step);
        const r = await this.runStep(step);
        this.results.set(step.id, r);
        return { passed: r.status === 'pass' };
      },
    }));
    const run = await runPlan(plan, this, {
      now: this.now,
      concurrency: this.o.concurrency ?? 1,
      ...(this.o.failFast ? { failFast: true } : {}),
      ...(this.o.signal ? { signal: this.o.signal } : {}),
      emit: (e) => this.onEvent(e),
    });
    if (run.failure) throw run.failure.error;
    return this.summary();
  }

  private onEvent(e: PlanEvent): void {
    if (e.type === 'result') this.o.onStepEnd?.(this.results.get(e.step.id)!);
    if (e.type === 'skipped') {
      const step = this.scenario.steps.find((s) => s.id === e.step.id)!;
      const r = { ...this.base(step, this.now()), status: 'skipped' as const, reason: e.step.note ?? 'not run' };
      this.results.set(step.id, r);
      this.o.onStepEnd?.(r);
    }
  }

  private summary(): RunSummary {
    const ordered = this.scenario.steps.map((s) => this.results.get(s.id)!);
    const count = (st: StepVerdict) => ordered.filter((r) => r.status === st).length;
    const verdictCode = (r: StepResult) =>
      r.status === 'error' ? (r.exitCode ?? EXIT.INTERNAL) : r.status === 'pass' ? EXIT.OK : EXIT.EXPECTATION;
    // A run interrupted before a step started has only skipped steps: it still ends as interrupted, not as failed.
    const exitCode = combineExitCodes([
      ...ordered.map(verdictCode),
      ...(this.o.signal?.aborted ? [EXIT.INTERRUPTED] : []),
    ]);
    return {
      scenario: this.scenario.name,
      file: this.scenario.file,
      passed: count('pass'),
      failed: count('fail'),
      errored: count('error'),
      skipped: count('skipped'),
      total: ordered.length,
      durationMs: this.now() - this.started,
      exitCode,
      results: ordered,
    };
  }

  private base(step: Step, t0: number): StepResult {
    return {
      id: step.id,
      name: stepTitle(step),
      kind: step.kind,
      line: step.line,
      ...(step.derivedFrom ? { derivedFrom: step.derivedFrom } : {}),
      status: 'error',
      argv: [],
      secretArgs: [],
      startMs: t0 - this.started,
      durationMs: 0,
      stdout: '',
      stderr: '',
      checks: [],
    };
  }

  /** How `${steps.<id>.<path>}` reads an earlier step's result. */
  private readStep: ResolveScope['step'] = (id, path) => {
    const r = this.results.get(id);
    if (!r) throw new StepRefError(`\${steps.${id}…}: step "${id}" has not run`);
    const v = lookupStepValue(r, path);
    if (v !== undefined) return v;
    const keys = r.output && typeof r.output === 'object' ? Object.keys(r.output as object) : [];
    const has = keys.length
      ? ` (it has: ${keys.slice(0, 12).join(', ')})`
      : r.output === undefined
        ? ' (it printed no JSON result)'
        : '';
    throw new StepRefError(
      `\${steps.${id}.${path.join('.')}}: step "${id}" has no "${path.join('.')}" in its output${has}`,
    );
  };

  /** The step's variables resolved: its argv (with secret indexes), env and expectation. */
  private resolveStep(step: Step, result: StepResult) {
    const env: Record<string, string | undefined> = { ...this.baseEnv };
    for (const [name, v] of Object.entries(step.env)) {
      const r = resolveValue(v, { env: this.baseEnv, step: this.readStep });
      r.secrets.forEach(this.addSecret);
      env[name] = typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
      if (isSecretEnvName(name)) this.addSecret(env[name]!);
    }
    const scope: ResolveScope = { env, step: this.readStep };
    const prefix = [...(this.o.globalArgs ?? []), ...(this.o.json === false ? [] : ['--json'])];
    const built = buildArgs(step, (v) => resolveValue(v, scope, this.addSecret));
    result.argv = [...prefix, ...built.args];
    result.secretArgs = built.secret.map((i) => prefix.length + i);
    const expectation = resolveExpectation(step, (v) => resolveValue(v, scope, this.addSecret).value);
    return { env, expectation };
  }

  private async runStep(step: Step): Promise<StepResult> {
    const t0 = this.now();
    const result = this.base(step, t0);
    let resolved: ReturnType<ScenarioRun['resolveStep']>;
    try {
      resolved = this.resolveStep(step, result);
    } catch (e) {
      if (e instanceof ResolveError || e instanceof StepRefError) {
        const reason = `line ${step.line}: ${e.message}`;
        return { ...result, argv: [], secretArgs: [], exitCode: EXIT.USAGE, reason, durationMs: this.now() - t0 };
      }
      throw e;
    }
    const timeoutMs = step.timeoutMs ?? this.scenario.timeoutMs ?? this.o.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    const exec = await this.execute(step, result.argv, resolved.env, timeoutMs);
    return this.judge(result, exec, resolved.expectation, timeoutMs, this.now() - t0);
  }

  /** The executor, with the step's time limit and the run's signal. */
  private async execute(
    step: Step,
    argv: string[],
    env: Record<string, string | undefined>,
    timeoutMs: number,
  ): Promise<StepExecution & { timedOut: boolean }> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(this.o.signal?.reason);
    this.o.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`step timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      const exec = await this.o.executor({ step, argv, env, signal: controller.signal, timeoutMs });
      return { ...exec, timedOut: timedOut || !!exec.timedOut };
    } catch (e) {
      return { exitCode: EXIT.INTERNAL, stdout: '', stderr: `${(e as Error)?.message ?? String(e)}\n`, timedOut };
    } finally {
      clearTimeout(timer);
      this.o.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** What the step did, checked against its expectation: pass, fail (an expectation), or error (could not run). */
  private judge(
    base: StepResult,
    exec: StepExecution & { timedOut: boolean },
    expectation: ResolvedExpectation,
    timeoutMs: number,
    durationMs: number,
  ): StepResult {
    const observed = observe(exec, durationMs);
    if (exec.timedOut) {
      observed.exitCode = EXIT.TIMEOUT;
      observed.error = {
        code: 'ERR_TIMEOUT',
        message: `the step did not finish within ${timeoutMs} ms (timeout: in the scenario raises it)`,
      };
    } else if (this.o.signal?.aborted) {
      observed.exitCode = EXIT.INTERRUPTED;
      observed.error = { code: 'ERR_INTERRUPTED', message: 'interrupted' };
    }
    collectSecrets(observed.output, this.addSecret);
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
    const status: StepVerdict = !failed ? 'pass' : infra ? 'error' : 'fail';
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
    if (failed) result.reason = verdictReason(status, observed, failed.label, failed.actual);
    return result;
  }
}

function verdictReason(status: StepVerdict, observed: Observed, label: string, actual: string | undefined): string {
  if (status !== 'error') return `expected ${label}; got ${actual ?? '(nothing)'}`;
  const why = observed.error
    ? `${observed.error.code}: ${squeezeLine(observed.error.message, 200)}`
    : `exit ${observed.exitCode}`;
  return `could not run: ${why}`;
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
