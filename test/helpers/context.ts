/**
 * Test context and in-process CLI runner: runCommand(argv) → { code, stdout, stderr }. Everything the CLI touches of
 * the outside world is injected here (env, stdin, clock, browser, prompts); nothing of our own is mocked.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliContext, PromptOptions } from '../../src/cli/context.js';
import { isProcessAlive, sleep } from '../../src/cli/context.js';
import { createIo, type Globals, type Io } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';

export class BufferStream {
  chunks: string[] = [];
  isTTY: boolean;
  columns = 120;
  constructor(isTTY = false) {
    this.isTTY = isTTY;
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  text(): string {
    return this.chunks.join('');
  }
}

export interface TestContextOptions {
  env?: Record<string, string | undefined>;
  /** stdin's content: text, or bytes exactly as a pipe would give them. */
  stdin?: string | Buffer;
  stdinTTY?: boolean;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  cwd?: string;
  /** Defaults to a fresh temp dir per context (so the token cache is isolated). */
  home?: string;
  fetch?: CliContext['fetch'];
  now?: () => number;
  sleep?: CliContext['sleep'];
  openBrowser?: (url: string) => Promise<void>;
  /** Answers for prompts, in order; a function gets the question. */
  answers?: string[] | ((question: string, options?: PromptOptions) => string);
  signal?: AbortSignal;
}

export interface TestContext extends CliContext {
  stdout: BufferStream;
  stderr: BufferStream;
  opened: string[];
  prompts: string[];
}

export function createTestContext(options: TestContextOptions = {}): TestContext {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'aca-home-'));
  const stdin = Readable.from(options.stdin !== undefined ? [options.stdin] : []) as Readable & { isTTY?: boolean };
  stdin.isTTY = options.stdinTTY ?? false;
  const opened: string[] = [];
  const prompts: string[] = [];
  const answers = options.answers;
  let answerIndex = 0;
  return {
    stdout: new BufferStream(options.stdoutTTY ?? false),
    stderr: new BufferStream(options.stderrTTY ?? false),
    stdin,
    env: {
      HOME: home,
      XDG_CACHE_HOME: join(home, '.cache'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(home, 'aws-config-none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials-none'),
      ...options.env,
    },
    cwd: options.cwd ?? home,
    homedir: home,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    now: options.now ?? (() => Date.now()),
    sleep: options.sleep ?? sleep,
    randomId: () => randomUUID(),
    openBrowser: async (url: string) => {
      opened.push(url);
      await options.openBrowser?.(url);
    },
    prompt: async (question: string, promptOptions?: PromptOptions) => {
      prompts.push(question);
      if (typeof answers === 'function') return answers(question, promptOptions);
      const a = answers?.[answerIndex++];
      if (a === undefined) throw new Error(`unexpected prompt: ${question}`);
      return a;
    },
    signal: options.signal ?? new AbortController().signal,
    version: '0.0.0-test',
    platform: process.platform,
    pid: process.pid,
    isProcessAlive,
    opened,
    prompts,
  };
}

/** The globals of a plain run: no --json, --verbose, --debug, --quiet, colour or --show-secrets. */
export const PLAIN_GLOBALS: Globals = {
  json: false,
  verbose: false,
  debug: false,
  quiet: false,
  color: false,
  showSecrets: false,
};

/** An Io with plain globals on a test context, for calling core/ and cli-level functions directly. */
export function createTestIo(options: TestContextOptions = {}): { io: Io; ctx: TestContext } {
  const ctx = createTestContext(options);
  return { io: createIo(ctx, PLAIN_GLOBALS), ctx };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ctx: TestContext;
}

/** Run the whole CLI in-process. */
export async function runCommand(argv: string[], options: TestContextOptions | TestContext = {}): Promise<RunResult> {
  const ctx =
    'stdout' in options && options.stdout instanceof BufferStream
      ? (options as TestContext)
      : createTestContext(options as TestContextOptions);
  const code = await runCli(argv, ctx);
  return { code, stdout: ctx.stdout.text(), stderr: ctx.stderr.text(), ctx };
}
