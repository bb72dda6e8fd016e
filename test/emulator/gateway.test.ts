/**
 * The Gateway MCP endpoint on the local stack: CUSTOM_JWT inbound with the stack's own user pool tokens, mcpServer
 * targets on an MCP server built with the official SDK, the user's REQUEST interceptor Lambda passing the caller's
 * token to a target, and an authorization-code target's -32042 URL elicitation until the session is bound (consent
 * through the stack's 3LO provider, then CompleteResourceTokenAuth with the same JWT). Plus the seeded gateway.
 */
import { CompleteResourceTokenAuthCommand } from '@aws-sdk/client-bedrock-agentcore';
import { GetGatewayCommand, ListGatewaysCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_URL_ELICITATION_CODE, MESSAGES } from '../../src/wire.js';
import { fingerprint } from '../../src/emulator/runtime/jwt-authorizer.js';
import { passCallerToken } from '../../src/emulator/gateway/sample/lambda.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, follow } from './helpers.js';
import {
  startMcpToolServer,
  startPassCallerTokenLambda,
  type McpToolServer,
  type UserLambda,
} from '../fixtures/gateway.js';
import { stackUserTokens } from '../fixtures/stack-users.js';

const PASS_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:pass-caller-token';
const PROVIDER_ARN =
  'arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/local-3lo';
const RETURN_URL = 'http://localhost:8081/oauth2/callback';

let stack: LocalStack;
let tools: McpToolServer;
let lambda: UserLambda;
let alice: { accessToken: string; idToken: string; clientId: string };
let clients: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  tools = await startMcpToolServer();
  // The user's interceptor: copies the caller's Authorization onto tools/call requests to the `echo` target.
  lambda = await startPassCallerTokenLambda();
  const echo = { name: 'echo', targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url } } } };
  stack = await startLocalStack({
    autoConsent: true,
    config: {
      lambdas: { [PASS_ARN]: lambda.url },
      gateways: [
        {
          name: 'tools',
          protocolConfiguration: { mcp: { sessionConfiguration: { sessionTimeoutInSeconds: 900 } } },
          interceptorConfigurations: [
            {
              interceptor: { lambda: { arn: PASS_ARN } },
              interceptionPoints: ['REQUEST'],
              inputConfiguration: { passRequestHeaders: true },
            },
          ],
          targets: [
            {
              name: 'calendar',
              targetConfiguration: {
                mcp: {
                  mcpServer: {
                    endpoint: tools.url,
                    mcpToolSchema: { inlinePayload: JSON.stringify({ tools: [{ name: 'whoami', inputSchema: {} }] }) },
                  },
                },
              },
              credentialProviderConfigurations: [
                {
                  credentialProviderType: 'OAUTH',
                  credentialProvider: {
                    oauthCredentialProvider: {
                      providerArn: PROVIDER_ARN,
                      scopes: ['api:read'],
                      grantType: 'AUTHORIZATION_CODE',
                      defaultReturnUrl: RETURN_URL,
                    },
                  },
                },
              ],
            },
            echo,
          ],
        },
        {
          name: 'plain',
          targets: [echo],
          authorizerConfiguration: { customJWTAuthorizer: { allowedScopes: ['aws.cognito.signin.user.admin'] } },
        },
      ],
    },
  });
  alice = await stackUserTokens(stack, 'alice');
  clients = clientsFor(stack);
});

afterAll(async () => {
  clients?.data.destroy();
  clients?.control.destroy();
  await stack?.close();
  await tools?.close();
  await lambda?.close();
});

const gw = (name: string) => stack.gateways.find((g) => g.name === name)!;
let nextId = 1;

async function rpc(
  name: string,
  method: string,
  params: Record<string, unknown> = {},
  token: string | null = alice.accessToken,
  extra: Record<string, string> = {},
) {
  const res = await fetch(gw(name).gatewayUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  return { res, body: (await res.json()) as Record<string, any> };
}

describe('gateway MCP endpoint', () => {
  it('initialize → Mcp-Session-Id (sessions on); notifications → 202; tools <target>___<tool>', async () => {
    const init = await rpc('tools', 'initialize', {
      protocolVersion: '2025-11-25',
      capabilities: { elicitation: { url: {} } },
      clientInfo: { name: 't', version: '1' },
    });
    expect(init.res.status).toBe(200);
    expect(init.body.result).toMatchObject({
      protocolVersion: '2025-11-25',
      capabilities: { tools: {} },
      serverInfo: { name: 'tools' },
    });
    const session = init.res.headers.get('mcp-session-id')!;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    const note = await fetch(gw('tools').gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${alice.accessToken}`,
        'mcp-session-id': session,
      },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    expect(note.status).toBe(202);
    const list = await rpc('tools', 'tools/list', {}, alice.accessToken, { 'mcp-session-id': session });
    // echo's tools come from the server's own tools/list, read when the target was created
    expect(list.body.result.tools.map((t: { name: string }) => t.name)).toEqual([
      'calendar___whoami',
      'echo___add',
      'echo___whoami',
    ]);
    const stale = await rpc('tools', 'tools/list', {}, alice.accessToken, {
      'mcp-session-id': '00000000-0000-0000-0000-000000000000',
    });
    expect(stale.res.status).toBe(404);
    expect((await rpc('tools', 'nope/method')).body.error).toMatchObject({ code: -32601 });
    // Without sessionConfiguration, initialize issues no session id.
    expect(
      (await rpc('plain', 'initialize', { protocolVersion: '2025-06-18' })).res.headers.get('mcp-session-id'),
    ).toBeNull();
  });

  it('CUSTOM_JWT: no token → 401 + resource_metadata; ID token → client_id; no scope → 403', async () => {
    const base = `${stack.url}/gateways/${gw('tools').gatewayId}`;
    const none = await rpc('tools', 'tools/list', {}, null);
    expect(none.res.status).toBe(401);
    expect(none.res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource"`,
    );
    expect(none.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: MESSAGES.missingAuthToken } });
    const id = await rpc('tools', 'tools/list', {}, alice.idToken);
    expect(id.res.status).toBe(401);
    expect(id.body.error.message).toBe(MESSAGES.claimMismatch('client_id'));
    expect(id.res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const meta = await (await fetch(`${base}/.well-known/oauth-protected-resource`)).json();
    expect(meta).toEqual({ resource: gw('tools').gatewayUrl, authorization_servers: [stack.userPool.issuer] });
    // 'plain' only trusts tokens with the admin scope: Cognito access tokens carry it, ID tokens carry no scope.
    expect((await rpc('plain', 'tools/list')).res.status).toBe(200);
    const scoped = await rpc('plain', 'tools/list', {}, alice.idToken);
    expect(scoped.res.status).toBe(403);
    expect(scoped.res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="aws.cognito.signin.user.admin", ' +
        `resource_metadata="${stack.url}/gateways/${gw('plain').gatewayId}/.well-known/oauth-protected-resource"`,
    );
  });

  it("the REQUEST interceptor passes the caller's token to the target; without it nothing reaches it", async () => {
    const passed = await rpc('tools', 'tools/call', { name: 'echo___whoami', arguments: {} });
    expect(passed.body.result.structuredContent).toMatchObject({
      authorization: { scheme: 'Bearer', fingerprint: fingerprint(alice.accessToken) },
    });
    expect(JSON.stringify(passed.body)).not.toContain(alice.accessToken);
    // the Lambda got the documented event: the raw body, the parsed request and the headers (passRequestHeaders)
    const { event, clientContext } = lambda.events.at(-1)!;
    expect(event).toMatchObject({
      interceptorInputVersion: '1.0',
      mcp: {
        rawGatewayRequest: { body: expect.stringContaining('"echo___whoami"') },
        gatewayRequest: {
          path: '/mcp',
          httpMethod: 'POST',
          body: { method: 'tools/call', params: { name: 'echo___whoami' } },
        },
      },
    });
    expect(event.mcp.gatewayRequest.headers.authorization).toBe(`Bearer ${alice.accessToken}`);
    expect(clientContext!.custom).toMatchObject({
      GATEWAY_ARN: expect.stringMatching(/:gateway\/tools-/),
      REQUEST_ID: expect.any(String),
    });
    const plain = await rpc('plain', 'tools/call', { name: 'echo___whoami', arguments: {} });
    expect(plain.body.result.structuredContent.authorization).toBeNull();
    expect(
      (await rpc('tools', 'tools/call', { name: 'echo___add', arguments: { a: 2, b: 3 } })).body.result.content,
    ).toEqual([{ type: 'text', text: '5' }]);
  });

  it('3LO target: -32042 until the session is bound with the same JWT, then the vault token reaches it', async () => {
    const first = await rpc('tools', 'tools/call', { name: 'calendar___whoami', arguments: {} });
    expect(first.res.status).toBe(200);
    expect(first.body.error).toMatchObject({
      code: MCP_URL_ELICITATION_CODE,
      message: 'This request requires more information.',
    });
    const [el] = first.body.error.data.elicitations;
    expect(el).toMatchObject({
      mode: 'url',
      message: 'Please login to this URL for authorization.',
      elicitationId: expect.any(String),
    });
    expect(el.url).toMatch(
      new RegExp(
        `^${stack.url}/identities/oauth2/authorize\\?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A`,
      ),
    );
    // Still unbound: asking again elicits again.
    expect((await rpc('tools', 'tools/call', { name: 'calendar___whoami' })).body.error.code).toBe(
      MCP_URL_ELICITATION_CODE,
    );

    const consent = await follow(el.url);
    const back = new URL(consent.finalUrl);
    expect(back.origin + back.pathname).toBe(RETURN_URL);
    const sessionUri = back.searchParams.get('session_id')!;
    await clients.data.send(
      new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userToken: alice.accessToken } }),
    );

    const done = await rpc('tools', 'tools/call', { name: 'calendar___whoami', arguments: {} });
    const got = done.body.result.structuredContent;
    expect(got.authorization).toMatchObject({
      scheme: 'Bearer',
      fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
    });
    expect(got.authorization.fingerprint).not.toBe(fingerprint(alice.accessToken));
  });

  it('GetGateway / ListGateways expose the authorizer, the interceptor and the MCP URL', async () => {
    const g = await clients.control.send(new GetGatewayCommand({ gatewayIdentifier: gw('tools').gatewayId }));
    expect(g).toMatchObject({
      gatewayId: gw('tools').gatewayId,
      gatewayUrl: `${stack.url}/gateways/${gw('tools').gatewayId}/mcp`,
      status: 'READY',
      authorizerType: 'CUSTOM_JWT',
      authorizerConfiguration: {
        // the config's gateways trust every app client of the pool by default (alice's token comes from one of them)
        customJWTAuthorizer: {
          discoveryUrl: stack.userPool.discoveryUrl,
          allowedClients: stack.userPool.clients.map((c) => c.clientId),
        },
      },
      interceptorConfigurations: [
        { interceptionPoints: ['REQUEST'], inputConfiguration: { passRequestHeaders: true } },
      ],
    });
    const list = await clients.control.send(new ListGatewaysCommand({}));
    expect(list.items!.map((x) => x.name)).toEqual(['tools', 'plain']);
  });
});

describe('the seeded gateway', () => {
  it('a 3LO target and an echo target behind the sample interceptor Lambda, on the sample MCP server', async () => {
    const s = await startLocalStack();
    try {
      expect(s.gateways.map((g) => [g.gatewayId, g.targets.map((t) => [t.name, t.targetType, t.status])])).toEqual([
        [
          'local-gateway-local00001',
          [
            ['provider', 'MCP_SERVER', 'READY'],
            ['echo', 'MCP_SERVER', 'READY'],
            ['keyed', 'MCP_SERVER', 'READY'],
            ['agent', 'AGENTCORE_RUNTIME', 'READY'],
          ],
        ],
      ]);
      expect(s.lambdas.list().map((l) => l.arn)).toEqual([
        'arn:aws:lambda:us-east-1:123456789012:function:agentcore-local-pass-caller-token',
      ]);
      const t = await stackUserTokens(s, 'alice');
      const call = async (name: string) => {
        const res = await fetch(s.gateways[0]!.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.accessToken}` },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name, arguments: { note: 'hi' } },
          }),
        });
        return (await res.json()) as { error?: { code: number }; result?: { structuredContent: Record<string, any> } };
      };
      expect((await call('provider___whoami')).error?.code).toBe(MCP_URL_ELICITATION_CODE);
      const echo = (await call('echo___inspect')).result!.structuredContent;
      expect(echo).toMatchObject({
        target: 'echo',
        note: 'hi',
        authorization: { received: true, fingerprint: fingerprint(t.accessToken) },
      });
    } finally {
      await s.close();
    }
  });

  it('the sample Lambda copies Authorization onto tools/call requests to echo only (Lambda payload shapes)', () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo___inspect' } };
    const input = (headers?: Record<string, string>, b: unknown = body) => ({
      interceptorInputVersion: '1.0' as const,
      mcp: {
        rawGatewayRequest: { body: JSON.stringify(b) },
        gatewayRequest: { path: '/mcp', httpMethod: 'POST', ...(headers ? { headers } : {}), body: b },
      },
    });
    expect(passCallerToken(input({ authorization: 'Bearer abc', host: 'h' }))).toEqual({
      interceptorOutputVersion: '1.0',
      mcp: { transformedGatewayRequest: { headers: { Authorization: 'Bearer abc' }, body } },
    });
    // passRequestHeaders=false: the interceptor sees no headers and can pass nothing; other tools get nothing.
    expect(passCallerToken(input(undefined))).toMatchObject({ mcp: { transformedGatewayRequest: { body } } });
    const other = { ...body, params: { name: 'provider___whoami' } };
    expect(passCallerToken(input({ authorization: 'Bearer abc' }, other))).toEqual({
      interceptorOutputVersion: '1.0',
      mcp: { transformedGatewayRequest: { body: other } },
    });
    // an HTTP target's event passes through unchanged
    expect(passCallerToken({ interceptorInputVersion: '1.0', http: {} })).toEqual({
      interceptorOutputVersion: '1.0',
      http: {},
    });
  });
});
