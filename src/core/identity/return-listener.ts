/**
 * The loopback return URL of a 3LO consent this run completes itself (`exchange`, `invoke|mcp --complete-auth`):
 * bound before the flow starts (so a busy port fails before anything is created), armed with the awaited session
 * once it is known. When the browser comes back with that session, the request is held open until the flow has
 * called CompleteResourceTokenAuth, so the page shows the real outcome (`answer`).
 */
import { AgentcoreAuthError, interruptedError } from '../errors.js';
import { napUntil } from '../nap.js';
import type { NoteLevel } from '../plan.js';
import type { IdentityIo } from './io.js';
import {
  startReturnUrlServer,
  type ReturnEvent,
  type ReturnUrlServer,
  type SessionOutcome,
} from './return-sessions.js';

/** What the browser brought back: the awaited session and the redirect's state parameter. */
export interface BrowserReturn {
  sessionUri: string;
  state?: string;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (v: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const NOT_COMPLETED: SessionOutcome = {
  ok: false,
  status: 500,
  title: 'Authorization not completed',
  message: 'agentcore-auth stopped before completing the session; see the terminal.',
};

export class ReturnListener {
  private armed?: string;
  private returned?: BrowserReturn;
  private page?: Deferred<SessionOutcome>;
  /** A provider error or a state mismatch: the first one ends the wait. */
  private failure?: AgentcoreAuthError;
  private change = deferred<void>();
  /** Where the listener's remarks go (the running step's notes). */
  onNote: (text: string, level: NoteLevel) => void = () => {};

  private constructor(readonly server: ReturnUrlServer) {}

  /** Bind the loopback server the return URL names (http://localhost:<port>/<path>). */
  static async start(options: { returnUrl: string; customState?: string }): Promise<ReturnListener> {
    const u = new URL(options.returnUrl);
    let self: ReturnListener | undefined;
    const server = await startReturnUrlServer({
      port: Number(u.port || 80),
      path: u.pathname || '/',
      hostname: u.hostname,
      ...(options.customState !== undefined ? { expectState: options.customState } : {}),
      onSession: (hit) => self!.onSession(hit.sessionUri, hit.state),
      onEvent: (e) => self!.onEvent(e),
    });
    self = new ReturnListener(server);
    return self;
  }

  /** Wait for the browser to come back with this session (any other one is refused with 409). */
  arm(sessionUri: string): void {
    this.armed = sessionUri;
  }

  /** The browser came back with the awaited session (its page waits for `answer`). */
  get browserReturned(): boolean {
    return this.returned !== undefined;
  }

  private wake(): void {
    this.change.resolve();
    this.change = deferred<void>();
  }

  private async onSession(sessionUri: string, state: string | undefined): Promise<SessionOutcome> {
    if (!this.armed || this.armed !== sessionUri) {
      return {
        ok: false,
        status: 409,
        title: 'Unexpected session',
        message:
          'This is not the authorization session agentcore-auth is waiting for (an old tab?). Nothing was completed.',
      };
    }
    this.page ??= deferred<SessionOutcome>();
    this.returned ??= { sessionUri, ...(state !== undefined ? { state } : {}) };
    this.wake();
    return this.page.promise;
  }

  private onEvent(e: ReturnEvent): void {
    if (e.kind === 'provider-error') {
      const why = e.description ? ` — ${printableExcerpt(e.description)}` : '';
      this.fail(
        new AgentcoreAuthError('ERR_OAUTH', `the provider refused the authorization: ${e.error}${why}`, {
          hint:
            e.error === 'access_denied'
              ? 'The consent was declined. Run the exchange again and approve it.'
              : 'Check the provider configuration and the requested scopes.',
          details: { errorName: e.error },
        }),
      );
    } else if (e.kind === 'state-mismatch') {
      this.fail(
        new AgentcoreAuthError(
          'ERR_STATE_MISMATCH',
          'the return URL carried a state that does not match --custom-state; the session was not completed',
          { hint: 'Someone else’s redirect may have reached this server (CSRF). Start the flow again.' },
        ),
      );
    } else if (e.kind === 'ignored') {
      this.onNote(
        `return URL: ${e.method} ${printableExcerpt(e.path).slice(0, 80)} → ${e.status} (${e.reason})`,
        'info',
      );
    } else if (e.kind === 'session' && !e.outcome.ok && e.outcome.status === 409) {
      this.onNote('a redirect arrived for a session this run did not start; it was ignored', 'warn');
    }
  }

  private fail(error: AgentcoreAuthError): void {
    this.failure ??= error;
    this.wake();
  }

  /** Wait until the browser comes back (on the injected clock); Ctrl-C → ERR_INTERRUPTED, the deadline → onTimeout. */
  async waitForBrowser(
    io: Pick<IdentityIo, 'ctx'>,
    deadline: number,
    onTimeout: () => AgentcoreAuthError,
  ): Promise<BrowserReturn> {
    const { ctx } = io;
    while (!this.returned && !this.failure) {
      if (ctx.signal.aborted) throw interruptedError();
      const remaining = deadline - ctx.now();
      if (remaining <= 0) throw onTimeout();
      try {
        await napUntil(this.change.promise, Math.min(remaining, 250), ctx.sleep, ctx.signal);
      } catch {
        if (ctx.signal.aborted) throw interruptedError();
      }
    }
    if (this.returned) return this.returned;
    throw this.failure!;
  }

  /** The page the waiting browser gets: the completion's outcome. */
  answer(outcome: SessionOutcome): void {
    this.page ??= deferred<SessionOutcome>();
    this.page.resolve(outcome);
  }

  close(): Promise<void> {
    this.page?.resolve(NOT_COMPLETED);
    return this.server.close();
  }
}

/** Terminal-safe: no control characters (ANSI escapes, newlines) from a hostile query string. */
export function printableExcerpt(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 300);
}
