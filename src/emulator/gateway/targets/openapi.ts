/**
 * `mcp.openApiSchema` targets: each operation of the inline OpenAPI 3 document (JSON or YAML) is a tool named by its
 * operationId; a tools/call becomes the HTTP request to `servers[0].url` + the path, which the gateway makes with the
 * target's outbound credential. Arguments map by name: path, query and header parameters, and the JSON body's
 * properties (or `body` when the body schema is not an object) — the mapping is UNVERIFIED against the service.
 * The HTTP answer's body is the tool result's text; a status of 400 or more makes it an error result.
 */
import { GatewayFailure } from '../data/call.js';
import type { TargetRecord } from '../model.js';
import { type CredentialEnv, outboundAuth } from '../outbound/credentials.js';
import { send, signRequest } from '../outbound/http.js';
import type { JsonObject } from '../util.js';
import { type Api, type Operation, parseOpenApi } from './openapi-schema.js';
import { type TargetDriver, elicitation, propagatedHeaders, withAuthorization } from './driver.js';

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
