/**
 * Send one invocation, on either path, and hand back the response head plus its body as a byte stream (so that SSE
 * events can be shown as they arrive).
 * - SigV4: the real SDK's InvokeAgentRuntimeCommand (retries, Retry-After and signing are the SDK's; custom headers via
 *   a build-step middleware, signed like the rest).
 * - Bearer: a raw POST built by request.ts, with the same retry policy as the SDK's standard mode (3 attempts, backoff
 *   with jitter, Retry-After honoured up to 20 s) on 429, 5xx and RetryableConflict.
 * Failures are thrown as InvokeFailure (facts only); failures.ts turns them into errors that name the fix.
 */
import { formatDuration } from '../duration.js';
import type { BedrockAgentCoreClient, InvokeAgentRuntimeCommandOutput } from '@aws-sdk/client-bedrock-agentcore';
import { AgentcoreAuthError, interruptedError, isAbortError, timeoutError } from '../errors.js';
import { fetchWithRetry, type FetchLike } from '../http.js';
import type { FailureFacts } from './failures.js';
import { parseErrorBody } from './failures.js';
import { buildBearerRequest, customHeaderMiddleware, toSdkInput, type InvokeSpec } from './request.js';
import { agentcoreSdk } from '../../sdk.js';

export interface InvokeResponse {
  status: number;
  contentType?: string;
  /** X-Amzn-Bedrock-AgentCore-Runtime-Session-Id of the response. */
  sessionId?: string;
  mcpSessionId?: string;
  mcpProtocolVersion?: string;
  traceId?: string;
  requestId?: string;
  attempts: number;
  body: AsyncIterable<Uint8Array>;
  /** Release the connection without reading the rest. */
  cancel(): void;
}

export class InvokeFailure extends Error {
  constructor(
    readonly facts: FailureFacts,
    readonly attempts: number,
  ) {
    super(`${facts.errorName ? `${facts.errorName}: ` : ''}${facts.message}`);
    this.name = 'InvokeFailure';
  }
}

export interface SendOptions {
  /** Aborts the whole call: Ctrl-C and --timeout. */
  signal: AbortSignal;
  /** The run's own signal (Ctrl-C), to tell an interrupt from a timeout. */
  runSignal: AbortSignal;
  timeoutMs: number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Bearer path only (the SDK client has its own setting). Default 3. */
  maxAttempts?: number;
  onRetry?(attempt: number, delayMs: number, why: string): void;
  random?: () => number;
}

export function abortReason(opts: Pick<SendOptions, 'runSignal' | 'timeoutMs'>, what: string): AgentcoreAuthError {
  if (opts.runSignal.aborted) return interruptedError();
  return timeoutError(
    `${what} did not finish within ${formatDuration(opts.timeoutMs)} (--timeout)`,
    'Raise --timeout, or check that the agent answers (its logs).',
  );
}

/** SigV4 through the SDK. */
export async function sendSigv4(
  client: BedrockAgentCoreClient,
  spec: InvokeSpec,
  opts: SendOptions,
): Promise<InvokeResponse> {
  const { InvokeAgentRuntimeCommand } = agentcoreSdk();
  const cmd = new InvokeAgentRuntimeCommand(toSdkInput(spec));
  if (spec.customHeaders.length) {
    cmd.middlewareStack.add(customHeaderMiddleware(spec.customHeaders) as never, {
      step: 'build',
      name: 'agentcoreAuthCustomHeaders',
    });
  }
  let out: InvokeAgentRuntimeCommandOutput;
  try {
    out = await client.send(cmd, { abortSignal: opts.signal });
  } catch (e) {
    if (opts.signal.aborted || isAbortError(e)) throw abortReason(opts, 'InvokeAgentRuntime');
    if (e instanceof AgentcoreAuthError) throw e;
    const err = e as {
      name?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
      code?: string;
    };
    const status = err.$metadata?.httpStatusCode;
    if (status === undefined) throw e; // network, credentials: the caller maps these with fromAwsError
    throw new InvokeFailure(
      {
        status,
        ...(err.name ? { errorName: err.name } : {}),
        message: err.message ?? String(e),
        ...(err.$metadata?.requestId ? { requestId: err.$metadata.requestId } : {}),
      },
      err.$metadata?.attempts ?? 1,
    );
  }
  const stream = out.response as unknown as (AsyncIterable<Uint8Array> & { destroy?(e?: Error): void }) | undefined;
  const onAbort = () => stream?.destroy?.(Object.assign(new Error('aborted'), { name: 'AbortError' }));
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const body = stream ?? (async function* () {})();
  return {
    status: out.statusCode ?? 200,
    ...(out.contentType ? { contentType: out.contentType } : {}),
    ...(out.runtimeSessionId ? { sessionId: out.runtimeSessionId } : {}),
    ...(out.mcpSessionId ? { mcpSessionId: out.mcpSessionId } : {}),
    ...(out.mcpProtocolVersion ? { mcpProtocolVersion: out.mcpProtocolVersion } : {}),
    ...(out.traceId ? { traceId: out.traceId } : {}),
    ...(out.$metadata.requestId ? { requestId: out.$metadata.requestId } : {}),
    attempts: out.$metadata.attempts ?? 1,
    body: (async function* () {
      try {
        for await (const chunk of body) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      } finally {
        opts.signal.removeEventListener('abort', onAbort);
      }
    })(),
    cancel: () => stream?.destroy?.(),
  };
}

/** Bearer: the raw HTTPS form, retried like the SDK would (core/http fetchWithRetry). */
export async function sendBearer(
  fetch: FetchLike,
  spec: InvokeSpec,
  baseUrl: string,
  token: string,
  opts: SendOptions,
): Promise<InvokeResponse> {
  const req = buildBearerRequest(spec, baseUrl, token);
  let attempts = 1;
  let res: Response;
  try {
    res = await fetchWithRetry(
      fetch,
      req.url,
      { method: req.method, headers: req.headers, body: req.body, signal: opts.signal },
      {
        maxAttempts: opts.maxAttempts ?? 3,
        sleep: opts.sleep,
        signal: opts.signal,
        ...(opts.random ? { random: opts.random } : {}),
        onRetry: ({ attempt, delayMs, reason }) => {
          attempts = attempt + 1;
          opts.onRetry?.(attempt, delayMs, reason);
        },
      },
    );
  } catch (e) {
    if (opts.signal.aborted) throw abortReason(opts, 'InvokeAgentRuntime');
    throw e;
  }
  if (!res.ok) {
    let text = '';
    try {
      text = await res.text();
    } catch {
      if (opts.signal.aborted) throw abortReason(opts, 'InvokeAgentRuntime');
    }
    throw new InvokeFailure(parseErrorBody(res.status, res.headers, text), attempts);
  }
  const h = res.headers;
  const stream = res.body;
  return {
    status: res.status,
    ...opt('contentType', h.get('content-type')),
    ...opt('sessionId', h.get('x-amzn-bedrock-agentcore-runtime-session-id')),
    ...opt('mcpSessionId', h.get('mcp-session-id')),
    ...opt('mcpProtocolVersion', h.get('mcp-protocol-version')),
    ...opt('traceId', h.get('x-amzn-trace-id')),
    ...opt('requestId', h.get('x-amzn-requestid')),
    attempts,
    body: stream ? (stream as unknown as AsyncIterable<Uint8Array>) : (async function* () {})(),
    cancel: () => void stream?.cancel().catch(() => undefined),
  };
}

function opt<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}
