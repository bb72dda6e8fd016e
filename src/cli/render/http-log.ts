/**
 * --verbose: each HTTP step on stderr, built from HttpExchange records, always redacted unless --show-secrets.
 */
import type { ExchangeListener, HttpExchange } from '../../core/http.js';
import { tryDecodeJwt } from '../../core/jwt.js';
import { redactBody, redactHeaders, redactUrl } from '../../core/redact.js';
import type { Ui } from './ui.js';

const NOISY = new Set([
  'user-agent',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'x-amz-user-agent',
  'content-length',
  'connection',
  'keep-alive',
  'date',
]);

export function createTraceListener(ui: Ui, show: boolean): ExchangeListener {
  return (ex: HttpExchange, phase) => {
    const c = ui.c;
    if (phase === 'request') {
      ui.line(
        c.cyan(`→ ${ex.method} ${redactUrl(ex.url, show)}`) +
          (ex.label ? c.dim(`  (${ex.label})`) : '') +
          (ex.proxy ? c.dim(`  via proxy ${ex.proxy}`) : ''),
      );
      printHeaders(ui, ex.requestHeaders, show);
      if (ex.requestBody) {
        ui.line(indent(redactBody(ex.requestBody, ex.requestHeaders['content-type'], show)));
        printJwtClaims(ui, ex.requestBody);
      }
      return;
    }
    if (ex.error && ex.status === undefined) {
      ui.line(c.red(`← ${ex.error} (${ex.durationMs ?? '?'} ms)`));
      return;
    }
    const colour = (ex.status ?? 0) >= 400 ? c.red : c.green;
    ui.line(colour(`← ${ex.status} (${ex.durationMs ?? '?'} ms)`) + (ex.error ? c.red(`  ${ex.error}`) : ''));
    if (ex.responseHeaders) printHeaders(ui, ex.responseHeaders, show);
    if (ex.responseBody) {
      ui.line(indent(redactBody(ex.responseBody, ex.responseHeaders?.['content-type'], show)));
      printJwtClaims(ui, ex.responseBody);
    }
  };
}

function printHeaders(ui: Ui, headers: Record<string, string>, show: boolean): void {
  const shown = Object.fromEntries(Object.entries(headers).filter(([k]) => !NOISY.has(k.toLowerCase())));
  for (const [k, v] of Object.entries(redactHeaders(shown, show))) ui.line(ui.c.dim(`    ${k}: ${v}`));
}

function indent(text: string): string {
  const t = text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
  return t
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Decoded claims of any JWT found in a body, marked unverified (claims are not secrets; the token is). */
function printJwtClaims(ui: Ui, body: string): void {
  const seen = new Set<string>();
  for (const m of body.matchAll(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g)) {
    if (seen.has(m[0])) continue;
    seen.add(m[0]);
    const d = tryDecodeJwt(m[0]);
    if (d) ui.line(ui.c.dim(`    jwt claims (unverified): ${JSON.stringify(d.payload)}`));
  }
}
