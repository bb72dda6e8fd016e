/**
 * `policy check|test|validate`: AgentCore Policy (Cedar at the Gateway) decided by the official Cedar engine as the
 * gateway decides — offline from policy files before a policy is deployed, or with a deployed gateway's engine,
 * tools and ARN read from the control plane (`--gateway-id`, a test table's `gateway:`).
 *
 *   check     one tools/call: allow (exit 0) or deny (exit 4), the determining policies, the principal's tags, errors
 *   test      a YAML/JSON table of cases → PASS/FAIL table, --junit FILE, exit 6 on any miss
 *   validate  parse, schema and scope errors (and the analyzer's findings) with file:line, exit 2 on any error
 *
 * The actions live in this folder's files and load the Cedar engine only when they run.
 */
import type { Command } from 'commander';
import { defineAction, type CliRun } from '../../command.js';
import type { Io } from '../../io.js';
import { addOptions } from '../../options.js';
import {
  CHECK_OPTIONS,
  TEST_OPTIONS,
  VALIDATE_OPTIONS,
  type CheckOptions,
  type TestOptions,
  type ValidateOptions,
} from './options.js';

export function register(program: Command, run: CliRun): void {
  const policy = program
    .command('policy')
    .description(
      'AgentCore Policy: decide a tool call as the gateway would (check), run a table of cases (test), ' +
        'validate Cedar policies (validate) — offline from policy files, or with a deployed gateway (--gateway-id). ' +
        'The Cedar engine is the official one (@cedar-policy/cedar-wasm).',
    );

  const check = policy
    .command('check')
    .description(
      'Decide one tools/call as the gateway would: allow (exit 0) or deny (exit 4), with the determining policies, ' +
        "the principal's tags (every JWT claim as a string) and the errors met (a getTag on a missing tag).",
    );
  addOptions(check, CHECK_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth policy check --policy-file shop.cedar --tools tools.json \\
      --claims '{"sub":"alice","role":"support"}' --tool RefundTool___process_refund --input '{"amount":100}'
  agentcore-auth policy check --policy-file shop.cedar --tools tools.json --bearer --tool Weather___forecast
  agentcore-auth policy check --gateway-id shop-abcdefghij --bearer --tool RefundTool___process_refund \\
      --input '{"orderId":"o-1","amount":100}'`,
    )
    .action(
      defineAction(run, async (io: Io, opts: CheckOptions) => (await import('./check.js')).checkCommand(io, opts)),
    );

  const test = policy
    .command('test')
    .description(
      'Run a table of cases (YAML or JSON: policies: and tools:, or gateway: ID, and cases: [{name, ' +
        'claims|token|iam, tool, input, expect: allow|deny}]); exit 6 when any case misses. Offline with policy ' +
        "files; gateway: reads a deployed gateway's engine and tools from the control plane.",
    )
    .argument('<file>', 'the test table (schema: examples/policy-test.schema.json)');
  addOptions(test, TEST_OPTIONS).action(
    defineAction(run, async (io: Io, file: string, opts: TestOptions) =>
      (await import('./test.js')).testCommand(io, file, opts),
    ),
  );

  const validate = policy
    .command('validate')
    .description(
      'Check Cedar policy files as CreatePolicy would: parse errors, schema errors against the tools (--tools, or ' +
        "a deployed gateway's with --gateway-id), AgentCore's scope rules and the analyzer's findings, each with " +
        'file:line. Exit 2 on any error.',
    )
    .argument('<files...>', 'Cedar policy files');
  addOptions(validate, VALIDATE_OPTIONS).action(
    defineAction(run, async (io: Io, files: string[], opts: ValidateOptions) =>
      (await import('./validate.js')).validateCommand(io, files, opts),
    ),
  );
}
