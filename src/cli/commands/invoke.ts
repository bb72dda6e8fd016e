/**
 * `invoke <agent-arn | runtime-id | agent-name> [payload|-]` — call a Runtime agent with SigV4 (+ user id) or a bearer
 * token, the mode always explicit. Also `--mcp` (MCP over the runtime) and `--complete-auth` (3LO consent, then the
 * same call again with the same session id). Heavy modules are loaded inside the action.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Option, type Command } from 'commander';
import type { RuntimeAuthInfo } from '../../core/runtime/auth-mode.js';
import type { InvokerDeps } from '../../core/runtime/invoker.js';
import type { InboundMode, InvokeSpec } from '../../core/runtime/request.js';
import type { RuntimeTarget } from '../../core/runtime/target.js';
import { AgentcoreAuthError, usageError } from '../../core/errors.js';
import { anySignal } from '../../core/http.js';
import { jwtClaims } from '../../core/jwt.js';
import { collectRepeat, defineAction, readStdin, type Io } from '../command.js';
import { addConsentOptions, checkConsentFlags, completeConsent, type ConsentFlags } from '../consent.js';
import { addDiagramOption } from '../diagram-output.js';
import type { CliContext } from '../context.js';

/** The auth flags shared by `invoke` and `mcp`. */
export interface AuthFlags {
  auth?: 'sigv4' | 'bearer' | 'auto';
  userId?: string;
  bearerToken?: string;
  bearer?: string | boolean;
  idToken?: boolean;
}

export interface InvokeFlags extends AuthFlags, ConsentFlags {
  payloadFile?: string;
  qualifier?: string;
  accountId?: string;
  sessionId?: string;
  header?: string[];
  contentType?: string;
  accept?: string;
  traceId?: string;
  traceparent?: string;
  tracestate?: string;
  baggage?: string;
  raw?: boolean;
  dryRun?: boolean;
  printCurl?: boolean;
  mcp?: boolean;
  call?: string;
  input?: string;
  mcpProtocolVersion?: string;
  timeout?: string;
}

export function addAuthOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--auth <mode>', 'inbound mode: sigv4, bearer, or auto (read the agent authorizer from the control plane)').choices(['sigv4', 'bearer', 'auto']))
    .option('--user-id <id>', 'SigV4: send X-Amzn-Bedrock-AgentCore-Runtime-User-Id (needs bedrock-agentcore:InvokeAgentRuntimeForUser)')
    .option('--bearer-token <token>', 'bearer JWT to send (- reads it from stdin)')
    .option('--bearer [name]', 'bearer JWT from a cached `agentcore-auth login` (default entry when no name), refreshed if it expires within 2 min')
    .option('--id-token', 'with --bearer: send the cached ID token instead of the access token (authorizers with allowedAudience)')
    .option('-H, --header <name:value>', 'custom header, repeatable; sent as X-Amzn-Bedrock-AgentCore-Runtime-Custom-<name> unless already prefixed', collectRepeat)
    .option('--trace-id <id>', 'X-Amzn-Trace-Id')
    .option('--traceparent <value>', 'W3C traceparent')
    .option('--tracestate <value>', 'W3C tracestate')
    .option('--baggage <value>', 'W3C baggage')
    .option('--timeout <seconds>', 'limit for the whole call, retries included', '300');
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('invoke')
    .description('call a Runtime agent with SigV4 (+ user id) or a bearer token; SSE events are printed as they arrive')
    .argument('<agent>', 'runtime ARN, runtime id (with --account-id), or an agent name from .bedrock_agentcore.yaml / agentcore/.cli/deployed-state.json')
    .argument('[payload]', 'JSON or text (text becomes {"prompt": text} unless --content-type is given); - reads stdin')
    .option('--payload-file <file>', 'read the payload from a file')
    .option('--qualifier <name>', 'endpoint name', 'DEFAULT')
    .option('--account-id <id>', 'account of a bare runtime id');
  addDiagramOption(addAuthOptions(cmd))
    .option('--session-id <id>', 'runtime session id (33–256 chars; generated when omitted)')
    .option('--content-type <type>', 'payload content type (default application/json)')
    .option('--accept <types>', 'Accept header', 'application/json, text/event-stream')
    .option('--raw', 'write the answer exactly as received (no SSE decoding, no pretty-printing)')
    .option('--dry-run', 'print the request as a curl command and send nothing')
    .option('--print-curl', 'same as --dry-run')
    .option('--mcp', 'speak MCP to the agent: initialize, notifications/initialized, tools/list (or --call)')
    .option('--call <tool>', 'with --mcp: call this tool')
    .option('--input <json>', 'with --call: tool arguments as JSON (- reads stdin)')
    .option('--mcp-protocol-version <version>', 'MCP protocol version to offer', '2025-03-26');
  addConsentOptions(cmd, 'and invoke again with the same session id (or let a polling agent get its token)')
    .addHelpText(
      'after',
      `
Inbound mode (exactly one, never guessed silently):
  --user-id ID              SigV4 through the AWS SDK, with the user-id header (the runtime mints a workload token)
  (no auth flag)            SigV4 without a user id (the agent gets no workload access token)
  --bearer-token TOKEN|-    OAuth bearer JWT (raw HTTPS, same path/query/headers as the SDK)
  --bearer [NAME]           bearer JWT from a cached login
  --auth auto               read the agent's authorizerConfiguration (GetAgentRuntime) and choose

Examples:
  agentcore-auth invoke arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abc1234567 '{"prompt":"hi"}' --user-id alice
  agentcore-auth invoke my_agent "hello" --bearer
  echo '{"prompt":"hi"}' | agentcore-auth invoke my_agent - --bearer-token "$TOKEN" --json
  agentcore-auth invoke my_agent '{"prompt":"hi"}' --auth auto --print-curl`,
    )
    .action(defineAction(ctx, (io: Io, agent: string, payload: string | undefined, opts: InvokeFlags) => runInvoke(io, agent, payload, opts)));
}

export function parseTimeout(value: string | undefined): number {
  const s = Number(value ?? '300');
  if (!Number.isFinite(s) || s <= 0) throw usageError(`--timeout must be a positive number of seconds, got "${value}"`);
  return Math.round(s * 1000);
}

export interface Inbound {
  mode: InboundMode;
  token?: string;
  tokenSource?: string;
  userId?: string;
  /** Why this mode, in words (narrative). */
  why: string;
  authInfo?: RuntimeAuthInfo;
}

/**
 * Decide the inbound mode from the flags (and, for --auth auto, the agent's configuration). Contradictions are usage
 * errors; nothing falls back silently.
 */
export async function resolveInbound(io: Io, flags: AuthFlags, lookup?: () => Promise<RuntimeAuthInfo>): Promise<Inbound> {
  const hasBearer = flags.bearerToken !== undefined || (flags.bearer !== undefined && flags.bearer !== false);
  if (flags.bearerToken !== undefined && flags.bearer !== undefined && flags.bearer !== false) {
    throw usageError('pass either --bearer-token or --bearer, not both');
  }
  if (flags.auth === 'sigv4' && hasBearer) {
    throw usageError('--auth sigv4 contradicts --bearer-token/--bearer', 'SigV4 requests carry no bearer token. Drop one of the two.');
  }
  if (flags.idToken && flags.bearer === undefined && flags.auth !== 'bearer' && flags.auth !== 'auto') {
    throw usageError('--id-token works with --bearer [NAME] (a cached login)');
  }
  if (flags.userId !== undefined) {
    const { checkUserId } = await import('../../core/runtime/request.js');
    checkUserId(flags.userId);
  }
  let mode: InboundMode;
  let why: string;
  let authInfo: RuntimeAuthInfo | undefined;
  if (flags.auth === 'auto') {
    if (!lookup) throw usageError('--auth auto needs an agent to read the configuration of');
    try {
      authInfo = await lookup();
    } catch (e) {
      if (e instanceof AgentcoreAuthError) {
        e.hint = `--auth auto reads the configuration with the control plane (needs bedrock-agentcore:GetAgentRuntime / GetGateway). Without that permission, choose the mode yourself: --user-id ID or --auth sigv4 (SigV4), --bearer-token TOKEN or --bearer NAME (bearer).${e.hint ? ` ${e.hint}` : ''}`;
      }
      throw e;
    }
    const { describeAuth } = await import('../../core/runtime/auth-mode.js');
    mode = authInfo.mode;
    why = `--auth auto: the agent uses ${describeAuth(authInfo)}`;
    if (mode === 'sigv4' && hasBearer) {
      throw new AgentcoreAuthError('ERR_USAGE', 'the agent expects SigV4 (it has no customJWTAuthorizer), but a bearer token was given', {
        hint: 'Drop --bearer-token/--bearer (a SigV4 request cannot carry it), or configure a JWT authorizer on the agent.',
      });
    }
  } else if (flags.auth === 'bearer' || hasBearer) {
    mode = 'bearer';
    why = flags.auth === 'bearer' && !hasBearer ? '--auth bearer (default cached login)' : flags.bearerToken !== undefined ? '--bearer-token' : '--bearer';
  } else {
    mode = 'sigv4';
    why = flags.userId !== undefined ? '--user-id' : flags.auth === 'sigv4' ? '--auth sigv4' : 'no bearer flag';
  }
  const out: Inbound = { mode, why, ...(authInfo ? { authInfo } : {}) };
  if (flags.userId !== undefined) out.userId = flags.userId;
  if (mode === 'bearer') {
    const { resolveBearer } = await import('../bearer.js');
    const bearerFlags = flags.bearerToken !== undefined ? { bearerToken: flags.bearerToken } : { bearer: flags.bearer === undefined || flags.bearer === false ? true : flags.bearer };
    const resolved = await resolveBearer(io, bearerFlags, { use: flags.idToken ? 'id' : 'access' });
    out.token = resolved.token;
    out.tokenSource = resolved.source;
    if (flags.userId !== undefined) {
      io.ui.warn('--user-id with a bearer token: the header is sent, but the service ignores it on the bearer path (the user comes from the JWT).');
    }
  }
  return out;
}

async function readPayload(io: Io, payload: string | undefined, opts: InvokeFlags): Promise<{ bytes: Uint8Array; wrapped: boolean; file?: string }> {
  if (payload !== undefined && opts.payloadFile !== undefined) throw usageError('pass the payload as an argument or with --payload-file, not both');
  if (opts.payloadFile !== undefined) {
    const path = isAbsolute(opts.payloadFile) ? opts.payloadFile : join(io.ctx.cwd, opts.payloadFile);
    const { checkPayloadSize } = await import('../../core/runtime/request.js');
    try {
      // by its size first: a file over the limit is refused without being read
      const st = await stat(path);
      if (st.isFile()) checkPayloadSize(st.size, `--payload-file ${opts.payloadFile}`);
      return { bytes: new Uint8Array(await readFile(path)), wrapped: false, file: opts.payloadFile };
    } catch (e) {
      if (e instanceof AgentcoreAuthError) throw e;
      throw new AgentcoreAuthError('ERR_INPUT', `cannot read --payload-file ${opts.payloadFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (payload === undefined) {
    throw usageError('no payload', 'Pass it as an argument (\'{"prompt":"hi"}\' or plain text), with --payload-file FILE, or - to read stdin.');
  }
  let text = payload;
  if (payload === '-') {
    if (opts.bearerToken === '-') throw usageError('stdin cannot carry both the payload and the bearer token', 'Pass the token with --bearer-token TOKEN or --bearer NAME.');
    text = await readStdin(io.ctx);
  }
  // Sizes are checked before parsing or encoding (both are slow on 100 MB); wrapping only adds bytes.
  const { checkPayloadSize } = await import('../../core/runtime/request.js');
  checkPayloadSize(Buffer.byteLength(text));
  if (opts.contentType === undefined) {
    try {
      JSON.parse(text);
    } catch {
      const wrapped = JSON.stringify({ prompt: text.replace(/\n$/, '') });
      checkPayloadSize(Buffer.byteLength(wrapped));
      return { bytes: new TextEncoder().encode(wrapped), wrapped: true };
    }
  }
  return { bytes: new TextEncoder().encode(text), wrapped: false };
}

/** Everything a run needs to send requests to one runtime (also used by `mcp --agent`). */
export async function prepareRuntime(io: Io, agent: string, opts: InvokeFlags) {
  const [{ resolveTarget }, aws, { lookupRuntimeAuth }] = await Promise.all([
    import('../../core/runtime/target.js'),
    import('../../core/aws.js'),
    import('../../core/runtime/auth-mode.js'),
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
  const lookup = async () => lookupRuntimeAuth(await clients.control(region), target.runtimeId, target.qualifier, anySignal([io.ctx.signal, AbortSignal.timeout(Math.min(timeoutMs, 15_000))]));
  const baseUrl = aws.serviceBaseUrl(io.ctx.env, 'agentcore', region, io.globals.endpointUrl);
  return { target, region, timeoutMs, clients, lookup, baseUrl };
}


/** The request to send: target, user id and trace headers from the flags, the rest from the caller (also `mcp --agent`). */
export function invokeSpec(
  prep: Awaited<ReturnType<typeof prepareRuntime>>,
  inbound: Inbound,
  opts: InvokeFlags,
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

/** What the invoker needs to send to one runtime in one inbound mode (also used by `mcp --agent`). */
export function invokerDeps(io: Io, prep: Awaited<ReturnType<typeof prepareRuntime>>, inbound: Inbound): InvokerDeps {
  return {
    mode: inbound.mode,
    ...(inbound.token ? { token: inbound.token } : {}),
    agentcore: () => prep.clients.agentcore(prep.region),
    fetch: io.http(prep.timeoutMs),
    baseUrl: prep.baseUrl,
    send: sendOptionsFor(io, prep.timeoutMs),
    lookupAuth: prep.lookup,
    ...(inbound.authInfo ? { authInfo: inbound.authInfo } : {}),
  };
}

export function sendOptionsFor(io: Io, timeoutMs: number) {
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: anySignal([io.ctx.signal, timeout]),
    runSignal: io.ctx.signal,
    timeoutMs,
    sleep: io.ctx.sleep,
    onRetry: (attempt: number, delayMs: number, why: string) => io.ui.note(`  attempt ${attempt} got ${why}; retrying in ${delayMs} ms`),
  };
}

async function runInvoke(io: Io, agent: string, payloadArg: string | undefined, opts: InvokeFlags) {
  const { ui } = io;
  const req = await import('../../core/runtime/request.js');
  if (opts.raw && io.globals.json) throw usageError('--raw and --json are alternatives');
  if ((opts.call || opts.input) && !opts.mcp) throw usageError('--call/--input need --mcp (or use the `mcp` command)');
  if (opts.mcp && (payloadArg !== undefined || opts.payloadFile !== undefined)) {
    throw usageError('--mcp sends MCP messages, not a payload', 'List the tools with --mcp alone, or call one with --mcp --call TOOL --input JSON.');
  }
  await checkConsentFlags(opts);
  const customHeaders = req.parseCustomHeaders(opts.header ?? []);
  const prep = await prepareRuntime(io, agent, opts);
  const { target, region, timeoutMs, lookup, baseUrl } = prep;
  const sessionId = opts.sessionId !== undefined ? req.checkSessionId(opts.sessionId) : req.newSessionId();
  const inbound = await resolveInbound(io, opts, lookup);
  const dry = !!(opts.dryRun || opts.printCurl);

  const payload = opts.mcp ? { bytes: new Uint8Array(), wrapped: false } : await readPayload(io, payloadArg, opts);
  const spec = invokeSpec(prep, inbound, opts, {
    payload: payload.bytes,
    contentType: opts.contentType ?? req.DEFAULT_CONTENT_TYPE,
    accept: opts.accept ?? req.DEFAULT_ACCEPT,
    sessionId,
    customHeaders,
  });

  ui.info(`${ui.c.bold('invoke')} ${target.arn ?? `${target.pathLabel} (account ${target.accountId})`}${target.name ? ui.c.dim(` — "${target.name}" from ${target.source}`) : ''}`);
  ui.kv([
    ['qualifier', target.qualifier],
    ['region', region],
    ['auth', describeInbound(io, inbound)],
    ['session', `${sessionId}${opts.sessionId === undefined ? ui.c.dim(' (generated)') : ''}`],
    ['payload', payload.wrapped ? `sent as {"prompt": …} (text, not JSON; pass --content-type to send it as is)` : undefined],
  ]);
  if (inbound.mode === 'sigv4' && inbound.userId === undefined && !opts.mcp) {
    ui.note('  SigV4 without --user-id: the agent receives no workload access token (outbound auth will fail inside it).');
  }

  if (dry) {
    if (opts.mcp) throw usageError('--dry-run/--print-curl show one invocation; they do not combine with --mcp');
    const curl = req.toCurl(spec, {
      mode: inbound.mode,
      baseUrl,
      ...(inbound.token ? { token: inbound.token } : {}),
      showSecrets: io.globals.showSecrets,
      ...(payload.file ? { payloadFile: payload.file } : {}),
    });
    if (inbound.mode === 'sigv4') ui.note('SigV4: curl computes the signature when it sends (--aws-sigv4, curl ≥ 7.75) from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.');
    else if (!io.globals.showSecrets) ui.note('The bearer token is masked; add --show-secrets for a command you can run.');
    ui.note('Nothing was sent (--dry-run).');
    if (io.globals.json) {
      const { redactHeaders } = await import('../../core/redact.js');
      const headers = Object.fromEntries(req.invocationHeaders(spec));
      if (inbound.mode === 'bearer') headers.authorization = `Bearer ${inbound.token}`;
      return {
        json: {
          dryRun: true,
          mode: inbound.mode,
          sessionId,
          request: {
            method: 'POST',
            url: req.invocationUrl(baseUrl, target),
            headers: redactHeaders(headers, io.globals.showSecrets),
            body: Buffer.from(spec.payload).toString('utf8'),
          },
          curl,
        },
      };
    }
    return { human: () => io.out.line(curl) };
  }

  const deps = invokerDeps(io, prep, inbound);

  if (opts.mcp) {
    const { runMcpSession } = await import('./mcp.js');
    const { runtimeMcpTransport } = await import('../../core/runtime/invoker.js');
    return runMcpSession(io, runtimeMcpTransport(deps, spec), {
      ...opts,
      inbound,
      target: target.arn ?? target.pathLabel,
      identity: { region, ...(inbound.userId !== undefined ? { userId: inbound.userId } : {}), ...(inbound.token ? { token: inbound.token } : {}) },
    });
  }

  // --complete-auth: consent is completed as soon as the URL shows up. An agent that keeps the stream open and polls
  // (as the AgentCore SDKs do) gets its token within this very call; one that answered and ended is invoked again,
  // with the same session id, once the session is bound.
  let consent: { url: string; done: Promise<void>; settled: boolean } | undefined;
  const startConsent = (url: string) => {
    if (!opts.completeAuth || consent) return;
    ui.line('');
    ui.info(`${ui.c.yellow.bold('▲ the agent needs the user\'s consent (3LO)')} — completing it (--complete-auth)`);
    const c: { url: string; done: Promise<void>; settled: boolean } = { url, settled: false, done: Promise.resolve() };
    c.done = completeConsentFor(io, url, inbound, region, opts, timeoutMs).finally(() => {
      c.settled = true;
    });
    c.done.catch(() => undefined); // awaited below
    consent = c;
  };
  const first = await invokeAndRender(io, deps, spec, opts, startConsent);
  let last = first;
  if (consent) {
    const boundDuringStream = consent.settled;
    await consent.done;
    if (!boundDuringStream) {
      ui.info(`${ui.c.cyan('↻')} session bound; invoking again with the same session id ${sessionId}`);
      last = await invokeAndRender(io, { ...deps, send: sendOptionsFor(io, timeoutMs) }, spec, opts);
    } else {
      ui.success('session bound while the agent was still answering (it polled for the token)');
    }
  }
  const urls = last.stats.authorizationUrls;
  if (consent && last !== first && urls.length) {
    ui.warn(`the agent asked for consent again after the session was bound (does it force authentication on every call?); not repeating: ${urls[0]}`);
  }
  if (urls.length && !consent) {
    ui.line('');
    ui.line(`${ui.c.yellow.bold('▲ the agent needs the user\'s consent (3LO).')} Open this AgentCore authorization URL (valid 10 minutes):`);
    ui.line(`  ${urls[0]}`);
    if (!opts.completeAuth) ui.line(ui.c.dim(`  Or re-run with --complete-auth: it opens the URL, completes the session on a loopback return URL${inbound.userId !== undefined ? ` as user id ${inbound.userId}` : inbound.mode === 'bearer' ? ' with the same JWT' : ''}, and invokes again with session ${sessionId}.`));
  }

  const summary = {
    type: 'summary',
    status: last.res.status,
    sessionId: last.res.sessionId ?? sessionId,
    requestSessionId: sessionId,
    contentType: last.res.contentType ?? null,
    durationMs: last.durationMs,
    mode: inbound.mode,
    agent: target.arn ?? target.pathLabel,
    qualifier: target.qualifier,
    region,
    events: last.stats.events,
    bytes: last.stats.bytes,
    attempts: last.res.attempts,
    ...(last.res.mcpSessionId ? { mcpSessionId: last.res.mcpSessionId } : {}),
    ...(last.res.requestId ? { requestId: last.res.requestId } : {}),
    ...(urls.length ? { authorizationUrl: urls[0] } : {}),
    ...(consent ? { consentCompleted: true, reinvoked: last !== first } : {}),
  };
  if (io.globals.json) io.out.line(JSON.stringify(summary));
  const sessNote = last.res.sessionId && last.res.sessionId !== sessionId ? ` (the service answered with session ${last.res.sessionId})` : '';
  ui.success(
    `${last.res.status} ${last.res.contentType ?? ''}${last.stats.sse ? `, ${last.stats.events} event${last.stats.events === 1 ? '' : 's'}` : ''}, ${formatDuration(last.durationMs)}, session ${summary.sessionId}${sessNote}`,
  );
  if (last.stats.watNotSet) {
    const hint =
      inbound.mode === 'sigv4' && inbound.userId === undefined
        ? 'The call used SigV4 without a user id, so the runtime minted no workload access token. Invoke with --user-id <id> (needs bedrock-agentcore:InvokeAgentRuntimeForUser), or call a JWT-configured agent with a bearer token.'
        : 'The runtime should have passed a workload access token with this call; check that the agent reads the WorkloadAccessToken / X-Amz-Bedrock-AgentCore-Identity-WAT header.';
    throw new AgentcoreAuthError('ERR_AUTH', 'the agent says "Workload access token has not been set"', { hint, details: { sessionId } });
  }
  return {};
}

function describeInbound(io: Io, inbound: Inbound): string {
  if (inbound.mode === 'sigv4') {
    return `SigV4 (IAM)${inbound.userId !== undefined ? ` with user id ${inbound.userId}` : ''} ${io.ui.c.dim(`— ${inbound.why}`)}`;
  }
  return `bearer token from ${inbound.tokenSource ?? '?'} ${io.ui.c.dim(`— ${inbound.why}`)}${inbound.token ? ` ${io.ui.c.dim(`(${tokenNote(io, inbound.token)})`)}` : ''}`;
}

/** What kind of token it is (use, expiry) — never the token. Always says something. */
function tokenNote(io: Io, token: string): string {
  if (token.split('.').length !== 3) return 'not a JWT';
  const p = jwtClaims(token);
  if (!p) return 'not a JWT: its payload is not base64url JSON';
  const bits = [
    typeof p.token_use === 'string' && p.token_use ? `${p.token_use} token` : undefined,
    typeof p.exp === 'number' ? (p.exp * 1000 > io.ctx.now() ? `expires in ${Math.round((p.exp * 1000 - io.ctx.now()) / 60000)} min` : 'EXPIRED') : undefined,
  ].filter(Boolean);
  return bits.length ? bits.join(', ') : 'a JWT without token_use or exp claims';
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

async function completeConsentFor(io: Io, url: string, inbound: Inbound, region: string, opts: InvokeFlags, timeoutMs: number): Promise<void> {
  await completeConsent(io, url, {
    region,
    ...(inbound.userId !== undefined && inbound.mode === 'sigv4' ? { userId: inbound.userId } : {}),
    ...(inbound.token ? { token: inbound.token } : {}),
    ...(opts.returnUrl ? { returnUrl: opts.returnUrl } : {}),
    browser: opts.browser !== false,
    timeoutMs,
  });
}

async function invokeAndRender(io: Io, deps: InvokerDeps, spec: InvokeSpec, opts: InvokeFlags, onAuthorizationUrl?: (url: string) => void) {
  const [{ invokeOnce }, { renderAnswer }, { abortReason }, { networkError }] = await Promise.all([
    import('../../core/runtime/invoker.js'),
    import('../../core/runtime/output.js'),
    import('../../core/runtime/send.js'),
    import('../../core/http.js'),
  ]);
  const started = performance.now();
  const res = await invokeOnce(deps, spec);
  try {
    const stats = await renderAnswer(res.body, {
      mode: io.globals.json ? 'json' : opts.raw ? 'raw' : 'human',
      tty: io.out.isTTY,
      contentType: res.contentType,
      write: (t) => io.out.write(t),
      ...(onAuthorizationUrl ? { onAuthorizationUrl } : {}),
    });
    return { res, stats, durationMs: Math.round(performance.now() - started) };
  } catch (e) {
    res.cancel();
    if (deps.send.signal.aborted) throw abortReason(deps.send, 'InvokeAgentRuntime (reading the answer)');
    if (e instanceof AgentcoreAuthError) throw e;
    throw networkError(deps.baseUrl, e);
  }
}
