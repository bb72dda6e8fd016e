/**
 * StopRuntimeSession (`POST /runtimes/{agentRuntimeArn}/stopruntimesession`): the same inbound check as an
 * invocation, a required session id, and 404 for a session the runtime does not have (never seen, stopped, or idle
 * longer than the runtime's idleRuntimeSessionTimeout).
 */
import type { ServerResponse } from 'node:http';
import { HEADERS } from '../../../wire.js';
import { notFound } from '../../api/errors.js';
import type { EmuRequest } from '../../server.js';
import { sendJson } from '../deps.js';
import type { RuntimeContext } from '../runtime-context.js';
import { authenticate, sessionIdOf } from './caller.js';
import type { Target } from './target.js';

export async function stopRuntimeSession(
  ctx: RuntimeContext,
  req: EmuRequest,
  res: ServerResponse,
  t: Target,
): Promise<void> {
  const caller = await authenticate(ctx, req, t);
  const sessionId = sessionIdOf(req, caller, true)!;
  if (!ctx.sessions.alive(t.agent.id, sessionId, t.entry.idleMs))
    throw notFound(`No active session ${sessionId} for agent runtime ${t.arn}`);
  ctx.sessions.forget(t.agent.id, sessionId);
  sendJson(res, 200, {}, { [HEADERS.sessionId]: sessionId });
}
