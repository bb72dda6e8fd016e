/**
 * The built-in sample agent: a loopback HTTP server speaking the AgentCore container contract (`POST /invocations`,
 * `POST /mcp`, `GET /ping`), used for every agent of the local stack that has no `agentUrl`. It never prints a token,
 * only fingerprints. The runtime also calls it in-process (`invoke`), with the headers a container receives.
 *
 * Payload (JSON; anything else counts as a prompt) — routes.ts has one handler per action:
 *   {"prompt": "..."} or {"action":"whoami"}   who called (user id; or from an allow-listed Authorization header
 *                                              the JWT's sub, username / cognito:username, email, client_id, scope),
 *                                              the session, whether a workload access token arrived and for whom,
 *                                              which headers reached it (whoami.ts)
 *   {"action":"token","provider":"…","scopes":[…],"flow":"USER_FEDERATION"|"M2M","returnUrl"?,"sessionUri"?,
 *    "forceAuthentication"?, "wait"?: seconds}
 *                                              GetResourceOauth2Token with its workload token (real SDK client pointed
 *                                              at the stack): streams the authorization URL when consent is needed,
 *                                              then (SSE, or "wait") polls like the AgentCore SDKs and streams the
 *                                              token's fingerprint once the session is bound (provider-token.ts)
 *   {"action":"apikey","provider":"…"}         GetResourceApiKey → the key's fingerprint
 *   {"action":"stream","count":n}              n SSE events (for streaming tests)
 *   {"action":"fail","status":500}             answers that status (to see RuntimeClientError)
 *   a JSON-RPC message                         the MCP server (mcp.ts)
 * With `Accept: text/event-stream` the answer is SSE (`data: {json}` per event), otherwise one JSON document.
 */
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SampleAgentContext, type AgentRequest, type AgentSink, type SampleAgentOptions } from './agent-context.js';
import { handle } from './routes.js';

export { fingerprint, type AgentRequest, type AgentSink, type SampleAgentOptions } from './agent-context.js';

export interface SampleAgent {
  url: string;
  port: number;
  /**
   * The same handler without the socket: the runtime calls it for the built-in agent with exactly the headers a
   * container receives (over HTTP it costs a second HTTP exchange per invocation in the same process).
   */
  invoke(req: AgentRequest, sink: AgentSink): Promise<void>;
  /** Invocations answered so far. */
  invocations: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function createServer(ctx: SampleAgentContext): http.Server {
  const server = http.createServer((req, res) => {
    void readBody(req)
      .then((body) =>
        handle(
          ctx,
          { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body },
          res,
        ),
      )
      .catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: (e as Error).message } }));
        } else res.destroy();
      });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

export async function startSampleAgent(options: SampleAgentOptions): Promise<SampleAgent> {
  const ctx = new SampleAgentContext(options);
  const server = createServer(ctx);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get invocations() {
      return ctx.invocations;
    },
    invoke: (req, sink) => handle(ctx, req, sink),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        ctx.client.destroy();
      })),
  };
}
