/**
 * One configured caller of a runtime: the run's Inbound (mode, token, user id) and the clients fixed, so that every
 * request of a run (one invoke, the re-invoke after 3LO consent, each MCP message) is sent the same way. Failures come
 * out classified, whether they happen while sending (invokeOnce) or while the answer is read (invokeAndRead).
 */
import type { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { fromAwsError } from '../aws.js';
import { AgentcoreAuthError } from '../errors.js';
import { networkError, type FetchLike } from '../http.js';
import type { RuntimeAuthInfo } from './inbound.js';
import { classifyFailure, isMethodMismatch } from './failures.js';
import type { Inbound } from './inbound.js';
import { abortReason, InvokeFailure, sendBearer, sendSigv4, type InvokeResponse, type SendOptions } from './send.js';
import type { McpExchange, McpRequestMeta, McpTransport, JsonRpcMessage } from './mcp.js';
import { parseMcpBody } from './mcp.js';
import { checkPayloadSize, type InvokeSpec } from './request.js';
import { LIMITS } from '../../wire.js';

export interface InvokerDeps {
  /** Who calls, and how (its authInfo, when --auth auto read it, explains a method mismatch without another lookup). */
  inbound: Inbound;
  agentcore(): Promise<BedrockAgentCoreClient>;
  fetch: FetchLike;
  /** serviceBaseUrl(env, 'agentcore', region, flag) */
  baseUrl: string;
  send: SendOptions;
  /** Control-plane lookup, used to say which mode an agent expects after a method mismatch. */
  lookupAuth?(): Promise<RuntimeAuthInfo>;
}

export async function invokeOnce(deps: InvokerDeps, spec: InvokeSpec): Promise<InvokeResponse> {
  checkPayloadSize(spec.payload.byteLength);
  const { mode, token } = deps.inbound;
  try {
    if (mode === 'sigv4') return await sendSigv4(await deps.agentcore(), spec, deps.send);
    if (!token) throw new AgentcoreAuthError('ERR_INTERNAL', 'bearer mode without a token');
    return await sendBearer(deps.fetch, spec, deps.baseUrl, token, deps.send);
  } catch (e) {
    if (e instanceof InvokeFailure) {
      let authInfo = deps.inbound.authInfo;
      let authInfoError: string | undefined;
      if (isMethodMismatch(e.facts) && !authInfo && deps.lookupAuth) {
        try {
          authInfo = await deps.lookupAuth();
        } catch (le) {
          authInfoError = (le as Error).message;
        }
      }
      throw classifyFailure(e.facts, {
        mode,
        userIdSent: spec.userId !== undefined,
        ...(token ? { token } : {}),
        target: spec.target,
        region: spec.region,
        attempts: e.attempts,
        ...(authInfo ? { authInfo } : {}),
        ...(authInfoError ? { authInfoError } : {}),
      });
    }
    if (e instanceof AgentcoreAuthError) throw e;
    throw fromAwsError(e, 'InvokeAgentRuntime', mode === 'sigv4' ? deps.baseUrl : undefined);
  }
}

/**
 * invokeOnce, then `read` consumes the answer (renders or collects it). A failure while reading is classified like one
 * while sending: the run's abort reason (Ctrl-C, --timeout), our own errors as they are, anything else a network error
 * naming the endpoint; the connection is released first.
 */
export async function invokeAndRead<T>(
  deps: InvokerDeps,
  spec: InvokeSpec,
  read: (res: InvokeResponse) => Promise<T>,
): Promise<{ res: InvokeResponse; read: T }> {
  const res = await invokeOnce(deps, spec);
  try {
    return { res, read: await read(res) };
  } catch (e) {
    res.cancel();
    if (deps.send.signal.aborted) throw abortReason(deps.send, 'InvokeAgentRuntime (reading the answer)');
    if (e instanceof AgentcoreAuthError) throw e;
    throw networkError(deps.baseUrl, e);
  }
}

/** Read a whole body (MCP answers are small). */
export async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** MCP over InvokeAgentRuntime: each JSON-RPC message is one invocation with the Mcp-* headers. */
export function runtimeMcpTransport(deps: InvokerDeps, base: InvokeSpec): McpTransport {
  return {
    label: `runtime ${base.target.arn ?? base.target.pathLabel}`,
    async post(message: JsonRpcMessage, meta: McpRequestMeta): Promise<McpExchange> {
      const spec: InvokeSpec = {
        ...base,
        payload: new TextEncoder().encode(JSON.stringify(message)),
        contentType: 'application/json',
        accept: 'application/json, text/event-stream',
        mcp: {
          ...(meta.sessionId ? { sessionId: meta.sessionId } : {}),
          ...(meta.protocolVersion ? { protocolVersion: meta.protocolVersion } : {}),
          method: meta.method,
          ...(meta.name ? { name: meta.name } : {}),
        },
      };
      const res = await invokeOnce(deps, spec);
      if (res.mcpSessionId && res.mcpSessionId.length > LIMITS.mcpSessionIdMax) {
        await readAll(res.body).catch(() => undefined); // let the connection go back to its pool
        throw new AgentcoreAuthError(
          'ERR_REMOTE',
          `the agent's Mcp-Session-Id is ${res.mcpSessionId.length} characters; InvokeAgentRuntime accepts at most ` +
            `${LIMITS.mcpSessionIdMax}, so the session cannot go on`,
          { hint: 'Make the MCP server issue shorter session ids (a UUID is 36 characters).' },
        );
      }
      const text = await readAll(res.body);
      return {
        status: res.status,
        ...(res.contentType ? { contentType: res.contentType } : {}),
        ...(res.mcpSessionId ? { sessionId: res.mcpSessionId } : {}),
        ...(res.mcpProtocolVersion ? { protocolVersion: res.mcpProtocolVersion } : {}),
        messages: parseMcpBody(res.contentType, text),
      };
    },
  };
}
