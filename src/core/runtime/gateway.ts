/**
 * MCP over an AgentCore Gateway `/mcp` URL: a raw POST per JSON-RPC message with `Authorization: Bearer <jwt>`
 * (CUSTOM_JWT gateways) or a SigV4 signature (AWS_IAM gateways, service name bedrock-agentcore, signed here with
 * @smithy/signature-v4 for every request). Failures name the fix like the runtime ones.
 */
import { createHash, createHmac } from 'node:crypto';
import { AgentcoreAuthError } from '../errors.js';
import { fetchWithRetry, type FetchLike } from '../http.js';
import { checkServiceUrl } from '../loopback.js';
import { SIGNING_NAME } from '../../wire.js';
import { protocolHttpSdk, signatureV4Sdk } from '../../sdk.js';
import { classify } from '../classify.js';
import { claimHint, parseErrorBody, type FailureFacts } from './failures.js';
import { abortReason, type SendOptions } from './send.js';
import { parseMcpBody, type JsonRpcMessage, type McpExchange, type McpRequestMeta, type McpTransport } from './mcp.js';
import type { Inbound } from './inbound.js';

export interface GatewayDeps {
  url: string;
  /** Who calls, and how: bearer (its token) or SigV4 (signed with `credentials`). */
  inbound: Pick<Inbound, 'mode' | 'token'>;
  region: string;
  credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  fetch: FetchLike;
  send: SendOptions;
  /** Extra headers (custom -H, trace). */
  headers?: Array<[string, string]>;
}

/** Region from a gateway host `<id>.gateway.bedrock-agentcore.<region>.amazonaws.com`. */
export function gatewayRegion(url: string): string | undefined {
  try {
    return /\.gateway\.bedrock-agentcore\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}

export function checkGatewayUrl(url: string): string {
  try {
    return checkServiceUrl(url, '--gateway-url').toString();
  } catch (e) {
    if (e instanceof AgentcoreAuthError) {
      e.hint =
        'Pass the gatewayUrl from GetGateway, e.g. https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp ' +
        '(plain http only for a loopback host: the local stack).';
    }
    throw e;
  }
}

class Sha256 {
  private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret
      ? createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer))
      : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

async function signedHeaders(
  deps: GatewayDeps,
  url: string,
  method: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
): Promise<Record<string, string>> {
  if (!deps.credentials) throw new AgentcoreAuthError('ERR_INTERNAL', 'SigV4 gateway call without credentials');
  const [{ SignatureV4 }, { HttpRequest }] = [signatureV4Sdk(), protocolHttpSdk()];
  const u = new URL(url);
  const creds = await deps.credentials();
  const signer = new SignatureV4({
    service: SIGNING_NAME.agentcore,
    region: deps.region,
    credentials: creds,
    sha256: Sha256,
  });
  const query: Record<string, string> = Object.fromEntries(u.searchParams);
  const req = new HttpRequest({
    method,
    protocol: u.protocol,
    hostname: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    path: u.pathname,
    query,
    headers: { ...headers, host: u.host },
    body,
  });
  const signed = await signer.sign(req);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') out[k] = String(v);
  return out;
}

/** One request to the gateway: bearer or SigV4, retried on throttling/5xx, stopped on Ctrl-C or the timeout. */
async function sendToGateway(
  deps: GatewayDeps,
  url: string,
  method: string,
  body: string | Uint8Array,
  base: Record<string, string>,
  what: string,
): Promise<Response> {
  for (const [k, v] of deps.headers ?? []) base[k.toLowerCase()] = v;
  try {
    const headers =
      deps.inbound.mode === 'bearer'
        ? { ...base, authorization: `Bearer ${deps.inbound.token ?? ''}` }
        : await signedHeaders(deps, url, method, body, base);
    return await fetchWithRetry(
      deps.fetch,
      url,
      { method, headers, body, signal: deps.send.signal },
      {
        maxAttempts: deps.send.maxAttempts ?? 3,
        sleep: deps.send.sleep,
        signal: deps.send.signal,
        ...(deps.send.onRetry
          ? { onRetry: ({ attempt, delayMs, reason }) => deps.send.onRetry?.(attempt, delayMs, reason) }
          : {}),
      },
    );
  } catch (e) {
    if (deps.send.signal.aborted) throw abortReason(deps.send, what);
    throw e;
  }
}

export function gatewayMcpTransport(deps: GatewayDeps): McpTransport {
  return {
    label: `gateway ${new URL(deps.url).host}`,
    async post(message: JsonRpcMessage, meta: McpRequestMeta): Promise<McpExchange> {
      const body = JSON.stringify(message);
      const base: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(meta.sessionId ? { 'mcp-session-id': meta.sessionId } : {}),
        ...(meta.protocolVersion ? { 'mcp-protocol-version': meta.protocolVersion } : {}),
      };
      const res = await sendToGateway(deps, deps.url, 'POST', body, base, meta.method);
      let text: string;
      try {
        text = await res.text();
      } catch (e) {
        if (deps.send.signal.aborted) throw abortReason(deps.send, meta.method);
        throw e;
      }
      const ct = res.headers.get('content-type') ?? undefined;
      if (!res.ok && res.status !== 202) {
        const messages = parseMcpBody(ct, text);
        // A JSON-RPC error in a non-2xx body (401/403 from the gateway's authorizer) is still the reason.
        const rpc = messages.find((m) => m.error)?.error;
        const facts = parseErrorBody(res.status, res.headers, text);
        if (rpc?.message) facts.message = rpc.message;
        throw gatewayFailure(facts, res.headers.get('www-authenticate'), deps, meta.method);
      }
      const sid = res.headers.get('mcp-session-id');
      const pv = res.headers.get('mcp-protocol-version');
      const rid = res.headers.get('x-amzn-requestid');
      return {
        status: res.status,
        ...(ct ? { contentType: ct } : {}),
        ...(sid ? { sessionId: sid } : {}),
        ...(pv ? { protocolVersion: pv } : {}),
        ...(rid ? { requestId: rid } : {}),
        messages: parseMcpBody(ct, text),
      };
    },
  };
}

/**
 * A gateway HTTP target's path (DG gateway-target-http-passthrough: `{gateway}/{targetName}/{path}`): the gateway's
 * MCP URL without its `/mcp`, then the target name and the path (`invocations` for a Runtime target).
 */
export function gatewayTargetUrl(mcpUrl: string, target: string, path = 'invocations'): string {
  const u = new URL(mcpUrl);
  u.pathname = `${u.pathname.replace(/\/mcp\/?$/, '')}/${encodeURIComponent(target)}/${path.replace(/^\/+/, '')}`;
  return u.toString();
}

export interface GatewayTargetAnswer {
  status: number;
  contentType?: string;
  requestId?: string;
  body: Uint8Array;
}

/**
 * One request to a gateway HTTP target. The gateway's own refusals (its authorizer's 401/403, AWS errors naming an
 * x-amzn-errortype) become the usual failures; the target's own answer, whatever its status, is returned.
 */
export async function callGatewayTarget(
  deps: GatewayDeps,
  input: { target: string; path?: string; method?: string; body: Uint8Array; headers: Record<string, string> },
): Promise<GatewayTargetAnswer> {
  const url = gatewayTargetUrl(deps.url, input.target, input.path);
  const method = input.method ?? 'POST';
  const what = `${method} /${input.target}/${input.path ?? 'invocations'}`;
  const res = await sendToGateway(deps, url, method, input.body, { ...input.headers }, what);
  let body: Uint8Array;
  try {
    body = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    if (deps.send.signal.aborted) throw abortReason(deps.send, what);
    throw e;
  }
  const ct = res.headers.get('content-type') ?? undefined;
  const fromGateway = res.headers.get('x-amzn-errortype') !== null || res.headers.get('www-authenticate') !== null;
  if (!res.ok && fromGateway) {
    const text = Buffer.from(body).toString('utf8');
    const facts = parseErrorBody(res.status, res.headers, text);
    const rpc = parseMcpBody(ct, text).find((m) => m.error)?.error;
    if (rpc?.message) facts.message = rpc.message;
    throw gatewayFailure(facts, res.headers.get('www-authenticate'), { ...deps, url }, what);
  }
  const rid = res.headers.get('x-amzn-requestid');
  return { status: res.status, body, ...(ct ? { contentType: ct } : {}), ...(rid ? { requestId: rid } : {}) };
}

export function gatewayFailure(
  f: FailureFacts,
  wwwAuthenticate: string | null,
  deps: Pick<GatewayDeps, 'inbound' | 'url'>,
  method: string,
): AgentcoreAuthError {
  const { mode, token } = deps.inbound;
  const details = {
    operation: `gateway ${method}`,
    ...(f.status ? { status: f.status } : {}),
    ...(f.errorName ? { errorName: f.errorName } : {}),
    mode,
  };
  const said = `${f.errorName ? `${f.errorName}: ` : ''}${f.message}`;
  const cl = classify(f);
  if (cl.claim)
    return new AgentcoreAuthError('ERR_AUTH', `the gateway's JWT authorizer rejected the token: ${f.message}`, {
      hint: claimHint(cl, token),
      details,
    });
  if (f.status === 401 || f.status === 403) return refusedByGateway(f, wwwAuthenticate, mode, said, details);
  if (f.status === 404)
    return new AgentcoreAuthError('ERR_REMOTE', `gateway not found (404) at ${deps.url}: ${said}`, {
      hint: 'Use the gatewayUrl from GetGateway (it ends in /mcp).',
      details,
    });
  if (f.status === 429)
    return new AgentcoreAuthError(
      'ERR_THROTTLED',
      `the gateway throttled the request (429) and retries were exhausted: ${said}`,
      { hint: 'Wait and retry, or lower the request rate.', details },
    );
  if (f.status !== undefined && f.status >= 500)
    return new AgentcoreAuthError('ERR_SERVER', `the gateway failed (${f.status}): ${said}`, { details });
  return new AgentcoreAuthError('ERR_REMOTE', `the gateway rejected ${method} (${f.status ?? '?'}): ${said}`, {
    details,
  });
}

/** A 401 (the token) or 403 (the principal, or the scope), with the fix for the inbound mode used. */
function refusedByGateway(
  f: FailureFacts,
  wwwAuthenticate: string | null,
  mode: string,
  said: string,
  details: Record<string, unknown>,
): AgentcoreAuthError {
  if (f.status === 401) {
    const hint =
      mode === 'sigv4'
        ? 'This gateway has a JWT authorizer (CUSTOM_JWT): call it with --bearer-token TOKEN or --bearer NAME.'
        : classify(wwwAuthenticate ?? '').kind === 'insufficient-scope'
          ? 'The token lacks a scope the gateway requires (see WWW-Authenticate); mint it with that scope.'
          : 'The token is missing, expired or not from the gateway authorizer issuer. Check it with ' +
            '`agentcore-auth verify TOKEN --gateway-id …`.';
    return new AgentcoreAuthError(
      'ERR_AUTH',
      `the gateway refused the request (401): ${said}${
        wwwAuthenticate ? ` [WWW-Authenticate: ${wwwAuthenticate}]` : ''
      }`,
      { hint, details },
    );
  }
  const hint =
    mode === 'bearer'
      ? classify(wwwAuthenticate ?? f.message).kind === 'insufficient-scope'
        ? 'The token lacks a required scope; request it when minting the token.'
        : 'If the gateway uses AWS_IAM inbound auth, call it with SigV4 (drop the bearer flags, or --auth sigv4).'
      : 'Your IAM principal needs bedrock-agentcore:InvokeGateway on this gateway — or the gateway expects a ' +
        'bearer JWT (--bearer-token / --bearer).';
  return new AgentcoreAuthError('ERR_AUTH', `the gateway denied the request (403): ${said}`, { hint, details });
}
