/**
 * `agentcore-auth doctor` in-process against the local stack (startLocalStack, real AWS SDK clients through the
 * stack's endpoints) with healthy and deliberately broken agent configs, an unreachable endpoint, missing
 * credentials, and cached tokens checked against the agent's authorizer (cognito-local tokens).
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { saveEntry } from '../../src/core/token-cache.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { cognitoTokens, type CognitoTokens } from '../fixtures/cognito-users.js';
import { createTestContext, runCommand, type TestContext } from '../helpers/context.js';

const cognito = inject('cognito');
let stack: LocalStack;
let cog: CognitoTokens;

beforeAll(async () => {
  cog = await cognitoTokens(cognito);
  stack = await startLocalStack({
    config: {
      agents: [
        {
          name: 'healthy_agent',
          authorizerConfiguration: {
            customJWTAuthorizer: { discoveryUrl: cognito.discoveryUrl, allowedClients: [cog.clientId] },
          },
          requestHeaderAllowlist: ['Authorization'],
          allowedResourceOauth2ReturnUrls: ['http://localhost:8081/oauth2/callback'],
        },
        {
          name: 'mcp_agent',
          protocol: 'MCP',
          allowedResourceOauth2ReturnUrls: ['http://localhost:8081/oauth2/callback'],
          requestHeaderAllowlist: ['X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant'],
        },
        {
          name: 'sigv4_agent',
          allowedResourceOauth2ReturnUrls: ['http://localhost:8081/oauth2/callback'],
          requestHeaderAllowlist: ['X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant'],
        },
        {
          name: 'noheader_agent',
          authorizerConfiguration: {
            customJWTAuthorizer: { discoveryUrl: cognito.discoveryUrl, allowedAudience: [cog.clientId] },
          },
          requestHeaderAllowlist: ['X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant'],
        },
        {
          name: 'baddisc_agent',
          authorizerConfiguration: {
            customJWTAuthorizer: {
              discoveryUrl: `${cognito.endpoint}/us-east-1_Missing/nothing/.well-known/openid-configuration`,
              allowedClients: ['x'],
            },
          },
          requestHeaderAllowlist: ['Authorization'],
        },
      ],
      workloadIdentities: [
        {
          name: 'local-workload',
          allowedResourceOauth2ReturnUrls: [
            'http://localhost:8081/oauth2/callback',
            'http://127.0.0.1:8081/oauth2/callback',
          ],
        },
        { name: 'bare-workload' },
      ],
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

const arn = (name: string) =>
  `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/` +
  stack.agents.find((a) => a.name === name)!.id;
const lines = (stdout: string) => stdout.trimEnd().split('\n');
const lineOf = (stdout: string, label: string) => lines(stdout).find((l) => l.slice(2).startsWith(label));

/** A context on the stack whose token cache holds these user-password logins of cog's user, saved in order. */
async function withCachedLogins(
  ...entries: Array<Omit<Parameters<typeof saveEntry>[1], 'flow' | 'username'>>
): Promise<TestContext> {
  const ctx = createTestContext({ env: stack.env });
  for (const e of entries) {
    await saveEntry({ env: ctx.env, homedir: ctx.homedir }, { flow: 'user-password', username: cog.username, ...e });
  }
  return ctx;
}

describe('doctor against the local stack', () => {
  it('a healthy JWT agent: every line ✓, exit 0, and what a caller must send', async () => {
    const r = await runCommand(['doctor', '--agent-arn', arn('healthy_agent')], { env: stack.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.at(-1)).toBe('no check failed; 1 warning');
    expect(lineOf(r.stdout, 'AWS region resolves')).toBe(`✓ AWS region resolves — ${stack.region} (from AWS_REGION)`);
    expect(lineOf(r.stdout, 'AWS credentials resolve')).toMatch(/^✓ AWS credentials resolve — access key \S{4}…\S{4}$/);
    expect(lineOf(r.stdout, 'control plane endpoint reachable')).toMatch(
      new RegExp(
        `^✓ control plane endpoint reachable — ${stack.endpoints.control.replace(/\/$/, '')} \\(HTTP \\d+, \\d+ ms\\)$`,
      ),
    );
    expect(lineOf(r.stdout, 'runtime healthy_agent')).toMatch(
      /^✓ runtime healthy_agent-\w+ exists — arn:aws:bedrock-agentcore:/,
    );
    expect(lineOf(r.stdout, 'runtime healthy_agent is READY')).toBe('✓ runtime healthy_agent is READY — READY');
    expect(lineOf(r.stdout, 'inbound auth')).toBe(
      `✓ inbound auth: OAuth bearer JWT (customJWTAuthorizer) — callers send Authorization: Bearer <JWT> ` +
        `from the IdP at ${cognito.discoveryUrl} with client_id in [${cog.clientId}]; SigV4 calls get 403 ` +
        `"Authorization method mismatch"`,
    );
    expect(lineOf(r.stdout, 'Authorization is in the request-header allowlist')).toBe(
      "✓ Authorization is in the request-header allowlist — the agent receives the caller's JWT",
    );
    expect(lineOf(r.stdout, "the authorizer's discovery document")).toBe(
      `✓ the authorizer's discovery document is reachable — issuer ${cognito.issuer}`,
    );
    expect(lineOf(r.stdout, 'workload identity')).toMatch(
      new RegExp(
        /^✓ workload identity healthy_agent-\w+ exists \(the agent's\) — arn:aws:/.source +
          /bedrock-agentcore:us-east-1:123456789012:/.source +
          /workload-identity-directory\/default\/workload-identity\/healthy_agent-\w+$/.source,
      ),
    );
    expect(lineOf(r.stdout, 'return URLs registered')).toBe(
      '✓ return URLs registered (allowedResourceOauth2ReturnUrls) — http://localhost:8081/oauth2/callback',
    );
    // No cached login yet: a warning that says how to get one.
    expect(lineOf(r.stdout, 'cached tokens')).toBe(
      '! cached tokens — none — fix: log in for this agent: agentcore-auth login --client-id <app client> ' +
        '--username <user>',
    );
  });

  it(
    'cached tokens are checked against the agent authorizer: the access token passes, an ID ' + 'token gets the fix',
    async () => {
      const ctx = await withCachedLogins(
        {
          name: 'alice',
          tokens: { accessToken: cog.accessToken },
          expiresAt: decodeJwt(cog.accessToken).exp!,
          clientId: cog.clientId,
        },
        { name: 'idonly', tokens: { idToken: cog.idToken } },
      );
      const r = await runCommand(['doctor', '--agent-arn', arn('healthy_agent')], ctx);
      expect(r.code).toBe(0);
      expect(lineOf(r.stdout, 'cached token alice')).toMatch(
        new RegExp(
          `^✓ cached token alice \\(${cog.username}, client ${cog.clientId}\\) — expires in \\d+ h; the ` +
            `agent's authorizer would accept it$`,
        ),
      );
      // alice works for this agent, so the ID-token-only entry is just for another agent: ✓, with the reason.
      expect(lineOf(r.stdout, 'cached token idonly')).toMatch(
        new RegExp(
          `^✓ cached token idonly \\(${cog.username}\\) — expires in \\d+ h; the agent's authorizer would ` +
            `reject it: client_id — this is a Cognito ID token: .* \\(another cached login works for this agent\\)$`,
        ),
      );
      expect(lineOf(r.stdout, 'cached token idonly')).not.toContain('fix:');
      expect(lines(r.stdout).at(-1)).toBe('all checks passed');
    },
  );

  it(
    'only an ID-token login: a warning with the fix; for an allowedAudience agent, the hint to send its ID ' + 'token',
    async () => {
      const ctx = await withCachedLogins({ name: 'idonly', tokens: { idToken: cog.idToken } });
      const r = await runCommand(['doctor', '--agent-arn', arn('healthy_agent')], ctx);
      expect(r.code).toBe(0);
      expect(lineOf(r.stdout, 'cached token idonly')).toContain(
        "the agent's authorizer would reject it: client_id — this is a Cognito ID token",
      );
      expect(lineOf(r.stdout, 'cached token idonly')).toContain('fix: send the access token');
      expect(lines(r.stdout).at(-1)).toBe('no check failed; 1 warning');
      const both = await withCachedLogins({
        name: 'alice',
        tokens: { accessToken: cog.accessToken, idToken: cog.idToken },
      });
      const a = await runCommand(['doctor', '--agent-arn', arn('noheader_agent')], both);
      expect(lineOf(a.stdout, 'cached token alice')).toMatch(
        new RegExp(
          /the agent's authorizer would reject its access token \(aud\) and accept its ID /.source +
            /token: call with --bearer alice --id-token$/.source,
        ),
      );
    },
  );

  it(
    'a SigV4 agent: what callers send (the stack, like AgentCore, forwards Authorization only ' + 'to JWT agents)',
    async () => {
      const r = await runCommand(['doctor', '--agent-arn', arn('sigv4_agent')], { env: stack.env });
      expect(r.code).toBe(0);
      expect(lineOf(r.stdout, 'inbound auth')).toContain(
        '✓ inbound auth: IAM SigV4 (no customJWTAuthorizer) — callers sign with SigV4 (service bedrock-agentcore)',
      );
      expect(lineOf(r.stdout, 'inbound auth')).toContain(
        'X-Amzn-Bedrock-AgentCore-Runtime-User-Id (needs bedrock-agentcore:InvokeAgentRuntimeForUser)',
      );
      expect(lineOf(r.stdout, 'Authorization is in the request-header allowlist')).toBeUndefined();
      expect(lines(r.stdout).at(-1)).toBe('all checks passed');
    },
  );

  it('an MCP agent: what an MCP caller sends', async () => {
    const r = await runCommand(['doctor', '--agent-arn', arn('mcp_agent')], { env: stack.env });
    expect(r.code).toBe(0);
    expect(lineOf(r.stdout, 'protocol: MCP')).toBe(
      '✓ protocol: MCP — callers POST JSON-RPC with Accept: application/json, text/event-stream and ' +
        'Mcp-Protocol-Version, echoing Mcp-Session-Id after initialize (agentcore-auth mcp / invoke --mcp do)',
    );
  });

  it('a JWT agent without Authorization in the allowlist warns; a broken discoveryUrl fails (exit 4)', async () => {
    const a = await runCommand(['doctor', '--agent-arn', arn('noheader_agent')], { env: stack.env });
    expect(a.code).toBe(0);
    expect(lineOf(a.stdout, 'Authorization is in the request-header allowlist')).toMatch(
      new RegExp(
        /^! Authorization is in the request-header allowlist — it is not: .* — fix: add /.source +
          /"Authorization" to requestHeaderConfiguration.requestHeaderAllowlist/.source,
      ),
    );
    const b = await runCommand(['doctor', '--agent-arn', arn('baddisc_agent')], { env: stack.env });
    expect(b.code).toBe(4);
    expect(lineOf(b.stdout, "the authorizer's discovery document")).toMatch(
      new RegExp(
        /^✗ the authorizer's discovery document is reachable — .* answered HTTP 404 — fix: /.source +
          /fix discoveryUrl: every token is rejected while AgentCore cannot read it$/.source,
      ),
    );
    expect(lines(b.stdout).at(-1)).toMatch(/^1 check failed/);
  });

  it('a workload identity without return URLs warns with the service message it will cause', async () => {
    const r = await runCommand(['doctor', '--workload-name', 'bare-workload'], { env: stack.env });
    expect(r.code).toBe(0);
    expect(lineOf(r.stdout, 'return URLs registered')).toBe(
      '! return URLs registered (allowedResourceOauth2ReturnUrls) — none: user-federation (3LO) token requests ' +
        'fail with "You must register and use at least one ResourceOauth2ReturnUrl on your workload identity ' +
        'to use this flow" — fix: register the URL your app or `agentcore-auth callback` serves: ' +
        'agentcore-auth exchange … --register-return-url (or UpdateWorkloadIdentity)',
    );
  });

  it(
    '--workload-name and --provider: return URLs, provider status and the callbackUrl to ' + 'register at the IdP',
    async () => {
      const r = await runCommand(['doctor', '--workload-name', 'local-workload', '--provider', 'local-3lo'], {
        env: stack.env,
      });
      expect(r.code).toBe(0);
      expect(lines(r.stdout).at(-1)).toBe('all checks passed');
      expect(lineOf(r.stdout, 'AWS region resolves')).toBe('✓ AWS region resolves — us-east-1 (from AWS_REGION)');
      expect(lineOf(r.stdout, 'workload identity local-workload exists')).toBe(
        '✓ workload identity local-workload exists — arn:aws:bedrock-agentcore:us-east-1:123456789012:' +
          'workload-identity-directory/default/workload-identity/local-workload',
      );
      expect(lineOf(r.stdout, 'return URLs registered')).toBe(
        '✓ return URLs registered (allowedResourceOauth2ReturnUrls) — http://localhost:8081/oauth2/callback, ' +
          'http://127.0.0.1:8081/oauth2/callback',
      );
      expect(lineOf(r.stdout, 'credential provider local-3lo exists')).toBe(
        '✓ credential provider local-3lo exists — OAuth2, vendor CustomOauth2',
      );
      expect(lineOf(r.stdout, 'credential provider local-3lo is READY')).toBe(
        '✓ credential provider local-3lo is READY — READY',
      );
      const cb = stack.credentialProviders.oauth2.find((p) => p.name === 'local-3lo')!.callbackUrl;
      expect(lineOf(r.stdout, 'credential provider local-3lo callbackUrl')).toBe(
        `✓ credential provider local-3lo callbackUrl — ${cb} — register it as a redirect URI of client ` +
          `agentcore-local-3lo at the IdP (3LO fails with redirect_uri errors otherwise)`,
      );
    },
  );

  it('an API key provider is recognised; an unknown provider or workload fails', async () => {
    const k = await runCommand(['doctor', '--provider', 'local-api-key'], { env: stack.env });
    expect(k.code).toBe(0);
    expect(lineOf(k.stdout, 'credential provider local-api-key exists')).toMatch(
      new RegExp(
        /^✓ credential provider local-api-key exists — API key provider arn:aws:/.source +
          /bedrock-agentcore:us-east-1:123456789012:/.source +
          /token-vault\/default\/apikeycredentialprovider\/local-api-key$/.source,
      ),
    );
    const u = await runCommand(['doctor', '--provider', 'nope', '--workload-name', 'ghost-workload'], {
      env: stack.env,
    });
    expect(u.code).toBe(4);
    expect(lineOf(u.stdout, 'workload identity ghost-workload exists')).toMatch(
      new RegExp(
        /^✗ workload identity ghost-workload exists — GetWorkloadIdentity failed: /.source +
          /ResourceNotFoundException: .* — fix: check the name and the region \(us-east-1\); /.source +
          /list them: aws bedrock-agentcore-control list-workload-identities --region /.source +
          /us-east-1$/.source,
      ),
    );
    expect(lineOf(u.stdout, 'credential provider nope exists')).toMatch(
      new RegExp(
        /^✗ credential provider nope exists — GetOauth2CredentialProvider failed: /.source +
          /ResourceNotFoundException: .* — fix: check the name and the region \(us-east-1\); /.source +
          /list them: aws bedrock-agentcore-control list-oauth2-credential-providers /.source +
          /--region us-east-1 \(and list-api-key-credential-providers\)$/.source,
      ),
    );
    expect(lines(u.stdout).at(-1)).toBe('2 checks failed');
  });

  it('an agent that does not exist fails with the service error and the hint', async () => {
    const r = await runCommand(
      [
        'doctor',
        '--agent-arn',
        `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/ghost_agent-AbCdEf1234`,
      ],
      { env: stack.env },
    );
    expect(r.code).toBe(4);
    expect(lineOf(r.stdout, 'runtime ghost_agent-AbCdEf1234 exists')).toMatch(
      new RegExp(
        /^✗ runtime ghost_agent-AbCdEf1234 exists — GetAgentRuntime failed: /.source +
          /ResourceNotFoundException: .* — fix: check the ARN or id and the region /.source +
          /\(us-east-1\); list them: aws bedrock-agentcore-control list-agent-runtimes /.source +
          /--region us-east-1$/.source,
      ),
    );
    expect(r.stdout).not.toContain('inbound auth');
  });

  it('--json gives the checklist', async () => {
    const r = await runCommand(['--json', 'doctor', '--agent-arn', arn('baddisc_agent')], { env: stack.env });
    expect(r.code).toBe(4);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: false, code: 'ERR_CHECK_FAILED', failed: 1 });
    expect(j.checks.find((c: { id: string }) => c.id === 'runtime.discovery')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('discoveryUrl'),
    });
    expect(j.checks.map((c: { id: string }) => c.id).slice(0, 4)).toEqual([
      'region',
      'credentials',
      'endpoint.control',
      'endpoint.agentcore',
    ]);
  });
});

describe('doctor with a broken environment', () => {
  it('a bare runtime id and no region anywhere: the region fails and the runtime is not checked', async () => {
    const env = {
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
      AWS_ACCESS_KEY_ID: 'AKIATESTTESTTEST0001',
      AWS_SECRET_ACCESS_KEY: 'x',
    };
    const r = await runCommand(['doctor', '--agent-arn', 'myAgent-AbCdEf1234'], { env });
    expect(r.code).toBe(4);
    expect(lineOf(r.stdout, 'AWS region resolves')).toBe(
      '✗ AWS region resolves — no region in --region, AWS_REGION, AWS_DEFAULT_REGION, the AWS profile or an ' +
        'ARN — fix: pass --region, set AWS_REGION, or set region in your AWS profile',
    );
    expect(lineOf(r.stdout, 'runtime myAgent-AbCdEf1234 exists')).toBe(
      '– runtime myAgent-AbCdEf1234 exists — not checked: no region',
    );
    expect(r.stdout).not.toContain('endpoint reachable');
  });

  it(
    'no credentials and an unreachable endpoint: failed lines with fixes, dependent checks ' + 'skipped, exit 4',
    async () => {
      const env = {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_PROFILE: undefined,
      };
      const r = await runCommand(
        ['doctor', '--agent-arn', 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/myAgent-AbCdEf1234'],
        { env },
      );
      expect(r.code).toBe(4);
      expect(lineOf(r.stdout, 'AWS credentials resolve')).toMatch(/^✗ AWS credentials resolve — .* — fix: /);
      expect(lineOf(r.stdout, 'control plane endpoint reachable')).toMatch(
        new RegExp(
          /^✗ control plane endpoint reachable — cannot reach http:\/\/127\.0\.0\.1:9 .* — /.source +
            /fix: Check the URL and that the server is running/.source,
        ),
      );
      expect(lineOf(r.stdout, 'runtime myAgent-AbCdEf1234 exists')).toBe(
        '– runtime myAgent-AbCdEf1234 exists — not checked: no credentials',
      );
      expect(lines(r.stdout).at(-1)).toMatch(/^3 checks failed/);
    },
  );
});
