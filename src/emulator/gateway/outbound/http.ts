/**
 * The gateway's own HTTP client for calls to targets: node:http / node:https with keep-alive pools (one connection
 * set per origin, as a service's client would hold), a timeout, a response size bound, and SigV4 signing with
 * @smithy/signature-v4 (the signer the AWS SDK uses) when the outbound credential asks for it.
 */
import http from 'node:http';
import https from 'node:https';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256, type StackCredentials } from '../../sigv4.js';

export interface OutboundRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type OutboundResult = { ok: true; response: OutboundResponse } | { ok: false; error: string };

/** Lambda's and the gateway's payload bound for one buffered answer (6 MB, as Lambda's synchronous limit). */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

export function send(req: OutboundRequest, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<OutboundResult> {
  return new Promise((resolve) => {
    const isHttps = req.url.protocol === 'https:';
    // A string body is written with the headers in one write (a Buffer would take a writev of two chunks).
    const body = req.body;
    const headers: Record<string, string | number> = { ...req.headers };
    if (body !== undefined && headers['content-length'] === undefined)
      headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const out = (isHttps ? https : http).request(
      req.url,
      { method: req.method, headers, agent: agents[isHttps ? 'https:' : 'http:'], timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            out.destroy();
            resolve({ ok: false, error: `the answer is over ${MAX_RESPONSE_BYTES} bytes` });
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            ok: true,
            response: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) },
          }),
        );
        res.on('error', (e) => resolve({ ok: false, error: e.message }));
      },
    );
    out.on('timeout', () => {
      out.destroy();
      resolve({ ok: false, error: `no answer within ${timeoutMs} ms` });
    });
    out.on('error', (e) => resolve({ ok: false, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    out.end(body);
  });
}

/** Signs `req` in place (SigV4, `service` / `region`) with the given credentials. */
export async function signRequest(
  req: OutboundRequest,
  credentials: StackCredentials,
  service: string,
  region: string,
): Promise<void> {
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256 });
  const query: Record<string, string> = {};
  req.url.searchParams.forEach((v, k) => {
    query[k] = v;
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: req.method,
      protocol: req.url.protocol,
      hostname: req.url.hostname,
      ...(req.url.port ? { port: Number(req.url.port) } : {}),
      path: req.url.pathname,
      query,
      headers: { ...req.headers, host: req.url.host },
      ...(req.body !== undefined ? { body: req.body } : {}),
    }),
  );
  for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') req.headers[k] = String(v);
}
