/**
 * A recording loopback HTTP server for the invoke tests: it keeps every request exactly as received (raw header
 * order, raw path) and answers with whatever the test's handler writes. Binds 127.0.0.1:0; close() in afterAll.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Recorded {
  method: string;
  rawPath: string;
  path: string;
  query: URLSearchParams;
  /** [lower-case name, value] in arrival order. */
  headers: Array<[string, string]>;
  body: Buffer;
}

export type Responder = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export interface Recorder {
  url: string;
  requests: Recorded[];
  respond(handler: Responder): void;
  close(): Promise<void>;
}

export async function startRecorder(initial?: Responder): Promise<Recorder> {
  const requests: Recorded[] = [];
  let handler: Responder =
    initial ??
    ((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = req.url ?? '/';
      const u = new URL(raw, 'http://127.0.0.1');
      const headers: Array<[string, string]> = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
      const rec: Recorded = {
        method: req.method ?? '',
        rawPath: u.pathname,
        path: decodeURIComponent(u.pathname),
        query: u.searchParams,
        headers,
        body: Buffer.concat(chunks),
      };
      requests.push(rec);
      Promise.resolve(handler(rec, res)).catch((e: unknown) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const header = (r: Recorded, name: string): string | undefined =>
  r.headers.find(([k]) => k === name.toLowerCase())?.[1];

/** Points the SDK's AgentCore clients (data and control plane) at a recorder, with static test credentials. */
export const recorderEnv = (url: string): Record<string, string> => ({
  AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: url,
  AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secretsecretsecret',
});

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A syntactically real access token, unsigned (a stand-in server does not check signatures); expires in an hour. */
export const STAND_IN_ACCESS_TOKEN = `${b64({ alg: 'RS256', kid: 'k' })}.${b64({
  sub: 'u1',
  token_use: 'access',
  client_id: 'c1',
  exp: Math.floor(Date.now() / 1000) + 3600,
})}.c2lnbmF0dXJl`;
