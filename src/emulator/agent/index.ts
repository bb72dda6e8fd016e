/**
 * The built-in sample agent: a loopback HTTP server speaking the AgentCore container contract (`POST /invocations`,
 * `GET /ping`), used for every agent of the local stack that has no `agentUrl`. It never prints a token, only
 * fingerprints.
 *
 * Payload (JSON; anything else counts as a prompt):
 *   {"prompt": "..."} or {"action":"whoami"}   who called (user id; or from an allow-listed Authorization header
 *                                              the JWT's sub, username / cognito:username, email, client_id, scope),
 *                                              the session, whether a workload access token arrived and for whom,
 *                                              which headers reached it
 *   {"action":"token","provider":"…","scopes":[…],"flow":"USER_FEDERATION"|"M2M","returnUrl"?,"sessionUri"?,
 *    "forceAuthentication"?, "wait"?: seconds}
 *                                              GetResourceOauth2Token with its workload token (real SDK client pointed
 *                                              at the stack): streams the authorization URL when consent is needed,
 *                                              then (SSE, or "wait") polls like the AgentCore SDKs and streams the
 *                                              token's fingerprint once the session is bound
 *   {"action":"apikey","provider":"…"}         GetResourceApiKey → the key's fingerprint
 *   {"action":"stream","count":n}              n SSE events (for streaming tests)
 *   {"action":"fail","status":500}             answers that status (to see RuntimeClientError)
 * With `Accept: text/event-stream` the answer is SSE (`data: {json}` per event), otherwise one JSON document.
 */
import { createHash, randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HEADERS, MESSAGES } from '../../wire.js';
import { agentcoreSdk } from '../../sdk.js';
import { memo } from '../token-map.js';

export interface SampleAgentOptions {
  /** The stack's origin (data plane) for GetResourceOauth2Token / GetResourceApiKey. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Inside the stack only: who a workload access token stands for (a real agent cannot read a WAT). */
  resolveWorkloadAccessToken?: (
    token: string,
  ) => { workloadName: string; userId?: string; userToken?: string; userKey?: string } | undefined;
  host?: string;
  port?: number;
  /** Seconds between polls while waiting for consent (the AgentCore SDKs use 5). Default 1. */
  pollSeconds?: number;
  /** Longest wait for consent on a streamed token request (the SDKs use 600). Default 300. */
  maxWaitSeconds?: number;
}

/** One request to the container, transport-independent (the HTTP server and the runtime's in-process call share it). */
export interface AgentRequest {
  method: string;
  path: string;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Where the answer goes: a ServerResponse fits. */
export interface AgentSink {
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  write(chunk: string): unknown;
  end(chunk?: string): unknown;
  /** True once the caller went away (a ServerResponse has `destroyed`): stop waiting for consent. */
  readonly destroyed?: boolean;
}

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

export function fingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const jwtSub = memo(decodeSub);
const bearerOf = memo((authorization: string) => authorization.replace(/^bearer\s+/i, ''));
const CUSTOM_PREFIX = HEADERS.customPrefix.toLowerCase();
/** The caller as an allow-listed Authorization header shows it (one object per token, shared: it is only serialized). */
const callerFromHeader = (() => {
  const byClaims = new WeakMap<Who, Record<string, string>>();
  return (jwt: Who): Record<string, string> => {
    let c = byClaims.get(jwt);
    if (!c) {
      c = {};
      for (const k of WHO_CLAIMS) if (jwt[k] !== undefined) c[k] = jwt[k]!;
      c.source = 'Authorization header (allow-listed)';
      byClaims.set(jwt, c);
    }
    return c;
  };
})();
const tokenFingerprint = memo(fingerprint);

/**
 * The claims that say who called, when present as strings: `sub`, the user name (Cognito access tokens carry
 * `username`, ID tokens `cognito:username`), `email`, and which app asked with what (`client_id`, `scope`).
 */
const WHO_CLAIMS = ['sub', 'username', 'cognito:username', 'email', 'client_id', 'scope'] as const;
type Who = Partial<Record<(typeof WHO_CLAIMS)[number] | 'iss', string>>;

function decodeSub(token: string): Who {
  try {
    const part = token.split('.')[1];
    if (!part) return {};
    const c = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    const out: Who = {};
    for (const k of [...WHO_CLAIMS, 'iss'] as const) if (typeof c[k] === 'string') out[k] = c[k];
    return out;
  } catch {
    return {};
  }
}

type Sdk = typeof import('@aws-sdk/client-bedrock-agentcore');

export async function startSampleAgent(options: SampleAgentOptions): Promise<SampleAgent> {
  const sdk: Sdk = agentcoreSdk();
  const client = new sdk.BedrockAgentCoreClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
    maxAttempts: 1,
  });
  const pollMs = (options.pollSeconds ?? 1) * 1000;
  const maxWait = options.maxWaitSeconds ?? 300;
  const sockets = new Set<Socket>();
  const state = { invocations: 0 };

  const server = http.createServer((req, res) => {
    void readBody(req)
      .then((body) =>
        handle({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body }, res),
      )
      .catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: (e as Error).message } }));
        } else res.destroy();
      });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async function handle(req: AgentRequest, res: AgentSink): Promise<void> {
    const path = req.path;
    if (req.method === 'GET' && path === '/ping') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'Healthy', time_of_last_update: Math.floor(Date.now() / 1000) }));
      return;
    }
    // HTTP-protocol agents serve POST /invocations; MCP-protocol agents serve the MCP endpoint at POST /mcp.
    if (req.method !== 'POST' || (path !== '/invocations' && path !== '/mcp')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: 'not found: the container contract is POST /invocations (MCP agents: POST /mcp) and GET /ping',
        }),
      );
      return;
    }
    state.invocations++;
    const raw = req.body;
    let payload: Record<string, unknown>;
    try {
      const v = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
      payload = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { prompt: v };
    } catch {
      payload = { prompt: raw.toString('utf8') };
    }
    const wat =
      one(req.headers[HEADERS.workloadAccessTokenNew.toLowerCase()]) ??
      one(req.headers[HEADERS.workloadAccessToken.toLowerCase()]);
    const sessionId = one(req.headers[HEADERS.sessionId.toLowerCase()]);
    const action = typeof payload.action === 'string' ? payload.action : 'whoami';

    if (action === 'fail') {
      const status = typeof payload.status === 'number' ? payload.status : 500;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `failing on purpose with ${status}` }));
      return;
    }
    if (payload.jsonrpc === '2.0' && typeof payload.method === 'string') {
      await mcp(req, payload, wat, sessionId, res);
      return;
    }

    const sse = String(req.headers.accept ?? '').includes('text/event-stream');
    const events: unknown[] = [];
    if (sse) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const emit = (e: Record<string, unknown>) => {
      if (sse) res.write(`data: ${JSON.stringify(e)}\n\n`);
      else events.push(e);
    };
    const finish = () => {
      if (sse) res.end();
      else {
        const body = JSON.stringify(events.length === 1 ? events[0] : { events });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }
    };

    if (action === 'stream') {
      const count = Math.min(Math.max(Number(payload.count ?? 3) || 3, 1), 1000);
      for (let i = 1; i <= count; i++) {
        emit({ type: 'chunk', index: i, of: count });
        if (sse && i < count) await new Promise((r) => setTimeout(r, Number(payload.delayMs ?? 5)));
      }
      finish();
      return;
    }
    if (action === 'token' || action === 'apikey') {
      const callbackUrl = one(req.headers[HEADERS.oauth2CallbackUrl.toLowerCase()]);
      await providerToken(action, payload, wat, callbackUrl, sse, emit, () => res.destroyed === true);
      finish();
      return;
    }
    emit(whoami(req, payload, wat, sessionId));
    finish();
  }

  /** A minimal MCP server (for agents with protocol MCP): tools `whoami` and `token`, answered as JSON. */
  async function mcp(
    req: AgentRequest,
    msg: Record<string, unknown>,
    wat: string | undefined,
    sessionId: string | undefined,
    res: AgentSink,
  ): Promise<void> {
    const send = (body: unknown, headers: OutgoingHttpHeaders = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    const id = msg.id;
    if (id === undefined) {
      res.writeHead(202, { 'content-length': 0 });
      res.end();
      return;
    }
    const params = (msg.params ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => ({
      content: [{ type: 'text', text: JSON.stringify(v) }],
      structuredContent: v,
      isError: false,
    });
    switch (msg.method) {
      case 'initialize':
        send(
          {
            jsonrpc: '2.0',
            id,
            result: {
              protocolVersion: typeof params.protocolVersion === 'string' ? params.protocolVersion : '2025-03-26',
              capabilities: { tools: { listChanged: false } },
              serverInfo: { name: 'agentcore-auth sample agent', version: '1.0.0' },
            },
          },
          { [HEADERS.mcpSessionId]: one(req.headers[HEADERS.mcpSessionId.toLowerCase()]) ?? randomUUID() },
        );
        return;
      case 'ping':
        send({ jsonrpc: '2.0', id, result: {} });
        return;
      case 'tools/list':
        send({
          jsonrpc: '2.0',
          id,
          result: {
            tools: [
              {
                name: 'whoami',
                description: 'Who called, the session, and whether a workload access token arrived (fingerprints only)',
                inputSchema: { type: 'object', properties: {} },
              },
              {
                name: 'token',
                description:
                  'GetResourceOauth2Token with the workload access token: the authorization URL, or the token fingerprint once bound',
                inputSchema: {
                  type: 'object',
                  properties: { provider: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } },
                  required: ['provider'],
                },
              },
            ],
          },
        });
        return;
      case 'tools/call': {
        const args = (params.arguments ?? {}) as Record<string, unknown>;
        if (params.name === 'whoami') {
          send({ jsonrpc: '2.0', id, result: text(whoami(req, {}, wat, sessionId)) });
          return;
        }
        if (params.name === 'token') {
          const events: Record<string, unknown>[] = [];
          await providerToken(
            'token',
            args,
            wat,
            one(req.headers[HEADERS.oauth2CallbackUrl.toLowerCase()]),
            false,
            (e) => events.push(e),
            () => res.destroyed === true,
          );
          const last = events[events.length - 1] ?? {};
          send({ jsonrpc: '2.0', id, result: { ...text(last), isError: last.type === 'error' } });
          return;
        }
        send({ jsonrpc: '2.0', id, error: { code: -32602, message: `Unknown tool: ${String(params.name)}` } });
        return;
      }
      default:
        send({ jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${String(msg.method)}` } });
    }
  }

  function whoami(
    req: AgentRequest,
    payload: Record<string, unknown>,
    wat: string | undefined,
    sessionId: string | undefined,
  ) {
    const info = wat ? options.resolveWorkloadAccessToken?.(wat) : undefined;
    const authorization = one(req.headers.authorization);
    const bearer = authorization === undefined ? undefined : bearerOf(authorization);
    const jwt = bearer ? jwtSub(bearer) : {};
    const custom: Record<string, string> = {};
    for (const k in req.headers) {
      const v = req.headers[k];
      if (k.startsWith(CUSTOM_PREFIX) && v !== undefined) custom[k] = Array.isArray(v) ? v.join(',') : v;
    }
    const fromToken = info?.userToken && !info.userKey ? jwtSub(info.userToken) : {};
    const userKey = info?.userKey ?? (fromToken.sub ? `jwt:${fromToken.iss ?? ''}#${fromToken.sub}` : undefined);
    const caller =
      info?.userId !== undefined
        ? { userId: info.userId }
        : jwt.sub
          ? callerFromHeader(jwt)
          : userKey?.startsWith('jwt:')
            ? { sub: userKey.slice(userKey.indexOf('#') + 1), source: 'workload access token' }
            : null;
    return {
      type: 'whoami',
      agent: 'agentcore-auth sample agent',
      ...(payload.prompt !== undefined ? { prompt: payload.prompt } : {}),
      caller,
      sessionId: sessionId ?? null,
      requestId: one(req.headers[HEADERS.requestId.toLowerCase()]) ?? null,
      workloadAccessToken: wat
        ? {
            received: true,
            fingerprint: tokenFingerprint(wat),
            ...(info ? { workload: info.workloadName, forUser: info.userId ?? (userKey ? userKey : null) } : {}),
          }
        : {
            received: false,
            why: 'SigV4 call without X-Amzn-Bedrock-AgentCore-Runtime-User-Id: no user, so no workload access token',
          },
      authorizationHeader: authorization
        ? { received: true, fingerprint: tokenFingerprint(bearer ?? authorization) }
        : { received: false },
      customHeaders: custom,
      oauth2CallbackUrl: one(req.headers[HEADERS.oauth2CallbackUrl.toLowerCase()]) ?? null,
    };
  }

  async function providerToken(
    action: 'token' | 'apikey',
    payload: Record<string, unknown>,
    wat: string | undefined,
    callbackUrl: string | undefined,
    sse: boolean,
    emit: (e: Record<string, unknown>) => void,
    gone: () => boolean,
  ): Promise<void> {
    const provider = typeof payload.provider === 'string' ? payload.provider : undefined;
    if (!wat) {
      // What the AgentCore SDKs raise in an agent invoked over SigV4 without a user id.
      emit({ type: 'error', error: 'WorkloadAccessTokenNotSet', message: MESSAGES.watNotSet });
      return;
    }
    if (!provider) {
      emit({
        type: 'error',
        error: 'BadRequest',
        message: 'payload.provider is required (the credential provider name)',
      });
      return;
    }
    try {
      if (action === 'apikey') {
        const out = await client.send(
          new sdk.GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider }),
        );
        emit({ type: 'apiKey', provider, fingerprint: out.apiKey ? fingerprint(out.apiKey) : null });
        return;
      }
      const flow = payload.flow === 'M2M' ? 'M2M' : 'USER_FEDERATION';
      const scopes = Array.isArray(payload.scopes)
        ? payload.scopes.map(String)
        : typeof payload.scopes === 'string'
          ? payload.scopes.split(/[ ,]+/).filter(Boolean)
          : [];
      // Like the SDKs' @requires_access_token: the return URL defaults to the OAuth2CallbackUrl header.
      const returnUrl = typeof payload.returnUrl === 'string' ? payload.returnUrl : callbackUrl;
      const base = {
        workloadIdentityToken: wat,
        resourceCredentialProviderName: provider,
        scopes,
        oauth2Flow: flow,
        ...(returnUrl && flow === 'USER_FEDERATION' ? { resourceOauth2ReturnUrl: returnUrl } : {}),
      } as const;
      let out = await client.send(
        new sdk.GetResourceOauth2TokenCommand({
          ...base,
          ...(typeof payload.sessionUri === 'string' ? { sessionUri: payload.sessionUri } : {}),
          ...(payload.forceAuthentication === true ? { forceAuthentication: true } : {}),
        }),
      );
      if (out.accessToken) {
        emit({ type: 'token', provider, flow, fingerprint: fingerprint(out.accessToken) });
        return;
      }
      if (!out.authorizationUrl) {
        emit({
          type: 'error',
          error: 'NoTokenNoUrl',
          message: 'GetResourceOauth2Token returned neither a token nor an authorization URL',
          sessionStatus: out.sessionStatus ?? null,
        });
        return;
      }
      emit({
        type: 'authorizationUrl',
        provider,
        authorizationUrl: out.authorizationUrl,
        sessionUri: out.sessionUri ?? null,
        message:
          'Open this URL to consent; the agent gets the token once the session is bound (CompleteResourceTokenAuth).',
      });
      const wait = typeof payload.wait === 'number' ? Math.min(payload.wait, maxWait) : sse ? maxWait : 0;
      if (!wait || !out.sessionUri) return;
      const deadline = Date.now() + wait * 1000;
      const sessionUri = out.sessionUri;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, pollMs));
        if (gone()) return; // the caller hung up: no one to stream the token to
        out = await client.send(new sdk.GetResourceOauth2TokenCommand({ ...base, sessionUri }));
        if (out.accessToken) {
          emit({ type: 'token', provider, flow, fingerprint: fingerprint(out.accessToken) });
          return;
        }
        if (out.sessionStatus === 'FAILED') {
          emit({
            type: 'error',
            error: 'SessionFailed',
            message: 'The authorization session failed (the user denied access or it expired).',
          });
          return;
        }
      }
      emit({
        type: 'error',
        error: 'Timeout',
        message: `No consent within ${wait} s. User may not have completed authorization.`,
      });
    } catch (e) {
      const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      emit({
        type: 'error',
        error: err.name ?? 'Error',
        message: err.message ?? String(e),
        status: err.$metadata?.httpStatusCode ?? null,
      });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get invocations() {
      return state.invocations;
    },
    invoke: (req, sink) => handle(req, sink),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        client.destroy();
      })),
  };
}
