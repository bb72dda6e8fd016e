/**
 * The loopback server behind startLoopbackServer (loopback.ts, which checks the URL first): one path on the loopback
 * interface; every other request answered here (400, 404, 405, 421) without the hook; pages in flight allowed to
 * finish on close.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { configError } from './errors.js';
import { page, PAGE_HEADERS } from './identity/html.js';

/** What the response hook answers: the status and the (already escaped) page. */
export interface LoopbackPage {
  status: number;
  html: string;
}

/** A request the server answered itself, without the hook (wrong Host, path or method; unparsable target). */
export interface LoopbackIgnored {
  status: number;
  method: string;
  path: string;
  reason: string;
}

export interface LoopbackServerOptions {
  /**
   * The URL to serve, a loopback http URL (isLoopbackUrl): its host decides the addresses bound (127.0.0.1; [::1] for
   * an [::1] URL; both for localhost, [::1] when free), its port the port (0 = any free one), its path the one path.
   */
  url: string | URL;
  /**
   * The response hook: called for every GET on the path, with the request URL rebuilt on the served origin (so it
   * equals the registered redirect URI plus the query). Its page is sent with no-store, nosniff, a strict CSP and
   * Connection: close. A hook that throws gets a 500 page; it never breaks the server.
   */
  respond(url: URL): LoopbackPage | Promise<LoopbackPage>;
  /** Every request answered without the hook (404 / 405 / 400 / 421), for --verbose narration. */
  onIgnored?(event: LoopbackIgnored): void;
  /** The fix to show when the port is in use (default: stop the other program or use another port). */
  busyHint?: string;
}

export interface LoopbackServer {
  /** The URL served, with the port actually bound, e.g. http://localhost:53682/callback. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, lets pages in flight reach the browser (up to 2 s), then cuts every connection. Idempotent. */
  close(): Promise<void>;
}

/** How long close() waits for in-flight pages before cutting connections. */
const CLOSE_GRACE_MS = 2000;
/** A connection this young with no request yet is taken to be one whose request is on its way. */
const FRESH_MS = 500;

const LOOPBACK_HOST_HEADERS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

const INTERNAL_ERROR = () => page({ ok: false, title: 'Internal error', message: 'See the terminal.' });

/** A request the server answers itself: the event for onIgnored, and the page's title and message. */
interface Refusal {
  event: LoopbackIgnored;
  title: string;
  message: string;
}

/** Why a request is not for the hook (foreign or unparsable target, wrong Host, path or method), or undefined. */
function refusal(req: IncomingMessage, origin: string, hostname: string, path: string): Refusal | undefined {
  const method = req.method ?? 'GET';
  let url: URL;
  try {
    url = new URL(req.url ?? '/', origin);
    // An absolute-form target (`GET http://elsewhere/…`) names another origin: not ours.
    if (url.origin !== origin) throw new Error('foreign origin');
  } catch {
    return {
      event: { status: 400, method, path: String(req.url ?? '').slice(0, 200), reason: 'unparsable request target' },
      title: 'Bad request',
      message: 'The request URL could not be parsed.',
    };
  }
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (host && !LOOPBACK_HOST_HEADERS.has(host) && host !== hostname) {
    return {
      event: { status: 421, method, path: url.pathname, reason: `unexpected Host header ${host}` },
      title: 'Wrong host',
      message: 'This server only answers on its loopback address.',
    };
  }
  if (url.pathname !== path) {
    return {
      event: { status: 404, method, path: url.pathname, reason: 'not the served path' },
      title: 'Not found',
      message: `Nothing here. The served path is ${path}.`,
    };
  }
  if (method !== 'GET') {
    return {
      event: { status: 405, method, path: url.pathname, reason: 'only GET is served' },
      title: 'Method not allowed',
      message: 'This URL answers GET only.',
    };
  }
  return undefined;
}

export async function serveLoopback(target: URL, options: LoopbackServerOptions): Promise<LoopbackServer> {
  const hostname = target.hostname.toLowerCase();
  const path = target.pathname || '/';
  let origin = '';
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refused = refusal(req, origin, hostname, path);
    if (refused) {
      try {
        options.onIgnored?.(refused.event);
      } catch {
        /* a listener must not break the server */
      }
      if (refused.event.status === 405) res.setHeader('Allow', 'GET');
      return send(res, refused.event.status, page({ ok: false, title: refused.title, message: refused.message }));
    }
    let answer: LoopbackPage;
    try {
      answer = await options.respond(new URL(req.url ?? '/', origin));
    } catch {
      answer = { status: 500, html: INTERNAL_ERROR() };
    }
    send(res, answer.status, answer.html);
  };
  const inflight = new InFlight();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    inflight.track(req, res);
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, INTERNAL_ERROR());
    });
  };
  const servers = await bindServers(hostname, Number(target.port || 80), onRequest, options.busyHint);
  for (const s of servers) s.on('connection', (socket: Socket) => inflight.connected(socket));
  const port = (servers[0]!.address() as AddressInfo).port;
  origin = `http://${target.hostname}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url: `${origin}${path}`,
    port,
    close: () => (closed ??= closeServers(servers, inflight)),
  };
}

/**
 * What close() waits for: requests in flight (the page of the request that ended the wait must still arrive), and
 * connections just opened whose request has not arrived yet (a browser's concurrent redirects race the close: cutting
 * them as idle would reset a request already on its way). A connection older than FRESH_MS that sent nothing (a
 * browser's speculative preconnect) does not hold the close.
 */
class InFlight {
  private active = 0;
  private readonly fresh = new Map<Socket, number>();
  private changed: (() => void) | undefined;

  connected(socket: Socket): void {
    this.fresh.set(socket, Date.now());
    socket.once('close', () => {
      this.fresh.delete(socket);
      this.changed?.();
    });
  }

  track(req: IncomingMessage, res: ServerResponse): void {
    this.fresh.delete(req.socket);
    this.active++;
    res.once('close', () => {
      this.active--;
      this.changed?.();
    });
  }

  private busy(now: number): boolean {
    if (this.active > 0) return true;
    for (const since of this.fresh.values()) if (now - since < FRESH_MS) return true;
    return false;
  }

  /** Resolves when nothing is in flight or about to be, or after `ms`. */
  async settle(ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (this.busy(Date.now()) && Date.now() < end) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(25, end - Date.now()));
        this.changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.changed = undefined;
  }
}

/** An IPv6 loopback URL ([::1]) is served on ::1; localhost on 127.0.0.1 and, when free, ::1; 127.x.y.z on itself. */
async function bindServers(
  hostname: string,
  requestedPort: number,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
  busyHint: string | undefined,
): Promise<Server[]> {
  const first = createServer(onRequest);
  const bindHost = hostname === '[::1]' ? '::1' : hostname === 'localhost' ? '127.0.0.1' : hostname;
  const port = await listen(first, bindHost, requestedPort, busyHint);
  const servers: Server[] = [first];
  if (hostname === 'localhost') {
    // Browsers may resolve localhost to ::1 first. Best effort: no IPv6 loopback, or the port taken there, is fine.
    const v6 = createServer(onRequest);
    try {
      await listen(v6, '::1', port, busyHint);
      servers.push(v6);
    } catch {
      /* IPv4 only */
    }
  }
  return servers;
}

function listen(server: Server, host: string, port: number, busyHint: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') {
        reject(
          configError(
            `port ${port} on ${host} is already in use`,
            busyHint ?? 'Stop the program that uses it, or use another port.',
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

async function closeServers(servers: Server[], inflight: InFlight): Promise<void> {
  // Stop accepting; every page is sent with Connection: close, so answered connections end by themselves.
  const done = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
  await inflight.settle(CLOSE_GRACE_MS);
  for (const s of servers) s.closeAllConnections();
  await Promise.all(done);
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, Connection: 'close' });
  res.end(html);
}
