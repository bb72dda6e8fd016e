/**
 * A recording HTTP proxy in front of an AWS endpoint (the local stack or cognito-local): every request is forwarded
 * unchanged and recorded as its operation (the X-Amz-Target action for awsJson services, else METHOD /path). Tests
 * point AWS_ENDPOINT_URL_* at it to assert which calls a command made (a dry run makes no write call) and, for
 * cognito-local, to answer the few Cognito operations it does not implement (`answer`), so that a command's path can
 * run against it for everything it does support.
 */
import http from 'node:http';
import { listenLoopback } from '../fixtures/ports.js';

export interface RecordedCall {
  operation: string;
  body: unknown;
  status?: number;
}

export interface RecordingProxy {
  url: string;
  calls: RecordedCall[];
  operations(): string[];
  close(): Promise<void>;
}

export type Answer = (
  operation: string,
  body: Record<string, unknown>,
) => { status: number; body: unknown } | undefined;

export async function startRecordingProxy(target: string, options: { answer?: Answer } = {}): Promise<RecordingProxy> {
  const calls: RecordedCall[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const amzTarget = req.headers['x-amz-target'];
    const operation =
      typeof amzTarget === 'string'
        ? amzTarget.split('.').pop()!
        : `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
    let parsed: unknown;
    try {
      parsed = body.length ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      parsed = body.toString('utf8');
    }
    const call: RecordedCall = { operation, body: parsed };
    calls.push(call);
    const answered = options.answer?.(operation, (parsed ?? {}) as Record<string, unknown>);
    if (answered) {
      call.status = answered.status;
      res.writeHead(answered.status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(answered.status >= 400
          ? { 'x-amzn-errortype': String((answered.body as { __type?: string }).__type ?? '') }
          : {}),
      });
      res.end(JSON.stringify(answered.body));
      return;
    }
    // http.request, not fetch: the Host header stays the proxy's, so SigV4 signatures still verify upstream.
    const up = new URL(target);
    const upstream = http.request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (ures) => {
        call.status = ures.statusCode;
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        ures.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.destroy();
    });
    upstream.end(body);
  });
  const l = await listenLoopback(server);
  return { url: l.url, calls, operations: () => calls.map((c) => c.operation), close: l.close };
}
