/**
 * runCli: parse, run one command, and turn any error into `error: …` / `hint: …` on stderr and an exit code. This is
 * the single place where errors are rendered; nothing else decides an exit code.
 */
import { CommanderError } from 'commander';
import { AgentcoreAuthError, EXIT, isAbortError } from '../core/errors.js';
import { SecretRegistry } from '../core/redact.js';
import { CliRun } from './command.js';
import type { CliContext } from './context.js';
import { createProgram } from './program.js';
import { colorEnabled, Ui } from './render/ui.js';

export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const flags = new Set(argv);
  const json = flags.has('--json');
  const debug = flags.has('--debug');
  const run = new CliRun(ctx);
  try {
    const program = await createProgram(run, argv);
    await program.parseAsync([...argv], { from: 'user' });
    return run.exitCode ?? EXIT.OK;
  } catch (e) {
    const ui =
      run.io?.ui ??
      new Ui(ctx.stderr, {
        color: colorEnabled(ctx.stderr, ctx.env, !flags.has('--no-color')),
        quiet: false,
        debug,
        showSecrets: flags.has('--show-secrets'),
        secrets: new SecretRegistry(),
      });
    return renderError(e, ui, { json, debug, aborted: ctx.signal.aborted });
  }
}

export function renderError(e: unknown, ui: Ui, opts: { json: boolean; debug: boolean; aborted: boolean }): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
      return EXIT.OK;
    if (e.code === 'commander.executeSubCommandAsync') return e.exitCode;
    // commander already printed "error: …"; add the hint and return the usage code.
    if (opts.json)
      ui.line(
        JSON.stringify({
          error: { code: 'ERR_USAGE', message: e.message.replace(/^error: /, ''), exitCode: EXIT.USAGE },
        }),
      );
    else ui.line(`${ui.c.dim('hint:')} run with --help to see the commands and options`);
    return EXIT.USAGE;
  }
  let err: AgentcoreAuthError;
  if (e instanceof AgentcoreAuthError) err = e;
  else if (opts.aborted || isAbortError(e)) err = new AgentcoreAuthError('ERR_INTERRUPTED', 'interrupted');
  else {
    err = new AgentcoreAuthError('ERR_INTERNAL', `internal error: ${(e as Error)?.message ?? String(e)}`, {
      hint: 'This is a bug in agentcore-auth. Please report it with the output of --debug.',
      cause: e,
    });
  }
  if (opts.json) {
    ui.line(
      JSON.stringify({
        error: {
          code: err.code,
          message: err.message,
          exitCode: err.exitCode,
          ...(err.hint ? { hint: err.hint } : {}),
          ...(Object.keys(err.details).length ? { details: err.details } : {}),
        },
      }),
    );
  } else {
    ui.line(`${ui.c.red('error:')} ${err.message}`);
    if (err.hint) ui.line(`${ui.c.yellow('hint:')} ${err.hint}`);
  }
  if (opts.debug) {
    ui.line(ui.c.gray(`code: ${err.code} (exit ${err.exitCode})`));
    if (Object.keys(err.details).length) ui.line(ui.c.gray(`details: ${JSON.stringify(err.details)}`));
    // The stack of the error actually thrown (an AgentcoreAuthError made here to wrap it would only show renderError),
    // then each cause with its own stack: that is where the failure started.
    const thrown = err === e ? err : (e as Error & { cause?: unknown });
    ui.line(ui.c.gray(describeError(thrown)));
    let cause: unknown = thrown?.cause;
    for (let depth = 0; cause && depth < 6; depth++) {
      ui.line(ui.c.gray(`cause: ${describeError(cause)}`));
      cause = (cause as { cause?: unknown }).cause;
    }
  }
  return err.exitCode;
}

/** An error's stack (which starts with `Name: message`), or `Name: message` when it has none. */
function describeError(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  const o = e as { name?: unknown; message?: unknown } | null;
  return o && typeof o === 'object' && typeof o.message === 'string'
    ? `${String(o.name ?? 'Error')}: ${o.message}`
    : String(e);
}
