/**
 * A one-shot loopback redirect server (RFC 8252 §7.3): listens on a loopback address only, waits for the first
 * request to its path, answers the browser with a short page, and hands the full redirect URL to the caller. Other
 * paths (favicon.ico …) get a 404 and do not count. Closes itself on success, timeout and abort.
 *
 * `login --auth-flow authorization-code` receives the OAuth redirect with it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentcoreAuthError, interruptedError, timeoutError, usageError } from '../errors.js';
import { PAGE_HEADERS, page } from '../identity/html.js';

export interface LoopbackOptions {
  /** Host to bind; default 127.0.0.1. `localhost` in a redirect URI binds 127.0.0.1. Must be a loopback address. */
  host?: string;
  /** Port; 0 picks a free one (read it back from `port` / `url`). */
  port: number;
  /** Path to wait on, e.g. /callback. Default '/'. */
  path?: string;
  signal?: AbortSignal;
  /**
   * The `state` the caller sent: a redirect with another state gets a "Sign-in refused" page instead of "Signed in"
   * (the caller still owns the refusal; the page only tells the user the truth).
   */
  expectedState?: string;
  /** Host name used to rebuild the callback URL (so that it equals the registered redirect URI). Default: host. */
  publicHost?: string;
}

export interface LoopbackServer {
  /** http://<publicHost>:<port><path> */
  url: string;
  port: number;
  /** The first request to the path; rejects with ERR_TIMEOUT / ERR_INTERRUPTED. Closes the server either way. */
  waitForCallback(options?: { timeoutMs?: number }): Promise<URL>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);


/** The page the browser gets for a redirect: signed in, refused by the provider, or not this login's redirect. */
export function redirectPage(url: URL, expectedState?: string): { status: number; html: string } {
  const error = url.searchParams.get('error');
  if (error) {
    const desc = url.searchParams.get('error_description');
    return {
      status: 400,
      html: page({ ok: false, title: 'Sign-in failed', message: `The identity provider answered ${error}. Return to the terminal for the details.`, ...(desc ? { detail: desc } : {}) }),
    };
  }
  if (expectedState !== undefined && url.searchParams.get('state') !== expectedState) {
    return {
      status: 400,
      html: page({ ok: false, title: 'Sign-in refused', message: 'This redirect does not belong to the sign-in agentcore-auth started (its state does not match), so it was not used. Start the login again from the terminal.' }),
    };
  }
  return { status: 200, html: page({ ok: true, title: 'Signed in', message: 'agentcore-auth received the response. You can close this tab and return to the terminal.' }) };
}

export async function startLoopback(options: LoopbackOptions): Promise<LoopbackServer> {
  const requested = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(requested)) throw usageError(`the redirect server binds loopback addresses only, not ${requested}`);
  const bindHost = requested === 'localhost' ? '127.0.0.1' : requested;
  const path = options.path || '/';

  let deliver: ((u: URL) => void) | undefined;
  const received: URL[] = [];
  const server = http.createServer((req, res) => {
    const hostPart = bindHost.includes(':') ? `[${bindHost}]` : (options.publicHost ?? bindHost);
    let u: URL;
    try {
      u = new URL(req.url ?? '/', `http://${hostPart}:${port}`);
    } catch {
      // A request target no URL parser accepts (`GET http://a:99999/`): answer it, never throw in the handler.
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request\n');
      return;
    }
    if (req.method !== 'GET' || u.pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const p = redirectPage(u, options.expectedState);
    res.writeHead(p.status, { ...PAGE_HEADERS, Connection: 'close' }).end(p.html);
    if (deliver) deliver(u);
    else received.push(u);
  });
  server.keepAliveTimeout = 1;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(
          new AgentcoreAuthError('ERR_USAGE', `cannot listen on ${bindHost}:${options.port}: the port is in use`, {
            hint: 'Stop whatever uses it, or pass --redirect-uri with another port (registered at the identity provider).',
            cause: e,
          }),
        );
      } else if (e.code === 'EACCES') {
        reject(usageError(`cannot listen on ${bindHost}:${options.port}: permission denied`, 'Use a port above 1024 in --redirect-uri.'));
      } else reject(e);
    });
    server.listen(options.port, bindHost, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = bindHost.includes(':') ? `[${bindHost}]` : (options.publicHost ?? bindHost);

  let closed = false;
  const close = () =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      closed = true;
      server.closeAllConnections?.();
      server.close(() => resolve());
    });

  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    close,
    waitForCallback({ timeoutMs } = {}) {
      return new Promise<URL>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const finish = (err: unknown, url?: URL) => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          deliver = undefined;
          // Let the page reach the browser before closing.
          setImmediate(() => void close().then(() => (err ? reject(err) : resolve(url!))));
        };
        const onAbort = () => finish(interruptedError());
        if (options.signal?.aborted) return finish(interruptedError());
        options.signal?.addEventListener('abort', onAbort, { once: true });
        if (timeoutMs !== undefined && timeoutMs > 0) {
          timer = setTimeout(
            () =>
              finish(
                timeoutError(
                  `no redirect reached http://${shownHost}:${port}${path} within ${Math.round(timeoutMs / 100) / 10} s`,
                  'Finish the sign-in in the browser, or raise --timeout. With --no-browser, open the printed URL yourself.',
                ),
              ),
            timeoutMs,
          );
        }
        const first = received.shift();
        if (first) return finish(undefined, first);
        deliver = (u) => finish(undefined, u);
      });
    },
  };
}
