/**
 * createProgram: a fresh commander tree per run, with the global options and the one command being run (or every
 * command's summary, for the top-level help).
 */
import { Command, Option } from 'commander';
import type { CliRun } from './command.js';
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

export async function createProgram(run: CliRun, argv: readonly string[]): Promise<Command> {
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
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 internal error, 2 usage, 3 remote rejected, 4 auth failed, 5 timed out, 6 smoke ` +
      `expectation failed, 130 interrupted.
Docs: README.md (also: agentcore-auth explain "<error message>").`,
  );

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
  return program;
}
