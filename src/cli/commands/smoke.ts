/**
 * `smoke <scenario.yaml|.json|->`: run a CI scenario of agentcore-auth steps (login, invoke, mcp, exchange, verify,
 * or any command line) and check what each did. Every step runs the real command in-process (runCli with a capturing
 * child context and --json), so a scenario step and a hand-typed command behave alike.
 *
 * Exit: 0 every expectation met; 6 an expectation failed; 2 the scenario is malformed (the error names the line) or
 * a variable is missing; 3/5/1 a step could not run (network or service failure, timeout, internal error).
 */
import type { Command } from 'commander';
import { addOptions, flag, integer, TIMEOUT, value, withDefault, type OptionsOf } from '../options.js';
import { defineAction, type CliRun } from '../command.js';
import type { Io } from '../io.js';

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
  const { runSmoke } = await import('../smoke-run.js');
  return runSmoke(io, files, opts);
}
