/**
 * Interceptors and Lambda targets: the user's own Lambda endpoints (the Runtime Interface Emulator contract) called
 * with the documented payloads — MCP REQUEST/RESPONSE (short-circuit, RESPONSE still run), HTTP targets (base64
 * bodies, payloadFilter, no RESPONSE after a short-circuit), an unmapped ARN failing like an unreachable Lambda with
 * the --lambda hint under exceptionLevel DEBUG and the opaque internal error otherwise; a Lambda target's event and
 * client context. Plus OpenAPI targets, DYNAMIC listing, pagination and the SEMANTIC search tool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_MESSAGES } from '../../src/wire.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import {
  providerArn,
  startHttpEcho,
  startMcpToolServer,
  startUserLambda,
  type McpToolServer,
  type UserLambda,
} from '../fixtures/gateway.js';
import { stackUserTokens } from '../fixtures/stack-users.js';

const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
let stack: LocalStack;
let tools: McpToolServer;
let api: Awaited<ReturnType<typeof startHttpEcho>>;
let mcpInterceptor: UserLambda;
let httpInterceptor: UserLambda;
let toolFn: UserLambda;
let token: string;

const OPENAPI = (url: string) =>
  [
    'openapi: 3.0.1',
    'info: { title: items, version: "1" }',
    `servers: [{ url: "${url}/api" }]`,
    'paths:',
    '  /items/{id}:',
    '    get:',
    '      operationId: getItem',
    '      summary: Reads an item',
    '      parameters:',
    '        - { name: id, in: path, required: true, schema: { type: string } }',
    '        - { name: verbose, in: query, schema: { type: boolean } }',
    '  /items:',
    '    post:',
    '      operationId: createItem',
    '      requestBody:',
    '        content:',
    '          application/json:',
    '            schema: { type: object, properties: { name: { type: string } }, required: [name] }',
  ].join('\n');

beforeAll(async () => {
  tools = await startMcpToolServer({
    tools: Array.from({ length: 60 }, (_, i) => ({
      name: `tool${String(i).padStart(2, '0')}`,
      description: i === 7 ? 'Books a flight to a city' : `Tool number ${i}`,
      inputSchema: { type: 'object' as const },
    })),
  });
  api = await startHttpEcho();
  // REQUEST: short-circuits tools/call of deny___*, rewrites other tools/call arguments; RESPONSE: tags every answer.
  mcpInterceptor = await startUserLambda((event) => {
    const req = event.mcp.gatewayRequest;
    if (event.mcp.gatewayResponse) {
      const b = event.mcp.gatewayResponse.body;
      return {
        interceptorOutputVersion: '1.0',
        mcp: {
          transformedGatewayResponse: {
            statusCode: 200,
            body: { ...b, result: { ...b.result, _meta: { tagged: true } } },
          },
        },
      };
    }
    if (req.body.method === 'tools/call' && String(req.body.params.name).startsWith('fn___deny')) {
      const result = { isError: true, content: [{ type: 'text', text: 'denied by interceptor' }] };
      return {
        interceptorOutputVersion: '1.0',
        mcp: { transformedGatewayResponse: { statusCode: 200, body: { jsonrpc: '2.0', id: req.body.id, result } } },
      };
    }
    return { interceptorOutputVersion: '1.0', mcp: { transformedGatewayRequest: { body: req.body } } };
  });
  httpInterceptor = await startUserLambda((event) => {
    if (event.http.gatewayResponse)
      return { interceptorOutputVersion: '1.0', http: { transformedGatewayResponse: { statusCode: 201 } } };
    const path = event.http.gatewayRequest.path as string;
    if (path.endsWith('/blocked'))
      return {
        interceptorOutputVersion: '1.0',
        http: {
          transformedGatewayResponse: {
            statusCode: 418,
            body: Buffer.from('no').toString('base64'),
            contentType: 'text/plain',
          },
        },
      };
    const body = Buffer.from(JSON.stringify({ rewritten: true })).toString('base64');
    return {
      interceptorOutputVersion: '1.0',
      http: { transformedGatewayRequest: { headers: { 'x-from-lambda': '1' }, body } },
    };
  });
  toolFn = await startUserLambda((event) => ({ sum: (event.a ?? 0) + (event.b ?? 0) }));
  const interceptor = (arn: string, points: string[], extra: Record<string, unknown> = {}) => ({
    interceptor: { lambda: { arn } },
    interceptionPoints: points,
    inputConfiguration: { passRequestHeaders: false, ...extra },
  });
  const fnTarget = {
    name: 'fn',
    targetConfiguration: {
      mcp: {
        lambda: {
          lambdaArn: ARN('tools'),
          toolSchema: {
            inlinePayload: [
              {
                name: 'sum',
                description: 'adds',
                inputSchema: { type: 'object', properties: { a: { type: 'integer' } } },
              },
              { name: 'deny', description: 'never runs', inputSchema: { type: 'object' } },
            ],
          },
        },
      },
    },
  };
  stack = await startLocalStack({
    config: {
      lambdas: {
        [ARN('mcp-int')]: mcpInterceptor.url,
        [ARN('http-int')]: httpInterceptor.url,
        [ARN('tools')]: toolFn.url,
      },
      gateways: [
        {
          name: 'int-gw',
          interceptorConfigurations: [interceptor(ARN('mcp-int'), ['REQUEST', 'RESPONSE'])],
          targets: [fnTarget],
        },
        {
          name: 'http-gw',
          interceptorConfigurations: [
            interceptor(ARN('http-int'), ['REQUEST', 'RESPONSE'], {
              payloadFilter: { exclude: [{ field: 'RESPONSE_BODY' }] },
            }),
          ],
          targets: [
            {
              name: 'api',
              targetConfiguration: { http: { passthrough: { endpoint: api.url, protocolType: 'CUSTOM' } } },
              metadataConfiguration: { allowedRequestHeaders: ['x-from-lambda'] },
            },
          ],
        },
        {
          name: 'lost-gw',
          exceptionLevel: 'DEBUG',
          interceptorConfigurations: [interceptor(ARN('nowhere'), ['REQUEST'])],
          targets: [fnTarget],
        },
        {
          name: 'lost-quiet-gw',
          interceptorConfigurations: [interceptor(ARN('nowhere'), ['REQUEST'])],
          targets: [fnTarget],
        },
        {
          name: 'many-gw',
          protocolConfiguration: { mcp: { searchType: 'SEMANTIC' } },
          targets: [
            { name: 'big', targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url } } } },
            {
              name: 'live',
              targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url, listingMode: 'DYNAMIC' } } },
            },
            {
              name: 'items',
              targetConfiguration: { mcp: { openApiSchema: { inlinePayload: OPENAPI(api.url) } } },
              credentialProviderConfigurations: [
                {
                  credentialProviderType: 'API_KEY',
                  credentialProvider: {
                    apiKeyCredentialProvider: { providerArn: providerArn('local-api-key', 'apikey') },
                  },
                },
              ],
            },
          ],
        },
        {
          name: 'flat-gw',
          protocolConfiguration: { mcp: { disableMcpListToolsPagination: true } },
          targets: [{ name: 'big', targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url } } } }],
        },
      ],
    },
  });
  token = (await stackUserTokens(stack, 'alice')).accessToken;
});

afterAll(async () => {
  await stack?.close();
  await Promise.all([tools, api, mcpInterceptor, httpInterceptor, toolFn].map((s) => s?.close()));
});

const gw = (name: string) => stack.gateways.find((g) => g.name === name)!;
async function rpc(gateway: string, method: string, params: Record<string, unknown> = {}) {
  const res = await fetch(gw(gateway).gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
  });
  return (await res.json()) as Record<string, any>;
}

describe('MCP interceptors and a Lambda target', () => {
  it(
    'REQUEST then RESPONSE around a Lambda tool call: the events, the client context, the ' + 'transformed answer',
    async () => {
      const out = await rpc('int-gw', 'tools/call', { name: 'fn___sum', arguments: { a: 2, b: 3 } });
      expect(out.result).toEqual({
        content: [{ type: 'text', text: '{"sum":5}' }],
        isError: false,
        _meta: { tagged: true },
      });
      const [request, response] = mcpInterceptor.events.slice(-2);
      expect(request!.event.mcp.gatewayRequest.headers).toBeUndefined(); // passRequestHeaders: false
      expect(request!.event.mcp.gatewayResponse).toBeUndefined();
      expect(response!.event.mcp.gatewayResponse).toMatchObject({
        statusCode: 200,
        body: { id: 7, result: { content: expect.any(Array) } },
      });
      expect(request!.clientContext!.custom.GATEWAY_ARN).toBe(gw('int-gw').gatewayArn);
      const fn = toolFn.events.at(-1)!;
      expect(fn.event).toEqual({ a: 2, b: 3 });
      expect(fn.clientContext!.custom).toMatchObject({
        bedrockAgentCoreToolName: 'fn___sum',
        bedrockAgentCoreGatewayId: gw('int-gw').gatewayId,
        bedrockAgentCoreTargetId: gw('int-gw').targets[0]!.targetId,
      });
    },
  );

  it(
    'a REQUEST short-circuit answers without calling the target, and the RESPONSE interceptor ' + 'still runs',
    async () => {
      const calls = toolFn.events.length;
      const out = await rpc('int-gw', 'tools/call', { name: 'fn___deny', arguments: {} });
      expect(out.result).toMatchObject({
        isError: true,
        content: [{ text: 'denied by interceptor' }],
        _meta: { tagged: true },
      });
      expect(toolFn.events).toHaveLength(calls);
    },
  );

  it(
    'an unmapped interceptor Lambda: the opaque internal error, or with DEBUG the reason and ' + 'the --lambda hint',
    async () => {
      const quiet = await rpc('lost-quiet-gw', 'tools/call', { name: 'fn___sum', arguments: {} });
      expect(quiet.result).toEqual({
        content: [{ type: 'text', text: GATEWAY_MESSAGES.internalError }],
        isError: true,
      });
      const debug = await rpc('lost-gw', 'tools/call', { name: 'fn___sum', arguments: {} });
      expect(debug.result.content[0].text).toContain(
        `REQUEST interceptor ${ARN('nowhere')}: No endpoint serves ${ARN('nowhere')}`,
      );
      expect(debug.result.content[0].text).toContain(`--lambda ${ARN('nowhere')}=`);
      expect((await rpc('lost-gw', 'tools/list')).error).toMatchObject({ code: -32603 });
    },
  );
});

describe('HTTP-target interceptors', () => {
  const url = (p: string) => `${stack.url}/gateways/${gw('http-gw').gatewayId}/api/${p}`;
  const post = (p: string) =>
    fetch(url(p), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{"a":1}',
    });

  it(
    'base64 bodies; the REQUEST output rewrites the body and adds an allowlisted header; RESPONSE overrides ' +
      'the status',
    async () => {
      const res = await post('things');
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ body: { rewritten: true } });
      expect(api.seen.at(-1)!.headers['x-from-lambda']).toBe('1');
      const [request, response] = httpInterceptor.events.slice(-2);
      expect(request!.event.http.gatewayRequest).toMatchObject({
        path: '/api/things',
        httpMethod: 'POST',
        body: Buffer.from('{"a":1}').toString('base64'),
      });
      // payloadFilter RESPONSE_BODY: the response body is left out of the event
      expect(response!.event.http).toMatchObject({
        gatewayRequest: null,
        gatewayResponse: { statusCode: 200, body: null },
      });
      expect(response!.event.http.gatewayResponse.contentType).toBe('application/json');
    },
  );

  it('a REQUEST short-circuit answers with its status and body; no RESPONSE interceptor after it', async () => {
    const before = httpInterceptor.events.length;
    const res = await post('blocked');
    expect(res.status).toBe(418);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('no');
    expect(httpInterceptor.events.length).toBe(before + 1);
  });
});

describe('catalogue: pagination, DYNAMIC listing, OpenAPI operations, semantic search', () => {
  it('tools/list pages through nextCursor unless disableMcpListToolsPagination', async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await rpc('many-gw', 'tools/list', cursor ? { cursor } : {});
      names.push(...page.result.tools.map((t: { name: string }) => t.name));
      cursor = page.result.nextCursor;
    } while (cursor);
    expect(names[0]).toBe('x_amz_bedrock_agentcore_search');
    expect(names).toHaveLength(1 + 60 + 60 + 2);
    expect(names).toContain('items___getItem');
    const flat = await rpc('flat-gw', 'tools/list');
    expect(flat.result.tools).toHaveLength(60);
    expect(flat.result.nextCursor).toBeUndefined();
  });

  it('a DYNAMIC target is asked on every tools/list; a DEFAULT one answers from its catalogue', async () => {
    const lists = () => tools.seen.filter((s) => s.method === 'tools/list').length;
    const before = lists();
    await rpc('flat-gw', 'tools/list');
    expect(lists()).toBe(before);
    await rpc('many-gw', 'tools/list');
    expect(lists()).toBe(before + 1);
  });

  it(
    'OpenAPI: each operation a tool; the gateway makes the HTTP call with path, query and body, and the API ' + 'key',
    async () => {
      const got = await rpc('many-gw', 'tools/call', {
        name: 'items___getItem',
        arguments: { id: 'a b', verbose: true },
      });
      expect(JSON.parse(got.result.content[0].text)).toEqual({
        method: 'GET',
        path: '/api/items/a%20b',
        query: { verbose: 'true' },
      });
      expect(api.seen.at(-1)!.headers.authorization).toBe(stack.config.apiKeyProviders[0]!.apiKey);
      const made = await rpc('many-gw', 'tools/call', { name: 'items___createItem', arguments: { name: 'n' } });
      expect(JSON.parse(made.result.content[0].text)).toMatchObject({
        method: 'POST',
        path: '/api/items',
        body: { name: 'n' },
      });
    },
  );

  it('the search tool ranks the tools by the query (lexical here)', async () => {
    const found = await rpc('many-gw', 'tools/call', {
      name: 'x_amz_bedrock_agentcore_search',
      arguments: { query: 'flight booking' },
    });
    expect(found.result.structuredContent.tools.map((t: { name: string }) => t.name).slice(0, 2)).toEqual([
      'big___tool07',
      'live___tool07',
    ]);
    expect(
      (await rpc('flat-gw', 'tools/call', { name: 'x_amz_bedrock_agentcore_search', arguments: { query: 'x' } })).error,
    ).toMatchObject({
      code: -32602,
    });
  });
});
