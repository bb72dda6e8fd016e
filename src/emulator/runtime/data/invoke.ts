/**
 * InvokeAgentRuntime (`POST /runtimes/{agentRuntimeArn}/invocations`), SigV4 or bearer as the endpoint's configuration
 * says: inbound check, header members, the MCP Accept rule, a workload access token for the caller, then the request
 * forwarded to the agent by the container contract (forward.ts) and the answer streamed back.
 *
 * This is the stack's hot path (bench/emulator-runtime.mjs): no URL object, cached tokens and memoised settings, one
 * forward object per request, the built-in agent called in-process.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { HEADERS } from '../../../wire.js';
import { ApiError } from '../../api/errors.js';
import type { EmuRequest } from '../../server.js';
import type { AgentConfig } from '../config.js';
import { header, sendJson, type MintInput } from '../deps.js';
import { forwardInProcess, forwardToAgent, type ForwardInput } from '../forward.js';
import type { RuntimeContext } from '../runtime-context.js';
import { authenticate, checkInvokeHeaders, sessionIdOf, type Caller } from './caller.js';
import type { Target } from './target.js';

export const MCP_ACCEPT_MESSAGE =
  'Accept Header Error - MCP protocol requires Accept header: application/json, text/event-stream';

export async function invokeAgentRuntime(
  ctx: RuntimeContext,
  req: EmuRequest,
  res: ServerResponse,
  t: Target,
): Promise<void> {
  const caller = await authenticate(ctx, req, t);
  const sessionId = sessionIdOf(req, caller, false) ?? randomUUID();
  checkInvokeHeaders(req);
  // MCP-protocol runtimes insist on the streamable-HTTP Accept header (agentcore-errors.md §3).
  if (t.agent.protocol === 'MCP' && !acceptsMcp(req)) return refuseMcpAccept(req, res);
  const wat = await workloadToken(ctx, t.agent, caller);
  ctx.sessions.touch(t.agent.id, sessionId);
  const requestId = String(res.getHeader(HEADERS.amznRequestId) ?? randomUUID());
  const sample = t.agent.agentUrl ? undefined : (ctx.sample ?? (await ctx.sampleAgent()));
  const agentUrl = sample ? sample.url : t.agent.agentUrl;
  if (!agentUrl)
    throw new ApiError(
      424,
      'RuntimeClientError',
      `Agent ${t.agent.name} has no container: set agentUrl in the config or --agent-url`,
    );
  const forward: ForwardInput = { req, res, agent: t.agent, agentUrl, sessionId, requestId, workloadAccessToken: wat };
  if (ctx.deps.log) forward.log = ctx.deps.log;
  if (sample) await forwardInProcess(forward, sample.agent);
  else await forwardToAgent(forward);
}

function acceptsMcp(req: EmuRequest): boolean {
  const accept = header(req.headers, 'accept') ?? '';
  return /application\/json/i.test(accept) && /text\/event-stream/i.test(accept);
}

function refuseMcpAccept(req: EmuRequest, res: ServerResponse): void {
  let id: unknown = null;
  try {
    id = (JSON.parse(req.body.toString('utf8')) as { id?: unknown }).id ?? null;
  } catch {
    /* not JSON-RPC: id null */
  }
  sendJson(
    res,
    406,
    { jsonrpc: '2.0', error: { code: -32011, message: MCP_ACCEPT_MESSAGE }, id },
    { 'x-amzn-errortype': 'McpRequestUnacceptableException' },
  );
}

/**
 * The workload access token the agent receives: minted for the JWT, or for the SigV4 caller's user id (reused while
 * fresh). A user id next to a bearer token is ignored (AgentCore logs a warning); SigV4 without one gets no token.
 */
async function workloadToken(ctx: RuntimeContext, agent: AgentConfig, caller: Caller): Promise<string | undefined> {
  let mint: MintInput | undefined;
  if (caller.mode === 'jwt') mint = { workloadName: agent.workloadName, userToken: caller.token };
  else if (caller.userId !== undefined) mint = { workloadName: agent.workloadName, userId: caller.userId };
  if (!mint) return undefined;
  return (
    ctx.wats.peek(mint) ??
    (await ctx.wats.get(
      mint,
      (i) => ctx.deps.mintWorkloadAccessToken(i),
      caller.mode === 'jwt' && caller.exp ? caller.exp * 1000 : undefined,
    ))
  );
}
