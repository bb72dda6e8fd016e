/**
 * Loopback redirect URIs (RFC 8252 §7.3, §8.3): what a native app may serve on its own machine.
 */
import { AgentcoreAuthError } from './errors.js';

/**
 * True for a URL this tool can serve on the loopback interface: the `http` scheme (RFC 8252 §7.3 — loopback redirect
 * URIs use http; nothing here terminates TLS) and a loopback host: an IPv4 literal in 127.0.0.0/8, the IPv6 literal
 * `[::1]`, or `localhost` (§8.3 prefers the literals; AgentCore's samples use localhost, so it is accepted and served
 * on 127.0.0.1 and [::1]). `https://localhost/…` is not: whatever serves it is not us.
 */
export function isLoopbackUrl(url: string | URL): boolean {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  return u.protocol === 'http:' && isLoopbackHost(u.hostname);
}

/**
 * A service endpoint given on the command line (--gateway-url, --discovery-url, --token-endpoint): https, or plain
 * http on a loopback host (the local stack, test servers). `flag` names the option in errors.
 */
export function checkServiceUrl(raw: string, flag: string): URL {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new AgentcoreAuthError('ERR_USAGE', `${flag}: not a URL: ${raw}`);
  }
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return u;
  throw new AgentcoreAuthError(
    'ERR_USAGE',
    `${flag} must be an https URL (plain http is accepted for loopback hosts only), got ${u.protocol}//${u.host}`,
  );
}

/** A loopback host name: an IPv4 literal in 127.0.0.0/8, the IPv6 literal ::1 (bracketed or not), or localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

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

const LOOPBACK_HOST_HEADERS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * One loopback HTTP server for browser redirects (the OAuth login redirect, the AgentCore 3LO return URL): binds the
 * loopback interface only, serves one path (404 elsewhere, 405 for a method other than GET, 400 for a request target
 * no URL parser accepts), answers 421 to a Host header that is not a loopback name (DNS rebinding), and hands every
 * GET on its path to the `respond` hook. Malformed requests and floods are answered or dropped, never thrown.
 */
export async function startLoopbackServer(options: LoopbackServerOptions): Promise<LoopbackServer> {
  const [{ createServer }, { configError, usageError }, { page, PAGE_HEADERS }] = await Promise.all([
    import('node:http'),
    import('./errors.js'),
    import('./identity/html.js'),
  ]);
  type Req = import('node:http').IncomingMessage;
  type Res = import('node:http').ServerResponse;
  type Server = import('node:http').Server;

  const target = typeof options.url === 'string' ? new URL(options.url) : options.url;
  if (!isLoopbackUrl(target))
    throw usageError(
      `a loopback server serves loopback http URLs only (127.0.0.1, [::1], localhost), not ${target.href}`,
    );
  const hostname = target.hostname.toLowerCase();
  const path = target.pathname || '/';
  const requestedPort = Number(target.port || 80);

  const ignore = (res: Res, e: LoopbackIgnored, title: string, message: string) => {
    try {
      options.onIgnored?.(e);
    } catch {
      /* a listener must not break the server */
    }
    send(res, e.status, page({ ok: false, title, message }), PAGE_HEADERS);
  };

  let origin = '';
  const handle = async (req: Req, res: Res): Promise<void> => {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', origin);
      // An absolute-form target (`GET http://elsewhere/…`) names another origin: not ours.
      if (url.origin !== origin) throw new Error('foreign origin');
    } catch {
      return ignore(
        res,
        { status: 400, method, path: String(req.url ?? '').slice(0, 200), reason: 'unparsable request target' },
        'Bad request',
        'The request URL could not be parsed.',
      );
    }
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (host && !LOOPBACK_HOST_HEADERS.has(host) && host !== hostname) {
      return ignore(
        res,
        { status: 421, method, path: url.pathname, reason: `unexpected Host header ${host}` },
        'Wrong host',
        'This server only answers on its loopback address.',
      );
    }
    if (url.pathname !== path) {
      return ignore(
        res,
        { status: 404, method, path: url.pathname, reason: 'not the served path' },
        'Not found',
        `Nothing here. The served path is ${path}.`,
      );
    }
    if (method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return ignore(
        res,
        { status: 405, method, path: url.pathname, reason: 'only GET is served' },
        'Method not allowed',
        'This URL answers GET only.',
      );
    }
    let answer: LoopbackPage;
    try {
      answer = await options.respond(url);
    } catch {
      answer = { status: 500, html: page({ ok: false, title: 'Internal error', message: 'See the terminal.' }) };
    }
    send(res, answer.status, answer.html, PAGE_HEADERS);
  };

  // In-flight requests: close() lets them finish (the page of the request that ended the wait must still arrive).
  let active = 0;
  let drained: (() => void) | undefined;
  const onRequest = (req: Req, res: Res) => {
    active++;
    res.once('close', () => {
      active--;
      if (active === 0) drained?.();
    });
    handle(req, res).catch(() => {
      if (!res.headersSent)
        send(res, 500, page({ ok: false, title: 'Internal error', message: 'See the terminal.' }), PAGE_HEADERS);
    });
  };

  const listen = (server: Server, host: string, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (e.code === 'EADDRINUSE') {
          reject(
            configError(
              `port ${port} on ${host} is already in use`,
              options.busyHint ?? 'Stop the program that uses it, or use another port.',
            ),
          );
        } else if (e.code === 'EACCES') {
          reject(configError(`not allowed to listen on port ${port} on ${host}`, 'Use a port above 1023.'));
        } else reject(e);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve((server.address() as import('node:net').AddressInfo).port);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host, port, exclusive: true });
    });

  const first = createServer(onRequest);
  // An IPv6 loopback URL ([::1]) is served on ::1; every other name on 127.0.0.1 (127.x.y.z on itself).
  const bindHost = hostname === '[::1]' ? '::1' : hostname === 'localhost' ? '127.0.0.1' : hostname;
  const port = await listen(first, bindHost, requestedPort);
  const servers: Server[] = [first];
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
  origin = `http://${target.hostname}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url: `${origin}${path}`,
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

function send(
  res: import('node:http').ServerResponse,
  status: number,
  html: string,
  headers: Readonly<Record<string, string>>,
): void {
  res.writeHead(status, { ...headers, Connection: 'close' });
  res.end(html);
}
