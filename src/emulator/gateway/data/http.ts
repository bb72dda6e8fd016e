/**
 * HTTP targets by path routing (DG gateway-target-http-runtime, gateway-target-http-passthrough):
 * `{gateway}/{targetName}/{path}` goes to `{endpoint}/{path}` (passthrough) or, for `http.agentcoreRuntime`,
 * `/{targetName}/invocations` to the runtime's InvokeAgentRuntime (`?qualifier=`). Inbound authorization as on /mcp;
 * the `http` interceptor payloads (a REQUEST short-circuit skips the RESPONSE interceptor); the target's outbound
 * credential; request headers propagated by the target's allowlist (plus Content-Type, Accept and, for a runtime, its
 * session and custom headers), query parameters by allowedQueryParameters and staticQueryParameters; the answer
 * buffered (streaming is not emulated) with its Content-Type and the allowlisted response headers.
 */
import type { ServerResponse } from 'node:http';
import { HEADERS } from '../../../wire.js';
import { sendAwsError } from '../../respond.js';
import type { EmuRequest } from '../../server.js';
import type { GatewayRecord, TargetRecord } from '../model.js';
import { type CredentialEnv, outboundAuth } from '../outbound/credentials.js';
import { send, signRequest } from '../outbound/http.js';
import { propagatedHeaders, withAuthorization } from '../targets/driver.js';
import { type GatewayCall, GatewayFailure, failureText } from './call.js';
import { authenticate, sendRefusal } from './inbound.js';
import { type HttpMessage, httpRequest, httpResponse } from './interceptors.js';
import type { DataEnv } from './mcp.js';

const RUNTIME_HEADERS = /^x-amzn-bedrock-agentcore-runtime-(session-id|custom-.+)$/;

function targetUrl(env: DataEnv, t: TargetRecord, rest: string, query: URLSearchParams): URL | undefined {
  const runtime = t.targetConfiguration.http?.agentcoreRuntime;
  if (runtime) {
    if (rest !== 'invocations') return undefined;
    const url = new URL(`${env.deps.baseUrl}/runtimes/${encodeURIComponent(runtime.arn)}/invocations`);
    url.searchParams.set('qualifier', query.get('qualifier') ?? runtime.qualifier ?? 'DEFAULT');
    return url;
  }
  const p = t.targetConfiguration.http!.passthrough!;
  const url = new URL(`${p.endpoint.replace(/\/+$/, '')}/${rest}`);
  const allowed = new Set(t.metadataConfiguration?.allowedQueryParameters ?? []);
  for (const [k, v] of query) if (allowed.has(k)) url.searchParams.append(k, v);
  for (const [k, v] of Object.entries(p.staticQueryParameters ?? {}))
    if (!url.searchParams.has(k) || p.staticQueryParameterConflictResolution === 'STATIC_OVERRIDE')
      url.searchParams.set(k, v);
  return url;
}

function forwardedHeaders(call: GatewayCall, t: TargetRecord, fromLambda: Record<string, string> | undefined) {
  const p = propagatedHeaders(t, call.headers, fromLambda);
  const headers: Record<string, string> = { ...p.headers };
  for (const name of ['content-type', 'accept'])
    if (typeof call.headers[name] === 'string') headers[name] = call.headers[name] as string;
  if (t.targetConfiguration.http?.agentcoreRuntime)
    for (const [k, v] of Object.entries(call.headers))
      if (RUNTIME_HEADERS.test(k) && typeof v === 'string') headers[k] = v;
  return { headers, ...(p.authorization ? { authorization: p.authorization } : {}) };
}

/**
 * The multi-hop identity (agentcore-gateway.md §3.1): the gateway's own workload access token, for the caller's JWT
 * when there is one, in `X-Amz-Bedrock-AgentCore-Identity-WAT` to a runtime target (a runtime whose
 * allowedWorkloadConfiguration lists this gateway checks it). UNVERIFIED: which user the service's token names.
 */
async function hopToken(env: DataEnv & { credentialEnv: CredentialEnv }, call: GatewayCall): Promise<string> {
  const { identity } = env.credentialEnv;
  const token = call.inbound.token;
  // A caller's token Identity does not trust (no trusted issuer) still gets the hop: the gateway's own token.
  if (token)
    return identity
      .workloadToken(call.gateway, { userToken: token })
      .catch(() => identity.workloadToken(call.gateway, {}));
  return identity.workloadToken(call.gateway, {});
}

async function forward(
  env: DataEnv & { credentialEnv: CredentialEnv },
  call: GatewayCall,
  t: TargetRecord,
  req: EmuRequest,
  rest: string,
): Promise<HttpMessage> {
  const g = call.gateway;
  const path = `/${t.name}/${rest}`;
  const r = await httpRequest(env.deps.lambdas, call, path, req.method, req.body);
  if (r.kind === 'respond') return r.response;
  const url = targetUrl(env, t, rest, new URLSearchParams(req.rawQuery));
  if (!url)
    return {
      statusCode: 404,
      headers: {},
      body: Buffer.from(JSON.stringify({ message: `No route ${path}` })),
      contentType: 'application/json',
    };
  const service = t.targetConfiguration.http?.agentcoreRuntime ? 'bedrock-agentcore' : 'execute-api';
  const a = await outboundAuth(env.credentialEnv, g, t.credentialProviderConfigurations, call, {}, service);
  if (!a.ok)
    throw new GatewayFailure(`target ${t.name} needs the user's consent (authorization code flows are MCP-only)`);
  const p = forwardedHeaders(call, t, r.headers);
  if (t.targetConfiguration.http?.agentcoreRuntime)
    p.headers[HEADERS.workloadAccessTokenNew] = await hopToken(env, call);
  const auth = withAuthorization(a.auth, p.authorization, call);
  for (const [k, v] of Object.entries(auth.query)) url.searchParams.set(k, v);
  const out = { method: req.method, url, headers: { ...p.headers, ...auth.headers }, body: r.body ?? req.body };
  if (auth.sign) await signRequest(out, auth.sign.credentials, auth.sign.service, auth.sign.region);
  const answer = await send(out);
  call.trace.push({
    kind: 'target',
    target: t.name,
    targetType: t.targetConfiguration.http?.agentcoreRuntime ? 'AGENTCORE_RUNTIME' : 'PASSTHROUGH',
    operation: `${req.method} ${path}`,
    url: `${url.origin}${url.pathname}`,
    sent: auth.sent,
    headers: Object.keys(out.headers)
      .map((h) => h.toLowerCase())
      .sort(),
    ...(answer.ok ? { status: answer.response.status } : {}),
    outcome: answer.ok ? String(answer.response.status) : 'unreachable',
  });
  if (!answer.ok) throw new GatewayFailure(`${req.method} ${url.origin}${url.pathname} failed: ${answer.error}`);
  const allowed = new Set((t.metadataConfiguration?.allowedResponseHeaders ?? []).map((h) => h.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(answer.response.headers))
    if ((allowed.has(k) || RUNTIME_HEADERS.test(k)) && typeof v === 'string') headers[k] = v;
  const contentType = answer.response.headers['content-type'];
  const response: HttpMessage = {
    statusCode: answer.response.status,
    headers,
    body: answer.response.body,
    ...(contentType ? { contentType } : {}),
  };
  return httpResponse(env.deps.lambdas, call, response);
}

/** Serves `/gateways/{id}/{target}/{rest}` when `target` names an HTTP target; false otherwise. */
export async function serveHttpTarget(
  env: DataEnv & { credentialEnv: CredentialEnv },
  g: GatewayRecord,
  t: TargetRecord,
  rest: string,
  req: EmuRequest,
  res: ServerResponse,
): Promise<void> {
  const auth = await authenticate(env, g, req);
  if (!auth.ok) return sendRefusal(res, auth.refusal, null);
  const requestId = crypto.randomUUID();
  res.setHeader('x-amzn-requestid', requestId);
  const call: GatewayCall = { requestId, gateway: g, inbound: auth.inbound, headers: req.headers, trace: [] };
  if (req.raw.socket.remoteAddress) call.sourceIp = req.raw.socket.remoteAddress;
  let m: HttpMessage;
  try {
    m = await forward(env, call, t, req, rest);
  } catch (e) {
    env.traces.put(call);
    // UNVERIFIED: the status an HTTP target failure gets (500 with the gateway's opaque text unless DEBUG).
    return sendAwsError(res, 500, 'InternalServerException', failureText(g, e));
  }
  env.traces.put(call);
  res.writeHead(m.statusCode ?? 200, {
    ...m.headers,
    ...(m.contentType ? { 'content-type': m.contentType } : {}),
    'content-length': m.body.length,
  });
  res.end(m.body);
}
