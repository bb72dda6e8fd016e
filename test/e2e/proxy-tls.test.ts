/**
 * HTTPS_PROXY with HTTPS targets (issue 28, item 3), through the built binary: the local stack behind a TLS front
 * for `agentcore.test` (test/fixtures/agentcore-test.crt, trusted through NODE_EXTRA_CA_CERTS, which only a new
 * process reads), addressed through a forward proxy that alone resolves that name. Every kind of outbound call goes
 * through a CONNECT tunnel and TLS to the service: the AWS SDK (Cognito InitiateAuth, InvokeAgentRuntime), the OAuth
 * token endpoint (openid-client's customFetch) and a gateway's MCP endpoint (raw fetch).
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { startForwardProxy, type ForwardProxy } from '../fixtures/forward-proxy.js';
import { runBuiltCli } from '../helpers/bin.js';

const CERT = new URL('../fixtures/agentcore-test.crt', import.meta.url).pathname;
const KEY = new URL('../fixtures/agentcore-test.key', import.meta.url).pathname;

let stack: LocalStack;
let proxy: ForwardProxy;
let front: tls.Server;
let origin: string;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  const stackPort = Number(new URL(stack.url).port);
  // TLS for agentcore.test in front of the stack: each connection decrypted and piped to it.
  front = tls.createServer({ key: readFileSync(KEY), cert: readFileSync(CERT) }, (socket) => {
    const upstream = net.connect(stackPort, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  origin = `https://agentcore.test:${(front.address() as net.AddressInfo).port}`;
  proxy = await startForwardProxy({ hosts: { 'agentcore.test': '127.0.0.1' } });
  const endpoints = Object.fromEntries(
    Object.entries(stack.env).map(([k, v]) => [k, k.startsWith('AWS_ENDPOINT_URL') ? origin : v]),
  );
  const home = mkdtempSync(join(tmpdir(), 'aca-proxy-tls-'));
  env = { ...endpoints, HOME: home, NO_COLOR: '1', HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: CERT };
});
afterAll(async () => {
  await proxy?.close();
  await new Promise<void>((r) => (front ? front.close(() => r()) : r()));
  await stack?.close();
});

it('SDK, OAuth token endpoint and gateway calls: all through CONNECT tunnels to https://agentcore.test', async () => {
  const client = stack.userPool.clients.find((c) => !c.clientSecret)!;
  const user = stack.userPool.users.find((u) => !u.temporaryPassword)!;
  const login = await runBuiltCli(
    ['login', '--client-id', client.clientId, '--username', user.username, '--password', user.password, '--verbose'],
    env,
  );
  expect(login.code, login.stderr).toBe(0);
  expect(login.stderr).toContain(`via proxy ${proxy.url}`);

  const m2m = stack.userPool.clients.find(
    (c) => c.clientSecret && c.allowedOAuthFlows?.includes('client_credentials'),
  )!;
  const cc = await runBuiltCli(
    [
      'login',
      '--auth-flow',
      'client-credentials',
      '--token-endpoint',
      `${origin}/oauth2/token`,
      '--client-id',
      m2m.clientId,
      '--client-secret-stdin',
      '--save-as',
      'm2m',
      '--verbose',
    ],
    env,
    m2m.clientSecret!,
  );
  expect(cc.code, cc.stderr).toBe(0);
  expect(cc.stderr).toMatch(new RegExp(`→ POST ${origin}/oauth2/token.*via proxy ${proxy.url}`));

  const gateway = `${origin}/gateways/${stack.gateways[0]!.gatewayId}/mcp`;
  const mcp = await runBuiltCli(['mcp', '--gateway-url', gateway, '--bearer'], env);
  expect(mcp.code, mcp.stderr).toBe(0);

  const agent = stack.agents.find((a) => a.name === 'sigv4_agent')!;
  const arn = `arn:aws:bedrock-agentcore:us-east-1:${stack.accountId}:runtime/${agent.id}`;
  const invoke = await runBuiltCli(['invoke', arn, '{}', '--user-id', 'alice'], env);
  expect(invoke.code, invoke.stderr).toBe(0);

  const tunnels = proxy.log.filter((l) => l === `CONNECT ${new URL(origin).host}`);
  expect(tunnels.length).toBeGreaterThanOrEqual(4);
  expect(proxy.log.every((l) => l.startsWith('CONNECT '))).toBe(true);
});
