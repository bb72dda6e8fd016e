/**
 * `smoke <scenario.yaml|.json|->`: run a CI scenario of agentcore-auth steps (login, invoke, mcp, exchange, verify,
 * or any command line) and check what each did. Every step runs the real command in-process (runCli with a capturing
 * child context and --json), so a scenario step and a hand-typed command behave alike.
 *
 * Exit: 0 every expectation met; 6 an expectation failed; 2 the scenario is malformed (the error names the line) or
 * a variable is missing; 3/5/1 a step could not run (network or service failure, timeout, internal error).
 */
import type { Command } from 'commander';
import { Chalk } from 'chalk';
import { AgentcoreAuthError, configError, EXIT, inputError, usageError } from '../../core/errors.js';
import type { Scenario } from '../../core/smoke/schema.js';
import type { RunSummary, StepResult } from '../../core/smoke/results.js';
import type { CliContext } from '../context.js';
import { addOptions, flag, integer, TIMEOUT, value, withDefault, type OptionsOf } from '../options.js';
import { defineAction, type CliRun } from '../command.js';
import { readStdin, type Io } from '../io.js';
import { colorEnabled } from '../render/ui.js';

const SMOKE_OPTIONS = {
  concurrency: withDefault(
    value(
      '-c, --concurrency <n>',
      'run up to N independent steps at once (a step waits for the steps it reads)',
      integer({ min: 1, max: 256 }),
    ),
    1,
    '1',
  ),
  junit: value('--junit <file>', 'also write a JUnit XML report to FILE (for CI test reporters)'),
  html: value(
    '--html <file>',
    'also write a self-contained HTML report to FILE: verdicts, masked traces, a sequence diagram per step',
  ),
  diagram: value(
    '--diagram <file>',
    "write a sequence diagram of every step's calls to FILE: Mermaid, or SVG for a .svg FILE (- for stdout)",
  ),
  negative: flag(
    '--negative',
    'per invoke step that expects allow, add checks that must be denied: the other inbound mode, and (bearer steps) ' +
      'no token',
  ),
  failFast: flag('--fail-fast', 'start no new step after the first one that does not pass'),
  sharedCache: flag(
    '--shared-cache',
    "steps use your token cache, not one private to each scenario's run (then runs read each other's saved logins)",
  ),
  timeout: withDefault(
    value(
      '--timeout <duration>',
      'default time limit per step (e.g. 30s); a scenario or step `timeout:` wins',
      TIMEOUT,
    ),
    60_000,
    '60s',
  ),
};

type SmokeOptions = OptionsOf<typeof SMOKE_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('smoke')
    .summary('run a CI scenario file of login/invoke/exchange/verify steps')
    .description(
      'Run a scenario file: each step runs one agentcore-auth command with the options it lists and checks ' +
        'what happened (allow/deny, HTTP status, error, output, JSON fields, token claims, duration). ' +
        'Variables: ${env:NAME}, ${env:NAME:-default}, ${steps.<id>.<field>}. Secrets are masked in every ' +
        'report.',
    )
    .argument('<files...>', 'scenario files (.yaml, .yml or .json), run one after the other; - reads one from stdin');
  addOptions(cmd, SMOKE_OPTIONS)
    .addHelpText(
      'after',
      `
Exit codes: 0 all expectations met · 6 an expectation failed · 2 malformed scenario or unset variable (names the line)
            3 / 5 / 1 a step could not run (service or network failure / timeout / internal error) · 130 interrupted

Example scenario (examples/inbound.yaml is a complete one that runs against \`agentcore-auth local\`):
  steps:
    - id: login
      login: { user-pool-id: "\${env:POOL_ID}", client-id: "\${env:CLIENT_ID}", username: alice, password: ` +
        `"\${env:ALICE_PASSWORD}" }
    - invoke: { agent: "\${env:AGENT_ARN}", payload: '{"prompt":"hi"}', bearer-token: "\${steps.login.accessToken}" }
      expect: allow
    - invoke: { agent: "\${env:AGENT_ARN}", payload: '{"prompt":"hi"}', user-id: alice }
      expect: { outcome: deny, status: 403 }

  agentcore-auth smoke examples/inbound.yaml --negative --junit smoke.xml
  agentcore-auth smoke examples/inbound.yaml examples/outbound.yaml --concurrency 4
  agentcore-auth smoke scenario.yaml --json --concurrency 4 | jq -c 'select(.status != "pass")'`,
    )
    .action(defineAction(run, (io, files: string[], opts: SmokeOptions) => smoke(io, files, opts)));
}

async function smoke(io: Io, files: string[], opts: SmokeOptions) {
  const { parseScenario } = await import('../../core/smoke/parse.js');
  const { runScenario, missingEnv, combineExitCodes } = await import('../../core/smoke/runner.js');
  const { stepRecord, summaryRecord, totalRecord, junitXml } = await import('../../core/smoke/report.js');
  const { renderStep, renderSummary, renderTotal } = await import('../render/smoke.js');
  const { createInProcessExecutor } = await import('../in-process.js');
  const { smokeReports } = await import('../diagram-output.js');

  const { concurrency, timeout: timeoutMs } = opts;
  if (files.filter((f) => f === '-').length > 1) throw usageError('- (stdin) can be given only once');
  const reports = smokeReports(io, opts);

  // Every file is read, parsed and checked before anything runs: a typo in the last file costs no API call.
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const { text, name } = await readScenarioFile(io, file);
    let scenario = parseScenario(text, name);
    await validateStepOptions(io.ctx, scenario);
    if (opts.negative) {
      const { addNegativeChecks } = await import('../../core/smoke/negative.js');
      scenario = addNegativeChecks(scenario);
    }
    const missing = missingEnv(scenario, io.ctx.env);
    if (missing.length) {
      const first = missing[0]!;
      throw new AgentcoreAuthError(
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
    scenarios.push(scenario);
  }

  const show = io.globals.showSecrets;
  const scrub = (t: string) => io.secrets.scrub(t, show);
  const paint = new Chalk({ level: colorEnabled(io.ctx.stdout, io.ctx.env, io.globals.color) ? 1 : 0 });
  const globalArgs: string[] = [];
  if (io.globals.region) globalArgs.push('--region', io.globals.region);
  if (io.globals.profile) globalArgs.push('--profile', io.globals.profile);
  if (io.globals.endpointUrl) globalArgs.push('--endpoint-url', io.globals.endpointUrl);
  // The steps' own traces: shown under the steps that do not pass, and kept in the JUnit report.
  if (io.globals.debug) globalArgs.push('--debug');
  else if (io.globals.verbose) globalArgs.push('--verbose');

  const summaries: RunSummary[] = [];
  const started = io.ctx.now();
  for (const [k, scenario] of scenarios.entries()) {
    if (k > 0 && (io.ctx.signal.aborted || (opts.failFast && summaries.some((x) => x.exitCode !== EXIT.OK)))) break;
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
    const summary = await runScenario(scenario, {
      executor: createInProcessExecutor(io.ctx, reports?.nextScenario()),
      env: cacheDir ? { ...io.ctx.env, AGENTCORE_AUTH_CACHE_DIR: cacheDir } : io.ctx.env,
      concurrency,
      failFast: !!opts.failFast,
      timeoutMs,
      globalArgs,
      signal: io.ctx.signal,
      now: () => io.ctx.now(),
      onSecret: (v) => io.secrets.add(v),
      onStepEnd,
    }).finally(() => (cacheDir ? removeDir(cacheDir) : undefined));
    summaries.push(summary);
    reports?.add(summary);
    if (io.globals.json) io.out.line(JSON.stringify(summaryRecord(summary)));
    else io.out.line(renderSummary(summary, paint));
  }
  const exitCode = combineExitCodes(summaries.map((x) => x.exitCode));
  const durationMs = io.ctx.now() - started;
  if (scenarios.length > 1) {
    if (io.globals.json) io.out.line(JSON.stringify(totalRecord(summaries, exitCode, durationMs, scenarios.length)));
    else io.out.line(`\n${renderTotal(summaries, exitCode, durationMs, scenarios.length, paint)}`);
  }

  if (opts.junit) {
    const { writeFile, mkdir } = await import('node:fs/promises');
    const { dirname, resolve } = await import('node:path');
    const target = resolve(io.ctx.cwd, opts.junit);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, junitXml(summaries, { scrub, timestamp: new Date(started), showSecrets: show }));
    } catch (e) {
      throw configError(
        `cannot write the JUnit report to ${opts.junit}: ${(e as Error).message}`,
        'Check that the directory is writable.',
      );
    }
  }
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

async function readScenarioFile(io: Io, file: string): Promise<{ text: string; name: string }> {
  if (file === '-') return { text: await readStdin(io.ctx), name: '<stdin>' };
  const { readFile } = await import('node:fs/promises');
  const { resolve, relative, isAbsolute } = await import('node:path');
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
  const { STEP_KINDS } = await import('../../core/smoke/schema.js');
  const { kebab } = await import('../../core/smoke/invocation.js');
  const { commandFlags } = await import('../in-process.js');
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
  const [{ mkdtemp }, { tmpdir }, { join }] = await Promise.all([
    import('node:fs/promises'),
    import('node:os'),
    import('node:path'),
  ]);
  return mkdtemp(join(io.ctx.env.TMPDIR || tmpdir(), 'agentcore-auth-smoke-cache-'));
}

async function removeDir(dir: string): Promise<void> {
  const { rm } = await import('node:fs/promises');
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
