/** What the stack's sample servers (the MCP server, the interceptor Lambda) share: a loopback server on a free port. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { keepIdleConnections } from '../../server.js';

export interface SampleServer {
  url: string;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 whose `answer` gets each request with its whole body. */
export async function startSampleServer(
  answer: (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void,
): Promise<SampleServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks), res));
  });
  keepIdleConnections(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
