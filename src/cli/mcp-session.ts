/**
 * One MCP session over any transport (a Gateway's /mcp URL, or a Runtime agent through InvokeAgentRuntime), shared by
 * `mcp` and `invoke --mcp`: initialize → notifications/initialized → tools/list, or tools/call with --input. A -32042
 * URL elicitation (3LO consent needed) is shown with its URL and, with --complete-auth, completed as the run's
 * Inbound and the call made again.
 */
import { usageError } from '../core/errors.js';
import type { Inbound } from '../core/runtime/inbound.js';
import type { McpClient, McpTool, McpTransport } from '../core/runtime/mcp.js';
import { MCP_PROTOCOL_VERSION } from '../wire.js';
import type { Outcome } from './command.js';
import { completeCallerConsent, type ConsentFlags } from './consent.js';
import { readStdin, type Io } from './io.js';
import { JSON_OBJECT_OR_STDIN, parseJsonObject, STDIN, value, withDefault, type OptionsOf } from './options.js';
import type { RuntimeCallFlags } from './runtime-call.js';

/** --call, --input and --mcp-protocol-version, described as each command words them. */
export function mcpSessionOptions(describe: { call: string; input: string }) {
  return {
    call: value('--call <tool>', describe.call),
    input: value('--input <json>', describe.input, JSON_OBJECT_OR_STDIN),
    mcpProtocolVersion: withDefault(
      value('--mcp-protocol-version <version>', 'MCP protocol version to offer'),
      MCP_PROTOCOL_VERSION,
    ),
  };
}

export type McpSessionFlags = OptionsOf<ReturnType<typeof mcpSessionOptions>> &
  ConsentFlags &
  Pick<RuntimeCallFlags, 'bearerToken' | 'timeout'>;

export interface McpSessionOptions extends McpSessionFlags {
  inbound: Inbound;
  /** What is spoken to (runtime ARN or gateway URL), for the JSON output. */
  target: string;
  region: string;
}

/** initialize → initialized → tools/list or tools/call; prints tools / the tool result. */
export async function runMcpSession(io: Io, transport: McpTransport, opts: McpSessionOptions): Promise<Outcome> {
  try {
    return await session(io, transport, opts);
  } catch (e) {
    // A JSON-RPC error a gateway or the local stack worded (an unknown tool, an unmapped Lambda): its known fix.
    const [{ McpRpcError }, { findHint }] = await Promise.all([
      import('../core/runtime/mcp.js'),
      import('../core/hints.js'),
    ]);
    if (e instanceof McpRpcError && e.hint === undefined) {
      const hint = findHint({ message: e.rpc.message });
      if (hint) e.hint = hint.fix;
    }
    throw e;
  }
}

async function session(io: Io, transport: McpTransport, opts: McpSessionOptions): Promise<Outcome> {
  const { McpClient } = await import('../core/runtime/mcp.js');
  const { ui } = io;
  const { inbound } = opts;
  const client = new McpClient(transport, {
    protocolVersion: opts.mcpProtocolVersion,
    clientVersion: io.ctx.version,
    onExchange: (method, ex) =>
      ui.note(`  ${method} → ${ex.status}${ex.sessionId ? ` (Mcp-Session-Id ${ex.sessionId})` : ''}`),
  });
  const how =
    inbound.mode === 'bearer'
      ? `bearer token from ${inbound.tokenSource}`
      : `SigV4 (IAM)${inbound.userId !== undefined ? ` with user id ${inbound.userId}` : ''}`;
  ui.kv([['auth', `${how} ${ui.c.dim(`— ${inbound.why}`)}`]]);
  const init = await client.initialize();
  const server = init.serverInfo as { name?: string; version?: string } | undefined;
  ui.success(
    `initialized ${server?.name ?? 'server'}${server?.version ? ` ${server.version}` : ''} ` +
      `(protocol ${client.protocolVersion}${client.sessionId ? `, Mcp-Session-Id ${client.sessionId}` : ''})`,
  );

  if (!opts.call) {
    const tools = await client.listTools();
    const json = {
      target: opts.target,
      mode: inbound.mode,
      protocolVersion: client.protocolVersion,
      mcpSessionId: client.sessionId ?? null,
      serverInfo: init.serverInfo ?? null,
      tools,
    };
    return {
      json,
      human: () => {
        ui.success(`${tools.length} tool${tools.length === 1 ? '' : 's'}`);
        for (const t of tools) io.out.line(formatTool(t));
      },
    };
  }

  const result = await callTool(io, client, opts.call, await toolArguments(io, opts), opts);
  return toolOutcome(io, client, opts, opts.call, result);
}

/** The tool's answer printed, isError as exit 3 with the known cause and fix of a gateway's wording. */
async function toolOutcome(
  io: Io,
  client: McpClient,
  opts: McpSessionOptions,
  tool: string,
  result: unknown,
): Promise<Outcome> {
  const { ui } = io;
  const isError = !!(result as { isError?: boolean }).isError;
  // A tool error a gateway worded (its opaque internal error, a policy denial): the known cause and fix.
  const { findHint } = await import('../core/hints.js');
  const texts = ((result as { content?: Array<{ text?: unknown }> }).content ?? []).map((b) => String(b.text ?? ''));
  const hint = isError ? texts.map((t) => findHint({ message: t })).find((h) => h) : undefined;
  return {
    json: { target: opts.target, mode: opts.inbound.mode, mcpSessionId: client.sessionId ?? null, tool, result },
    human: () => {
      for (const block of (result as { content?: Array<{ type?: string; text?: string }> }).content ?? []) {
        if (block.type === 'text' && typeof block.text === 'string') io.out.line(block.text);
        else io.out.line(JSON.stringify(block, null, io.out.isTTY ? 2 : undefined));
      }
      if (!isError) ui.success(`${tool} answered`);
      else {
        ui.warn(`the tool ${tool} reported an error (isError: true)`);
        if (hint) ui.line(`${ui.c.dim('hint:')} ${hint.fix}`);
      }
    },
    // A tool error is exit 3, except a gateway's policy denial: an authorization refusal, exit 4 (as `policy check`).
    ...(isError ? { exitCode: hint?.id.startsWith('policy-') ? 4 : 3 } : {}),
  };
}

/** tools/call; on a URL elicitation, show the URL and (--complete-auth) complete the consent, then call again. */
async function callTool(
  io: Io,
  client: McpClient,
  tool: string,
  args: unknown,
  opts: McpSessionOptions,
): Promise<unknown> {
  const { McpElicitationError } = await import('../core/runtime/mcp.js');
  const { ui } = io;
  try {
    return await client.callTool(tool, args);
  } catch (e) {
    if (!(e instanceof McpElicitationError)) throw e;
    io.ctx.trace?.consentNeeded('elicitation'); // drawn as the error it is (--diagram, smoke/demo reports)
    const url = e.elicitations.find((x) => x.url)?.url;
    ui.line('');
    ui.line(
      ui.c.yellow.bold("▲ the tool needs the user's consent (3LO, URL elicitation -32042).") +
        (url ? ' Open this AgentCore authorization URL (valid 10 minutes):' : ''),
    );
    if (url) ui.line(`  ${url}`);
    if (!opts.completeAuth || !url) throw e;
    await completeCallerConsent(io, url, {
      inbound: opts.inbound,
      region: opts.region,
      ...(opts.returnUrl ? { returnUrl: opts.returnUrl } : {}),
      browser: opts.browser !== false,
      timeoutMs: opts.timeout,
    });
    ui.info(`${ui.c.cyan('↻')} calling ${tool} again`);
    return client.callTool(tool, args);
  }
}

function formatTool(t: McpTool): string {
  const desc = typeof t.description === 'string' ? t.description.split('\n')[0] : '';
  return desc ? `${t.name}\t${desc}` : t.name;
}

/** --input (or stdin with -) as the tool arguments: a JSON object. */
export async function toolArguments(io: Io, opts: McpSessionFlags): Promise<Record<string, unknown>> {
  if (opts.input !== STDIN) return opts.input ?? {};
  if (opts.bearerToken === STDIN) throw usageError('stdin cannot carry both --input and the bearer token');
  return parseJsonObject(await readStdin(io.ctx), '--input');
}
