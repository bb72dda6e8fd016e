/**
 * Calling a Runtime agent (or a Gateway) from the CLI, shared by `invoke` and `mcp`: the call flags (inbound, -H,
 * trace headers, --timeout), the runtime they name resolved once (target, region, clients, endpoint), and the wiring
 * into core's invoker (core/runtime/invoker.ts) with the run's one Inbound.
 */
import { Option, type Command } from 'commander';
import { usageError } from '../core/errors.js';
import { anySignal } from '../core/http.js';
import type { RuntimeAuthInfo } from '../core/runtime/auth-mode.js';
import type { Inbound } from '../core/runtime/inbound.js';
import type { InvokerDeps } from '../core/runtime/invoker.js';
import { checkTraceHeaderLengths, type InvokeSpec } from '../core/runtime/request.js';
import type { SendOptions } from '../core/runtime/send.js';
import type { RuntimeTarget } from '../core/runtime/target.js';
import { collectRepeat, type Io } from './command.js';
import type { AuthFlags } from './inbound.js';

/** The flags of one call to a runtime or gateway (addAuthOptions, plus the runtime's own). */
export interface RuntimeCallFlags extends AuthFlags {
  qualifier?: string;
  accountId?: string;
  sessionId?: string;
  header?: string[];
  traceId?: string;
  traceparent?: string;
  tracestate?: string;
  baggage?: string;
  timeout?: string;
}

/** Inbound flags, -H, the trace headers and --timeout, as `invoke` and `mcp` both take them. */
export function addAuthOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--auth <mode>',
        'inbound mode: sigv4, bearer, or auto (read the agent authorizer from the control plane)',
      ).choices(['sigv4', 'bearer', 'auto']),
    )
    .option(
      '--user-id <id>',
      'SigV4: send X-Amzn-Bedrock-AgentCore-Runtime-User-Id (needs bedrock-agentcore:InvokeAgentRuntimeForUser)',
    )
    .option('--bearer-token <token>', 'bearer JWT to send (- reads it from stdin)')
    .option(
      '--bearer [name]',
      'bearer JWT from a cached `agentcore-auth login` (default entry when no name), refreshed if it expires within 2 min',
    )
    .option(
      '--id-token',
      'with --bearer: send the cached ID token instead of the access token (authorizers with allowedAudience)',
    )
    .option(
      '-H, --header <name:value>',
      'custom header, repeatable; sent as X-Amzn-Bedrock-AgentCore-Runtime-Custom-<name> unless already prefixed',
      collectRepeat,
    )
    .option('--trace-id <id>', 'X-Amzn-Trace-Id')
    .option('--traceparent <value>', 'W3C traceparent')
    .option('--tracestate <value>', 'W3C tracestate')
    .option('--baggage <value>', 'W3C baggage')
    .option('--timeout <seconds>', 'limit for the whole call, retries included', '300');
}

export function parseTimeout(value: string | undefined): number {
  const s = Number(value ?? '300');
  if (!Number.isFinite(s) || s <= 0) throw usageError(`--timeout must be a positive number of seconds, got "${value}"`);
  return Math.round(s * 1000);
}

/** One runtime, resolved once per run. */
export interface PreparedRuntime {
  target: RuntimeTarget;
  region: string;
  timeoutMs: number;
  /** AWS clients whose socket timeout follows --timeout. */
  clients: ReturnType<Io['awsWith']>;
  /** The runtime's authorizer configuration (GetAgentRuntime), for --auth auto and to explain a method mismatch. */
  lookup(): Promise<RuntimeAuthInfo>;
  baseUrl: string;
}

/** Everything a run needs to send requests to one runtime (`invoke`, `invoke --mcp`, `mcp --agent`). */
export async function prepareRuntime(io: Io, agent: string, opts: RuntimeCallFlags): Promise<PreparedRuntime> {
  checkTraceHeaderLengths(opts); // before any call (--auth auto reads the control plane)
  const [{ resolveTarget }, aws, { lookupRuntimeAuth }] = await Promise.all([
    import('../core/runtime/target.js'),
    import('../core/aws.js'),
    import('../core/runtime/auth-mode.js'),
  ]);
  const target: RuntimeTarget = await resolveTarget(agent, {
    cwd: io.ctx.cwd,
    ...(opts.accountId !== undefined ? { accountId: opts.accountId } : {}),
    ...(opts.qualifier !== undefined ? { qualifier: opts.qualifier } : {}),
  });
  if (target.region && io.globals.region && io.globals.region !== target.region) {
    io.ui.warn(`--region ${io.globals.region} ignored: the ARN says ${target.region}`);
  }
  const region = aws.requireRegion(target.region ?? io.aws.region());
  const timeoutMs = parseTimeout(opts.timeout);
  // Socket timeout follows --timeout (io.aws keeps the 30 s default).
  const clients = io.awsWith({ timeoutMs });
  const lookup = async () =>
    lookupRuntimeAuth(
      await clients.control(region),
      target.runtimeId,
      target.qualifier,
      anySignal([io.ctx.signal, AbortSignal.timeout(Math.min(timeoutMs, 15_000))]),
    );
  const baseUrl = aws.serviceBaseUrl(io.ctx.env, 'agentcore', region, io.globals.endpointUrl);
  return { target, region, timeoutMs, clients, lookup, baseUrl };
}

/** The request to send: target, user id and trace headers from the flags, the rest from the caller. */
export function invokeSpec(
  prep: PreparedRuntime,
  inbound: Inbound,
  opts: RuntimeCallFlags,
  rest: Pick<InvokeSpec, 'payload' | 'contentType' | 'accept' | 'sessionId' | 'customHeaders'>,
): InvokeSpec {
  return {
    target: prep.target,
    region: prep.region,
    ...rest,
    ...(inbound.userId !== undefined ? { userId: inbound.userId } : {}),
    ...(opts.traceId ? { traceId: opts.traceId } : {}),
    ...(opts.traceparent ? { traceParent: opts.traceparent } : {}),
    ...(opts.tracestate ? { traceState: opts.tracestate } : {}),
    ...(opts.baggage ? { baggage: opts.baggage } : {}),
  };
}

/** The invoker for one runtime and the run's Inbound. */
export function invokerDeps(io: Io, prep: PreparedRuntime, inbound: Inbound): InvokerDeps {
  return {
    inbound,
    agentcore: () => prep.clients.agentcore(prep.region),
    fetch: io.http(prep.timeoutMs),
    baseUrl: prep.baseUrl,
    send: sendOptionsFor(io, prep.timeoutMs),
    lookupAuth: prep.lookup,
  };
}

/** Abort (Ctrl-C or --timeout from now), retries and their notes, for one call. */
export function sendOptionsFor(io: Io, timeoutMs: number): SendOptions {
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: anySignal([io.ctx.signal, timeout]),
    runSignal: io.ctx.signal,
    timeoutMs,
    sleep: io.ctx.sleep,
    onRetry: (attempt: number, delayMs: number, why: string) =>
      io.ui.note(`  attempt ${attempt} got ${why}; retrying in ${delayMs} ms`),
  };
}
