/**
 * Gateway inbound × outbound on the local stack, checked at the target: every authorizer type (CUSTOM_JWT, AWS_IAM
 * with the caller's permission, AUTHENTICATE_ONLY, NONE) and every credential type the table allows, each target
 * reporting what reached it — an MCP server on the official SDK, a plain HTTP API, the stack's own runtime agents.
 */
import { CreateAgentRuntimeCommand, CreateGatewayTargetCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_MESSAGES } from '../../src/wire.js';
import { fingerprint } from '../../src/emulator/runtime/jwt-authorizer.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { providerArn, signedPost, startHttpEcho, startMcpToolServer, type McpToolServer } from '../fixtures/gateway.js';
import { clientsFor } from './helpers.js';
import { stackUserTokens } from '../fixtures/stack-users.js';

const READER = {
  accessKeyId: 'AKIAREADERLOCAL00001',
  secretAccessKey: 'reader-secret',
  arn: 'arn:aws:iam::123456789012:user/reader',
};
const INVOKER = {
  accessKeyId: 'AKIAINVOKERLOCAL0001',
  secretAccessKey: 'invoker-secret',
  arn: 'arn:aws:iam::123456789012:user/invoker',
};

let stack: LocalStack;
let tools: McpToolServer;
let api: Awaited<ReturnType<typeof startHttpEcho>>;
let alice: { accessToken: string };
let apiKey: string;

const mcp = (endpoint: string) => ({ mcp: { mcpServer: { endpoint } } });
const runtimeArn = (id: string) => `arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/${id}`;

beforeAll(async () => {
  tools = await startMcpToolServer();
  api = await startHttpEcho();
  stack = await startLocalStack({
    config: {
      principals: [
        { ...READER, allow: ['bedrock-agentcore:GetGateway'] },
        { ...INVOKER, allow: ['bedrock-agentcore:InvokeGateway'] },
      ],
      gateways: [
        {
          name: 'jwt-gw',
          targets: [
            { name: 'plain', targetConfiguration: mcp(tools.url) },
            {
              name: 'apikey',
              targetConfiguration: mcp(tools.url),
              credentialProviderConfigurations: [
                {
                  credentialProviderType: 'API_KEY',
                  credentialProvider: {
                    apiKeyCredentialProvider: {
                      providerArn: providerArn('local-api-key', 'apikey'),
                      credentialParameterName: 'x-api-key',
                      credentialPrefix: 'Key',
                    },
                  },
                },
              ],
            },
            {
              name: 'apiquery',
              targetConfiguration: mcp(tools.url),
              credentialProviderConfigurations: [
                {
                  credentialProviderType: 'API_KEY',
                  credentialProvider: {
                    apiKeyCredentialProvider: {
                      providerArn: providerArn('local-api-key', 'apikey'),
                      credentialLocation: 'QUERY_PARAMETER',
                      credentialParameterName: 'key',
                    },
                  },
                },
              ],
            },
            {
              name: 'm2m',
              targetConfiguration: mcp(tools.url),
              credentialProviderConfigurations: [
                {
                  credentialProviderType: 'OAUTH',
                  credentialProvider: {
                    oauthCredentialProvider: { providerArn: providerArn('local-m2m'), scopes: ['agentcore/invoke'] },
                  },
                },
              ],
            },
            {
              name: 'obo',
              // no caller to exchange for at create time: the tools come from a static schema (UNVERIFIED rule)
              targetConfiguration: {
                mcp: {
                  mcpServer: {
                    endpoint: tools.url,
                    mcpToolSchema: { inlinePayload: JSON.stringify({ tools: [{ name: 'whoami' }] }) },
                  },
                },
              },
              credentialProviderConfigurations: [
                {
                  credentialProviderType: 'OAUTH',
                  credentialProvider: {
                    oauthCredentialProvider: {
                      providerArn: providerArn('local-obo'),
                      scopes: ['api:read'],
                      grantType: 'TOKEN_EXCHANGE',
                      customParameters: { subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' },
                    },
                  },
                },
              ],
            },
            {
              name: 'iamrole',
              targetConfiguration: mcp(tools.url),
              credentialProviderConfigurations: [
                {
                  credentialProviderType: 'GATEWAY_IAM_ROLE',
                  credentialProvider: { iamCredentialProvider: { service: 'execute-api', region: 'eu-west-1' } },
                },
              ],
            },
            {
              name: 'passthru',
              targetConfiguration: { http: { passthrough: { endpoint: api.url, protocolType: 'CUSTOM' } } },
              credentialProviderConfigurations: [{ credentialProviderType: 'JWT_PASSTHROUGH' }],
              metadataConfiguration: { allowedQueryParameters: ['q'], allowedRequestHeaders: ['x-tenant'] },
            },
            {
              name: 'agent',
              targetConfiguration: { http: { agentcoreRuntime: { arn: runtimeArn('jwt_agent-local00002') } } },
              credentialProviderConfigurations: [{ credentialProviderType: 'JWT_PASSTHROUGH' }],
            },
          ],
        },
        {
          name: 'iam-gw',
          authorizerType: 'AWS_IAM',
          targets: [
            { name: 'plain', targetConfiguration: mcp(tools.url) },
            {
              name: 'agent',
              targetConfiguration: { http: { agentcoreRuntime: { arn: runtimeArn('sigv4_agent-local00001') } } },
              credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }],
            },
            {
              name: 'echo',
              targetConfiguration: { http: { passthrough: { endpoint: api.url, protocolType: 'CUSTOM' } } },
              credentialProviderConfigurations: [{ credentialProviderType: 'CALLER_IAM_CREDENTIALS' }],
            },
          ],
        },
        {
          name: 'authn-gw',
          authorizerType: 'AUTHENTICATE_ONLY',
          targets: [
            {
              name: 'agent',
              targetConfiguration: { http: { agentcoreRuntime: { arn: runtimeArn('sigv4_agent-local00001') } } },
              credentialProviderConfigurations: [{ credentialProviderType: 'CALLER_IAM_CREDENTIALS' }],
            },
          ],
        },
        {
          name: 'open-gw',
          authorizerType: 'NONE',
          exceptionLevel: 'DEBUG',
          targets: [
            { name: 'plain', targetConfiguration: mcp(tools.url) },
            {
              name: 'agent',
              targetConfiguration: { http: { agentcoreRuntime: { arn: runtimeArn('jwt_agent-local00002') } } },
              credentialProviderConfigurations: [{ credentialProviderType: 'JWT_PASSTHROUGH' }],
            },
          ],
        },
      ],
    },
  });
  alice = await stackUserTokens(stack, 'alice');
  apiKey = stack.config.apiKeyProviders[0]!.apiKey;
});

afterAll(async () => {
  await stack?.close();
  await tools?.close();
  await api?.close();
});

const gw = (name: string) => stack.gateways.find((g) => g.name === name)!;
const body = (method: string, params: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
const bearer = (token = alice.accessToken) => ({ authorization: `Bearer ${token}` });

async function post(url: string, payload: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

/** tools/call `<target>___whoami` through a JWT gateway: what the MCP server received. */
async function whoami(target: string) {
  const r = await post(
    gw('jwt-gw').gatewayUrl,
    body('tools/call', { name: `${target}___whoami`, arguments: {} }),
    bearer(),
  );
  return r.json.result.structuredContent as {
    authorization: { scheme: string; fingerprint: string } | null;
    sigv4: string[] | null;
    query: Record<string, string>;
  };
}

describe('outbound credentials, as the target receives them', () => {
  it('none: no Authorization; API key in a header with its prefix, or as a query parameter', async () => {
    expect((await whoami('plain')).authorization).toBeNull();
    const seenBefore = tools.seen.length;
    const header = await whoami('apikey');
    expect(header.authorization).toBeNull();
    const last = tools.seen.slice(seenBefore).find((s) => s.method === 'tools/call')!;
    expect(last.headers['x-api-key']).toBe(`Key ${apiKey}`);
    const query = await whoami('apiquery');
    expect(query.query).toEqual({ key: apiKey });
  });

  it(
    "OAuth client credentials: a Bearer token from the vault (not the caller's); gateway role: SigV4 with its " +
      'service and region',
    async () => {
      const m2m = await whoami('m2m');
      expect(m2m.authorization?.scheme).toBe('Bearer');
      expect(m2m.authorization?.fingerprint).not.toBe(fingerprint(alice.accessToken));
      const iam = await whoami('iamrole');
      expect(iam.sigv4).toEqual([stack.credentials.accessKeyId, 'eu-west-1', 'execute-api']);
    },
  );

  it(
    "OAuth token exchange: the caller's JWT exchanged on behalf of the user " + '(ON_BEHALF_OF_TOKEN_EXCHANGE)',
    async () => {
      const obo = await whoami('obo');
      expect(obo.authorization?.scheme).toBe('Bearer');
      expect(obo.authorization?.fingerprint).not.toBe(fingerprint(alice.accessToken));
      const sent = tools.seen.filter((x) => x.method === 'tools/call').at(-1)!.headers.authorization as string;
      const { decodeJwt } = await import('jose');
      const claims = decodeJwt(sent.replace(/^Bearer /, ''));
      expect(claims.sub).toBe(decodeJwt(alice.accessToken).sub);
      expect(claims.act).toBeDefined();
    },
  );

  it(
    "JWT passthrough to an HTTP target: the caller's token unmodified, allowlisted query and " + 'headers only',
    async () => {
      const url = `${stack.url}/gateways/${gw('jwt-gw').gatewayId}/passthru/v1/items?q=1&drop=2`;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(), 'x-tenant': 't1', 'x-other': 'no' },
        body: JSON.stringify({ a: 1 }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ method: 'POST', path: '/v1/items', query: { q: '1' }, body: { a: 1 } });
      const seen = api.seen.at(-1)!;
      expect(seen.headers.authorization).toBe(`Bearer ${alice.accessToken}`);
      expect(seen.headers['x-tenant']).toBe('t1');
      expect(seen.headers['x-other']).toBeUndefined();
    },
  );

  it(
    'JWT passthrough to a JWT runtime agent: the runtime accepts the very token, the agent sees ' + 'the user',
    async () => {
      const r = await post(
        `${stack.url}/gateways/${gw('jwt-gw').gatewayId}/agent/invocations`,
        JSON.stringify({ action: 'whoami' }),
        bearer(),
      );
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.json)).toContain(fingerprint(alice.accessToken));
    },
  );

  it(
    "a runtime admitting only this gateway (allowedWorkloadConfiguration): the gateway's hop carries its " +
      'workload token',
    async () => {
      const c = clientsFor(stack);
      const g = gw('jwt-gw');
      const made = await c.control.send(
        new CreateAgentRuntimeCommand({
          agentRuntimeName: 'behind_jwt_gw',
          agentRuntimeArtifact: {
            containerConfiguration: { containerUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1' },
          },
          roleArn: 'arn:aws:iam::123456789012:role/AgentRole',
          networkConfiguration: { networkMode: 'PUBLIC' },
          authorizerConfiguration: {
            customJWTAuthorizer: {
              discoveryUrl: stack.userPool.discoveryUrl,
              allowedClients: stack.userPool.clients.map((x) => x.clientId),
              allowedWorkloadConfiguration: { hostingEnvironments: [{ arn: g.gatewayArn }] },
            },
          },
        }),
      );
      await c.control.send(
        new CreateGatewayTargetCommand({
          gatewayIdentifier: g.gatewayId,
          name: 'hosted',
          targetConfiguration: { http: { agentcoreRuntime: { arn: made.agentRuntimeArn! } } },
          credentialProviderConfigurations: [{ credentialProviderType: 'JWT_PASSTHROUGH' }],
        }),
      );
      const direct = await post(
        `${stack.url}/runtimes/${encodeURIComponent(made.agentRuntimeArn!)}/invocations`,
        JSON.stringify({ action: 'whoami' }),
        bearer(),
      );
      expect(direct.status).toBe(401);
      const via = await post(
        `${stack.url}/gateways/${g.gatewayId}/hosted/invocations`,
        '{"action":"whoami"}',
        bearer(),
      );
      expect(via.status).toBe(200);
      c.control.destroy();
    },
  );
});

describe('inbound authorizer types', () => {
  it(
    'AWS_IAM: unsigned → 403; a principal without InvokeGateway → AccessDenied in IAM words; ' + 'with it → served',
    async () => {
      const url = gw('iam-gw').gatewayUrl;
      const none = await post(url, body('tools/list'));
      expect(none.status).toBe(403);
      expect(none.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      const reader = await signedPost(url, body('tools/list'), READER);
      expect(reader.status).toBe(403);
      expect(reader.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
      expect(((await reader.json()) as { message: string }).message).toBe(
        `User: ${READER.arn} is not authorized to perform: bedrock-agentcore:InvokeGateway on ` +
          `resource: ${gw('iam-gw').gatewayArn} ` +
          'because no identity-based policy allows the bedrock-agentcore:InvokeGateway action',
      );
      const ok = await signedPost(url, body('tools/list'), INVOKER);
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as any).result.tools.map((t: { name: string }) => t.name)).toEqual([
        'plain___add',
        'plain___whoami',
      ]);
      const jwt = await post(url, body('tools/list'), bearer());
      expect(jwt.status).toBe(403);
    },
  );

  it('AWS_IAM + GATEWAY_IAM_ROLE to an IAM runtime; CALLER_IAM_CREDENTIALS signs as the caller', async () => {
    const agent = await signedPost(
      `${stack.url}/gateways/${gw('iam-gw').gatewayId}/agent/invocations`,
      JSON.stringify({ action: 'whoami' }),
      INVOKER,
    );
    expect(agent.status).toBe(200);
    const echo = await signedPost(`${stack.url}/gateways/${gw('iam-gw').gatewayId}/echo/anything`, '{}', INVOKER);
    expect(echo.status).toBe(200);
    expect(String(api.seen.at(-1)!.headers.authorization)).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${INVOKER.accessKeyId}/\\d{8}/us-east-1/execute-api/aws4_request`),
    );
  });

  it('AUTHENTICATE_ONLY: any valid signature is let through (no permission check), unsigned is not', async () => {
    const url = `${stack.url}/gateways/${gw('authn-gw').gatewayId}/agent/invocations`;
    expect((await signedPost(url, JSON.stringify({ action: 'whoami' }), stack.credentials)).status).toBe(200);
    // the reader may not InvokeGateway, but AUTHENTICATE_ONLY makes no authorization decision; the runtime then
    // refuses it: the stack's runtime knows only the stack's own credentials
    const reader = await signedPost(url, JSON.stringify({ action: 'whoami' }), READER);
    expect(reader.status).not.toBe(200);
    expect((await post(url, '{}')).status).toBe(403);
    const mcpOk = await signedPost(gw('authn-gw').gatewayUrl, body('tools/list'), READER);
    expect(mcpOk.status).toBe(200);
  });

  it('NONE: anyone is served; a bearer token, when sent, passes through; DEBUG shows why a call failed', async () => {
    expect((await post(gw('open-gw').gatewayUrl, body('tools/list'))).json.result.tools).toHaveLength(2);
    const url = `${stack.url}/gateways/${gw('open-gw').gatewayId}/agent/invocations`;
    expect((await post(url, JSON.stringify({ action: 'whoami' }), bearer())).status).toBe(200);
    const noToken = await post(url, JSON.stringify({ action: 'whoami' }));
    expect(noToken.status).toBe(500);
    expect(noToken.json.message).toBe('JWT_PASSTHROUGH: the caller sent no bearer token to pass through');
    expect(noToken.json.message).not.toBe(GATEWAY_MESSAGES.internalError);
  });
});
