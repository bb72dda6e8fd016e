/**
 * What each exit code means, once for the whole CLI and then per command (`help exit-codes`, the reference pages).
 * The codes are core/errors.ts's EXIT; a test checks that every command in the registry has its rows here and that
 * every code named is one of EXIT's.
 */
import { ERROR_CODES, EXIT } from '../../core/errors.js';

export type ExitRow = readonly [code: number, meaning: string];

/** The codes every command shares. */
export const EXIT_MEANINGS: readonly ExitRow[] = [
  [EXIT.OK, 'ok (`verify`: would be accepted; `doctor`: no check failed; `smoke`: every expectation met)'],
  [EXIT.INTERNAL, 'internal error — a bug; please report it with the `--debug` output'],
  [
    EXIT.USAGE,
    'usage or configuration error: a flag, an argument, a file, a region or credentials missing or invalid (also: ' +
      '`explain` does not know the message)',
  ],
  [
    EXIT.REMOTE,
    'the remote side rejected the request (validation, not found, throttled after retries, 5xx) or could not be ' +
      'reached',
  ],
  [
    EXIT.AUTH,
    'authentication or authorization failed (401/403, NotAuthorized, method mismatch, claim mismatch, refused ' +
      'session binding; `verify`: would be rejected; `doctor`: a check failed; `policy check`: deny)',
  ],
  [EXIT.TIMEOUT, 'timed out waiting (for the browser, the callback, a poll, a response)'],
  [EXIT.EXPECTATION, '`smoke`, `policy test`, `demo`: an expectation failed (the requests ran; an outcome was wrong)'],
  [EXIT.INTERRUPTED, 'interrupted (Ctrl-C, SIGTERM); servers are closed first'],
];

const INTERRUPTED: ExitRow = [EXIT.INTERRUPTED, 'interrupted (Ctrl-C); servers are closed first'];

/** Per command: the codes it uses and when. */
export const COMMAND_EXITS: Readonly<Record<string, readonly ExitRow[]>> = {
  login: [
    [0, 'signed in'],
    [
      2,
      'a missing or invalid flag, a missing answer off a terminal, no region, no such cache entry, a malformed JWT, ' +
        'a busy redirect port',
    ],
    [
      3,
      'Cognito or the provider rejected the request (unknown client or pool, `USER_PASSWORD_AUTH flow not ' +
        'enabled`), or was unreachable (the URL is named)',
    ],
    [
      4,
      'authentication failed: wrong password or MFA code, `SECRET_HASH` missing or wrong, `invalid_client`, a ' +
        'refused or forged redirect (`error=`, state mismatch), a revoked or expired refresh token',
    ],
    [5, 'no browser redirect within `--timeout`'],
    INTERRUPTED,
  ],
  token: [
    [0, 'done'],
    [2, 'not a JWT (`decode`), no cached entry of that name, an unusable cache path'],
    [4, '`print`: the entry expires and cannot be refreshed (log in again)'],
  ],
  logout: [
    [0, 'removed (or nothing to remove)'],
    [2, 'an invalid entry name, an unusable cache path'],
  ],
  invoke: [
    [0, 'the agent answered 2xx'],
    [2, 'a bad flag, payload or header; no region; a payload over 100 MB (refused before sending)'],
    [3, 'ResourceNotFound, RuntimeClientError (424), quota (402), throttling or 5xx after 3 attempts, network'],
    [
      4,
      'method mismatch, a claim mismatch, an expired or unparsable token, AccessDenied (also: ' +
        '`InvokeAgentRuntimeForUser` missing), "Workload access token has not been set"',
    ],
    [5, '`--timeout` (default 300 s, the whole call with retries); a partial stream stays on stdout'],
    INTERRUPTED,
  ],
  mcp: [
    [0, 'listed, or the tool answered'],
    [2, 'a bad flag or `--input`'],
    [
      3,
      'the tool reported an error (`isError: true`), the gateway or agent refused the request (JSON-RPC error, not ' +
        'found), or could not be reached',
    ],
    [
      4,
      "the inbound token or signature was refused; a consent was refused; the gateway's policy engine denied the " +
        'tool call (`AuthorizeActionException`)',
    ],
    [5, '`--timeout`, or the consent was not completed in time'],
    INTERRUPTED,
  ],
  exchange: [
    [0, 'every step succeeded'],
    [2, 'a bad flag; a 3LO flag with M2M; a return URL not registered (without `--register-return-url`)'],
    [3, 'a service error (validation, not found, throttling after retries), network'],
    [
      4,
      'refused: a binding mismatch at CompleteResourceTokenAuth, the provider refused, a `FAILED` session, a state ' +
        'mismatch',
    ],
    [5, '`--timeout`: the error says how far the consent got'],
    INTERRUPTED,
  ],
  callback: [
    [0, '`--once`: the session was completed'],
    [2, 'bad input, a busy port (named), an unregistered return URL'],
    [3, 'a service error'],
    [4, 'refused (binding mismatch, provider error, `FAILED` session, state mismatch)'],
    [5, '`--timeout`'],
    INTERRUPTED,
  ],
  verify: [
    [0, 'the token would be accepted'],
    [2, 'not a JWT, a bad flag, no authorizer to check against'],
    [3, 'the discovery document, JWKS or control plane could not be read'],
    [4, 'the token would be rejected (every failed check is listed)'],
  ],
  doctor: [
    [0, 'no check failed (warnings allowed)'],
    [2, 'a bad flag'],
    [4, 'a check failed'],
  ],
  explain: [
    [0, 'the message is known: cause and fix printed'],
    [2, 'the message is not known (said so), or nothing to explain (no argument, empty stdin)'],
  ],
  local: [
    [2, 'a bad flag or config file (the field is named); `--print-env` with no stack running'],
    [130, 'stopped by Ctrl-C or SIGTERM (the normal end: the stack is closed first)'],
  ],
  policy: [
    [0, '`check`: allow; `test`: every case passed; `validate`: no error'],
    [
      2,
      'a policy that does not parse, an unknown tool, input outside the schema, a problem in the table file, a ' +
        'gateway (`--gateway-id`, `gateway:`) without a policy engine when its policies are needed',
    ],
    [3, '`--gateway-id` / `gateway:`: the control plane refused (the gateway not found) or could not be reached'],
    [4, '`check`: deny'],
    [6, '`test`: a case missed'],
  ],
  smoke: [
    [0, 'every expectation was met'],
    [
      2,
      'a scenario is malformed, an option does not exist, a `${env:…}` variable is not set or a `${steps.…}` value ' +
        'does not exist (the error names `file:line`)',
    ],
    [3, 'a step could not run: the service or the network failed (`ERR_NETWORK`, `ERR_REMOTE`, `ERR_SERVER`)'],
    [5, 'a step ran out of time'],
    [
      6,
      "at least one expectation failed (the requests ran; an outcome was wrong), or a step's command refused its " +
        'own configuration (its exit 2: no such cached login, no region …), which fails that step',
    ],
    [1, 'internal error in a step'],
    INTERRUPTED,
  ],
  setup: [
    [0, 'everything exists (created now or found)'],
    [2, 'a bad flag or name, no region or credentials, `--write-env` would overwrite a file it did not write'],
    [3, 'a step failed at AWS: the error names the step and what exists so far'],
    [4, 'not allowed (the IAM policy in the guide lists what is needed)'],
    INTERRUPTED,
  ],
  teardown: [
    [0, 'deleted (or nothing to delete)'],
    [2, 'no terminal to confirm on and no `--yes`; a bad flag'],
    [3, 'a step failed at AWS (named; run teardown again once fixed)'],
    [4, 'not allowed'],
    INTERRUPTED,
  ],
  demo: [[0, 'every flow did what the narration says'], [6, 'a flow did not'], INTERRUPTED],
  completion: [
    [0, 'the script is on stdout'],
    [2, 'not one of bash, zsh, fish'],
  ],
};

/** When several steps of `smoke` could not run, the run reports the first of these that occurred. */
export const SMOKE_PRECEDENCE = [EXIT.INTERRUPTED, EXIT.INTERNAL, EXIT.USAGE, EXIT.TIMEOUT, EXIT.REMOTE] as const;

/** The error codes (`--json` `error.code`, `--debug`) with their exit codes. */
export function errorCodeRows(): Array<[code: string, exit: number, doc: string]> {
  return Object.entries(ERROR_CODES).map(([code, e]) => [code, e.exit, e.doc]);
}
