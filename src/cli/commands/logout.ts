/** `logout [NAME] [--all]`: alias of `token clear` (removes cached tokens; nothing is revoked at the provider). */
import type { CliRun } from '../command.js';
import type { Command } from 'commander';
import { registerClear } from '../clear-tokens.js';

export function register(program: Command, run: CliRun): void {
  registerClear(program.command('logout'), run).addHelpText(
    'after',
    '\nSame as `agentcore-auth token clear`. Tokens stay valid at the provider until they expire.',
  );
}
