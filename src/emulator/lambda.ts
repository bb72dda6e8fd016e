/**
 * A user's Lambda functions (gateway interceptors, Lambda targets, Cognito triggers) are the user's own HTTP endpoints
 * speaking the Lambda Runtime Interface Emulator contract: `POST {url}/2015-03-31/functions/function/invocations` with
 * the event as the body, the function's result as the answer (so `sam local start-lambda`, the RIE container or a
 * ten-line node server all serve). `local --lambda ARN=URL` (or `lambdas:` in the config file) maps an ARN to one.
 * The stack never runs code of its own in a user's Lambda's place: an unmapped ARN fails as an unreachable function.
 */
import { request } from 'node:http';

/** `arn:aws:lambda:us-east-1:123456789012:function:name` with an optional `:qualifier` (version or alias). */
export const LAMBDA_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const RIE_PATH = '/2015-03-31/functions/function/invocations';
const DEFAULT_TIMEOUT_MS = 30_000;
/** Lambda's synchronous response payload limit (6 MB). */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

export type LambdaFailure =
  /** No `--lambda` mapping for the ARN (the function does not exist, as far as the stack can tell). */
  | 'unmapped'
  /** The endpoint refused the connection, timed out or answered something other than 200. */
  | 'unreachable'
  /** The function ran and threw (`errorType`/`errorMessage`, or `X-Amz-Function-Error`). */
  | 'function-error'
  /** The function answered, but not JSON. */
  | 'invalid-response';

export type LambdaResult =
  | { ok: true; payload: unknown; ms: number }
  | { ok: false; failure: LambdaFailure; message: string; ms: number };

export interface InvokeOptions {
  /** Lambda's client context (`context.clientContext.custom` in the function): sent base64-encoded as RIE takes it. */
  clientContext?: { custom?: Record<string, string>; env?: Record<string, string> };
  timeoutMs?: number;
}

/** Parses `ARN=URL` (the `--lambda` flag); throws a message naming what is wrong. */
export function parseLambdaMapping(spec: string): { arn: string; url: string } {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new Error(`expected ARN=URL, got "${spec}"`);
  const arn = spec.slice(0, eq).trim();
  const url = spec.slice(eq + 1).trim();
  checkMapping(arn, url);
  return { arn, url };
}

export function checkMapping(arn: string, url: string): void {
  if (!LAMBDA_ARN.test(arn))
    throw new Error(`"${arn}" is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a URL (the endpoint serving ${arn}, e.g. http://127.0.0.1:9000)`);
  }
  if (u.protocol !== 'http:') throw new Error(`"${url}" must be an http:// URL (the Runtime Interface Emulator's)`);
}

/** The function's name and qualifier-less ARN: `…:function:f:prod` is served by a mapping of `…:function:f`. */
function unqualified(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 7 ? parts.slice(0, 7).join(':') : arn;
}

export class Lambdas {
  readonly #map = new Map<string, string>();

  constructor(mappings: Record<string, string> = {}) {
    for (const [arn, url] of Object.entries(mappings)) this.set(arn, url);
  }

  set(arn: string, url: string): void {
    checkMapping(arn, url);
    this.#map.set(arn, url.replace(/\/+$/, ''));
  }

  /** The endpoint for an ARN (exact, else without its qualifier). */
  urlFor(arn: string): string | undefined {
    return this.#map.get(arn) ?? this.#map.get(unqualified(arn));
  }

  list(): Array<{ arn: string; url: string }> {
    return [...this.#map].map(([arn, url]) => ({ arn, url }));
  }

  async invoke(arn: string, event: unknown, options: InvokeOptions = {}): Promise<LambdaResult> {
    const started = Date.now();
    const base = this.urlFor(arn);
    if (!base) {
      return {
        ok: false,
        failure: 'unmapped',
        message: `No endpoint serves ${arn}: start the local stack with --lambda ${arn}=http://127.0.0.1:PORT`,
        ms: 0,
      };
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.clientContext)
      headers['x-amz-client-context'] = Buffer.from(JSON.stringify(options.clientContext)).toString('base64');
    const answer = await post(base + RIE_PATH, JSON.stringify(event ?? {}), headers, options.timeoutMs);
    const ms = Date.now() - started;
    if ('error' in answer) return { ok: false, failure: 'unreachable', message: `${base}: ${answer.error}`, ms };
    if (answer.status !== 200)
      return { ok: false, failure: 'unreachable', message: `${base} answered HTTP ${answer.status}`, ms };
    let payload: unknown;
    try {
      payload = answer.body.length ? JSON.parse(answer.body) : null;
    } catch {
      return { ok: false, failure: 'invalid-response', message: `${base} answered a body that is not JSON`, ms };
    }
    const fnError = answer.functionError || isErrorShape(payload);
    if (fnError) {
      const p = payload as { errorType?: string; errorMessage?: string } | null;
      const message = `${p?.errorType ?? 'Error'}: ${p?.errorMessage ?? 'the function failed'}`;
      return { ok: false, failure: 'function-error', message, ms };
    }
    return { ok: true, payload, ms };
  }
}

/** RIE answers a thrown error as 200 `{"errorMessage", "errorType"[, "stackTrace"]}`. */
function isErrorShape(p: unknown): boolean {
  if (!p || typeof p !== 'object' || Array.isArray(p)) return false;
  const keys = Object.keys(p);
  return 'errorMessage' in p && keys.every((k) => ['errorMessage', 'errorType', 'stackTrace', 'requestId'].includes(k));
}

function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<{ status: number; body: string; functionError: boolean } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy();
          resolve({ error: `the response is over ${MAX_RESPONSE_BYTES} bytes (Lambda's payload limit)` });
          return;
        }
        chunks.push(c);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          functionError: res.headers['x-amz-function-error'] !== undefined,
        }),
      );
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ error: `no answer within ${timeoutMs} ms` });
    });
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end(body);
  });
}
