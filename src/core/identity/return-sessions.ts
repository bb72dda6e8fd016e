/**
 * The AgentCore 3LO return URL, served on the loopback server of core/loopback.ts (used by `exchange`, `callback`
 * and `invoke|mcp --complete-auth`): AgentCore redirects the browser to it with `session_id=<sessionUri URN>` (and the
 * provider's `error`/`error_description` when the user declined). A session id that is not a
 * `urn:ietf:params:oauth:request_uri:` URN is 400; a `state` other than the expected one is 400. Each valid session is
 * handed to `onSession` once; concurrent duplicates share the first result. Pages escape all input and carry no
 * secrets. Loopback binding, the one path, 404/405/400/421 and floods are the loopback server's.
 */
import { timingSafeEqual } from 'node:crypto';
import { AgentcoreAuthError } from '../errors.js';
import { startLoopbackServer, type LoopbackPage, type LoopbackServer } from '../loopback.js';
import { PATTERNS } from '../../wire.js';
import { page } from './html.js';

export interface SessionOutcome {
  ok: boolean;
  /** HTTP status of the page (default 200 when ok, 400 otherwise). */
  status?: number;
  title: string;
  message: string;
  detail?: string;
}

export type ReturnEvent =
  | { kind: 'ignored'; status: number; method: string; path: string; reason: string }
  | { kind: 'provider-error'; error: string; description?: string }
  | { kind: 'state-mismatch'; sessionUri: string; received?: string }
  | { kind: 'session'; sessionUri: string; state?: string; outcome: SessionOutcome; duplicate: boolean };

export interface ReturnSessionOptions {
  /** When set, a `state` parameter must equal it (a missing state is accepted only when requireState is false). */
  expectState?: string;
  requireState?: boolean;
  onSession(hit: { sessionUri: string; state?: string }): Promise<SessionOutcome>;
  onEvent?(event: ReturnEvent): void;
}

export interface ReturnUrlServerOptions extends ReturnSessionOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** The one path served, e.g. /oauth2/callback. */
  path: string;
  /** Hostname the URL uses (default localhost): localhost, 127.x.y.z or [::1]. */
  hostname?: string;
}

export type ReturnUrlServer = LoopbackServer;

const BUSY_HINT =
  "Another return-URL server may be running there (a previous agentcore-auth callback, or the samples' " +
  'oauth2_callback_server.py). Stop it, or use another port (--port, or --return-url with that port) and ' +
  'register that URL on the workload identity.';

/** Serve the return URL http://<hostname>:<port><path>. */
export function startReturnUrlServer(options: ReturnUrlServerOptions): Promise<ReturnUrlServer> {
  const path = options.path.startsWith('/') ? options.path : `/${options.path}`;
  const host = options.hostname ?? 'localhost';
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return startLoopbackServer({
    url: `http://${urlHost}:${options.port}${path}`,
    respond: returnSessionsHook(options),
    onIgnored: (e) =>
      emitSafely(options, { kind: 'ignored', ...e, ...(e.status === 404 ? { reason: 'not the return path' } : {}) }),
    busyHint: BUSY_HINT,
  });
}

/**
 * The loopback server's response hook for AgentCore's redirect: provider errors, session id, state, once per session.
 */
export function returnSessionsHook(options: ReturnSessionOptions): (url: URL) => Promise<LoopbackPage> {
  const inflight = new Map<string, Promise<SessionOutcome>>();
  const emit = (e: ReturnEvent) => emitSafely(options, e);
  return async (url) => {
    const refused = refuseRedirect(url, options, emit);
    if (refused) return refused;
    const sessionUri = url.searchParams.get('session_id')!;
    const state = url.searchParams.get('state') ?? undefined;
    let duplicate = true;
    let p = inflight.get(sessionUri);
    if (!p) {
      duplicate = false;
      p = options.onSession({ sessionUri, ...(state !== undefined ? { state } : {}) }).catch(
        (e: unknown): SessionOutcome => ({
          ok: false,
          status: 500,
          title: 'Completion failed',
          message: e instanceof AgentcoreAuthError ? e.message : 'An unexpected error occurred; see the terminal.',
        }),
      );
      inflight.set(sessionUri, p);
    }
    const outcome = await p;
    emit({ kind: 'session', sessionUri, ...(state !== undefined ? { state } : {}), outcome, duplicate });
    return render(outcome.status ?? (outcome.ok ? 200 : 400), outcome);
  };
}

/** The page for a redirect that completes nothing: the provider's error, no or a bad session_id, a foreign state. */
function refuseRedirect(
  url: URL,
  options: ReturnSessionOptions,
  emit: (e: ReturnEvent) => void,
): LoopbackPage | undefined {
  const q = url.searchParams;
  const error = q.get('error');
  if (error !== null) {
    const description = q.get('error_description') ?? undefined;
    emit({ kind: 'provider-error', error, ...(description !== undefined ? { description } : {}) });
    return render(400, {
      ok: false,
      title: 'Authorization failed',
      message: `The provider answered: ${error}${description ? ` — ${description}` : ''}`,
      detail: 'Nothing was completed. Close this tab and start again.',
    });
  }
  const ignored = (reason: string) => emit({ kind: 'ignored', status: 400, method: 'GET', path: url.pathname, reason });
  const sessionUri = q.get('session_id');
  if (sessionUri === null || sessionUri === '') {
    ignored('no session_id parameter');
    return render(400, {
      ok: false,
      title: 'Missing session_id',
      message: 'AgentCore redirects here with ?session_id=urn:ietf:params:oauth:request_uri:….',
    });
  }
  if (sessionUri.length > 1024 || !PATTERNS.sessionUri.test(sessionUri)) {
    ignored('session_id is not a urn:ietf:params:oauth:request_uri: URN');
    return render(400, {
      ok: false,
      title: 'Invalid session_id',
      message: 'session_id must be a urn:ietf:params:oauth:request_uri: URN. Nothing was completed.',
    });
  }
  const state = q.get('state') ?? undefined;
  if (options.expectState === undefined) return undefined;
  const mismatch = state === undefined ? !!options.requireState : !constantTimeEqual(state, options.expectState);
  if (!mismatch) return undefined;
  emit({ kind: 'state-mismatch', sessionUri, ...(state !== undefined ? { received: state } : {}) });
  return render(400, {
    ok: false,
    title: 'State mismatch',
    message:
      state === undefined
        ? 'The redirect carried no state parameter; the session was not completed.'
        : 'The state parameter does not match; the session was not completed (possible CSRF).',
  });
}

function render(status: number, outcome: SessionOutcome): LoopbackPage {
  return {
    status,
    html: page({
      ok: outcome.ok,
      title: outcome.title,
      message: outcome.message,
      ...(outcome.detail ? { detail: outcome.detail } : {}),
    }),
  };
}

function emitSafely(options: { onEvent?(event: ReturnEvent): void }, e: ReturnEvent): void {
  try {
    options.onEvent?.(e);
  } catch {
    /* a listener must not break the server */
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
