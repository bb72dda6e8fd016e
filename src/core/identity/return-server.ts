/**
 * The loopback return-URL server used by `exchange` and `callback`: AgentCore redirects the browser to it with
 * `session_id=<sessionUri URN>` (and the provider's `error`/`error_description` when the user declined). One path is
 * served; everything else is 404. A session id that is not a `urn:ietf:params:oauth:request_uri:` URN is 400. Each
 * valid session is handed to `onSession` once; concurrent duplicates share the first result. Pages escape all input
 * and carry no secrets. Binds 127.0.0.1 (and, for a `localhost` URL, [::1] on the same port when available).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { AgentcoreAuthError, configError } from '../errors.js';
import { PATTERNS } from '../../wire.js';
import { PAGE_HEADERS, page } from './html.js';

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

export interface ReturnUrlServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** The one path served, e.g. /oauth2/callback. */
  path: string;
  /** Hostname the URL uses (default localhost). Any loopback name is accepted in the Host header, plus this one. */
  hostname?: string;
  /** When set, a `state` parameter must equal it (a missing state is accepted only when requireState is false). */
  expectState?: string;
  requireState?: boolean;
  onSession(hit: { sessionUri: string; state?: string }): Promise<SessionOutcome>;
  onEvent?(event: ReturnEvent): void;
}

export interface ReturnUrlServer {
  /** The URL served, e.g. http://localhost:9090/oauth2/callback. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** How long close() waits for in-flight pages before cutting connections. */
const CLOSE_GRACE_MS = 2000;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export async function startReturnUrlServer(options: ReturnUrlServerOptions): Promise<ReturnUrlServer> {
  const path = options.path.startsWith('/') ? options.path : `/${options.path}`;
  const hostname = options.hostname ?? 'localhost';
  const inflight = new Map<string, Promise<SessionOutcome>>();
  const emit = (e: ReturnEvent) => {
    try {
      options.onEvent?.(e);
    } catch {
      /* a listener must not break the server */
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return send(res, 400, { ok: false, title: 'Bad request', message: 'The request URL could not be parsed.' });
    }
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (host && !LOOPBACK_HOSTS.has(host) && host !== hostname.toLowerCase()) {
      emit({ kind: 'ignored', status: 421, method, path: url.pathname, reason: `unexpected Host header ${host}` });
      return send(res, 421, { ok: false, title: 'Wrong host', message: 'This server only answers on its loopback address.' });
    }
    if (url.pathname !== path) {
      emit({ kind: 'ignored', status: 404, method, path: url.pathname, reason: 'not the return path' });
      return send(res, 404, { ok: false, title: 'Not found', message: `Nothing here. The return URL path is ${path}.` });
    }
    if (method !== 'GET') {
      emit({ kind: 'ignored', status: 405, method, path: url.pathname, reason: 'only GET is served' });
      res.setHeader('Allow', 'GET');
      return send(res, 405, { ok: false, title: 'Method not allowed', message: 'The return URL answers GET only.' });
    }
    const q = url.searchParams;
    const error = q.get('error');
    if (error !== null) {
      const description = q.get('error_description') ?? undefined;
      emit({ kind: 'provider-error', error, ...(description !== undefined ? { description } : {}) });
      return send(res, 400, {
        ok: false,
        title: 'Authorization failed',
        message: `The provider answered: ${error}${description ? ` — ${description}` : ''}`,
        detail: 'Nothing was completed. Close this tab and start again.',
      });
    }
    const sessionUri = q.get('session_id');
    if (sessionUri === null || sessionUri === '') {
      emit({ kind: 'ignored', status: 400, method, path: url.pathname, reason: 'no session_id parameter' });
      return send(res, 400, { ok: false, title: 'Missing session_id', message: 'AgentCore redirects here with ?session_id=urn:ietf:params:oauth:request_uri:….' });
    }
    if (sessionUri.length > 1024 || !PATTERNS.sessionUri.test(sessionUri)) {
      emit({ kind: 'ignored', status: 400, method, path: url.pathname, reason: 'session_id is not a urn:ietf:params:oauth:request_uri: URN' });
      return send(res, 400, {
        ok: false,
        title: 'Invalid session_id',
        message: 'session_id must be a urn:ietf:params:oauth:request_uri: URN. Nothing was completed.',
      });
    }
    const state = q.get('state') ?? undefined;
    if (options.expectState !== undefined) {
      const mismatch = state === undefined ? !!options.requireState : !constantTimeEqual(state, options.expectState);
      if (mismatch) {
        emit({ kind: 'state-mismatch', sessionUri, ...(state !== undefined ? { received: state } : {}) });
        return send(res, 400, {
          ok: false,
          title: 'State mismatch',
          message: state === undefined ? 'The redirect carried no state parameter; the session was not completed.' : 'The state parameter does not match; the session was not completed (possible CSRF).',
        });
      }
    }
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
    return send(res, outcome.status ?? (outcome.ok ? 200 : 400), outcome);
  };

  // In-flight requests: close() lets them finish (the page of the session that ended the wait must still arrive).
  let active = 0;
  let drained: (() => void) | undefined;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    active++;
    res.once('close', () => {
      active--;
      if (active === 0) drained?.();
    });
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { ok: false, title: 'Internal error', message: 'See the terminal.' });
    });
  };
  const server = createServer(onRequest);
  // An IPv6 loopback URL ([::1]) is served on ::1; every other name on 127.0.0.1.
  const v6Only = hostname === '[::1]' || hostname === '::1';
  const port = await listen(server, v6Only ? '::1' : '127.0.0.1', options.port);
  const servers: Server[] = [server];
  if (hostname === 'localhost') {
    // Browsers may resolve localhost to ::1 first. Best effort: no IPv6 loopback, or the port taken there, is fine.
    const v6 = createServer(onRequest);
    try {
      await listen(v6, '::1', port);
      servers.push(v6);
    } catch {
      /* IPv4 only */
    }
  }
  const urlHost = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}${path}`,
    port,
    close: () =>
      (closed ??= (async () => {
        const done = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
        for (const s of servers) s.closeIdleConnections();
        if (active > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            new Promise<void>((resolve) => (drained = resolve)),
            new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
          ]);
          clearTimeout(timer);
        }
        for (const s of servers) s.closeAllConnections();
        await Promise.all(done);
      })()),
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') {
        reject(
          configError(
            `port ${port} on ${host} is already in use`,
            `Another return-URL server may be running there (a previous agentcore-auth callback, or the samples' oauth2_callback_server.py). Stop it, or use another port (--port, or --return-url with that port) and register that URL on the workload identity.`,
          ),
        );
      } else if (e.code === 'EACCES') {
        reject(configError(`not allowed to listen on port ${port} on ${host}`, 'Use a port above 1023.'));
      } else reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

function send(res: ServerResponse, status: number, outcome: SessionOutcome): void {
  const body = page({ ok: outcome.ok, title: outcome.title, message: outcome.message, ...(outcome.detail ? { detail: outcome.detail } : {}) });
  res.writeHead(status, { ...PAGE_HEADERS, Connection: 'close' });
  res.end(body);
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
