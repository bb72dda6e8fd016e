/**
 * Shared by the identity data and control planes: the modelled error, request-body validation worded as AWS words it
 * (`Value at 'workloadName' failed to satisfy constraint: Member must have length greater than or equal to 3`), and a
 * tiny router for `POST /identities/<Operation>` restJson1 operations.
 */
import type { ServerResponse } from 'node:http';
import { sendAwsError, sendJson } from '../respond.js';
import type { EmuRequest, Handler } from '../server.js';
import type { EmuContext } from '../context.js';
import { ApiError, validation } from '../api/errors.js';

export { ApiError, accessDenied, conflict, notFound, validation, validationMessage } from '../api/errors.js';

export interface StrRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
}

type Body = Record<string, unknown>;

export function reqString(body: Body, field: string, rule: StrRule = {}, path = field): string {
  const v = body[field];
  if (v === undefined || v === null) throw validation(path, 'Member must not be null');
  return checkString(v, path, rule);
}

export function optString(body: Body, field: string, rule: StrRule = {}, path = field): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  return checkString(v, path, rule);
}

export function checkString(v: unknown, path: string, rule: StrRule): string {
  if (typeof v !== 'string')
    throw new ApiError(400, 'ValidationException', `Value at '${path}' must be a string`, { reason: 'CannotParse' });
  if (rule.min !== undefined && v.length < rule.min)
    throw validation(path, `Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && v.length > rule.max)
    throw validation(path, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(v))
    throw validation(path, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
  return v;
}

export function optStringList(
  body: Body,
  field: string,
  rule: StrRule = {},
  listRule: { min?: number; max?: number } = {},
): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v))
    throw new ApiError(400, 'ValidationException', `Value at '${field}' must be a list`, { reason: 'CannotParse' });
  if (listRule.min !== undefined && v.length < listRule.min)
    throw validation(field, `Member must have length greater than or equal to ${listRule.min}`);
  if (listRule.max !== undefined && v.length > listRule.max)
    throw validation(field, `Member must have length less than or equal to ${listRule.max}`);
  return v.map((x, i) => checkString(x, `${field}.${i + 1}.member`, rule));
}

export function optBool(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean')
    throw new ApiError(400, 'ValidationException', `Value at '${field}' must be a boolean`, { reason: 'CannotParse' });
  return v;
}

export function optMap(body: Body, field: string): Record<string, unknown> | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ApiError(400, 'ValidationException', `Value at '${field}' must be a structure`, {
      reason: 'CannotParse',
    });
  return v as Record<string, unknown>;
}

export function parseBody(req: EmuRequest): Body {
  if (req.body.length === 0) return {};
  try {
    const v = JSON.parse(req.body.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Body;
  } catch {
    /* fall through */
  }
  throw new ApiError(400, 'SerializationException', 'Could not parse the request body as JSON');
}

export type Operation = (
  body: Body,
  req: EmuRequest,
  res: ServerResponse,
) => Promise<{ status?: number; body?: unknown } | undefined>;

/** A restJson1 `POST <path>` router; every operation is SigV4-verified first. */
export function createRouter(ctx: EmuContext, routes: Record<string, Operation>): Handler {
  return async (req, res) => {
    const op = routes[req.url.pathname];
    if (!op) return false;
    if (req.method !== 'POST') {
      sendAwsError(res, 405, 'UnknownOperationException', 'UnknownOperationException');
      return true;
    }
    try {
      const sig = await ctx.verify(req);
      if (!sig.ok) throw new ApiError(sig.status, sig.type, sig.message);
      const out = await op(parseBody(req), req, res);
      if (res.headersSent) return true;
      const status = out?.status ?? 200;
      if (status === 204) sendJson(res, 204, undefined);
      else sendJson(res, status, out?.body ?? {});
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      sendAwsError(res, e.status, e.type, e.message, e.extra);
    }
    return true;
  };
}

export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
