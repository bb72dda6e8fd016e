/**
 * `invoke --gateway-url URL --target NAME [payload]` (or `--gateway-id ID`): a gateway's HTTP target by path
 * routing — `{gateway}/{target}/invocations` for an AgentCore Runtime target, `{gateway}/{target}/{--target-path}` for
 * a passthrough target — with the run's inbound mode (bearer, or SigV4 as `bedrock-agentcore`). The runtime session
 * and custom headers go along as on a direct invoke (the gateway forwards them to a runtime target).
 */
import type { GetGatewayCommandOutput } from '@aws-sdk/client-bedrock-agentcore-control';
import { AgentcoreAuthError, usageError } from '../core/errors.js';
import { HEADERS } from '../wire.js';
import type { Outcome } from './command.js';
import { resolveInbound, type AuthFlags } from './inbound-flags.js';
import type { Io } from './io.js';
import { sendOptionsFor } from './runtime-call.js';

export interface GatewayInvokeInput {
  gatewayUrl?: string;
  gatewayId?: string;
  target: string;
  path?: string;
  payload: Uint8Array;
  contentType: string;
  accept: string;
  sessionId?: string;
  headers: Array<[string, string]>;
  timeoutMs: number;
  raw?: boolean;
}

async function gatewayOf(io: Io, input: GatewayInvokeInput, region: string) {
  const lookup = await import('./gateway-lookup.js');
  let known: GetGatewayCommandOutput | undefined;
  let url = input.gatewayUrl;
  if (!url) {
    known = await lookup.getGateway(io, input.gatewayId!, region);
    if (!known.gatewayUrl) throw usageError(`GetGateway returned no gatewayUrl for ${input.gatewayId}`);
    url = known.gatewayUrl;
  }
  return { url, known, lookup };
}

export async function invokeGatewayTarget(io: Io, input: GatewayInvokeInput, flags: AuthFlags): Promise<Outcome> {
  const [gw, aws] = await Promise.all([import('../core/runtime/gateway.js'), import('../core/aws.js')]);
  if (!/^[0-9a-zA-Z](-?[0-9a-zA-Z])*$/.test(input.target))
    throw usageError(`--target ${input.target}: target names are letters, digits and single hyphens`);
  const region = aws.requireRegion((input.gatewayUrl && gw.gatewayRegion(input.gatewayUrl)) || io.aws.region());
  const { url: rawUrl, known, lookup } = await gatewayOf(io, input, region);
  const url = gw.checkGatewayUrl(rawUrl);
  const hasBearer = flags.bearerToken !== undefined || flags.bearer !== undefined;
  const { userId: _notSent, ...inbound } = await resolveInbound(
    io,
    flags,
    lookup.gatewayAuthLookup(io, url, region, hasBearer, known),
  );
  const target = gw.gatewayTargetUrl(url, input.target, input.path);
  io.ui.info(`${io.ui.c.bold('invoke')} gateway target ${input.target} ${io.ui.c.dim(`→ ${target}`)}`);
  io.ui.kv([['auth', inbound.mode === 'bearer' ? `bearer token from ${inbound.tokenSource ?? '?'}` : 'SigV4 (IAM)']]);
  const headers: Record<string, string> = { 'content-type': input.contentType, accept: input.accept };
  if (input.sessionId) headers[HEADERS.sessionId.toLowerCase()] = input.sessionId;
  const started = performance.now();
  const answer = await gw.callGatewayTarget(
    {
      url,
      inbound,
      region,
      ...(inbound.mode === 'sigv4' ? { credentials: () => io.aws.credentials() } : {}),
      fetch: io.http(input.timeoutMs),
      send: sendOptionsFor(io, input.timeoutMs),
      headers: input.headers,
    },
    { target: input.target, ...(input.path ? { path: input.path } : {}), body: input.payload, headers },
  );
  const ms = Math.round(performance.now() - started);
  const text = Buffer.from(answer.body).toString('utf8');
  if (answer.status >= 400)
    throw new AgentcoreAuthError(
      'ERR_REMOTE',
      `the target ${input.target} answered ${answer.status}: ${text.slice(0, 500)}`,
      {
        details: { status: answer.status, ...(answer.requestId ? { requestId: answer.requestId } : {}) },
      },
    );
  io.ui.success(`${answer.status} ${answer.contentType ?? ''}, ${ms} ms`);
  if (io.globals.json) {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: kept as text */
    }
    return { json: { status: answer.status, contentType: answer.contentType ?? null, target: input.target, body } };
  }
  return { human: () => io.out.write(input.raw || text.endsWith('\n') ? text : `${text}\n`) };
}

/** The flags of `invoke --gateway-url/--gateway-id --target` checked, the payload read, the call made. */
export async function gatewayTargetFromFlags(
  io: Io,
  first: string | undefined,
  second: string | undefined,
  opts: AuthFlags & {
    gatewayUrl?: string;
    gatewayId?: string;
    target?: string;
    targetPath?: string;
    mcp?: boolean;
    dryRun?: boolean;
    completeAuth?: boolean;
    contentType?: string;
    accept?: string;
    sessionId?: string;
    header?: Array<[string, string]>;
    timeout: number;
    raw?: boolean;
  },
  readPayload: (arg: string | undefined) => Promise<{ bytes: Uint8Array }>,
): Promise<Outcome> {
  if (!opts.target || !(opts.gatewayUrl || opts.gatewayId))
    throw usageError('--target goes with --gateway-url URL or --gateway-id ID (and they need --target)');
  if (second !== undefined) throw usageError('with --gateway-url/--gateway-id, pass only the payload (no agent)');
  if (opts.mcp || opts.dryRun || opts.completeAuth)
    throw usageError('--mcp, --dry-run and --complete-auth are for agents; use `mcp --gateway-url` for MCP');
  const req = await import('../core/runtime/request.js');
  const payload = await readPayload(first);
  return invokeGatewayTarget(
    io,
    {
      ...(opts.gatewayUrl ? { gatewayUrl: opts.gatewayUrl } : { gatewayId: opts.gatewayId! }),
      target: opts.target,
      ...(opts.targetPath ? { path: opts.targetPath } : {}),
      payload: payload.bytes,
      contentType: opts.contentType ?? req.DEFAULT_CONTENT_TYPE,
      accept: opts.accept ?? req.DEFAULT_ACCEPT,
      ...(opts.sessionId ? { sessionId: opts.sessionId } : {}),
      headers: req.parseCustomHeaders(opts.header ?? []),
      timeoutMs: opts.timeout,
      ...(opts.raw ? { raw: true } : {}),
    },
    opts,
  );
}
