/**
 * The 3-legged (USER_FEDERATION) flow, one owner. `runUserFederation` (exchange) does all of it:
 *
 *   bind the loopback return URL → is it registered on the workload identity? (--register-return-url adds it) →
 *   GetResourceOauth2Token starts the session → browser → CompleteResourceTokenAuth with the identifier that
 *   started it → poll GetResourceOauth2Token → clean up (close the listener; --ephemeral removes the URL it added),
 *   also on timeout and Ctrl-C.
 *
 * `completeConsent` is the browser-and-completion leg alone, for a session someone else started (the agent or the
 * gateway handed out the authorization URL: `invoke|mcp --complete-auth`). Both emit their steps on a Timeline; the
 * CLI only parses flags and renders. A timeout names the state actually reached: no browser came back, the browser
 * came back but the session was not completed, or the session was completed but the token did not arrive.
 */
import { fromAwsError } from '../aws.js';
import { AgentcoreAuthError, configError, interruptedError } from '../errors.js';
import { describeToken } from '../jwt.js';
import { isLoopbackUrl } from '../loopback.js';
import { napUntil } from '../nap.js';
import { describeIdentifier, sameIdentifier, type UserIdentifier } from './binding.js';
import { completeSession, shortUrn } from './complete-session.js';
import type { IdentityIo } from './io.js';
import {
  pollResourceToken,
  requestResourceToken,
  sessionUriFromAuthorizationUrl,
  type ResourceTokenRequest,
} from './resource.js';
import {
  startReturnUrlServer,
  type ReturnEvent,
  type ReturnUrlServer,
  type SessionOutcome,
} from './return-sessions.js';
import { addReturnUrl, getReturnUrls, registerCommand, removeReturnUrl } from './return-urls.js';
import { Timeline, type StepHandle } from './timeline.js';

/** How far a consent got: what a timeout says. */
export type ConsentState = 'waiting-for-browser' | 'browser-returned' | 'completed' | 'served-elsewhere';

type WaitResult =
  | { kind: 'completed'; sessionUri: string; state?: string }
  | { kind: 'refused'; sessionUri: string; error: AgentcoreAuthError };

/**
 * A return-URL listener bound before the flow starts (so a busy port fails before anything is created), armed once
 * the sessionUri is known, completing the session inside the request so the browser page shows the real outcome.
 */
class ReturnListener {
  private armed?: { sessionUri: string; complete: (sessionUri: string, state: string | undefined) => Promise<void> };
  /** The first outcome wins: a completion, a refusal, a provider error or a state mismatch. */
  private done?: WaitResult | AgentcoreAuthError;
  /** The browser came back with the awaited session (its completion may still be running). */
  returned = false;
  private wake: () => void = () => {};
  private readonly woken = new Promise<void>((resolve) => (this.wake = resolve));

  private constructor(
    private readonly io: IdentityIo,
    readonly server: ReturnUrlServer,
  ) {}

  private settle(r: WaitResult | AgentcoreAuthError): void {
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
        message:
          'This is not the authorization session agentcore-auth is waiting for (an old tab?). Nothing was completed.',
      };
    }
    this.returned = true;
    try {
      await armed.complete(sessionUri, state);
      this.settle({ kind: 'completed', sessionUri, ...(state !== undefined ? { state } : {}) });
      return {
        ok: true,
        title: 'Authorization complete',
        message: 'agentcore-auth completed the session. You can close this tab and return to the terminal.',
      };
    } catch (e) {
      const error = e instanceof AgentcoreAuthError ? e : fromAwsError(e, 'CompleteResourceTokenAuth');
      this.settle({ kind: 'refused', sessionUri, error });
      return {
        ok: false,
        status: 403,
        title: 'Authorization not completed',
        message: error.message,
        ...(error.hint ? { detail: error.hint } : {}),
      };
    }
  }

  private onEvent(e: ReturnEvent): void {
    const ui = this.io.ui;
    if (e.kind === 'provider-error') {
      this.settle(
        new AgentcoreAuthError(
          'ERR_OAUTH',
          `the provider refused the authorization: ${e.error}${e.description ? ` — ${oneLine(e.description)}` : ''}`,
          {
            hint:
              e.error === 'access_denied'
                ? 'The consent was declined. Run the exchange again and approve it.'
                : 'Check the provider configuration and the requested scopes.',
            details: { errorName: e.error },
          },
        ),
      );
    } else if (e.kind === 'state-mismatch') {
      this.settle(
        new AgentcoreAuthError(
          'ERR_STATE_MISMATCH',
          'the return URL carried a state that does not match --custom-state; the session was not completed',
          {
            hint: 'Someone else’s redirect may have reached this server (CSRF). Start the flow again.',
          },
        ),
      );
    } else if (e.kind === 'ignored') {
      ui.note(`      return URL: ${e.method} ${oneLine(e.path).slice(0, 80)} → ${e.status} (${e.reason})`);
    } else if (e.kind === 'session' && !e.outcome.ok && e.outcome.status === 409) {
      ui.warn('a redirect arrived for a session this run did not start; it was ignored');
    }
  }

  /** Wait until the session is completed (or refused), on the injected clock. Ctrl-C → ERR_INTERRUPTED. */
  async wait(deadline: number, onTimeout: () => AgentcoreAuthError): Promise<WaitResult> {
    const { ctx } = this.io;
    while (!this.done) {
      if (ctx.signal.aborted) throw interruptedError();
      const remaining = deadline - ctx.now();
      if (remaining <= 0) throw onTimeout();
      try {
        await napUntil(this.woken, Math.min(remaining, 250), ctx.sleep, ctx.signal);
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

/** The ERR_TIMEOUT (exit 5) for the state a consent reached, with the fix for that state. */
export function consentTimeout(
  state: ConsentState,
  o: { returnUrl: string; browser: boolean; seconds: number; polled?: string; cause?: unknown },
): AgentcoreAuthError {
  const within = `within ${o.seconds} s`;
  const [message, hint] =
    state === 'waiting-for-browser'
      ? [
          `timed out waiting for the browser to come back to the return URL (nothing reached ${o.returnUrl} ${within})`,
          o.browser
            ? 'The consent was not finished: finish it in the browser tab that opened, within --timeout (seconds), or raise --timeout.'
            : 'Nobody opened the printed authorization URL, or the consent there was not finished: open it in a browser within --timeout (seconds), or raise --timeout.',
        ]
      : state === 'browser-returned'
        ? [
            `timed out completing the session: the browser came back to ${o.returnUrl}, but CompleteResourceTokenAuth did not finish ${within}`,
            'The AgentCore endpoint is slow or unreachable from here; check the network and the endpoint (--verbose shows the call), then start again.',
          ]
        : state === 'served-elsewhere'
          ? [
              `timed out: the session was not completed ${within}${o.polled ? ` (${o.polled})` : ''}`,
              `The return URL ${o.returnUrl} is served elsewhere: the browser must reach it after the consent, and whatever serves it must call CompleteResourceTokenAuth with the identifier that started the session (e.g. \`agentcore-auth callback\`). Raise --timeout if the consent is still going on.`,
            ]
          : [
              `timed out waiting for the resource token${o.polled ? ` (${o.polled})` : ''}`,
              'The session was completed but the token has not arrived; raise --timeout, or check the provider.',
            ];
  return new AgentcoreAuthError('ERR_TIMEOUT', message, {
    hint,
    details: { consentState: state },
    ...(o.cause !== undefined ? { cause: o.cause } : {}),
  });
}

export interface ConsentOptions {
  authorizationUrl: string;
  /** Defaults to the authorizationUrl's request_uri. */
  sessionUri?: string;
  /** What to complete with: the same artifact that started the session ({ userId } | { userToken }). */
  userIdentifier: UserIdentifier;
  /** The artifact that minted the workload token, when known (for the mismatch message). */
  startedBy?: UserIdentifier;
  /** The registered return URL; a loopback http URL is served here, anything else is not. */
  returnUrl: string;
  /** Checked against the redirect's `state`. */
  customState?: string;
  /** Open the browser (default true); false prints the URL on stderr. */
  browser?: boolean;
  timeoutMs: number;
  region?: string;
  /** Steps are appended here (else a timeline of its own). */
  timeline?: Timeline;
}

export interface ConsentResult {
  sessionUri: string;
  /** false when the return URL is not served here (whatever serves it completes the session). */
  completed: boolean;
  state?: string;
}

/**
 * The consent leg for a session someone else started (`invoke|mcp --complete-auth`): serve the loopback return URL,
 * open the authorization URL, complete the session with the caller's identifier, close the listener.
 * Errors: ERR_AUTH (4) refused completion ("started by A, completed with B"), ERR_OAUTH (4) provider error,
 * ERR_STATE_MISMATCH (4), ERR_TIMEOUT (5, by state reached), ERR_INTERRUPTED (130), ERR_CONFIG (2) busy port.
 */
export async function completeConsent(io: IdentityIo, options: ConsentOptions): Promise<ConsentResult> {
  const served = isLoopbackUrl(options.returnUrl);
  const tl = options.timeline ?? new Timeline(io.ui, () => io.ctx.now(), served ? 2 : 1);
  const listener = served
    ? await ReturnListener.start(io, {
        returnUrl: options.returnUrl,
        ...(options.customState !== undefined ? { customState: options.customState } : {}),
      })
    : undefined;
  try {
    const progress = { state: (served ? 'waiting-for-browser' : 'served-elsewhere') as ConsentState };
    return await consentLeg(io, listener, options, tl, io.ctx.now() + options.timeoutMs, progress);
  } finally {
    await listener?.close();
  }
}

/** Browser → return URL → CompleteResourceTokenAuth, on a listener already bound (or none: served elsewhere). */
async function consentLeg(
  io: IdentityIo,
  listener: ReturnListener | undefined,
  options: ConsentOptions,
  tl: Timeline,
  deadline: number,
  progress: { state: ConsentState },
): Promise<ConsentResult> {
  const sessionUri = options.sessionUri ?? sessionUriFromAuthorizationUrl(options.authorizationUrl);
  if (!sessionUri)
    throw new AgentcoreAuthError(
      'ERR_INPUT',
      'no sessionUri: the authorization URL carries no request_uri and none was given',
    );
  const browser = options.browser ?? true;
  const wait = tl.begin('authorize in the browser', {
    returnUrl: options.returnUrl + (listener ? '' : ' (not served here)'),
  });
  listener?.arm(sessionUri, async (s, state) => {
    progress.state = 'browser-returned';
    wait.ok(
      {
        session_id: shortUrn(s),
        state: state === undefined ? undefined : options.customState !== undefined ? 'matches' : 'present',
      },
      'the browser came back',
    );
    if (options.customState !== undefined && state === undefined)
      io.ui.warn('the redirect carried no state parameter, so --custom-state could not be checked');
    const step: StepHandle = tl.begin('CompleteResourceTokenAuth', {
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
      progress.state = 'completed';
      step.ok(
        {},
        options.startedBy && sameIdentifier(options.startedBy, options.userIdentifier)
          ? 'the identifier that minted the workload token'
          : undefined,
      );
    } catch (e) {
      step.fail(e);
      throw e;
    }
  });

  if (browser) {
    io.ui.note(
      listener
        ? '      opening the authorization URL in your browser; waiting for the return URL…'
        : '      opening the authorization URL in your browser',
    );
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

  if (!listener) {
    wait.ok({}, 'the return URL is served elsewhere; it must call CompleteResourceTokenAuth');
    return { sessionUri, completed: false };
  }
  const seconds = Math.round(options.timeoutMs / 100) / 10;
  let r: WaitResult;
  try {
    r = await listener.wait(deadline, () =>
      consentTimeout(listener.returned ? 'browser-returned' : 'waiting-for-browser', {
        returnUrl: options.returnUrl,
        browser,
        seconds,
      }),
    );
  } catch (e) {
    if (wait.record.status === 'running') wait.fail(e);
    throw e;
  }
  if (r.kind === 'refused') throw r.error;
  return { sessionUri, completed: true, ...(r.state !== undefined ? { state: r.state } : {}) };
}

export interface UserFederationPlan {
  workloadName: string;
  region?: string;
  /** The GetResourceOauth2Token request (workload token, provider, scopes, returnUrl, forceAuthentication, customState…). */
  request: ResourceTokenRequest & { returnUrl: string };
  /** Add the return URL to the workload identity when missing (--register-return-url). */
  register: boolean;
  /** With register: remove it again afterwards, only if this run added it (--ephemeral). */
  ephemeral: boolean;
  /** The identifier that minted the workload token. */
  startedBy: UserIdentifier;
  /** What to complete with (normally startedBy; --complete-as-* shows the binding rule). */
  completeWith: UserIdentifier;
  customState?: string;
  browser: boolean;
  timeoutMs: number;
  pollIntervalMs: number;
}

export interface ReturnUrlReport {
  url: string;
  servedHere: boolean;
  registered?: string[];
  before?: string[];
  after?: string[];
  added?: boolean;
  removed?: boolean;
}

export interface UserFederationResult {
  accessToken: string;
  returnUrl: ReturnUrlReport;
  /** Absent when the vault already held a token (no consent). */
  session?: { sessionUri: string; authorizationUrl: string; completedWith: string; polls?: number };
}

/** The steps runUserFederation plans (for the run's numbered timeline). */
export function userFederationSteps(plan: { register: boolean; ephemeral: boolean; returnUrl: string }): number {
  const served = isLoopbackUrl(plan.returnUrl);
  return 1 + (plan.register ? 1 : 0) + 1 + 1 + (served ? 1 : 0) + 1 + (plan.ephemeral ? 1 : 0);
}

/** The whole 3-legged flow (module comment). Errors as completeConsent, plus ERR_CONFIG (2) for an unregistered URL. */
export async function runUserFederation(
  io: IdentityIo,
  plan: UserFederationPlan,
  tl: Timeline,
): Promise<UserFederationResult> {
  const { workloadName, region } = plan;
  const returnUrl = plan.request.returnUrl;
  const served = isLoopbackUrl(returnUrl);
  const report: ReturnUrlReport = { url: returnUrl, servedHere: served };
  const now = () => io.ctx.now();
  const signal = io.ctx.signal;
  let listener: ReturnListener | undefined;
  let added = false;
  try {
    // Bind the loopback return URL first: a busy port fails before anything is changed or started.
    if (served)
      listener = await ReturnListener.start(io, {
        returnUrl,
        ...(plan.customState !== undefined ? { customState: plan.customState } : {}),
      });

    await ensureRegistered(io, plan, tl, report, (a) => (added = a));

    const start = tl.begin('GetResourceOauth2Token', {
      flow: 'USER_FEDERATION',
      provider: plan.request.provider,
      scopes: plan.request.scopes.join(',') || '(none)',
      ...(plan.request.forceAuthentication ? { forceAuthentication: 'true' } : {}),
      ...(plan.request.customState ? { customState: 'set' } : {}),
    });
    let first: Awaited<ReturnType<typeof requestResourceToken>>;
    try {
      first = await requestResourceToken(io, plan.request);
    } catch (e) {
      start.fail(e);
      throw e;
    }
    if (first.kind === 'token') {
      start.ok(
        { 'resource token': describeToken(first.accessToken, now()) },
        'already in the token vault; no consent needed (--force-auth starts a new one)',
      );
      tl.skip(
        ['authorize in the browser', ...(served ? ['CompleteResourceTokenAuth'] : []), 'GetResourceOauth2Token'],
        'the vault already held a token',
      );
      if (!sameIdentifier(plan.completeWith, plan.startedBy))
        io.ui.warn('--complete-as-* was not used: no session was started (add --force-auth to start one)');
      return { accessToken: first.accessToken, returnUrl: report };
    }
    if (first.kind === 'failed') {
      const err = new AgentcoreAuthError('ERR_OAUTH', 'GetResourceOauth2Token answered sessionStatus FAILED', {
        hint: 'Start again with --force-auth; check the provider with `agentcore-auth doctor --provider …`.',
      });
      start.fail(err);
      throw err;
    }
    start.ok(
      { sessionUri: shortUrn(first.sessionUri), status: first.sessionStatus ?? 'IN_PROGRESS' },
      'consent needed',
    );

    const deadline = now() + plan.timeoutMs;
    const progress = { state: (served ? 'waiting-for-browser' : 'served-elsewhere') as ConsentState };
    await consentLeg(
      io,
      listener,
      {
        authorizationUrl: first.authorizationUrl,
        sessionUri: first.sessionUri,
        userIdentifier: plan.completeWith,
        startedBy: plan.startedBy,
        returnUrl,
        ...(plan.customState !== undefined ? { customState: plan.customState } : {}),
        browser: plan.browser,
        timeoutMs: plan.timeoutMs,
        ...(region ? { region } : {}),
      },
      tl,
      deadline,
      progress,
    );

    const poll = tl.begin('GetResourceOauth2Token', {
      flow: 'USER_FEDERATION',
      sessionUri: shortUrn(first.sessionUri),
      every: `${plan.pollIntervalMs} ms`,
    });
    let got: { accessToken: string; attempts: number };
    try {
      got = await pollResourceToken(
        io,
        { ...plan.request, sessionUri: first.sessionUri },
        { intervalMs: plan.pollIntervalMs, deadline },
      );
      poll.ok({ polls: String(got.attempts), 'resource token': describeToken(got.accessToken, now()) });
    } catch (e) {
      const err =
        e instanceof AgentcoreAuthError && e.code === 'ERR_TIMEOUT'
          ? consentTimeout(progress.state, {
              returnUrl,
              browser: plan.browser,
              seconds: Math.round(plan.timeoutMs / 100) / 10,
              polled: e.message.match(/\((sessionStatus [^)]*)\)/)?.[1],
              cause: e,
            })
          : e;
      poll.fail(err);
      throw err;
    }
    return {
      accessToken: got.accessToken,
      returnUrl: report,
      session: {
        sessionUri: first.sessionUri,
        authorizationUrl: first.authorizationUrl,
        completedWith: describeIdentifier(plan.completeWith, now()),
        polls: got.attempts,
      },
    };
  } finally {
    await listener?.close();
    if (plan.ephemeral && added) {
      // Clean up even after Ctrl-C: the run's signal may be aborted, so use a fresh one for this last call.
      const cleanupIo = signal.aborted ? { ...io, ctx: { ...io.ctx, signal: new AbortController().signal } } : io;
      const s = tl.begin('UpdateWorkloadIdentity', { workload: workloadName, remove: returnUrl });
      try {
        const r = await removeReturnUrl(cleanupIo, workloadName, returnUrl, region);
        report.removed = r.removed;
        report.after = r.after;
        s.ok(
          { before: fmtList(r.before), after: fmtList(r.after) },
          r.removed ? 'removed: --ephemeral' : 'already gone',
        );
      } catch (e) {
        s.fail(e);
        io.ui.warn(
          `could not remove the return URL; remove it yourself:\n  aws bedrock-agentcore-control update-workload-identity --name ${workloadName} --allowed-resource-oauth2-return-urls …`,
        );
      }
    }
  }
}

/** GetWorkloadIdentity: is the return URL allowed? With register, UpdateWorkloadIdentity adds it. */
async function ensureRegistered(
  io: IdentityIo,
  plan: UserFederationPlan,
  tl: Timeline,
  report: ReturnUrlReport,
  setAdded: (added: boolean) => void,
): Promise<void> {
  const { workloadName, region } = plan;
  const returnUrl = plan.request.returnUrl;
  const check = tl.begin('GetWorkloadIdentity', { workload: workloadName, returnUrl });
  let registered: string[] | undefined;
  try {
    registered = await getReturnUrls(io, workloadName, region);
    report.registered = registered;
    check.ok(
      { allowedResourceOauth2ReturnUrls: fmtList(registered) },
      registered.includes(returnUrl) ? 'registered' : 'not registered',
    );
  } catch (e) {
    if (e instanceof AgentcoreAuthError && e.code === 'ERR_AUTH' && !plan.register) {
      check.ok({}, 'not checked: no permission to read the workload identity');
      io.ui.warn(
        `could not read workload identity ${workloadName} (${e.message}); continuing without the return-URL check`,
      );
    } else {
      check.fail(e);
      throw e;
    }
  }
  if (registered && !registered.includes(returnUrl) && !plan.register) {
    throw configError(
      `the return URL ${returnUrl} is not registered on workload identity ${workloadName}`,
      `Rerun with --register-return-url (add --ephemeral to remove it afterwards), or register it yourself:\n  ${registerCommand(workloadName, registered, returnUrl, region)}`,
    );
  }
  if (!plan.register) return;
  const s = tl.begin('UpdateWorkloadIdentity', { workload: workloadName, add: returnUrl });
  try {
    const r = await addReturnUrl(io, workloadName, returnUrl, region);
    setAdded(r.added);
    report.before = r.before;
    report.after = r.after;
    report.added = r.added;
    s.ok(
      { before: fmtList(r.before), after: fmtList(r.after) },
      r.added ? 'added' : 'already registered; nothing to change',
    );
  } catch (e) {
    s.fail(e);
    throw e;
  }
}

function fmtList(urls: string[]): string {
  return urls.length ? `[${urls.join(', ')}]` : '[]';
}
