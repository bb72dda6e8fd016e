/**
 * `callback`'s run, loaded when it runs: the user identifier sessions are completed with, the return-URL server whose
 * every session is completed (one stderr line each; NDJSON records with --json), and the wait for --once, --timeout
 * or Ctrl-C.
 */
import { AgentcoreAuthError, EXIT, interruptedError, timeoutError, usageError } from '../core/errors.js';
import {
  completeSession,
  describeIdentifier,
  shortUrn,
  startReturnUrlServer,
  validateUserToken,
  type ReturnEvent,
  type ReturnUrlServer,
  type SessionOutcome,
  type UserIdentifier,
} from '../core/identity/index.js';
import { napUntil } from '../core/nap.js';
import type { Outcome } from './command.js';
import { readStdin, type Io } from './io.js';

export interface CallbackSettings {
  port: number;
  path: string;
  userId?: string;
  userToken?: string;
  bearer?: string | true;
  expectState?: string;
  once?: boolean;
  /** Milliseconds. */
  timeout?: number;
}

interface SessionRecord {
  at: string;
  sessionUri: string;
  status: 'completed' | 'refused' | 'provider-error' | 'state-mismatch';
  message?: string;
  durationMs?: number;
}

export async function runCallback(io: Io, opts: CallbackSettings): Promise<Outcome> {
  if (!opts.path.startsWith('/') || /[?#\s]/.test(opts.path))
    throw usageError(`--path must start with / and hold no query, got ${JSON.stringify(opts.path)}`);
  const identifier = await callbackIdentifier(io, opts);
  const sessions = new CallbackSessions(io, opts, identifier);
  const server = await startReturnUrlServer({
    port: opts.port,
    path: opts.path,
    hostname: 'localhost',
    ...(opts.expectState !== undefined ? { expectState: opts.expectState, requireState: true } : {}),
    onSession: ({ sessionUri }) => sessions.complete(sessionUri),
    onEvent: (e) => sessions.onEvent(e),
  });
  try {
    io.ui.info(`${io.ui.c.bold('return URL')} ${server.url}`);
    io.ui.note(
      `completing sessions with ${sessions.who}${opts.once ? '; exits after the first session' : '; Ctrl-C to stop'}`,
    );
    await sessions.wait(server);
  } finally {
    await server.close();
  }
  const completed = sessions.records.filter((s) => s.status === 'completed').length;
  return {
    exitCode: sessions.settled ?? EXIT.OK,
    human: () => {
      if (!opts.once)
        io.ui.note(
          `${completed} session${completed === 1 ? '' : 's'} completed, ${sessions.records.length - completed} refused`,
        );
    },
  };
}

/** Exactly one of --user-id, --user-token (or stdin), --bearer: the artifact that minted the workload token. */
async function callbackIdentifier(io: Io, opts: CallbackSettings): Promise<UserIdentifier> {
  const given = [opts.userId !== undefined, opts.userToken !== undefined, opts.bearer !== undefined].filter(
    Boolean,
  ).length;
  if (given !== 1) {
    throw usageError(
      given === 0
        ? 'pass the user identifier: --user-id, --user-token or --bearer'
        : 'pass only one of --user-id, --user-token, --bearer',
      'CompleteResourceTokenAuth needs the exact user id, or the very same JWT, that minted the workload token ' +
        'which started the session.',
    );
  }
  if (opts.expectState !== undefined) io.secrets.add(opts.expectState);
  let identifier: UserIdentifier;
  if (opts.userId !== undefined) identifier = { userId: opts.userId };
  else if (opts.userToken !== undefined) {
    identifier = { userToken: validateUserToken(opts.userToken === '-' ? await readStdin(io.ctx) : opts.userToken) };
  } else {
    const { resolveCachedBearer } = await import('./bearer.js');
    identifier = { userToken: validateUserToken((await resolveCachedBearer(io, opts.bearer)).token, '--bearer') };
  }
  if ('userToken' in identifier) io.secrets.add(identifier.userToken);
  return identifier;
}

// eslint-disable-next-line no-control-regex
const safe = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 200);

/** The sessions of one run: each completed and reported; what ends the run with --once. */
class CallbackSessions {
  readonly records: SessionRecord[] = [];
  readonly who: string;
  /** The exit code once the run is over (--once). */
  settled: number | undefined;
  private wake: () => void = () => {};
  private readonly next = new Promise<void>((r) => (this.wake = r));

  constructor(
    private readonly io: Io,
    private readonly opts: CallbackSettings,
    private readonly identifier: UserIdentifier,
  ) {
    this.who = describeIdentifier(identifier, io.ctx.now());
  }

  private stamp(): string {
    return this.io.ui.c.dim(new Date(this.io.ctx.now()).toISOString().slice(11, 19));
  }

  private finish(code: number): void {
    if (this.opts.once && this.settled === undefined) {
      this.settled = code;
      this.wake();
    }
  }

  private record(r: SessionRecord): void {
    this.records.push(r);
    if (this.io.globals.json) this.io.out.line(JSON.stringify(r));
  }

  async complete(sessionUri: string): Promise<SessionOutcome> {
    const { io } = this;
    const { c } = io.ui;
    const started = io.ctx.now();
    try {
      await completeSession(io, { sessionUri, userIdentifier: this.identifier });
      const durationMs = Math.round(io.ctx.now() - started);
      io.ui.line(
        `${this.stamp()} ${c.green('✓')} ${shortUrn(sessionUri)} completed with ${this.who} ` +
          c.dim(`(${durationMs} ms)`),
      );
      this.record({ at: new Date(started).toISOString(), sessionUri, status: 'completed', durationMs });
      this.finish(EXIT.OK);
      return {
        ok: true,
        title: 'Authorization complete',
        message: 'The session was completed. You can close this tab and return to the agent.',
      };
    } catch (e) {
      const err =
        e instanceof AgentcoreAuthError
          ? e
          : new AgentcoreAuthError('ERR_INTERNAL', String((e as Error)?.message ?? e));
      io.ui.line(`${this.stamp()} ${c.red('✗')} ${shortUrn(sessionUri)} refused: ${err.message}`);
      if (err.hint) io.ui.line(`         ${c.yellow('hint:')} ${err.hint}`);
      this.record({ at: new Date(started).toISOString(), sessionUri, status: 'refused', message: err.message });
      this.finish(err.exitCode === EXIT.AUTH ? EXIT.AUTH : err.exitCode);
      return {
        ok: false,
        status: err.exitCode === EXIT.AUTH ? 403 : 502,
        title: 'Authorization not completed',
        message: err.message,
        ...(err.hint ? { detail: err.hint } : {}),
      };
    }
  }

  onEvent(e: ReturnEvent): void {
    const { io } = this;
    const { c } = io.ui;
    const at = new Date(io.ctx.now()).toISOString();
    if (e.kind === 'ignored') {
      io.ui.line(`${this.stamp()} ${c.dim(`${e.method} ${safe(e.path)} → ${e.status} (${e.reason})`)}`);
    } else if (e.kind === 'provider-error') {
      const msg = `${safe(e.error)}${e.description ? ` — ${safe(e.description)}` : ''}`;
      io.ui.line(`${this.stamp()} ${c.red('✗')} the provider refused the authorization: ${msg}`);
      this.record({ at, sessionUri: '', status: 'provider-error', message: msg });
      this.finish(EXIT.AUTH);
    } else if (e.kind === 'state-mismatch') {
      io.ui.line(
        `${this.stamp()} ${c.red('✗')} ${shortUrn(e.sessionUri)} ` +
          `refused: ${e.received === undefined ? 'no state parameter' : 'state does not match --expect-state'}` +
          ' (not completed)',
      );
      this.record({ at, sessionUri: e.sessionUri, status: 'state-mismatch' });
      this.finish(EXIT.AUTH);
    } else if (e.kind === 'session' && e.duplicate) {
      io.ui.line(
        `${this.stamp()} ` +
          c.dim(`${shortUrn(e.sessionUri)} again → same answer (${e.outcome.ok ? 'completed' : 'refused'})`),
      );
    }
  }

  /** Until --once settles, --timeout runs out (exit 5 unless a session was completed without --once), or Ctrl-C. */
  async wait(server: ReturnUrlServer): Promise<void> {
    const { io, opts } = this;
    const timeoutSec = opts.timeout === undefined ? undefined : opts.timeout / 1000;
    const deadline = timeoutSec !== undefined ? io.ctx.now() + timeoutSec * 1000 : undefined;
    while (this.settled === undefined) {
      if (io.ctx.signal.aborted) throw interruptedError();
      const remaining = deadline === undefined ? 250 : deadline - io.ctx.now();
      if (remaining <= 0) {
        if (opts.once || !this.records.some((s) => s.status === 'completed')) {
          throw timeoutError(
            `no session ${opts.once ? 'arrived' : 'was completed'} within ${timeoutSec} s at ${server.url}`,
            'Check that this URL is registered on the workload identity and passed as the return URL, and that ' +
              'the browser finished the consent.',
          );
        }
        return;
      }
      try {
        await napUntil(this.next, Math.min(remaining, 250), io.ctx.sleep, io.ctx.signal);
      } catch {
        if (io.ctx.signal.aborted) throw interruptedError();
      }
    }
  }
}
