/**
 * `smoke`'s run, loaded when it runs: every scenario file read, parsed and checked before anything runs; each run in
 * turn (steps reported in file order, a token cache private to the run); the total, the JUnit, HTML and diagram
 * reports, and the closing notes.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Chalk } from 'chalk';
import { AgentcoreAuthError, configError, EXIT, inputError, usageError } from '../core/errors.js';
import { kebab } from '../core/smoke/invocation.js';
import { addNegativeChecks } from '../core/smoke/negative.js';
import { parseScenario } from '../core/smoke/parse.js';
import { junitXml, stepRecord, summaryRecord, totalRecord } from '../core/smoke/report.js';
import type { RunSummary, StepResult } from '../core/smoke/results.js';
import { combineExitCodes, missingEnv, runScenario } from '../core/smoke/runner.js';
import { STEP_KINDS, type Scenario } from '../core/smoke/schema.js';
import type { Outcome } from './command.js';
import type { CliContext } from './context.js';
import { smokeReports } from './diagram-output.js';
import { commandFlags, createInProcessExecutor } from './in-process.js';
import { readStdin, type Io } from './io.js';
import { renderStep, renderSummary, renderTotal } from './render/smoke.js';
import { colorEnabled } from './render/ui.js';

export interface SmokeSettings {
  concurrency: number;
  /** The default per-step limit, ms. */
  timeout: number;
  junit?: string;
  html?: string;
  diagram?: string;
  negative?: boolean;
  failFast?: boolean;
  sharedCache?: boolean;
}

type Paint = InstanceType<typeof Chalk>;

export async function runSmoke(io: Io, files: string[], opts: SmokeSettings): Promise<Outcome> {
  if (files.filter((f) => f === '-').length > 1) throw usageError('- (stdin) can be given only once');
  const reports = smokeReports(io, opts);
  const scenarios = await loadScenarios(io, files, !!opts.negative);
  const paint = new Chalk({ level: colorEnabled(io.ctx.stdout, io.ctx.env, io.globals.color) ? 1 : 0 });
  const summaries: RunSummary[] = [];
  const started = io.ctx.now();
  for (const [k, scenario] of scenarios.entries()) {
    if (k > 0 && (io.ctx.signal.aborted || (opts.failFast && summaries.some((x) => x.exitCode !== EXIT.OK)))) break;
    const summary = await runOne(io, scenario, k, opts, paint, reports?.nextScenario());
    summaries.push(summary);
    reports?.add(summary);
  }
  const exitCode = combineExitCodes(summaries.map((x) => x.exitCode));
  const durationMs = io.ctx.now() - started;
  if (scenarios.length > 1) {
    if (io.globals.json) io.out.line(JSON.stringify(totalRecord(summaries, exitCode, durationMs, scenarios.length)));
    else io.out.line(`\n${renderTotal(summaries, exitCode, durationMs, scenarios.length, paint)}`);
  }
  if (opts.junit) await writeJunit(io, opts.junit, summaries, started);
  await reports?.write({ exitCode, durationMs, started, scenarios: scenarios.length });
  if (!io.globals.json && !io.globals.quiet) {
    if (opts.junit) io.ui.note(`JUnit report: ${opts.junit}`);
    if (exitCode !== EXIT.OK && !io.globals.verbose) {
      io.ui.note(
        'Rerun with --verbose to see the HTTP exchanges of the steps that did not pass; `agentcore-auth ' +
          'explain "<message>"` explains an error.',
      );
    }
  }
  if (exitCode === EXIT.INTERRUPTED) throw new AgentcoreAuthError('ERR_INTERRUPTED', 'interrupted');
  return { exitCode };
}

/** Every file is read, parsed and checked before anything runs: a typo in the last file costs no API call. */
async function loadScenarios(io: Io, files: string[], negative: boolean): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const { text, name } = await readScenarioFile(io, file);
    let scenario = parseScenario(text, name);
    await validateStepOptions(io.ctx, scenario);
    if (negative) scenario = addNegativeChecks(scenario);
    const missing = missingEnv(scenario, io.ctx.env);
    if (missing.length) throw missingEnvError(name, missing);
    scenarios.push(scenario);
  }
  return scenarios;
}

function missingEnvError(name: string, missing: Array<{ name: string; line: number }>): AgentcoreAuthError {
  const first = missing[0]!;
  return new AgentcoreAuthError(
    'ERR_CONFIG',
    `${name}:${first.line}: environment variable ${first.name} is not set` +
      missing
        .slice(1)
        .map((m) => `\n  ${name}:${m.line}: environment variable ${m.name} is not set`)
        .join(''),
    {
      hint:
        `Export ${missing.length === 1 ? 'it' : 'them'} (in CI: from the repository secrets), or ` +
        `give a default in the file: \${env:${first.name}:-value}. Against the local stack, ` +
        `\`agentcore-auth local --json\` prints every value.`,
      details: { file: name, missing },
    },
  );
}

/** The global flags every step gets: region, profile, endpoint, and --debug / --verbose for the steps' traces. */
function globalArgsOf(io: Io): string[] {
  const globalArgs: string[] = [];
  if (io.globals.region) globalArgs.push('--region', io.globals.region);
  if (io.globals.profile) globalArgs.push('--profile', io.globals.profile);
  if (io.globals.endpointUrl) globalArgs.push('--endpoint-url', io.globals.endpointUrl);
  // The steps' own traces: shown under the steps that do not pass, and kept in the JUnit report.
  if (io.globals.debug) globalArgs.push('--debug');
  else if (io.globals.verbose) globalArgs.push('--verbose');
  return globalArgs;
}

/** One scenario's run: its header, each step reported in file order, its summary. */
async function runOne(
  io: Io,
  scenario: Scenario,
  k: number,
  opts: SmokeSettings,
  paint: Paint,
  traceFor: Parameters<typeof createInProcessExecutor>[1],
): Promise<RunSummary> {
  const { concurrency } = opts;
  const show = io.globals.showSecrets;
  const scrub = (t: string) => io.secrets.scrub(t, show);
  const idWidth = Math.min(40, Math.max(...scenario.steps.map((s) => s.id.length)));
  if (!io.globals.json && !io.globals.quiet) {
    io.out.line(
      `${k > 0 ? '\n' : ''}${paint.bold(scenario.name)}${
        scenario.name !== scenario.file ? paint.dim(` (${scenario.file})`) : ''
      } — ${scenario.steps.length} ` +
        `step${scenario.steps.length === 1 ? '' : 's'}${concurrency > 1 ? `, up to ${concurrency} at once` : ''}`,
    );
  }
  const print = (r: StepResult) => {
    if (io.globals.json) io.out.line(JSON.stringify(stepRecord(r, scrub, show, scenario.file)));
    else if (!io.globals.quiet || r.status !== 'pass')
      io.out.line(renderStep(r, { scrub, paint, idWidth, showSecrets: show, verbose: io.globals.verbose }));
  };
  // Steps are reported in file order, each as soon as it and every step before it have finished (with
  // --concurrency, a fast step waits for the slower ones above it), so that logs read the same on every run.
  const order = scenario.steps.map((s) => s.id);
  const finished = new Map<string, StepResult>();
  let next = 0;
  const onStepEnd = (r: StepResult) => {
    finished.set(r.id, r);
    while (next < order.length && finished.has(order[next]!)) print(finished.get(order[next++]!)!);
  };
  // Each run's saved logins are its own: `login --save-as` and `--bearer NAME` of its steps use a token cache
  // private to this run (removed after it), so a run beside it never reads, refreshes or sends them.
  const cacheDir = opts.sharedCache ? undefined : await privateCacheDir(io);
  let summary: RunSummary;
  try {
    summary = await runScenario(scenario, {
      executor: createInProcessExecutor(io.ctx, traceFor),
      env: cacheDir ? { ...io.ctx.env, AGENTCORE_AUTH_CACHE_DIR: cacheDir } : io.ctx.env,
      concurrency,
      failFast: !!opts.failFast,
      timeoutMs: opts.timeout,
      globalArgs: globalArgsOf(io),
      signal: io.ctx.signal,
      now: () => io.ctx.now(),
      onSecret: (v) => io.secrets.add(v),
      onStepEnd,
    });
  } finally {
    if (cacheDir) await removeDir(cacheDir);
  }
  if (io.globals.json) io.out.line(JSON.stringify(summaryRecord(summary)));
  else io.out.line(renderSummary(summary, paint));
  return summary;
}

async function writeJunit(io: Io, file: string, summaries: RunSummary[], started: number): Promise<void> {
  const show = io.globals.showSecrets;
  const target = resolve(io.ctx.cwd, file);
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(
      target,
      junitXml(summaries, { scrub: (t) => io.secrets.scrub(t, show), timestamp: new Date(started), showSecrets: show }),
    );
  } catch (e) {
    throw configError(
      `cannot write the JUnit report to ${file}: ${(e as Error).message}`,
      'Check that the directory is writable.',
    );
  }
}

async function readScenarioFile(io: Io, file: string): Promise<{ text: string; name: string }> {
  if (file === '-') return { text: await readStdin(io.ctx), name: '<stdin>' };
  const path = resolve(io.ctx.cwd, file);
  try {
    const text = await readFile(path, 'utf8');
    const rel = relative(io.ctx.cwd, path);
    return { text, name: !rel.startsWith('..') && !isAbsolute(rel) ? rel : path };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw inputError(
      code === 'ENOENT'
        ? `scenario file not found: ${file}`
        : `cannot read the scenario file ${file}: ${(e as Error).message}`,
      code === 'ENOENT'
        ? 'Pass the path of a .yaml or .json scenario (see examples/ for ready-made ones), or - for stdin.'
        : undefined,
    );
  }
}

/**
 * Check every step's options against the real command's flags, so that a typo is a scenario error naming its line
 * rather than a failed step. Commands that declare no options yet are not checked.
 */
async function validateStepOptions(ctx: CliContext, scenario: Scenario): Promise<void> {
  const known = new Map<string, Set<string> | null>();
  const issues: Array<{ line: number; message: string }> = [];
  for (const step of scenario.steps) {
    if (step.kind === 'run') continue;
    const name = STEP_KINDS[step.kind].command[0]!;
    if (!known.has(name)) known.set(name, await commandFlags(ctx, name));
    const flags = known.get(name);
    if (!flags) continue;
    for (const [key, { line }] of Object.entries(step.options)) {
      const flag = kebab(key);
      if (flags.has(flag)) continue;
      const close = [...flags]
        .filter((f) => f.includes(flag) || flag.includes(f) || sharedPrefix(f, flag) >= 4)
        .slice(0, 3);
      issues.push({
        line,
        message: `step "${step.id}": \`${name}\` has no option --${flag}${
          close.length ? ` (did you mean ${close.map((c) => `--${c}`).join(' or ')}?)` : ''
        }; see \`agentcore-auth ${name} --help\``,
      });
    }
  }
  if (issues.length) {
    throw new AgentcoreAuthError(
      'ERR_INPUT',
      issues.map((i, k) => `${k ? '\n  ' : ''}${scenario.file}:${i.line}: ${i.message}`).join(''),
      {
        hint: "Step options are the command's flags without the dashes (user-id or userId for --user-id).",
        details: { file: scenario.file, issues },
      },
    );
  }
}

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** A fresh token-cache directory (0700) for one scenario run, under TMPDIR. */
async function privateCacheDir(io: Io): Promise<string> {
  return mkdtemp(join(io.ctx.env.TMPDIR || tmpdir(), 'agentcore-auth-smoke-cache-'));
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
