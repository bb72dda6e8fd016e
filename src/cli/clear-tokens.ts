/**
 * Removing cached tokens: `token clear [NAME] [--all]` and its alias `logout`. Nothing is revoked at the provider; the
 * tokens stay valid until they expire.
 */
import type { Command } from 'commander';
import { usageError } from '../core/errors.js';
import { cachePath, clearCache, DEFAULT_ENTRY, removeEntry } from '../core/token-cache.js';
import { cacheLocation, entryNameOf } from './bearer.js';
import { defineAction, type Outcome, type CliRun } from './command.js';
import type { Io } from './io.js';
import { addOptions, flag, type OptionsOf } from './options.js';

const CLEAR_OPTIONS = {
  all: flag('--all', 'remove every cached entry'),
};

type ClearOptions = OptionsOf<typeof CLEAR_OPTIONS>;

/** `token clear` and its alias `logout`: the subcommand's arguments, options and action on `cmd`. */
export function registerClear(cmd: Command, run: CliRun): Command {
  cmd
    .description('remove a cached token (default: the `default` entry; --all for every entry)')
    .argument('[name]', 'cache entry');
  return addOptions(cmd, CLEAR_OPTIONS).action(
    defineAction(run, (io: Io, name: string | undefined, opts: ClearOptions) => clear(io, name, opts)),
  );
}

async function clear(io: Io, name: string | undefined, opts: ClearOptions): Promise<Outcome> {
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
