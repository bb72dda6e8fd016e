/**
 * `mcp` — MCP over a Gateway `/mcp` URL (`--gateway-url`) or over a Runtime agent (`--agent`, same as `invoke --mcp`):
 * initialize → notifications/initialized → tools/list, or `--call TOOL --input JSON`. The inbound mode follows the
 * same rules as `invoke` and is applied to every request. A -32042 URL elicitation (3LO consent needed) is shown with
 * its URL and, with --complete-auth, completed on a loopback return URL and the call retried.
 */
import type { Command } from 'commander';
import { AgentcoreAuthError, usageError } from '../../core/errors.js';
import type { McpTool, McpTransport } from '../../core/runtime/mcp.js';
import type { RuntimeAuthInfo } from '../../core/runtime/auth-mode.js';
import { defineAction, readStdin, type Io, type Outcome } from '../command.js';
import { addDiagramOption } from '../diagram-output.js';
import type { CliContext } from '../context.js';
import { addConsentOptions, checkConsentFlags, completeConsent } from '../consent.js';
import { addAuthOptions, invokeSpec, invokerDeps, parseTimeout, prepareRuntime, resolveInbound, sendOptionsFor, type Inbound, type InvokeFlags } from './invoke.js';

interface McpFlags extends InvokeFlags {
  gatewayUrl?: string;
  agent?: string;
  /** --input, already parsed (runMcp reads it before any request). */
  args?: unknown;
}


export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('mcp')
    .description('MCP over a Gateway or a Runtime agent: initialize, list tools, call one (bearer or SigV4 on every request)')
    .option('--gateway-url <url>', 'the gateway MCP URL (gatewayUrl from GetGateway, ends in /mcp)')
    .option('--agent <agent>', 'instead of a gateway: an MCP runtime agent (ARN, runtime id with --account-id, or project agent name)')
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
  if (opts.agent) {
    const req = await import('../../core/runtime/request.js');
    const customHeaders = req.parseCustomHeaders(opts.header ?? []);
    const prep = await prepareRuntime(io, opts.agent, opts);
    const { target, region, timeoutMs } = prep;
    const inbound = await resolveInbound(io, opts, prep.lookup);
    const sessionId = opts.sessionId !== undefined ? req.checkSessionId(opts.sessionId) : req.newSessionId();
    const { runtimeMcpTransport } = await import('../../core/runtime/invoker.js');
    const transport = runtimeMcpTransport(
      invokerDeps(io, prep, inbound),
      invokeSpec(prep, inbound, opts, { payload: new Uint8Array(), contentType: 'application/json', accept: req.DEFAULT_ACCEPT, sessionId, customHeaders }),
    );
    io.ui.info(`${io.ui.c.bold('mcp')} over runtime ${target.arn ?? target.pathLabel} ${io.ui.c.dim(`(qualifier ${target.qualifier}, session ${sessionId})`)}`);
    return runMcpSession(io, transport, {
      ...opts,
      inbound,
      target: target.arn ?? target.pathLabel,
      identity: { region, ...(inbound.userId !== undefined ? { userId: inbound.userId } : {}), ...(inbound.token ? { token: inbound.token } : {}) },
    });
  }

  const [gw, aws] = await Promise.all([import('../../core/runtime/gateway.js'), import('../../core/aws.js')]);
  const url = gw.checkGatewayUrl(opts.gatewayUrl!);
  const region = aws.requireRegion(gw.gatewayRegion(url) ?? io.aws.region());
  const timeoutMs = parseTimeout(opts.timeout);
  const inbound = await resolveInbound(io, opts, () => lookupGatewayAuth(io, url, region));
  if (inbound.mode === 'sigv4' && inbound.userId !== undefined) {
    io.ui.warn('--user-id is a Runtime header; a gateway ignores it (it is not sent).');
  }
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
    mode: inbound.mode,
    ...(inbound.token ? { token: inbound.token } : {}),
    region,
    ...(inbound.mode === 'sigv4' ? { credentials: () => io.aws.credentials() } : {}),
    fetch: io.http(timeoutMs),
    send: sendOptionsFor(io, timeoutMs),
    headers,
  });
  io.ui.info(`${io.ui.c.bold('mcp')} over gateway ${url}`);
  return runMcpSession(io, transport, { ...opts, inbound, target: url, identity: { region, ...(inbound.token ? { token: inbound.token } : {}) } });
}

/** GetGateway → authorizerType (CUSTOM_JWT → bearer; AWS_IAM → SigV4). The gateway id is read from the URL. */
async function lookupGatewayAuth(io: Io, url: string, region: string): Promise<RuntimeAuthInfo> {
  const u = new URL(url);
  const id = /^\/gateways\/([^/]+)\/mcp\/?$/.exec(u.pathname)?.[1] ?? (/\.gateway\.bedrock-agentcore\./.test(u.hostname) ? u.hostname.split('.')[0] : undefined);
  if (!id) throw usageError('--auth auto: cannot read the gateway id from --gateway-url', 'Pass --auth sigv4 or a bearer flag.');
  const [{ GetGatewayCommand }, { fromAwsError }] = await Promise.all([import('@aws-sdk/client-bedrock-agentcore-control'), import('../../core/aws.js')]);
  try {
    const out = await (await io.aws.control(region)).send(new GetGatewayCommand({ gatewayIdentifier: id }), { abortSignal: io.ctx.signal });
    const jwt = out.authorizerConfiguration?.customJWTAuthorizer;
    if (out.authorizerType === 'NONE') io.ui.note('  the gateway has authorizerType NONE; the request is sent with SigV4 anyway');
    return {
      mode: out.authorizerType === 'CUSTOM_JWT' ? 'bearer' : 'sigv4',
      runtimeId: id,
      ...(jwt ? { jwt: { ...(jwt.discoveryUrl ? { discoveryUrl: jwt.discoveryUrl } : {}), ...(jwt.allowedClients?.length ? { allowedClients: jwt.allowedClients } : {}), ...(jwt.allowedAudience?.length ? { allowedAudience: jwt.allowedAudience } : {}) } } : {}),
    };
  } catch (e) {
    throw fromAwsError(e, `GetGateway (${id})`);
  }
}

export interface McpSessionOptions extends McpFlags {
  inbound: Inbound;
  target: string;
  identity: { region: string; userId?: string; token?: string };
}

/** initialize → initialized → tools/list or tools/call; prints tools / the tool result. */
export async function runMcpSession(io: Io, transport: McpTransport, opts: McpSessionOptions): Promise<Outcome> {
  const { McpClient, McpElicitationError } = await import('../../core/runtime/mcp.js');
  const { ui } = io;
  const client = new McpClient(transport, {
    protocolVersion: opts.mcpProtocolVersion ?? '2025-03-26',
    clientVersion: io.ctx.version,
    onExchange: (method, ex) => ui.note(`  ${method} → ${ex.status}${ex.sessionId ? ` (Mcp-Session-Id ${ex.sessionId})` : ''}`),
  });
  const userId = opts.identity.userId;
  ui.kv([['auth', `${opts.inbound.mode === 'bearer' ? `bearer token from ${opts.inbound.tokenSource}` : `SigV4 (IAM)${userId !== undefined ? ` with user id ${userId}` : ''}`} ${ui.c.dim(`— ${opts.inbound.why}`)}`]]);
  const init = await client.initialize();
  const server = init.serverInfo as { name?: string; version?: string } | undefined;
  ui.success(`initialized ${server?.name ?? 'server'}${server?.version ? ` ${server.version}` : ''} (protocol ${client.protocolVersion}${client.sessionId ? `, Mcp-Session-Id ${client.sessionId}` : ''})`);

  if (!opts.call) {
    const tools = await client.listTools();
    const json = { target: opts.target, mode: opts.inbound.mode, protocolVersion: client.protocolVersion, mcpSessionId: client.sessionId ?? null, serverInfo: init.serverInfo ?? null, tools };
    return {
      json,
      human: () => {
        ui.success(`${tools.length} tool${tools.length === 1 ? '' : 's'}`);
        for (const t of tools) io.out.line(formatTool(t));
      },
    };
  }

  const args = opts.args ?? (await readInput(io, opts));
  const call = async () => client.callTool(opts.call!, args);
  let result;
  try {
    result = await call();
  } catch (e) {
    if (!(e instanceof McpElicitationError)) throw e;
    const url = e.elicitations.find((x) => x.url)?.url;
    ui.line('');
    ui.line(`${ui.c.yellow.bold('▲ the tool needs the user\'s consent (3LO, URL elicitation -32042).')}${url ? ' Open this AgentCore authorization URL (valid 10 minutes):' : ''}`);
    if (url) ui.line(`  ${url}`);
    if (!opts.completeAuth || !url) throw e;
    await completeConsent(io, url, {
      region: opts.identity.region,
      ...(opts.identity.userId !== undefined ? { userId: opts.identity.userId } : {}),
      ...(opts.identity.token ? { token: opts.identity.token } : {}),
      ...(opts.returnUrl ? { returnUrl: opts.returnUrl } : {}),
      browser: opts.browser !== false,
      timeoutMs: parseTimeout(opts.timeout),
    });
    ui.info(`${ui.c.cyan('↻')} calling ${opts.call} again`);
    result = await call();
  }
  const isError = !!(result as { isError?: boolean }).isError;
  return {
    json: { target: opts.target, mode: opts.inbound.mode, mcpSessionId: client.sessionId ?? null, tool: opts.call, result },
    human: () => {
      for (const block of (result as { content?: Array<{ type?: string; text?: string }> }).content ?? []) {
        if (block.type === 'text' && typeof block.text === 'string') io.out.line(block.text);
        else io.out.line(JSON.stringify(block, null, io.out.isTTY ? 2 : undefined));
      }
      if (isError) ui.warn(`the tool ${opts.call} reported an error (isError: true)`);
      else ui.success(`${opts.call} answered`);
    },
    ...(isError ? { exitCode: 3 } : {}),
  };
}

function formatTool(t: McpTool): string {
  const desc = typeof t.description === 'string' ? t.description.split('\n')[0] : '';
  return desc ? `${t.name}\t${desc}` : t.name;
}

async function readInput(io: Io, opts: McpFlags): Promise<unknown> {
  let text = opts.input ?? '{}';
  if (text === '-') {
    if (opts.bearerToken === '-') throw usageError('stdin cannot carry both --input and the bearer token');
    text = await readStdin(io.ctx);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new AgentcoreAuthError('ERR_INPUT', `--input is not JSON: ${(e as Error).message}`, { hint: `Example: --input '{"city":"Paris"}'` });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new AgentcoreAuthError('ERR_INPUT', '--input must be a JSON object (the tool arguments)');
  return v;
}
