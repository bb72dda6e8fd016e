/**
 * `mcp` — MCP over a Gateway `/mcp` URL (`--gateway-url`) or over a Runtime agent (`--agent`, same as `invoke --mcp`):
 * initialize → notifications/initialized → tools/list, or `--call TOOL --input JSON`. The inbound mode follows the
 * same rules as `invoke` and is applied to every request. A -32042 URL elicitation (3LO consent needed) is shown with
 * its URL and, with --complete-auth, completed on a loopback return URL and the call retried.
 */
import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import type { GetGatewayCommandOutput } from '@aws-sdk/client-bedrock-agentcore-control';
import { defineAction, type Outcome, type CliRun } from '../command.js';
import type { Io } from '../io.js';
import { checkConsentFlags, consentOptions } from '../consent.js';
import { addDiagramOption, type DiagramFlags } from '../diagram-output.js';
import { resolveInbound } from '../inbound-flags.js';
import { mcpSessionOptions, runMcpSession, toolArguments } from '../mcp-session.js';
import { addOptions, value, type OptionsOf } from '../options.js';
import {
  addAuthOptions,
  invokeSpec,
  invokerDeps,
  prepareRuntime,
  runtimeOptions,
  sendOptionsFor,
  type RuntimeCallFlags,
} from '../runtime-call.js';

const MCP_OPTIONS = {
  gatewayUrl: value('--gateway-url <url>', 'the gateway MCP URL (gatewayUrl from GetGateway, ends in /mcp)', {
    conflicts: ['agent', 'gatewayId'],
  }),
  gatewayId: value(
    '--gateway-id <id>',
    'the gateway by id: its URL (and, with --auth auto, its authorizer) from GetGateway',
    {
      conflicts: ['agent'],
    },
  ),
  agent: value(
    '--agent <agent>',
    'instead of a gateway: an MCP runtime agent (ARN, runtime id with --account-id, or project agent name)',
  ),
  ...runtimeOptions('with --agent: '),
  ...mcpSessionOptions({
    call: 'call this tool (default: list the tools)',
    input: 'tool arguments as a JSON object (- reads stdin)',
  }),
};

const CONSENT_OPTIONS = consentOptions('and call the tool again');

type McpFlags = OptionsOf<typeof MCP_OPTIONS & typeof CONSENT_OPTIONS> & RuntimeCallFlags & DiagramFlags;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('mcp')
    .description(
      'MCP over a Gateway or a Runtime agent: initialize, list tools, call one (bearer or SigV4 on every request)',
    );
  addOptions(addOptions(cmd, MCP_OPTIONS), CONSENT_OPTIONS);
  addDiagramOption(addAuthOptions(cmd))
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth mcp --bearer \\
      --gateway-url https://my-gw-abc1234567.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp
  agentcore-auth mcp --gateway-url "$GATEWAY_URL" --bearer --call get_weather --input '{"city":"Paris"}'
  agentcore-auth mcp --gateway-id my-gw-abc1234567 --auth auto --bearer
  agentcore-auth mcp --user-id alice \\
      --agent arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_mcp-abc1234567`,
    )
    .action(defineAction(run, (io: Io, opts: McpFlags) => runMcp(io, opts)));
}

async function runMcp(io: Io, opts: McpFlags): Promise<Outcome> {
  if ([opts.gatewayUrl, opts.gatewayId, opts.agent].filter(Boolean).length !== 1)
    throw usageError('pass exactly one of --gateway-url URL, --gateway-id ID or --agent AGENT');
  await checkConsentFlags(opts);
  // The tool arguments are checked before any request (a typo should not cost an initialize round trip).
  if (opts.call) opts = { ...opts, input: await toolArguments(io, opts) };
  if (opts.agent) return mcpOverRuntime(io, opts.agent, opts);
  if (opts.gatewayUrl) return mcpOverGateway(io, opts.gatewayUrl, opts);
  const { getGateway } = await import('../gateway-lookup.js');
  const { requireRegion } = await import('../../core/aws.js');
  const region = requireRegion(io.aws.region());
  const gateway = await getGateway(io, opts.gatewayId!, region);
  if (!gateway.gatewayUrl) throw usageError(`GetGateway returned no gatewayUrl for ${opts.gatewayId}`);
  io.ui.note(`  ${opts.gatewayId}: ${gateway.gatewayUrl} (${gateway.authorizerType ?? '?'})`);
  return mcpOverGateway(io, gateway.gatewayUrl, opts, gateway);
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
    `${io.ui.c.bold('mcp')} over ` +
      `runtime ${target.arn ?? target.pathLabel} ${io.ui.c.dim(
        `(qualifier ${target.qualifier}, ` + `session ${sessionId})`,
      )}`,
  );
  return runMcpSession(io, transport, { ...opts, inbound, region, target: target.arn ?? target.pathLabel });
}

async function mcpOverGateway(
  io: Io,
  gatewayUrl: string,
  opts: McpFlags,
  known?: GetGatewayCommandOutput,
): Promise<Outcome> {
  const [gw, aws, lookup] = await Promise.all([
    import('../../core/runtime/gateway.js'),
    import('../../core/aws.js'),
    import('../gateway-lookup.js'),
  ]);
  const url = gw.checkGatewayUrl(gatewayUrl);
  const region = aws.requireRegion(gw.gatewayRegion(url) ?? io.aws.region());
  const timeoutMs = opts.timeout;
  const hasBearer = opts.bearerToken !== undefined || opts.bearer !== undefined;
  const resolved = await resolveInbound(io, opts, lookup.gatewayAuthLookup(io, url, region, hasBearer, known));
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
