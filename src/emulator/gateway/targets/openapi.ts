/**
 * `mcp.openApiSchema` targets: each operation of the inline OpenAPI 3 document (JSON or YAML) is a tool named by its
 * operationId; a tools/call becomes the HTTP request to `servers[0].url` + the path, which the gateway makes with the
 * target's outbound credential. Arguments map by name: path, query and header parameters, and the JSON body's
 * properties (or `body` when the body schema is not an object) — the mapping is UNVERIFIED against the service.
 * The HTTP answer's body is the tool result's text; a status of 400 or more makes it an error result.
 */
import { parse as parseYaml } from 'yaml';
import { GatewayFailure } from '../data/call.js';
import type { CatalogTool, TargetRecord } from '../model.js';
import { type CredentialEnv, outboundAuth } from '../outbound/credentials.js';
import { send, signRequest } from '../outbound/http.js';
import { isObject, type JsonObject } from '../util.js';
import { type TargetDriver, elicitation, propagatedHeaders, withAuthorization } from './driver.js';

interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonObject;
  description?: string;
}

interface Operation {
  tool: CatalogTool;
  method: string;
  path: string;
  params: Param[];
  /** Names of the body's object properties; undefined: no body; 'body': the whole body under `body`. */
  body?: string[] | 'body';
}

interface Api {
  server: string;
  operations: Map<string, Operation>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function resolve(doc: JsonObject, v: unknown): JsonObject {
  if (isObject(v) && typeof v.$ref === 'string' && v.$ref.startsWith('#/')) {
    let cur: unknown = doc;
    for (const part of v.$ref.slice(2).split('/')) cur = isObject(cur) ? cur[part] : undefined;
    return isObject(cur) ? cur : {};
  }
  return isObject(v) ? v : {};
}

function operationOf(doc: JsonObject, path: string, method: string, op: JsonObject, shared: unknown[]): Operation {
  if (typeof op.operationId !== 'string' || !op.operationId)
    throw new GatewayFailure(`OpenAPI operation ${method.toUpperCase()} ${path} has no operationId`);
  const params: Param[] = [...shared, ...((op.parameters as unknown[]) ?? [])]
    .map((p) => resolve(doc, p))
    .filter((p) => p.in === 'path' || p.in === 'query' || p.in === 'header')
    .map((p) => ({
      name: String(p.name),
      in: p.in as Param['in'],
      required: p.required === true || p.in === 'path',
      schema: resolve(doc, p.schema),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
    }));
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const p of params) {
    properties[p.name] = { ...p.schema, ...(p.description ? { description: p.description } : {}) };
    if (p.required) required.push(p.name);
  }
  let body: Operation['body'];
  const content = resolve(doc, op.requestBody).content;
  const json = isObject(content)
    ? resolve(doc, (content['application/json'] as JsonObject | undefined)?.schema)
    : undefined;
  if (json && Object.keys(json).length) {
    if (isObject(json.properties)) {
      body = Object.keys(json.properties);
      for (const [k, v] of Object.entries(json.properties)) properties[k] = resolve(doc, v);
      if (Array.isArray(json.required)) required.push(...(json.required as string[]));
    } else {
      body = 'body';
      properties.body = json;
      if (resolve(doc, op.requestBody).required === true) required.push('body');
    }
  }
  const description = [op.summary, op.description].filter((x) => typeof x === 'string').join(' — ');
  return {
    tool: {
      name: op.operationId,
      ...(description ? { description } : {}),
      inputSchema: { type: 'object', properties, ...(required.length ? { required } : {}) },
    },
    method: method.toUpperCase(),
    path,
    params,
    ...(body ? { body } : {}),
  };
}

export function parseOpenApi(text: string): Api {
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new GatewayFailure(`The OpenAPI schema is neither JSON nor YAML: ${(e as Error).message}`);
  }
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3'))
    throw new GatewayFailure('The schema is not an OpenAPI 3 document (no "openapi": "3.x")');
  const server = (doc.servers as Array<{ url?: unknown }> | undefined)?.[0]?.url;
  if (typeof server !== 'string' || !/^https?:\/\//.test(server))
    throw new GatewayFailure('The OpenAPI document needs servers[0].url, an absolute http(s) URL');
  const operations = new Map<string, Operation>();
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    for (const m of METHODS)
      if (isObject(item[m])) {
        const op = operationOf(doc, path, m, item[m] as JsonObject, (item.parameters as unknown[]) ?? []);
        operations.set(op.tool.name, op);
      }
  }
  return { server: server.replace(/\/+$/, ''), operations };
}

function requestOf(
  api: Api,
  op: Operation,
  args: JsonObject,
): { url: URL; headers: Record<string, string>; body?: string } {
  let path = op.path;
  const headers: Record<string, string> = {};
  const query: Array<[string, string]> = [];
  for (const p of op.params) {
    const v = args[p.name];
    if (v === undefined || v === null) continue;
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(s));
    else if (p.in === 'query') query.push([p.name, s]);
    else headers[p.name.toLowerCase()] = s;
  }
  const url = new URL(api.server + path);
  for (const [k, v] of query) url.searchParams.append(k, v);
  let body: string | undefined;
  if (op.body === 'body' && args.body !== undefined) body = JSON.stringify(args.body);
  else if (Array.isArray(op.body))
    body = JSON.stringify(Object.fromEntries(op.body.filter((k) => args[k] !== undefined).map((k) => [k, args[k]])));
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { url, headers, ...(body !== undefined ? { body } : {}) };
}

export function openApiDriver(env: CredentialEnv): TargetDriver {
  const parsed = new WeakMap<object, Api>();
  const apiOf = (t: TargetRecord): Api => {
    const schema = t.targetConfiguration.mcp!.openApiSchema!;
    let api = parsed.get(schema);
    if (!api) {
      api = parseOpenApi('inlinePayload' in schema ? schema.inlinePayload : '');
      parsed.set(schema, api);
    }
    return api;
  };
  return {
    async catalogue(_g, t) {
      try {
        return { ok: true, tools: [...apiOf(t).operations.values()].map((o) => o.tool) };
      } catch (e) {
        return { ok: false, reason: (e as Error).message };
      }
    },
    async call(g, t, input) {
      const api = apiOf(t);
      const op = api.operations.get(input.tool);
      if (!op) throw new GatewayFailure(`No operation ${input.tool} in the target's OpenAPI schema`);
      const a = await outboundAuth(
        env,
        g,
        t.credentialProviderConfigurations,
        input.call,
        input.overrides,
        'execute-api',
      );
      if (!a.ok) return elicitation(a.consent.authorizationUrl);
      const p = propagatedHeaders(t, input.call.headers, input.interceptorHeaders);
      const auth = withAuthorization(a.auth, p.authorization, input.call);
      const r = requestOf(api, op, input.arguments);
      for (const [k, v] of Object.entries(auth.query)) r.url.searchParams.set(k, v);
      const req = {
        method: op.method,
        url: r.url,
        headers: { ...p.headers, ...r.headers, ...auth.headers },
        ...(r.body !== undefined ? { body: r.body } : {}),
      };
      if (auth.sign) await signRequest(req, auth.sign.credentials, auth.sign.service, auth.sign.region);
      const out = await send(req);
      input.call.trace.push({
        kind: 'target',
        target: t.name,
        targetType: 'OPEN_API_SCHEMA',
        operation: `${op.method} ${op.path}`,
        url: `${r.url.origin}${r.url.pathname}`,
        sent: auth.sent,
        headers: Object.keys(req.headers).sort(),
        ...(out.ok ? { status: out.response.status } : {}),
        outcome: out.ok ? String(out.response.status) : 'unreachable',
      });
      if (!out.ok) throw new GatewayFailure(`${op.method} ${r.url.origin}${r.url.pathname} failed: ${out.error}`);
      const text = out.response.body.toString('utf8');
      return { result: { content: [{ type: 'text', text }], isError: out.response.status >= 400 } };
    },
  };
}
