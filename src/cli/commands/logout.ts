/** `logout [NAME] [--all]`: alias of `token clear` (removes cached tokens; nothing is revoked at the provider). */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerClear } from '../clear-tokens.js';

export function register(program: Command, ctx: CliContext): void {
  registerClear(program.command('logout'), ctx).addHelpText(
    'after',
    '\nSame as `agentcore-auth token clear`. Tokens stay valid at the provider until they expire.',
  );
}
