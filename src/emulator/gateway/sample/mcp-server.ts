/**
 * The stack's sample MCP server, behind the seeded gateway's two targets (like the sample agent behind the seeded
 * runtimes): a loopback streamable-HTTP server with
 *   /provider/mcp  tool `whoami`: who the bearer token it received is for (sub, issuer) and its fingerprint — the
 *                  gateway's `provider` target sends the user's 3LO token from the vault
 *   /echo/mcp      tool `inspect`: which token and headers reached it (fingerprints only, never values)
 * It is a target like any user's server: the gateway reaches it over HTTP with its outbound credential.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { fingerprint } from '../../runtime/jwt-authorizer.js';
import { claimsOf, isObject } from '../util.js';
import { type SampleServer, startSampleServer } from './serve.js';

const TOOLS = {
  provider: [
    {
      name: 'whoami',
      description: 'Who the provider token this server received is for, and its fingerprint',
      inputSchema: { type: 'object', properties: {} },
    },
  ],
  echo: [
    {
      name: 'inspect',
      description: 'Reports which token and headers reached this target (fingerprints only, never values).',
      inputSchema: { type: 'object', properties: { note: { type: 'string', description: 'Echoed back' } } },
    },
  ],
} as const;

function bearerOf(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return typeof auth === 'string' && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '') : undefined;
}

function whoami(token: string | undefined) {
  if (!token) return { content: [{ type: 'text', text: 'No bearer token reached this server.' }], isError: true };
  const claims = claimsOf(token);
  const sub = typeof claims?.sub === 'string' ? claims.sub : null;
  const report = {
    actingAs: sub,
    issuer: typeof claims?.iss === 'string' ? claims.iss : null,
    tokenFingerprint: fingerprint(token),
  };
  const text = `Called as ${sub ?? 'the signed-in user'} with the provider token ${report.tokenFingerprint}.`;
  return { content: [{ type: 'text', text }], structuredContent: report, isError: false };
}

function inspect(req: http.IncomingMessage, token: string | undefined, args: Record<string, unknown>) {
  const sub = token ? claimsOf(token)?.sub : undefined;
  const report = {
    target: 'echo',
    authorization: token
      ? { received: true, fingerprint: fingerprint(token), ...(typeof sub === 'string' ? { sub } : {}) }
      : {
          received: false,
          why:
            "the Gateway does not forward the caller's token to targets; a REQUEST interceptor " +
            '(or JWT_PASSTHROUGH on an HTTP target) must',
        },
    ...(typeof req.headers['x-api-key'] === 'string'
      ? { apiKey: { header: 'x-api-key', fingerprint: fingerprint(req.headers['x-api-key']) } }
      : {}),
    headers: Object.keys(req.headers).sort(),
    ...(args.note !== undefined ? { note: args.note } : {}),
  };
  const key = req.headers['x-api-key'];
  const text = token
    ? `The target received a bearer token ${fingerprint(token)}.`
    : typeof key === 'string'
      ? `The target received the API key ${fingerprint(key)} in x-api-key, and no Authorization header.`
      : 'The target received no Authorization header.';
  return { content: [{ type: 'text', text }], structuredContent: report, isError: false };
}

function answer(req: http.IncomingMessage, path: keyof typeof TOOLS, msg: Record<string, unknown>) {
  const params = isObject(msg.params) ? msg.params : {};
  switch (msg.method) {
    case 'initialize':
      return {
        result: {
          protocolVersion: typeof params.protocolVersion === 'string' ? params.protocolVersion : '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: `agentcore-local-sample-${path}`, version: '1.0.0' },
        },
      };
    case 'ping':
      return { result: {} };
    case 'tools/list':
      return { result: { tools: TOOLS[path] } };
    case 'tools/call': {
      const args = isObject(params.arguments) ? params.arguments : {};
      if (path === 'provider' && params.name === 'whoami') return { result: whoami(bearerOf(req)) };
      if (path === 'echo' && params.name === 'inspect') return { result: inspect(req, bearerOf(req), args) };
      return { error: { code: -32602, message: `Unknown tool: ${String(params.name)}` } };
    }
    default:
      return { error: { code: -32601, message: `Method not found: ${String(msg.method)}` } };
  }
}

export function startSampleMcpServer(): Promise<SampleServer> {
  return startSampleServer((req, raw, res) => {
    const m = /^\/(provider|echo)\/mcp$/.exec(req.url?.split('?')[0] ?? '');
    if (!m || req.method !== 'POST') return void res.writeHead(m ? 405 : 404, { 'content-length': 0 }).end();
    let msg: unknown;
    try {
      msg = JSON.parse(raw.toString('utf8'));
    } catch {
      msg = undefined;
    }
    if (!isObject(msg)) return void res.writeHead(400, { 'content-length': 0 }).end();
    if (msg.id === undefined) return void res.writeHead(202, { 'content-length': 0 }).end();
    const body = JSON.stringify({ jsonrpc: '2.0', id: msg.id, ...answer(req, m[1] as keyof typeof TOOLS, msg) });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(msg.method === 'initialize' ? { 'mcp-session-id': randomUUID() } : {}),
    });
    res.end(body);
  });
}
