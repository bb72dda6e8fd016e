/**
 * SigV4 verification: recompute the signature of the request as received (method, raw path, query, the headers the
 * client signed, SHA-256 of the body) with @smithy/signature-v4 — the signer the AWS SDK itself uses — and compare.
 * Errors are worded as AWS words them for restJson1 services.
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { EmuRequest } from './server.js';

/** The Checksum interface the signer expects, on node:crypto (SHA-256, or HMAC-SHA256 when given a secret). */
export class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key =
      secret === undefined || typeof secret === 'string'
        ? secret
        : ArrayBuffer.isView(secret)
          ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
          : Buffer.from(secret);
    this.h = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: Uint8Array): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {}
}

export interface StackCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type SigV4Result =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | { ok: false; status: number; type: string; message: string };

export const SIGV4_MESSAGES = {
  missing: 'Missing Authentication Token',
  unrecognized: 'The security token included in the request is invalid.',
  mismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key ' +
    'and signing method. Consult the service documentation for details.',
} as const;

/** AWS accepts requests whose X-Amz-Date is within 5 minutes of its clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const AUTH_RE = new RegExp(
  String.raw`^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,` +
    String.raw`\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$`,
);

export interface VerifyOptions {
  /** Expected signing service (e.g. `bedrock-agentcore`, `cognito-idp`). */
  service?: string;
  now?: () => number;
}

function fail(status: number, type: string, message: string): SigV4Result {
  return { ok: false, status, type, message };
}

function header(req: EmuRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function amzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

interface ParsedAuth {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  signed: string[];
  signature: string;
}

/** The Authorization header's parts, or the refusal of a missing or malformed one. */
function parseAuthorization(req: EmuRequest): ParsedAuth | SigV4Result {
  const auth = header(req, 'authorization');
  if (!auth) return fail(403, 'MissingAuthenticationTokenException', SIGV4_MESSAGES.missing);
  const m = AUTH_RE.exec(auth);
  if (!m)
    return fail(
      403,
      'IncompleteSignatureException',
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. " +
        `Authorization=${auth.split(/\s+/)[0] ?? ''}`,
    );
  const [, accessKeyId, shortDate, region, service, signedHeaderList, signature] = m as unknown as string[];
  return {
    accessKeyId: accessKeyId!,
    shortDate: shortDate!,
    region: region!,
    service: service!,
    signed: signedHeaderList!.split(';'),
    signature: signature!,
  };
}

/** X-Amz-Date: present, matching the credential scope's day, within 5 minutes of the stack's clock. */
function checkDate(req: EmuRequest, shortDate: string, now: number): Date | SigV4Result {
  const dateHeader = header(req, 'x-amz-date');
  const date = dateHeader ? parseAmzDate(dateHeader) : undefined;
  if (!date)
    return fail(
      403,
      'IncompleteSignatureException',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  const day = amzDate(date).slice(0, 8);
  if (day !== shortDate)
    return fail(
      403,
      'InvalidSignatureException',
      'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ' +
        `'${shortDate}' != '${day}', from '${dateHeader}'.`,
    );
  if (Math.abs(now - date.getTime()) <= MAX_CLOCK_SKEW_MS) return date;
  const nowS = amzDate(new Date(now));
  const earlier = date.getTime() < now;
  const bound = amzDate(new Date(earlier ? now - MAX_CLOCK_SKEW_MS : now + MAX_CLOCK_SKEW_MS));
  return fail(
    403,
    'InvalidSignatureException',
    `Signature ${earlier ? 'expired' : 'not yet current'}: ${dateHeader} is now ${earlier ? 'earlier' : 'later'} ` +
      `than ${bound} (${nowS} ${earlier ? '-' : '+'} 5 min.)`,
  );
}

/** The signature the SDK's own signer computes for the request as received. */
async function expectedSignature(req: EmuRequest, p: ParsedAuth, creds: StackCredentials, date: Date) {
  const headers: Record<string, string> = {};
  for (const name of p.signed) {
    const v = header(req, name);
    if (v === undefined) return undefined;
    headers[name] = v;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of req.url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const request = new HttpRequest({
    method: req.method,
    protocol: 'http:',
    hostname: req.url.hostname,
    path: req.rawPath,
    query,
    headers,
    body: req.body,
  });
  const signer = new SignatureV4({
    service: p.service,
    region: p.region,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: true,
  });
  const out = await signer.sign(request, {
    signingDate: date,
    signingRegion: p.region,
    signingService: p.service,
    signableHeaders: new Set(p.signed),
  });
  return /Signature=([0-9a-f]{64})/.exec(String(out.headers.authorization ?? ''))?.[1] ?? '';
}

export async function verifySigV4(
  req: EmuRequest,
  credentials: StackCredentials | StackCredentials[],
  options: VerifyOptions = {},
): Promise<SigV4Result> {
  const p = parseAuthorization(req);
  if ('ok' in p) return p;
  const list = Array.isArray(credentials) ? credentials : [credentials];
  const creds = list.find((c) => c.accessKeyId === p.accessKeyId);
  if (!creds) return fail(403, 'UnrecognizedClientException', SIGV4_MESSAGES.unrecognized);
  if (creds.sessionToken && header(req, 'x-amz-security-token') !== creds.sessionToken)
    return fail(403, 'UnrecognizedClientException', SIGV4_MESSAGES.unrecognized);
  if (options.service && p.service !== options.service)
    return fail(
      403,
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${options.service}'. `,
    );
  const date = checkDate(req, p.shortDate, options.now?.() ?? Date.now());
  if (!(date instanceof Date)) return date;
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  const declared = header(req, 'x-amz-content-sha256');
  if (declared && declared !== 'UNSIGNED-PAYLOAD' && declared !== bodyHash)
    return fail(
      400,
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  const expected = await expectedSignature(req, p, creds, date);
  const a = Buffer.from(expected ?? '');
  const b = Buffer.from(p.signature);
  if (expected === undefined || a.length !== b.length || !timingSafeEqual(a, b))
    return fail(403, 'InvalidSignatureException', SIGV4_MESSAGES.mismatch);
  return { ok: true, accessKeyId: p.accessKeyId, region: p.region, service: p.service };
}
