/**
 * The gateway's MCP endpoint (streamable HTTP, answers as JSON): POST `/gateways/{id}/mcp` — inbound authorization,
 * the REQUEST interceptor (whose transformedGatewayResponse short-circuits), initialize / ping / tools/list /
 * tools/call, the RESPONSE interceptor (which runs after a short-circuit too, for MCP targets). `initialize` issues an
 * Mcp-Session-Id only when the gateway has sessionConfiguration (3P-NOTES); an unknown or expired session is 404.
 * Response streaming (streamingConfiguration) is not emulated: answers are always one JSON body.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { GATEWAY } from '../../../wire.js';
import { sendJson } from '../../respond.js';
import type { EmuRequest } from '../../server.js';
import type { GatewayRecord } from '../model.js';
import { isObject, type JsonObject } from '../util.js';
import { type GatewayCall, type TraceLog, failureText } from './call.js';
import { type InboundEnv, authenticate, sendRefusal } from './inbound.js';
import { type McpResponse, mcpRequest, mcpResponse } from './interceptors.js';
import { type Answer, type ToolsEnv, callTool, listTools } from './tools.js';

export interface DataEnv extends InboundEnv, ToolsEnv {
  deps: InboundEnv['deps'];
  traces: TraceLog;
  sessions: Sessions;
}

/** Mcp-Session-Id → gateway and idle deadline (sessionTimeoutInSeconds, default 3600; idle timeout UNVERIFIED). */
export class Sessions {
  readonly #byId = new Map<string, { gatewayId: string; until: number }>();
  constructor(
    private readonly now: () => number,
    private readonly max = 10_000,
  ) {}

  open(g: GatewayRecord): string {
    const id = randomUUID();
    this.#byId.set(id, { gatewayId: g.gatewayId, until: this.now() + timeoutMs(g) });
    if (this.#byId.size > this.max) this.#byId.delete(this.#byId.keys().next().value!);
    return id;
  }

  /** True when the session is this gateway's and alive (its deadline moves on). */
  touch(g: GatewayRecord, id: string): boolean {
    const s = this.#byId.get(id);
    if (!s || s.gatewayId !== g.gatewayId) return false;
    if (s.until <= this.now()) {
      this.#byId.delete(id);
      return false;
    }
    s.until = this.now() + timeoutMs(g);
    return true;
  }

  close(g: GatewayRecord, id: string): boolean {
    const s = this.#byId.get(id);
    if (!s || s.gatewayId !== g.gatewayId) return false;
    this.#byId.delete(id);
    return true;
  }
}

const timeoutMs = (g: GatewayRecord) =>
  (g.protocolConfiguration?.mcp?.sessionConfiguration?.sessionTimeoutInSeconds ?? 3600) * 1000;

function versions(g: GatewayRecord): readonly string[] {
  const v = g.protocolConfiguration?.mcp?.supportedVersions;
  return v?.length ? v : GATEWAY.mcpVersions;
}

function initialize(
  env: DataEnv,
  g: GatewayRecord,
  params: JsonObject,
): { answer: Answer; headers: Record<string, string> } {
  const supported = versions(g);
  const asked = typeof params.protocolVersion === 'string' ? params.protocolVersion : '';
  const protocolVersion = supported.includes(asked) ? asked : [...supported].sort().at(-1)!;
  const mcp = g.protocolConfiguration?.mcp;
  const headers: Record<string, string> = mcp?.sessionConfiguration ? { 'mcp-session-id': env.sessions.open(g) } : {};
  return {
    headers,
    answer: {
      result: {
        protocolVersion,
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: g.name, version: '1.0.0' },
        ...(mcp?.instructions ? { instructions: mcp.instructions } : {}),
      },
    },
  };
}

/** The gateway's own answer to one JSON-RPC message (between the interceptors). */
async function dispatch(
  env: DataEnv,
  call: GatewayCall,
  body: unknown,
  interceptorHeaders: Record<string, string> | undefined,
): Promise<McpResponse> {
  const msg = isObject(body) ? body : {};
  const id = msg.id;
  const params = isObject(msg.params) ? msg.params : {};
  if (msg.jsonrpc !== '2.0' || typeof msg.method !== 'string')
    return rpc(400, id ?? null, { error: { code: -32600, message: 'Invalid Request' } });
  if (id === undefined) return { statusCode: 202, headers: {}, body: undefined }; // a notification
  let headers: Record<string, string> = {};
  let answer: Answer;
  try {
    switch (msg.method) {
      case 'initialize':
        ({ answer, headers } = initialize(env, call.gateway, params));
        break;
      case 'ping':
        answer = { result: {} };
        break;
      case 'tools/list':
        answer = await listTools(env, call, params);
        break;
      case 'tools/call':
        answer = await callTool(env, call, params, interceptorHeaders);
        break;
      case 'prompts/list':
        answer = { result: { prompts: [] } };
        break;
      case 'resources/list':
        answer = { result: { resources: [] } };
        break;
      default:
        answer = { error: { code: -32601, message: `Method not found: ${msg.method}` } };
    }
  } catch (e) {
    answer = { error: { code: -32603, message: failureText(call.gateway, e) } };
  }
  return rpc(200, id, answer, headers);
}

function rpc(statusCode: number, id: unknown, answer: Answer, headers: Record<string, string> = {}): McpResponse {
  return { statusCode, headers, body: { jsonrpc: '2.0', id, ...answer } };
}

function parse(req: EmuRequest): { ok: true; body: unknown } | { ok: false } {
  try {
    return { ok: true, body: JSON.parse(req.body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

export async function servePost(env: DataEnv, g: GatewayRecord, req: EmuRequest, res: ServerResponse): Promise<void> {
  const parsed = parse(req);
  const id = parsed.ok && isObject(parsed.body) ? parsed.body.id : null;
  const auth = await authenticate(env, g, req);
  if (!auth.ok) return sendRefusal(res, auth.refusal, id);
  if (!parsed.ok)
    return sendJson(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  if (!isObject(parsed.body))
    return sendJson(res, 400, {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request (batches are not supported)' },
    });
  const session = req.headers['mcp-session-id'];
  if (parsed.body.method !== 'initialize' && typeof session === 'string' && !env.sessions.touch(g, session))
    return sendJson(res, 404, { jsonrpc: '2.0', id, error: { code: -32001, message: 'Session not found' } });
  const requestId = randomUUID();
  res.setHeader('x-amzn-requestid', requestId);
  const call: GatewayCall = {
    requestId,
    gateway: g,
    inbound: auth.inbound,
    headers: req.headers,
    ...(req.raw.socket.remoteAddress ? { sourceIp: req.raw.socket.remoteAddress } : {}),
    trace: [],
  };
  const exchange = { raw: req.body.toString('utf8'), body: parsed.body };
  let response: McpResponse;
  try {
    const r = await mcpRequest(env.deps.lambdas, call, exchange);
    response =
      r.kind === 'respond'
        ? { statusCode: r.statusCode, headers: r.headers ?? {}, body: r.body }
        : await dispatch(env, call, r.body, r.headers);
    response = await mcpResponse(env.deps.lambdas, call, exchange, response);
  } catch (e) {
    const text = failureText(g, e);
    response =
      parsed.body.method === 'tools/call'
        ? rpc(200, id, { result: { content: [{ type: 'text', text }], isError: true } })
        : rpc(200, id, { error: { code: -32603, message: text } });
  }
  env.traces.put(call);
  send(res, response);
}

function send(res: ServerResponse, r: McpResponse): void {
  if (r.body === undefined || r.body === null) {
    res.writeHead(r.statusCode, { ...r.headers, 'content-length': 0 }).end();
    return;
  }
  sendJson(res, r.statusCode, r.body, r.headers);
}

/** DELETE /mcp ends a session; GET /mcp (a server-to-client stream) is not offered. */
export function serveOther(env: DataEnv, g: GatewayRecord, req: EmuRequest, res: ServerResponse): void {
  if (req.method === 'DELETE') {
    const s = req.headers['mcp-session-id'];
    const ok = typeof s === 'string' && env.sessions.close(g, s);
    res.writeHead(ok ? 200 : typeof s === 'string' ? 404 : 400, { 'content-length': 0 }).end();
    return;
  }
  res.writeHead(405, { allow: 'POST, DELETE', 'content-length': 0 }).end();
}
