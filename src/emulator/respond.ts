/**
 * Response helpers shared by every emulator handler. Two AWS error wire formats:
 * - restJson1 (AgentCore data and control planes): `x-amzn-errortype: <Type>` header + body `{"message": …}`.
 * - awsJson1_1 (Cognito): body `{"__type": "<Type>", "message": …}`, plus `x-amzn-errortype: <Type>:` and
 *   `x-amzn-errormessage` headers as captured from the live service (agentcore-errors.md §7).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export type Headers = Record<string, string | number | string[]>;

function baseHeaders(res: ServerResponse): Headers {
  const existing = res.getHeader('x-amzn-requestid');
  return { 'x-amzn-requestid': typeof existing === 'string' ? existing : randomUUID() };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...baseHeaders(res),
    ...(text ? { 'content-type': 'application/json' } : {}),
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** restJson1 error: the SDK reads the type from `x-amzn-errortype` and the message from the body. */
export function sendAwsError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Headers = {},
): void {
  sendJson(res, status, { message, ...extra }, { 'x-amzn-errortype': type, ...headers });
}

/** awsJson1_1 error (Cognito): `__type` in the body; Cognito sends 400 for its client errors. */
export function sendAwsJsonError(res: ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    ...baseHeaders(res),
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': `${type}:`,
    'x-amzn-errormessage': message,
  });
  res.end(text);
}

/** awsJson1_1 success. */
export function sendAwsJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(200, {
    ...baseHeaders(res),
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Headers = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
