/**
 * The entry point: the process's argv, exit code and signals are handled here (the real streams, env and clock are
 * wrapped once in cli/context.ts's createNodeContext; nothing else reads process.*). The help screens, --version and
 * completion are served before this module loads (bin.cts, CommonJS); here: library noise silenced (unless
 * --debug), the real context built, the CLI run and the exit code set. SIGINT/SIGTERM abort the run's signal; a
 * second Ctrl-C exits at once.
 */
import fastPath from './bin.cjs';

// Reached from bin/agentcore-auth.js when bin.cts did not serve the arguments (it also guards stdout).
const argv = process.argv.slice(2);
const version = fastPath.packageVersion();
await main();

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
