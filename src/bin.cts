/**
 * The entry point's fast paths, CommonJS so that they start no ESM loader (about 11 ms of a 100 ms start):
 * bin/agentcore-auth.js (CommonJS too, bin/package.json) requires this module and loads the full CLI (bin.ts) only
 * when serve() declines. Served here: `--version`, the help screens and help topics pre-rendered at build time by
 * commander itself (scripts/render-help.mjs), the completion scripts, and the login names completion asks for — none
 * needs commander, chalk or any command module. Also the one guard of stdout every run gets (a closed pipe).
 */
import fs = require('node:fs');
import path = require('node:path');

/** This package's version (package.json, next to dist/). */
function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Serves these arguments when a fast path can; false when the full CLI must run (bin.ts). Either way stdout is
 * guarded first: `agentcore-auth … | head` — a closed pipe on stdout ends the run quietly, as for any Unix filter.
 */
function serve(argv: string[]): boolean {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const text =
    argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V') ? `${packageVersion()}\n` : cachedHelp(argv);
  if (text !== undefined) {
    process.stdout.write(text);
    return true;
  }
  if (argv.length === 2 && argv[0] === '__complete' && argv[1] === 'logins') {
    void completeLogins();
    return true;
  }
  return false;
}

/** The pre-rendered file for these arguments: dist/help/<command>.txt, topic/<topic>.txt, completion/<shell>.txt. */
function cachedHelp(args: string[]): string | undefined {
  let files: string[] = [];
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) files = ['_root'];
  else if (args.length === 2 && args[0] === 'help') files = [args[1]!, `topic/${args[1]}`];
  else if (args.length === 2 && (args[1] === '--help' || args[1] === '-h')) files = [args[0]!];
  else if (args.length === 2 && args[0] === 'completion') files = [`completion/${args[1]}`];
  for (const name of files) {
    if (!/^([a-z]+\/)?[a-z_][a-z-]*$/.test(name)) return undefined;
    try {
      return fs.readFileSync(path.join(__dirname, 'help', `${name}.txt`), 'utf8');
    } catch {
      // not pre-rendered (or unknown): the next name, else commander answers
    }
  }
  return undefined;
}

/** `__complete logins`: the cached login names, one a line (what bash offers after --bearer). */
async function completeLogins(): Promise<void> {
  const { cachedLoginNames } = await import('./cli/manual/logins.js');
  const { homedir } = await import('node:os');
  process.stdout.write((await cachedLoginNames(process.env, homedir())).map((n) => `${n}\n`).join(''));
}

export = { serve, packageVersion };
