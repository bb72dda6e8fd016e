/**
 * A command's action. Every command registers `defineAction(run, handler)`: the handler gets the run's `Io` and
 * commander's arguments and returns its `Outcome`; the wrapper prints it (--json or the human rendering), writes
 * --diagram however the command ends, and leaves the exit code and the Io on the `CliRun`, which run.ts reads. Errors
 * propagate to run.ts, the one place that renders them.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { diagramRequest, diagramError, recordingContext, writeDiagram } from './diagram-output.js';
import { createIo, readGlobals, type Io } from './io.js';

/** What a handler returns: a JSON-able result for --json, a human rendering, and an exit code (default 0). */
export interface Outcome<J = unknown> {
  json?: J;
  human?: () => void;
  exitCode?: number;
}

/** One run of the CLI (one command line): the context commands register with, and what the action left behind. */
export class CliRun {
  /** The action's Io, once it started: run.ts renders a failure through its ui (same secrets, same colours). */
  io?: Io;
  /** The exit code the action's outcome asked for, once it finished. */
  exitCode?: number;
  /**
   * A program with every command registered (program.ts sets it): for what describes the whole CLI (`completion`),
   * without a command importing the program.
   */
  commandTree?: () => Promise<Command>;

  constructor(readonly ctx: CliContext) {}
}

/**
 * Wrap a command handler. The handler receives the Io and commander's action arguments (positionals, then options,
 * then the Command).
 */
export function defineAction<A extends unknown[]>(
  run: CliRun,
  handler: (io: Io, ...args: A) => Promise<Outcome>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const { ctx } = run;
    // --diagram: the run records its trace, and the diagram is written however the command ends.
    const diagram = diagramRequest(cmd, ctx);
    const runCtx = diagram && ctx.trace !== diagram.recorder ? recordingContext(ctx, diagram.recorder) : ctx;
    const io = createIo(runCtx, readGlobals(cmd));
    run.io = io;
    try {
      let outcome: Outcome;
      try {
        outcome = await handler(io, ...(args as A));
      } catch (e) {
        if (runCtx.trace) runCtx.trace.error = diagramError(e);
        if (diagram) await writeDiagram(io, diagram, e);
        throw e;
      }
      if (io.globals.json && outcome.json !== undefined) io.out.json(outcome.json);
      else outcome.human?.();
      if (diagram) await writeDiagram(io, diagram);
      run.exitCode = outcome.exitCode ?? 0;
    } finally {
      io.close();
    }
  };
}
