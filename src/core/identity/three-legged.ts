/**
 * 3LO completion: the return-URL listener, CompleteResourceTokenAuth with the binding rule made visible, and
 * `completeThreeLegged`, the reusable whole (used by `exchange` and by `invoke --complete-auth`).
 */
import { fromAwsError } from '../aws.js';
import { AgentcoreAuthError, interruptedError, timeoutError } from '../errors.js';
import { describeToken } from '../jwt.js';
import { describeIdentifier, sameIdentifier, type UserIdentifier } from './binding.js';
import type { IdentityIo } from './io.js';
import { pollResourceToken, sessionUriFromAuthorizationUrl, type ResourceTokenRequest } from './resource.js';
import { isLoopbackUrl } from '../loopback.js';
import { startReturnUrlServer, type ReturnEvent, type ReturnUrlServer, type SessionOutcome } from './return-sessions.js';
import { Timeline, type StepHandle } from './timeline.js';

/**
 * CompleteResourceTokenAuth. A refusal ("Invalid or expired session", AccessDenied) becomes ERR_AUTH (exit 4) whose
 * message shows the binding: "started by <A>, completed with <B>" when the starting artifact is known.
 */
export async function completeSession(
  io: IdentityIo,
  options: { sessionUri: string; userIdentifier: UserIdentifier; startedBy?: UserIdentifier; region?: string },
): Promise<void> {
  const dp = await io.aws.agentcore(options.region);
  const { CompleteResourceTokenAuthCommand } = await import('@aws-sdk/client-bedrock-agentcore');
  try {
    await dp.send(new CompleteResourceTokenAuthCommand({ sessionUri: options.sessionUri, userIdentifier: options.userIdentifier }), {
      abortSignal: io.ctx.signal,
    });
  } catch (e) {
    const err = fromAwsError(e, 'CompleteResourceTokenAuth');
    const msg = (e as Error)?.message ?? '';
    if (err.code === 'ERR_AUTH' || /invalid or expired session/i.test(msg)) throw bindingError(io, err, options);
    throw err;
  }
}

function bindingError(
  io: IdentityIo,
  cause: AgentcoreAuthError,
  options: { userIdentifier: UserIdentifier; startedBy?: UserIdentifier },
): AgentcoreAuthError {
  const now = io.ctx.now();
  const completed = describeIdentifier(options.userIdentifier, now);
  const started = options.startedBy ? describeIdentifier(options.startedBy, now) : undefined;
  const serviceMsg = cause.message.replace(/^CompleteResourceTokenAuth failed: /, '');
  const mismatch = options.startedBy && !sameIdentifier(options.startedBy, options.userIdentifier);
  const binding = started ? `started by ${started}, completed with ${completed}` : `completed with ${completed}`;
  const hint = mismatch
    ? 'CompleteResourceTokenAuth needs the exact artifact that minted the workload token which started the session: the same user id string, or the very same JWT string (a fresh JWT for the same person is refused). Complete with the starting identifier.'
    : started
      ? 'The identifier matches the one that started the session, so the session itself is stale: it expired (about 10 minutes), was already completed, or belongs to another workload. Start the flow again.'
      : 'CompleteResourceTokenAuth needs the exact artifact that minted the workload token which started the session: the same user id string, or the very same JWT string (a fresh JWT for the same person is refused). Otherwise the session expired or was already completed.';
  return new AgentcoreAuthError('ERR_AUTH', `session refused (${serviceMsg}): ${binding}`, {
    hint,
    details: { ...cause.details, binding: { ...(started ? { startedBy: started } : {}), completedWith: completed } },
    cause,
  });
}

export type ReturnWaitResult =
  | { kind: 'completed'; sessionUri: string; state?: string }
  | { kind: 'refused'; sessionUri: string; error: AgentcoreAuthError };

/**
 * A return-URL listener bound before the flow starts (so a busy port fails before anything is created), armed once
 * the sessionUri is known, completing the session inside the request so the browser page shows the real outcome.
 */
export class ReturnListener {
  private armed?: { sessionUri: string; complete: (sessionUri: string, state: string | undefined) => Promise<void> };
  /** The first outcome wins: a completion, a refusal, a provider error or a state mismatch. */
  private done?: ReturnWaitResult | AgentcoreAuthError;
  private wake: () => void = () => {};
  private readonly woken = new Promise<void>((resolve) => (this.wake = resolve));

  private constructor(
    private readonly io: IdentityIo,
    readonly server: ReturnUrlServer,
  ) {}

  private settle(r: ReturnWaitResult | AgentcoreAuthError): void {
    if (this.done) return;
    this.done = r;
    this.wake();
  }

  /** Bind the loopback server the return URL names (http://localhost:<port>/<path>). */
  static async start(io: IdentityIo, options: { returnUrl: string; customState?: string }): Promise<ReturnListener> {
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
    self = new ReturnListener(io, server);
    return self;
  }

  arm(sessionUri: string, complete: (sessionUri: string, state: string | undefined) => Promise<void>): void {
    this.armed = { sessionUri, complete };
  }

  private async onSession(sessionUri: string, state: string | undefined): Promise<SessionOutcome> {
    const armed = this.armed;
    if (!armed || armed.sessionUri !== sessionUri) {
      return {
        ok: false,
        status: 409,
        title: 'Unexpected session',
        message: 'This is not the authorization session agentcore-auth is waiting for (an old tab?). Nothing was completed.',
      };
    }
    try {
      await armed.complete(sessionUri, state);
      this.settle({ kind: 'completed', sessionUri, ...(state !== undefined ? { state } : {}) });
      return { ok: true, title: 'Authorization complete', message: 'agentcore-auth completed the session. You can close this tab and return to the terminal.' };
    } catch (e) {
      const error = e instanceof AgentcoreAuthError ? e : fromAwsError(e, 'CompleteResourceTokenAuth');
      this.settle({ kind: 'refused', sessionUri, error });
      return { ok: false, status: 403, title: 'Authorization not completed', message: error.message, ...(error.hint ? { detail: error.hint } : {}) };
    }
  }

  private onEvent(e: ReturnEvent): void {
    const ui = this.io.ui;
    if (e.kind === 'provider-error') {
      this.settle(
        new AgentcoreAuthError('ERR_OAUTH', `the provider refused the authorization: ${e.error}${e.description ? ` — ${oneLine(e.description)}` : ''}`, {
          hint: e.error === 'access_denied' ? 'The consent was declined. Run the exchange again and approve it.' : 'Check the provider configuration and the requested scopes.',
          details: { errorName: e.error },
        }),
      );
    } else if (e.kind === 'state-mismatch') {
      this.settle(
        new AgentcoreAuthError('ERR_STATE_MISMATCH', 'the return URL carried a state that does not match --custom-state; the session was not completed', {
          hint: 'Someone else’s redirect may have reached this server (CSRF). Start the flow again.',
        }),
      );
    } else if (e.kind === 'ignored') {
      ui.note(`      return URL: ${e.method} ${oneLine(e.path).slice(0, 80)} → ${e.status} (${e.reason})`);
    } else if (e.kind === 'session' && !e.outcome.ok && e.outcome.status === 409) {
      ui.warn('a redirect arrived for a session this run did not start; it was ignored');
    }
  }

  /** Wait until the session is completed (or refused), on the injected clock. Ctrl-C → ERR_INTERRUPTED. */
  async wait(deadline: number): Promise<ReturnWaitResult> {
    const { ctx } = this.io;
    while (!this.done) {
      if (ctx.signal.aborted) throw interruptedError();
      const remaining = deadline - ctx.now();
      if (remaining <= 0) {
        throw timeoutError('timed out waiting for the browser to come back to the return URL', 'Finish the consent in the browser within --timeout (seconds), or raise it.');
      }
      try {
        await Promise.race([this.woken, ctx.sleep(Math.min(remaining, 250), ctx.signal)]);
      } catch {
        if (ctx.signal.aborted) throw interruptedError();
      }
    }
    if (this.done instanceof AgentcoreAuthError) throw this.done;
    return this.done;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

function oneLine(s: string): string {
  // Terminal-safe: no control characters (ANSI escapes, newlines) from a hostile query string.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 300);
}

/**
 * Reusable 3LO completion (stable API; `exchange` and `invoke --complete-auth` use it).
 *
 * completeThreeLegged({
 *   io,                    // the run's Io (or any IdentityIo)
 *   authorizationUrl,      // from GetResourceOauth2Token (or the agent's response)
 *   sessionUri?,           // defaults to the authorizationUrl's request_uri
 *   userIdentifier,        // { userId } | { userToken }: what to complete with (the same artifact that started it!)
 *   startedBy?,            // the artifact that minted the workload token, when known (for the mismatch message)
 *   returnUrl,             // registered return URL; a loopback http URL is served here, anything else is not
 *   customState?,          // checked against the redirect's `state`
 *   browser?,              // open the browser (default true); false prints the URL on stderr
 *   timeoutMs,             // for the browser round trip and the polling
 *   pollIntervalMs?,       // default 1000
 *   poll?,                 // the GetResourceOauth2Token request to repeat after completion (omit: do not poll)
 *   listener?,             // a ReturnListener already bound (exchange binds it before starting the flow)
 *   timeline?,             // steps are appended here (else a 2–3 step timeline of its own)
 *   region?,
 * }) → { sessionUri, completed, state?, accessToken?, attempts? }
 *
 * Errors: ERR_AUTH (exit 4) on a refused completion ("started by A, completed with B"), ERR_OAUTH (4) on a provider
 * error or FAILED session, ERR_STATE_MISMATCH (4), ERR_TIMEOUT (5), ERR_INTERRUPTED (130), ERR_CONFIG (2) for a busy
 * port. The server is always closed on return.
 */
export interface CompleteThreeLeggedOptions {
  io: IdentityIo;
  authorizationUrl: string;
  sessionUri?: string;
  userIdentifier: UserIdentifier;
  startedBy?: UserIdentifier;
  returnUrl: string;
  customState?: string;
  browser?: boolean;
  timeoutMs: number;
  pollIntervalMs?: number;
  poll?: ResourceTokenRequest;
  listener?: ReturnListener;
  timeline?: Timeline;
  region?: string;
}

export interface ThreeLeggedResult {
  sessionUri: string;
  /** false when the return URL is not served here (someone else completes it) and no token was polled. */
  completed: boolean;
  state?: string;
  accessToken?: string;
  attempts?: number;
}

export async function completeThreeLegged(options: CompleteThreeLeggedOptions): Promise<ThreeLeggedResult> {
  const { io } = options;
  const sessionUri = options.sessionUri ?? sessionUriFromAuthorizationUrl(options.authorizationUrl);
  if (!sessionUri) throw new AgentcoreAuthError('ERR_INPUT', 'no sessionUri: the authorization URL carries no request_uri and none was given');
  const served = !!options.listener || isLoopbackUrl(options.returnUrl);
  const tl = options.timeline ?? new Timeline(io.ui, () => io.ctx.now(), (served ? 2 : 1) + (options.poll ? 1 : 0));
  const deadline = io.ctx.now() + options.timeoutMs;
  let listener = options.listener;
  const ownListener = !listener && served;
  try {
    if (ownListener) {
      listener = await ReturnListener.start(io, {
        returnUrl: options.returnUrl,
        ...(options.customState !== undefined ? { customState: options.customState } : {}),
      });
    }
    const wait = tl.begin('authorize in the browser', { returnUrl: options.returnUrl + (served ? '' : ' (not served here)') });
    let completeStep: StepHandle | undefined;
    listener?.arm(sessionUri, async (s, state) => {
      wait.ok({ session_id: shortUrn(s), state: state === undefined ? undefined : options.customState !== undefined ? 'matches' : 'present' }, 'the browser came back');
      if (options.customState !== undefined && state === undefined) {
        io.ui.warn('the redirect carried no state parameter, so --custom-state could not be checked');
      }
      completeStep = tl.begin('CompleteResourceTokenAuth', {
        sessionUri: shortUrn(s),
        userIdentifier: describeIdentifier(options.userIdentifier, io.ctx.now()),
      });
      try {
        await completeSession(io, {
          sessionUri: s,
          userIdentifier: options.userIdentifier,
          ...(options.startedBy ? { startedBy: options.startedBy } : {}),
          ...(options.region ? { region: options.region } : {}),
        });
        completeStep.ok({}, options.startedBy && sameIdentifier(options.startedBy, options.userIdentifier) ? 'the identifier that minted the workload token' : undefined);
      } catch (e) {
        completeStep.fail(e);
        throw e;
      }
    });

    if (options.browser ?? true) {
      io.ui.note(served ? '      opening the authorization URL in your browser; waiting for the return URL…' : '      opening the authorization URL in your browser');
      try {
        await io.ctx.openBrowser(options.authorizationUrl);
      } catch (e) {
        io.ui.warn(`could not open a browser (${(e as Error).message}); open this URL yourself:`);
        io.ui.line(`      ${options.authorizationUrl}`);
      }
    } else {
      io.ui.line('      open this URL in a browser to authorize:');
      io.ui.line(`      ${io.ui.c.cyan(options.authorizationUrl)}`);
    }

    let state: string | undefined;
    if (listener) {
      let r: ReturnWaitResult;
      try {
        r = await listener.wait(deadline);
      } catch (e) {
        if (wait.record.status === 'running') wait.fail(e);
        throw e;
      }
      if (r.kind === 'refused') throw r.error;
      state = r.state;
    } else {
      wait.ok({}, 'the return URL is served elsewhere; it must call CompleteResourceTokenAuth');
    }

    if (!options.poll) return { sessionUri, completed: !!listener, ...(state !== undefined ? { state } : {}) };

    const interval = options.pollIntervalMs ?? 1000;
    const poll = tl.begin('GetResourceOauth2Token', { flow: 'USER_FEDERATION', sessionUri: shortUrn(sessionUri), every: `${interval} ms` });
    try {
      const got = await pollResourceToken(io, { ...options.poll, sessionUri }, { intervalMs: interval, deadline });
      poll.ok({ polls: String(got.attempts), 'resource token': describeToken(got.accessToken, io.ctx.now()) });
      return { sessionUri, completed: !!listener, ...(state !== undefined ? { state } : {}), accessToken: got.accessToken, attempts: got.attempts };
    } catch (e) {
      poll.fail(e);
      throw e;
    }
  } finally {
    if (ownListener) await listener?.close();
  }
}

export function shortUrn(urn: string): string {
  const id = urn.replace(/^urn:ietf:params:oauth:request_uri:/, '');
  return id.length > 12 ? `urn:…:${id.slice(0, 8)}…` : urn;
}
