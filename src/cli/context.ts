/**
 * The CLI context: everything a command may touch of the outside world, built once in bin.ts (createNodeContext) or
 * by the tests (test/helpers/context.ts). No command reads process.* directly.
 */
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import type { AwsRetryStrategy, Env } from '../core/aws.js';
import type { TraceRecorder } from '../core/diagram/trace.js';
import type { FetchLike } from '../core/http.js';

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface InStream extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
}

export interface PromptOptions {
  /** Do not echo what is typed (passwords, secrets, codes). */
  hidden?: boolean;
}

export interface CliContext {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Env;
  cwd: string;
  homedir: string;
  fetch: FetchLike;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  randomId(): string;
  /** Open a URL in the user's browser (honours BROWSER). Tests inject a headless driver. */
  openBrowser(url: string): Promise<void>;
  /** Ask on the terminal. Only called when noPromptReason(ctx) is undefined (a terminal, and not CI). */
  prompt(question: string, options?: PromptOptions): Promise<string>;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  version: string;
  platform: NodeJS.Platform;
  /** This process's id (written into the token-cache lock). */
  pid: number;
  /** Whether a process with this pid runs on this host (a token-cache lock whose holder died is taken over). */
  isProcessAlive(pid: number): boolean;
  /** Records the run's trace (HTTP exchanges, browsers opened) for a diagram: set by --diagram, smoke and demo. */
  trace?: TraceRecorder;
  /** Tests only (never set by bin.ts): the AWS SDK clients' retry strategy; see AwsFactoryDeps.retryStrategy. */
  awsRetryStrategy?: (maxAttempts: number) => AwsRetryStrategy;
}

/**
 * Why this run must not prompt, or undefined when it may: a prompt needs stdin and stderr on a terminal, and no `CI`
 * variable (CI runners may allocate a terminal that nobody answers; `CI=false` or `CI=0` allow prompts again).
 */
export function noPromptReason(ctx: Pick<CliContext, 'stdin' | 'stderr' | 'env'>): string | undefined {
  const ci = ctx.env.CI?.trim().toLowerCase();
  if (ci && ci !== 'false' && ci !== '0') return 'CI is set';
  if (!ctx.stdin.isTTY || !ctx.stderr.isTTY) return 'stdin or stderr is not a terminal';
  return undefined;
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Open a URL with BROWSER when set (a command, as git and gh use it), else the `open` package. */
export async function openInBrowser(url: string, env: Env): Promise<void> {
  const browser = env.BROWSER;
  if (browser) {
    const { spawn } = await import('node:child_process');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(browser, [url], { stdio: 'ignore', detached: true, shell: false });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
    return;
  }
  const headless = noDisplay(env);
  if (headless) throw new Error(headless);
  const { default: open } = await import('open');
  await open(url, { wait: false });
}

/**
 * Why no browser can open here, when that is certain: a Linux shell with no graphical session (an SSH session, a
 * container, CI). The `open` package cannot tell: it starts xdg-open and does not wait for it to fail, and the
 * command would then wait for a browser that never came.
 */
export function noDisplay(env: Env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return undefined;
  if (env.DISPLAY || env.WAYLAND_DISPLAY || env.WSL_DISTRO_NAME) return undefined;
  return 'no graphical session here: DISPLAY and WAYLAND_DISPLAY are unset, and BROWSER is not set';
}

async function promptTty(question: string, options: PromptOptions = {}): Promise<string> {
  const readline = await import('node:readline');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput?: (s: string) => void; output: NodeJS.WritableStream };
  if (options.hidden) {
    const orig = out._writeToOutput?.bind(rl);
    out._writeToOutput = (s: string) => {
      // Echo the prompt itself and the final newline, nothing typed.
      if (s.startsWith(question) || s === '\r\n' || s === '\n') orig?.(s);
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    if (options.hidden) process.stderr.write('\n');
    rl.close();
  }
}

export function createNodeContext(signal: AbortSignal, version: string): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    homedir: homedir(),
    fetch: globalThis.fetch.bind(globalThis),
    now: () => Date.now(),
    sleep,
    randomId: () => randomUUID(),
    openBrowser: (url) => openInBrowser(url, process.env),
    prompt: promptTty,
    signal,
    version,
    platform: process.platform,
    pid: process.pid,
    isProcessAlive,
  };
}
