/**
 * Running agentcore-auth command lines inside this process, for the scenario runner (`smoke`, `demo`): an executor
 * that runs one step's argv with runCli and captures what it printed, and the flags a command accepts (to check a
 * scenario's step options before anything runs). Both load the program lazily, like bin.ts does.
 */
import { usageError } from '../core/errors.js';
import type { StepExecutor } from '../core/smoke/results.js';
import type { CliContext, InStream, OutStream } from './context.js';

/**
 * The long flags (without dashes) of the command `name` plus the global ones, `--no-x` also as `x`; null when the
 * command declares no options of its own (nothing to check against).
 */
export async function commandFlags(ctx: CliContext, name: string): Promise<Set<string> | null> {
  const [{ createProgram }, { CliRun }] = await Promise.all([import('./program.js'), import('./command.js')]);
  const program = await createProgram(new CliRun(ctx), [name]);
  const cmd = program.commands.find((c) => c.name() === name);
  const flags = new Set<string>();
  for (const o of [...(cmd?.options ?? []), ...program.options]) {
    if (o.long) flags.add(o.long.replace(/^--/, ''));
    if (o.long && o.negate) flags.add(o.long.replace(/^--no-/, ''));
  }
  // The global options every command accepts (program.ts) are not options of its own.
  const own = cmd?.options.filter((o) => !program.options.some((g) => g.long === o.long)) ?? [];
  return own.length > 0 ? flags : null;
}

class CaptureStream implements OutStream {
  private readonly chunks: string[] = [];
  readonly isTTY = false;
  readonly columns = 120;
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  text(): string {
    return this.chunks.join('');
  }
}

const EMPTY_STDIN: InStream = {
  isTTY: false,
  async *[Symbol.asyncIterator]() {
    /* a step reads nothing from the terminal */
  },
};

/**
 * Run a step's command line in this process: runCli with the parent's context except for its own stdout/stderr
 * buffers, the step's environment and signal, an empty stdin and no prompts (a CI step cannot answer one).
 * `contextFor` may adapt a step's context (record its trace).
 */
export function createInProcessExecutor(
  parent: CliContext,
  contextFor?: (stepId: string, child: CliContext) => CliContext,
): StepExecutor {
  return async ({ step, argv, env, signal }) => {
    const { runCli } = await import('./run.js');
    const stdout = new CaptureStream();
    const stderr = new CaptureStream();
    const child: CliContext = {
      ...parent,
      stdout,
      stderr,
      stdin: EMPTY_STDIN,
      env,
      signal,
      prompt: async (question) => {
        throw usageError(
          `the step asked a question on the terminal (${question.trim()}), which a scenario cannot answer`,
          'Give the value as a step option instead (for example password: "${env:PASSWORD}" or new-password: …).',
        );
      },
    };
    // smoke --html/--diagram and demo --diagram record each step's trace through its own context.
    const exitCode = await runCli(argv, contextFor ? contextFor(step.id, child) : child);
    return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
  };
}
