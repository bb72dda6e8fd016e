/**
 * The CLI against every inbound × outbound combination the table allows, on the local stack: `mcp --gateway-id`
 * (--auth auto from the gateway's authorizerType) for MCP targets, `invoke --gateway-id/--gateway-url --target` for
 * HTTP targets, each checked by what the target reports it received. Targets are the user's own: an MCP server on
 * the official SDK, a Lambda endpoint speaking the RIE contract, a plain HTTP API, the stack's runtime agents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/core/redact.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import {
  providerArn,
  startHttpEcho,
  startMcpToolServer,
  startPassCallerTokenLambda,
  startUserLambda,
  type McpToolServer,
  type UserLambda,
} from '../fixtures/gateway.js';
import { stackUserTokens } from '../fixtures/stack-users.js';
import { runCommand } from '../helpers/context.js';
import { arrowLines } from '../helpers/diagram.js';

let stack: LocalStack;
let tools: McpToolServer;
let fn: UserLambda;
let interceptor: UserLambda;
let api: Awaited<ReturnType<typeof startHttpEcho>>;
let token: string;

const runtime = (id: string) => ({
  http: { agentcoreRuntime: { arn: `arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/${id}` } },
});
const cred = (type: string, provider?: Record<string, unknown>) => [
  { credentialProviderType: type, ...(provider ? { credentialProvider: provider } : {}) },
];
const oauthCc = { oauthCredentialProvider: { providerArn: providerArn('local-m2m'), scopes: ['agentcore/invoke'] } };
const apiKey = {
  apiKeyCredentialProvider: {
    providerArn: providerArn('local-api-key', 'apikey'),
    credentialParameterName: 'x-api-key',
  },
};
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:tools';
const INTERCEPTOR = 'arn:aws:lambda:us-east-1:123456789012:function:guard';

beforeAll(async () => {
  [tools, fn, api, interceptor] = await Promise.all([
    startMcpToolServer(),
    startUserLambda((event) => ({ got: event })),
    startHttpEcho(),
    startPassCallerTokenLambda('none-of-these___'),
  ]);
  const mcp = { mcp: { mcpServer: { endpoint: tools.url } } };
  stack = await startLocalStack({
    config: {
      lambdas: { [LAMBDA]: fn.url, [INTERCEPTOR]: interceptor.url },
      gateways: [
        {
          name: 'jwt-gw',
          gatewayId: 'jwt-gw-aaaaaaaaaa',
          interceptorConfigurations: [
            {
              interceptor: { lambda: { arn: INTERCEPTOR } },
              interceptionPoints: ['REQUEST'],
              inputConfiguration: { passRequestHeaders: true },
            },
          ],
          targets: [
            { name: 'none', targetConfiguration: mcp },
            {
              name: 'role',
              targetConfiguration: mcp,
              credentialProviderConfigurations: cred('GATEWAY_IAM_ROLE', {
                iamCredentialProvider: { service: 'execute-api' },
              }),
            },
            { name: 'cc', targetConfiguration: mcp, credentialProviderConfigurations: cred('OAUTH', oauthCc) },
            { name: 'key', targetConfiguration: mcp, credentialProviderConfigurations: cred('API_KEY', apiKey) },
            {
              name: 'fn',
              targetConfiguration: {
                mcp: {
                  lambda: {
                    lambdaArn: LAMBDA,
                    toolSchema: {
                      inlinePayload: [{ name: 'echo', description: 'e', inputSchema: { type: 'object' } }],
                    },
                  },
                },
              },
            },
            {
              name: 'agent-role',
              targetConfiguration: runtime('sigv4_agent-local00001'),
              credentialProviderConfigurations: cred('GATEWAY_IAM_ROLE'),
            },
            {
              name: 'agent-cc',
              targetConfiguration: runtime('jwt_agent-local00002'),
              credentialProviderConfigurations: cred('OAUTH', oauthCc),
            },
            {
              name: 'agent-jwt',
              targetConfiguration: runtime('jwt_agent-local00002'),
              credentialProviderConfigurations: cred('JWT_PASSTHROUGH'),
            },
            {
              name: 'api-key',
              targetConfiguration: { http: { passthrough: { endpoint: api.url, protocolType: 'CUSTOM' } } },
              credentialProviderConfigurations: cred('API_KEY', apiKey),
            },
          ],
        },
        {
          name: 'iam-gw',
          gatewayId: 'iam-gw-bbbbbbbbbb',
          authorizerType: 'AWS_IAM',
          targets: [
            { name: 'none', targetConfiguration: mcp },
            {
              name: 'agent-role',
              targetConfiguration: runtime('sigv4_agent-local00001'),
              credentialProviderConfigurations: cred('GATEWAY_IAM_ROLE'),
            },
            {
              name: 'agent-caller',
              targetConfiguration: runtime('sigv4_agent-local00001'),
              credentialProviderConfigurations: cred('CALLER_IAM_CREDENTIALS'),
            },
          ],
        },
        {
          name: 'authn-gw',
          gatewayId: 'authn-gw-cccccccccc',
          authorizerType: 'AUTHENTICATE_ONLY',
          targets: [
            { name: 'none', targetConfiguration: mcp },
            {
              name: 'agent-caller',
              targetConfiguration: runtime('sigv4_agent-local00001'),
              credentialProviderConfigurations: cred('CALLER_IAM_CREDENTIALS'),
            },
          ],
        },
        {
          name: 'open-gw',
          gatewayId: 'open-gw-dddddddddd',
          authorizerType: 'NONE',
          targets: [
            { name: 'none', targetConfiguration: mcp },
            {
              name: 'agent-jwt',
              targetConfiguration: runtime('jwt_agent-local00002'),
              credentialProviderConfigurations: cred('JWT_PASSTHROUGH'),
            },
          ],
        },
      ],
    },
  });
  token = (await stackUserTokens(stack, 'alice')).accessToken;
});

afterAll(async () => {
  await stack?.close();
  await Promise.all([tools?.close(), fn?.close(), api?.close(), interceptor?.close()]);
});

const run = (argv: string[]) => runCommand(argv, { env: stack.env });
const mcpCall = (gateway: string, tool: string, auth: string[]) =>
  run(['mcp', '--gateway-id', gateway, '--auth', 'auto', ...auth, '--call', tool, '--json']);
const invoke = (gateway: string, target: string, auth: string[], payload = '{"action":"whoami"}') =>
  run(['invoke', '--gateway-id', gateway, '--target', target, '--auth', 'auto', ...auth, payload, '--json']);

describe('MCP targets through `mcp --gateway-id --auth auto`', () => {
  const bearer = () => ['--bearer-token', token];
  it.each([
    ['CUSTOM_JWT', 'none', 'jwt-gw-aaaaaaaaaa', 'none___whoami', '"authorization":null'],
    ['CUSTOM_JWT', 'GATEWAY_IAM_ROLE', 'jwt-gw-aaaaaaaaaa', 'role___whoami', '"execute-api"'],
    ['CUSTOM_JWT', 'OAUTH client credentials', 'jwt-gw-aaaaaaaaaa', 'cc___whoami', '"scheme":"Bearer"'],
    ['CUSTOM_JWT', 'API_KEY', 'jwt-gw-aaaaaaaaaa', 'key___whoami', '"x-api-key"'],
    ['CUSTOM_JWT', 'Lambda (GATEWAY_IAM_ROLE)', 'jwt-gw-aaaaaaaaaa', 'fn___echo', '{\\"got\\":{\\"x\\":1}}'],
    ['AWS_IAM', 'none', 'iam-gw-bbbbbbbbbb', 'none___add', '"text":"0"'],
    ['AUTHENTICATE_ONLY', 'none', 'authn-gw-cccccccccc', 'none___add', '"text":"0"'],
    ['NONE', 'none', 'open-gw-dddddddddd', 'none___add', '"text":"0"'],
  ])('%s inbound, %s outbound', async (inbound, _outbound, gateway, tool, evidence) => {
    const r = await run([
      'mcp',
      '--gateway-id',
      gateway,
      '--auth',
      'auto',
      ...(inbound === 'CUSTOM_JWT' ? bearer() : []),
      '--call',
      tool,
      '--input',
      tool === 'fn___echo' ? '{"x":1}' : '{}',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(evidence);
    expect(r.stderr).not.toContain(token);
  });

  it(
    '--auth auto reads the authorizerType: a bearer token to an AWS_IAM gateway is refused ' + 'before any call',
    async () => {
      const r = await mcpCall('iam-gw-bbbbbbbbbb', 'none___add', ['--bearer-token', token]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('expects SigV4');
    },
  );
});

describe('HTTP targets through `invoke --gateway-id --target`', () => {
  const sameUser = (out: string) => expect(out).toContain(fingerprint(token));
  it.each([
    [
      'CUSTOM_JWT',
      'GATEWAY_IAM_ROLE',
      'jwt-gw-aaaaaaaaaa',
      'agent-role',
      true,
      (o: string) => expect(o).toContain('"status":200'),
    ],
    [
      'CUSTOM_JWT',
      'OAUTH client credentials',
      'jwt-gw-aaaaaaaaaa',
      'agent-cc',
      true,
      (o: string) => expect(o).not.toContain(fingerprint(token)),
    ],
    ['CUSTOM_JWT', 'JWT_PASSTHROUGH', 'jwt-gw-aaaaaaaaaa', 'agent-jwt', true, sameUser],
    [
      'AWS_IAM',
      'GATEWAY_IAM_ROLE',
      'iam-gw-bbbbbbbbbb',
      'agent-role',
      false,
      (o: string) => expect(o).toContain('"status":200'),
    ],
    [
      'AWS_IAM',
      'CALLER_IAM_CREDENTIALS',
      'iam-gw-bbbbbbbbbb',
      'agent-caller',
      false,
      (o: string) => expect(o).toContain('"status":200'),
    ],
    [
      'AUTHENTICATE_ONLY',
      'CALLER_IAM_CREDENTIALS',
      'authn-gw-cccccccccc',
      'agent-caller',
      false,
      (o: string) => expect(o).toContain('"status":200'),
    ],
    ['NONE', 'JWT_PASSTHROUGH', 'open-gw-dddddddddd', 'agent-jwt', true, sameUser],
  ])('%s inbound, %s outbound', async (_inbound, _outbound, gateway, target, withBearer, check) => {
    const r = await invoke(gateway, target, withBearer ? ['--bearer-token', token] : []);
    expect(r.code, r.stderr).toBe(0);
    check(r.stdout);
  });

  it('a passthrough target with an API key, by --gateway-url and --target-path', async () => {
    const url = stack.gateways.find((g) => g.name === 'jwt-gw')!.gatewayUrl;
    const r = await run([
      'invoke',
      '--gateway-url',
      url,
      '--target',
      'api-key',
      '--target-path',
      'v1/things',
      '--bearer-token',
      token,
      '{"a":1}',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: 200,
      body: { method: 'POST', path: '/v1/things', body: { a: 1 } },
    });
    expect(api.seen.at(-1)!.headers['x-api-key']).toBe(stack.config.apiKeyProviders[0]!.apiKey);
  });

  it('refusals: a JWT gateway without a token (exit 4), --target without a gateway (exit 2)', async () => {
    const r = await run([
      'invoke',
      '--gateway-id',
      'jwt-gw-aaaaaaaaaa',
      '--target',
      'agent-jwt',
      '--auth',
      'sigv4',
      '{}',
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the gateway refused the request (401)');
    const usage = await run(['invoke', '--target', 'agent-jwt', '{}']);
    expect(usage.code).toBe(2);
  });
});

describe('doctor --gateway-id', () => {
  it(
    'a healthy gateway: inbound, every target READY with an outbound credential that fits, providers, ' +
      'Lambdas, role',
    async () => {
      const r = await run(['doctor', '--gateway-id', 'jwt-gw-aaaaaaaaaa']);
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toContain('✓ inbound auth: CUSTOM_JWT');
      expect(r.stdout).toContain("✓ the authorizer's discovery document is reachable");
      expect(r.stdout).toContain('✓ target key: outbound API_KEY fits a MCP_SERVER target behind CUSTOM_JWT');
      expect(r.stdout).toContain('✓ target cc: credential provider local-m2m exists');
      expect(r.stdout).toContain(`✓ Lambda ${LAMBDA} has an endpoint on the local stack`);
      expect(r.stdout).toMatch(
        /– the gateway role \S+ needs .*secretsmanager:GetSecretValue.*lambda:InvokeFunction on /,
      );
    },
  );

  it(
    'a sick one: an unmapped interceptor, a missing provider (its target FAILED), no ' + 'authorization at all',
    async () => {
      const { BedrockAgentCoreControlClient, CreateGatewayCommand, CreateGatewayTargetCommand } = await import(
        '@aws-sdk/client-bedrock-agentcore-control'
      );
      const control = new BedrockAgentCoreControlClient({
        region: stack.region,
        endpoint: stack.url,
        credentials: stack.credentials,
      });
      const ghost = 'arn:aws:lambda:us-east-1:123456789012:function:ghost';
      const g = await control.send(
        new CreateGatewayCommand({
          name: 'sick',
          roleArn: 'arn:aws:iam::123456789012:role/r',
          authorizerType: 'NONE',
          interceptorConfigurations: [{ interceptor: { lambda: { arn: ghost } }, interceptionPoints: ['RESPONSE'] }],
        }),
      );
      await control.send(
        new CreateGatewayTargetCommand({
          gatewayIdentifier: g.gatewayId,
          name: 'keyed',
          targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url } } },
          credentialProviderConfigurations: cred('API_KEY', {
            apiKeyCredentialProvider: { providerArn: providerArn('ghost', 'apikey') },
          }) as never,
        }),
      );
      control.destroy();
      await stack.gateways; // the target's catalogue read settles on its own
      const r = await run(['doctor', '--gateway-id', g.gatewayId!, '--json']);
      expect(r.code).toBe(4);
      const checks = (JSON.parse(r.stdout) as { checks: Array<{ id: string; status: string; fix?: string }> }).checks;
      const by = (id: string) => checks.find((c) => c.id === id);
      expect(by('gateway.inbound')).toMatchObject({ status: 'pass' }); // an interceptor is attached
      expect(by('gateway.target.keyed.provider')).toMatchObject({ status: 'fail' });
      expect(by('gateway.lambda.ghost')).toMatchObject({
        status: 'fail',
        fix: `start the stack with --lambda ${ghost}=http://127.0.0.1:PORT`,
      });
    },
  );
});

describe('--diagram: caller → gateway → interceptor → Identity → target, with what the target received', () => {
  it("JWT passthrough: the caller's own token reaches the runtime target", async () => {
    const r = await run([
      'invoke',
      '--gateway-id',
      'jwt-gw-aaaaaaaaaa',
      '--target',
      'agent-jwt',
      '--bearer-token',
      token,
      '{}',
      '--diagram',
      '-',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const d = arrowLines(r.stdout);
    expect(d, d).toContain('Gateway -> Interceptor (Lambda): REQUEST interceptor guard');
    expect(d).toContain(
      `Gateway -> Target: agent-jwt: POST /agent-jwt/invocations · Bearer ${fingerprint(token)} (the caller's token)`,
    );
  });
  it('an API-key target: the Identity call, and the key as its fingerprint, never its value', async () => {
    const key = stack.config.apiKeyProviders[0]!.apiKey;
    const r = await run([
      'mcp',
      '--gateway-id',
      'jwt-gw-aaaaaaaaaa',
      '--bearer-token',
      token,
      '--call',
      'key___whoami',
      '--diagram',
      '-',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const d = arrowLines(r.stdout);
    expect(d, d).toContain('Gateway -> AgentCore Identity: GetResourceApiKey (local-api-key)');
    expect(d).toContain(`Gateway -> Target: key: tools/call whoami · API key ${fingerprint(key)} in header x-api-key`);
    expect(r.stdout).not.toContain(key);
  });
});
