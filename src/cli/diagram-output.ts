/**
 * `--diagram FILE` (`-` = stdout): the Mermaid sequence diagram of the calls this run made. One module for every
 * command that offers it: a command calls `addDiagramOption(cmd)`; `defineAction` then gives the run a TraceRecorder
 * (fed by the same HttpExchange records as --verbose, and by each browser the run opens) and writes the diagram when
 * the command ends, refusals and failures included. smoke and demo record each step's trace with
 * `stepTraceRecorders()` and write their own files.
 */
import type { Command } from 'commander';
import { AgentcoreAuthError, configError, usageError } from '../core/errors.js';
import type { HttpExchange } from '../core/http.js';
import { TraceRecorder, sequenceFromTrace, type TraceEntry } from '../core/diagram/trace.js';
import { toMermaid, type SequenceDiagram } from '../core/diagram/sequence.js';
import type { CliContext } from './context.js';
import type { Io } from './command.js';
import { createTraceListener } from './render/trace.js';
import { Ui } from './render/ui.js';

const DIAGRAM = Symbol('agentcore-auth.diagram');

/** Offer `--diagram FILE` on a command (defineAction writes it). */
export function addDiagramOption(cmd: Command): Command {
  (cmd as unknown as Record<symbol, boolean>)[DIAGRAM] = true;
  return cmd.option('--diagram <file>', 'write a Mermaid sequence diagram of the calls this run made to FILE (- for stdout); tokens appear only as sha256 fingerprints');
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
  if (!(cmd as unknown as Record<symbol, boolean>)[DIAGRAM]) return undefined;
  const file = (cmd.opts() as { diagram?: unknown }).diagram;
  if (typeof file !== 'string') return undefined;
  if (!file.trim()) throw usageError('--diagram needs a file name (or - for stdout)');
  const json = !!(cmd.optsWithGlobals() as { json?: unknown }).json;
  if (file === '-' && json) throw usageError('--diagram - and --json both write to stdout', 'Write the diagram to a file: --diagram flow.mmd.');
  return { file, recorder: ctx.trace ?? new TraceRecorder() };
}

/** The context a recorded run uses: its trace recorder set, every browser it opens recorded. */
export function recordingContext(ctx: CliContext, recorder: TraceRecorder): CliContext {
  return {
    ...ctx,
    trace: recorder,
    openBrowser: async (url: string) => {
      recorder.browserOpened(url);
      await ctx.openBrowser(url);
    },
  };
}

/** The run's error, as the diagram's closing note shows it. */
export function errorFacts(error: unknown): { code: string; message: string } | undefined {
  if (error === undefined) return undefined;
  if (error instanceof AgentcoreAuthError) return { code: error.code, message: error.message };
  return { code: 'ERR_INTERNAL', message: (error as Error)?.message ?? String(error) };
}

export function diagramOf(io: Pick<Io, 'secrets' | 'globals'>, entries: readonly TraceEntry[], error?: { code: string; message: string }): SequenceDiagram {
  return sequenceFromTrace(entries, { scrub: (t) => io.secrets.scrub(t, io.globals.showSecrets), ...(error ? { error } : {}) });
}

/**
 * Write the diagram. A failure to write it is a config error when the command itself succeeded; when the command
 * failed, its own error wins and the write failure is a warning.
 */
export async function writeDiagram(io: Io, request: DiagramRequest, commandError?: unknown): Promise<void> {
  const text = toMermaid(diagramOf(io, request.recorder.entries, errorFacts(commandError)));
  if (request.file === '-') {
    io.out.write(text);
    return;
  }
  try {
    await writeText(io.ctx.cwd, request.file, text);
    if (!io.globals.json) io.ui.note(`sequence diagram: ${request.file}`);
  } catch (e) {
    const msg = `cannot write the diagram to ${request.file}: ${(e as Error).message}`;
    if (commandError !== undefined) io.ui.warn(msg);
    else throw configError(msg, 'Check that the directory exists and is writable, or pass --diagram - for stdout.');
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
  const ui = new Ui({ write: (t: string) => chunks.push(t) }, { color: false, quiet: false, debug: false, showSecrets: io.globals.showSecrets, secrets: io.secrets });
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
