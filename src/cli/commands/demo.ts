/**
 * `demo`: start the local stack in this process and walk through every auth flow with the same commands a user
 * types (run in-process through the smoke runner), narrating each step on stderr for a newcomer. Exit 0 when every
 * flow behaved as narrated; 6 when one did not (the demo checks its own story).
 */
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { addOptions, flag, value, type OptionsOf } from '../options.js';
import { defineAction, type CliRun } from '../command.js';
import type { Io } from '../io.js';
import { usageError } from '../../core/errors.js';
import { requireOrImport } from '../../module-load.js';

const DEMO_OPTIONS = {
  open: flag('--open', "do the 3LO consent in your real browser instead of the stack's auto-consent"),
  diagram: value('--diagram <dir>', 'write one Mermaid sequence diagram per step into DIR (NN-<step>.mmd)'),
};

type DemoOptions = OptionsOf<typeof DEMO_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('demo')
    .summary('every flow on the embedded stack, narrated')
    .description(
      'Start the local AgentCore stack in this process and walk through every auth flow with the real ' +
        'commands: Cognito sign-in (and a temporary password), invoke with a bearer token and with SigV4 + ' +
        'user id, the classic mistakes (wrong mode, ID token instead of access token) and their ' +
        'explanations, workload tokens both ways, an M2M resource token, an API key, 3LO consent with ' +
        'session binding, an on-behalf-of token exchange, and verify. Nothing leaves this machine.',
    );
  addOptions(cmd, DEMO_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth demo             # a few seconds; everything on loopback
  agentcore-auth demo --open      # click through the 3LO consent yourself
  npm ci && npm run demo          # from a fresh clone`,
    )
    .action(defineAction(run, (io, opts: DemoOptions) => demo(io, opts)));
}

async function demo(io: Io, opts: DemoOptions) {
  if (opts.diagram !== undefined && !opts.diagram.trim()) throw usageError('--diagram needs a directory');
  // The seeded stack's two RSA keys (its user pool's and the 3LO provider's) are generated on the thread pool while
  // the main thread loads the demo's modules, instead of after them (emulator/keys.ts).
  const { prepareKeys } = await import('../../emulator/keys.js');
  prepareKeys(2);
  const { runDemo } = await loadDemo();
  return runDemo(io, opts);
}

/** The demo's modules (the whole local stack, about 320 files) the fast way at start-up (module-load.ts). */
function loadDemo(): Promise<typeof import('../demo/run.js')> {
  return requireOrImport(
    () => createRequire(import.meta.url)('../demo/run.js') as typeof import('../demo/run.js'),
    () => import('../demo/run.js'),
  );
}
