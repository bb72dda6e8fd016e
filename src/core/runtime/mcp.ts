/**
 * A small MCP client (streamable HTTP, JSON-RPC 2.0) over two transports: a Runtime agent through InvokeAgentRuntime
 * (either inbound mode) and a Gateway `/mcp` URL. Sequence: initialize → notifications/initialized → tools/list
 * (following nextCursor) → tools/call. The Mcp-Session-Id the server returns is echoed on every later request; the
 * inbound credentials are applied by the transport on every request, never dropped.
 * A JSON-RPC error -32042 (URL-mode elicitation: 3LO consent needed) is surfaced as McpElicitationError.
 */
import { AgentcoreAuthError } from '../errors.js';
import { MCP_PROTOCOL_VERSION, MCP_URL_ELICITATION_CODE } from '../../wire.js';
import { parseSse } from './sse.js';

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export interface McpRequestMeta {
  method: string;
  /** Tool name / resource URI / prompt name, for the Mcp-Name header. */
  name?: string;
  sessionId?: string;
  protocolVersion?: string;
}

export interface McpExchange {
  status: number;
  contentType?: string;
  sessionId?: string;
  protocolVersion?: string;
  /** The service's request id (x-amzn-requestid), when it sent one. */
  requestId?: string;
  messages: JsonRpcMessage[];
}

export interface McpTransport {
  /** Where requests go, for messages. */
  readonly label: string;
  post(message: JsonRpcMessage, meta: McpRequestMeta): Promise<McpExchange>;
}

export interface Elicitation {
  mode?: string;
  elicitationId?: string;
  url?: string;
  message?: string;
}

export class McpRpcError extends AgentcoreAuthError {
  constructor(
    readonly rpc: { code: number; message: string; data?: unknown },
    method: string,
  ) {
    super('ERR_REMOTE', `${method} failed: JSON-RPC error ${rpc.code}: ${rpc.message}`, {
      details: { operation: method, rpcCode: rpc.code },
    });
  }
}

export class McpElicitationError extends AgentcoreAuthError {
  constructor(
    readonly elicitations: Elicitation[],
    readonly tool: string,
    message: string,
  ) {
    const url = elicitations.find((e) => e.url)?.url;
    super(
      'ERR_AUTH',
      `tools/call ${tool}: the gateway needs the user's consent first (3LO, ` +
        `JSON-RPC ${MCP_URL_ELICITATION_CODE}: ${message})`,
      {
        hint: url
          ? `Open the authorization URL, consent, then call again — or re-run with --complete-auth to do all ` +
            `of it (loopback return URL, CompleteResourceTokenAuth, retry).`
          : 'The elicitation carried no URL; check the gateway target configuration.',
        details: {
          operation: 'tools/call',
          rpcCode: MCP_URL_ELICITATION_CODE,
          ...(url ? { authorizationUrl: url } : {}),
        },
      },
    );
  }
}

/** Messages in an MCP HTTP response body: a JSON object, a JSON batch, or SSE events carrying JSON. */
export function parseMcpBody(contentType: string | undefined, text: string): JsonRpcMessage[] {
  const t = text.trim();
  if (!t) return [];
  const fromValue = (v: unknown): JsonRpcMessage[] =>
    Array.isArray(v) ? v.filter(isMessage) : isMessage(v) ? [v] : [];
  if (contentType && /text\/event-stream/i.test(contentType)) {
    const out: JsonRpcMessage[] = [];
    for (const ev of parseSse(text)) {
      try {
        out.push(...fromValue(JSON.parse(ev.data)));
      } catch {
        /* a non-JSON event: not a JSON-RPC message */
      }
    }
    return out;
  }
  try {
    return fromValue(JSON.parse(t));
  } catch {
    return [];
  }
}

function isMessage(v: unknown): v is JsonRpcMessage {
  return !!v && typeof v === 'object' && (v as { jsonrpc?: unknown }).jsonrpc === '2.0';
}

export interface McpTool {
  name: string;
  description?: string;
  inputSchema?: unknown;
  [k: string]: unknown;
}

export interface McpClientOptions {
  protocolVersion?: string;
  clientName?: string;
  clientVersion?: string;
  /** Called for every request/response pair (narrative / --verbose). */
  onExchange?(method: string, ex: McpExchange): void;
}

export class McpClient {
  sessionId: string | undefined;
  protocolVersion: string;
  serverInfo: unknown;
  serverCapabilities: unknown;
  private nextId = 1;

  constructor(
    private readonly transport: McpTransport,
    private readonly options: McpClientOptions = {},
  ) {
    this.protocolVersion = options.protocolVersion ?? MCP_PROTOCOL_VERSION;
  }

  private async request(method: string, params: unknown, name?: string): Promise<unknown> {
    const id = this.nextId++;
    const ex = await this.transport.post(
      { jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) },
      {
        method,
        ...(name ? { name } : {}),
        ...(this.sessionId ? { sessionId: this.sessionId } : {}),
        protocolVersion: this.protocolVersion,
      },
    );
    this.options.onExchange?.(method, ex);
    if (ex.sessionId) this.sessionId = ex.sessionId;
    const reply = ex.messages.find((m) => m.id === id && (m.result !== undefined || m.error !== undefined));
    if (!reply) {
      throw new AgentcoreAuthError(
        'ERR_REMOTE',
        `${method}: no JSON-RPC answer with id ${id} from ${this.transport.label} ` +
          `(HTTP ${ex.status}, ${ex.contentType ?? 'no content type'})`,
        {
          hint:
            'The server did not speak MCP streamable HTTP. Is this an MCP agent (serverProtocol MCP) or a ' +
            'gateway /mcp URL?',
          details: { operation: method, status: ex.status },
        },
      );
    }
    if (reply.error) {
      if (reply.error.code === MCP_URL_ELICITATION_CODE) {
        const data = reply.error.data as { elicitations?: Elicitation[] } | undefined;
        throw new McpElicitationError(data?.elicitations ?? [], name ?? method, reply.error.message);
      }
      throw new McpRpcError(reply.error, name ? `${method} ${name}` : method);
    }
    return reply.result;
  }

  async initialize(): Promise<{
    protocolVersion?: string;
    serverInfo?: unknown;
    capabilities?: unknown;
    instructions?: string;
  }> {
    const result = (await this.request('initialize', {
      protocolVersion: this.protocolVersion,
      capabilities: { elicitation: { url: {} } },
      clientInfo: { name: this.options.clientName ?? 'agentcore-auth', version: this.options.clientVersion ?? '0.0.0' },
    })) as { protocolVersion?: string; serverInfo?: unknown; capabilities?: unknown; instructions?: string };
    if (result?.protocolVersion) this.protocolVersion = result.protocolVersion;
    this.serverInfo = result?.serverInfo;
    this.serverCapabilities = result?.capabilities;
    const ex = await this.transport.post(
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      {
        method: 'notifications/initialized',
        ...(this.sessionId ? { sessionId: this.sessionId } : {}),
        protocolVersion: this.protocolVersion,
      },
    );
    this.options.onExchange?.('notifications/initialized', ex);
    return result ?? {};
  }

  async listTools(maxPages = 50): Promise<McpTool[]> {
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const result = (await this.request('tools/list', cursor ? { cursor } : {})) as {
        tools?: McpTool[];
        nextCursor?: string;
      };
      tools.push(...(result?.tools ?? []));
      cursor = result?.nextCursor;
      if (!cursor) break;
    }
    return tools;
  }

  async callTool(
    name: string,
    args: unknown,
  ): Promise<{ content?: unknown[]; isError?: boolean; structuredContent?: unknown; [k: string]: unknown }> {
    return (await this.request('tools/call', { name, arguments: args ?? {} }, name)) as {
      content?: unknown[];
      isError?: boolean;
    };
  }
}
