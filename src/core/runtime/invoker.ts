/**
 * One configured caller of a runtime: inbound mode and credentials fixed, so that every request of a run (one invoke,
 * the re-invoke after 3LO consent, each MCP message) is sent the same way. Failures come out classified.
 */
import type { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { fromAwsError } from '../aws.js';
import { AgentcoreAuthError } from '../errors.js';
import type { FetchLike } from '../http.js';
import type { RuntimeAuthInfo } from './auth-mode.js';
import { classifyFailure, isMethodMismatch } from './failures.js';
import { InvokeFailure, sendBearer, sendSigv4, type InvokeResponse, type SendOptions } from './send.js';
import type { McpExchange, McpRequestMeta, McpTransport, JsonRpcMessage } from './mcp.js';
import { parseMcpBody } from './mcp.js';
import { checkPayloadSize, type InboundMode, type InvokeSpec } from './request.js';

export interface InvokerDeps {
  mode: InboundMode;
  token?: string;
  agentcore(): Promise<BedrockAgentCoreClient>;
  fetch: FetchLike;
  /** serviceBaseUrl(env, 'agentcore', region, flag) */
  baseUrl: string;
  send: SendOptions;
  /** Control-plane lookup, used to say which mode an agent expects after a method mismatch. */
  lookupAuth?(): Promise<RuntimeAuthInfo>;
  /** Already known (from --auth auto). */
  authInfo?: RuntimeAuthInfo;
}

export async function invokeOnce(deps: InvokerDeps, spec: InvokeSpec): Promise<InvokeResponse> {
  checkPayloadSize(spec.payload.byteLength);
  try {
    if (deps.mode === 'sigv4') return await sendSigv4(await deps.agentcore(), spec, deps.send);
    if (!deps.token) throw new AgentcoreAuthError('ERR_INTERNAL', 'bearer mode without a token');
    return await sendBearer(deps.fetch, spec, deps.baseUrl, deps.token, deps.send);
  } catch (e) {
    if (e instanceof InvokeFailure) {
      let authInfo = deps.authInfo;
      let authInfoError: string | undefined;
      if (isMethodMismatch(e.facts) && !authInfo && deps.lookupAuth) {
        try {
          authInfo = await deps.lookupAuth();
        } catch (le) {
          authInfoError = (le as Error).message;
        }
      }
      throw classifyFailure(e.facts, {
        mode: deps.mode,
        userIdSent: spec.userId !== undefined,
        ...(deps.token ? { token: deps.token } : {}),
        target: spec.target,
        region: spec.region,
        attempts: e.attempts,
        ...(authInfo ? { authInfo } : {}),
        ...(authInfoError ? { authInfoError } : {}),
      });
    }
    if (e instanceof AgentcoreAuthError) throw e;
    throw fromAwsError(e, 'InvokeAgentRuntime', deps.mode === 'sigv4' ? deps.baseUrl : undefined);
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
