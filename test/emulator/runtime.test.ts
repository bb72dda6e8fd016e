/**
 * Runtime half through startLocalStack: the real AWS SDK's InvokeAgentRuntime / StopRuntimeSession / GetAgentRuntime
 * and raw bearer fetches (as curl users send them) against SigV4 and JWT agents; JWT agents trust real issuers
 * (oidc-provider, cognito-local) and a loopback IdP. The built-in sample agent answers, or a stand-in container
 * behind --agent-url records what the runtime hands it.
 */
import {
  AccessDeniedException,
  BedrockAgentCoreClient,
  InvokeAgentRuntimeCommand,
  ResourceNotFoundException,
  StopRuntimeSessionCommand,
  ValidationException,
} from '@aws-sdk/client-bedrock-agentcore';
import {
  BedrockAgentCoreControlClient,
  GetAgentRuntimeCommand,
  ListAgentRuntimesCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HEADERS, MESSAGES } from '../../src/wire.js';
import { runCommand } from '../helpers/context.js';
import { MCP_ACCEPT_MESSAGE } from '../../src/emulator/runtime/index.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { cognitoTokens, type CognitoTokens } from '../fixtures/cognito-users.js';
import { oidcClientCredentials } from '../fixtures/oidc-client.js';
import { startFakeIdp, type FakeIdp } from '../fixtures/fake-idp.js';
import { startStandInAgent } from './runtime-fixtures.js';

const sid = () => `session-${randomUUID()}`; // 44 chars

let stack: LocalStack;
let dp: BedrockAgentCoreClient;
let cp: BedrockAgentCoreControlClient;
let idp: FakeIdp;
let cog: CognitoTokens;
const o = inject('oidc');
const cognito = inject('cognito');

const arn = (id: string) => `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${id}`;
const invokeUrl = (id: string, q = 'DEFAULT') =>
  `${stack.url}/runtimes/${encodeURIComponent(arn(id))}/invocations?qualifier=${q}`;

async function sdkInvoke(
  id: string,
  payload: unknown,
  extra: Partial<ConstructorParameters<typeof InvokeAgentRuntimeCommand>[0]> = {},
) {
  const out = await dp.send(
    new InvokeAgentRuntimeCommand({
      agentRuntimeArn: arn(id),
      payload: Buffer.from(JSON.stringify(payload)),
      contentType: 'application/json',
      ...extra,
    }),
  );
  return { out, body: JSON.parse(await out.response!.transformToString()) as Record<string, any> };
}

function bearer(
  id: string,
  token: string | undefined,
  payload: unknown = { prompt: 'hi' },
  headers: Record<string, string> = {},
) {
  return fetch(invokeUrl(id), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [HEADERS.sessionId]: sid(),
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(payload),
  });
}

beforeAll(async () => {
  idp = await startFakeIdp();
  cog = await cognitoTokens(cognito);
  stack = await startLocalStack({
    config: {
      agents: [
        {
          name: 'sigv4_agent',
          id: 'sigv4_agent-local00001',
          requestHeaderAllowlist: [`${HEADERS.customPrefix}Tenant`],
          oauth2CallbackUrl: 'http://localhost:8081/oauth2/callback',
        },
        {
          name: 'oidc_agent',
          authorizerConfiguration: {
            customJWTAuthorizer: {
              discoveryUrl: o.discoveryUrl,
              allowedAudience: [o.resource],
              allowedScopes: ['api:read'],
            },
          },
          requestHeaderAllowlist: ['Authorization', `${HEADERS.customPrefix}Tenant`],
        },
        {
          name: 'cognito_agent',
          authorizerConfiguration: {
            customJWTAuthorizer: { discoveryUrl: cognito.discoveryUrl, allowedClients: [cog.clientId] },
          },
        },
        {
          name: 'cognito_aud_agent',
          authorizerConfiguration: {
            customJWTAuthorizer: { discoveryUrl: cognito.discoveryUrl, allowedAudience: [cog.clientId] },
          },
        },
        {
          name: 'mcp_agent',
          protocol: 'MCP',
          authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: idp.discoveryUrl } },
        },
        {
          name: 'claims_agent',
          authorizerConfiguration: {
            customJWTAuthorizer: {
              discoveryUrl: idp.discoveryUrl,
              customClaims: [
                {
                  inboundTokenClaimName: 'tenant',
                  inboundTokenClaimValueType: 'STRING',
                  authorizingClaimMatchValue: {
                    claimMatchOperator: 'EQUALS',
                    claimMatchValue: { matchValueString: 'acme' },
                  },
                },
              ],
            },
          },
        },
      ],
    },
  });
  const clientConfig = { endpoint: stack.url, region: stack.region, credentials: stack.credentials, maxAttempts: 1 };
  dp = new BedrockAgentCoreClient(clientConfig);
  cp = new BedrockAgentCoreControlClient(clientConfig);
});

afterAll(async () => {
  dp?.destroy();
  cp?.destroy();
  await stack?.close();
  await idp?.close();
});

const id = (name: string) => stack.agents.find((a) => a.name === name)!.id;

describe('SigV4 agent through the real SDK', () => {
  it('with runtimeUserId: the agent gets a workload access token for that user (never the token itself)', async () => {
    const sessionId = sid();
    const { out, body } = await sdkInvoke(
      id('sigv4_agent'),
      { prompt: 'who am I?' },
      { runtimeUserId: 'alice', runtimeSessionId: sessionId },
    );
    expect(out.runtimeSessionId).toBe(sessionId);
    expect(out.contentType).toBe('application/json');
    expect(body).toMatchObject({
      type: 'whoami',
      prompt: 'who am I?',
      caller: { userId: 'alice' },
      sessionId,
      workloadAccessToken: { received: true, workload: 'sigv4_agent-local00001', forUser: 'alice' },
      oauth2CallbackUrl: 'http://localhost:8081/oauth2/callback',
    });
    expect(body.workloadAccessToken.fingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(JSON.stringify(body)).not.toMatch(/AgV4/);
  });

  it(
    'without runtimeUserId: no workload token, and asking for a provider token reproduces the ' + 'SDK message',
    async () => {
      const { body, out } = await sdkInvoke(id('sigv4_agent'), { prompt: 'hi' });
      expect(out.runtimeSessionId).toMatch(/^[0-9a-f-]{36}$/); // the SDK filled a UUID
      expect(body).toMatchObject({ caller: null, workloadAccessToken: { received: false } });
      const asked = await sdkInvoke(id('sigv4_agent'), { action: 'token', provider: 'local-3lo' });
      expect(asked.body).toEqual({ type: 'error', error: 'WorkloadAccessTokenNotSet', message: MESSAGES.watNotSet });
    },
  );

  it('addresses the runtime by id + accountId as well as by ARN', async () => {
    const out = await dp.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn: id('sigv4_agent'),
        accountId: stack.accountId,
        payload: Buffer.from('{}'),
        runtimeUserId: 'bob',
      }),
    );
    expect(JSON.parse(await out.response!.transformToString())).toMatchObject({ caller: { userId: 'bob' } });
    await expect(
      dp.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: id('sigv4_agent'), payload: Buffer.from('{}') })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('rejects a short session id with the service message, and an unknown runtime or qualifier with 404', async () => {
    const short = dp.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn: arn(id('sigv4_agent')),
        payload: Buffer.from('{}'),
        runtimeSessionId: 'too-short',
      }),
    );
    await expect(short).rejects.toMatchObject({
      name: 'ValidationException',
      message: MESSAGES.sessionIdTooShort,
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      dp.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn('nobody-0000000000'), payload: Buffer.from('{}') })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      dp.send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: arn(id('sigv4_agent')),
          payload: Buffer.from('{}'),
          qualifier: 'prod',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining("'prod'"),
    });
  });

  it(
    'a bearer token sent to the SigV4 agent is "Authorization method mismatch" (403, no ' + 'WWW-Authenticate)',
    async () => {
      const res = await bearer(id('sigv4_agent'), await idp.sign({ sub: 'x' }));
      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(await res.json()).toEqual({ message: MESSAGES.methodMismatch });
    },
  );

  it('an unsigned call is rejected by SigV4 verification', async () => {
    const res = await bearer(id('sigv4_agent'), undefined);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('StopRuntimeSession ends a session; stopping it again is 404', async () => {
    const sessionId = sid();
    await sdkInvoke(id('sigv4_agent'), {}, { runtimeSessionId: sessionId });
    const stopped = await dp.send(
      new StopRuntimeSessionCommand({ agentRuntimeArn: arn(id('sigv4_agent')), runtimeSessionId: sessionId }),
    );
    expect(stopped.runtimeSessionId).toBe(sessionId);
    expect(stopped.statusCode).toBe(200);
    await expect(
      dp.send(new StopRuntimeSessionCommand({ agentRuntimeArn: arn(id('sigv4_agent')), runtimeSessionId: sessionId })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('JWT agents with raw bearer calls', () => {
  it('no Authorization: 401, the JSON-RPC -32001 envelope and the resource_metadata challenge', async () => {
    const res = await bearer(id('oidc_agent'), undefined);
    expect(res.status).toBe(401);
    const escaped = encodeURIComponent(arn(id('oidc_agent')));
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${stack.url}/runtimes/${escaped}/invocations/` +
        '.well-known/oauth-protected-resource?qualifier=DEFAULT"',
    );
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32001, message: MESSAGES.missingAuthToken },
      id: 'null',
    });
  });

  it('the protected-resource metadata names the issuer and the scopes', async () => {
    const res = await fetch(
      `${stack.url}/runtimes/${encodeURIComponent(arn(id('oidc_agent')))}/invocations/` +
        '.well-known/oauth-protected-resource?qualifier=DEFAULT',
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: invokeUrl(id('oidc_agent')),
      authorization_servers: [o.issuer],
      scopes_supported: ['api:read'],
    });
  });

  it(
    'oidc-provider token: accepted; the agent sees the subject, a WAT, and the allow-listed ' + 'headers only',
    async () => {
      const token = await oidcClientCredentials(o, 'api:read');
      const res = await bearer(
        id('oidc_agent'),
        token,
        { prompt: 'hi' },
        {
          [HEADERS.userId]: 'ignored-user',
          [`${HEADERS.customPrefix}Tenant`]: 'acme',
          [`${HEADERS.customPrefix}Other`]: 'dropped',
        },
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, any>;
      expect(body.caller).toMatchObject({ sub: o.clientId });
      expect(body.workloadAccessToken).toMatchObject({ received: true, forUser: expect.stringContaining(o.clientId) });
      expect(body.authorizationHeader).toMatchObject({ received: true });
      expect(body.customHeaders).toEqual({ [`${HEADERS.customPrefix}Tenant`.toLowerCase()]: 'acme' });
      expect(JSON.stringify(body)).not.toContain(token);
    },
  );

  it('oidc-provider token without the allowed scope, or the SigV4 SDK on a JWT agent, is refused', async () => {
    const res = await bearer(id('oidc_agent'), await oidcClientCredentials(o, 'api:write'));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: -32001, message: MESSAGES.claimMismatch('scope') } });
    const viaSdk = sdkInvoke(id('oidc_agent'), {}, { runtimeUserId: 'alice' });
    await expect(viaSdk).rejects.toBeInstanceOf(AccessDeniedException);
    await expect(viaSdk).rejects.toMatchObject({
      message: MESSAGES.methodMismatch,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it(
    'cognito-local: access token passes allowedClients; the ID token fails it, and the reverse for ' +
      'allowedAudience',
    async () => {
      const ok = await bearer(id('cognito_agent'), cog.accessToken);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({
        caller: { sub: expect.any(String) },
        workloadAccessToken: { received: true },
      });
      const wrongKind = await bearer(id('cognito_agent'), cog.idToken);
      expect(wrongKind.status).toBe(401);
      expect(await wrongKind.json()).toMatchObject({
        error: { message: "Claim 'client_id' value mismatch with configuration." },
      });
      expect((await bearer(id('cognito_aud_agent'), cog.idToken)).status).toBe(200);
      const access = await bearer(id('cognito_aud_agent'), cog.accessToken);
      expect(access.status).toBe(401);
      expect(await access.json()).toMatchObject({
        error: { message: "Claim 'aud' value mismatch with configuration." },
      });
    },
  );

  it('loopback IdP: custom claim, expiry, unparseable token, empty bearer', async () => {
    expect((await bearer(id('claims_agent'), await idp.sign({ sub: 'carol', tenant: 'acme' }))).status).toBe(200);
    const other = await bearer(id('claims_agent'), await idp.sign({ sub: 'carol', tenant: 'globex' }));
    expect(other.status).toBe(401);
    expect(await other.json()).toMatchObject({ error: { message: MESSAGES.claimMismatch('tenant') } });
    const expired = await bearer(
      id('claims_agent'),
      await idp.sign({ sub: 'c', tenant: 'acme' }, { exp: Math.floor(Date.now() / 1000) - 1 }),
    );
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { message: MESSAGES.tokenExpired } });
    for (const t of ['not.a.token', '']) {
      const r = await bearer(id('claims_agent'), t);
      expect(r.status).toBe(403);
      expect(r.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
      expect(await r.json()).toEqual({ message: MESSAGES.failedToParseToken });
    }
  });

  it('StopRuntimeSession on a JWT agent needs the bearer token too', async () => {
    const token = await idp.sign({ sub: 'carol', tenant: 'acme' });
    const sessionId = sid();
    const inv = await fetch(invokeUrl(id('claims_agent')), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, [HEADERS.sessionId]: sessionId },
      body: '{}',
    });
    expect(inv.headers.get(HEADERS.sessionId)).toBe(sessionId);
    const runtime = encodeURIComponent(arn(id('claims_agent')));
    const stopUrl = `${stack.url}/runtimes/${runtime}/stopruntimesession?qualifier=DEFAULT`;
    await expect(
      dp.send(new StopRuntimeSessionCommand({ agentRuntimeArn: arn(id('claims_agent')), runtimeSessionId: sessionId })),
    ).rejects.toMatchObject({ message: MESSAGES.methodMismatch });
    const stop = await fetch(stopUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, [HEADERS.sessionId]: sessionId },
      body: '{}',
    });
    expect(stop.status).toBe(200);
  });

  it('an MCP-protocol agent wants Accept: application/json, text/event-stream (406 -32011 otherwise)', async () => {
    const token = await idp.sign({ sub: 'carol', tenant: 'acme' });
    const url = invokeUrl(id('mcp_agent'));
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
    const bad = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
      body,
    });
    expect(bad.status).toBe(406);
    expect(await bad.json()).toEqual({ jsonrpc: '2.0', error: { code: -32011, message: MCP_ACCEPT_MESSAGE }, id: 7 });
    const ok = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
      },
      body,
    });
    expect(ok.status).toBe(200);
    expect(
      ((await ok.json()) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name),
    ).toEqual(['whoami', 'token']);
  });

  it(
    'the sample agent speaks MCP on an MCP agent: the CLI `mcp --agent` initializes, lists and ' + 'calls whoami',
    async () => {
      const token = await idp.sign({ sub: 'carol', tenant: 'acme' });
      const env = { ...stack.env };
      const listed = await runCommand(['mcp', '--agent', arn(id('mcp_agent')), '--bearer-token', token], { env });
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('whoami');
      const called = await runCommand(
        ['mcp', '--agent', arn(id('mcp_agent')), '--bearer-token', token, '--call', 'whoami', '--json'],
        { env },
      );
      expect(called.code).toBe(0);
      expect(called.stdout).toContain('"sub":"carol"');
      expect(called.stderr).not.toContain(token);
    },
  );

  it('an ARN left unencoded in the path gets a hint', async () => {
    const res = await fetch(`${stack.url}/runtimes/${arn(id('claims_agent'))}/invocations`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('percent-encoded');
  });
});

describe('control plane', () => {
  it(
    'GetAgentRuntime exposes the authorizer, header allowlist and workload identity; ListAgentRuntimes lists ' + 'all',
    async () => {
      const jwt = await cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: id('oidc_agent') }));
      expect(jwt).toMatchObject({
        agentRuntimeArn: arn(id('oidc_agent')),
        agentRuntimeName: 'oidc_agent',
        status: 'READY',
        authorizerConfiguration: {
          customJWTAuthorizer: {
            discoveryUrl: o.discoveryUrl,
            allowedAudience: [o.resource],
            allowedScopes: ['api:read'],
          },
        },
        requestHeaderConfiguration: { requestHeaderAllowlist: ['Authorization', `${HEADERS.customPrefix}Tenant`] },
        workloadIdentityDetails: {
          workloadIdentityArn: expect.stringMatching(new RegExp(`workload-identity/${id('oidc_agent')}$`)),
        },
        protocolConfiguration: { serverProtocol: 'HTTP' },
      });
      expect(jwt.createdAt).toBeInstanceOf(Date);
      const sig = await cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: id('sigv4_agent') }));
      expect(sig.authorizerConfiguration).toBeUndefined();
      await expect(cp.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'nope-0000000000' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      const list = await cp.send(new ListAgentRuntimesCommand({}));
      expect(list.agentRuntimes!.map((a) => a.agentRuntimeName)).toEqual(stack.agents.map((a) => a.name));
    },
  );
});

describe('--agent-url: a stand-in user agent behind the runtime', () => {
  it(
    'receives the container contract headers and the allow-listed headers; its JSON answer is ' + 'passed back',
    async () => {
      const agent = await startStandInAgent();
      const s = await startLocalStack({ agentUrls: [agent.url] });
      const client = new BedrockAgentCoreClient({
        endpoint: s.url,
        region: s.region,
        credentials: s.credentials,
        maxAttempts: 1,
      });
      try {
        const sessionId = sid();
        const a = s.agents.find((x) => !x.authorizerConfiguration)!;
        const out = await client.send(
          new InvokeAgentRuntimeCommand({
            agentRuntimeArn: `arn:aws:bedrock-agentcore:${s.region}:${s.accountId}:runtime/${a.id}`,
            payload: Buffer.from('{"prompt":"hello"}'),
            contentType: 'application/json',
            runtimeUserId: 'dave',
            runtimeSessionId: sessionId,
            traceId: 'Root=1-67891233-abcdef012345678912345678',
          }),
        );
        expect(JSON.parse(await out.response!.transformToString())).toEqual({ from: 'stand-in' });
        expect(out.traceId).toBe('Root=1-67891233-abcdef012345678912345678');
        const seen = agent.seen[0]!;
        expect(seen).toMatchObject({ method: 'POST', path: '/invocations', body: '{"prompt":"hello"}' });
        const wat = seen.headers.workloadaccesstoken as string;
        expect(wat).toMatch(/^AgV4/);
        expect(seen.headers['x-amz-bedrock-agentcore-identity-wat']).toBe(wat);
        expect(s.state.resolveWat(wat)).toMatchObject({ workloadName: a.workloadName, userId: 'dave' });
        expect(seen.headers[HEADERS.sessionId.toLowerCase()]).toBe(sessionId);
        expect(seen.headers[HEADERS.requestId.toLowerCase()]).toMatch(/^[0-9a-f-]{36}$/);
        expect(seen.headers.oauth2callbackurl).toBe(a.oauth2CallbackUrl);
        expect(seen.headers['content-type']).toBe('application/json');
        // The SigV4 signature and the user-id header are not forwarded.
        expect(seen.headers.authorization).toBeUndefined();
        expect(seen.headers[HEADERS.userId.toLowerCase()]).toBeUndefined();
      } finally {
        client.destroy();
        await s.close();
        await agent.close();
      }
    },
  );

  it('an MCP-protocol agent behind --agent-url is called at POST /mcp (AgentCore MCP contract)', async () => {
    const agent = await startStandInAgent();
    const s = await startLocalStack({
      config: { agents: [{ name: 'mcp_stand_in', protocol: 'MCP', agentUrl: agent.url }] },
    });
    const client = new BedrockAgentCoreClient({
      endpoint: s.url,
      region: s.region,
      credentials: s.credentials,
      maxAttempts: 1,
    });
    try {
      const a = s.agents.find((x) => x.name === 'mcp_stand_in')!;
      await client.send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: `arn:aws:bedrock-agentcore:${s.region}:${s.accountId}:runtime/${a.id}`,
          payload: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/list"}'),
          contentType: 'application/json',
          accept: 'application/json, text/event-stream',
          runtimeUserId: 'dave',
        }),
      );
      expect(agent.seen[0]).toMatchObject({ method: 'POST', path: '/mcp' });
    } finally {
      client.destroy();
      await s.close();
      await agent.close();
    }
  });

  it('an agent answering 500 becomes RuntimeClientError 424; an agent that is down gets a clear 424', async () => {
    const lines: string[] = [];
    const agent = await startStandInAgent((_s, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Traceback: boom');
    });
    const s = await startLocalStack({
      agentUrls: [`sigv4_agent=${agent.url}`, 'http://127.0.0.1:9'],
      log: (l) => lines.push(l),
    });
    const client = new BedrockAgentCoreClient({
      endpoint: s.url,
      region: s.region,
      credentials: s.credentials,
      maxAttempts: 1,
    });
    const idOf = (name: string) => s.agents.find((x) => x.name === name)!.id;
    const call = (name: string) =>
      client.send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: `arn:aws:bedrock-agentcore:${s.region}:${s.accountId}:runtime/${idOf(name)}`,
          payload: Buffer.from('{}'),
        }),
      );
    try {
      await expect(call('sigv4_agent')).rejects.toMatchObject({
        name: 'RuntimeClientError',
        $metadata: { httpStatusCode: 424 },
        message: 'Received error (500) from runtime. Please check your CloudWatch logs for more information.',
      });
      expect(lines.join('\n')).toContain('Traceback: boom');
      // NAME=URL targets one agent; a bare URL goes to every agent without one.
      expect(s.agents.map((x) => [x.name, x.agentUrl])).toEqual([
        ['sigv4_agent', agent.url],
        ['jwt_agent', 'http://127.0.0.1:9'],
        ['jwt_aud_agent', 'http://127.0.0.1:9'],
      ]);
    } finally {
      client.destroy();
      await s.close();
      await agent.close();
    }
    const down = await startLocalStack({ agentUrls: ['http://127.0.0.1:9'] });
    const c2 = new BedrockAgentCoreClient({
      endpoint: down.url,
      region: down.region,
      credentials: down.credentials,
      maxAttempts: 1,
    });
    try {
      const sig = down.agents.find((x) => !x.authorizerConfiguration)!;
      await expect(
        c2.send(
          new InvokeAgentRuntimeCommand({
            agentRuntimeArn: `arn:aws:bedrock-agentcore:${down.region}:${down.accountId}:runtime/${sig.id}`,
            payload: Buffer.from('{}'),
          }),
        ),
      ).rejects.toMatchObject({
        name: 'RuntimeClientError',
        message: expect.stringContaining('http://127.0.0.1:9/invocations (ECONNREFUSED)'),
      });
    } finally {
      c2.destroy();
      await down.close();
    }
  });

  it('streams SSE through as it is produced (the first event arrives before the agent finishes)', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const agent = await startStandInAgent((_s, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n');
      void released.then(() => {
        res.write('data: {"n":2}\n\n');
        res.end();
      });
    });
    const s = await startLocalStack({ config: { agents: [{ name: 'sse_agent', agentUrl: agent.url }] } });
    const client = new BedrockAgentCoreClient({
      endpoint: s.url,
      region: s.region,
      credentials: s.credentials,
      maxAttempts: 1,
    });
    try {
      const out = await client.send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: `arn:aws:bedrock-agentcore:${s.region}:${s.accountId}:runtime/${s.agents[0]!.id}`,
          payload: Buffer.from('{}'),
          accept: 'text/event-stream',
        }),
      );
      expect(out.contentType).toBe('text/event-stream');
      const it = (out.response as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      const first = await it.next();
      expect(Buffer.from(first.value!).toString()).toBe('data: {"n":1}\n\n');
      release();
      let rest = '';
      for (let r = await it.next(); !r.done; r = await it.next()) rest += Buffer.from(r.value).toString();
      expect(rest).toBe('data: {"n":2}\n\n');
      expect(agent.seen[0]!.headers.accept).toBe('text/event-stream');
    } finally {
      client.destroy();
      await s.close();
      await agent.close();
    }
  });
});
