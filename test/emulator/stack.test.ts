import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { GetWorkloadAccessTokenCommand } from '@aws-sdk/client-bedrock-agentcore';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, Server } from 'node:net';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/emulator/config.js';
import { clientsFor, failure } from './helpers.js';

describe('local stack skeleton', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('binds 127.0.0.1 on an ephemeral port and points every endpoint at one origin', () => {
    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE).toBe(stack.url);
    expect(stack.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL).toBe(stack.url);
    expect(stack.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER).toBe(stack.url);
    expect(stack.env.AWS_REGION).toBe('us-east-1');
  });

  it('answers an unknown route with an AWS-style 404', async () => {
    const res = await fetch(`${stack.url}/no/such/operation`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('has an admin switch for faults', async () => {
    const put = await fetch(`${stack.url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'throttle', count: 1 }),
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { rules: unknown[] }).rules).toEqual([{ kind: 'throttle', count: 1 }]);
    const first = await fetch(`${stack.url}/no/such/operation`, { method: 'POST', body: '{}' });
    expect(first.status).toBe(429);
    expect(first.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
    const second = await fetch(`${stack.url}/no/such/operation`, { method: 'POST', body: '{}' });
    expect(second.status).toBe(404);
    const bad = await fetch(`${stack.url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'explode' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe('rule.kind: must be throttle, error or drop');
  });
});

describe('start-up', () => {
  // The identity half and the sample agent start concurrently: when one fails, what the others opened is closed.
  it('a stack that cannot start (its 3LO port is taken) rejects and leaves no listener behind', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    // Every server the failed start opens (http.Server is a net.Server), whatever other test files do meanwhile.
    const listen = vi.spyOn(Server.prototype, 'listen');
    try {
      await expect(startLocalStack({ port: 0, threeLoPort: port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const opened = listen.mock.contexts as Server[];
      // the stack, the sample agent, the 3LO provider (the one that failed)
      expect(opened.length).toBeGreaterThanOrEqual(3);
      expect(opened.filter((srv) => srv.listening)).toEqual([]);
    } finally {
      listen.mockRestore();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('fault injection (client retries can be tested)', () => {
  let s: LocalStack;
  beforeAll(async () => {
    s = await startLocalStack({
      config: { faults: { rules: [{ kind: 'throttle', count: 2, match: 'GetWorkloadAccessToken' }] } },
    });
  });
  afterAll(() => s.close());
  // Attempts are counted, not waited for: no backoff sleeps (the SDK's own strategy otherwise).
  const call = (maxAttempts: number) =>
    clientsFor(s, { maxAttempts, noBackoff: true }).data.send(
      new GetWorkloadAccessTokenCommand({ workloadName: 'local-workload' }),
    );

  it('config: the next 2 calls are throttled; the SDK retries through them', async () => {
    const r = await call(3);
    expect(r.$metadata.attempts).toBe(3);
    expect(s.faults.injected.throttle).toBe(2);
  });

  it('admin switch: 5xx, then drop, each retried by the SDK', async () => {
    await fetch(`${s.url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'error', status: 503, count: 1 }),
    });
    const r = await call(2);
    expect(r.$metadata.attempts).toBe(2);
    const once = await fetch(`${s.url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'error', count: 1, match: '/identities/' }),
    });
    expect(once.status).toBe(200);
    const f = await failure(call(1));
    expect(f).toMatchObject({ name: 'InternalServerException', status: 500, message: 'Internal server error' });
    await fetch(`${s.url}/_local/faults`, { method: 'POST', body: JSON.stringify({ kind: 'drop', count: 1 }) });
    const d = await call(2);
    expect(d.$metadata.attempts).toBe(2);
  });

  it(
    'throttling without retries surfaces as ThrottlingException (429); Cognito gets ' + 'TooManyRequestsException',
    async () => {
      await fetch(`${s.url}/_local/faults`, {
        method: 'PUT',
        body: JSON.stringify({ rules: [{ kind: 'throttle', count: 2 }] }),
      });
      const f = await failure(call(1));
      expect(f).toMatchObject({ name: 'ThrottlingException', status: 429, message: 'Rate exceeded' });
      const g = await failure(
        clientsFor(s).cognito.send(
          new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'x', AuthParameters: {} }),
        ),
      );
      expect(g).toMatchObject({ name: 'TooManyRequestsException', message: 'Rate exceeded' });
    },
  );

  it('latency is added to matching calls; DELETE clears everything', async () => {
    await fetch(`${s.url}/_local/faults`, {
      method: 'PUT',
      body: JSON.stringify({ latencyMs: 150, latencyMatch: 'GetWorkloadAccessToken' }),
    });
    const t0 = Date.now();
    await call(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const cleared = await (await fetch(`${s.url}/_local/faults`, { method: 'DELETE' })).json();
    expect(cleared).toMatchObject({ rules: [], latencyMs: 0 });
  });
});

describe('config', () => {
  it('a pool without app clients still starts: the seeded JWT agents and gateway check the issuer only', async () => {
    // Found by local-config.property.test.ts: allowedClients [""] made the seeded gateway an internal error (exit 1).
    const stack = await startLocalStack({ config: { userPool: { clients: [] } } });
    try {
      const jwt = stack.agents.find((a) => a.name === 'jwt_agent');
      expect(jwt?.authorizerConfiguration?.customJWTAuthorizer).not.toHaveProperty('allowedClients');
      expect(stack.gateways.length).toBeGreaterThan(0);
    } finally {
      await stack.close();
    }
  });

  it.each([
    [{ region: 'mars' }, 'region: must match an AWS region such as us-east-1'],
    [{ userPool: { users: [{ username: 'x' }] } }, 'userPool.users[0].password: required string'],
    [{ workloadIdentities: [{ name: 'ab' }] }, 'workloadIdentities[0].name: must be at least 3 characters'],
    [
      { workloadIdentities: [{ name: 'w-1', allowedResourceOauth2ReturnUrls: ['no url'] }] },
      'workloadIdentities[0].allowedResourceOauth2ReturnUrls[0]: must match ^\\w+:(\\/?\\/?)[^\\s]+$',
    ],
    [
      { oauth2Providers: [{ name: 'p', idp: 'userPool', client: 'nope' }] },
      'oauth2Providers[0].client: no user pool client named "nope"',
    ],
    [
      { oauth2Providers: [{ name: 'p' }] },
      'oauth2Providers[0]: give exactly one of idp (userPool | threeLo), discoveryUrl, authorizationServerMetadata',
    ],
    [{ faults: { rules: [{ kind: 'boom' }] } }, 'faults.rules[0].kind: must be throttle, error or drop'],
    [
      { colour: 'blue' },
      // a prefix: every section of the config file is listed, and each round adds some
      'colour: unknown key (expected one of: region, accountId, credentials, autoConsent, threeLo, userPool, ',
    ],
    // keys other than plain names are quoted: the field still ends where its ': ' does
    [{ apiKeyProviders: [{ ':': false }] }, 'apiKeyProviders[0].":": unknown key (expected one of: name, apiKey)'],
    [{ apiKeyProviders: [{ '': 1 }] }, 'apiKeyProviders[0]."": unknown key'],
    [
      { userPool: { users: [{ username: 'u', password: 'Pw-u-Aa1!x', attributes: { 'custom:team': 5 } }] } },
      'userPool.users[0].attributes."custom:team": required string',
    ],
    [
      { lambdas: { 'arn:aws:lambda:us-east-1:123456789012:function:f': 5 } },
      'lambdas."arn:aws:lambda:us-east-1:123456789012:function:f": required string',
    ],
    [{ agents: [{ 'a: b': 1 }] }, 'agents[0]."a: b": unknown field'],
    [{ policyEngines: [{ 'x y': 1 }] }, 'policyEngines[0]."x y": unknown key'],
    [{ gateways: [{ ':': 1 }] }, 'gateways[0].":": unknown field'],
  ])('names the field: %j', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(message);
  });

  it('loads JSON and YAML files; reports unreadable and malformed files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aca-cfg-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ accountId: '111122223333' }));
    writeFileSync(join(dir, 'b.yaml'), 'accountId: "444455556666"\nautoConsent: true\n');
    writeFileSync(join(dir, 'c.yaml'), 'userPool: [unclosed\n');
    expect((await loadConfigFile(join(dir, 'a.json'))).accountId).toBe('111122223333');
    expect(await loadConfigFile(join(dir, 'b.yaml'))).toMatchObject({ accountId: '444455556666', autoConsent: true });
    await expect(loadConfigFile(join(dir, 'c.yaml'))).rejects.toThrow(
      /--config: .*c\.yaml is not valid YAML: .*column \d+$/,
    );
    await expect(loadConfigFile(join(dir, 'missing.yaml'))).rejects.toThrow(
      /--config: cannot read .*missing\.yaml: no such file/,
    );
  });
});
