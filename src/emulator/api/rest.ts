/**
 * restJson1 services (the AgentCore data and control planes) as a table of operations, one small named handler each:
 * the method and path template of the model (`/gateways/{gatewayIdentifier}/targets/{targetId}/`), the success code,
 * the input shape checked before the handler runs (shapes.ts), and SigV4 verified first unless the operation is
 * anonymous. `restJsonService(ctx, operations)` turns the table into one server Handler.
 */
import type { ServerResponse } from 'node:http';
import { sendAwsError, sendJson, type Headers } from '../respond.js';
import type { EmuRequest, Handler } from '../server.js';
import type { SigV4Result } from '../sigv4.js';
import { ApiError } from './errors.js';
import { validate, type StructureRule } from './shapes.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler gets: its validated body (typed as the operation's input), path labels, query, the raw request. */
export interface RestCall<C, I = Record<string, unknown>> {
  ctx: C;
  body: I;
  /** Path labels, percent-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  req: EmuRequest;
  res: ServerResponse;
  /** The verified SigV4 caller (undefined for anonymous operations). */
  caller?: Extract<SigV4Result, { ok: true }>;
}

/** A handler's answer when it needs more than a JSON body with the operation's code. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Headers = {},
  ) {}
}

export interface RestOperation<C, I = Record<string, unknown>> {
  readonly name: string;
  readonly method: HttpMethod;
  /** The model's URI template; `{label}` is one segment, `{label+}` the rest of the path. */
  readonly path: string;
  /** The model's success code (default 200). */
  readonly status?: number;
  /** The input members carried in the body, checked before `handle`. */
  readonly input?: StructureRule;
  /** Path labels checked like body members (the service names them in its messages). */
  readonly labels?: StructureRule;
  /** No SigV4 check (public endpoints). */
  readonly anonymous?: boolean;
  /** The SigV4 service name, when not the service's default. */
  readonly signingName?: string;
  handle(call: RestCall<C, I>): unknown | Promise<unknown>;
}

/** Declares one operation; the type parameter types the handler's validated body. */
export function op<C, I = Record<string, unknown>>(operation: RestOperation<C, I>): RestOperation<C, unknown> {
  return operation as unknown as RestOperation<C, unknown>;
}

interface Compiled<C> {
  op: RestOperation<C, unknown>;
  re: RegExp;
  names: string[];
  literal: number;
}

function compile<C>(operation: RestOperation<C, unknown>): Compiled<C> {
  const names: string[] = [];
  let literal = 0;
  const source = operation.path.replace(/\{([A-Za-z0-9_]+)(\+?)\}|[^{]+/g, (part, name?: string, greedy?: string) => {
    if (!name) {
      literal += part.length;
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    }
    names.push(name);
    return greedy ? '(.+)' : '([^/]+)';
  });
  return { op: operation, re: new RegExp(`^${source}$`), names, literal };
}

export interface RestServiceOptions<C> {
  /** SigV4 check of a request for a signing service name. */
  verify(req: EmuRequest, service?: string): Promise<SigV4Result>;
  /** Serve only paths under these prefixes (cheap pre-filter); default: any path an operation matches. */
  prefixes?: readonly string[];
  ctx: C;
}

function parseBody(req: EmuRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const v = JSON.parse(req.body.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new ApiError(400, 'SerializationException', 'Could not parse the request body as JSON');
}

function decodeLabel(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, 'ValidationException', 'The request path could not be decoded');
  }
}

/** Finds the operation for a path: among templates that match, the one with the most literal characters. */
function route<C>(table: Compiled<C>[], method: string, path: string) {
  let best: { c: Compiled<C>; m: RegExpExecArray } | undefined;
  let pathMatched = false;
  for (const c of table) {
    const m = c.re.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (c.op.method !== method) continue;
    if (!best || c.literal > best.c.literal) best = { c, m };
  }
  return { best, pathMatched };
}

export function restJsonService<C>(operations: RestOperation<C, unknown>[], options: RestServiceOptions<C>): Handler {
  const table = operations.map(compile);
  return async (req, res) => {
    const path = req.rawPath;
    if (options.prefixes && !options.prefixes.some((p) => path.startsWith(p))) return false;
    const { best, pathMatched } = route(table, req.method, path);
    if (!best) {
      if (!pathMatched) return false;
      sendAwsError(res, 405, 'UnknownOperationException', 'UnknownOperationException');
      return true;
    }
    try {
      await run(best.c, best.m, req, res, options);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (!res.headersSent) sendAwsError(res, e.status, e.type, e.message, e.extra);
    }
    return true;
  };
}

async function run<C>(
  c: Compiled<C>,
  m: RegExpExecArray,
  req: EmuRequest,
  res: ServerResponse,
  options: RestServiceOptions<C>,
): Promise<void> {
  const { op: operation } = c;
  let caller: RestCall<C>['caller'];
  if (!operation.anonymous) {
    const sig = await options.verify(req, operation.signingName);
    if (!sig.ok) throw new ApiError(sig.status, sig.type, sig.message);
    caller = sig;
  }
  const params: Record<string, string> = {};
  c.names.forEach((name, i) => {
    params[name] = decodeLabel(m[i + 1] ?? '');
  });
  if (operation.labels) validate(params, operation.labels);
  const body = req.method === 'GET' || req.method === 'DELETE' ? {} : parseBody(req);
  if (operation.input) validate(body, operation.input);
  const query = new URLSearchParams(req.rawQuery);
  const call: RestCall<C> = { ctx: options.ctx, body, params, query, req, res, ...(caller ? { caller } : {}) };
  const out = await operation.handle(call);
  if (res.headersSent) return;
  const status = operation.status ?? 200;
  if (out instanceof Reply) sendJson(res, out.status, out.body, out.headers);
  else sendJson(res, status, status === 204 ? undefined : (out ?? {}));
}
