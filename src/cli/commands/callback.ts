/**
 * `callback`: a standalone loopback return-URL server for a deployed agent's 3LO flow (what the samples' FastAPI
 * server does). On `GET <path>?session_id=<URN>` it calls CompleteResourceTokenAuth with the configured user identifier
 * and answers a small HTML page; one stderr line per request. `--once` exits after the first session (0 completed,
 * 4 refused); `--timeout` bounds the wait (exit 5 when nothing was completed); Ctrl-C closes the server (exit 130).
 */
import type { Command } from 'commander';
import { defineAction, type CliRun } from '../command.js';
import type { Io } from '../io.js';
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

async function runCallback(io: Io, opts: CallbackOptions) {
  const { runCallback: run } = await import('../callback-server.js');
  return run(io, opts);
}
