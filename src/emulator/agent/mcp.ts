/**
 * A minimal MCP server for agents with protocol MCP (POST /mcp): one handler per JSON-RPC method — initialize, ping,
 * tools/list, tools/call (tools `whoami` and `token`) — answered as JSON. A notification (no id) gets 202.
 */
import { randomUUID } from 'node:crypto';
import { HEADERS } from '../../wire.js';
import { one, sendJsonTo, type AgentRequest, type AgentSink, type SampleAgentContext } from './agent-context.js';
import { providerToken } from './provider-token.js';
import { whoami } from './whoami.js';

interface McpCall {
  ctx: SampleAgentContext;
  req: AgentRequest;
  id: unknown;
  params: Record<string, unknown>;
  wat: string | undefined;
  sink: AgentSink;
}

const TOOLS = [
  {
    name: 'whoami',
    description: 'Who called, the session, and whether a workload access token arrived (fingerprints only)',
    inputSchema: { type: 'object', properties: {} },
  },
  {
    name: 'token',
    description:
      'GetResourceOauth2Token with the workload access token: the authorization URL, or the token fingerprint ' +
      'once bound',
    inputSchema: {
      type: 'object',
      properties: { provider: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } },
      required: ['provider'],
    },
  },
];

const result = (c: McpCall, value: unknown, headers = {}) =>
  sendJsonTo(c.sink, 200, { jsonrpc: '2.0', id: c.id, result: value }, headers);
const failure = (c: McpCall, code: number, message: string) =>
  sendJsonTo(c.sink, 200, { jsonrpc: '2.0', id: c.id, error: { code, message } });
const text = (v: unknown) => ({
  content: [{ type: 'text', text: JSON.stringify(v) }],
  structuredContent: v,
  isError: false,
});

async function callTool(c: McpCall): Promise<void> {
  const args = (c.params.arguments ?? {}) as Record<string, unknown>;
  if (c.params.name === 'whoami') return result(c, text(whoami(c.ctx, c.req, {}, c.wat)));
  if (c.params.name !== 'token') return failure(c, -32602, `Unknown tool: ${String(c.params.name)}`);
  const events: Record<string, unknown>[] = [];
  await providerToken(c.ctx, 'token', {
    payload: args,
    wat: c.wat,
    callbackUrl: one(c.req.headers[HEADERS.oauth2CallbackUrl.toLowerCase()]),
    sse: false,
    emit: (e) => events.push(e),
    gone: () => c.sink.destroyed === true,
  });
  const last = events[events.length - 1] ?? {};
  result(c, { ...text(last), isError: last.type === 'error' });
}

const METHODS: Record<string, (c: McpCall) => void | Promise<void>> = {
  initialize: (c) =>
    result(
      c,
      {
        protocolVersion: typeof c.params.protocolVersion === 'string' ? c.params.protocolVersion : '2025-03-26',
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: 'agentcore-auth sample agent', version: '1.0.0' },
      },
      { [HEADERS.mcpSessionId]: one(c.req.headers[HEADERS.mcpSessionId.toLowerCase()]) ?? randomUUID() },
    ),
  ping: (c) => result(c, {}),
  'tools/list': (c) => result(c, { tools: TOOLS }),
  'tools/call': callTool,
};

export async function mcp(
  ctx: SampleAgentContext,
  req: AgentRequest,
  msg: Record<string, unknown>,
  wat: string | undefined,
  sink: AgentSink,
): Promise<void> {
  if (msg.id === undefined) {
    sink.writeHead(202, { 'content-length': 0 });
    sink.end();
    return;
  }
  const c: McpCall = { ctx, req, id: msg.id, params: (msg.params ?? {}) as Record<string, unknown>, wat, sink };
  const method = typeof msg.method === 'string' && Object.hasOwn(METHODS, msg.method) ? METHODS[msg.method] : undefined;
  if (!method) return failure(c, -32601, `Method not found: ${String(msg.method)}`);
  await method(c);
}
