/**
 * `verify --agent-arn` / `--gateway-id`: the authorizer is read from the local stack's control plane (GetAgentRuntime,
 * GetGateway through the real SDK), the token comes from a real `login` against the stack's user pool (cached, then
 * `--bearer`), and the prediction is compared with what the stack's runtime answers to the same token.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HEADERS, MESSAGES } from '../../src/wire.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { cognitoTokens, type CognitoTokens } from '../fixtures/cognito-users.js';
import { stackLoginArgs } from '../fixtures/stack-users.js';
import { createTestContext, runCommand, type TestContext } from '../helpers/context.js';

const cognito = inject('cognito');
let stack: LocalStack;
let ctx: TestContext;
let cog: CognitoTokens;

const arnOf = (name: string) =>
  `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/` +
  stack.agents.find((a) => a.name === name)!.id;

beforeAll(async () => {
  cog = await cognitoTokens(cognito);
  // The seeded agents (jwt_agent: allowedClients = the app client; jwt_aud_agent: allowedAudience = the same id;
  // sigv4_agent) and gateway, plus one agent that trusts cognito-local.
  const seeded = await startLocalStack({});
  const agents = seeded.config.agents ?? seeded.agents;
  await seeded.close();
  stack = await startLocalStack({
    config: {
      agents: [
        ...agents,
        {
          name: 'cognito_agent',
          authorizerConfiguration: {
            customJWTAuthorizer: {
              discoveryUrl: cognito.discoveryUrl,
              allowedClients: [cog.clientId],
              allowedScopes: ['aws.cognito.signin.user.admin'],
            },
          },
          requestHeaderAllowlist: ['Authorization'],
        },
      ],
      // a gateway trusting the pool's app clients (what the seeded one does), without targets
      gateways: [{ name: 'local-gateway' }],
    } as Record<string, unknown>,
  });
  ctx = createTestContext({ env: stack.env });
  const login = await runCommand(stackLoginArgs(stack), ctx);
  if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
});
afterAll(async () => {
  await stack?.close();
});

/** What the stack's runtime answers to the same bearer token (the emulator's own authorizer). */
async function invokeWith(agent: string, token: string) {
  const res = await fetch(`${stack.url}/runtimes/${encodeURIComponent(arnOf(agent))}/invocations?qualifier=DEFAULT`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      [HEADERS.sessionId]: `session-${randomUUID()}`,
    },
    body: '{"prompt":"hi"}',
  });
  return { status: res.status, text: await res.text() };
}

const run = (argv: string[]) => runCommand(argv, createTestContext({ env: stack.env, home: ctx.homedir }));

describe('verify against an agent read from the control plane', () => {
  it('the cached access token passes the allowedClients agent, and the runtime agrees', async () => {
    const r = await run(['verify', '--bearer', '--agent-arn', arnOf('jwt_agent')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`authorizer  agent jwt_agent (${arnOf('jwt_agent')})`);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('would be accepted');
    const token = (await run(['token', 'print'])).stdout.trim();
    expect((await invokeWith('jwt_agent', token)).status).toBe(200);
  });

  it('the access token fails the allowedAudience agent (no aud), the ID token passes; the runtime agrees', async () => {
    const a = await run(['verify', '--bearer', '--agent-arn', arnOf('jwt_aud_agent')]);
    expect(a.code).toBe(4);
    expect(a.stdout).toContain('would be rejected: aud — Cognito access tokens carry no aud claim');
    const token = (await run(['token', 'print'])).stdout.trim();
    const live = await invokeWith('jwt_aud_agent', token);
    expect(live.status).toBe(401);
    expect(live.text).toContain(MESSAGES.claimMismatch('aud'));
    const b = await run(['verify', '--bearer', '--id-token', '--agent-arn', arnOf('jwt_aud_agent')]);
    expect(b.code).toBe(0);
    const idToken = (await run(['token', 'print', '--id-token'])).stdout.trim();
    expect((await invokeWith('jwt_aud_agent', idToken)).status).toBe(200);
  });

  it('flags override one field of the agent authorizer', async () => {
    const r = await run(['verify', '--bearer', '--agent-arn', arnOf('jwt_agent'), '--allowed-scopes', 'orders/read']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("flags override the agent jwt_agent authorizer's allowedScopes");
    expect(r.stdout).toContain('would be rejected: scope');
  });

  it(
    'an agent trusting cognito-local: an ID token from there is rejected on client_id, as the ' + 'runtime does',
    async () => {
      const r = await run(['verify', cog.idToken, '--agent-arn', arnOf('cognito_agent'), '--json']);
      expect(r.code).toBe(4);
      const j = JSON.parse(r.stdout);
      expect(j.rejected).toMatchObject({
        claim: 'client_id',
        response: { status: 401, message: MESSAGES.claimMismatch('client_id') },
      });
      expect(j.authorizer).toMatchObject({
        source: { kind: 'agent', name: 'cognito_agent', arn: arnOf('cognito_agent'), region: 'us-east-1' },
        allowedClients: [cog.clientId],
      });
      const live = await invokeWith('cognito_agent', cog.idToken);
      expect(live.status).toBe(401);
      expect(live.text).toContain(MESSAGES.claimMismatch('client_id'));
      expect((await run(['verify', cog.accessToken, '--agent-arn', arnOf('cognito_agent')])).code).toBe(0);
      expect((await invokeWith('cognito_agent', cog.accessToken)).status).toBe(200);
    },
  );

  it('a SigV4 agent rejects every bearer token: method mismatch', async () => {
    const r = await run(['verify', cog.accessToken, '--agent-arn', arnOf('sigv4_agent')]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe(
      `would be rejected: authorizer — agent sigv4_agent has no customJWTAuthorizer: it takes IAM SigV4 ` +
        `only, so a bearer call gets 403 "${MESSAGES.methodMismatch}" — invoke it with SigV4 (agentcore-auth ` +
        `invoke --auth sigv4, plus --user-id for a workload token), or add a customJWTAuthorizer to the agent\n`,
    );
    const live = await invokeWith('sigv4_agent', cog.accessToken);
    expect(live.status).toBe(403);
    expect(live.text).toContain('Authorization method mismatch');
  });

  it('an unknown agent is the service error (exit 3) with the hint', async () => {
    const r = await run([
      'verify',
      cog.accessToken,
      '--agent-arn',
      `arn:aws:bedrock-agentcore:us-east-1:${stack.accountId}:runtime/ghost-AbCdEf1234`,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: GetAgentRuntime failed: ResourceNotFoundException: /);
    expect(r.stderr).toContain('hint: Check --region');
  });
});

describe('verify against a gateway', () => {
  it("reads the gateway authorizer with GetGateway (allowedClients = the pool's app clients)", async () => {
    const gw = stack.gateways[0]!;
    const app = stack.userPool.clients.find((c) => c.name === 'app-client')!;
    expect(gw.authorizerConfiguration?.customJWTAuthorizer.allowedClients).toEqual(
      stack.userPool.clients.map((c) => c.clientId),
    );
    const r = await run(['verify', '--bearer', '--gateway-id', gw.gatewayId]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`authorizer  gateway ${gw.name}`);
    expect(r.stdout).toMatch(
      new RegExp(
        `^ {2}client_id +✓ +${app.clientId} +${stack.userPool.clients.map((c) => c.clientId).join(', ')}$`,
        'm',
      ),
    );
    const id = await run(['verify', '--bearer', '--id-token', '--gateway-id', gw.gatewayId]);
    expect(id.code).toBe(4);
    expect(id.stdout).toContain('would be rejected: client_id — this is a Cognito ID token');
    expect(id.stdout).toContain(
      `AgentCore answers 401 "${MESSAGES.claimMismatch('client_id')}" — expected; not confirmed against the ` +
        `live service`,
    );
  });

  it('a scope the gateway does not allow: 403 insufficient_scope, as the Gateway answers', async () => {
    const gw = stack.gateways[0]!;
    const r = await run(['verify', '--bearer', '--gateway-id', gw.gatewayId, '--allowed-scopes', 'mcp/invoke']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      'would be rejected: scope — tokens from InitiateAuth (USER_PASSWORD_AUTH, SRP, refresh) carry only ' +
        'aws.cognito.signin.user.admin',
    );
    expect(r.stdout).toContain(
      'AgentCore answers 403 "insufficient_scope (WWW-Authenticate: Bearer error="insufficient_scope")" — ' +
        'expected; not confirmed against the live service',
    );
  });
});
