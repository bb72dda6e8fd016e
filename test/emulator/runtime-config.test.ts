/** Agents config: defaults, validation errors that name the field, --agent-url. */
import { describe, expect, it } from 'vitest';
import {
  applyAgentUrls,
  DEFAULT_RETURN_URL,
  defaultAgents,
  deriveId,
  parseAgents,
} from '../../src/emulator/runtime/config.js';
import { ConfigError } from '../../src/emulator/config-fields.js';

const ctx = {
  appClientId: 'appclient',
  oauthProviderName: 'local-3lo',
  returnUrl: 'http://localhost:8081/oauth2/callback',
};

function error(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('seeded agents', () => {
  it('one SigV4 agent, one allowedClients agent, one allowedAudience agent; ids match the ARN pattern', () => {
    const agents = defaultAgents(ctx);
    expect(agents.map((a) => [a.id, a.authorizerConfiguration?.customJWTAuthorizer ?? 'SIGV4'])).toEqual([
      ['sigv4_agent-local00001', 'SIGV4'],
      ['jwt_agent-local00002', { allowedClients: ['appclient'] }],
      ['jwt_aud_agent-local00003', { allowedAudience: ['appclient'] }],
    ]);
    expect(
      agents.every((a) => a.workloadName === a.id && a.allowedResourceOauth2ReturnUrls.includes(ctx.returnUrl)),
    ).toBe(true);
    expect(defaultAgents({ ...ctx, clientIds: ['a', 'b'] })[1]!.authorizerConfiguration).toEqual({
      customJWTAuthorizer: { allowedClients: ['a', 'b'] },
    });
  });
});

describe('parseAgents', () => {
  it('fills ids, workload names and the default callback; accepts the AWS field shapes', () => {
    const [a, b] = parseAgents([
      {
        name: 'mine',
        agentUrl: 'http://127.0.0.1:8080/',
        authorizerConfiguration: { customJWTAuthorizer: { allowedScopes: ['x:read'] } },
        requestHeaderConfiguration: { requestHeaderAllowlist: ['Authorization'] },
      },
      { name: 'iam', id: 'iam-0123456789', protocol: 'mcp' },
    ]);
    expect(a).toMatchObject({
      id: deriveId('mine'),
      agentUrl: 'http://127.0.0.1:8080',
      requestHeaderAllowlist: ['Authorization'],
      oauth2CallbackUrl: DEFAULT_RETURN_URL,
      protocol: 'HTTP',
    });
    expect(a!.id).toMatch(/^mine-[A-Za-z0-9]{10}$/);
    expect(b).toMatchObject({
      id: 'iam-0123456789',
      workloadName: 'iam-0123456789',
      protocol: 'MCP',
      allowedResourceOauth2ReturnUrls: [DEFAULT_RETURN_URL],
    });
  });

  it('errors name the field and say what is allowed', () => {
    expect(error(() => parseAgents([{ name: 'my-agent' }])).message).toBe(
      'agents[0].name: "my-agent" must match [a-zA-Z][a-zA-Z0-9_]{0,47} (letters, digits, underscores; no hyphens)',
    );
    expect(error(() => parseAgents([{ name: 'a', requestHeaderAllowlist: ['Authorization'] }])).field).toBe(
      'agents[0].requestHeaderAllowlist[0]',
    );
    expect(error(() => parseAgents([{ name: 'a', requestHeaderAllowlist: ['X-Custom'] }])).message).toContain(
      'only Authorization and headers starting with X-Amzn-Bedrock-AgentCore-Runtime-Custom-',
    );
    expect(
      error(() =>
        parseAgents([
          { name: 'a', authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: 'https://idp.example/' } } },
        ]),
      ).message,
    ).toContain('must end with /.well-known/openid-configuration');
    expect(
      error(() =>
        parseAgents([{ name: 'a', authorizerConfiguration: { customJWTAuthorizer: { allowedClients: [] } } }]),
      ).message,
    ).toContain('non-empty list');
    expect(
      error(() =>
        parseAgents([
          {
            name: 'a',
            authorizerConfiguration: {
              customJWTAuthorizer: {
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
              },
            },
          },
        ]),
      ).message,
    ).toBe(
      'agents[0].authorizerConfiguration.customJWTAuthorizer.customClaims[0]: CONTAINS checks that a ' +
        'STRING_ARRAY claim contains matchValueString',
    );
    expect(
      error(() =>
        parseAgents([
          {
            name: 'a',
            authorizerConfiguration: {
              customJWTAuthorizer: {
                customClaims: [
                  {
                    inboundTokenClaimName: 'scp',
                    inboundTokenClaimValueType: 'STRING',
                    authorizingClaimMatchValue: {},
                  },
                ],
              },
            },
          },
        ]),
      ).message,
    ).toContain("Custom claim name can't be 'scp'");
    expect(error(() => parseAgents([{ name: 'a', agentUrl: 'ftp://x' }])).message).toBe(
      'agents[0].agentUrl: "ftp://x" must be an http(s) URL',
    );
    expect(error(() => parseAgents([{ name: 'a' }, { name: 'a' }])).message).toBe('agents[1]: duplicate agent "a"');
    expect(error(() => parseAgents([{ name: 'a', colour: 'red' }])).field).toBe('agents[0].colour');
  });
});

describe('--agent-url', () => {
  it('applyAgentUrls: URL for all agents without one, NAME=URL for one, unknown names rejected', () => {
    const agents = defaultAgents(ctx);
    const out = applyAgentUrls(agents, ['jwt_agent=http://127.0.0.1:9000', 'http://127.0.0.1:8080']);
    expect(out.map((a) => a.agentUrl)).toEqual([
      'http://127.0.0.1:8080',
      'http://127.0.0.1:9000',
      'http://127.0.0.1:8080',
    ]);
    expect(agents[0]!.agentUrl).toBeUndefined(); // not mutated
    expect(error(() => applyAgentUrls(agents, ['nobody=http://127.0.0.1:1'])).message).toContain(
      'no agent named "nobody" (agents: sigv4_agent, jwt_agent, jwt_aud_agent)',
    );
    expect(error(() => applyAgentUrls(agents, ['localhost:8080'])).field).toBe('--agent-url');
  });
});

describe('the newer authorizer fields and the claim patterns in a config file (issue 28 items 9, 10)', () => {
  const withJwt = (customJWTAuthorizer: Record<string, unknown>) =>
    parseAgents([{ name: 'a', authorizerConfiguration: { customJWTAuthorizer } }]);
  const claim = (name: string, value: string) => ({
    customClaims: [
      {
        inboundTokenClaimName: name,
        inboundTokenClaimValueType: 'STRING',
        authorizingClaimMatchValue: { claimMatchOperator: 'EQUALS', claimMatchValue: { matchValueString: value } },
      },
    ],
  });
  const at = 'agents[0].authorizerConfiguration.customJWTAuthorizer';

  it('accepts and keeps advertisedScopeMapping, allowedWorkloadConfiguration, privateEndpoint(Overrides)', () => {
    const privateEndpoint = {
      selfManagedLatticeResource: { resourceConfigurationIdentifier: 'rcfg-0123456789abcdef0' },
    };
    const [a] = withJwt({
      allowedScopes: ['api:read'],
      advertisedScopeMapping: { 'api:read': 'api://tools/read' },
      allowedWorkloadConfiguration: { workloadIdentities: ['local-gateway-local00001'] },
      privateEndpoint,
      privateEndpointOverrides: [{ domain: 'jwks.idp.example', privateEndpoint }],
      ...claim('cognito:groups', 'admins'),
    });
    expect(a!.authorizerConfiguration!.customJWTAuthorizer).toMatchObject({
      advertisedScopeMapping: { 'api:read': 'api://tools/read' },
      allowedWorkloadConfiguration: { workloadIdentities: ['local-gateway-local00001'] },
      privateEndpoint,
      privateEndpointOverrides: [{ domain: 'jwks.idp.example', privateEndpoint }],
      customClaims: [{ inboundTokenClaimName: 'cognito:groups' }],
    });
  });

  it('refuses what the model refuses, naming the field', () => {
    expect(error(() => withJwt(claim('tenant id', 'acme'))).message).toBe(
      `${at}.customClaims[0].inboundTokenClaimName: "tenant id" must be 1-255 characters from [A-Za-z0-9_.-:] ` +
        '([A-Za-z0-9_.-:]+)',
    );
    expect(error(() => withJwt(claim('tenant', 'acme/eu'))).field).toBe(
      `${at}.customClaims[0].authorizingClaimMatchValue.claimMatchValue.matchValueString`,
    );
    expect(error(() => withJwt(claim('tenant', 'x'.repeat(256)))).message).toContain('must be 1-255 letters');
    expect(
      error(() => withJwt({ allowedScopes: ['api:read'], advertisedScopeMapping: { 'api:write': 'x' } })).message,
    ).toBe(`${at}.advertisedScopeMapping."api:write": maps a scope that is not in allowedScopes (api:read)`);
    expect(error(() => withJwt({ allowedWorkloadConfiguration: {} })).message).toBe(
      `${at}.allowedWorkloadConfiguration: needs hostingEnvironments or workloadIdentities`,
    );
    expect(error(() => withJwt({ allowedWorkloadConfiguration: { hostingEnvironments: [] } })).message).toBe(
      `${at}.allowedWorkloadConfiguration.hostingEnvironments: failed to satisfy constraint: ` +
        'Member must have length greater than or equal to 1',
    );
    expect(
      error(() => withJwt({ privateEndpoint: { managedVpcResource: { vpcIdentifier: 'vpc-12', subnetIds: [] } } }))
        .message,
    ).toBe(
      `${at}.privateEndpoint.managedVpcResource.vpcIdentifier: failed to satisfy constraint: ` +
        'Member must satisfy regular expression pattern: vpc-(([0-9a-z]{8})|([0-9a-z]{17}))',
    );
    expect(error(() => withJwt({ privateEndpointOverrides: 'x' })).message).toBe(
      `${at}.privateEndpointOverrides: must be a list`,
    );
  });
});
