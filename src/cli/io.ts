/**
 * What every command handler gets: the global options and an `Io` (ui, stdout writer, traced fetch, AWS clients,
 * secrets) built once per run from the context.
 */
import type { Command } from 'commander';
import { createAwsClients, type AwsClients, type Env } from '../core/aws.js';
import { createHttpFetch, type ExchangeListener, type FetchLike, type RetryOptions } from '../core/http.js';
import { createProxyRouting } from '../core/proxy.js';
import type { PlanEvent } from '../core/plan.js';
import { SecretRegistry } from '../core/redact.js';
import type { CliContext } from './context.js';
import { createTraceListener } from './render/http-log.js';
import { stepRenderer } from './render/steps.js';
import { colorEnabled, Ui } from './render/ui.js';

export interface Globals {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  json: boolean;
  verbose: boolean;
  debug: boolean;
  quiet: boolean;
  color: boolean;
  showSecrets: boolean;
}

export interface Io {
  ctx: CliContext;
  globals: Globals;
  ui: Ui;
  /** stdout: data only. */
  out: { write(text: string): void; line(text: string): void; json(value: unknown): void; isTTY: boolean };
  /** A fetch that traces (--verbose), times out and honours Ctrl-C. Pass `timeoutMs` for a custom limit. */
  fetch: FetchLike;
  http(timeoutMs?: number): FetchLike;
  aws: AwsClients;
  /**
   * AWS clients like `aws` (same globals, same --verbose trace) with a different socket timeout (e.g. --timeout) or
   * extra env (e.g. the endpoint a cached login used).
   */
  awsWith(overrides: { timeoutMs?: number; env?: Env }): AwsClients;
  secrets: SecretRegistry;
  /** Close what the run opened (the AWS clients of `aws` and `awsWith`): called once the command has ended. */
  close(): void;
  /** The run's step reporter: renders the step runner's events (core/plan.ts) on stderr. */
  steps(event: PlanEvent): void;
}

/**
 * The run's global options. They are accepted before the command's name and after it (program.ts), so each is read
 * from the innermost command it was given to, else it is the program's (its default).
 */
export function readGlobals(cmd: Command): Globals {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.push(c);
  const o = (key: string): unknown => {
    const given = chain.find((c) => {
      const source = c.getOptionValueSource(key);
      return source !== undefined && source !== 'default';
    });
    return (given ?? chain[chain.length - 1]!).getOptionValue(key);
  };
  const g: Globals = {
    json: !!o('json'),
    verbose: !!o('verbose') || !!o('debug'),
    debug: !!o('debug'),
    quiet: !!o('quiet'),
    color: o('color') !== false,
    showSecrets: !!o('showSecrets'),
  };
  const region = o('region');
  const profile = o('profile');
  const endpointUrl = o('endpointUrl');
  if (typeof region === 'string') g.region = region;
  if (typeof profile === 'string') g.profile = profile;
  if (typeof endpointUrl === 'string') g.endpointUrl = endpointUrl;
  return g;
}

export function createIo(ctx: CliContext, globals: Globals): Io {
  const secrets = new SecretRegistry();
  const ui = new Ui(ctx.stderr, {
    color: colorEnabled(ctx.stderr, ctx.env, globals.color),
    quiet: globals.quiet,
    debug: globals.debug,
    showSecrets: globals.showSecrets,
    secrets,
  });
  // One trace, two readers: --verbose prints each exchange, a recorder (--diagram, smoke/demo steps) keeps them.
  const verbose = globals.verbose ? createTraceListener(ui, globals.showSecrets) : undefined;
  const record = ctx.trace?.onExchange;
  const onExchange: ExchangeListener | undefined =
    verbose && record
      ? (ex, phase) => {
          record(ex, phase);
          verbose(ex, phase);
        }
      : (verbose ?? record);
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the run's env, for raw fetches and the AWS SDK alike (none: undefined).
  const proxy = createProxyRouting(ctx.env);
  const http = (timeoutMs?: number) =>
    createHttpFetch({
      fetch: ctx.fetch,
      ...(proxy ? { proxy } : {}),
      signal: ctx.signal,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(onExchange ? { onExchange, captureBodies: true } : {}),
    });
  const opened: AwsClients[] = [];
  const awsWith = (overrides: { timeoutMs?: number; env?: Env }) => {
    const clients = createAwsClients({
      env: overrides.env ? { ...ctx.env, ...overrides.env } : ctx.env,
      settings: {
        ...(globals.region ? { region: globals.region } : {}),
        ...(globals.profile ? { profile: globals.profile } : {}),
        ...(globals.endpointUrl ? { endpointUrl: globals.endpointUrl } : {}),
        ...(overrides.timeoutMs ? { timeoutMs: overrides.timeoutMs } : {}),
      },
      ...(onExchange ? { onExchange, captureBodies: !!record } : {}),
      ...(ctx.awsRetryStrategy ? { retryStrategy: ctx.awsRetryStrategy } : {}),
      ...(proxy ? { proxy } : {}),
      signal: ctx.signal,
    });
    opened.push(clients);
    return clients;
  };
  const aws = awsWith({});
  const out = stdoutOf(ctx);
  const close = () => {
    for (const clients of opened.splice(0)) clients.destroy();
  };
  return { ctx, globals, ui, out, fetch: http(), http, aws, awsWith, secrets, close, steps: stepRenderer(ui) };
}

/** stdout, for data only: text, lines, and JSON (indented on a terminal, one line in a pipe). */
function stdoutOf(ctx: CliContext): Io['out'] {
  return {
    isTTY: !!ctx.stdout.isTTY,
    write: (text: string) => {
      ctx.stdout.write(text);
    },
    line: (text: string) => {
      ctx.stdout.write(`${text}\n`);
    },
    json: (value: unknown) => {
      ctx.stdout.write(`${JSON.stringify(value, null, ctx.stdout.isTTY ? 2 : undefined)}\n`);
    },
  };
}

/** Read all of stdin as text (for `-` arguments and --password-stdin). */
export async function readStdin(ctx: CliContext): Promise<string> {
  return (await readStdinBytes(ctx)).toString('utf8');
}

/** Read all of stdin as bytes, exactly as they came (a binary payload must reach the agent unchanged). */
export async function readStdinBytes(ctx: CliContext): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(chunks);
}

/** The note a retried call prints on stderr before it waits (HTTP, the AWS SDK's attempts, an IdP's answers). */
export function retryNote(io: Io, attempt: number, delayMs: number, reason: string): void {
  io.ui.note(`  attempt ${attempt} got ${reason}; retrying in ${delayMs} ms`);
}

/** core's retry settings for this run: its clock, its Ctrl-C, and retryNote before each wait. */
export function retryWithNotes(io: Io): RetryOptions {
  return {
    sleep: io.ctx.sleep,
    signal: io.ctx.signal,
    onRetry: ({ attempt, delayMs, reason }) => retryNote(io, attempt, delayMs, reason),
  };
}
