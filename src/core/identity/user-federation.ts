/**
 * The 3-legged (USER_FEDERATION) flow, one owner, as plan steps (exchange runs them after the workload token):
 *
 *   is the return URL registered on the workload identity (GetWorkloadIdentity; --register-return-url adds it) →
 *   GetResourceOauth2Token starts the session → the consent leg (consent.ts: browser, CompleteResourceTokenAuth with
 *   the identifier that started it) → poll GetResourceOauth2Token → clean up (--ephemeral removes the URL it added,
 *   also after a failure, a timeout or Ctrl-C). The loopback listener is bound before the plan runs (exchange.ts).
 */
import { AgentcoreAuthError, configError } from '../errors.js';
import { describeToken } from '../jwt.js';
import { isLoopbackUrl } from '../loopback.js';
import type { PlanStep, StepControl } from '../plan.js';
import { describeIdentifier, sameIdentifier, type UserIdentifier } from './binding.js';
import { shortUrn } from './complete-session.js';
import { browserStep, completeStep, consentTimeout, type ConsentProgress, type ConsentSettings } from './consent.js';
import type { IdentityIo } from './io.js';
import { pollResourceToken, requestResourceToken, type ResourceTokenRequest } from './resource.js';
import { addReturnUrl, getReturnUrls, registerCommand, removeReturnUrl } from './return-urls.js';

/** The flags of a 3LO exchange, checked (everything but the workload token, which an earlier step mints). */
export interface UserFederationRequest {
  /** The GetResourceOauth2Token request without its workload token (provider, scopes, returnUrl, …). */
  request: Omit<ResourceTokenRequest, 'workloadToken' | 'flow'> & { returnUrl: string };
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

/** What the 3LO steps find, on the plan's state. */
export interface FederationState {
  consent: ConsentProgress;
  returnUrl: ReturnUrlReport;
  accessToken?: string;
  /** Absent when the vault already held a token (no consent). */
  session?: { sessionUri: string; authorizationUrl: string; completedWith: string; polls?: number };
}

/** What a plan running the 3LO steps must hold: the workload identity and token minted before them. */
export interface FederationHost {
  workloadName: string;
  region?: string;
  workloadToken?: string;
  fed: FederationState;
}

export function newFederationState(returnUrl: string): FederationState {
  const served = isLoopbackUrl(returnUrl);
  return {
    consent: { state: served ? 'waiting-for-browser' : 'served-elsewhere' },
    returnUrl: { url: returnUrl, servedHere: served },
  };
}

const fmtList = (urls: string[]) => (urls.length ? `[${urls.join(', ')}]` : '[]');

/** The 3LO steps, in order; which of them exist depends only on the flags (the count is known up front). */
export function userFederationSteps<S extends FederationHost>(
  io: IdentityIo,
  req: UserFederationRequest,
): PlanStep<S>[] {
  const returnUrl = req.request.returnUrl;
  const consent: ConsentSettings = {
    returnUrl,
    userIdentifier: req.completeWith,
    startedBy: req.startedBy,
    ...(req.customState !== undefined ? { customState: req.customState } : {}),
    browser: req.browser,
    timeoutMs: req.timeoutMs,
  };
  return [
    checkRegistered<S>(io, req),
    ...(req.register ? [registerReturnUrl<S>(io, returnUrl)] : []),
    startSession<S>(io, req),
    browserStep<S>(io, consent, (s) => s.fed.consent),
    ...(isLoopbackUrl(returnUrl) ? [completeStep<S>(io, consent, (s) => s.fed.consent)] : []),
    pollToken<S>(io, req),
    ...(req.ephemeral ? [removeReturnUrlStep<S>(io, returnUrl)] : []),
  ];
}

/** GetWorkloadIdentity: is the return URL allowed? Without --register-return-url an unregistered URL stops here. */
function checkRegistered<S extends FederationHost>(io: IdentityIo, req: UserFederationRequest): PlanStep<S> {
  const returnUrl = req.request.returnUrl;
  return {
    operation: 'GetWorkloadIdentity',
    inputs: (s) => ({ workload: s.workloadName, returnUrl }),
    run: async (s, step) => {
      let registered: string[];
      try {
        registered = await getReturnUrls(io, s.workloadName, s.region);
      } catch (e) {
        if (e instanceof AgentcoreAuthError && e.code === 'ERR_AUTH' && !req.register) {
          step.note(
            `could not read workload identity ${s.workloadName} (${e.message}); continuing without the ` +
              `return-URL check`,
            'warn',
          );
          return { note: 'not checked: no permission to read the workload identity' };
        }
        throw e;
      }
      s.fed.returnUrl.registered = registered;
      if (!registered.includes(returnUrl) && !req.register) {
        throw configError(
          `the return URL ${returnUrl} is not registered on workload identity ${s.workloadName}`,
          'Rerun with --register-return-url (add --ephemeral to remove it afterwards), or register it yourself:\n  ' +
            registerCommand(s.workloadName, registered, returnUrl, s.region),
        );
      }
      return {
        outputs: { allowedResourceOauth2ReturnUrls: fmtList(registered) },
        note: registered.includes(returnUrl) ? 'registered' : 'not registered',
      };
    },
  };
}

/** UpdateWorkloadIdentity: add the return URL (--register-return-url). */
function registerReturnUrl<S extends FederationHost>(io: IdentityIo, returnUrl: string): PlanStep<S> {
  return {
    operation: 'UpdateWorkloadIdentity',
    inputs: (s) => ({ workload: s.workloadName, add: returnUrl }),
    run: async (s) => {
      const r = await addReturnUrl(io, s.workloadName, returnUrl, s.region);
      Object.assign(s.fed.returnUrl, { before: r.before, after: r.after, added: r.added });
      return {
        outputs: { before: fmtList(r.before), after: fmtList(r.after) },
        note: r.added ? 'added' : 'already registered; nothing to change',
      };
    },
  };
}

/** GetResourceOauth2Token: a token from the vault (no consent), or a session to consent to. */
function startSession<S extends FederationHost>(io: IdentityIo, req: UserFederationRequest): PlanStep<S> {
  const r = req.request;
  return {
    operation: 'GetResourceOauth2Token',
    inputs: () => ({
      flow: 'USER_FEDERATION',
      provider: r.provider,
      scopes: r.scopes.join(',') || '(none)',
      ...(r.forceAuthentication ? { forceAuthentication: 'true' } : {}),
      ...(r.customState ? { customState: 'set' } : {}),
    }),
    run: async (s, step) => {
      const first = await requestResourceToken(io, { ...r, flow: 'USER_FEDERATION', workloadToken: s.workloadToken! });
      if (first.kind === 'token') {
        s.fed.accessToken = first.accessToken;
        s.fed.consent.notNeeded = 'the vault already held a token';
        if (!sameIdentifier(req.completeWith, req.startedBy))
          step.note('--complete-as-* was not used: no session was started (add --force-auth to start one)', 'warn');
        return {
          outputs: { 'resource token': describeToken(first.accessToken, io.ctx.now()) },
          note: 'already in the token vault; no consent needed (--force-auth starts a new one)',
        };
      }
      if (first.kind === 'failed') {
        throw new AgentcoreAuthError('ERR_OAUTH', 'GetResourceOauth2Token answered sessionStatus FAILED', {
          hint: 'Start again with --force-auth; check the provider with `agentcore-auth doctor --provider …`.',
        });
      }
      s.fed.consent.session = { sessionUri: first.sessionUri, authorizationUrl: first.authorizationUrl };
      s.fed.session = {
        sessionUri: first.sessionUri,
        authorizationUrl: first.authorizationUrl,
        completedWith: describeIdentifier(req.completeWith, io.ctx.now()),
      };
      return {
        outputs: { sessionUri: shortUrn(first.sessionUri), status: first.sessionStatus ?? 'IN_PROGRESS' },
        note: 'consent needed',
      };
    },
  };
}

/** GetResourceOauth2Token with the sessionUri until the token arrives (a timeout names the consent state reached). */
function pollToken<S extends FederationHost>(io: IdentityIo, req: UserFederationRequest): PlanStep<S> {
  return {
    operation: 'GetResourceOauth2Token',
    skip: (s) => s.fed.consent.notNeeded,
    inputs: (s) => ({
      flow: 'USER_FEDERATION',
      sessionUri: shortUrn(s.fed.session!.sessionUri),
      every: `${req.pollIntervalMs} ms`,
    }),
    run: async (s) => {
      const { consent, session } = s.fed;
      const deadline = consent.deadline ?? io.ctx.now() + req.timeoutMs;
      let got: { accessToken: string; attempts: number };
      try {
        got = await pollResourceToken(
          io,
          { ...req.request, flow: 'USER_FEDERATION', workloadToken: s.workloadToken!, sessionUri: session!.sessionUri },
          { intervalMs: req.pollIntervalMs, deadline },
        );
      } catch (e) {
        if (!(e instanceof AgentcoreAuthError && e.code === 'ERR_TIMEOUT')) throw e;
        throw consentTimeout(consent.state, {
          returnUrl: req.request.returnUrl,
          browser: req.browser,
          seconds: Math.round(req.timeoutMs / 100) / 10,
          ...(pollStatus(e.message) ? { polled: pollStatus(e.message)! } : {}),
          cause: e,
        });
      }
      s.fed.accessToken = got.accessToken;
      session!.polls = got.attempts;
      return {
        outputs: { polls: String(got.attempts), 'resource token': describeToken(got.accessToken, io.ctx.now()) },
      };
    },
  };
}

const pollStatus = (message: string) => message.match(/\((sessionStatus [^)]*)\)/)?.[1];

/** --ephemeral: remove the return URL this run added, even after a failure or Ctrl-C. A failure here is a warning. */
function removeReturnUrlStep<S extends FederationHost>(io: IdentityIo, returnUrl: string): PlanStep<S> {
  return {
    operation: 'UpdateWorkloadIdentity',
    always: true,
    skip: (s) => (s.fed.returnUrl.added ? undefined : 'this run added no return URL; nothing to remove'),
    inputs: (s) => ({ workload: s.workloadName, remove: returnUrl }),
    run: async (s, step) => {
      // After Ctrl-C the run's signal is aborted: this last call gets a fresh one.
      const signal = io.ctx.signal.aborted ? new AbortController().signal : io.ctx.signal;
      const cleanupIo = { ...io, ctx: { ...io.ctx, signal } };
      try {
        const r = await removeReturnUrl(cleanupIo, s.workloadName, returnUrl, s.region);
        Object.assign(s.fed.returnUrl, { removed: r.removed, after: r.after });
        return {
          outputs: { before: fmtList(r.before), after: fmtList(r.after) },
          note: r.removed ? 'removed: --ephemeral' : 'already gone',
        };
      } catch (e) {
        return cleanupFailed(step, s.workloadName, e);
      }
    },
  };
}

function cleanupFailed(step: StepControl, workloadName: string, e: unknown) {
  step.note(
    'could not remove the return URL; remove it yourself:\n  aws bedrock-agentcore-control update-workload-identity ' +
      `--name ${workloadName} --allowed-resource-oauth2-return-urls …`,
    'warn',
  );
  return { note: `not removed: ${(e as Error).message}` };
}
