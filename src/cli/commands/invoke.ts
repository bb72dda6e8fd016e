/**
 * `invoke <agent-arn | runtime-id | agent-name> [payload|-]` — call a Runtime agent with SigV4 (+ user id) or a bearer
 * token, the mode always explicit. Also `--mcp` (MCP over the runtime) and `--complete-auth` (3LO consent, then the
 * same call again with the same session id). Heavy modules are loaded inside the action.
 */
import type { Command } from 'commander';
import type { InvokerDeps } from '../../core/runtime/invoker.js';
import { DEFAULT_ACCEPT, type InvokeSpec } from '../../core/runtime/request.js';
import { AgentcoreAuthError, usageError } from '../../core/errors.js';
import { jwtClaims } from '../../core/jwt.js';
import { defineAction, type Outcome, type CliRun } from '../command.js';
import type { Io } from '../io.js';
import { readPayload, utf8Text } from '../payload.js';
import { checkConsentFlags, completeCallerConsent, consentOptions } from '../consent.js';
import { addDiagramOption, type DiagramFlags } from '../diagram-output.js';
import { mcpSessionOptions } from '../mcp-session.js';
import { addOptions, flag, HEADER_VALUE, value, withDefault, type OptionsOf } from '../options.js';
import { resolveInbound, type Inbound } from '../inbound-flags.js';
import {
  addAuthOptions,
  runtimeOptions,
  invokeSpec,
  invokerDeps,
  prepareRuntime,
  sendOptionsFor,
  type PreparedRuntime,
  type RuntimeCallFlags,
} from '../runtime-call.js';

const { sessionId: SESSION_ID_OPTION, ...TARGET_OPTIONS } = runtimeOptions();

const PAYLOAD_OPTIONS = {
  payloadFile: value('--payload-file <file>', 'read the payload from a file'),
  ...TARGET_OPTIONS,
};

const GATEWAY_OPTIONS = {
  gatewayUrl: value('--gateway-url <url>', "instead of an agent: a gateway's HTTP target (with --target)", {
    conflicts: ['gatewayId'],
  }),
  gatewayId: value('--gateway-id <id>', 'instead of an agent: a gateway by id (its URL from GetGateway)'),
  target: value('--target <name>', 'with --gateway-url/--gateway-id: the HTTP target to call (path routing)'),
  targetPath: value('--target-path <path>', 'with --target: the path after the target name (default invocations)'),
};

const REQUEST_OPTIONS = {
  sessionId: SESSION_ID_OPTION,
  contentType: value('--content-type <type>', 'payload content type (default application/json)', HEADER_VALUE),
  accept: withDefault(value('--accept <types>', 'Accept header', HEADER_VALUE), DEFAULT_ACCEPT),
  raw: flag('--raw', 'write the answer exactly as received (no SSE decoding, no pretty-printing)'),
  dryRun: flag('--dry-run', 'print the request as a curl command and send nothing'),
  printCurl: flag('--print-curl', 'same as --dry-run', { implies: { dryRun: true } }),
  mcp: flag('--mcp', 'speak MCP to the agent: initialize, notifications/initialized, tools/list (or --call)'),
  ...mcpSessionOptions({
    call: 'with --mcp: call this tool',
    input: 'with --call: tool arguments as JSON (- reads stdin)',
  }),
};

const CONSENT_OPTIONS = consentOptions(
  'and invoke again with the same session id (or let a polling agent get its token)',
);

type InvokeFlags = OptionsOf<
  typeof PAYLOAD_OPTIONS & typeof GATEWAY_OPTIONS & typeof REQUEST_OPTIONS & typeof CONSENT_OPTIONS
> &
  RuntimeCallFlags &
  DiagramFlags;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('invoke')
    .description('call a Runtime agent with SigV4 (+ user id) or a bearer token; SSE events are printed as they arrive')
    .argument(
      '[agent]',
      'runtime ARN, runtime id (with --account-id), or an agent name from .bedrock_agentcore.yaml / ' +
        'agentcore/.cli/deployed-state.json (none with --gateway-url/--gateway-id: the first argument is the payload)',
    )
    .argument(
      '[payload]',
      'JSON or text (text becomes {"prompt": text} unless --content-type is given); - reads stdin',
    );
  addOptions(addOptions(cmd, PAYLOAD_OPTIONS), GATEWAY_OPTIONS);
  addDiagramOption(addAuthOptions(cmd));
  addOptions(addOptions(cmd, REQUEST_OPTIONS), CONSENT_OPTIONS)
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
  agentcore-auth invoke arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abc1234567 \\
      '{"prompt":"hi"}' --user-id alice
  agentcore-auth invoke my_agent "hello" --bearer
  echo '{"prompt":"hi"}' | agentcore-auth invoke my_agent - --bearer-token "$TOKEN" --json
  agentcore-auth invoke my_agent '{"prompt":"hi"}' --auth auto --print-curl
  agentcore-auth invoke --gateway-id my-gw-abc1234567 --target my-agent '{"prompt":"hi"}' --auth auto --bearer`,
    )
    .action(
      defineAction(run, (io: Io, agent: string | undefined, payload: string | undefined, opts: InvokeFlags) =>
        opts.gatewayUrl || opts.gatewayId || opts.target
          ? runGatewayTarget(io, agent, payload, opts)
          : runInvoke(io, agent, payload, opts),
      ),
    );
}

/** One invocation, decided: the runtime, the run's Inbound, the session and the request. */
interface InvokeCall {
  prep: PreparedRuntime;
  inbound: Inbound;
  sessionId: string;
  payload: { bytes: Uint8Array; wrapped: boolean; file?: string };
  spec: InvokeSpec;
}

/** `invoke --gateway-url URL --target NAME [payload]`: the positional argument is the payload. */
async function runGatewayTarget(io: Io, first: string | undefined, second: string | undefined, opts: InvokeFlags) {
  const { gatewayTargetFromFlags } = await import('../gateway-invoke.js');
  return gatewayTargetFromFlags(io, first, second, opts, (p) => readPayload(io, p, opts));
}

async function runInvoke(
  io: Io,
  agent: string | undefined,
  payloadArg: string | undefined,
  opts: InvokeFlags,
): Promise<Outcome> {
  if (agent === undefined) throw usageError("missing required argument 'agent'");
  const call = await prepareCall(io, agent, payloadArg, opts);
  renderCallHeader(io, call, opts);
  if (opts.dryRun || opts.printCurl) {
    if (opts.mcp) throw usageError('--dry-run/--print-curl show one invocation; they do not combine with --mcp');
    return dryRun(io, call);
  }
  const deps = invokerDeps(io, call.prep, call.inbound);
  if (opts.mcp) {
    const [{ runMcpSession }, { runtimeMcpTransport }] = await Promise.all([
      import('../mcp-session.js'),
      import('../../core/runtime/invoker.js'),
    ]);
    const { target, region } = call.prep;
    return runMcpSession(io, runtimeMcpTransport(deps, call.spec), {
      ...opts,
      inbound: call.inbound,
      region,
      target: target.arn ?? target.pathLabel,
    });
  }
  const run = await invokeWithConsent(io, deps, call, opts);
  return finishInvoke(io, call, run, opts);
}

/** Flags checked, runtime resolved, inbound decided, payload read: the request, before anything is sent. */
async function prepareCall(
  io: Io,
  agent: string,
  payloadArg: string | undefined,
  opts: InvokeFlags,
): Promise<InvokeCall> {
  const req = await import('../../core/runtime/request.js');
  if (opts.raw && io.globals.json) throw usageError('--raw and --json are alternatives');
  if ((opts.call || opts.input) && !opts.mcp) throw usageError('--call/--input need --mcp (or use the `mcp` command)');
  if (opts.mcp && (payloadArg !== undefined || opts.payloadFile !== undefined)) {
    throw usageError(
      '--mcp sends MCP messages, not a payload',
      'List the tools with --mcp alone, or call one with --mcp --call TOOL --input JSON.',
    );
  }
  await checkConsentFlags(opts);
  const customHeaders = req.parseCustomHeaders(opts.header ?? []);
  const prep = await prepareRuntime(io, agent, opts);
  const sessionId = opts.sessionId !== undefined ? req.checkSessionId(opts.sessionId) : req.newSessionId();
  const inbound = await resolveInbound(io, opts, prep.lookup);
  const payload = opts.mcp ? { bytes: new Uint8Array(), wrapped: false } : await readPayload(io, payloadArg, opts);
  const spec = invokeSpec(prep, inbound, opts, {
    payload: payload.bytes,
    contentType: opts.contentType ?? req.DEFAULT_CONTENT_TYPE,
    accept: opts.accept ?? req.DEFAULT_ACCEPT,
    sessionId,
    customHeaders,
  });
  return { prep, inbound, sessionId, payload, spec };
}

function renderCallHeader(io: Io, { prep, inbound, sessionId, payload }: InvokeCall, opts: InvokeFlags): void {
  const { ui } = io;
  const { target, region } = prep;
  ui.info(
    `${ui.c.bold('invoke')} ${
      target.arn ?? `${target.pathLabel} ` + `(account ${target.accountId})`
    }${target.name ? ui.c.dim(` — "${target.name}" from ${target.source}`) : ''}`,
  );
  ui.kv([
    ['qualifier', target.qualifier],
    ['region', region],
    ['auth', describeInbound(io, inbound)],
    ['session', `${sessionId}${opts.sessionId === undefined ? ui.c.dim(' (generated)') : ''}`],
    [
      'payload',
      payload.wrapped ? `sent as {"prompt": …} (text, not JSON; pass --content-type to send it as is)` : undefined,
    ],
  ]);
  if (inbound.mode === 'sigv4' && inbound.userId === undefined && !opts.mcp) {
    ui.note(
      '  SigV4 without --user-id: the agent receives no workload access token (outbound auth will fail inside it).',
    );
  }
}

/** --dry-run / --print-curl: the request as curl (and, with --json, as data); nothing is sent. */
async function dryRun(io: Io, { prep, inbound, sessionId, payload, spec }: InvokeCall): Promise<Outcome> {
  const { ui } = io;
  const req = await import('../../core/runtime/request.js');
  const curl = req.toCurl(spec, {
    inbound,
    baseUrl: prep.baseUrl,
    showSecrets: io.globals.showSecrets,
    sessionToken: !!io.ctx.env.AWS_SESSION_TOKEN,
    ...(payload.file ? { payloadFile: payload.file } : {}),
  });
  if (inbound.mode === 'sigv4')
    ui.note(
      'SigV4: curl computes the signature when it sends (--aws-sigv4, curl ≥ 7.75) from AWS_ACCESS_KEY_ID / ' +
        'AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, when set now); the agent is addressed by its runtime id and ' +
        'accountId, which curl signs as AWS expects (an ARN in the path it does not).',
    );
  else if (!io.globals.showSecrets)
    ui.note('The bearer token is masked; add --show-secrets for a command you can run.');
  ui.note('Nothing was sent (--dry-run).');
  if (!io.globals.json) return { human: () => io.out.line(curl) };
  const { redactHeaders } = await import('../../core/redact.js');
  return {
    json: {
      dryRun: true,
      mode: inbound.mode,
      sessionId,
      request: {
        method: 'POST',
        url: req.invocationUrl(prep.baseUrl, prep.target),
        headers: redactHeaders(Object.fromEntries(req.requestHeaders(spec, inbound)), io.globals.showSecrets),
        ...(utf8Text(spec.payload) !== undefined
          ? { body: Buffer.from(spec.payload).toString('utf8') }
          : { bodyBase64: Buffer.from(spec.payload).toString('base64') }),
      },
      curl,
    },
  };
}

type Answer = Awaited<ReturnType<typeof invokeAndRender>>;

/**
 * Invoke; with --complete-auth, consent is completed as soon as the authorization URL shows up. An agent that keeps
 * the stream open and polls (as the AgentCore SDKs do) gets its token within this very call; one that answered and
 * ended is invoked again, with the same session id, once the session is bound.
 */
async function invokeWithConsent(
  io: Io,
  deps: InvokerDeps,
  call: InvokeCall,
  opts: InvokeFlags,
): Promise<{ first: Answer; last: Answer; consented: boolean }> {
  const { ui } = io;
  let consent: { done: Promise<void>; settled: boolean } | undefined;
  let asked = false;
  const startConsent = (url: string) => {
    // The answer asks for consent: drawn behind this call in a diagram (once per answer).
    if (!asked) io.ctx.trace?.consentNeeded('authorization-url');
    asked = true;
    if (!opts.completeAuth || consent) return;
    ui.line('');
    ui.info(`${ui.c.yellow.bold("▲ the agent needs the user's consent (3LO)")} — completing it (--complete-auth)`);
    const c = { settled: false, done: Promise.resolve() };
    c.done = completeCallerConsent(io, url, {
      inbound: call.inbound,
      region: call.prep.region,
      ...(opts.returnUrl ? { returnUrl: opts.returnUrl } : {}),
      browser: opts.browser !== false,
      timeoutMs: call.prep.timeoutMs,
    }).finally(() => {
      c.settled = true;
    });
    c.done.catch(() => undefined); // awaited below
    consent = c;
  };
  const first = await invokeAndRender(io, deps, call.spec, opts, startConsent);
  if (!consent) return { first, last: first, consented: false };
  const boundDuringStream = consent.settled;
  await consent.done;
  if (boundDuringStream) {
    ui.success('session bound while the agent was still answering (it polled for the token)');
    return { first, last: first, consented: true };
  }
  ui.info(`${ui.c.cyan('↻')} session bound; invoking again with the same session id ${call.sessionId}`);
  const last = await invokeAndRender(io, { ...deps, send: sendOptionsFor(io, call.prep.timeoutMs) }, call.spec, opts);
  return { first, last, consented: true };
}

/** The consent URL (when not completed), the summary line / JSON record, and the "no workload token" failure. */
function finishInvoke(
  io: Io,
  { prep, inbound, sessionId }: InvokeCall,
  run: { first: Answer; last: Answer; consented: boolean },
  opts: InvokeFlags,
): Outcome {
  const { ui } = io;
  const { first, last, consented } = run;
  const urls = last.stats.authorizationUrls;
  consentNotes(io, inbound, run, sessionId, !!opts.completeAuth);
  const summary = {
    type: 'summary',
    status: last.res.status,
    sessionId: last.res.sessionId ?? sessionId,
    requestSessionId: sessionId,
    contentType: last.res.contentType ?? null,
    durationMs: last.durationMs,
    mode: inbound.mode,
    agent: prep.target.arn ?? prep.target.pathLabel,
    qualifier: prep.target.qualifier,
    region: prep.region,
    events: last.stats.events,
    bytes: last.stats.bytes,
    attempts: last.res.attempts,
    ...(last.res.mcpSessionId ? { mcpSessionId: last.res.mcpSessionId } : {}),
    ...(last.res.requestId ? { requestId: last.res.requestId } : {}),
    ...(urls.length ? { authorizationUrl: urls[0] } : {}),
    ...(consented ? { consentCompleted: true, reinvoked: last !== first } : {}),
  };
  if (io.globals.json) io.out.line(JSON.stringify(summary));
  const sessNote =
    last.res.sessionId && last.res.sessionId !== sessionId
      ? ` (the service answered with session ${last.res.sessionId})`
      : '';
  ui.success(
    `${last.res.status} ${last.res.contentType ?? ''}${
      last.stats.sse ? `, ${last.stats.events} ` + `event${last.stats.events === 1 ? '' : 's'}` : ''
    }, ${formatDuration(last.durationMs)}, ` + `session ${summary.sessionId}${sessNote}`,
  );
  if (last.stats.watNotSet) {
    const hint =
      inbound.mode === 'sigv4' && inbound.userId === undefined
        ? 'The call used SigV4 without a user id, so the runtime minted no workload access token. Invoke with ' +
          '--user-id <id> (needs bedrock-agentcore:InvokeAgentRuntimeForUser), or call a JWT-configured ' +
          'agent with a bearer token.'
        : 'The runtime should have passed a workload access token with this call; check that the agent reads ' +
          'the WorkloadAccessToken / X-Amz-Bedrock-AgentCore-Identity-WAT header.';
    throw new AgentcoreAuthError('ERR_AUTH', 'the agent says "Workload access token has not been set"', {
      hint,
      details: { sessionId },
    });
  }
  return {};
}

/** The agent asked for consent: again after the session was bound, or not completed (with the URL to open). */
function consentNotes(
  io: Io,
  inbound: Inbound,
  run: { first: Answer; last: Answer; consented: boolean },
  sessionId: string,
  completeAuth: boolean,
): void {
  const { ui } = io;
  const { first, last, consented } = run;
  const urls = last.stats.authorizationUrls;
  if (consented && last !== first && urls.length) {
    ui.warn(
      `the agent asked for consent again after the session was bound (does it force authentication on every ` +
        `call?); not repeating: ${urls[0]}`,
    );
  }
  if (!urls.length || consented) return;
  ui.line('');
  ui.line(
    `${ui.c.yellow.bold("▲ the agent needs the user's consent (3LO).")} Open this AgentCore authorization ` +
      `URL (valid 10 minutes):`,
  );
  ui.line(`  ${urls[0]}`);
  if (completeAuth) return;
  const as =
    inbound.userId !== undefined
      ? ` as user id ${inbound.userId}`
      : inbound.mode === 'bearer'
        ? ' with the same JWT'
        : '';
  ui.line(
    ui.c.dim(
      `  Or re-run with --complete-auth: it opens the URL, completes the session on a loopback return ` +
        `URL${as}, and invokes again with session ${sessionId}.`,
    ),
  );
}

function describeInbound(io: Io, inbound: Inbound): string {
  if (inbound.mode === 'sigv4') {
    return `SigV4 (IAM)${
      inbound.userId !== undefined ? ` with user id ${inbound.userId}` : ''
    } ${io.ui.c.dim(`— ${inbound.why}`)}`;
  }
  const note = inbound.token ? ` ${io.ui.c.dim(`(${tokenNote(io, inbound.token)})`)}` : '';
  return `bearer token from ${inbound.tokenSource ?? '?'} ${io.ui.c.dim(`— ${inbound.why}`)}${note}`;
}

/** What kind of token it is (use, expiry) — never the token. Always says something. */
function tokenNote(io: Io, token: string): string {
  if (token.split('.').length !== 3) return 'not a JWT';
  const p = jwtClaims(token);
  if (!p) return 'not a JWT: its payload is not base64url JSON';
  const bits = [
    typeof p.token_use === 'string' && p.token_use ? `${p.token_use} token` : undefined,
    typeof p.exp === 'number'
      ? p.exp * 1000 > io.ctx.now()
        ? `expires in ${Math.round((p.exp * 1000 - io.ctx.now()) / 60000)} min`
        : 'EXPIRED'
      : undefined,
  ].filter(Boolean);
  return bits.length ? bits.join(', ') : 'a JWT without token_use or exp claims';
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One invocation, its answer rendered as it arrives (core's invoker classifies a failure while reading). */
async function invokeAndRender(
  io: Io,
  deps: InvokerDeps,
  spec: InvokeSpec,
  opts: InvokeFlags,
  onAuthorizationUrl?: (url: string) => void,
) {
  const [{ invokeAndRead }, { renderAnswer }] = await Promise.all([
    import('../../core/runtime/invoker.js'),
    import('../../core/runtime/output.js'),
  ]);
  const started = performance.now();
  const { res, read: stats } = await invokeAndRead(deps, spec, (res) =>
    renderAnswer(res.body, {
      mode: io.globals.json ? 'json' : opts.raw ? 'raw' : 'human',
      tty: io.out.isTTY,
      contentType: res.contentType,
      write: (t) => io.out.write(t),
      ...(onAuthorizationUrl ? { onAuthorizationUrl } : {}),
    }),
  );
  return { res, stats, durationMs: Math.round(performance.now() - started) };
}
