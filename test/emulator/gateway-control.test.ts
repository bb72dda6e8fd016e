/**
 * The gateway control plane with the real SDK (@aws-sdk/client-bedrock-agentcore-control) against the local stack:
 * every operation, its status code and statuses (CREATING → READY), ids, ARNs and gatewayUrl, the models' validation
 * and the service's refusals (target names, one credential configuration, the target-type × outbound-auth table,
 * 3LO on AWS_IAM gateways), MCP server targets handshaken at create and at SynchronizeGatewayTargets.
 */
import { CompleteResourceTokenAuthCommand } from '@aws-sdk/client-bedrock-agentcore';
import {
  type CreateGatewayCommandInput,
  CreateGatewayCommand,
  CreateGatewayTargetCommand,
  DeleteGatewayCommand,
  DeleteGatewayTargetCommand,
  GetGatewayCommand,
  GetGatewayTargetCommand,
  ListGatewaysCommand,
  ListGatewayTargetsCommand,
  SynchronizeGatewayTargetsCommand,
  UpdateGatewayCommand,
  UpdateGatewayTargetCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { providerArn, startMcpToolServer, type McpToolServer } from '../fixtures/gateway.js';
import { clientsFor, failure, follow } from './helpers.js';

let stack: LocalStack;
let tools: McpToolServer;
let control: ReturnType<typeof clientsFor>['control'];
let data: ReturnType<typeof clientsFor>['data'];
const ROLE = 'arn:aws:iam::123456789012:role/GatewayRole';

beforeAll(async () => {
  tools = await startMcpToolServer();
  stack = await startLocalStack({ autoConsent: true, config: { gateways: [] } });
  ({ control, data } = clientsFor(stack));
});
afterAll(async () => {
  control?.destroy();
  data?.destroy();
  await stack?.close();
  await tools?.close();
});

function jwtGateway(name: string, extra: Partial<CreateGatewayCommandInput> = {}): CreateGatewayCommandInput {
  return {
    name,
    roleArn: ROLE,
    authorizerType: 'CUSTOM_JWT',
    authorizerConfiguration: {
      customJWTAuthorizer: { discoveryUrl: stack.userPool.discoveryUrl, allowedClients: ['abc'] },
    },
    ...extra,
  };
}

const mcpTarget = (endpoint = tools.url) => ({ mcp: { mcpServer: { endpoint } } });

describe('gateways', () => {
  it('CreateGateway answers 202 CREATING with the id, ARN and URL; GetGateway then says READY', async () => {
    const created = await control.send(new CreateGatewayCommand(jwtGateway('orders-gw', { description: 'd' })));
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created.status).toBe('CREATING');
    expect(created.gatewayId).toMatch(/^orders-gw-[a-z0-9]{10}$/);
    expect(created.gatewayArn).toBe(`arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/${created.gatewayId}`);
    expect(created.gatewayUrl).toBe(`${stack.url}/gateways/${created.gatewayId}/mcp`);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.workloadIdentityDetails?.workloadIdentityArn).toMatch(
      new RegExp(`:workload-identity-directory/default/workload-identity/${created.gatewayId}$`),
    );
    const got = await control.send(new GetGatewayCommand({ gatewayIdentifier: created.gatewayId }));
    expect(got).toMatchObject({
      status: 'READY',
      name: 'orders-gw',
      description: 'd',
      roleArn: ROLE,
      authorizerType: 'CUSTOM_JWT',
    });
    expect(stack.state.workloadIdentities.get(created.gatewayId!)).toMatchObject({ linkedTo: 'gateway' });
  });

  it(
    'validation in the service words: name pattern, required members, enums, the JWT ' + 'authorizer, interceptors',
    async () => {
      const bad = await failure(control.send(new CreateGatewayCommand(jwtGateway('under_score'))));
      expect(bad).toMatchObject({ name: 'ValidationException', status: 400 });
      expect(bad.message).toMatch(
        /^Value at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern/,
      );
      const noRole = await failure(
        control.send(new CreateGatewayCommand({ ...jwtGateway('norole'), roleArn: 'role' })),
      );
      expect(noRole.message).toMatch(/^Value at 'roleArn' failed to satisfy constraint/);
      const noJwt = await failure(
        control.send(new CreateGatewayCommand({ name: 'nojwt', roleArn: ROLE, authorizerType: 'CUSTOM_JWT' })),
      );
      expect(noJwt.message).toContain('authorizerConfiguration with a customJWTAuthorizer is required');
      // the runtime's authorizer rules, shared: an advertised scope must map one of allowedScopes
      const unmapped = await failure(
        control.send(
          new CreateGatewayCommand(
            jwtGateway('unmapped', {
              authorizerConfiguration: {
                customJWTAuthorizer: {
                  discoveryUrl: stack.userPool.discoveryUrl,
                  allowedScopes: ['openid'],
                  advertisedScopeMapping: { email: 'x' },
                },
              },
            }),
          ),
        ),
      );
      expect(unmapped).toMatchObject({ name: 'ValidationException' });
      expect(unmapped.message).toContain('maps a scope that is not in allowedScopes');
      const arn = 'arn:aws:lambda:us-east-1:123456789012:function:i';
      const twice = await failure(
        control.send(
          new CreateGatewayCommand(
            jwtGateway('twice', {
              interceptorConfigurations: [
                { interceptor: { lambda: { arn } }, interceptionPoints: ['REQUEST'] },
                { interceptor: { lambda: { arn } }, interceptionPoints: ['REQUEST', 'RESPONSE'] },
              ],
            }),
          ),
        ),
      );
      expect(twice.message).toContain('at most one REQUEST interceptor');
      const dup = await failure(control.send(new CreateGatewayCommand(jwtGateway('orders-gw'))));
      expect(dup).toMatchObject({ name: 'ConflictException', status: 409 });
    },
  );

  it('ListGateways pages with maxResults / nextToken; unsigned calls are refused', async () => {
    await control.send(new CreateGatewayCommand({ name: 'open-gw', roleArn: ROLE, authorizerType: 'NONE' }));
    const first = await control.send(new ListGatewaysCommand({ maxResults: 1 }));
    expect(first.items).toHaveLength(1);
    const second = await control.send(new ListGatewaysCommand({ nextToken: first.nextToken }));
    const all = [...first.items!, ...second.items!];
    expect(all.map((g) => g.name)).toEqual(['orders-gw', 'open-gw']);
    expect(all[1]).toMatchObject({ status: 'READY', authorizerType: 'NONE' });
    expect(all[1]!.protocolType).toBeUndefined();
    const res = await fetch(`${stack.url}/gateways/`);
    expect(res.status).toBe(403);
  });

  it('UpdateGateway answers 202 UPDATING, keeps the name, refuses a rename; DeleteGateway 202 then 404', async () => {
    const g = await control.send(new CreateGatewayCommand(jwtGateway('upd-gw')));
    const up = await control.send(
      new UpdateGatewayCommand({
        gatewayIdentifier: g.gatewayId,
        name: 'upd-gw',
        roleArn: ROLE,
        authorizerType: 'AWS_IAM',
        exceptionLevel: 'DEBUG',
      }),
    );
    expect(up.$metadata.httpStatusCode).toBe(202);
    expect(up).toMatchObject({ status: 'UPDATING', authorizerType: 'AWS_IAM', exceptionLevel: 'DEBUG' });
    expect(up.authorizerConfiguration).toBeUndefined();
    const renamed = await failure(
      control.send(
        new UpdateGatewayCommand({
          gatewayIdentifier: g.gatewayId,
          name: 'other',
          roleArn: ROLE,
          authorizerType: 'NONE',
        }),
      ),
    );
    expect(renamed.message).toContain('cannot be changed');
    const del = await control.send(new DeleteGatewayCommand({ gatewayIdentifier: g.gatewayId }));
    expect(del).toMatchObject({ gatewayId: g.gatewayId, status: 'DELETING' });
    expect(del.$metadata.httpStatusCode).toBe(202);
    const gone = await failure(control.send(new GetGatewayCommand({ gatewayIdentifier: g.gatewayId })));
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(stack.state.workloadIdentities.has(g.gatewayId!)).toBe(false);
  });
});

describe('targets', () => {
  let gatewayId: string;
  beforeAll(async () => {
    gatewayId = (await control.send(new CreateGatewayCommand(jwtGateway('targets-gw')))).gatewayId!;
  });
  const get = (targetId: string) =>
    control.send(new GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId }));

  it('an MCP server target: 202 CREATING, READY once its tools/list was read; Get/List show it', async () => {
    const t = await control.send(
      new CreateGatewayTargetCommand({ gatewayIdentifier: gatewayId, name: 'calc', targetConfiguration: mcpTarget() }),
    );
    expect(t.$metadata.httpStatusCode).toBe(202);
    expect(t).toMatchObject({ status: 'CREATING', name: 'calc', protocolType: 'MCP' });
    expect(t.targetId).toMatch(/^[0-9A-Z]{10}$/);
    await vi.waitFor(async () => expect((await get(t.targetId!)).status).toBe('READY'));
    expect((await get(t.targetId!)).lastSynchronizedAt).toBeInstanceOf(Date);
    expect(tools.seen.map((s) => s.method)).toEqual(
      expect.arrayContaining(['initialize', 'notifications/initialized', 'tools/list']),
    );
    const list = await control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId }));
    expect(list.items).toEqual([
      expect.objectContaining({ name: 'calc', status: 'READY', targetType: 'MCP_SERVER', listingMode: 'DEFAULT' }),
    ]);
  });

  it('names, one credential configuration, the target type × outbound auth table', async () => {
    const create = (input: Record<string, unknown>) =>
      failure(
        control.send(
          new CreateGatewayTargetCommand({
            gatewayIdentifier: gatewayId,
            name: 'x',
            targetConfiguration: mcpTarget(),
            ...input,
          }),
        ),
      );
    expect((await create({ name: 'my_target' })).message).toMatch(/^Value at 'name' failed to satisfy constraint/);
    const two = await create({
      credentialProviderConfigurations: [
        { credentialProviderType: 'GATEWAY_IAM_ROLE' },
        { credentialProviderType: 'GATEWAY_IAM_ROLE' },
      ],
    });
    expect(two.message).toBe(
      "Value at 'credentialProviderConfigurations' failed to satisfy constraint: Member must have length less " +
        'than or equal to 1',
    );
    const jwt = await create({ credentialProviderConfigurations: [{ credentialProviderType: 'JWT_PASSTHROUGH' }] });
    expect(jwt.message).toContain('Outbound auth JWT_PASSTHROUGH is not supported for MCP_SERVER targets');
    const caller = await create({
      credentialProviderConfigurations: [{ credentialProviderType: 'CALLER_IAM_CREDENTIALS' }],
    });
    expect(caller.message).toContain('Outbound auth CALLER_IAM_CREDENTIALS is not supported for MCP_SERVER');
    const iam = await create({ credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }] });
    expect(iam.message).toContain('iamCredentialProvider with a service name is required');
    const lambda = await create({
      targetConfiguration: {
        mcp: {
          lambda: { lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', toolSchema: { inlinePayload: [] } },
        },
      },
      credentialProviderConfigurations: [
        {
          credentialProviderType: 'OAUTH',
          credentialProvider: { oauthCredentialProvider: { providerArn: providerArn('local-m2m'), scopes: [] } },
        },
      ],
    });
    expect(lambda.message).toContain('Outbound auth OAUTH_CLIENT_CREDENTIALS is not supported for LAMBDA targets');
    const schema = await create({
      targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url, mcpToolSchema: { inlinePayload: '[]' } } } },
    });
    expect(schema.message).toBe("mcpToolSchema must be an object with 'tools' array");
    const header = await create({ metadataConfiguration: { allowedRequestHeaders: ['Authorization'] } });
    expect(header.message).toContain('Header Authorization is restricted');
  });

  it(
    'an AWS_IAM gateway refuses 3LO targets and JWT passthrough; HTTP targets stay off ' + 'MCP-protocol gateways',
    async () => {
      const iamGw = await control.send(
        new CreateGatewayCommand({ name: 'iam-gw', roleArn: ROLE, authorizerType: 'AWS_IAM' }),
      );
      const threeLo = await failure(
        control.send(
          new CreateGatewayTargetCommand({
            gatewayIdentifier: iamGw.gatewayId,
            name: 'cal',
            targetConfiguration: mcpTarget(),
            credentialProviderConfigurations: [
              {
                credentialProviderType: 'OAUTH',
                credentialProvider: {
                  oauthCredentialProvider: {
                    providerArn: providerArn('local-3lo'),
                    scopes: ['api:read'],
                    grantType: 'AUTHORIZATION_CODE',
                  },
                },
              },
            ],
          }),
        ),
      );
      expect(threeLo).toMatchObject({
        name: 'ValidationException',
        message: '3LO Auth is not supported when gateway authorizer type is AWS_IAM',
      });
      const runtimeArn = `arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/${stack.agents[1]!.id}`;
      const passthrough = await failure(
        control.send(
          new CreateGatewayTargetCommand({
            gatewayIdentifier: iamGw.gatewayId,
            name: 'agent',
            targetConfiguration: { http: { agentcoreRuntime: { arn: runtimeArn } } },
            credentialProviderConfigurations: [{ credentialProviderType: 'JWT_PASSTHROUGH' }],
          }),
        ),
      );
      expect(passthrough.message).toContain('JWT_PASSTHROUGH needs a bearer-token inbound type');
      const mcpGw = await control.send(new CreateGatewayCommand(jwtGateway('mcp-only', { protocolType: 'MCP' })));
      const http = await failure(
        control.send(
          new CreateGatewayTargetCommand({
            gatewayIdentifier: mcpGw.gatewayId,
            name: 'agent',
            targetConfiguration: { http: { agentcoreRuntime: { arn: runtimeArn } } },
            credentialProviderConfigurations: [{ credentialProviderType: 'GATEWAY_IAM_ROLE' }],
          }),
        ),
      );
      expect(http.message).toContain('cannot be added to a gateway with protocolType MCP');
    },
  );

  it(
    'a server that cannot be reached, or wants auth the target lacks, leaves the target FAILED ' + 'with the reason',
    async () => {
      const locked = await startMcpToolServer({ requireAuthorization: 'Bearer secret' });
      try {
        const down = await control.send(
          new CreateGatewayTargetCommand({
            gatewayIdentifier: gatewayId,
            name: 'down',
            targetConfiguration: mcpTarget('http://127.0.0.1:1/mcp'),
          }),
        );
        const auth = await control.send(
          new CreateGatewayTargetCommand({
            gatewayIdentifier: gatewayId,
            name: 'locked',
            targetConfiguration: mcpTarget(locked.url),
          }),
        );
        await vi.waitFor(async () => expect((await get(down.targetId!)).status).toBe('FAILED'));
        expect((await get(down.targetId!)).statusReasons![0]).toMatch(
          /^Failed to connect and fetch tools from the provided MCP target server: .*unreachable: ECONNREFUSED/,
        );
        await vi.waitFor(async () => expect((await get(auth.targetId!)).status).toBe('FAILED'));
        expect((await get(auth.targetId!)).statusReasons![0]).toContain('refused initialize with HTTP 401');
        for (const t of [down, auth])
          await control.send(new DeleteGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: t.targetId }));
      } finally {
        await locked.close();
      }
    },
  );

  it(
    'UpdateGatewayTarget 202 UPDATING → READY; SynchronizeGatewayTargets reads the upgraded ' + 'server; Delete 202',
    async () => {
      const [t] = (await control.send(new ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId }))).items!;
      const up = await control.send(
        new UpdateGatewayTargetCommand({
          gatewayIdentifier: gatewayId,
          targetId: t!.targetId,
          name: 'calc',
          description: 'the calculator',
          targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url, listingMode: 'DYNAMIC' } } },
        }),
      );
      expect(up).toMatchObject({ status: 'UPDATING', description: 'the calculator' });
      await vi.waitFor(async () => expect((await get(t!.targetId!)).status).toBe('READY'));
      tools.setTools([{ name: 'multiply', inputSchema: { type: 'object' } }]);
      const sync = await control.send(
        new SynchronizeGatewayTargetsCommand({ gatewayIdentifier: gatewayId, targetIdList: [t!.targetId!] }),
      );
      expect(sync.$metadata.httpStatusCode).toBe(202);
      expect(sync.targets![0]!.status).toBe('SYNCHRONIZING');
      await vi.waitFor(async () => expect((await get(t!.targetId!)).status).toBe('READY'));
      const handler = stack.gateways.find((g) => g.gatewayId === gatewayId)!;
      expect(handler.targets.map((x) => x.status)).toEqual(['READY']);
      const del = await control.send(
        new DeleteGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: t!.targetId }),
      );
      expect(del).toMatchObject({ targetId: t!.targetId, status: 'DELETING' });
      expect((await failure(get(t!.targetId!))).name).toBe('ResourceNotFoundException');
      const noSync = await failure(
        control.send(
          new SynchronizeGatewayTargetsCommand({
            gatewayIdentifier: gatewayId,
            targetIdList: ['ABCDEFGHIJ', 'KLMNOPQRST'],
          }),
        ),
      );
      expect(noSync.message).toContain("Value at 'targetIdList' failed to satisfy constraint");
    },
  );

  it('a gateway with targets cannot be deleted', async () => {
    const g = await control.send(new CreateGatewayCommand(jwtGateway('busy-gw')));
    await control.send(
      new CreateGatewayTargetCommand({
        gatewayIdentifier: g.gatewayId,
        name: 'static',
        targetConfiguration: {
          mcp: {
            mcpServer: {
              endpoint: tools.url,
              mcpToolSchema: { inlinePayload: JSON.stringify({ tools: [{ name: 'a' }] }) },
            },
          },
        },
      }),
    );
    const busy = await failure(control.send(new DeleteGatewayCommand({ gatewayIdentifier: g.gatewayId })));
    expect(busy).toMatchObject({ name: 'ConflictException', status: 409 });
  });
});

describe('target-level consent (an authorization-code MCP server without mcpToolSchema)', () => {
  it(
    'CREATE_PENDING_AUTH with an authorization URL for a gateway-made user id; READY after ' + 'consent and a sync',
    async () => {
      const g = await control.send(new CreateGatewayCommand(jwtGateway('consent-gw')));
      const t = await control.send(
        new CreateGatewayTargetCommand({
          gatewayIdentifier: g.gatewayId,
          name: 'cal',
          targetConfiguration: mcpTarget(),
          credentialProviderConfigurations: [
            {
              credentialProviderType: 'OAUTH',
              credentialProvider: {
                oauthCredentialProvider: {
                  providerArn: providerArn('local-3lo'),
                  scopes: ['api:read'],
                  grantType: 'AUTHORIZATION_CODE',
                  defaultReturnUrl: 'http://localhost:8081/oauth2/callback',
                },
              },
            },
          ],
        }),
      );
      const get = () =>
        control.send(new GetGatewayTargetCommand({ gatewayIdentifier: g.gatewayId, targetId: t.targetId }));
      await vi.waitFor(async () => expect((await get()).status).toBe('CREATE_PENDING_AUTH'));
      const auth = (await get()).authorizationData!.oauth2!;
      expect(auth.userId).toMatch(new RegExp(`^${g.gatewayId}_${t.targetId}_[0-9a-f]+$`));
      expect(auth.authorizationUrl).toMatch(/\/identities\/oauth2\/authorize\?request_uri=/);
      const refused = await failure(
        control.send(new DeleteGatewayTargetCommand({ gatewayIdentifier: g.gatewayId, targetId: t.targetId })),
      );
      expect(refused.message).toBe(
        "DeleteGatewayTarget can't be performed on target when it is in Create_Pending_Auth state",
      );
      // The admin consents; the app at the return URL completes the session for the gateway's user id.
      const back = new URL((await follow(auth.authorizationUrl!)).finalUrl);
      await data.send(
        new CompleteResourceTokenAuthCommand({
          sessionUri: back.searchParams.get('session_id')!,
          userIdentifier: { userId: auth.userId! },
        }),
      );
      await control.send(
        new SynchronizeGatewayTargetsCommand({ gatewayIdentifier: g.gatewayId, targetIdList: [t.targetId!] }),
      );
      await vi.waitFor(async () => expect((await get()).status).toBe('READY'));
      const listed = tools.seen.filter((x) => x.method === 'tools/list').at(-1)!;
      expect(String(listed.headers.authorization)).toMatch(/^Bearer /);
    },
  );
});
