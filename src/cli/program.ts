/**
 * createProgram: a fresh commander tree per run, with the global options and the one command being run (or every
 * command's summary, for the top-level help). `help [command|topic]` prints a command's help or a help topic
 * (manual/topics.ts); createCommandTree registers every command, for what describes the whole CLI (the reference,
 * shell completion).
 */
import { Command, Option } from 'commander';
import { usageError } from '../core/errors.js';
import type { CliRun } from './command.js';
import { findTopic, TOPICS } from './manual/topics.js';
import { findCommandName, findEntry, REGISTRY } from './registry.js';

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, or the ARN)')
    .option('--profile <name>', 'AWS profile for credentials (default chain otherwise)')
    .addOption(
      new Option('--endpoint-url <url>', 'endpoint for AWS services without their own AWS_ENDPOINT_URL_<SERVICE>'),
    )
    .option('--json', 'machine-readable output on stdout')
    .option('-v, --verbose', 'print each HTTP step on stderr (secrets redacted)')
    .option('--debug', 'verbose, plus error codes, causes, stacks and library warnings')
    .option('-q, --quiet', 'only data on stdout, warnings and errors on stderr')
    .option('--no-color', 'no ANSI colours')
    .option('--show-secrets', 'print tokens, secrets and codes in full instead of masking them');
}

/** The root help's closing lines: exit codes in one line, the help topics, completion, explain. */
function rootHelpAfter(): string {
  const width = Math.max(...TOPICS.map((t) => t.name.length)) + 2;
  return [
    '',
    'Exit codes: 0 ok, 1 internal error, 2 usage, 3 remote rejected, 4 auth failed,',
    '5 timed out, 6 expectation failed, 130 interrupted (see: help exit-codes).',
    '',
    'Help topics (agentcore-auth help <topic>):',
    ...TOPICS.map((t) => `  ${t.name.padEnd(width)}${t.summary}`),
    '',
    'Shell completion: agentcore-auth completion bash|zsh|fish (help completion).',
    'An error message from anywhere: agentcore-auth explain "<message>".',
  ].join('\n');
}

function baseProgram(run: CliRun): Command {
  const { ctx } = run;
  const program = new Command('agentcore-auth')
    .description(
      'Exercise Amazon Bedrock AgentCore authentication from a terminal or CI: inbound (SigV4 + user id, OAuth ' +
        'bearer JWT) and outbound (workload and resource tokens).',
    )
    .version(ctx.version, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
      outputError: (s, write) => write(s),
      // Fixed width, so that the help pre-rendered at build time (scripts/render-help.mjs) is what commander prints.
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
    })
    .exitOverride();
  addGlobalOptions(program);
  program.addHelpText('after', rootHelpAfter());
  return program;
}

/** `help [command|topic]`: a command's help (`help token print` too), a topic, or the top-level help. */
function addHelpCommand(program: Command, run: CliRun): void {
  program.helpCommand(false);
  program
    .command('help')
    .argument('[command|topic]', 'a command, or one of the topics below')
    .allowExcessArguments()
    .description("a command's help, or a help topic (listed below)")
    .helpOption(false)
    .action(async (name: string | undefined, _opts: unknown, self: Command) => {
      if (name === undefined) return void program.outputHelp();
      const entry = findEntry(name);
      if (entry) {
        let cmd = program.commands.find((c) => c.name() === entry.name);
        for (const sub of self.args.slice(1))
          cmd = cmd?.commands.find((c) => c.name() === sub || c.aliases().includes(sub));
        if (cmd) return void cmd.outputHelp();
      } else if (findTopic(name)) {
        const { topicText } = await import('./manual/topic-pages.js');
        run.ctx.stdout.write(topicText(name));
        return;
      }
      throw usageError(
        `no command or help topic named '${self.args.join(' ')}'`,
        `Commands: ${REGISTRY.map((e) => e.name).join(', ')}. Topics: ${TOPICS.map((t) => t.name).join(', ')}.`,
      );
    });
}

/** Hidden: what shell completion asks for at run time (`__complete logins`: the cached login names). */
function addCompletionQueries(program: Command, run: CliRun): void {
  program
    .command('__complete', { hidden: true })
    .argument('<what>')
    .action(async (what: string) => {
      if (what !== 'logins') return;
      const { cachedLoginNames } = await import('./manual/logins.js');
      for (const name of await cachedLoginNames(run.ctx.env, run.ctx.homedir)) run.ctx.stdout.write(`${name}\n`);
    });
}

export async function createProgram(run: CliRun, argv: readonly string[]): Promise<Command> {
  const program = baseProgram(run);
  const entry = findEntry(findCommandName(argv));
  for (const e of REGISTRY) {
    if (entry && e.name === entry.name) {
      const mod = await e.load();
      mod.register(program, run);
    } else {
      // Placeholder so that the top-level help lists it and typos get suggestions.
      program.command(e.name).description(e.summary).allowUnknownOption().helpOption(false);
    }
  }
  addHelpCommand(program, run);
  addCompletionQueries(program, run);
  run.commandTree = () => createCommandTree(run);
  return program;
}

/** A program with every command registered (nothing is parsed with it): the whole CLI, for describing it. */
export async function createCommandTree(run: CliRun): Promise<Command> {
  const program = baseProgram(run);
  for (const e of REGISTRY) (await e.load()).register(program, run);
  addHelpCommand(program, run);
  return program;
}
