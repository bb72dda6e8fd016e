/**
 * `mcp` — MCP over a Gateway `/mcp` URL (`--gateway-url`) or over a Runtime agent (`--agent`, same as `invoke --mcp`):
 * initialize → notifications/initialized → tools/list, or `--call TOOL --input JSON`. The inbound mode follows the
 * same rules as `invoke` and is applied to every request. A -32042 URL elicitation (3LO consent needed) is shown with
 * its URL and, with --complete-auth, completed on a loopback return URL and the call retried.
 */
import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { controlSdk } from '../../sdk.js';
import type { RuntimeAuthInfo } from '../../core/runtime/auth-mode.js';
import { defineAction, type Io, type Outcome } from '../command.js';
import { addConsentOptions, checkConsentFlags, type ConsentFlags } from '../consent.js';
import { addDiagramOption } from '../diagram-output.js';
import type { CliContext } from '../context.js';
import { resolveInbound } from '../inbound.js';
import { readInput, runMcpSession, type McpSessionFlags } from '../mcp-session.js';
import {
  addAuthOptions,
  invokeSpec,
  invokerDeps,
  parseTimeout,
  prepareRuntime,
  sendOptionsFor,
  type RuntimeCallFlags,
} from '../runtime-call.js';

interface McpFlags extends RuntimeCallFlags, ConsentFlags, McpSessionFlags {
  gatewayUrl?: string;
  agent?: string;
  /** --input, already parsed (runMcp reads it before any request). */
  args?: unknown;
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('mcp')
    .description(
      'MCP over a Gateway or a Runtime agent: initialize, list tools, call one (bearer or SigV4 on every request)',
    )
    .option('--gateway-url <url>', 'the gateway MCP URL (gatewayUrl from GetGateway, ends in /mcp)')
    .option(
      '--agent <agent>',
      'instead of a gateway: an MCP runtime agent (ARN, runtime id with --account-id, or project agent name)',
    )
    .option('--qualifier <name>', 'with --agent: endpoint name', 'DEFAULT')
    .option('--account-id <id>', 'with --agent: account of a bare runtime id')
    .option('--session-id <id>', 'with --agent: runtime session id (33–256 chars; generated when omitted)')
    .option('--call <tool>', 'call this tool (default: list the tools)')
    .option('--input <json>', 'tool arguments as a JSON object (- reads stdin)', '{}')
    .option('--mcp-protocol-version <version>', 'MCP protocol version to offer', '2025-03-26');
  addConsentOptions(cmd, 'and call the tool again');
  addDiagramOption(addAuthOptions(cmd))
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth mcp --gateway-url https://my-gw-abc1234567.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp --bearer
  agentcore-auth mcp --gateway-url "$GATEWAY_URL" --bearer --call get_weather --input '{"city":"Paris"}'
  agentcore-auth mcp --agent arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_mcp-abc1234567 --user-id alice`,
    )
    .action(defineAction(ctx, (io: Io, opts: McpFlags) => runMcp(io, opts)));
}

async function runMcp(io: Io, opts: McpFlags): Promise<Outcome> {
  if (!!opts.gatewayUrl === !!opts.agent) throw usageError('pass exactly one of --gateway-url URL or --agent AGENT');
  await checkConsentFlags(opts);
  // The tool arguments are checked before any request (a typo should not cost an initialize round trip).
  if (opts.call) opts = { ...opts, args: await readInput(io, opts) };
  return opts.agent ? mcpOverRuntime(io, opts.agent, opts) : mcpOverGateway(io, opts.gatewayUrl!, opts);
}

async function mcpOverRuntime(io: Io, agent: string, opts: McpFlags): Promise<Outcome> {
  const req = await import('../../core/runtime/request.js');
  const customHeaders = req.parseCustomHeaders(opts.header ?? []);
  const prep = await prepareRuntime(io, agent, opts);
  const { target, region } = prep;
  const inbound = await resolveInbound(io, opts, prep.lookup);
  const sessionId = opts.sessionId !== undefined ? req.checkSessionId(opts.sessionId) : req.newSessionId();
  const { runtimeMcpTransport } = await import('../../core/runtime/invoker.js');
  const transport = runtimeMcpTransport(
    invokerDeps(io, prep, inbound),
    invokeSpec(prep, inbound, opts, {
      payload: new Uint8Array(),
      contentType: 'application/json',
      accept: req.DEFAULT_ACCEPT,
      sessionId,
      customHeaders,
    }),
  );
  io.ui.info(
    `${io.ui.c.bold('mcp')} over runtime ${target.arn ?? target.pathLabel} ${io.ui.c.dim(`(qualifier ${target.qualifier}, session ${sessionId})`)}`,
  );
  return runMcpSession(io, transport, { ...opts, inbound, region, target: target.arn ?? target.pathLabel });
}

async function mcpOverGateway(io: Io, gatewayUrl: string, opts: McpFlags): Promise<Outcome> {
  const [gw, aws] = await Promise.all([import('../../core/runtime/gateway.js'), import('../../core/aws.js')]);
  const url = gw.checkGatewayUrl(gatewayUrl);
  (await import('../../core/runtime/request.js')).checkTraceHeaderLengths(opts);
  const region = aws.requireRegion(gw.gatewayRegion(url) ?? io.aws.region());
  const timeoutMs = parseTimeout(opts.timeout);
  const resolved = await resolveInbound(io, opts, () => lookupGatewayAuth(io, url, region));
  if (resolved.mode === 'sigv4' && resolved.userId !== undefined) {
    io.ui.warn('--user-id is a Runtime header; a gateway ignores it (it is not sent).');
  }
  // What the gateway is sent: no user id (a Runtime header), so neither shown nor used to complete a consent.
  const { userId: _notSent, ...inbound } = resolved;
  const req = await import('../../core/runtime/request.js');
  const headers: Array<[string, string]> = [
    ...(opts.traceId ? [['x-amzn-trace-id', opts.traceId] as [string, string]] : []),
    ...(opts.traceparent ? [['traceparent', opts.traceparent] as [string, string]] : []),
    ...(opts.tracestate ? [['tracestate', opts.tracestate] as [string, string]] : []),
    ...(opts.baggage ? [['baggage', opts.baggage] as [string, string]] : []),
    ...req.parseCustomHeaders(opts.header ?? []),
  ];
  const transport = gw.gatewayMcpTransport({
    url,
    inbound,
    region,
    ...(inbound.mode === 'sigv4' ? { credentials: () => io.aws.credentials() } : {}),
    fetch: io.http(timeoutMs),
    send: sendOptionsFor(io, timeoutMs),
    headers,
  });
  io.ui.info(`${io.ui.c.bold('mcp')} over gateway ${url}`);
  return runMcpSession(io, transport, { ...opts, inbound, region, target: url });
}

/** GetGateway → authorizerType (CUSTOM_JWT → bearer; AWS_IAM → SigV4). The gateway id is read from the URL. */
async function lookupGatewayAuth(io: Io, url: string, region: string): Promise<RuntimeAuthInfo> {
  const u = new URL(url);
  const id =
    /^\/gateways\/([^/]+)\/mcp\/?$/.exec(u.pathname)?.[1] ??
    (/\.gateway\.bedrock-agentcore\./.test(u.hostname) ? u.hostname.split('.')[0] : undefined);
  if (!id)
    throw usageError(
      '--auth auto: cannot read the gateway id from --gateway-url',
      'Pass --auth sigv4 or a bearer flag.',
    );
  const { GetGatewayCommand } = controlSdk();
  const { fromAwsError } = await import('../../core/aws.js');
  try {
    const out = await (await io.aws.control(region)).send(new GetGatewayCommand({ gatewayIdentifier: id }), {
      abortSignal: io.ctx.signal,
    });
    const jwt = out.authorizerConfiguration?.customJWTAuthorizer;
    if (out.authorizerType === 'NONE')
      io.ui.note('  the gateway has authorizerType NONE; the request is sent with SigV4 anyway');
    return {
      mode: out.authorizerType === 'CUSTOM_JWT' ? 'bearer' : 'sigv4',
      runtimeId: id,
      ...(jwt
        ? {
            jwt: {
              ...(jwt.discoveryUrl ? { discoveryUrl: jwt.discoveryUrl } : {}),
              ...(jwt.allowedClients?.length ? { allowedClients: jwt.allowedClients } : {}),
              ...(jwt.allowedAudience?.length ? { allowedAudience: jwt.allowedAudience } : {}),
            },
          }
        : {}),
    };
  } catch (e) {
    throw fromAwsError(e, `GetGateway (${id})`);
  }
}
