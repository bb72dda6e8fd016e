/**
 * Forwarding an invocation to the agent by the AgentCore container contract (agentcore-identity.md §4.1):
 * `POST {agentUrl}/invocations` with the workload access token (`WorkloadAccessToken` and
 * `X-Amz-Bedrock-AgentCore-Identity-WAT`), the session and request ids, `OAuth2CallbackUrl` when configured, the MCP and
 * trace headers, and only the allow-listed request headers (Authorization only when allow-listed on a JWT agent). The
 * agent's answer (JSON, SSE or any stream) is piped back as it arrives.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import { HEADERS } from '../../core/wire.js';
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
const RESPONSE_HEADERS = ['content-type', HEADERS.mcpSessionId, HEADERS.mcpProtocolVersion, 'cache-control'].map((h) => h.toLowerCase());
const ECHOED = [HEADERS.traceId, HEADERS.traceParent, HEADERS.traceState, HEADERS.baggage].map((h) => h.toLowerCase());

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
export function containerHeaders(input: Omit<ForwardInput, 'res' | 'agentUrl' | 'log'>): OutgoingHttpHeaders {
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
    if (v !== undefined) out[allowed] = v;
  }
  out[HEADERS.sessionId] = input.sessionId;
  out[HEADERS.requestId] = input.requestId;
  if (input.workloadAccessToken) {
    out[HEADERS.workloadAccessToken] = input.workloadAccessToken;
    out[HEADERS.workloadAccessTokenNew] = input.workloadAccessToken;
  }
  if (agent.oauth2CallbackUrl) out[HEADERS.oauth2CallbackUrl] = agent.oauth2CallbackUrl;
  out['content-length'] = String(req.body.length);
  return out;
}

export function forwardToAgent(input: ForwardInput): Promise<void> {
  const { req, res, agent, agentUrl, sessionId, log } = input;
  const url = new URL(`${agentUrl.replace(/\/+$/, '')}/invocations`);
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
    const upstream = client.request(url, { method: 'POST', headers, agent: url.protocol === 'https:' ? httpsAgent : httpAgent });
    // The caller went away: stop the agent's work too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      done();
    });
    upstream.on('response', (up: IncomingMessage) => {
      const status = up.statusCode ?? 502;
      if (status < 200 || status >= 300) {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8').slice(0, 2000);
          log?.(`agent ${agent.name} (${url.href}) answered ${status}: ${body}`);
          // AgentCore turns a container error into RuntimeClientError (424); its body goes to the agent's logs.
          sendAwsError(res, 424, 'RuntimeClientError', `Received error (${status}) from runtime. Please check your CloudWatch logs for more information.`);
          done();
        });
        up.on('error', () => done());
        return;
      }
      const out: OutgoingHttpHeaders = { [HEADERS.sessionId]: sessionId };
      for (const name of RESPONSE_HEADERS) {
        const v = up.headers[name];
        if (v !== undefined) out[name] = v;
      }
      for (const name of ECHOED) {
        const v = req.headers[name];
        if (v !== undefined) out[name] = v;
      }
      if (up.headers['content-length'] !== undefined) out['content-length'] = up.headers['content-length'];
      res.writeHead(status, out);
      // Streams (SSE) are flushed chunk by chunk.
      if (String(up.headers['content-type'] ?? '').startsWith('text/event-stream')) res.flushHeaders();
      up.pipe(res);
      up.on('end', done);
      up.on('error', () => {
        res.destroy();
        done();
      });
    });
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return done();
      }
      const why = e.code ?? e.message;
      log?.(`agent ${agent.name}: cannot reach ${url.href} (${why})`);
      sendAwsError(
        res,
        424,
        'RuntimeClientError',
        `The local stack could not reach agent ${agent.name} at ${url.href} (${why}). Is your agent running and serving POST /invocations on that port?`,
      );
      done();
    });
    upstream.end(req.body);
  });
}
