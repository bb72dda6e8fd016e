/**
 * Outbound proxies, read from the run's env: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (the lowercase form first, as undici
 * and curl read them; an https URL without HTTPS_PROXY uses HTTP_PROXY, as undici's EnvHttpProxyAgent does). Loopback
 * hosts (127.0.0.0/8, ::1, localhost) are never proxied, so the local stack works behind a corporate proxy.
 *
 * One decision (proxyFor) for both kinds of call, and undici 7 for the proxy protocol of both: raw fetches go through
 * undici's fetch with a ProxyAgent; the AWS SDK keeps its own @smithy/node-http-handler (streaming, timeouts, socket
 * reuse) with http(s).Agents whose connections are tunnelled by undici's CONNECT (Client.connect, the primitive
 * ProxyAgent itself uses), then TLS to the service over the tunnel. undici is loaded only when a proxy is set.
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { configError } from './errors.js';
import type { Env } from './aws-profile.js';
import { isLoopbackHost } from './loopback.js';

type Undici = typeof import('undici');

const load = createRequire(import.meta.url);
let undiciModule: Undici | undefined;
const undici = (): Undici => {
  undiciModule ??= load('undici') as Undici;
  return undiciModule;
};

export interface ProxyEnv {
  http?: string;
  https?: string;
  /** NO_PROXY entries (host suffixes, optional port); `*` turns proxying off. */
  noProxy: Array<{ host: string; port: number }>;
  noProxyAll: boolean;
}

/** The proxy variables of an env; undefined when neither HTTPS_PROXY nor HTTP_PROXY is set. */
export function readProxyEnv(env: Env): ProxyEnv | undefined {
  const httpProxy = checkProxy(env, 'http_proxy', 'HTTP_PROXY');
  const httpsProxy = checkProxy(env, 'https_proxy', 'HTTPS_PROXY');
  if (!httpProxy && !httpsProxy) return undefined;
  const raw = (env.no_proxy ?? env.NO_PROXY ?? '').trim();
  const noProxy: ProxyEnv['noProxy'] = [];
  for (const entry of raw.split(/[,\s]+/)) {
    if (!entry || entry === '*') continue;
    const m = entry.match(/^(.+):(\d+)$/);
    noProxy.push({ host: (m ? m[1]! : entry).replace(/^\*?\./, '').toLowerCase(), port: m ? Number(m[2]) : 0 });
  }
  return {
    ...(httpProxy ? { http: httpProxy } : {}),
    ...(httpsProxy ? { https: httpsProxy } : {}),
    noProxy,
    noProxyAll: raw === '*',
  };
}

function checkProxy(env: Env, lower: string, upper: string): string | undefined {
  const name = env[lower] ? lower : upper;
  const value = env[name]?.trim();
  if (!value) return undefined;
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw configError(
      `${name} is not a URL: "${value}"`,
      'Set it to http://HOST:PORT (or http://USER:PASSWORD@HOST:PORT).',
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw configError(`${name} uses ${u.protocol}//, not supported`, 'Use an http:// or https:// proxy URL.');
  return u.href.replace(/\/$/, '');
}

/** The proxy a call to `url` goes through, or undefined for a direct connection. */
export function proxyFor(p: ProxyEnv, url: string | URL): string | undefined {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return undefined;
  }
  const host = u.hostname.toLowerCase();
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || isLoopbackHost(host) || p.noProxyAll) return undefined;
  const proxy = u.protocol === 'https:' ? (p.https ?? p.http) : p.http;
  if (!proxy) return undefined;
  const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  for (const e of p.noProxy) {
    if (e.port && e.port !== port) continue;
    if (host === e.host || host.endsWith(`.${e.host}`)) return undefined;
  }
  return proxy;
}

/** A proxy URL as shown to the user: scheme, host and port, never the credentials. */
export function displayProxy(proxy: string): string {
  const u = new URL(proxy);
  return `${u.protocol}//${u.host}`;
}

/** An error of a call that went through a proxy: carries the proxy (shown) and, for a refused tunnel, its status. */
export interface ProxyFailure extends Error {
  code?: string;
  proxy: string;
  proxyStatus?: number;
}

export function proxyFailureOf(e: unknown): ProxyFailure | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    if (typeof (cur as ProxyFailure).proxy === 'string') return cur as ProxyFailure;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Tag `e` with the proxy it went through; a tunnel refusal by undici ("Proxy response (407) …") gets its status. */
export function tagProxyFailure(e: unknown, proxy: string): ProxyFailure {
  const err = (e instanceof Error ? e : new Error(String(e))) as ProxyFailure;
  err.proxy = displayProxy(proxy);
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    const status = /Proxy response \((\d{3})\)/.exec(String((cur as Error).message))?.[1];
    if (status) err.proxyStatus = Number(status);
    cur = (cur as { cause?: unknown }).cause;
  }
  return err;
}

type FetchInput = string | URL | Request;

export interface ProxyRouting {
  env: ProxyEnv;
  proxyFor(url: string | URL): string | undefined;
  /** fetch through `proxy` (undici's fetch and ProxyAgent). */
  fetch(proxy: string, input: FetchInput, init: RequestInit): Promise<Response>;
  /** Agents for the AWS SDK's NodeHttpHandler: direct, or tunnelled through the proxy proxyFor names. */
  agents(): { httpAgent: http.Agent; httpsAgent: https.Agent };
}

/** The run's proxy routing; undefined when no proxy is set (then nothing here is loaded or used). */
export function createProxyRouting(env: Env): ProxyRouting | undefined {
  let p: ProxyEnv | undefined;
  try {
    p = readProxyEnv(env);
  } catch (e) {
    // A malformed proxy variable fails the first call that would use it, not commands that make no call.
    const fail = () => {
      throw e;
    };
    return { env: { noProxy: [], noProxyAll: false }, proxyFor: fail, fetch: fail, agents: fail };
  }
  if (!p) return undefined;
  const dispatchers = new Map<string, InstanceType<Undici['ProxyAgent']>>();
  const dispatcher = (proxy: string) => {
    let d = dispatchers.get(proxy);
    if (!d) {
      d = new (undici().ProxyAgent)({ uri: proxy });
      dispatchers.set(proxy, d);
    }
    return d;
  };
  let agents: { httpAgent: http.Agent; httpsAgent: https.Agent } | undefined;
  const route = (url: string) => proxyFor(p, url);
  return {
    env: p,
    proxyFor: (url) => proxyFor(p, url),
    async fetch(proxy, input, init) {
      const url = input instanceof Request ? input.url : input.toString();
      try {
        const res = await undici().fetch(url, { ...(init as object), dispatcher: dispatcher(proxy) });
        return res as unknown as Response;
      } catch (e) {
        if ((e as Error)?.name === 'AbortError') throw e;
        throw tagProxyFailure(e, proxy);
      }
    },
    agents() {
      agents ??= {
        httpAgent: new TunnelHttpAgent(route, { keepAlive: true, maxSockets: 50 }),
        httpsAgent: new TunnelHttpsAgent(route, { keepAlive: true, maxSockets: 50 }),
      };
      return agents;
    },
  };
}

type Callback = (err: Error | null, stream: Duplex) => void;
type ConnectOptions = http.ClientRequestArgs & tls.ConnectionOptions;

/**
 * Open a CONNECT tunnel to host:port through `proxy` (undici's Client.connect), then TLS over it when `secure`. The
 * callback gets the socket the SDK's request is written to, or an error naming the proxy.
 */
function tunnel(proxy: string, options: ConnectOptions, secure: boolean, cb: Callback): void {
  const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
  const port = Number(options.port) || (secure ? 443 : 80);
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const u = new URL(proxy);
  const headers: Record<string, string> = { host: authority };
  if (u.username)
    headers['proxy-authorization'] =
      `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  const client = new (undici().Client)(u.origin);
  const fail = (e: unknown) => cb(tagProxyFailure(e, proxy), undefined as unknown as Duplex);
  client
    .connect({ path: authority, headers })
    .then(({ socket, statusCode }) => {
      void client.close().catch(() => undefined);
      if (statusCode !== 200) {
        socket.destroy();
        return fail(new Error(`Proxy response (${statusCode}) !== 200 when HTTP Tunneling to ${authority}`));
      }
      if (!secure) return cb(null, socket as unknown as Duplex);
      const { hostname: _h, host: _host, port: _p, path: _path, ...tlsOptions } = options;
      const servername = options.servername || (/^[\d.]+$|:/.test(host) ? undefined : host);
      cb(
        null,
        tls.connect({ ...tlsOptions, socket: socket as unknown as Duplex, ...(servername ? { servername } : {}) }),
      );
    })
    .catch((e: unknown) => {
      void client.close().catch(() => undefined);
      fail(e);
    });
}

const targetOf = (scheme: string, options: ConnectOptions) => {
  const host = String(options.hostname ?? options.host ?? 'localhost');
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}://${h}${options.port ? `:${options.port}` : ''}/`;
};

class TunnelHttpAgent extends http.Agent {
  constructor(
    private readonly route: (url: string) => string | undefined,
    options: http.AgentOptions,
  ) {
    super(options);
  }
  override createConnection(options: ConnectOptions, cb?: Callback): Duplex | null | undefined {
    const proxy = this.route(targetOf('http', options));
    if (!proxy || !cb) return super.createConnection(options, cb);
    tunnel(proxy, options, false, cb);
    return undefined;
  }
}

class TunnelHttpsAgent extends https.Agent {
  constructor(
    private readonly route: (url: string) => string | undefined,
    options: https.AgentOptions,
  ) {
    super(options);
  }
  override createConnection(options: ConnectOptions, cb?: Callback): Duplex | null | undefined {
    const proxy = this.route(targetOf('https', options));
    if (!proxy || !cb) return super.createConnection(options, cb);
    tunnel(proxy, options, true, cb);
    return undefined;
  }
}
