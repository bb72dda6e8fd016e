/**
 * The sample agent's container contract, one handler per route and per payload action: `GET /ping`, and
 * `POST /invocations` (HTTP agents) / `POST /mcp` (MCP agents) whose JSON payload picks the action — whoami (the
 * default), token, apikey, stream, fail — or, for a JSON-RPC message, the MCP server (mcp.ts). With
 * `Accept: text/event-stream` the answer is SSE (`data: {json}` per event), otherwise one JSON document.
 */
import { HEADERS } from '../../wire.js';
import { one, sendJsonTo, type AgentRequest, type AgentSink, type SampleAgentContext } from './agent-context.js';
import { mcp } from './mcp.js';
import { providerToken, type Emit } from './provider-token.js';
import { whoami } from './whoami.js';

const WAT = HEADERS.workloadAccessTokenNew.toLowerCase();
const WAT_OLD = HEADERS.workloadAccessToken.toLowerCase();
const CALLBACK = HEADERS.oauth2CallbackUrl.toLowerCase();

/** One invocation's answer: SSE events as they come, or the events collected into one JSON document. */
class Answer {
  readonly events: unknown[] = [];
  constructor(
    readonly sink: AgentSink,
    readonly sse: boolean,
  ) {
    if (sse) sink.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  }
  emit(e: Record<string, unknown>): void {
    if (this.sse) this.sink.write(`data: ${JSON.stringify(e)}\n\n`);
    else this.events.push(e);
  }
  finish(): void {
    if (this.sse) {
      this.sink.end();
      return;
    }
    const body = JSON.stringify(this.events.length === 1 ? this.events[0] : { events: this.events });
    this.sink.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    this.sink.end(body);
  }
}

interface Invocation {
  ctx: SampleAgentContext;
  req: AgentRequest;
  payload: Record<string, unknown>;
  wat: string | undefined;
  answer: Answer;
}

async function stream({ payload, answer }: Invocation): Promise<void> {
  const count = Math.min(Math.max(Number(payload.count ?? 3) || 3, 1), 1000);
  for (let i = 1; i <= count; i++) {
    answer.emit({ type: 'chunk', index: i, of: count });
    if (answer.sse && i < count) await new Promise((r) => setTimeout(r, Number(payload.delayMs ?? 5)));
  }
}

function tokenAction(action: 'token' | 'apikey') {
  return (i: Invocation) =>
    providerToken(i.ctx, action, {
      payload: i.payload,
      wat: i.wat,
      callbackUrl: one(i.req.headers[CALLBACK]),
      sse: i.answer.sse,
      emit: ((e) => i.answer.emit(e)) as Emit,
      gone: () => i.answer.sink.destroyed === true,
    });
}

/** Payload `action` → what it emits (whoami when none or unknown). */
const ACTIONS: Record<string, (i: Invocation) => void | Promise<void>> = {
  whoami: (i) => i.answer.emit(whoami(i.ctx, i.req, i.payload, i.wat)),
  stream,
  token: tokenAction('token'),
  apikey: tokenAction('apikey'),
};

function payloadOf(raw: Buffer): Record<string, unknown> {
  try {
    const v = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { prompt: v };
  } catch {
    return { prompt: raw.toString('utf8') };
  }
}

async function invocation(ctx: SampleAgentContext, req: AgentRequest, sink: AgentSink): Promise<void> {
  ctx.invocations++;
  const payload = payloadOf(req.body);
  const wat = one(req.headers[WAT]) ?? one(req.headers[WAT_OLD]);
  const action = typeof payload.action === 'string' ? payload.action : 'whoami';
  if (action === 'fail') {
    const status = typeof payload.status === 'number' ? payload.status : 500;
    return sendJsonTo(sink, status, { error: `failing on purpose with ${status}` });
  }
  if (payload.jsonrpc === '2.0' && typeof payload.method === 'string') return mcp(ctx, req, payload, wat, sink);
  const answer = new Answer(sink, String(req.headers.accept ?? '').includes('text/event-stream'));
  const run = Object.hasOwn(ACTIONS, action) ? ACTIONS[action]! : ACTIONS.whoami!;
  const pending = run({ ctx, req, payload, wat, answer });
  if (pending) await pending;
  answer.finish();
}

/** The container: GET /ping, POST /invocations (HTTP agents), POST /mcp (MCP agents). */
export async function handle(ctx: SampleAgentContext, req: AgentRequest, sink: AgentSink): Promise<void> {
  if (req.method === 'GET' && req.path === '/ping')
    return sendJsonTo(sink, 200, { status: 'Healthy', time_of_last_update: Math.floor(Date.now() / 1000) });
  if (req.method === 'POST' && (req.path === '/invocations' || req.path === '/mcp' || req.path === '/'))
    return invocation(ctx, req, sink);
  sendJsonTo(sink, 404, {
    error: 'not found: the container contract is POST /invocations (MCP agents: POST /mcp) and GET /ping',
  });
}
