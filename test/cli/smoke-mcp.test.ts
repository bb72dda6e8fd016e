/**
 * `mcp` steps in a scenario, against the seeded gateway of the local stack: list tools, call one with an object
 * input (passed as JSON), and the gateway's authorizer refusing the ID token.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { runCommand } from '../helpers/context.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
});
afterAll(async () => {
  await stack?.close();
});

it('runs mcp steps through the gateway: tools/list, tools/call with a JSON input, and a refused ID token', async () => {
  const app = stack.userPool.clients.find((c) => c.clientSecret)!;
  const alice = stack.userPool.users.find((u) => !u.temporaryPassword)!;
  const dir = mkdtempSync(join(tmpdir(), 'aca-smoke-mcp-'));
  writeFileSync(
    join(dir, 'mcp.yaml'),
    `name: gateway
steps:
  - login:
      user-pool-id: \${env:POOL_ID}
      client-id: \${env:CLIENT_ID}
      client-secret: \${env:CLIENT_SECRET}
      username: \${env:USER_NAME}
      password: \${env:USER_PASSWORD}
      cache: false
  - id: tools
    mcp: { gateway-url: "\${env:GATEWAY_URL}", bearer-token: "\${steps.login.accessToken}" }
    expect:
      json: { serverInfo.name: local-gateway, "tools[1].name": echo___inspect }
  - id: call
    mcp:
      gateway-url: \${env:GATEWAY_URL}
      bearer-token: \${steps.login.accessToken}
      call: \${steps.tools.tools[1].name}
      input: { note: from smoke }
    expect: { contains: from smoke }
  - id: id-token
    mcp: { gateway-url: "\${env:GATEWAY_URL}", bearer-token: "\${steps.login.idToken}" }
    expect: deny
`,
  );
  const r = await runCommand(['smoke', 'mcp.yaml', '--json'], {
    cwd: dir,
    env: {
      ...stack.env,
      POOL_ID: stack.userPool.id,
      CLIENT_ID: app.clientId,
      CLIENT_SECRET: app.clientSecret!,
      USER_NAME: alice.username,
      USER_PASSWORD: alice.password,
      GATEWAY_URL: stack.gateways[0]!.gatewayUrl,
    },
  });
  if (r.code !== 0) console.log(r.stdout, r.stderr);
  expect(r.code).toBe(0);
  const recs = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(recs.map((x) => [x.id ?? x.type, x.status ?? x.exitCode])).toEqual([
    ['login', 'pass'],
    ['tools', 'pass'],
    ['call', 'pass'],
    ['id-token', 'pass'],
    ['summary', 0],
  ]);
  expect(recs[2]!.command).toMatch(/ --call echo___inspect --input '\{"note":"from smoke"\}'$/);
  expect(recs[3]!.exitCode).toBe(4);
  expect(r.stdout).not.toContain(app.clientSecret!);
  expect(r.stdout).not.toContain(alice.password);
});
