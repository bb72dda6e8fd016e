/**
 * The gateway as an MCP client of a target server (streamable HTTP): the initialize handshake (+ the
 * notifications/initialized notification), the server's Mcp-Session-Id kept per (endpoint, outbound credential) and
 * re-established when the server forgets it (404), answers read as JSON or as an SSE stream.
 */
import { GATEWAY } from '../../../wire.js';
import { fingerprint } from '../../runtime/jwt-authorizer.js';
import { GatewayFailure } from '../data/call.js';
import type { OutboundAuth } from '../outbound/credentials.js';
import { send, signRequest, type OutboundResponse } from '../outbound/http.js';
import { isObject } from '../util.js';

export interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

interface Session {
  id?: string;
  version: string;
}

const parsedUrls = new Map<string, URL>();
/** The endpoint's URL (parsed once per endpoint), with the credential's query parameters when there are any. */
function urlOf(endpoint: string, query: Record<string, string>): URL {
  let u = parsedUrls.get(endpoint);
  if (!u) {
    u = new URL(endpoint);
    if (parsedUrls.size > 1000) parsedUrls.clear();
    parsedUrls.set(endpoint, u);
  }
  const entries = Object.entries(query);
  if (!entries.length) return u;
  const copy = new URL(u);
  for (const [k, v] of entries) copy.searchParams.set(k, v);
  return copy;
}

const CLIENT_VERSION = GATEWAY.mcpVersions[GATEWAY.mcpVersions.length - 1]!;
const MAX_SESSIONS = 1000;

/** The JSON-RPC messages of an answer: a JSON body, or the `data:` events of an SSE stream. */
export function parseRpcBody(contentType: string | undefined, body: string): unknown[] {
  if (contentType?.includes('text/event-stream')) {
    const out: unknown[] = [];
    for (const event of body.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data) continue;
      try {
        out.push(JSON.parse(data));
      } catch {
        /* not JSON: skipped */
      }
    }
    return out;
  }
  if (!body.trim()) return [];
  const doc = JSON.parse(body) as unknown;
  return Array.isArray(doc) ? doc : [doc];
}

export class McpTargetClient {
  readonly #sessions = new Map<string, Session>();
  #nextId = 1;

  async #post(
    endpoint: string,
    auth: OutboundAuth,
    extraHeaders: Record<string, string>,
    message: Record<string, unknown>,
    session?: Session,
  ): Promise<OutboundResponse> {
    const url = urlOf(endpoint, auth.query);
    const headers: Record<string, string> = {
      ...extraHeaders,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...auth.headers,
      ...(session?.id ? { 'mcp-session-id': session.id } : {}),
      ...(session ? { 'mcp-protocol-version': session.version } : {}),
    };
    const req = { method: 'POST', url, headers, body: JSON.stringify(message) };
    if (auth.sign) await signRequest(req, auth.sign.credentials, auth.sign.service, auth.sign.region);
    const r = await send(req);
    if (!r.ok) throw new GatewayFailure(`MCP server ${url.origin}${url.pathname} unreachable: ${r.error}`);
    return r.response;
  }

  /** Sessions are per (endpoint, credential): the endpoint alone when the target is called without one. */
  #key(endpoint: string, auth: OutboundAuth): string {
    const authorization = auth.headers.authorization;
    if (!authorization && !auth.sign && !Object.keys(auth.query).length) return endpoint;
    const who = authorization ?? JSON.stringify(auth.query) + (auth.sign?.credentials.accessKeyId ?? '');
    return `${endpoint} ${fingerprint(who)}`;
  }

  async #session(endpoint: string, auth: OutboundAuth, headers: Record<string, string>): Promise<Session> {
    const key = this.#key(endpoint, auth);
    const known = this.#sessions.get(key);
    if (known) return known;
    const id = this.#nextId++;
    const res = await this.#post(endpoint, auth, headers, {
      jsonrpc: '2.0',
      id,
      method: 'initialize',
      params: {
        protocolVersion: CLIENT_VERSION,
        capabilities: {},
        clientInfo: { name: 'bedrock-agentcore-gateway', version: '1.0.0' },
      },
    });
    const answer = this.#answer(res, id, endpoint, 'initialize');
    if (answer.error) throw new GatewayFailure(`MCP initialization failed: ${answer.error.message}`);
    const sid = res.headers['mcp-session-id'];
    const version =
      isObject(answer.result) && typeof answer.result.protocolVersion === 'string'
        ? answer.result.protocolVersion
        : CLIENT_VERSION;
    const session: Session = { version, ...(typeof sid === 'string' ? { id: sid } : {}) };
    await this.#post(endpoint, auth, headers, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    this.#sessions.set(key, session);
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    return session;
  }

  #answer(res: OutboundResponse, id: number, endpoint: string, method: string): RpcAnswer {
    const text = res.body.toString('utf8');
    let messages: unknown[];
    try {
      messages = parseRpcBody(String(res.headers['content-type'] ?? ''), text);
    } catch {
      messages = [];
    }
    const match = messages.find((m) => isObject(m) && m.id === id && ('result' in m || 'error' in m)) as
      | RpcAnswer
      | undefined;
    if (match) return match;
    if (res.status === 401 || res.status === 403)
      throw new GatewayFailure(
        `MCP server ${endpoint} refused ${method} with HTTP ${res.status}` +
          (res.headers['www-authenticate'] ? ` (WWW-Authenticate: ${String(res.headers['www-authenticate'])})` : ''),
        'Authorization error when sending message',
      );
    throw new GatewayFailure(
      `MCP server ${endpoint} answered ${method} with HTTP ${res.status} and no JSON-RPC answer`,
    );
  }

  /** One JSON-RPC request to the server, in a session (re-initialized once if the server forgot it). */
  async request(
    endpoint: string,
    auth: OutboundAuth,
    method: string,
    params: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<RpcAnswer> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.#session(endpoint, auth, headers);
      const id = this.#nextId++;
      const res = await this.#post(endpoint, auth, headers, { jsonrpc: '2.0', id, method, params }, session);
      if (res.status === 404 && session.id && attempt === 0) {
        this.#sessions.delete(this.#key(endpoint, auth));
        continue;
      }
      return this.#answer(res, id, endpoint, method);
    }
  }

  /** Every tool of the server (tools/list followed through its cursors). */
  async listTools(endpoint: string, auth: OutboundAuth): Promise<Array<Record<string, unknown>>> {
    const tools: Array<Record<string, unknown>> = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const a = await this.request(endpoint, auth, 'tools/list', cursor ? { cursor } : {});
      if (a.error) throw new GatewayFailure(`tools/list failed on ${endpoint}: ${a.error.message}`);
      const r = a.result as { tools?: unknown; nextCursor?: unknown } | undefined;
      if (Array.isArray(r?.tools)) tools.push(...(r.tools.filter(isObject) as Array<Record<string, unknown>>));
      cursor = typeof r?.nextCursor === 'string' && r.nextCursor ? r.nextCursor : undefined;
      if (!cursor) break;
    }
    return tools;
  }
}
