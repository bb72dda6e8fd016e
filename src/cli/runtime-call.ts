/**
 * Calling a Runtime agent (or a Gateway) from the CLI, shared by `invoke` and `mcp`: the call flags (inbound, -H,
 * trace headers, --timeout), the runtime they name resolved once (target, region, clients, endpoint), and the wiring
 * into core's invoker (core/runtime/invoker.ts) with the run's one Inbound.
 */
import type { Command } from 'commander';
import { anySignal } from '../core/http.js';
import type { RuntimeAuthInfo } from '../core/runtime/inbound.js';
import type { Inbound } from '../core/runtime/inbound.js';
import type { InvokerDeps } from '../core/runtime/invoker.js';
import { checkSessionId, type InvokeSpec } from '../core/runtime/request.js';
import type { SendOptions } from '../core/runtime/send.js';
import type { RuntimeTarget } from '../core/runtime/target.js';
import { AUTH_OPTIONS, type AuthFlags } from './inbound-flags.js';
import { retryNote, type Io } from './io.js';
import { addOptions, HEADER, headerValue, repeated, TIMEOUT, value, withDefault, type OptionsOf } from './options.js';
import { LIMITS } from '../wire.js';

/** -H, the trace headers and --timeout: the call flags `invoke` and `mcp` share beside the inbound ones. */
export const CALL_OPTIONS = {
  header: repeated(
    '-H, --header <name:value>',
    'custom header, repeatable; sent as X-Amzn-Bedrock-AgentCore-Runtime-Custom-<name> unless already prefixed',
    HEADER,
    { label: '-H' },
  ),
  // InvokeAgentRuntime's lengths: a longer value is a usage error naming the flag, before anything is sent.
  traceId: value('--trace-id <id>', 'X-Amzn-Trace-Id', headerValue({ max: LIMITS.traceIdMax })),
  traceparent: value('--traceparent <value>', 'W3C traceparent', headerValue({ max: LIMITS.traceParentMax })),
  tracestate: value('--tracestate <value>', 'W3C tracestate', headerValue({ max: LIMITS.traceStateMax })),
  baggage: value('--baggage <value>', 'W3C baggage', headerValue({ max: LIMITS.baggageMax })),
  timeout: withDefault(
    value('--timeout <seconds>', 'limit for the whole call, retries included', TIMEOUT),
    300_000,
    '300',
  ),
};

/**
 * The runtime a call goes to: --qualifier, --account-id, --session-id (`when` prefixes the help, e.g. "with --agent:
 * ").
 */
export function runtimeOptions(when = '') {
  return {
    qualifier: withDefault(value('--qualifier <name>', `${when}endpoint name`), 'DEFAULT'),
    accountId: value('--account-id <id>', `${when}account of a bare runtime id`),
    sessionId: value(
      '--session-id <id>',
      `${when}runtime session id (33–256 chars; generated when omitted)`,
      (raw: string) => checkSessionId(raw),
    ),
  };
}

/** The flags of one call to a runtime or gateway (addAuthOptions, plus the runtime's own). */
export type RuntimeCallFlags = AuthFlags &
  OptionsOf<typeof CALL_OPTIONS> &
  Partial<OptionsOf<ReturnType<typeof runtimeOptions>>>;

/** Inbound flags, -H, the trace headers and --timeout, as `invoke` and `mcp` both take them. */
export function addAuthOptions(cmd: Command): Command {
  return addOptions(addOptions(cmd, AUTH_OPTIONS), CALL_OPTIONS);
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
  const timeoutMs = opts.timeout;
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
    onRetry: (attempt: number, delayMs: number, why: string) => retryNote(io, attempt, delayMs, why),
  };
}
