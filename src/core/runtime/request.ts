/**
 * One invocation, described once (`InvokeSpec`), and its two wire forms:
 * - `toSdkInput`: the InvokeAgentRuntimeCommand input (SigV4 path; custom headers are added by a build-step middleware,
 *   because the model has no member for them);
 * - `buildBearerRequest`: the raw HTTPS request (bearer path), whose method, path, query and headers equal what the SDK
 *   sends for the same inputs, header order included (test/core/invoke-wire.test.ts compares the two on the wire).
 * Plus the header rules (`-H name:value`, reserved names) and the curl rendering for --dry-run / --print-curl.
 */
import { randomUUID } from 'node:crypto';
import type { InvokeAgentRuntimeCommandInput } from '@aws-sdk/client-bedrock-agentcore';
import { AgentcoreAuthError, usageError } from '../errors.js';
import { maskSecret } from '../redact.js';
import { checkUserId, parseHeaderLine } from '../wire-values.js';
import { HEADERS, LIMITS, PATHS, RESERVED_REQUEST_HEADERS } from '../../wire.js';
import type { Inbound } from './inbound.js';
import type { RuntimeTarget } from './target.js';

export interface McpHeaders {
  sessionId?: string;
  protocolVersion?: string;
  method?: string;
  name?: string;
}

export interface InvokeSpec {
  target: RuntimeTarget;
  region: string;
  payload: Uint8Array;
  contentType: string;
  accept: string;
  sessionId: string;
  userId?: string;
  traceId?: string;
  traceParent?: string;
  traceState?: string;
  baggage?: string;
  mcp?: McpHeaders;
  /** Already prefixed with X-Amzn-Bedrock-AgentCore-Runtime-Custom-. */
  customHeaders: Array<[string, string]>;
}

export const DEFAULT_CONTENT_TYPE = 'application/json';
export const DEFAULT_ACCEPT = 'application/json, text/event-stream';

/** A fresh runtime session id: `agentcore-auth-` + UUID v4 = 51 characters (the service wants 33–256). */
export function newSessionId(): string {
  return `agentcore-auth-${randomUUID()}`;
}

export function checkSessionId(id: string): string {
  if (id.length < LIMITS.sessionIdMin || id.length > LIMITS.sessionIdMax) {
    throw usageError(
      `--session-id must be ${LIMITS.sessionIdMin}–${LIMITS.sessionIdMax} characters, got ${id.length}`,
      'The service refuses shorter ids (ValidationException on runtimeSessionId). Omit --session-id to get a ' +
        'generated one.',
    );
  }
  return id;
}

/** A runtime user id (X-Amzn-Bedrock-AgentCore-Runtime-User-Id): 1–1024 characters a header can carry. */
export function checkRuntimeUserId(id: string, flag = '--user-id'): string {
  return checkUserId(id, { max: LIMITS.userIdMax, flag });
}

/**
 * InvokeAgentRuntime takes at most LIMITS.payloadMax bytes. Refused here, before the upload, rather than by the service
 * after it (`what` names the source: "the payload", "--payload-file big.bin").
 */
export function checkPayloadSize(bytes: number, what = 'the payload'): void {
  if (bytes <= LIMITS.payloadMax) return;
  throw new AgentcoreAuthError(
    'ERR_INPUT',
    // Decimal megabytes: the limit is the model's 100,000,000 bytes ("100 MB" in the quotas page).
    `${what} is ${(bytes / 1e6).toFixed(1)} MB (${bytes} bytes); InvokeAgentRuntime accepts at most 100 MB ` +
      `(${LIMITS.payloadMax} bytes)`,
    {
      hint:
        'The limit is fixed (not adjustable). Send the agent a reference to the data instead (an S3 URI or ' +
        'a URL it fetches), or split it over several calls in one session (--session-id).',
      details: { bytes, limit: LIMITS.payloadMax },
    },
  );
}

/** Which dedicated flag replaces a header someone tried to pass with -H. */
const FLAG_FOR_HEADER: Record<string, string> = {
  authorization: '--bearer-token / --bearer (or SigV4 via --user-id / --auth sigv4)',
  'x-amzn-bedrock-agentcore-runtime-session-id': '--session-id',
  'x-amzn-bedrock-agentcore-runtime-user-id': '--user-id',
  'mcp-session-id': '--mcp (the session is managed for you)',
  'mcp-protocol-version': '--mcp-protocol-version',
  'mcp-method': '--mcp',
  'mcp-name': '--mcp',
  'x-amzn-trace-id': '--trace-id',
  traceparent: '--traceparent',
  tracestate: '--tracestate',
  baggage: '--baggage',
  'content-type': '--content-type',
  accept: '--accept',
};

/**
 * Parse `-H name:value` options. Names without the X-Amzn-Bedrock-AgentCore-Runtime-Custom- prefix get it; reserved
 * names (Authorization, session, user id, MCP, trace, signing and transport headers) are refused with the flag to use.
 */
export function parseCustomHeaders(values: ReadonlyArray<string | readonly [string, string]>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const given of values) {
    const [name, value] = parseHeaderLine(typeof given === 'string' ? given : `${given[0]}:${given[1]}`);
    const lower = name.toLowerCase();
    if ((RESERVED_REQUEST_HEADERS as readonly string[]).includes(lower) || lower in FLAG_FOR_HEADER) {
      const flag = FLAG_FOR_HEADER[lower];
      throw usageError(
        `-H ${name}: reserved header, agentcore-auth sets it itself`,
        flag
          ? `Use ${flag} instead.`
          : 'Signing and transport headers are computed for each request; they cannot be set by hand.',
      );
    }
    const prefixLower = HEADERS.customPrefix.toLowerCase();
    let full: string;
    if (lower.startsWith(prefixLower)) {
      if (lower.length === prefixLower.length)
        throw usageError(`-H ${name}: the custom header needs a name after the prefix`);
      full = name;
    } else if (lower.startsWith('x-amz-') || lower.startsWith('x-amzn-')) {
      throw usageError(
        `-H ${name}: x-amz-* / x-amzn-* headers are reserved for AWS`,
        `Only ${HEADERS.customPrefix}* headers reach the agent; pick a name without the x-amz prefix (it ` +
          `gets the custom prefix).`,
      );
    } else {
      full = `${HEADERS.customPrefix}${name}`;
    }
    if (value.length > LIMITS.customHeaderValueMax) {
      throw usageError(
        `-H ${name}: value is ${value.length} characters; the runtime allows at most ${LIMITS.customHeaderValueMax}`,
      );
    }
    if (seen.has(full.toLowerCase())) throw usageError(`-H ${name}: given twice`);
    seen.add(full.toLowerCase());
    out.push([full, value]);
  }
  if (out.length > LIMITS.customHeadersPerRuntime) {
    throw usageError(`${out.length} custom headers; a runtime accepts at most ${LIMITS.customHeadersPerRuntime}`);
  }
  return out;
}

/** The input for InvokeAgentRuntimeCommand (custom headers travel separately: see `customHeaderMiddleware`). */
export function toSdkInput(spec: InvokeSpec): InvokeAgentRuntimeCommandInput {
  const { target } = spec;
  return {
    agentRuntimeArn: target.pathLabel,
    qualifier: target.qualifier,
    ...(target.accountId ? { accountId: target.accountId } : {}),
    payload: spec.payload,
    contentType: spec.contentType,
    accept: spec.accept,
    runtimeSessionId: spec.sessionId,
    ...(spec.userId !== undefined ? { runtimeUserId: spec.userId } : {}),
    ...(spec.mcp?.sessionId ? { mcpSessionId: spec.mcp.sessionId } : {}),
    ...(spec.mcp?.protocolVersion ? { mcpProtocolVersion: spec.mcp.protocolVersion } : {}),
    ...(spec.mcp?.method ? { mcpMethod: spec.mcp.method } : {}),
    ...(spec.mcp?.name ? { mcpName: spec.mcp.name } : {}),
    ...(spec.traceId ? { traceId: spec.traceId } : {}),
    ...(spec.traceParent ? { traceParent: spec.traceParent } : {}),
    ...(spec.traceState ? { traceState: spec.traceState } : {}),
    ...(spec.baggage ? { baggage: spec.baggage } : {}),
  };
}

/**
 * A build-step middleware that adds the custom headers to the SDK's request before it is signed (they are signed
 * like every other header).
 */
export function customHeaderMiddleware(headers: ReadonlyArray<[string, string]>) {
  return (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
    const req = args.request as { headers?: Record<string, string> };
    if (req && typeof req === 'object' && req.headers) for (const [k, v] of headers) req.headers[k.toLowerCase()] = v;
    return next(args);
  };
}

export interface RawRequest {
  method: 'POST';
  url: string;
  /** In the order the SDK serializes them, names lower-case as on the SDK's wire. */
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/** The invocation URL: `${base}/runtimes/${encodeURIComponent(arn)}/invocations?qualifier=…[&accountId=…]`. */
export function invocationUrl(baseUrl: string, target: RuntimeTarget): string {
  // The SDK's order: accountId, then qualifier.
  const q = new URLSearchParams();
  if (target.accountId) q.set('accountId', target.accountId);
  q.set('qualifier', target.qualifier);
  return `${baseUrl.replace(/\/+$/, '')}${PATHS.invoke(target.pathLabel)}?${q.toString()}`;
}

/** The headers of an invocation, minus signing/transport ones, in the SDK's serialization order. */
export function invocationHeaders(spec: InvokeSpec): Array<[string, string]> {
  const h: Array<[string, string]> = [
    ['content-type', spec.contentType],
    ['accept', spec.accept],
  ];
  if (spec.mcp?.sessionId) h.push([HEADERS.mcpSessionId.toLowerCase(), spec.mcp.sessionId]);
  h.push([HEADERS.sessionId.toLowerCase(), spec.sessionId]);
  if (spec.mcp?.protocolVersion) h.push([HEADERS.mcpProtocolVersion.toLowerCase(), spec.mcp.protocolVersion]);
  if (spec.mcp?.method) h.push([HEADERS.mcpMethod.toLowerCase(), spec.mcp.method]);
  if (spec.mcp?.name) h.push([HEADERS.mcpName.toLowerCase(), spec.mcp.name]);
  if (spec.userId !== undefined) h.push([HEADERS.userId.toLowerCase(), spec.userId]);
  if (spec.traceId) h.push([HEADERS.traceId.toLowerCase(), spec.traceId]);
  if (spec.traceParent) h.push([HEADERS.traceParent, spec.traceParent]);
  if (spec.traceState) h.push([HEADERS.traceState, spec.traceState]);
  if (spec.baggage) h.push([HEADERS.baggage, spec.baggage]);
  for (const [k, v] of spec.customHeaders) h.push([k.toLowerCase(), v]);
  return h;
}

export function buildBearerRequest(spec: InvokeSpec, baseUrl: string, token: string): RawRequest {
  return {
    method: 'POST',
    url: invocationUrl(baseUrl, spec.target),
    headers: requestHeaders(spec, { mode: 'bearer', token }),
    body: spec.payload,
  };
}

/**
 * The headers this caller sends with the invocation: the bearer path's include `Authorization: Bearer <token>`; the
 * SigV4 signature is computed by the SDK at send time and is not among them.
 */
export function requestHeaders(spec: InvokeSpec, inbound: Pick<Inbound, 'mode' | 'token'>): Array<[string, string]> {
  const headers = invocationHeaders(spec);
  return inbound.mode === 'bearer' ? [...headers, ['authorization', `Bearer ${inbound.token ?? ''}`]] : headers;
}

const shq = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export interface CurlOptions {
  /** The caller: its mode, and the bearer token it sends. */
  inbound: Pick<Inbound, 'mode' | 'token'>;
  baseUrl: string;
  showSecrets: boolean;
  /** Payload file, to print `--data-binary @file` instead of the inline payload. */
  payloadFile?: string;
  /**
   * SigV4: whether the credentials have a session token (AWS_SESSION_TOKEN is set). Only then is its header printed:
   * curl signs an empty `x-amz-security-token:` header it then does not send, and the signature no longer matches.
   */
  sessionToken?: boolean;
}

/**
 * The target as curl addresses it. For SigV4, an ARN is given as the runtime id with `accountId` in the query (a form
 * the API takes): curl's --aws-sigv4 signs the path as written, without the second encoding AWS expects of `%3A` and
 * `%2F` in a path, so an encoded ARN in the path fails with "The request signature we calculated does not match"
 * (curl issue 16927).
 */
function curlTarget(target: RuntimeTarget, inbound: Pick<Inbound, 'mode'>): RuntimeTarget {
  if (inbound.mode !== 'sigv4' || target.accountId || !target.arn) return target;
  const account = target.arn.split(':')[4];
  return account ? { ...target, pathLabel: target.runtimeId, accountId: account } : target;
}

/**
 * The request as a curl command. Bearer: the token is masked unless showSecrets. SigV4: curl signs the request itself
 * at send time (`--aws-sigv4`, curl ≥ 7.75) from the AWS_* variables, so no signature is printed: one computed now
 * would carry a timestamp and expire in 5 minutes.
 */
export function toCurl(spec: InvokeSpec, opts: CurlOptions): string {
  const lines = [`curl -sS -N -X POST ${shq(invocationUrl(opts.baseUrl, curlTarget(spec.target, opts.inbound)))}`];
  for (const [k, v] of invocationHeaders(spec)) lines.push(`-H ${shq(`${k}: ${v}`)}`);
  if (opts.inbound.mode === 'bearer') {
    const tok = opts.inbound.token ?? '';
    lines.push(`-H ${shq(`authorization: Bearer ${opts.showSecrets ? tok : maskSecret(tok)}`)}`);
  } else {
    lines.push(`--aws-sigv4 ${shq(`aws:amz:${spec.region}:bedrock-agentcore`)}`);
    lines.push(`--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"`);
    if (opts.sessionToken) lines.push(`-H "x-amz-security-token: $AWS_SESSION_TOKEN"`);
  }
  if (opts.payloadFile) lines.push(`--data-binary @${shq(opts.payloadFile)}`);
  else lines.push(`--data-binary ${shq(Buffer.from(spec.payload).toString('utf8'))}`);
  return lines.join(' \\\n  ');
}
