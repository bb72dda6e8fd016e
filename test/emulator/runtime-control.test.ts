/**
 * The runtime control plane of the local stack through the real @aws-sdk/client-bedrock-agentcore-control (issue 28
 * item 9): Create / Get / Update / List / Delete AgentRuntime, versions, the DEFAULT and named endpoints, every refusal
 * in the service's words — and the changes taking effect on the next InvokeAgentRuntime (real data-plane SDK, or a
 * bearer call as curl sends it), served by the built-in sample agent.
 */
import { InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import {
  type CreateAgentRuntimeCommandInput,
  CreateAgentRuntimeCommand,
  CreateAgentRuntimeEndpointCommand,
  DeleteAgentRuntimeCommand,
  DeleteAgentRuntimeEndpointCommand,
  GetAgentRuntimeCommand,
  GetAgentRuntimeEndpointCommand,
  GetWorkloadIdentityCommand,
  ListAgentRuntimeEndpointsCommand,
  ListAgentRuntimesCommand,
  ListAgentRuntimeVersionsCommand,
  UpdateAgentRuntimeCommand,
  UpdateAgentRuntimeEndpointCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS, MESSAGES } from '../../src/wire.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, failure } from './helpers.js';
import { startStandInAgent } from './runtime-fixtures.js';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
const lines: string[] = [];
let accessToken: string;

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-agent:v1';
const ROLE = 'arn:aws:iam::123456789012:role/MyAgentRole';
const sid = () => `session-${randomUUID()}`;

beforeAll(async () => {
  stack = await startLocalStack({ log: (l) => lines.push(l) });
  c = clientsFor(stack);
  const pub = stack.userPool.clients.find((x) => !x.clientSecret)!;
  const auth = await c.cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: pub.clientId,
      AuthParameters: { USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!' },
    }),
  );
  accessToken = auth.AuthenticationResult!.AccessToken!;
});
afterAll(async () => {
  c?.data.destroy();
  c?.control.destroy();
  c?.cognito.destroy();
  await stack?.close();
});

const base = (name: string): CreateAgentRuntimeCommandInput => ({
  agentRuntimeName: name,
  agentRuntimeArtifact: { containerConfiguration: { containerUri: IMAGE } },
  roleArn: ROLE,
  networkConfiguration: { networkMode: 'PUBLIC' },
});

const jwtAuthorizer = (extra: Record<string, unknown> = {}) => ({
  customJWTAuthorizer: {
    discoveryUrl: stack.userPool.discoveryUrl,
    allowedClients: stack.userPool.clients.map((x) => x.clientId),
    ...extra,
  },
});

async function sigv4(arn: string, extra: Partial<ConstructorParameters<typeof InvokeAgentRuntimeCommand>[0]> = {}) {
  const out = await c.data.send(
    new InvokeAgentRuntimeCommand({ agentRuntimeArn: arn, payload: Buffer.from('{"prompt":"hi"}'), ...extra }),
  );
  return JSON.parse(await out.response!.transformToString()) as Record<string, unknown>;
}

function bearer(arn: string, token: string | undefined, qualifier = 'DEFAULT', headers: Record<string, string> = {}) {
  return fetch(`${stack.url}/runtimes/${encodeURIComponent(arn)}/invocations?qualifier=${qualifier}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [HEADERS.sessionId]: sid(),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: '{"prompt":"hi"}',
  });
}

describe('CreateAgentRuntime → invoke → UpdateAgentRuntime → invoke', () => {
  it('a created runtime is READY at once, listed, has its workload identity, and answers SigV4 calls', async () => {
    const made = await c.control.send(
      new CreateAgentRuntimeCommand({
        ...base('made_agent'),
        description: 'made through the control plane',
        environmentVariables: { MODE: 'test' },
        lifecycleConfiguration: { idleRuntimeSessionTimeout: 120 },
      }),
    );
    expect(made).toMatchObject({
      agentRuntimeArn: expect.stringMatching(/^arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime\/made_agent-/),
      agentRuntimeId: expect.stringMatching(/^made_agent-[A-Za-z0-9]{10}$/),
      agentRuntimeVersion: '1',
      status: 'CREATING',
      workloadIdentityDetails: {
        workloadIdentityArn: expect.stringContaining(`workload-identity/${made.agentRuntimeId}`),
      },
    });
    expect(made.createdAt).toBeInstanceOf(Date);
    const got = await c.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: made.agentRuntimeId }));
    expect(got).toMatchObject({
      agentRuntimeName: 'made_agent',
      status: 'READY',
      roleArn: ROLE,
      agentRuntimeArtifact: { containerConfiguration: { containerUri: IMAGE } },
      networkConfiguration: { networkMode: 'PUBLIC' },
      lifecycleConfiguration: { idleRuntimeSessionTimeout: 120, maxLifetime: 28800 },
      environmentVariables: { MODE: 'test' },
      protocolConfiguration: { serverProtocol: 'HTTP' },
      description: 'made through the control plane',
    });
    expect(got.authorizerConfiguration).toBeUndefined();
    const listed = await c.control.send(new ListAgentRuntimesCommand({}));
    expect(listed.agentRuntimes!.map((a) => a.agentRuntimeName)).toContain('made_agent');
    expect(stack.agents.map((a) => a.name)).toContain('made_agent');
    const wi = await c.control.send(new GetWorkloadIdentityCommand({ name: made.agentRuntimeId! }));
    expect(wi.workloadIdentityArn).toBe(made.workloadIdentityDetails!.workloadIdentityArn);
    const body = await sigv4(made.agentRuntimeArn!, { runtimeUserId: 'alice' });
    expect(body).toMatchObject({
      type: 'whoami',
      caller: { userId: 'alice' },
      workloadAccessToken: { received: true, workload: made.agentRuntimeId },
    });
  });

  it('UpdateAgentRuntime with the authorizer and header allowlist: the next call needs the bearer token', async () => {
    const made = await c.control.send(new CreateAgentRuntimeCommand(base('switch_agent')));
    const arn = made.agentRuntimeArn!;
    const id = made.agentRuntimeId!;
    const updated = await c.control.send(
      new UpdateAgentRuntimeCommand({
        ...base('ignored'),
        agentRuntimeId: id,
        authorizerConfiguration: jwtAuthorizer(),
        requestHeaderConfiguration: {
          requestHeaderAllowlist: ['Authorization', `${HEADERS.customPrefix}Tenant`],
        },
      }),
    );
    expect(updated).toMatchObject({ agentRuntimeId: id, agentRuntimeVersion: '2', status: 'UPDATING' });
    const sigv4Call = await failure(sigv4(arn, { runtimeUserId: 'alice' }));
    expect(sigv4Call).toMatchObject({ name: 'AccessDeniedException', message: MESSAGES.methodMismatch });
    const res = await bearer(arn, accessToken, 'DEFAULT', { [`${HEADERS.customPrefix}Tenant`]: 'acme' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      caller: { username: 'alice', source: 'Authorization header (allow-listed)' },
      authorizationHeader: { received: true },
      customHeaders: { [`${HEADERS.customPrefix}Tenant`.toLowerCase()]: 'acme' },
      workloadAccessToken: { received: true, workload: id },
    });
    // Versions: 2 (the JWT one) and 1 (SigV4), each readable.
    const versions = await c.control.send(new ListAgentRuntimeVersionsCommand({ agentRuntimeId: id }));
    expect(versions.agentRuntimes!.map((v) => v.agentRuntimeVersion)).toEqual(['2', '1']);
    const v1 = await c.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '1' }));
    expect(v1.authorizerConfiguration).toBeUndefined();
    const v2 = await c.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    expect(v2.authorizerConfiguration).toEqual(jwtAuthorizer());
    // An update without authorizerConfiguration replaces it: SigV4 again (AWS replaces the whole configuration).
    await c.control.send(new UpdateAgentRuntimeCommand({ ...base('ignored'), agentRuntimeId: id }));
    expect(await sigv4(arn, { runtimeUserId: 'bob' })).toMatchObject({ caller: { userId: 'bob' } });
    expect((await bearer(arn, accessToken)).status).toBe(403);
  });

  it('the seeded runtimes can be updated too (the setup flow of the bare-account guide, on local)', async () => {
    const jwt = stack.agents.find((a) => a.name === 'jwt_aud_agent')!;
    const arn = `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${jwt.id}`;
    const before = await bearer(arn, accessToken);
    expect(await before.json()).toMatchObject({ error: { message: MESSAGES.claimMismatch('aud') } });
    const got = await c.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: jwt.id }));
    await c.control.send(
      new UpdateAgentRuntimeCommand({
        agentRuntimeId: jwt.id,
        agentRuntimeArtifact: got.agentRuntimeArtifact,
        roleArn: got.roleArn,
        networkConfiguration: got.networkConfiguration,
        authorizerConfiguration: jwtAuthorizer(),
      }),
    );
    expect((await bearer(arn, accessToken)).status).toBe(200);
  });
});

describe('a created runtime in front of your own container', () => {
  it("the agentcore-auth:agent-url tag puts the user's server behind it (the contract headers reach it)", async () => {
    const agent = await startStandInAgent();
    try {
      const made = await c.control.send(
        new CreateAgentRuntimeCommand({ ...base('own_agent'), tags: { 'agentcore-auth:agent-url': agent.url } }),
      );
      expect(await sigv4(made.agentRuntimeArn!, { runtimeUserId: 'dave' })).toEqual({ from: 'stand-in' });
      expect(agent.seen[0]).toMatchObject({ method: 'POST', path: '/invocations', body: '{"prompt":"hi"}' });
      expect(agent.seen[0]!.headers.workloadaccesstoken).toMatch(/^AgV4/);
      const bad = { ...base('bad_url_agent'), tags: { 'agentcore-auth:agent-url': 'ftp://x' } };
      expect(await failure(c.control.send(new CreateAgentRuntimeCommand(bad)))).toMatchObject({
        name: 'ValidationException',
        message: 'tags.agentcore-auth:agent-url: "ftp://x" must be an http(s) URL',
      });
    } finally {
      await agent.close();
    }
  });
});

describe('endpoints', () => {
  it('DEFAULT follows the latest version; a named endpoint serves the version it points at', async () => {
    const made = await c.control.send(new CreateAgentRuntimeCommand(base('ep_agent')));
    const id = made.agentRuntimeId!;
    const arn = made.agentRuntimeArn!;
    await c.control.send(
      new UpdateAgentRuntimeCommand({ ...base('x'), agentRuntimeId: id, authorizerConfiguration: jwtAuthorizer() }),
    );
    const def = await c.control.send(
      new GetAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'DEFAULT' }),
    );
    expect(def).toMatchObject({
      name: 'DEFAULT',
      liveVersion: '2',
      status: 'READY',
      agentRuntimeArn: arn,
      agentRuntimeEndpointArn: `${arn}/runtime-endpoint/DEFAULT`,
    });
    const created = await c.control.send(
      new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'stable', agentRuntimeVersion: '1' }),
    );
    expect(created).toMatchObject({ endpointName: 'stable', targetVersion: '1', status: 'CREATING' });
    // qualifier=stable: version 1 (SigV4); DEFAULT: version 2 (JWT).
    expect(await sigv4(arn, { qualifier: 'stable', runtimeUserId: 'carol' })).toMatchObject({
      caller: { userId: 'carol' },
    });
    expect((await bearer(arn, accessToken, 'stable')).status).toBe(403);
    expect((await bearer(arn, accessToken)).status).toBe(200);
    const listed = await c.control.send(new ListAgentRuntimeEndpointsCommand({ agentRuntimeId: id }));
    expect(listed.runtimeEndpoints!.map((e) => [e.name, e.liveVersion])).toEqual([
      ['DEFAULT', '2'],
      ['stable', '1'],
    ]);
    const moved = await c.control.send(
      new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'stable', agentRuntimeVersion: '2' }),
    );
    expect(moved).toMatchObject({ liveVersion: '2', status: 'UPDATING' });
    expect((await bearer(arn, accessToken, 'stable')).status).toBe(200);
    // Version 1 is free now; version 2 is served and cannot be deleted.
    const inUse = await failure(
      c.control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '2' })),
    );
    expect(inUse).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(
      await c.control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '1' })),
    ).toMatchObject({ status: 'DELETING', agentRuntimeVersion: '1' });
    const gone = await c.control.send(
      new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'stable' }),
    );
    expect(gone).toMatchObject({ status: 'DELETING', endpointName: 'stable' });
    const unknown = await bearer(arn, accessToken, 'stable');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ message: expect.stringContaining("No endpoint named 'stable'") });
  });

  it('DEFAULT cannot be updated or deleted; unknown endpoints and runtimes are ResourceNotFound', async () => {
    const id = stack.agents[0]!.id;
    expect(
      await failure(
        c.control.send(new UpdateAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'DEFAULT' })),
      ),
    ).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(
      await failure(
        c.control.send(new DeleteAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'DEFAULT' })),
      ),
    ).toMatchObject({ name: 'ConflictException', status: 409 });
    expect(
      await failure(c.control.send(new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'DEFAULT' }))),
    ).toMatchObject({ name: 'ConflictException' });
    expect(
      await failure(c.control.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: id, endpointName: 'nope' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(
      await failure(c.control.send(new ListAgentRuntimeEndpointsCommand({ agentRuntimeId: 'ghost-0123456789' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(
      await failure(
        c.control.send(
          new CreateAgentRuntimeEndpointCommand({ agentRuntimeId: id, name: 'pin', agentRuntimeVersion: '9' }),
        ),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('DeleteAgentRuntime', () => {
  it('removes the runtime, its sessions and its workload identity; calls to it are ResourceNotFound', async () => {
    const made = await c.control.send(new CreateAgentRuntimeCommand(base('doomed_agent')));
    const id = made.agentRuntimeId!;
    await sigv4(made.agentRuntimeArn!);
    const out = await c.control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: id }));
    expect(out).toMatchObject({ status: 'DELETING', agentRuntimeId: id });
    expect(await failure(c.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
    });
    expect(await failure(sigv4(made.agentRuntimeArn!))).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await failure(c.control.send(new GetWorkloadIdentityCommand({ name: id })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(stack.agents.map((a) => a.id)).not.toContain(id);
    expect(await failure(c.control.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: id })))).toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('refusals in the service words', () => {
  it('CreateAgentRuntime: name pattern, required members, container URI, duplicate name, lifecycle range', async () => {
    expect(await failure(c.control.send(new CreateAgentRuntimeCommand(base('bad-name'))))).toMatchObject({
      name: 'ValidationException',
      status: 400,
      message:
        "Value at 'agentRuntimeName' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
        '[a-zA-Z][a-zA-Z0-9_]{0,47}',
    });
    const noRole = { ...base('no_role') } as Record<string, unknown>;
    delete noRole.roleArn;
    expect(await failure(c.control.send(new CreateAgentRuntimeCommand(noRole as never)))).toMatchObject({
      name: 'ValidationException',
      message: "Value at 'roleArn' failed to satisfy constraint: Member must not be null",
    });
    const badImage = {
      ...base('bad_image'),
      agentRuntimeArtifact: { containerConfiguration: { containerUri: 'nginx' } },
    };
    expect(await failure(c.control.send(new CreateAgentRuntimeCommand(badImage)))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(
        new RegExp(
          /^Value at 'agentRuntimeArtifact\.containerConfiguration\.containerUri' failed /.source +
            /to satisfy constraint: Member must satisfy regular expression pattern/.source,
        ),
      ),
    });
    await c.control.send(new CreateAgentRuntimeCommand(base('twice_agent')));
    expect(await failure(c.control.send(new CreateAgentRuntimeCommand(base('twice_agent'))))).toMatchObject({
      name: 'ConflictException',
      status: 409,
    });
    const shortIdle = { ...base('idle_agent'), lifecycleConfiguration: { idleRuntimeSessionTimeout: 5 } };
    expect(await failure(c.control.send(new CreateAgentRuntimeCommand(shortIdle)))).toMatchObject({
      message:
        "Value at 'lifecycleConfiguration.idleRuntimeSessionTimeout' failed to satisfy constraint: " +
        'Member must have value greater than or equal to 60',
    });
  });

  it(
    'the authorizer: customClaims name and value patterns, operator rules, header allowlist, ' + 'discoveryUrl',
    async () => {
      const claim = (name: string, value: string) => ({
        ...base('claims_agent'),
        authorizerConfiguration: jwtAuthorizer({
          customClaims: [
            {
              inboundTokenClaimName: name,
              inboundTokenClaimValueType: 'STRING',
              authorizingClaimMatchValue: {
                claimMatchOperator: 'EQUALS',
                claimMatchValue: { matchValueString: value },
              },
            },
          ],
        }),
      });
      expect(await failure(c.control.send(new CreateAgentRuntimeCommand(claim('tenant id', 'acme'))))).toMatchObject({
        name: 'ValidationException',
        message:
          "Value at 'authorizerConfiguration.customJWTAuthorizer.customClaims.1.member.inboundTokenClaimName' failed " +
          'to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9_.-:]+',
      });
      expect(await failure(c.control.send(new CreateAgentRuntimeCommand(claim('tenant', 'a:b'))))).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining("matchValueString' failed to satisfy constraint"),
      });
      const ok = await c.control.send(new CreateAgentRuntimeCommand(claim('cognito:groups', 'admins')));
      expect(ok.status).toBe('CREATING');
      const wrongOp = {
        ...base('op_agent'),
        authorizerConfiguration: jwtAuthorizer({
          customClaims: [
            {
              inboundTokenClaimName: 'groups',
              inboundTokenClaimValueType: 'STRING',
              authorizingClaimMatchValue: {
                claimMatchOperator: 'CONTAINS',
                claimMatchValue: { matchValueString: 'x' },
              },
            },
          ],
        }),
      };
      expect(await failure(c.control.send(new CreateAgentRuntimeCommand(wrongOp)))).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('CONTAINS checks that a STRING_ARRAY claim contains matchValueString'),
      });
      const badHeader = { ...base('hdr_agent'), requestHeaderConfiguration: { requestHeaderAllowlist: ['X-Other'] } };
      expect(await failure(c.control.send(new CreateAgentRuntimeCommand(badHeader)))).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('only Authorization and headers starting with'),
      });
      const badDiscovery = {
        ...base('disc_agent'),
        authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: 'https://idp.example/jwks.json' } },
      };
      expect(await failure(c.control.send(new CreateAgentRuntimeCommand(badDiscovery)))).toMatchObject({
        message: expect.stringMatching(/^Value at 'authorizerConfiguration\.customJWTAuthorizer\.discoveryUrl'/),
      });
    },
  );

  it('Update/Get of an unknown runtime, a malformed id or version, paging, and an unsigned call', async () => {
    expect(
      await failure(
        c.control.send(new UpdateAgentRuntimeCommand({ ...base('x'), agentRuntimeId: 'ghost-0123456789' })),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(c.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: 'not_an_id' })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/^Value at 'agentRuntimeId' failed to satisfy constraint/),
    });
    const id = stack.agents[0]!.id;
    expect(
      await failure(c.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: id, agentRuntimeVersion: '0' }))),
    ).toMatchObject({ name: 'ValidationException' });
    const first = await c.control.send(new ListAgentRuntimesCommand({ maxResults: 1 }));
    expect(first.agentRuntimes).toHaveLength(1);
    const second = await c.control.send(new ListAgentRuntimesCommand({ maxResults: 1, nextToken: first.nextToken }));
    expect(second.agentRuntimes![0]!.agentRuntimeId).not.toBe(first.agentRuntimes![0]!.agentRuntimeId);
    expect(await failure(c.control.send(new ListAgentRuntimesCommand({ maxResults: 101 })))).toMatchObject({
      name: 'ValidationException',
      message: "Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    });
    const unsigned = await fetch(`${stack.url}/runtimes/${id}/`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    const stranger = clientsFor(stack, { accessKeyId: 'AKIASTRANGERSTRANGER' });
    const wrongSecret = clientsFor(stack, { secretAccessKey: 'not-the-secret' });
    try {
      expect(await failure(stranger.control.send(new ListAgentRuntimesCommand({})))).toMatchObject({
        name: 'UnrecognizedClientException',
        status: 403,
      });
      expect(
        await failure(wrongSecret.control.send(new CreateAgentRuntimeCommand(base('unsigned_agent')))),
      ).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    } finally {
      for (const x of [stranger, wrongSecret]) for (const client of Object.values(x)) client.destroy();
    }
  });

  it('a repeated clientToken gets the first answer (no second runtime)', async () => {
    const token = randomUUID();
    const a = await c.control.send(new CreateAgentRuntimeCommand({ ...base('idem_agent'), clientToken: token }));
    const b = await c.control.send(new CreateAgentRuntimeCommand({ ...base('idem_agent'), clientToken: token }));
    expect(b.agentRuntimeId).toBe(a.agentRuntimeId);
    expect(stack.agents.filter((x) => x.name === 'idem_agent')).toHaveLength(1);
  });
});

describe('the newer authorizer fields', () => {
  it(
    'advertisedScopeMapping: the advertised scopes in the protected-resource metadata and ' + 'WWW-Authenticate',
    async () => {
      const made = await c.control.send(
        new CreateAgentRuntimeCommand({
          ...base('scoped_agent'),
          authorizerConfiguration: jwtAuthorizer({
            allowedScopes: ['aws.cognito.signin.user.admin', 'agentcore/invoke'],
            advertisedScopeMapping: { 'agentcore/invoke': 'api://agentcore/invoke' },
          }),
        }),
      );
      const arn = made.agentRuntimeArn!;
      const res = await bearer(arn, undefined);
      expect(res.status).toBe(401);
      const escaped = encodeURIComponent(arn);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${stack.url}/runtimes/${escaped}/invocations/.well-known/oauth-protected-resource` +
          '?qualifier=DEFAULT", scope="aws.cognito.signin.user.admin api://agentcore/invoke"',
      );
      const prm = await fetch(`${stack.url}/runtimes/${escaped}/invocations/.well-known/oauth-protected-resource`);
      expect(await prm.json()).toMatchObject({
        scopes_supported: ['aws.cognito.signin.user.admin', 'api://agentcore/invoke'],
      });
      // Validation still uses allowedScopes: the access token carries aws.cognito.signin.user.admin.
      expect((await bearer(arn, accessToken)).status).toBe(200);
      const unmapped = {
        ...base('bad_map_agent'),
        authorizerConfiguration: jwtAuthorizer({ allowedScopes: ['openid'], advertisedScopeMapping: { email: 'x' } }),
      };
      expect(await failure(c.control.send(new CreateAgentRuntimeCommand(unmapped)))).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('maps a scope that is not in allowedScopes'),
      });
    },
  );

  it('allowedWorkloadConfiguration: a direct call is refused (-32001); the listed gateway hop passes', async () => {
    const gateway = stack.gateways[0]!;
    const made = await c.control.send(
      new CreateAgentRuntimeCommand({
        ...base('behind_gateway'),
        authorizerConfiguration: jwtAuthorizer({
          allowedWorkloadConfiguration: {
            hostingEnvironments: [
              { arn: `arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/${gateway.gatewayId}` },
            ],
          },
        }),
      }),
    );
    const arn = made.agentRuntimeArn!;
    const direct = await bearer(arn, accessToken);
    expect(direct.status).toBe(401);
    expect(await direct.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32001, message: MESSAGES.transactionTokenRequired },
      id: 'null',
    });
    // The gateway's hop: the stack mints its workload token (no caller can: the identity is linked to the gateway)
    // and it travels in the multi-hop header.
    const hop = stack.state.mintWat({ workloadName: gateway.workloadName });
    const viaGateway = await bearer(arn, accessToken, 'DEFAULT', { [HEADERS.workloadAccessTokenNew]: hop });
    expect(viaGateway.status).toBe(200);
    const other = stack.state.mintWat({ workloadName: 'local-workload' });
    expect((await bearer(arn, accessToken, 'DEFAULT', { [HEADERS.workloadAccessTokenNew]: other })).status).toBe(401);
  });

  it(
    'privateEndpoint / privateEndpointOverrides: validated, stored, shown, and said to have no ' + 'effect here',
    async () => {
      const privateEndpoint = {
        managedVpcResource: {
          vpcIdentifier: 'vpc-0123456789abcdef0',
          subnetIds: ['subnet-0123456789abcdef0'],
          endpointIpAddressType: 'IPV4' as const,
        },
      };
      const overrides = [
        {
          domain: 'keys.idp.example',
          privateEndpoint: {
            selfManagedLatticeResource: { resourceConfigurationIdentifier: 'rcfg-0123456789abcdef0' },
          },
        },
      ];
      const made = await c.control.send(
        new CreateAgentRuntimeCommand({
          ...base('private_agent'),
          authorizerConfiguration: jwtAuthorizer({ privateEndpoint, privateEndpointOverrides: overrides }),
        }),
      );
      const got = await c.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: made.agentRuntimeId }));
      expect(got.authorizerConfiguration?.customJWTAuthorizer).toMatchObject({
        privateEndpoint,
        privateEndpointOverrides: overrides,
      });
      expect(lines.join('\n')).toContain('runtime private_agent: privateEndpoint settings are stored and shown');
      expect((await bearer(made.agentRuntimeArn!, accessToken)).status).toBe(200);
      const badVpc = {
        ...base('bad_vpc_agent'),
        authorizerConfiguration: jwtAuthorizer({
          privateEndpoint: { managedVpcResource: { ...privateEndpoint.managedVpcResource, vpcIdentifier: 'vpc-1' } },
        }),
      };
      expect(await failure(c.control.send(new CreateAgentRuntimeCommand(badVpc)))).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('privateEndpoint.managedVpcResource.vpcIdentifier'),
      });
    },
  );
});

describe('InvokeAgentRuntime header members (the model lengths)', () => {
  it(
    'traceparent 128, tracestate 512, baggage 8192, Mcp-Session-Id 1024: one over is a ' + 'ValidationException',
    async () => {
      const arn = `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${stack.agents[0]!.id}`;
      const cases: Array<[keyof ConstructorParameters<typeof InvokeAgentRuntimeCommand>[0], string, number]> = [
        ['traceParent', 'traceParent', 128],
        ['traceState', 'traceState', 512],
        ['baggage', 'baggage', 8192],
        ['mcpSessionId', 'mcpSessionId', 1024],
      ];
      for (const [member, field, max] of cases) {
        expect(await sigv4(arn, { [member]: 'a'.repeat(max) })).toMatchObject({ type: 'whoami' });
        expect(await failure(sigv4(arn, { [member]: 'a'.repeat(max + 1) }))).toMatchObject({
          name: 'ValidationException',
          status: 400,
          message:
            `Value at '${field}' failed to satisfy constraint: Member must have length less than or ` +
            `equal to ${max}`,
        });
      }
    },
  );
});
