/**
 * HTTP plumbing shared by every raw HTTP call (OAuth endpoints, bearer invocations, discovery, JWKS): a fetch that
 * records each exchange (for --verbose), enforces a timeout, honours the run's AbortSignal and turns network failures
 * into AgentcoreAuthError with the URL named. Also handed to openid-client as its customFetch.
 */
import { AgentcoreAuthError, interruptedError, isAbortError, timeoutError } from './errors.js';
import { isLoopbackHost } from './loopback.js';
import { displayProxy, proxyFailureOf, tagProxyFailure, type ProxyRouting } from './proxy.js';

export interface HttpExchange {
  id: number;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** Captured only for non-streaming bodies up to 64 KiB. */
  responseBody?: string;
  durationMs?: number;
  error?: string;
  /** Which retry attempt this was (1 = first). */
  attempt?: number;
  /** Free-form label: 'InitiateAuth', 'discovery', 'InvokeAgentRuntime (bearer)' … */
  label?: string;
  /** The proxy the call went through (HTTPS_PROXY / HTTP_PROXY), without credentials; absent for a direct call. */
  proxy?: string;
}

export type ExchangeListener = (exchange: HttpExchange, phase: 'request' | 'response') => void;

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  fetch: FetchLike;
  /** Aborted on SIGINT: every request made through this client stops at once. */
  signal?: AbortSignal;
  /** Per-request timeout (connect + headers + body for buffered calls). Default 30 s. */
  timeoutMs?: number;
  onExchange?: ExchangeListener;
  /** Whether response bodies are captured for the trace (costs a clone). */
  captureBodies?: boolean;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the run (core/proxy.ts): proxied calls go through it. */
  proxy?: ProxyRouting;
}

const MAX_CAPTURE = 64 * 1024;
let nextId = 1;

export function headersToRecord(h: RequestInit['headers'] | Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) {
    h.forEach((v, k) => {
      out[k] = v;
    });
  } else if (Array.isArray(h)) {
    for (const [k, v] of h) if (k !== undefined && v !== undefined) out[k.toLowerCase()] = v;
  } else {
    for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  }
  return out;
}

function bodyToString(body: RequestInit['body'] | undefined): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
  return '[stream]';
}

function isStreaming(contentType: string | null): boolean {
  return !!contentType && /text\/event-stream|application\/octet-stream|ndjson/i.test(contentType);
}

/** Create a fetch-compatible function that traces, times out and maps network errors. */
export function createHttpFetch(options: HttpOptions): FetchLike & { exchanges: HttpExchange[] } {
  const exchanges: HttpExchange[] = [];
  const timeoutMs = options.timeoutMs ?? 30_000;

  const traced = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const { exchange, proxy } = recordRequest(options, input, init);
    const { method, url } = exchange;
    exchanges.push(exchange);
    options.onExchange?.(exchange, 'request');

    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout, ...(options.signal ? [options.signal] : []), ...(init.signal ? [init.signal] : [])];
    const signal = anySignal(signals);
    const started = performance.now();
    try {
      const res =
        proxy && options.proxy
          ? await options.proxy.fetch(proxy, input, { ...init, signal })
          : await options.fetch(input, { ...init, signal });
      await recordResponse(exchange, res, started, !!options.captureBodies);
      options.onExchange?.(exchange, 'response');
      return res;
    } catch (e) {
      exchange.durationMs = Math.round(performance.now() - started);
      exchange.error = (e as Error).message;
      options.onExchange?.(exchange, 'response');
      if (options.signal?.aborted) throw interruptedError();
      // The caller's own limit first: when it and this request's timer both ran out (same length, same tick), the
      // caller names the limit that was set (--timeout for the whole call).
      if (init.signal?.aborted) throw e;
      if (timeout.aborted) {
        throw timeoutError(
          `${method} ${stripQuery(url)} did not answer ` +
            `within ${timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}`,
          'Check that the endpoint is reachable, or raise --timeout.',
        );
      }
      if (isAbortError(e)) throw e;
      throw networkError(url, proxy && !proxyFailureOf(e) ? tagProxyFailure(e, proxy) : e);
    }
  };
  return Object.assign(traced, { exchanges });
}

/** The request as traced (headers, body as text, the proxy it goes through), before it is sent. */
function recordRequest(options: HttpOptions, input: string | URL | Request, init: RequestInit) {
  const req = input instanceof Request ? input : undefined;
  const url = req ? req.url : input.toString();
  const exchange: HttpExchange = {
    id: nextId++,
    method: (init.method ?? req?.method ?? 'GET').toUpperCase(),
    url,
    requestHeaders: headersToRecord(init.headers ?? req?.headers),
  };
  const body = bodyToString(init.body);
  if (body !== undefined) exchange.requestBody = body;
  const proxy = options.proxy?.proxyFor(url);
  if (proxy) exchange.proxy = displayProxy(proxy);
  return { exchange, proxy };
}

/** The answer as traced: status, headers, time, and the body (not a stream's) when bodies are captured. */
async function recordResponse(exchange: HttpExchange, res: Response, started: number, capture: boolean) {
  exchange.status = res.status;
  exchange.responseHeaders = headersToRecord(res.headers);
  exchange.durationMs = Math.round(performance.now() - started);
  if (capture && !isStreaming(res.headers.get('content-type'))) {
    try {
      const text = await res.clone().text();
      exchange.responseBody = text.length > MAX_CAPTURE ? `${text.slice(0, MAX_CAPTURE)}…` : text;
    } catch {
      /* body unreadable: leave it out of the trace */
    }
  }
}

/**
 * AbortSignal.any(signals), keeping its sources alive as long as it lives. Node 20's any() holds its sources weakly: an
 * AbortSignal.timeout() nothing else references is garbage-collected and never fires (--timeout then depended on GC).
 */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  return Object.assign(AbortSignal.any(signals), { sources: signals });
}

export function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}

/** Turn a low-level connection failure into a clear error naming the URL (and the proxy it went through). */
export function networkError(url: string, cause: unknown): AgentcoreAuthError {
  const viaProxy = proxyFailureOf(cause);
  if (viaProxy) return proxyError(url, viaProxy);
  const code = findCode(cause);
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host not found'
        : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
          ? 'connection reset'
          : code
            ? code
            : ((cause as Error)?.message ?? 'network error');
  let origin = url;
  let host = '';
  try {
    ({ origin, hostname: host } = new URL(url));
  } catch {
    /* keep raw */
  }
  return new AgentcoreAuthError('ERR_NETWORK', `cannot reach ${origin} (${why})`, {
    hint: `Check the URL and that the server is running. ${networkHintFor(host)}`,
    details: { url: stripQuery(url), ...(code ? { errorName: code } : {}) },
    cause,
  });
}

const OVERRIDES = 'Endpoint overrides come from --endpoint-url, AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL.';

/** What else to check for a host nobody answered at: the local stack on loopback, AWS, or any other server. */
function networkHintFor(host: string): string {
  if (isLoopbackHost(host))
    return (
      'If it is the local stack: start it (`agentcore-auth local`) and load the variables of the running one ' +
      '(`eval "$(agentcore-auth local --print-env)"`); each start picks a new port unless --port. ' +
      OVERRIDES
    );
  if (/(^|\.)amazonaws\.com$/i.test(host)) return `${OVERRIDES} Check your network and DNS.`;
  return 'Check the host name, your network and DNS.';
}

/** A call through a proxy failed: the proxy is named, and what it answered to the tunnel (407, 403, 502 …). */
function proxyError(
  url: string,
  failure: { proxy: string; proxyStatus?: number; cause?: unknown },
): AgentcoreAuthError {
  const code = findCode(failure);
  const status = failure.proxyStatus;
  const why =
    status !== undefined
      ? `the proxy answered ${status}${status === 407 ? ' Proxy Authentication Required' : ''}`
      : code === 'ECONNREFUSED'
        ? 'connection to the proxy refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'proxy host not found'
          : (code ?? (failure as unknown as Error).message ?? 'network error');
  let origin = url;
  try {
    origin = new URL(url).origin;
  } catch {
    /* keep raw */
  }
  const host = origin.replace(/^[a-z]+:\/\//, '');
  return new AgentcoreAuthError('ERR_NETWORK', `cannot reach ${origin} through proxy ${failure.proxy} (${why})`, {
    hint:
      status === 407
        ? 'The proxy wants credentials: put them in its URL ' +
          '(http://USER:PASSWORD@HOST:PORT in HTTPS_PROXY / HTTP_PROXY).'
        : `The call went through ${failure.proxy} (HTTPS_PROXY / HTTP_PROXY). Check that the proxy runs and lets ` +
          `${host} through, or add the host to NO_PROXY to connect directly.`,
    details: {
      url: stripQuery(url),
      proxy: failure.proxy,
      ...(status !== undefined ? { proxyStatus: status } : {}),
      ...(code ? { errorName: code } : {}),
    },
    cause: failure,
  });
}

function findCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Parse `Retry-After` (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface RetryOptions {
  /** Total attempts, first included. Default 3 (as the AWS SDK's standard mode). */
  maxAttempts?: number;
  /** Base delay of the exponential backoff. Default 100 ms. */
  baseDelayMs?: number;
  /** Cap of one delay (Retry-After included). Default 20 s. */
  maxDelayMs?: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Injected for tests; default Math.random. */
  random?: () => number;
  /** Called before each wait, e.g. to tell the user. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

/** Whether a response is worth retrying: throttling, 5xx, or AgentCore's RetryableConflictException. */
export function isRetryableResponse(res: Response): boolean {
  if (res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504 || res.status === 500)
    return true;
  return res.status === 409 && /RetryableConflict/i.test(res.headers.get('x-amzn-errortype') ?? '');
}

/**
 * Send a request, retrying retryable answers with full-jitter exponential backoff and honouring Retry-After. The body
 * must be re-sendable (string / bytes). Network errors other than a reset are not retried (the endpoint is wrong).
 * Returns the last response (retryable or not) so that the caller renders the service's own error.
 */
export async function fetchWithRetry(
  fetchFn: FetchLike,
  url: string,
  init: RequestInit,
  options: RetryOptions,
): Promise<Response> {
  const max = Math.max(1, options.maxAttempts ?? 3);
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 20_000;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    let res: Response | undefined;
    let reason: string;
    try {
      res = await fetchFn(url, init);
      if (attempt >= max || !isRetryableResponse(res)) return res;
      reason = `${res.status}${res.headers.get('x-amzn-errortype') ? ` ${res.headers.get('x-amzn-errortype')}` : ''}`;
    } catch (e) {
      const code = (e as AgentcoreAuthError).details?.errorName;
      // A reset shows up as ECONNRESET, or as undici's UND_ERR_SOCKET ("other side closed") when the server drops it.
      if (
        attempt >= max ||
        !(e instanceof AgentcoreAuthError) ||
        e.code !== 'ERR_NETWORK' ||
        (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')
      )
        throw e;
      reason = 'connection reset';
    }
    const retryAfter = parseRetryAfter(res?.headers.get('retry-after'));
    const backoff = random() * Math.min(cap, base * 2 ** (attempt - 1));
    const delayMs = Math.round(Math.min(cap, retryAfter ?? backoff));
    // Drain the body so the connection can be reused.
    await res?.body?.cancel().catch(() => undefined);
    options.onRetry?.({ attempt, delayMs, reason });
    await options.sleep(delayMs, options.signal);
  }
}
