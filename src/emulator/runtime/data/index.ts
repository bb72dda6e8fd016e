/**
 * The runtime data plane as a table: each operation a path suffix after `/runtimes/{agentRuntimeArn}/`, a method and
 * one handler. The router (runtime/index.ts) finds the operation with one lookup, resolves the endpoint, and turns a
 * thrown ApiError into the service's answer (a 401 of a JWT runtime into the JSON-RPC envelope with its challenge).
 */
import type { ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.js';
import { sendAwsError, sendUnauthorized } from '../deps.js';
import type { EmuRequest } from '../../server.js';
import type { RuntimeContext } from '../runtime-context.js';
import { Unauthorized } from './caller.js';
import { invokeAgentRuntime } from './invoke.js';
import { getProtectedResourceMetadata } from './metadata.js';
import { stopRuntimeSession } from './stop-session.js';
import type { Target } from './target.js';

export interface DataOperation {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  handle(ctx: RuntimeContext, req: EmuRequest, res: ServerResponse, t: Target): Promise<void>;
}

/** Path suffix → operation. */
export const DATA_OPERATIONS: ReadonlyMap<string, DataOperation> = new Map([
  ['invocations', { name: 'InvokeAgentRuntime', method: 'POST', handle: invokeAgentRuntime }],
  ['stopruntimesession', { name: 'StopRuntimeSession', method: 'POST', handle: stopRuntimeSession }],
  [
    'invocations/.well-known/oauth-protected-resource',
    { name: 'GetProtectedResourceMetadata', method: 'GET', handle: getProtectedResourceMetadata },
  ],
] as const);

/** A data-plane refusal as the service sends it. */
export function sendDataError(res: ServerResponse, e: unknown): void {
  if (!(e instanceof ApiError)) throw e;
  if (res.headersSent) return;
  if (e instanceof Unauthorized) sendUnauthorized(res, e.message, e.challenge);
  else sendAwsError(res, e.status, e.type, e.message, e.extra);
}

export { MCP_ACCEPT_MESSAGE } from './invoke.js';
export { resolveTarget } from './target.js';
