/**
 * Forwarding an invocation to the agent by the AgentCore container contract (agentcore-identity.md §4.1):
 * `POST {agentUrl}/invocations` with the workload access token (`WorkloadAccessToken` and
 * `X-Amz-Bedrock-AgentCore-Identity-WAT`), the session and request ids, `OAuth2CallbackUrl` when configured, the MCP
 * and trace headers, and only the allow-listed request headers (Authorization only when allow-listed on a JWT agent).
 * The agent's answer (JSON, SSE or any stream) is piped back as it arrives.
 */
import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import https from 'node:https';
import { HEADERS } from '../../wire.js';
import { sendAwsError } from '../respond.js';
import type { EmuRequest } from '../server.js';
import type { AgentConfig } from './config.js';

const keepAlive = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64 };
const httpAgent = new http.Agent(keepAlive);
const httpsAgent = new https.Agent(keepAlive);

/** Request headers AgentCore passes through to the container besides the allow-list. */
const PASS_THROUGH = [
  'content-type',
  'accept',
  HEADERS.mcpSessionId,
  HEADERS.mcpProtocolVersion,
  HEADERS.mcpMethod,
  HEADERS.mcpName,
  HEADERS.traceId,
  HEADERS.traceParent,
  HEADERS.traceState,
  HEADERS.baggage,
].map((h) => h.toLowerCase());

/** Response headers the runtime returns from the container. */
const RESPONSE_HEADERS = ['content-type', HEADERS.mcpSessionId, HEADERS.mcpProtocolVersion, 'cache-control'].map((h) =>
  h.toLowerCase(),
);
const ECHOED = [HEADERS.traceId, HEADERS.traceParent, HEADERS.traceState, HEADERS.baggage].map((h) => h.toLowerCase());

const NAMES = {
  sessionId: HEADERS.sessionId,
  requestId: HEADERS.requestId,
  workloadAccessToken: HEADERS.workloadAccessToken,
  workloadAccessTokenNew: HEADERS.workloadAccessTokenNew,
  oauth2CallbackUrl: HEADERS.oauth2CallbackUrl,
};
const LOWER = Object.fromEntries(Object.entries(NAMES).map(([k, v]) => [k, v.toLowerCase()])) as typeof NAMES;

export interface ForwardInput {
  req: EmuRequest;
  res: ServerResponse;
  agent: AgentConfig;
  agentUrl: string;
  sessionId: string;
  requestId: string;
  workloadAccessToken: string | undefined;
  log?: (line: string) => void;
}

/** The headers the container receives (exported for tests and `--debug` traces). */
export function containerHeaders(
  input: Omit<ForwardInput, 'res' | 'agentUrl' | 'log'>,
  lowerCase = false,
): OutgoingHttpHeaders {
  const n = lowerCase ? LOWER : NAMES;
  const { req, agent } = input;
  const out: OutgoingHttpHeaders = {};
  for (const name of PASS_THROUGH) {
    const v = req.headers[name];
    if (v !== undefined) out[name] = v;
  }
  if (!out['content-type']) out['content-type'] = 'application/octet-stream';
  const jwt = agent.authorizerConfiguration !== undefined;
  for (const allowed of agent.requestHeaderAllowlist) {
    const name = allowed.toLowerCase();
    if (name === 'authorization' && !jwt) continue;
    const v = req.headers[name];
    if (v !== undefined) out[lowerCase ? name : allowed] = v;
  }
  out[n.sessionId] = input.sessionId;
  out[n.requestId] = input.requestId;
  if (input.workloadAccessToken) {
    out[n.workloadAccessToken] = input.workloadAccessToken;
    out[n.workloadAccessTokenNew] = input.workloadAccessToken;
  }
  if (agent.oauth2CallbackUrl) out[n.oauth2CallbackUrl] = agent.oauth2CallbackUrl;
  out['content-length'] = String(req.body.length);
  return out;
}

/** What the caller gets back: the container's content headers, the session id, the echoed trace headers. */
function responseHeaders(agentHeaders: OutgoingHttpHeaders, req: EmuRequest, sessionId: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { [HEADERS.sessionId]: sessionId };
  for (const name of RESPONSE_HEADERS) {
    const v = agentHeaders[name];
    if (v !== undefined) out[name] = v;
  }
  for (const name of ECHOED) {
    const v = req.headers[name];
    if (v !== undefined) out[name] = v;
  }
  if (agentHeaders['content-length'] !== undefined) out['content-length'] = agentHeaders['content-length'];
  return out;
}

function agentError(
  res: ServerResponse,
  agentName: string,
  where: string,
  status: number,
  body: string,
  log?: (line: string) => void,
): void {
  log?.(`agent ${agentName} (${where}) answered ${status}: ${body.slice(0, 2000)}`);
  // AgentCore turns a container error into RuntimeClientError (424); the container's body goes to its logs.
  sendAwsError(
    res,
    424,
    'RuntimeClientError',
    `Received error (${status}) from runtime. Please check your CloudWatch logs for more information.`,
  );
}

/** A container reachable without a socket (the built-in sample agent): same headers in, same answer handling out. */
export interface InProcessAgent {
  invoke(
    req: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer },
    sink: {
      writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
      write(chunk: string): unknown;
      end(chunk?: string): unknown;
      readonly destroyed?: boolean;
    },
  ): Promise<void>;
}

export async function forwardInProcess(input: ForwardInput, target: InProcessAgent): Promise<void> {
  const headers = containerHeaders(input, true) as IncomingHttpHeaders;
  await target.invoke(
    { method: 'POST', path: containerPath(input.agent), headers, body: input.req.body },
    new ResponseSink(input),
  );
}

/**
 * The in-process agent's answer, passed on to the caller as forwardToAgent would: a 2xx streams through with the
 * runtime's response headers, anything else becomes RuntimeClientError. A class rather than an object literal with a
 * `destroyed` getter (see LazyUrlRequest in server.ts: a literal with an accessor gets its own old-space hidden class
 * per request, which keeps the request's garbage alive through scavenges).
 */
class ResponseSink {
  #failed: { status: number; chunks: string[] } | undefined;
  constructor(private readonly input: ForwardInput) {}
  get destroyed(): boolean {
    return this.input.res.destroyed;
  }
  #open(): boolean {
    const res = this.input.res;
    return !res.destroyed && !res.writableEnded;
  }
  writeHead(status: number, h: OutgoingHttpHeaders): void {
    const { res, req, sessionId } = this.input;
    if (status < 200 || status >= 300) this.#failed = { status, chunks: [] };
    else if (this.#open()) {
      res.writeHead(status, responseHeaders(h, req, sessionId));
      if (String(h['content-type'] ?? '').startsWith('text/event-stream')) res.flushHeaders();
    }
  }
  write(chunk: string): void {
    if (this.#failed) this.#failed.chunks.push(chunk);
    else if (this.#open()) this.input.res.write(chunk);
  }
  end(chunk?: string): void {
    const failed = this.#failed;
    if (failed)
      agentError(
        this.input.res,
        this.input.agent.name,
        'built-in sample agent',
        failed.status,
        failed.chunks.join('') + (chunk ?? ''),
        this.input.log,
      );
    else if (this.#open()) this.input.res.end(chunk);
  }
}

/**
 * The container contract: HTTP (and AG-UI) agents serve POST /invocations; MCP agents POST /mcp (AgentCore's MCP
 * contract); A2A agents POST / (the A2A contract's JSON-RPC root).
 */
function containerPath(agent: { protocol?: string }): string {
  return agent.protocol === 'MCP' ? '/mcp' : agent.protocol === 'A2A' ? '/' : '/invocations';
}

/** The agent's answer: a 2xx streams through (SSE flushed chunk by chunk), anything else is RuntimeClientError. */
function relay(input: ForwardInput, where: string, up: IncomingMessage, done: () => void): void {
  const { req, res, agent, sessionId, log } = input;
  const status = up.statusCode ?? 502;
  if (status < 200 || status >= 300) {
    const chunks: Buffer[] = [];
    up.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
    up.on('end', () => {
      agentError(res, agent.name, where, status, Buffer.concat(chunks).toString('utf8'), log);
      done();
    });
    up.on('error', () => done());
    return;
  }
  res.writeHead(status, responseHeaders(up.headers, req, sessionId));
  if (String(up.headers['content-type'] ?? '').startsWith('text/event-stream')) res.flushHeaders();
  up.pipe(res);
  up.on('end', done);
  up.on('error', () => {
    res.destroy();
    done();
  });
}

/** The agent could not be reached: a 424 that names the URL (or a reset, once the answer has begun). */
function unreachable(input: ForwardInput, url: URL, e: NodeJS.ErrnoException): void {
  const { res, agent, log } = input;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const why = e.code ?? e.message;
  log?.(`agent ${agent.name}: cannot reach ${url.href} (${why})`);
  sendAwsError(
    res,
    424,
    'RuntimeClientError',
    `The local stack could not reach agent ${agent.name} at ${url.href} (${why}). ` +
      `Is your agent running and serving POST ${containerPath(agent)} on that port?`,
  );
}

export function forwardToAgent(input: ForwardInput): Promise<void> {
  const { req, res, agent, agentUrl } = input;
  const url = new URL(`${agentUrl.replace(/\/+$/, '')}${containerPath(agent)}`);
  const headers = containerHeaders(input);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<void>((resolve) => {
    let settled = false;
    const done = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    const upstream = client.request(url, {
      method: 'POST',
      headers,
      agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
    });
    // The caller went away: stop the agent's work too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      done();
    });
    upstream.on('response', (up: IncomingMessage) => relay(input, url.href, up, done));
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      unreachable(input, url, e);
      done();
    });
    upstream.end(req.body);
  });
}
