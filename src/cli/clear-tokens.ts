/**
 * Removing cached tokens: `token clear [NAME] [--all]` and its alias `logout`. Nothing is revoked at the provider; the
 * tokens stay valid until they expire.
 */
import type { Command } from 'commander';
import { usageError } from '../core/errors.js';
import { cachePath, clearCache, DEFAULT_ENTRY, removeEntry } from '../core/token-cache.js';
import { cacheLocation, entryNameOf } from './bearer.js';
import { defineAction, type Io, type Outcome } from './command.js';
import type { CliContext } from './context.js';

/** `token clear` and its alias `logout`: the subcommand's arguments, options and action on `cmd`. */
export function registerClear(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('remove a cached token (default: the `default` entry; --all for every entry)')
    .argument('[name]', 'cache entry')
    .option('--all', 'remove every cached entry')
    .action(defineAction(ctx, (io: Io, name: string | undefined, opts: { all?: boolean }) => clear(io, name, opts)));
}

async function clear(io: Io, name: string | undefined, opts: { all?: boolean }): Promise<Outcome> {
  const loc = cacheLocation(io);
  if (opts.all && name) throw usageError('pass a name or --all, not both');
  let removed: string[];
  if (opts.all) removed = await clearCache(loc);
  else {
    const n = entryNameOf(name ?? DEFAULT_ENTRY);
    removed = (await removeEntry(loc, n)) ? [n] : [];
    if (!removed.length) {
      return {
        json: { removed: [] },
        human: () => io.ui.info(`No cached token named '${n}' (nothing to remove).`),
      };
    }
  }
  return {
    json: { removed },
    human: () =>
      io.ui.success(
        removed.length
          ? `Removed ${removed.map((r) => `'${r}'`).join(', ')} from ${cachePath(loc)}`
          : 'The token cache was already empty.',
      ),
  };
}
