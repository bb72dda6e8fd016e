/**
 * The built-in sample agent behind the seeded agents of a default stack: who called, the SigV4-without-user-id
 * message, and the real outbound 3LO dance (GetResourceOauth2Token through the SDK with its workload token, the
 * authorization URL streamed back, consent at the stack's 3LO provider, CompleteResourceTokenAuth, then the token's
 * fingerprint) — for a SigV4 caller with a user id and for a JWT caller.
 */
import {
  CompleteResourceTokenAuthCommand,
  GetWorkloadAccessTokenForUserIdCommand,
  InvokeAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS, MESSAGES } from '../../src/wire.js';
import { startSampleAgent } from '../../src/emulator/agent/index.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, follow } from './helpers.js';
import { stackUserTokens } from '../fixtures/stack-users.js';

let stack: LocalStack;
let clients: ReturnType<typeof clientsFor>;
let tokens: { accessToken: string; idToken: string; clientId: string };

beforeAll(async () => {
  stack = await startLocalStack({ autoConsent: true });
  clients = clientsFor(stack);
  tokens = await stackUserTokens(stack, 'alice');
});
afterAll(async () => {
  clients?.data.destroy();
  await stack?.close();
});

const agent = (name: string) => stack.agents.find((a) => a.name === name)!;
const arn = (name: string) => `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${agent(name).id}`;

/** SSE events of a response body. */
async function events(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  onEvent?: (e: Record<string, any>) => Promise<void>,
): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  let buf = '';
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    buf += Buffer.from(chunk).toString('utf8');
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (!data) continue;
      const e = JSON.parse(data) as Record<string, any>;
      out.push(e);
      await onEvent?.(e);
    }
  }
  return out;
}

describe('seeded agents and the stack user pool', () => {
  it(
    'jwt_agent takes the access token; jwt_aud_agent takes the ID token and refuses the access token (the ' +
      'classic mistake)',
    async () => {
      const call = (name: string, token: string) =>
        fetch(`${stack.url}/runtimes/${encodeURIComponent(arn(name))}/invocations?qualifier=DEFAULT`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            [`${HEADERS.customPrefix}Tenant`]: 'acme',
          },
          body: '{"prompt":"hello"}',
        });
      const ok = await call('jwt_agent', tokens.accessToken);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as Record<string, any>;
      expect(body).toMatchObject({
        caller: { sub: expect.any(String) },
        workloadAccessToken: { received: true, workload: agent('jwt_agent').workloadName },
        customHeaders: { 'x-amzn-bedrock-agentcore-runtime-custom-tenant': 'acme' },
      });
      expect(body.authorizationHeader).toMatchObject({ received: true }); // Authorization is allow-listed on jwt_agent
      const id = await call('jwt_agent', tokens.idToken);
      expect(id.status).toBe(401);
      expect(await id.json()).toMatchObject({ error: { message: MESSAGES.claimMismatch('client_id') } });
      const aud = await call('jwt_aud_agent', tokens.idToken);
      expect(aud.status).toBe(200);
      expect(((await aud.json()) as Record<string, any>).authorizationHeader).toMatchObject({ received: true });
      const wrong = await call('jwt_aud_agent', tokens.accessToken);
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ error: { code: -32001, message: MESSAGES.claimMismatch('aud') } });
    },
  );
});

describe('who am I: the caller from the allow-listed Authorization header (issue 12)', () => {
  const claimsOf = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
  const whoami = async (name: string, token: string) => {
    const res = await fetch(`${stack.url}/runtimes/${encodeURIComponent(arn(name))}/invocations?qualifier=DEFAULT`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"action":"whoami"}',
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as Record<string, any>).caller;
  };

  it('a Cognito access token: sub, username, client_id and scope', async () => {
    const c = claimsOf(tokens.accessToken);
    expect(await whoami('jwt_agent', tokens.accessToken)).toEqual({
      sub: c.sub,
      username: 'alice',
      client_id: tokens.clientId,
      scope: c.scope,
      source: 'Authorization header (allow-listed)',
    });
  });

  it('a Cognito ID token: sub, cognito:username and email', async () => {
    const c = claimsOf(tokens.idToken);
    expect(await whoami('jwt_aud_agent', tokens.idToken)).toEqual({
      sub: c.sub,
      'cognito:username': 'alice',
      email: 'alice@example.com',
      source: 'Authorization header (allow-listed)',
    });
  });
});

describe('sample agent asks for a provider token (3LO) like a real agent', () => {
  it(
    'SigV4 + user id: streams the authorization URL, then the token fingerprint once the user consents and ' +
      'the session is bound',
    async () => {
      const out = await clients.data.send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: arn('sigv4_agent'),
          runtimeUserId: 'erin',
          runtimeSessionId: `s-${randomUUID()}`,
          contentType: 'application/json',
          accept: 'text/event-stream',
          payload: Buffer.from(
            JSON.stringify({ action: 'token', provider: 'local-3lo', scopes: ['api:read'], wait: 20 }),
          ),
        }),
      );
      expect(out.contentType).toBe('text/event-stream');
      const seen = await events(out.response as unknown as AsyncIterable<Uint8Array>, async (e) => {
        if (e.type !== 'authorizationUrl') return;
        // The user opens the URL (auto-consent at the 3LO provider) and lands on the agent's OAuth2CallbackUrl;
        // that app binds the session to the same user id.
        const back = new URL((await follow(e.authorizationUrl)).finalUrl);
        expect(back.origin + back.pathname).toBe(agent('sigv4_agent').oauth2CallbackUrl);
        await clients.data.send(
          new CompleteResourceTokenAuthCommand({
            sessionUri: back.searchParams.get('session_id')!,
            userIdentifier: { userId: 'erin' },
          }),
        );
      });
      expect(seen.map((e) => e.type)).toEqual(['authorizationUrl', 'token']);
      expect(seen[1]).toMatchObject({
        provider: 'local-3lo',
        flow: 'USER_FEDERATION',
        fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
      });
      // Bound now: the next request gets the token at once.
      const again = await clients.data.send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn: arn('sigv4_agent'),
          runtimeUserId: 'erin',
          payload: Buffer.from(JSON.stringify({ action: 'token', provider: 'local-3lo', scopes: ['api:read'] })),
        }),
      );
      expect(JSON.parse(await again.response!.transformToString())).toEqual(seen[1]);
    },
  );

  it(
    'JWT caller: without waiting the JSON answer carries the URL; bound with the same JWT the ' + 'token follows',
    async () => {
      const ask = () =>
        fetch(`${stack.url}/runtimes/${encodeURIComponent(arn('jwt_agent'))}/invocations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'token', provider: 'local-3lo', scopes: ['api:read'] }),
        }).then((r) => r.json() as Promise<Record<string, any>>);
      const first = await ask();
      expect(first).toMatchObject({
        type: 'authorizationUrl',
        sessionUri: expect.stringMatching(/^urn:ietf:params:oauth:request_uri:/),
      });
      const back = new URL((await follow(first.authorizationUrl)).finalUrl);
      await clients.data.send(
        new CompleteResourceTokenAuthCommand({
          sessionUri: back.searchParams.get('session_id')!,
          userIdentifier: { userToken: tokens.accessToken },
        }),
      );
      expect(await ask()).toMatchObject({ type: 'token', fingerprint: expect.stringMatching(/^sha256:/) });
    },
  );

  it('SigV4 without a user id: the AgentCore SDK message, as an agent would surface it', async () => {
    const out = await clients.data.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn: arn('sigv4_agent'),
        payload: Buffer.from('{"action":"token","provider":"local-3lo"}'),
      }),
    );
    expect(JSON.parse(await out.response!.transformToString())).toEqual({
      type: 'error',
      error: 'WorkloadAccessTokenNotSet',
      message: MESSAGES.watNotSet,
    });
  });

  it('an unknown provider comes back as the service error, and an API key only as a fingerprint', async () => {
    const call = (payload: unknown) =>
      clients.data
        .send(
          new InvokeAgentRuntimeCommand({
            agentRuntimeArn: arn('sigv4_agent'),
            runtimeUserId: 'erin',
            payload: Buffer.from(JSON.stringify(payload)),
          }),
        )
        .then(async (o) => JSON.parse(await o.response!.transformToString()) as Record<string, any>);
    expect(await call({ action: 'token', provider: 'nope' })).toMatchObject({
      type: 'error',
      error: 'ResourceNotFoundException',
      status: 404,
    });
    const key = await call({ action: 'apikey', provider: 'local-api-key' });
    expect(key).toMatchObject({
      type: 'apiKey',
      provider: 'local-api-key',
      fingerprint: expect.stringMatching(/^sha256:/),
    });
    expect(JSON.stringify(key)).not.toContain('sk-local-');
  });

  it("an agent's workload identity is linked to its runtime: callers cannot mint tokens for it", async () => {
    await expect(
      clients.data.send(
        new GetWorkloadAccessTokenForUserIdCommand({
          workloadName: agent('sigv4_agent').workloadName,
          userId: 'alice',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: MESSAGES.workloadLinkedToService,
    });
  });

  it('a streamed reply arrives as SSE events', async () => {
    const out = await clients.data.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn: arn('sigv4_agent'),
        accept: 'text/event-stream',
        payload: Buffer.from('{"action":"stream","count":4,"delayMs":1}'),
      }),
    );
    const seen = await events(out.response as unknown as AsyncIterable<Uint8Array>);
    expect(seen).toEqual([1, 2, 3, 4].map((i) => ({ type: 'chunk', index: i, of: 4 })));
  });
});

describe('sample agent on its own', () => {
  it('speaks the container contract: GET /ping, POST /invocations, nothing else', async () => {
    const a = await startSampleAgent({ endpoint: stack.url, region: stack.region, credentials: stack.credentials });
    try {
      expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ping = await fetch(`${a.url}/ping`);
      expect(await ping.json()).toMatchObject({ status: 'Healthy', time_of_last_update: expect.any(Number) });
      expect((await fetch(`${a.url}/other`)).status).toBe(404);
      const direct = await fetch(`${a.url}/invocations`, { method: 'POST', body: 'plain text prompt' });
      expect(await direct.json()).toMatchObject({
        prompt: 'plain text prompt',
        caller: null,
        workloadAccessToken: { received: false },
      });
      const fail = await fetch(`${a.url}/invocations`, { method: 'POST', body: '{"action":"fail","status":503}' });
      expect(fail.status).toBe(503);
      expect(a.invocations).toBe(2);
    } finally {
      await a.close();
    }
  });

  it('stops waiting for consent when the caller hangs up', async () => {
    const a = await startSampleAgent({
      endpoint: stack.url,
      region: stack.region,
      credentials: stack.credentials,
      pollSeconds: 0.2,
    });
    try {
      const wat = stack.state.mintWat({
        workloadName: agent('sigv4_agent').workloadName,
        userId: 'zed',
        userKey: 'id:zed',
      });
      const written: string[] = [];
      const sink = {
        destroyed: false,
        writeHead: () => undefined,
        write(chunk: string) {
          written.push(chunk);
          this.destroyed = true; // the caller leaves after the first event
        },
        end: () => undefined,
      };
      // wait: 30 s is longer than the test may take: the invoke ends only because the caller left.
      await a.invoke(
        {
          method: 'POST',
          path: '/invocations',
          headers: {
            workloadaccesstoken: wat,
            accept: 'text/event-stream',
            oauth2callbackurl: agent('sigv4_agent').oauth2CallbackUrl!,
          },
          body: Buffer.from(JSON.stringify({ action: 'token', provider: 'local-3lo', wait: 30 })),
        },
        sink,
      );
      expect(written).toHaveLength(1);
      expect(written[0]).toContain('"type":"authorizationUrl"');
    } finally {
      await a.close();
    }
  });

  it('behind --agent-url it is reached over HTTP with the same answer shape as in-process', async () => {
    const a = await startSampleAgent({ endpoint: stack.url, region: stack.region, credentials: stack.credentials });
    const s = await startLocalStack({ agentUrls: [`sigv4_agent=${a.url}`] });
    const c = clientsFor(s);
    try {
      const sessionId = `s-${randomUUID()}`;
      const call = async (target: LocalStack) => {
        const id = target.agents.find((x) => x.name === 'sigv4_agent')!.id;
        const out = await (target === s ? c : clients).data.send(
          new InvokeAgentRuntimeCommand({
            agentRuntimeArn: `arn:aws:bedrock-agentcore:${target.region}:${target.accountId}:runtime/${id}`,
            runtimeUserId: 'frank',
            runtimeSessionId: sessionId,
            payload: Buffer.from('{"prompt":"x"}'),
          }),
        );
        return JSON.parse(await out.response!.transformToString()) as Record<string, any>;
      };
      const overHttp = await call(s);
      const inProcess = await call(stack);
      expect(a.invocations).toBe(1);
      expect(overHttp).toMatchObject({
        sessionId,
        prompt: 'x',
        workloadAccessToken: { received: true },
        oauth2CallbackUrl: inProcess.oauth2CallbackUrl,
      });
      // The standalone agent cannot resolve the other stack's WAT (a real agent never can): no user shown from it.
      expect(overHttp.caller).toBeNull();
      expect(inProcess).toMatchObject({ sessionId, caller: { userId: 'frank' } });
      expect(Object.keys(overHttp).sort()).toEqual(Object.keys(inProcess).sort());
    } finally {
      c.data.destroy();
      await s.close();
      await a.close();
    }
  });
});
