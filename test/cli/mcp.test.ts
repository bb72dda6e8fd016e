/**
 * MCP over a Runtime agent (`invoke --mcp`, `mcp --agent`) through the local stack, and over a gateway-style `/mcp`
 * URL (`mcp --gateway-url`): initialize → notifications/initialized → tools/list (paginated) / tools/call, the
 * Mcp-Session-Id echoed, and the inbound credentials on every request (bearer, or SigV4 verified by the emulator's
 * verifier). -32042 URL elicitations are shown with their URL.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LocalStack } from '../../src/emulator/stack.js';
import { runCommand } from '../helpers/context.js';
import { cognitoTokens, type CognitoTokens } from '../fixtures/cognito-users.js';
import { arnOf, startInvokeStack, startMcpAgent, stackEnv } from '../fixtures/invoke-stack.js';

let stack: LocalStack;
let tokens: CognitoTokens;
let env: Record<string, string>;
let agent: Awaited<ReturnType<typeof startMcpAgent>>;
const MCP_IAM = arnOf('mcp_iam-test000004');
const MCP_JWT = arnOf('mcp_jwt-test000005');

beforeAll(async () => {
  const cognito = inject('cognito');
  tokens = await cognitoTokens(cognito, 'mcp');
  agent = await startMcpAgent({ sse: true });
  stack = await startInvokeStack(cognito, tokens.clientId, [
    { name: 'mcp_iam', id: 'mcp_iam-test000004', protocol: 'MCP', agentUrl: agent.url },
    {
      name: 'mcp_jwt',
      id: 'mcp_jwt-test000005',
      protocol: 'MCP',
      agentUrl: agent.url,
      authorizerConfiguration: {
        customJWTAuthorizer: { discoveryUrl: cognito.discoveryUrl, allowedClients: [tokens.clientId] },
      },
      requestHeaderAllowlist: ['Authorization'],
    },
  ]);
  env = stackEnv(stack);
});
afterAll(async () => {
  await stack?.close();
  await agent?.close();
});

describe('MCP over a runtime agent', () => {
  it('invoke --mcp --user-id: initialize, initialized, tools/list over two pages, session id echoed', async () => {
    const from = agent.seen.length;
    const r = await runCommand(['invoke', MCP_IAM, '--mcp', '--user-id', 'alice'], { env });
    expect(r.stderr).toContain('initialized test-mcp 1.2.3 (protocol 2025-03-26, Mcp-Session-Id mcp-session-abc)');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('add\tAdd two numbers\nwhoami\tWho is calling\nsecret\tNeeds consent\n');
    const seen = agent.seen.slice(from);
    expect(seen.map((s) => s.body.method)).toEqual([
      'initialize',
      'notifications/initialized',
      'tools/list',
      'tools/list',
    ]);
    expect(seen[0]!.headers['mcp-session-id']).toBeUndefined();
    for (const s of seen.slice(1)) expect(s.headers['mcp-session-id']).toBe('mcp-session-abc');
    for (const s of seen) expect(s.headers['mcp-protocol-version']).toBe('2025-03-26');
    // SigV4 + user id on every request: the runtime minted a workload token for each.
    for (const s of seen) expect(s.headers.workloadaccesstoken).toBeTruthy();
  });

  it(
    'mcp --agent with a bearer token: the JWT runtime accepts every request (Authorization reached the agent ' +
      'each time)',
    async () => {
      const from = agent.seen.length;
      const r = await runCommand(
        [
          'mcp',
          '--agent',
          MCP_JWT,
          '--bearer-token',
          tokens.accessToken,
          '--call',
          'add',
          '--input',
          '{"a":2,"b":3}',
          '--json',
        ],
        { env },
      );
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        mode: 'bearer',
        mcpSessionId: 'mcp-session-abc',
        tool: 'add',
        result: { content: [{ type: 'text', text: '5' }] },
      });
      const seen = agent.seen.slice(from);
      expect(seen.map((s) => s.body.method)).toEqual(['initialize', 'notifications/initialized', 'tools/call']);
      for (const s of seen) expect(s.headers.authorization).toBe(`Bearer ${tokens.accessToken}`);
      expect(r.stderr).not.toContain(tokens.accessToken);
    },
  );

  it('SigV4 against the JWT MCP runtime: the mismatch on initialize names the mode', async () => {
    const r = await runCommand(['invoke', MCP_JWT, '--mcp', '--user-id', 'alice'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Authorization method mismatch: the request used SigV4 (IAM)');
  });

  it('an unknown tool is a JSON-RPC error, exit 3', async () => {
    const r = await runCommand(['invoke', MCP_IAM, '--mcp', '--user-id', 'a', '--call', 'nope'], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('tools/call nope failed: JSON-RPC error -32602: Unknown tool: nope');
    expect(r.stderr).toContain('hint: List them (`agentcore-auth mcp --gateway-id ID`)');
  });

  it('a tool that answers isError: exit 3, its text on stdout, a warning and no success line', async () => {
    const r = await runCommand(['invoke', MCP_IAM, '--mcp', '--user-id', 'a', '--call', 'fail'], { env });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('the tool failed\n');
    expect(r.stderr).toContain('the tool fail reported an error (isError: true)');
    expect(r.stderr).not.toContain('fail answered');
  });

  it('--call without --mcp and --dry-run with --mcp are usage errors', async () => {
    expect((await runCommand(['invoke', MCP_IAM, '{}', '--call', 'add'], { env })).code).toBe(2);
    const r = await runCommand(['invoke', MCP_IAM, '--mcp', '--dry-run', '--user-id', 'a'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('do not combine with --mcp');
  });
});

describe('MCP over a gateway URL', () => {
  let gw: Awaited<ReturnType<typeof startMcpAgent>>;
  const authUrl = () =>
    `${stack.url}/identities/oauth2/authorize?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3AZmFrZQ`;
  beforeAll(async () => {
    gw = await startMcpAgent({ authorizationUrl: authUrl, verifySigV4: stack.credentials });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('bearer on every request, Mcp-Session-Id echoed', async () => {
    const from = gw.seen.length;
    const r = await runCommand(
      ['mcp', '--gateway-url', `${gw.url}/mcp`, '--bearer-token', tokens.accessToken, '--json'],
      { env },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { tools: Array<{ name: string }>; mcpSessionId: string };
    expect(out.tools.map((t) => t.name)).toEqual(['add', 'whoami', 'secret']);
    const seen = gw.seen.slice(from);
    expect(seen).toHaveLength(4);
    for (const s of seen) expect(s.headers.authorization).toBe(`Bearer ${tokens.accessToken}`);
    for (const s of seen.slice(1)) expect(s.headers['mcp-session-id']).toBe('mcp-session-abc');
  });

  it('SigV4: every request carries a valid bedrock-agentcore signature', async () => {
    const from = gw.seen.length;
    const r = await runCommand(['mcp', '--gateway-url', `${gw.url}/mcp`, '--auth', 'sigv4', '--call', 'whoami'], {
      env,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('caller=nobody\n');
    const seen = gw.seen.slice(from);
    expect(seen).toHaveLength(3);
    for (const s of seen)
      expect(s.sigv4).toMatchObject({ ok: true, service: 'bedrock-agentcore', region: 'us-east-1' });
  });

  it('a -32042 URL elicitation is shown with its URL; exit 4 and the --complete-auth hint', async () => {
    const r = await runCommand(
      ['mcp', '--gateway-url', `${gw.url}/mcp`, '--bearer-token', tokens.accessToken, '--call', 'secret'],
      { env },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("the tool needs the user's consent (3LO, URL elicitation -32042)");
    expect(r.stderr).toContain(authUrl());
    expect(r.stderr).toMatch(/hint: .*--complete-auth/);
  });

  it('refuses a non-https gateway URL that is not loopback', async () => {
    const r = await runCommand(['mcp', '--gateway-url', 'http://example.com/mcp', '--bearer-token', 'a.b.c'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--gateway-url must be an https URL');
  });
});
