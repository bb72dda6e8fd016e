/** `logout` — not built yet (placeholder so the registry compiles; replaced by the issue that builds it). */
import type { Command } from 'commander';
import { AgentcoreAuthError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { defineAction } from '../command.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('logout')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(
      defineAction(ctx, async () => {
        throw new AgentcoreAuthError('ERR_INTERNAL', '`logout` is not implemented yet');
      }),
    );
}
