/**
 * REQUEST and RESPONSE interceptors: the user's Lambda (its endpoint from `--lambda ARN=URL`), called with the
 * documented payloads (DG gateway-interceptors-types; agentcore-gateway.md §1.6):
 *   MCP targets  `{interceptorInputVersion, mcp: {rawGatewayRequest: {body}, gatewayRequest: {path, httpMethod,
 *                headers? (passRequestHeaders), body}, gatewayResponse?}}` → `{interceptorOutputVersion: "1.0", mcp:
 *                {transformedGatewayRequest?: {headers?, body}, transformedGatewayResponse?: {statusCode, headers?,
 *                body}}}`; a REQUEST answer with transformedGatewayResponse short-circuits (the RESPONSE interceptor
 *                still runs).
 *   HTTP targets `{…, http: {gatewayRequest: {path: "/<target>/…", httpMethod, headers?, body: base64}}}` and for
 *                RESPONSE `{gatewayRequest: null, gatewayResponse: {statusCode, headers, body: base64|null,
 *                contentType}}`; output fields override, null keeps; a short-circuit skips the RESPONSE interceptor.
 * Client context custom keys GATEWAY_ARN, GATEWAY_ACCOUNT_ID, REQUEST_ID, SOURCE_IP (documented for HTTP targets;
 * sent for MCP targets too, UNVERIFIED).
 */
import type { Lambdas } from '../../lambda.js';
import type { GatewayRecord, InterceptorConfiguration } from '../model.js';
import { isObject, type JsonObject } from '../util.js';
import { GatewayFailure, type GatewayCall } from './call.js';

export type Point = 'REQUEST' | 'RESPONSE';

export function interceptorAt(g: GatewayRecord, point: Point): InterceptorConfiguration | undefined {
  return g.interceptorConfigurations?.find((i) => i.interceptionPoints.includes(point));
}

function requestHeaders(call: GatewayCall): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.headers)) if (typeof v === 'string') out[k] = v;
  return out;
}

async function invoke(
  lambdas: Lambdas | undefined,
  call: GatewayCall,
  i: InterceptorConfiguration,
  point: Point,
  event: JsonObject,
  kind: 'mcp' | 'http',
): Promise<JsonObject> {
  const arn = i.interceptor.lambda.arn;
  const custom: Record<string, string> = {
    GATEWAY_ARN: call.gateway.gatewayArn,
    GATEWAY_ACCOUNT_ID: call.gateway.gatewayArn.split(':')[4] ?? '',
    REQUEST_ID: call.requestId,
    ...(call.sourceIp ? { SOURCE_IP: call.sourceIp } : {}),
  };
  const started = Date.now();
  if (!lambdas) throw new GatewayFailure(`No endpoint serves ${arn}`, `start the local stack with --lambda ${arn}=URL`);
  const r = await lambdas.invoke(arn, event, { clientContext: { custom } });
  const trace = { kind: 'interceptor' as const, phase: point, arn, ms: Date.now() - started };
  if (!r.ok) {
    call.trace.push({ ...trace, outcome: r.failure });
    throw new GatewayFailure(`${point} interceptor ${arn}: ${r.message}`);
  }
  const out = r.payload;
  if (!isObject(out) || out.interceptorOutputVersion !== '1.0' || !isObject(out[kind])) {
    call.trace.push({ ...trace, outcome: 'invalid output' });
    throw new GatewayFailure(
      `${point} interceptor ${arn} answered without interceptorOutputVersion "1.0" and an "${kind}" object`,
    );
  }
  call.trace.push({ ...trace, outcome: 'ok' });
  return out[kind] as JsonObject;
}

export type McpRequestOutcome =
  | { kind: 'continue'; body: unknown; headers?: Record<string, string> }
  | { kind: 'respond'; statusCode: number; headers?: Record<string, string>; body: unknown };

export interface McpExchange {
  raw: string;
  body: unknown;
}

function mcpRequestPayload(call: GatewayCall, i: InterceptorConfiguration, x: McpExchange): JsonObject {
  return {
    rawGatewayRequest: { body: x.raw },
    gatewayRequest: {
      path: '/mcp',
      httpMethod: 'POST',
      ...(i.inputConfiguration?.passRequestHeaders ? { headers: requestHeaders(call) } : {}),
      body: x.body,
    },
  };
}

export async function mcpRequest(
  lambdas: Lambdas | undefined,
  call: GatewayCall,
  x: McpExchange,
): Promise<McpRequestOutcome> {
  const i = interceptorAt(call.gateway, 'REQUEST');
  if (!i) return { kind: 'continue', body: x.body };
  const out = await invoke(
    lambdas,
    call,
    i,
    'REQUEST',
    { interceptorInputVersion: '1.0', mcp: mcpRequestPayload(call, i, x) },
    'mcp',
  );
  const response = out.transformedGatewayResponse;
  if (isObject(response))
    return {
      kind: 'respond',
      statusCode: typeof response.statusCode === 'number' ? response.statusCode : 200,
      ...(isObject(response.headers) ? { headers: response.headers as Record<string, string> } : {}),
      body: response.body,
    };
  const request = isObject(out.transformedGatewayRequest) ? out.transformedGatewayRequest : {};
  return {
    kind: 'continue',
    body: request.body !== undefined ? request.body : x.body,
    ...(isObject(request.headers) ? { headers: request.headers as Record<string, string> } : {}),
  };
}

export interface McpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

export async function mcpResponse(
  lambdas: Lambdas | undefined,
  call: GatewayCall,
  x: McpExchange,
  response: McpResponse,
): Promise<McpResponse> {
  const i = interceptorAt(call.gateway, 'RESPONSE');
  if (!i) return response;
  const event = {
    interceptorInputVersion: '1.0',
    mcp: { ...mcpRequestPayload(call, i, x), gatewayResponse: response },
  };
  const out = await invoke(lambdas, call, i, 'RESPONSE', event, 'mcp');
  const t = out.transformedGatewayResponse;
  if (!isObject(t)) return response;
  return {
    statusCode: typeof t.statusCode === 'number' ? t.statusCode : response.statusCode,
    headers: isObject(t.headers) ? (t.headers as Record<string, string>) : response.headers,
    body: t.body !== undefined ? t.body : response.body,
  };
}

export interface HttpMessage {
  statusCode?: number;
  headers: Record<string, string>;
  body: Buffer;
  contentType?: string;
}

export type HttpRequestOutcome =
  | { kind: 'continue'; headers?: Record<string, string>; body?: Buffer }
  | { kind: 'respond'; response: HttpMessage };

const b64 = (v: unknown): Buffer | undefined => (typeof v === 'string' ? Buffer.from(v, 'base64') : undefined);

export async function httpRequest(
  lambdas: Lambdas | undefined,
  call: GatewayCall,
  path: string,
  method: string,
  body: Buffer,
): Promise<HttpRequestOutcome> {
  const i = interceptorAt(call.gateway, 'REQUEST');
  if (!i) return { kind: 'continue' };
  const gatewayRequest = {
    path,
    httpMethod: method,
    ...(i.inputConfiguration?.passRequestHeaders ? { headers: requestHeaders(call) } : {}),
    body: body.toString('base64'),
  };
  const out = await invoke(
    lambdas,
    call,
    i,
    'REQUEST',
    { interceptorInputVersion: '1.0', http: { gatewayRequest } },
    'http',
  );
  const r = out.transformedGatewayResponse;
  if (isObject(r))
    return {
      kind: 'respond',
      response: {
        statusCode: typeof r.statusCode === 'number' ? r.statusCode : 200,
        headers: isObject(r.headers) ? (r.headers as Record<string, string>) : {},
        body: b64(r.body) ?? Buffer.alloc(0),
        ...(typeof r.contentType === 'string' ? { contentType: r.contentType } : {}),
      },
    };
  const t = isObject(out.transformedGatewayRequest) ? out.transformedGatewayRequest : {};
  const newBody = b64(t.body);
  return {
    kind: 'continue',
    ...(isObject(t.headers) ? { headers: t.headers as Record<string, string> } : {}),
    ...(newBody ? { body: newBody } : {}),
  };
}

export async function httpResponse(
  lambdas: Lambdas | undefined,
  call: GatewayCall,
  response: HttpMessage,
): Promise<HttpMessage> {
  const i = interceptorAt(call.gateway, 'RESPONSE');
  if (!i) return response;
  const excluded = i.inputConfiguration?.payloadFilter?.exclude.some((e) => e.field === 'RESPONSE_BODY');
  const gatewayResponse = {
    statusCode: response.statusCode ?? 200,
    headers: response.headers,
    body: excluded ? null : response.body.toString('base64'),
    contentType: response.contentType ?? null,
  };
  const out = await invoke(
    lambdas,
    call,
    i,
    'RESPONSE',
    { interceptorInputVersion: '1.0', http: { gatewayRequest: null, gatewayResponse } },
    'http',
  );
  const t = isObject(out.transformedGatewayResponse) ? out.transformedGatewayResponse : {};
  return {
    statusCode: typeof t.statusCode === 'number' ? t.statusCode : response.statusCode,
    headers: isObject(t.headers) ? { ...response.headers, ...(t.headers as Record<string, string>) } : response.headers,
    body: b64(t.body) ?? response.body,
    ...(typeof t.contentType === 'string'
      ? { contentType: t.contentType }
      : response.contentType
        ? { contentType: response.contentType }
        : {}),
  };
}
