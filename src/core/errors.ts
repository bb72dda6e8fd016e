/**
 * The tool's error type: AgentcoreAuthError carries an ERR_* code (which fixes the exit code, EXIT), a message, and
 * optionally a hint, details and the cause. The few specialised errors (McpRpcError, McpElicitationError) extend it;
 * internal ones (InvokeFailure, StepFailure, the smoke parser's and template's errors) are caught by their callers
 * and turned into one. core/ turns SDK and HTTP failures into these (fromAwsError, classify.ts); cli/run.ts is the
 * single place that renders them and maps them to an exit code.
 */

export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  REMOTE: 3,
  AUTH: 4,
  TIMEOUT: 5,
  /** `smoke`: at least one expectation failed (the requests themselves ran). */
  EXPECTATION: 6,
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Every error code, its exit code and a one-line description (rendered in `help exit-codes`). */
export const ERROR_CODES = {
  ERR_INTERNAL: { exit: EXIT.INTERNAL, doc: 'A bug in agentcore-auth. Please report it with the output of --debug.' },
  ERR_USAGE: { exit: EXIT.USAGE, doc: 'A flag, argument or combination of them is invalid.' },
  ERR_CONFIG: {
    exit: EXIT.USAGE,
    doc: 'Configuration is missing or invalid (region, credentials, config file, cache entry).',
  },
  ERR_INPUT: { exit: EXIT.USAGE, doc: 'Input data could not be parsed (token, JSON, YAML, ARN, header).' },
  ERR_REMOTE: { exit: EXIT.REMOTE, doc: 'The service rejected the request (validation, not found, conflict, quota).' },
  ERR_THROTTLED: { exit: EXIT.REMOTE, doc: 'The service throttled the request and retries were exhausted.' },
  ERR_SERVER: { exit: EXIT.REMOTE, doc: 'The service failed (5xx) and retries were exhausted.' },
  ERR_NETWORK: { exit: EXIT.REMOTE, doc: 'The endpoint could not be reached (DNS, connection refused, TLS).' },
  ERR_AUTH: {
    exit: EXIT.AUTH,
    doc: 'Authentication or authorization failed (401/403, NotAuthorized, method mismatch).',
  },
  ERR_TOKEN_EXPIRED: { exit: EXIT.AUTH, doc: 'A token has expired or is about to and could not be refreshed.' },
  ERR_STATE_MISMATCH: { exit: EXIT.AUTH, doc: 'An OAuth redirect carried an unexpected state (possible CSRF).' },
  ERR_OAUTH: { exit: EXIT.AUTH, doc: 'An OAuth / OIDC server answered with an error.' },
  ERR_VERIFY_REJECTED: { exit: EXIT.AUTH, doc: 'A token would be rejected by the configured JWT authorizer.' },
  ERR_CHECK_FAILED: { exit: EXIT.AUTH, doc: 'A doctor check failed.' },
  ERR_TIMEOUT: { exit: EXIT.TIMEOUT, doc: 'Timed out waiting (for a browser, a callback, a poll, or a response).' },
  ERR_EXPECTATION: { exit: EXIT.EXPECTATION, doc: 'A smoke scenario expectation failed.' },
  ERR_UNKNOWN_MESSAGE: { exit: EXIT.USAGE, doc: '`explain` does not know this message (input, not a bug).' },
  ERR_INTERRUPTED: { exit: EXIT.INTERRUPTED, doc: 'Interrupted (Ctrl-C / SIGINT / SIGTERM).' },
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetails {
  /** HTTP status of the failed response, when there was one. */
  status?: number;
  /** AWS error name (x-amzn-errortype / __type), OAuth `error`, or similar. */
  errorName?: string;
  requestId?: string;
  url?: string;
  operation?: string;
  [key: string]: unknown;
}

export interface AgentcoreAuthErrorOptions {
  hint?: string;
  details?: ErrorDetails;
  cause?: unknown;
  /** Override the exit code implied by `code` (rare). */
  exitCode?: number;
}

export class AgentcoreAuthError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  hint?: string;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: AgentcoreAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentcoreAuthError';
    this.code = code;
    this.exitCode = options.exitCode ?? ERROR_CODES[code].exit;
    if (options.hint !== undefined) this.hint = options.hint;
    this.details = options.details ?? {};
  }
}

export function isAgentcoreAuthError(e: unknown): e is AgentcoreAuthError {
  return e instanceof AgentcoreAuthError;
}

export const usageError = (message: string, hint?: string): AgentcoreAuthError =>
  new AgentcoreAuthError('ERR_USAGE', message, hint === undefined ? {} : { hint });

export const configError = (message: string, hint?: string): AgentcoreAuthError =>
  new AgentcoreAuthError('ERR_CONFIG', message, hint === undefined ? {} : { hint });

export const inputError = (message: string, hint?: string, cause?: unknown): AgentcoreAuthError =>
  new AgentcoreAuthError('ERR_INPUT', message, { ...(hint === undefined ? {} : { hint }), cause });

export const timeoutError = (message: string, hint?: string): AgentcoreAuthError =>
  new AgentcoreAuthError('ERR_TIMEOUT', message, hint === undefined ? {} : { hint });

export const interruptedError = (message = 'interrupted'): AgentcoreAuthError =>
  new AgentcoreAuthError('ERR_INTERRUPTED', message);

/** True when an error (or anything in its cause chain) is an abort caused by our AbortSignal. */
export function isAbortError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 8; depth++) {
    const err = cur as { name?: string; code?: string; cause?: unknown };
    if (err.name === 'AbortError' || err.code === 'ABORT_ERR') return true;
    cur = err.cause;
  }
  return false;
}
