/**
 * `mcp.mcpServer` targets: the user's own MCP server. Its catalogue is the static `mcpToolSchema` when given, else a
 * handshake and tools/list at create/update/sync with the target's outbound credential (an authorization-code
 * target without a static schema first needs its own consent: CREATE_PENDING_AUTH with an authorization URL for a
 * gateway-made user id `{gatewayId}_{targetId}_{random}`, as in agentcore-gateway.md §3.5). `listingMode: DYNAMIC`
 * asks the server on every tools/list; tools/call is forwarded with the caller's outbound credential.
 */
import { randomBytes } from 'node:crypto';
import { GatewayFailure, type GatewayCall, type TraceStep } from '../data/call.js';
import { type CatalogTool, type GatewayRecord, type TargetRecord, providerNameOf } from '../model.js';
import { type CredentialEnv, type OutboundAuth, outboundAuth } from '../outbound/credentials.js';
import { parseMcpToolSchema } from '../rules.js';
import type { CatalogueResult } from '../store.js';
import {
  type TargetDriver,
  type ToolCall,
  catalogTool,
  elicitation,
  propagatedHeaders,
  withAuthorization,
} from './driver.js';
import type { McpTargetClient } from './mcp-client.js';

function endpointOf(t: TargetRecord): string {
  return t.targetConfiguration.mcp!.mcpServer!.endpoint;
}

function traceStep(
  t: TargetRecord,
  operation: string,
  auth: OutboundAuth,
  headers: Record<string, string>,
  outcome: string,
): TraceStep {
  return {
    kind: 'target',
    target: t.name,
    targetType: 'MCP_SERVER',
    operation,
    url: endpointOf(t).split('?')[0]!,
    sent: auth.sent,
    headers: Object.keys({ ...headers, ...auth.headers }).sort(),
    outcome,
  };
}

/** Target-level consent of an authorization-code target without a static schema. */
async function preAuthorized(
  env: CredentialEnv,
  g: GatewayRecord,
  t: TargetRecord,
): Promise<OutboundAuth | CatalogueResult> {
  const o = t.credentialProviderConfigurations[0]!.credentialProvider!.oauthCredentialProvider!;
  const userId = t.authorizationData?.oauth2.userId ?? `${g.gatewayId}_${t.targetId}_${randomBytes(6).toString('hex')}`;
  const outcome = await env.identity.oauthToken(g, {
    providerName: providerNameOf(o.providerArn),
    scopes: o.scopes,
    flow: 'USER_FEDERATION',
    subject: { userId },
    ...(o.defaultReturnUrl ? { returnUrl: o.defaultReturnUrl } : {}),
  });
  if (outcome.kind === 'consent')
    return { ok: false, pendingAuth: { authorizationUrl: outcome.authorizationUrl, userId } };
  return { headers: { authorization: `Bearer ${outcome.accessToken}` }, query: {}, sent: {} };
}

/** The tools at create/sync: the static schema, or tools/list with the target's outbound credential. */
async function readCatalogue(
  env: CredentialEnv,
  client: McpTargetClient,
  g: GatewayRecord,
  t: TargetRecord,
): Promise<CatalogueResult> {
  const server = t.targetConfiguration.mcp!.mcpServer!;
  if (server.mcpToolSchema && 'inlinePayload' in server.mcpToolSchema)
    return { ok: true, tools: parseMcpToolSchema(server.mcpToolSchema.inlinePayload) };
  const grant = t.credentialProviderConfigurations[0]?.credentialProvider?.oauthCredentialProvider?.grantType;
  let auth: OutboundAuth;
  if (grant === 'AUTHORIZATION_CODE') {
    const pre = await preAuthorized(env, g, t);
    if ('ok' in pre) return pre;
    auth = pre;
  } else if (grant === 'TOKEN_EXCHANGE') {
    // Nothing to exchange without a caller: such a target needs a static schema (UNVERIFIED).
    return { ok: false, reason: 'A TOKEN_EXCHANGE target needs mcpToolSchema: there is no caller token to exchange' };
  } else {
    const a = await outboundAuth(env, g, t.credentialProviderConfigurations, undefined);
    if (!a.ok) return { ok: false, reason: 'the target needs user consent to list its tools' };
    auth = a.auth;
  }
  try {
    const tools = await client.listTools(server.endpoint, auth);
    return { ok: true, tools: tools.map(catalogTool).filter((x): x is CatalogTool => !!x) };
  } catch (e) {
    // The service's words for a failed handshake (issue neo4j/mcp#204), with the cause.
    return {
      ok: false,
      reason: `Failed to connect and fetch tools from the provided MCP target server: ${(e as Error).message}`,
    };
  }
}

async function callerAuth(env: CredentialEnv, g: GatewayRecord, t: TargetRecord, call: GatewayCall, input?: ToolCall) {
  const a = await outboundAuth(env, g, t.credentialProviderConfigurations, call, input?.overrides ?? {});
  if (!a.ok) return a;
  const p = propagatedHeaders(t, call.headers, input?.interceptorHeaders);
  return { ok: true as const, auth: withAuthorization(a.auth, p.authorization, call), headers: p.headers };
}

export function mcpServerDriver(env: CredentialEnv, client: McpTargetClient): TargetDriver {
  return {
    catalogue: (g, t) => readCatalogue(env, client, g, t),
    async list(g, t, call) {
      const a = await callerAuth(env, g, t, call);
      if (!a.ok) throw new GatewayFailure(`target ${t.name} needs the user's consent before its tools can be listed`);
      const tools = await client.listTools(endpointOf(t), a.auth);
      call.trace.push(traceStep(t, 'tools/list', a.auth, a.headers, 'ok'));
      return tools.map(catalogTool).filter((x): x is CatalogTool => !!x);
    },
    async call(g, t, input) {
      const a = await callerAuth(env, g, t, input.call, input);
      if (!a.ok) return elicitation(a.consent.authorizationUrl);
      const params = { name: input.tool, arguments: input.arguments, ...(input.meta ? { _meta: input.meta } : {}) };
      try {
        const answer = await client.request(endpointOf(t), a.auth, 'tools/call', params, a.headers);
        input.call.trace.push(
          traceStep(t, `tools/call ${input.tool}`, a.auth, a.headers, answer.error ? 'error' : 'ok'),
        );
        return answer.error ? { error: answer.error } : { result: answer.result };
      } catch (e) {
        input.call.trace.push(traceStep(t, `tools/call ${input.tool}`, a.auth, a.headers, 'failed'));
        throw e;
      }
    },
  };
}
