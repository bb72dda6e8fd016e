/**
 * The entry point: the process's argv, exit code and signals are handled here (the real streams, env and clock are
 * wrapped once in cli/context.ts's createNodeContext; nothing else reads process.*). Serves the pre-rendered help
 * screens without loading the CLI, silences library noise (unless --debug), builds the real context, runs the CLI and
 * sets the exit code. SIGINT/SIGTERM abort the run's signal; a second Ctrl-C exits at once.
 */
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);

// `agentcore-auth … | head`: a closed pipe on stdout ends the run quietly, as for any Unix filter.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

// Fast paths: `--version`, help screens and help topics pre-rendered at build time by commander itself
// (scripts/render-help.mjs), the completion scripts, and the login names completion asks for: none needs commander,
// chalk or any command module.
const help = argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V') ? `${version}\n` : cachedHelp(argv);
if (help !== undefined) {
  process.stdout.write(help);
} else if (argv.length === 2 && argv[0] === '__complete' && argv[1] === 'logins') {
  const { cachedLoginNames } = await import('./cli/manual/logins.js');
  const { homedir } = await import('node:os');
  process.stdout.write((await cachedLoginNames(process.env, homedir())).map((n) => `${n}\n`).join(''));
} else {
  await main();
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
      return readFileSync(new URL(`./help/${name}.txt`, import.meta.url), 'utf8');
    } catch {
      // not pre-rendered (or unknown): the next name, else commander answers
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const debug = argv.includes('--debug');
  if (!debug) silenceLibraries();

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    controller.abort(Object.assign(new Error(`interrupted by ${sig}`), { name: 'AbortError' }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const [{ runCli }, { createNodeContext }] = await Promise.all([import('./cli/run.js'), import('./cli/context.js')]);
  const code = await runCli(argv, createNodeContext(controller.signal, version));
  process.exitCode = controller.signal.aborted && code === 0 ? 130 : code;
  // Let stdout drain, but never hang on a stray handle (keep-alive sockets of a library).
  setTimeout(() => process.exit(), 1500).unref();
}

/** Library noise (the AWS SDK's Node-version warning, oidc-provider's WARNING/NOTICE lines) is for --debug only. */
function silenceLibraries(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.emitWarning = (() => undefined) as typeof process.emitWarning;
  const drop = () => undefined;
  console.log = drop;
  console.info = drop;
  console.warn = drop;
  console.error = drop;
  console.debug = drop;
}
