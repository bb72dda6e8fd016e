/**
 * The Gateway MCP endpoint on the local stack: CUSTOM_JWT inbound with the stack's own user pool tokens, the 3LO
 * target's -32042 URL elicitation until the session is bound (consent through the stack's 3LO provider, then
 * CompleteResourceTokenAuth with the same JWT), and the pass-caller-token REQUEST interceptor.
 */
import { CompleteResourceTokenAuthCommand } from '@aws-sdk/client-bedrock-agentcore';
import { GetGatewayCommand, ListGatewaysCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_URL_ELICITATION_CODE, MESSAGES } from '../../src/wire.js';
import { fingerprint } from '../../src/emulator/runtime/jwt-authorizer.js';
import { buildInterceptorInput, passCallerToken } from '../../src/emulator/gateway/interceptor.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, follow } from './helpers.js';
import { stackUserTokens } from './runtime-fixtures.js';

let stack: LocalStack;
let alice: { accessToken: string; idToken: string; clientId: string };
let clients: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  stack = await startLocalStack({
    autoConsent: true,
    config: {
      gateways: [
        {
          name: 'tools',
          targets: [
            {
              name: 'calendar',
              kind: 'oauth3lo',
              providerName: 'local-3lo',
              scopes: ['api:read'],
              defaultReturnUrl: 'http://localhost:8081/oauth2/callback',
            },
            { name: 'echo', kind: 'echo' },
          ],
          interceptors: [{ kind: 'pass-caller-token', passRequestHeaders: true }],
        },
        {
          name: 'plain',
          targets: [{ name: 'echo', kind: 'echo' }],
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
});

const gw = (name: string) => stack.gateways.find((g) => g.name === name)!;
const mcpUrl = (name: string) => `${stack.url}/gateways/${gw(name).id}/mcp`;
let nextId = 1;

async function rpc(
  name: string,
  method: string,
  params: Record<string, unknown> = {},
  token: string | null = alice.accessToken,
  extra: Record<string, string> = {},
) {
  const res = await fetch(mcpUrl(name), {
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
  it('initialize → Mcp-Session-Id; notifications/initialized → 202; tools/list names <target>___<tool>', async () => {
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
    const note = await fetch(mcpUrl('tools'), {
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
    expect(list.body.result.tools.map((t: { name: string }) => t.name)).toEqual([
      'calendar___whoami',
      'echo___inspect',
    ]);
    const stale = await rpc('tools', 'tools/list', {}, alice.accessToken, {
      'mcp-session-id': '00000000-0000-0000-0000-000000000000',
    });
    expect(stale.res.status).toBe(404);
    expect((await rpc('tools', 'nope/method')).body.error).toMatchObject({ code: -32601 });
  });

  it(
    'inbound CUSTOM_JWT: no token → 401 with resource_metadata; ID token → client_id mismatch; scope miss → ' +
      '403 insufficient_scope',
    async () => {
      const none = await rpc('tools', 'tools/list', {}, null);
      expect(none.res.status).toBe(401);
      expect(none.res.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${stack.url}/gateways/${gw('tools').id}/.well-known/oauth-protected-resource"`,
      );
      expect(none.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: MESSAGES.missingAuthToken } });
      const id = await rpc('tools', 'tools/list', {}, alice.idToken);
      expect(id.res.status).toBe(401);
      expect(id.body.error.message).toBe(MESSAGES.claimMismatch('client_id'));
      expect(id.res.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const meta = await (
        await fetch(`${stack.url}/gateways/${gw('tools').id}/.well-known/oauth-protected-resource`)
      ).json();
      expect(meta).toEqual({ resource: mcpUrl('tools'), authorization_servers: [stack.userPool.issuer] });
      // 'plain' only trusts tokens with the admin scope: Cognito access tokens carry it, ID tokens carry no scope.
      expect((await rpc('plain', 'tools/list')).res.status).toBe(200);
      const scoped = await rpc('plain', 'tools/list', {}, alice.idToken);
      expect(scoped.res.status).toBe(403);
      expect(scoped.res.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", scope="aws.cognito.signin.user.admin", ` +
          `resource_metadata="${stack.url}/gateways/${gw('plain').id}/.well-known/oauth-protected-resource"`,
      );
    },
  );

  it(
    "the REQUEST interceptor passes the caller's token to the target; without it nothing " + 'reaches the target',
    async () => {
      const passed = await rpc('tools', 'tools/call', { name: 'echo___inspect', arguments: { note: 'hi' } });
      const report = passed.body.result.structuredContent;
      expect(report).toMatchObject({
        target: 'echo',
        interceptor: 'pass-caller-token',
        note: 'hi',
        authorization: { received: true, sameAsCallerToken: true, fingerprint: fingerprint(alice.accessToken) },
      });
      expect(report.headers).toEqual(['Authorization', 'content-type']);
      expect(JSON.stringify(passed.body)).not.toContain(alice.accessToken);
      const plain = await rpc('plain', 'tools/call', { name: 'echo___inspect', arguments: {} });
      expect(plain.body.result.structuredContent).toMatchObject({
        interceptor: null,
        authorization: { received: false },
      });
      expect(plain.body.result.content[0].text).toBe('The target received no Authorization header.');
    },
  );

  it(
    '3LO target: -32042 URL elicitation until the session is bound with the same JWT, then the token ' + 'fingerprint',
    async () => {
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
      expect(back.origin + back.pathname).toBe('http://localhost:8081/oauth2/callback');
      const sessionUri = back.searchParams.get('session_id')!;
      await clients.data.send(
        new CompleteResourceTokenAuthCommand({ sessionUri, userIdentifier: { userToken: alice.accessToken } }),
      );

      const done = await rpc('tools', 'tools/call', { name: 'calendar___whoami', arguments: {} });
      expect(done.body.result).toMatchObject({
        isError: false,
        structuredContent: { provider: 'local-3lo', tokenFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/) },
      });
    },
  );

  it('GetGateway / ListGateways expose the authorizer, the interceptor and the MCP URL', async () => {
    const g = await clients.control.send(new GetGatewayCommand({ gatewayIdentifier: gw('tools').id }));
    expect(g).toMatchObject({
      gatewayId: gw('tools').id,
      gatewayUrl: mcpUrl('tools'),
      status: 'READY',
      authorizerType: 'CUSTOM_JWT',
      authorizerConfiguration: {
        // the seeded defaults trust every app client of the pool (alice's token comes from one of them)
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

  it('the seeded stack has one gateway with a 3LO target and the echo target behind the interceptor', async () => {
    const s = await startLocalStack();
    try {
      expect(s.gateways.map((g) => [g.id, g.targets.map((t) => t.kind), g.interceptors.map((i) => i.kind)])).toEqual([
        ['local-gateway-local00001', ['oauth3lo', 'echo'], ['pass-caller-token']],
      ]);
      const t = await stackUserTokens(s, 'alice');
      const res = await fetch(`${s.url}/gateways/local-gateway-local00001/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.accessToken}` },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'provider___whoami', arguments: {} },
        }),
      });
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(MCP_URL_ELICITATION_CODE);
    } finally {
      await s.close();
    }
  });
});

describe('pass-caller-token interceptor (Lambda payload shapes)', () => {
  it('copies Authorization from the request headers into transformedGatewayRequest', () => {
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } };
    const out = passCallerToken(
      buildInterceptorInput(JSON.stringify(body), body, { authorization: 'Bearer abc', host: 'h' }),
    );
    expect(out).toEqual({
      interceptorOutputVersion: '1.0',
      mcp: { transformedGatewayRequest: { headers: { Authorization: 'Bearer abc' }, body } },
    });
    // passRequestHeaders=false: the interceptor sees no headers and can pass nothing.
    expect(passCallerToken(buildInterceptorInput('{}', body, undefined)).mcp.transformedGatewayRequest).toEqual({
      body,
    });
  });
});
