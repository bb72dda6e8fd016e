/**
 * awsJson1_1 services (Cognito) as a table of operations: `POST /` with `X-Amz-Target: <prefix>.<Operation>`, the
 * input checked against its shape (shapes.ts, `cognito` dialect), SigV4 verified for the operations that need it
 * (the admin API) and not for the public ones (InitiateAuth, SignUp, GetUser with an access token, …).
 */
import type { ServerResponse } from 'node:http';
import { sendAwsJson, sendAwsJsonError } from '../respond.js';
import type { EmuRequest, Handler } from '../server.js';
import type { SigV4Result } from '../sigv4.js';
import { ApiError } from './errors.js';
import { validate, type StructureRule } from './shapes.js';

export interface JsonCall<C, I = Record<string, unknown>> {
  ctx: C;
  body: I;
  req: EmuRequest;
  res: ServerResponse;
  operation: string;
}

export interface JsonOperation<C, I = Record<string, unknown>> {
  readonly name: string;
  /** Checked before `handle` (Cognito's InvalidParameterException wording). */
  readonly input?: StructureRule;
  /** SigV4-signed (IAM) operations: the admin API. */
  readonly signed?: boolean;
  handle(call: JsonCall<C, I>): unknown | Promise<unknown>;
}

export function jsonOp<C, I = Record<string, unknown>>(operation: JsonOperation<C, I>): JsonOperation<C, unknown> {
  return operation as unknown as JsonOperation<C, unknown>;
}

export interface JsonServiceOptions<C> {
  ctx: C;
  /** `AWSCognitoIdentityProviderService.` */
  targetPrefix: string;
  signingName: string;
  verify(req: EmuRequest, service?: string): Promise<SigV4Result>;
  /** After a successful operation (e.g. a pool's lastModifiedDate). */
  after?(operation: string, body: Record<string, unknown>): void;
}

const NOT_A_STRUCTURE = 'Start of structure or map found where not expected.';

function parse(req: EmuRequest): Record<string, unknown> {
  let body: unknown;
  try {
    body = req.body.length ? JSON.parse(req.body.toString('utf8')) : {};
  } catch {
    throw new ApiError(400, 'SerializationException', NOT_A_STRUCTURE);
  }
  // `null`, a number, a string or an array parse as JSON but are not a structure
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ApiError(400, 'SerializationException', NOT_A_STRUCTURE);
  return body as Record<string, unknown>;
}

export function awsJsonService<C>(operations: JsonOperation<C, unknown>[], options: JsonServiceOptions<C>): Handler {
  const table = new Map(operations.map((o) => [o.name, o]));
  return async (req, res) => {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || req.rawPath !== '/' || typeof target !== 'string') return false;
    if (!target.startsWith(options.targetPrefix)) return false;
    const name = target.slice(options.targetPrefix.length);
    const operation = table.get(name);
    if (!operation) return false;
    try {
      const body = parse(req);
      if (operation.signed) {
        const sig = await options.verify(req, options.signingName);
        // awsJson services answer an IAM refusal with 400, as Cognito does
        if (!sig.ok) throw new ApiError(sig.status === 403 ? 400 : sig.status, sig.type, sig.message);
      }
      if (operation.input) validate(body, operation.input, 'cognito');
      const out = await operation.handle({ ctx: options.ctx, body, req, res, operation: name });
      options.after?.(name, body);
      if (!res.headersSent) sendAwsJson(res, out ?? {});
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (!res.headersSent) sendAwsJsonError(res, e.status, e.type, e.message);
    }
    return true;
  };
}
