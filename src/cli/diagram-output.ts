/**
 * `--diagram FILE` (`-` = stdout): the Mermaid sequence diagram of the calls this run made. One module for every
 * command that offers it: a command calls `addDiagramOption(cmd)`; `defineAction` then gives the run a TraceRecorder
 * (fed by the same HttpExchange records as --verbose, and by each browser the run opens) and writes the diagram when
 * the command ends, refusals and failures included. smoke and demo record each step's trace with
 * `stepTraceRecorders()` and write their own files.
 */
import { Option, type Command } from 'commander';
import { AgentcoreAuthError, configError, usageError } from '../core/errors.js';
import type { HttpExchange } from '../core/http.js';
import type { InsideStep } from '../core/diagram/gateway-inside.js';
import { isLoopbackHost } from '../core/loopback.js';
import { TraceRecorder, combineDiagrams, sequenceFromTrace, type TraceEntry } from '../core/diagram/trace.js';
import { toMermaid, type SequenceDiagram } from '../core/diagram/sequence.js';
import type { RunSummary, StepResult } from '../core/smoke/results.js';
import type { CliContext } from './context.js';
import { readGlobals, type Io } from './io.js';
import { createTraceListener } from './render/http-log.js';
import { Ui } from './render/ui.js';

/** The --diagram options that defineAction serves (smoke and demo declare their own, with other meanings). */
const SERVED = new WeakSet<Option>();

/** What `addDiagramOption` adds to a command's options. */
export interface DiagramFlags {
  diagram?: string;
}

/** Offer `--diagram FILE` on a command (defineAction writes it). */
export function addDiagramOption(cmd: Command): Command {
  const option = new Option(
    '--diagram <file>',
    'write a sequence diagram of the calls this run made to FILE: Mermaid text, or an SVG picture when FILE ends in ' +
      '.svg (- for Mermaid on stdout); tokens appear only as sha256 fingerprints',
  );
  SERVED.add(option);
  return cmd.addOption(option);
}

/** The diagram as FILE's extension asks: an SVG picture for `.svg`, else Mermaid text (`.mmd`, `-`, anything). */
export async function diagramText(file: string, diagram: SequenceDiagram): Promise<string> {
  if (!/\.svg$/i.test(file)) return toMermaid(diagram);
  const { renderSvg } = await import('../core/diagram/svg.js');
  const svg = renderSvg(diagram, { title: 'agentcore-auth sequence diagram' });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
}

export interface DiagramRequest {
  file: string;
  recorder: TraceRecorder;
}

/**
 * When the command offers --diagram and it was given: the file and a recorder (the context's own when a caller,
 * such as a smoke step, already records this run).
 */
export function diagramRequest(cmd: Command, ctx: CliContext): DiagramRequest | undefined {
  if (!cmd.options.some((o) => SERVED.has(o))) return undefined;
  const file = (cmd.opts() as { diagram?: unknown }).diagram;
  if (typeof file !== 'string') return undefined;
  if (!file.trim()) throw usageError('--diagram needs a file name (or - for stdout)');
  const json = readGlobals(cmd).json;
  if (file === '-' && json)
    throw usageError('--diagram - and --json both write to stdout', 'Write the diagram to a file: --diagram flow.mmd.');
  return { file, recorder: ctx.trace ?? new TraceRecorder() };
}

/** The context a recorded run uses: its trace recorder set, every browser it opens recorded. */
export function recordingContext(ctx: CliContext, recorder: TraceRecorder): CliContext {
  recorder.gateway.look = (ex) => lookInsideGateway(ctx, ex);
  return {
    ...ctx,
    trace: recorder,
    openBrowser: async (url: string) => {
      recorder.browserOpened(url);
      await ctx.openBrowser(url);
    },
  };
}

/**
 * What happened inside a gateway call, when the gateway is the local stack (loopback): its trace by the answer's
 * x-amzn-requestid. Read with the context's plain fetch, so that it is not itself recorded.
 */
async function lookInsideGateway(ctx: CliContext, ex: HttpExchange): Promise<readonly InsideStep[] | undefined> {
  const rid = ex.responseHeaders?.['x-amzn-requestid'];
  let u: URL;
  try {
    u = new URL(ex.url);
  } catch {
    return undefined;
  }
  if (!rid || !isLoopbackHost(u.hostname) || !u.pathname.startsWith('/gateways/')) return undefined;
  return ctx
    .fetch(`${u.origin}/_local/gateways/trace/${encodeURIComponent(rid)}`, { signal: AbortSignal.timeout(5000) })
    .then(async (res) => (res.ok ? ((await res.json()) as { steps?: InsideStep[] }).steps : undefined));
}

/** The run's error, as the diagram's closing note shows it. */
export function diagramError(error: unknown): { code: string; message: string } | undefined {
  if (error === undefined) return undefined;
  if (error instanceof AgentcoreAuthError) return { code: error.code, message: error.message };
  return { code: 'ERR_INTERNAL', message: (error as Error)?.message ?? String(error) };
}

export function diagramOf(
  io: Pick<Io, 'secrets' | 'globals'>,
  entries: readonly TraceEntry[],
  error?: { code: string; message: string },
  gatewayInside?: ReadonlyMap<number, readonly InsideStep[]>,
): SequenceDiagram {
  return sequenceFromTrace(entries, {
    scrub: (t) => io.secrets.scrub(t, io.globals.showSecrets),
    ...(error ? { error } : {}),
    ...(gatewayInside ? { gatewayInside } : {}),
  });
}

/**
 * Write the diagram. A failure to write it is a config error when the command itself succeeded; when the command
 * failed, its own error wins and the write failure is a warning.
 */
export async function writeDiagram(io: Io, request: DiagramRequest, commandError?: unknown): Promise<void> {
  await request.recorder.gateway.settled();
  await writeOutput(
    io,
    'sequence diagram',
    request.file,
    await diagramText(
      request.file,
      diagramOf(io, request.recorder.entries, diagramError(commandError), request.recorder.gateway.inside),
    ),
    commandError !== undefined,
  );
}

/** Write a report to FILE or (`-`) stdout; a failed write is a config error unless the command already failed. */
async function writeOutput(io: Io, what: string, file: string, text: string, commandFailed = false): Promise<void> {
  if (file === '-') {
    io.out.write(text);
    return;
  }
  try {
    await writeText(io.ctx.cwd, file, text);
    if (!io.globals.json) io.ui.note(`${what}: ${file}`);
  } catch (e) {
    const msg = `cannot write the ${what} to ${file}: ${(e as Error).message}`;
    if (commandFailed) io.ui.warn(msg);
    else throw configError(msg, 'Check that the directory exists and is writable.');
  }
}

export async function writeText(cwd: string, file: string, text: string): Promise<string> {
  const { writeFile, mkdir } = await import('node:fs/promises');
  const { dirname, resolve } = await import('node:path');
  const target = resolve(cwd, file);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
  return target;
}

/** The trace of a step rendered as --verbose would print it (secrets masked), for reports. */
export function traceText(io: Pick<Io, 'secrets' | 'globals'>, exchanges: readonly HttpExchange[]): string {
  const chunks: string[] = [];
  const ui = new Ui(
    { write: (t: string) => chunks.push(t) },
    { color: false, quiet: false, debug: false, showSecrets: io.globals.showSecrets, secrets: io.secrets },
  );
  const listener = createTraceListener(ui, io.globals.showSecrets);
  for (const ex of exchanges) {
    listener(ex, 'request');
    listener(ex, 'response');
  }
  return chunks.join('');
}

/**
 * Per-step recorders for smoke and demo: `contextFor(stepId, ctx)` gives a step's context that records its run;
 * `get(stepId)` its trace afterwards.
 */
export function stepTraceRecorders() {
  const byStep = new Map<string, TraceRecorder>();
  return {
    contextFor(stepId: string, ctx: CliContext): CliContext {
      const recorder = new TraceRecorder();
      byStep.set(stepId, recorder);
      return recordingContext(ctx, recorder);
    },
    get(stepId: string): TraceRecorder | undefined {
      return byStep.get(stepId);
    },
  };
}

/** The diagram of one step of a scenario run (none for a step that never ran). */
function stepDiagram(io: Io, r: StepResult, recorder: TraceRecorder | undefined): SequenceDiagram | undefined {
  if (!recorder || r.status === 'skipped') return undefined;
  // The command's own error as it ended (recorded at the CLI boundary), else what the step's --json output said.
  const error = recorder.error ?? (r.error ? { code: r.error.code, message: r.error.message } : undefined);
  return diagramOf(io, recorder.entries, error, recorder.gateway.inside);
}

const STATUS_WORDS: Record<StepResult['status'], string> = {
  pass: 'passed',
  fail: 'failed',
  error: 'could not run',
  skipped: 'skipped',
};

/**
 * `smoke --html FILE` and `smoke --diagram FILE|-`: each step of each scenario runs with its own recorder
 * (`contextFor`, handed to the in-process executor); `write` renders the report and the diagram at the end.
 */
type ReportRun = { summary: RunSummary; recorders: ReturnType<typeof stepTraceRecorders> };
type ReportStep = { result: StepResult; recorder: TraceRecorder | undefined; diagram: SequenceDiagram | undefined };
type ReportTotals = { exitCode: number; durationMs: number; started: number; scenarios: number };

export function smokeReports(io: Io, opts: { html?: string; diagram?: string }) {
  if (opts.html === undefined && opts.diagram === undefined) return undefined;
  if (opts.html !== undefined && (!opts.html.trim() || opts.html === '-'))
    throw usageError(
      '--html needs a file name',
      'For example --html smoke-report.html (CI: upload it as an artifact).',
    );
  if (opts.diagram !== undefined && !opts.diagram.trim())
    throw usageError('--diagram needs a file name (or - for stdout)');
  if (opts.diagram === '-' && io.globals.json)
    throw usageError('--diagram - and --json both write to stdout', 'Write the diagram to a file: --diagram flow.mmd.');
  const runs: ReportRun[] = [];
  let current = stepTraceRecorders();
  return {
    /** The executor's context adapter for the next scenario. */
    nextScenario(): (stepId: string, child: CliContext) => CliContext {
      current = stepTraceRecorders();
      return current.contextFor;
    },
    add(summary: RunSummary): void {
      runs.push({ summary, recorders: current });
    },
    async write(o: ReportTotals): Promise<void> {
      const steps = runs.map(({ summary, recorders }) =>
        summary.results.map((r) => {
          const recorder = recorders.get(r.id);
          return { result: r, recorder, diagram: stepDiagram(io, r, recorder) };
        }),
      );
      if (opts.html !== undefined) await writeHtmlReport(io, opts.html, runs, steps, o);
      if (opts.diagram !== undefined) await writeRunsDiagram(io, opts.diagram, runs, steps);
    },
  };
}

async function writeHtmlReport(
  io: Io,
  file: string,
  runs: ReportRun[],
  steps: ReportStep[][],
  o: ReportTotals,
): Promise<void> {
  const { htmlReport } = await import('../core/smoke/html.js');
  const html = htmlReport(
    runs.map(({ summary }, i) => ({
      summary,
      steps: steps[i]!.map((s) => ({
        result: s.result,
        ...(s.diagram ? { diagram: s.diagram } : {}),
        ...(s.recorder ? { trace: traceText(io, s.recorder.exchanges) } : {}),
      })),
    })),
    {
      scrub: (t) => io.secrets.scrub(t, io.globals.showSecrets),
      showSecrets: io.globals.showSecrets,
      timestamp: new Date(o.started),
      exitCode: o.exitCode,
      durationMs: o.durationMs,
      scenarios: o.scenarios,
      version: io.ctx.version,
    },
  );
  await writeOutput(io, 'HTML report', file, html);
}

/** smoke --diagram: every step of every run in one diagram, each introduced by a note ("step login — passed"). */
async function writeRunsDiagram(io: Io, file: string, runs: ReportRun[], steps: ReportStep[][]): Promise<void> {
  const parts = runs.flatMap(({ summary }, i) =>
    steps[i]!.flatMap((s) =>
      s.diagram
        ? [
            {
              title:
                `${runs.length > 1 ? `${summary.scenario}: ` : ''}step ${s.result.id} ` +
                `— ${STATUS_WORDS[s.result.status]}`,
              diagram: s.diagram,
            },
          ]
        : [],
    ),
  );
  await writeOutput(io, 'sequence diagram', file, await diagramText(file, combineDiagrams(parts)));
}

/** `demo --diagram DIR`: one Mermaid file per step, `NN-<step id>.mmd`. Returns the files written. */
export async function writeStepDiagrams(
  io: Io,
  dir: string,
  results: readonly StepResult[],
  recorders: ReturnType<typeof stepTraceRecorders>,
): Promise<string[]> {
  const { join } = await import('node:path');
  const files: string[] = [];
  for (const [i, r] of results.entries()) {
    const d = stepDiagram(io, r, recorders.get(r.id));
    if (!d) continue;
    const name = `${String(i + 1).padStart(2, '0')}-${r.id.replace(/[^A-Za-z0-9_.-]+/g, '_')}.mmd`;
    try {
      await writeText(io.ctx.cwd, join(dir, name), toMermaid(d));
    } catch (e) {
      throw configError(
        `cannot write the diagrams to ${dir}: ${(e as Error).message}`,
        'Check that the directory is writable.',
      );
    }
    files.push(name);
  }
  return files;
}
