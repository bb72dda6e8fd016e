/**
 * `callback`: a standalone loopback return-URL server for a deployed agent's 3LO flow (what the samples' FastAPI
 * server does). On `GET <path>?session_id=<URN>` it calls CompleteResourceTokenAuth with the configured user identifier
 * and answers a small HTML page; one stderr line per request. `--once` exits after the first session (0 completed,
 * 4 refused); `--timeout` bounds the wait (exit 5 when nothing was completed); Ctrl-C closes the server (exit 130).
 */
import type { Command } from 'commander';
import { defineAction, type CliRun } from '../command.js';
import { readStdin, type Io } from '../io.js';
import {
  addOptions,
  flag,
  optionalValue,
  PORT,
  TIMEOUT,
  userId,
  value,
  withDefault,
  type OptionsOf,
} from '../options.js';
import { DEFAULT_RETURN_PORT, LIMITS } from '../../wire.js';
import { napUntil } from '../../core/nap.js';

const CALLBACK_OPTIONS = {
  port: withDefault(
    value('--port <port>', 'port to listen on (127.0.0.1, and [::1] when free)', PORT),
    DEFAULT_RETURN_PORT,
    String(DEFAULT_RETURN_PORT),
  ),
  path: withDefault(value('--path <path>', 'the return path'), '/oauth2/callback'),
  userId: value('--user-id <id>', 'complete sessions as this user id', userId({ max: LIMITS.identityUserIdMax })),
  userToken: value('--user-token <jwt|->', 'complete sessions with this JWT; - reads stdin'),
  bearer: optionalValue('--bearer [name]', "complete sessions with a cached login's access token (see `login`)"),
  expectState: value('--expect-state <state>', 'refuse redirects whose state parameter is missing or different'),
  once: flag('--once', 'exit after the first session: 0 when completed, 4 when refused'),
  timeout: value('--timeout <seconds>', 'stop after this long (exit 5 when no session was completed)', TIMEOUT),
};

type CallbackOptions = OptionsOf<typeof CALLBACK_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('callback')
    .summary('loopback return-URL server that completes 3LO sessions')
    .description(
      `Serve a 3LO return URL on loopback (http://localhost:<port><path>) and complete each session ` +
        `AgentCore redirects to it (?session_id=urn:ietf:params:oauth:request_uri:…) with CompleteResourceTokenAuth.

The user identifier must be the exact artifact that minted the workload token which started the session: the ` +
        `same --user-id string the agent was invoked with, or the very same JWT (--user-token / --bearer) it was ` +
        `invoked with.`,
    );
  addOptions(cmd, CALLBACK_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth callback --user-id alice --once
  agentcore-auth callback --bearer --port 8765 --expect-state "$STATE"

Register the URL on the agent's workload identity first (exchange --register-return-url does it for you):
  aws bedrock-agentcore-control update-workload-identity --name <workload> ` +
        `--allowed-resource-oauth2-return-urls http://localhost:${DEFAULT_RETURN_PORT}/oauth2/callback`,
    )
    .action(defineAction(run, (io: Io, opts: CallbackOptions) => runCallback(io, opts)));
}

interface SessionRecord {
  at: string;
  sessionUri: string;
  status: 'completed' | 'refused' | 'provider-error' | 'state-mismatch';
  message?: string;
  durationMs?: number;
}

async function runCallback(io: Io, opts: CallbackOptions) {
  const { usageError, interruptedError, timeoutError, EXIT, AgentcoreAuthError } = await import('../../core/errors.js');
  const id = await import('../../core/identity/index.js');

  const port = opts.port;
  if (!opts.path.startsWith('/') || /[?#\s]/.test(opts.path))
    throw usageError(`--path must start with / and hold no query, got ${JSON.stringify(opts.path)}`);
  const timeoutSec = opts.timeout === undefined ? undefined : opts.timeout / 1000;
  const given = [opts.userId !== undefined, opts.userToken !== undefined, opts.bearer !== undefined].filter(
    Boolean,
  ).length;
  if (given !== 1) {
    throw usageError(
      given === 0
        ? 'pass the user identifier: --user-id, --user-token or --bearer'
        : 'pass only one of --user-id, --user-token, --bearer',
      'CompleteResourceTokenAuth needs the exact user id, or the very same JWT, that minted the workload token ' +
        'which started the session.',
    );
  }
  if (opts.expectState !== undefined) io.secrets.add(opts.expectState);

  let identifier: import('../../core/identity/index.js').UserIdentifier;
  if (opts.userId !== undefined) identifier = { userId: opts.userId };
  else if (opts.userToken !== undefined) {
    identifier = { userToken: id.validateUserToken(opts.userToken === '-' ? await readStdin(io.ctx) : opts.userToken) };
  } else {
    const { resolveCachedBearer } = await import('../bearer.js');
    identifier = { userToken: id.validateUserToken((await resolveCachedBearer(io, opts.bearer)).token, '--bearer') };
  }
  if ('userToken' in identifier) io.secrets.add(identifier.userToken);
  const who = id.describeIdentifier(identifier, io.ctx.now());

  const sessions: SessionRecord[] = [];
  let settled: number | undefined;
  let wake: () => void = () => {};
  const woken = () => new Promise<void>((r) => (wake = r));
  const next = woken();
  const finish = (code: number) => {
    if (opts.once && settled === undefined) {
      settled = code;
      wake();
    }
  };
  const stamp = () => new Date(io.ctx.now()).toISOString().slice(11, 19);
  const record = (r: SessionRecord) => {
    sessions.push(r);
    if (io.globals.json) io.out.line(JSON.stringify(r));
  };

  const server = await id.startReturnUrlServer({
    port,
    path: opts.path,
    hostname: 'localhost',
    ...(opts.expectState !== undefined ? { expectState: opts.expectState, requireState: true } : {}),
    onSession: async ({ sessionUri }) => {
      const started = io.ctx.now();
      try {
        await id.completeSession(io, { sessionUri, userIdentifier: identifier });
        const durationMs = Math.round(io.ctx.now() - started);
        io.ui.line(
          `${io.ui.c.dim(stamp())} ${io.ui.c.green('✓')} ${id.shortUrn(sessionUri)} completed ` +
            `with ${who} ${io.ui.c.dim(`(${durationMs} ms)`)}`,
        );
        record({ at: new Date(started).toISOString(), sessionUri, status: 'completed', durationMs });
        finish(EXIT.OK);
        return {
          ok: true,
          title: 'Authorization complete',
          message: 'The session was completed. You can close this tab and return to the agent.',
        };
      } catch (e) {
        const err =
          e instanceof AgentcoreAuthError
            ? e
            : new AgentcoreAuthError('ERR_INTERNAL', String((e as Error)?.message ?? e));
        io.ui.line(`${io.ui.c.dim(stamp())} ${io.ui.c.red('✗')} ${id.shortUrn(sessionUri)} refused: ${err.message}`);
        if (err.hint) io.ui.line(`         ${io.ui.c.yellow('hint:')} ${err.hint}`);
        record({ at: new Date(started).toISOString(), sessionUri, status: 'refused', message: err.message });
        finish(err.exitCode === EXIT.AUTH ? EXIT.AUTH : err.exitCode);
        return {
          ok: false,
          status: err.exitCode === EXIT.AUTH ? 403 : 502,
          title: 'Authorization not completed',
          message: err.message,
          ...(err.hint ? { detail: err.hint } : {}),
        };
      }
    },
    onEvent: (e) => {
      const c = io.ui.c;
      if (e.kind === 'ignored') {
        io.ui.line(`${c.dim(stamp())} ${c.dim(`${e.method} ${safe(e.path)} → ${e.status} (${e.reason})`)}`);
      } else if (e.kind === 'provider-error') {
        const msg = `${safe(e.error)}${e.description ? ` — ${safe(e.description)}` : ''}`;
        io.ui.line(`${c.dim(stamp())} ${c.red('✗')} the provider refused the authorization: ${msg}`);
        record({ at: new Date(io.ctx.now()).toISOString(), sessionUri: '', status: 'provider-error', message: msg });
        finish(EXIT.AUTH);
      } else if (e.kind === 'state-mismatch') {
        io.ui.line(
          `${c.dim(stamp())} ${c.red('✗')} ${id.shortUrn(e.sessionUri)} ` +
            `refused: ${e.received === undefined ? 'no state parameter' : 'state does not match --expect-state'}` +
            ' (not completed)',
        );
        record({ at: new Date(io.ctx.now()).toISOString(), sessionUri: e.sessionUri, status: 'state-mismatch' });
        finish(EXIT.AUTH);
      } else if (e.kind === 'session' && e.duplicate) {
        io.ui.line(
          `${c.dim(stamp())} ${c.dim(
            `${id.shortUrn(e.sessionUri)} again → same answer ` + `(${e.outcome.ok ? 'completed' : 'refused'})`,
          )}`,
        );
      }
    },
  });

  try {
    io.ui.info(`${io.ui.c.bold('return URL')} ${server.url}`);
    io.ui.note(`completing sessions with ${who}${opts.once ? '; exits after the first session' : '; Ctrl-C to stop'}`);
    const deadline = timeoutSec !== undefined ? io.ctx.now() + timeoutSec * 1000 : undefined;
    for (;;) {
      if (settled !== undefined) break;
      if (io.ctx.signal.aborted) throw interruptedError();
      const remaining = deadline === undefined ? 250 : deadline - io.ctx.now();
      if (remaining <= 0) {
        if (opts.once || !sessions.some((s) => s.status === 'completed')) {
          throw timeoutError(
            `no session ${opts.once ? 'arrived' : 'was completed'} within ${timeoutSec} s at ${server.url}`,
            'Check that this URL is registered on the workload identity and passed as the return URL, and that ' +
              'the browser finished the consent.',
          );
        }
        break;
      }
      try {
        await napUntil(next, Math.min(remaining, 250), io.ctx.sleep, io.ctx.signal);
      } catch {
        if (io.ctx.signal.aborted) throw interruptedError();
      }
    }
  } finally {
    await server.close();
  }
  const completed = sessions.filter((s) => s.status === 'completed').length;
  return {
    exitCode: settled ?? EXIT.OK,
    human: () => {
      if (!opts.once)
        io.ui.note(
          `${completed} session${completed === 1 ? '' : 's'} completed, ${sessions.length - completed} refused`,
        );
    },
  };
}

// eslint-disable-next-line no-control-regex
const safe = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 200);
