/**
 * The consent leg of a 3LO flow as two plan steps — "authorize in the browser" (open the authorization URL, wait for
 * the browser to come back to the loopback return URL) and CompleteResourceTokenAuth (with the identifier that started
 * the session; the browser's page shows its outcome) — shared by exchange's whole flow (user-federation.ts) and by
 * `completeConsent`, the leg alone for a session someone else started (`invoke|mcp --complete-auth`). A timeout names
 * the state reached: no browser came back, the browser came back but the session was not completed, or the session
 * was completed but the token did not arrive.
 */
import { AgentcoreAuthError } from '../errors.js';
import { isLoopbackUrl } from '../loopback.js';
import { runPlan, type PlanEvent, type PlanStep, type StepControl } from '../plan.js';
import { describeIdentifier, sameIdentifier, type UserIdentifier } from './binding.js';
import { completeSession, shortUrn } from './complete-session.js';
import type { IdentityIo } from './io.js';
import { sessionUriFromAuthorizationUrl } from './resource.js';
import { ReturnListener } from './return-listener.js';

/** How far a consent got: what a timeout says. */
export type ConsentState = 'waiting-for-browser' | 'browser-returned' | 'completed' | 'served-elsewhere';

/** What the consent steps share with the steps around them. */
export interface ConsentProgress {
  /** The loopback listener, when the return URL is served here. */
  listener?: ReturnListener;
  /** The session to complete: set before the browser step runs. */
  session?: { sessionUri: string; authorizationUrl: string };
  /** On the run's clock; set when the consent starts, shared with the polling that follows. */
  deadline?: number;
  state: ConsentState;
  /** Why the consent does not happen this time (the token vault already held a token). */
  notNeeded?: string;
  /** The browser opened on the authorization URL: awaited once the listener is closed. */
  opening?: Promise<void>;
}

/** How the consent is done: the same for exchange and --complete-auth. */
export interface ConsentSettings {
  /** The registered return URL; a loopback http URL is served here, anything else is not. */
  returnUrl: string;
  /** What to complete with: the same artifact that started the session ({ userId } | { userToken }). */
  userIdentifier: UserIdentifier;
  /** The artifact that minted the workload token, when known (for the mismatch message). */
  startedBy?: UserIdentifier;
  /** Checked against the redirect's `state`. */
  customState?: string;
  /** Open the browser (default true); false prints the URL. */
  browser?: boolean;
  timeoutMs: number;
  region?: string;
}

/** The ERR_TIMEOUT (exit 5) for the state a consent reached, with the fix for that state. */
export function consentTimeout(
  state: ConsentState,
  o: { returnUrl: string; browser: boolean; seconds: number; polled?: string; cause?: unknown },
): AgentcoreAuthError {
  const within = `within ${o.seconds} s`;
  const polled = o.polled ? ` (${o.polled})` : '';
  const [message, hint] =
    state === 'waiting-for-browser'
      ? [
          `timed out waiting for the browser to come back to the return URL (nothing reached ${o.returnUrl} ${within})`,
          o.browser
            ? 'The consent was not finished: finish it in the browser tab that opened, within --timeout (seconds), ' +
              'or raise --timeout.'
            : 'Nobody opened the printed authorization URL, or the consent there was not finished: open it in a ' +
              'browser within --timeout (seconds), or raise --timeout.',
        ]
      : state === 'browser-returned'
        ? [
            `timed out completing the session: the browser came back to ${o.returnUrl}, but ` +
              `CompleteResourceTokenAuth did not finish ${within}`,
            'The AgentCore endpoint is slow or unreachable from here; check the network and the endpoint (--verbose ' +
              'shows the call), then start again.',
          ]
        : state === 'served-elsewhere'
          ? [
              `timed out: the session was not completed ${within}${polled}`,
              `The return URL ${o.returnUrl} is served elsewhere: the browser must reach it after the consent, and ` +
                'whatever serves it must call CompleteResourceTokenAuth with the identifier that started the session ' +
                '(e.g. `agentcore-auth callback`). Raise --timeout if the consent is still going on.',
            ]
          : [
              `timed out waiting for the resource token${polled}`,
              'The session was completed but the token has not arrived; raise --timeout, or check the provider.',
            ];
  return new AgentcoreAuthError('ERR_TIMEOUT', message, {
    hint,
    details: { consentState: state },
    ...(o.cause !== undefined ? { cause: o.cause } : {}),
  });
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Open the authorization URL (or say where it is), then wait for the browser to come back. */
export function browserStep<S>(
  io: IdentityIo,
  o: ConsentSettings,
  consentOf: (state: S) => ConsentProgress,
): PlanStep<S> {
  return {
    operation: 'authorize in the browser',
    skip: (s) => consentOf(s).notNeeded,
    inputs: (s) => ({ returnUrl: o.returnUrl + (consentOf(s).listener ? '' : ' (not served here)') }),
    run: async (s, step) => {
      const consent = consentOf(s);
      const session = consent.session!;
      consent.deadline ??= io.ctx.now() + o.timeoutMs;
      const listener = consent.listener;
      listener?.arm(session.sessionUri);
      if (listener) listener.onNote = (text, level) => step.note(text, level);
      let browserOpened = o.browser ?? true; // false once opening it failed: the timeout's hint then says so
      consent.opening = showAuthorizationUrl(
        io,
        session.authorizationUrl,
        { browser: o.browser ?? true, served: !!listener },
        step,
      ).then((opened) => {
        browserOpened = opened;
      });
      if (!listener) await consent.opening;
      if (!listener) return { note: 'the return URL is served elsewhere; it must call CompleteResourceTokenAuth' };
      const back = await listener.waitForBrowser(io, consent.deadline, () =>
        consentTimeout(listener.browserReturned ? 'browser-returned' : 'waiting-for-browser', {
          returnUrl: o.returnUrl,
          browser: browserOpened,
          seconds: seconds(o.timeoutMs),
        }),
      );
      consent.state = 'browser-returned';
      if (o.customState !== undefined && back.state === undefined)
        step.note('the redirect carried no state parameter, so --custom-state could not be checked', 'warn');
      const state = back.state === undefined ? undefined : o.customState !== undefined ? 'matches' : 'present';
      return { outputs: { session_id: shortUrn(back.sessionUri), state }, note: 'the browser came back' };
    },
  };
}

/**
 * Open the authorization URL (or print it); whether a browser was opened. Not awaited while the return URL is served
 * here: a browser driven by a test or by the demo settles only once the return URL's page is answered, which happens
 * after this step.
 */
async function showAuthorizationUrl(
  io: IdentityIo,
  url: string,
  o: { browser: boolean; served: boolean },
  step: StepControl,
): Promise<boolean> {
  if (!o.browser) {
    step.note('open this URL in a browser to authorize:', 'action');
    step.note(url, 'action');
    return false;
  }
  step.note(
    o.served
      ? 'opening the authorization URL in your browser; waiting for the return URL…'
      : 'opening the authorization URL in your browser',
  );
  try {
    await io.ctx.openBrowser(url);
    return true;
  } catch (e) {
    step.note(`could not open a browser (${(e as Error).message}); open this URL yourself:`, 'warn');
    step.note(url, 'action');
    return false;
  }
}

/** CompleteResourceTokenAuth for the session the browser brought back; the waiting page shows the outcome. */
export function completeStep<S>(
  io: IdentityIo,
  o: ConsentSettings,
  consentOf: (state: S) => ConsentProgress,
): PlanStep<S> {
  return {
    operation: 'CompleteResourceTokenAuth',
    skip: (s) => consentOf(s).notNeeded,
    inputs: (s) => ({
      sessionUri: shortUrn(consentOf(s).session!.sessionUri),
      userIdentifier: describeIdentifier(o.userIdentifier, io.ctx.now()),
    }),
    run: async (s) => {
      const consent = consentOf(s);
      const listener = consent.listener!;
      try {
        await withDeadline(
          io,
          completeSession(io, {
            sessionUri: consent.session!.sessionUri,
            userIdentifier: o.userIdentifier,
            ...(o.startedBy ? { startedBy: o.startedBy } : {}),
            ...(o.region ? { region: o.region } : {}),
          }),
          consent.deadline ?? io.ctx.now() + o.timeoutMs,
          () =>
            consentTimeout('browser-returned', {
              returnUrl: o.returnUrl,
              browser: o.browser ?? true,
              seconds: seconds(o.timeoutMs),
            }),
        );
      } catch (e) {
        const error = e instanceof AgentcoreAuthError ? e : new AgentcoreAuthError('ERR_REMOTE', String(e));
        listener.answer({
          ok: false,
          status: 403,
          title: 'Authorization not completed',
          message: error.message,
          ...(error.hint ? { detail: error.hint } : {}),
        });
        throw e;
      }
      consent.state = 'completed';
      listener.answer({
        ok: true,
        title: 'Authorization complete',
        message: 'agentcore-auth completed the session. You can close this tab and return to the terminal.',
      });
      const same = o.startedBy && sameIdentifier(o.startedBy, o.userIdentifier);
      return same ? { note: 'the identifier that minted the workload token' } : {};
    },
  };
}

/** `work`, or the timeout error once the deadline passes (the timer is cancelled when work ends first). */
async function withDeadline<T>(
  io: IdentityIo,
  work: Promise<T>,
  deadline: number,
  onTimeout: () => AgentcoreAuthError,
): Promise<T> {
  const timer = new AbortController();
  const expired = io.ctx.sleep(Math.max(0, deadline - io.ctx.now()), timer.signal).then(
    () => Promise.reject(onTimeout()),
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([work, expired]);
  } finally {
    timer.abort();
  }
}

export interface ConsentOptions extends ConsentSettings {
  authorizationUrl: string;
  /** Defaults to the authorizationUrl's request_uri. */
  sessionUri?: string;
}

export interface ConsentResult {
  sessionUri: string;
  /** false when the return URL is not served here (whatever serves it completes the session). */
  completed: boolean;
}

/**
 * The consent leg for a session someone else started (`invoke|mcp --complete-auth`): serve the loopback return URL,
 * open the authorization URL, complete the session with the caller's identifier, close the listener. Its steps are
 * reported to `emit`. Errors: ERR_AUTH (4) refused completion ("started by A, completed with B"), ERR_OAUTH (4)
 * provider error, ERR_STATE_MISMATCH (4), ERR_TIMEOUT (5, by state reached), ERR_INTERRUPTED (130), ERR_CONFIG (2)
 * busy port.
 */
export async function completeConsent(
  io: IdentityIo,
  options: ConsentOptions,
  emit?: (e: PlanEvent) => void,
): Promise<ConsentResult> {
  const sessionUri = options.sessionUri ?? sessionUriFromAuthorizationUrl(options.authorizationUrl);
  if (!sessionUri) {
    throw new AgentcoreAuthError(
      'ERR_INPUT',
      'no sessionUri: the authorization URL carries no request_uri and none was given',
    );
  }
  const served = isLoopbackUrl(options.returnUrl);
  const listener = served
    ? await ReturnListener.start({
        returnUrl: options.returnUrl,
        ...(options.customState !== undefined ? { customState: options.customState } : {}),
      })
    : undefined;
  const state = {
    consent: {
      ...(listener ? { listener } : {}),
      session: { sessionUri, authorizationUrl: options.authorizationUrl },
      state: served ? 'waiting-for-browser' : 'served-elsewhere',
    } satisfies ConsentProgress as ConsentProgress,
  };
  const consentOf = (s: typeof state) => s.consent;
  const plan = [browserStep(io, options, consentOf), ...(served ? [completeStep(io, options, consentOf)] : [])];
  try {
    const run = await runPlan(plan, state, {
      now: () => io.ctx.now(),
      signal: io.ctx.signal,
      ...(emit ? { emit } : {}),
    });
    if (run.failure) throw run.failure.error;
  } finally {
    await listener?.close();
    await state.consent.opening;
  }
  return { sessionUri, completed: served };
}
