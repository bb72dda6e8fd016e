/**
 * Fixtures for the runtime-half tests (their IdP is test/fixtures/fake-idp.ts): a stand-in "user agent" container
 * speaking the AgentCore contract that records what reached it.
 */
import http from 'node:http';
import { listenLoopback } from '../fixtures/ports.js';

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in for the user's own agent container (what `--agent-url` points at). */
export async function startStandInAgent(
  answer: (seen: SeenRequest, res: http.ServerResponse) => void = (_s, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ from: 'stand-in' }));
  },
): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(s);
      answer(s, res);
    });
  });
  const { url, close } = await listenLoopback(server);
  return { url, seen, close };
}
