/**
 * The 3LO diagrams of `invoke --complete-auth` and `mcp --complete-auth` (issue 28, item 11) read as exchange's does:
 * where the authorization URL came from (the agent, or the gateway for its target, asked AgentCore Identity), the
 * browser opened, the consent, the redirect to the return URL, CompleteResourceTokenAuth, the call again. A -32042 URL
 * elicitation is drawn as the error it is (a cross, no "result" from a target), with and without --complete-auth.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseMermaid } from '../../src/core/diagram/sequence.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { browseHeadless } from '../fixtures/headless-browser.js';
import { freePort } from '../fixtures/ports.js';
import { providerArn, startMcpToolServer, type McpToolServer } from '../fixtures/gateway.js';
import { stackUserTokens } from '../fixtures/stack-users.js';
import { runCommand } from '../helpers/context.js';
import { flatDiagram } from '../helpers/diagram.js';

let stack: LocalStack;
let tools: McpToolServer;
let returnUrl: string;
let token: string;
const AGENT = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/consent_agent-test000016';
const browser = { openBrowser: async (u: string) => void (await browseHeadless(u)) };

beforeAll(async () => {
  returnUrl = `http://127.0.0.1:${await freePort()}/oauth2/callback`;
  tools = await startMcpToolServer();
  stack = await startLocalStack({
    port: 0,
    autoConsent: true,
    config: {
      agents: [
        {
          name: 'consent_agent',
          id: 'consent_agent-test000016',
          oauth2CallbackUrl: returnUrl,
          allowedResourceOauth2ReturnUrls: [returnUrl],
        },
      ],
      gateways: [
        {
          name: 'gw3lo',
          targets: [
            {
              name: 'provider',
              targetConfiguration: {
                mcp: {
                  mcpServer: {
                    endpoint: tools.url,
                    mcpToolSchema: { inlinePayload: JSON.stringify({ tools: [{ name: 'whoami' }] }) },
                  },
                },
              },
              credentialProviderConfigurations: [
                {
                  credentialProviderType: 'OAUTH',
                  credentialProvider: {
                    oauthCredentialProvider: {
                      providerArn: providerArn('local-3lo'),
                      scopes: ['api:read'],
                      grantType: 'AUTHORIZATION_CODE',
                      defaultReturnUrl: returnUrl,
                    },
                  },
                },
              ],
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
  await tools?.close();
});

const diagram = (stdout: string) => flatDiagram(parseMermaid(stdout.slice(stdout.indexOf('sequenceDiagram'))));

/** The lines matching each pattern, in this order (each found once, after the previous one). */
function inOrder(lines: string[], patterns: RegExp[]): void {
  let from = 0;
  for (const re of patterns) {
    const i = lines.findIndex((l, k) => k >= from && re.test(l));
    expect(i, `${re} after line ${from}:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = i + 1;
  }
}

const CONSENT = [
  /^agentcore-auth -> User\/Browser: open AgentCore authorization URL$/,
  /^note User\/Browser,Token vault \/ provider: sign-in and consent at the provider, in the browser$/,
  /^User\/Browser -> agentcore-auth: redirect to the return URL \(session_id\)$/,
  /^agentcore-auth -> AgentCore Identity: CompleteResourceTokenAuth · SigV4 · /,
  /^AgentCore Identity --> agentcore-auth: 200$/,
];

it('invoke --complete-auth: the agent asks Identity; browser, consent, redirect; the call again', async () => {
  const provider = stack.credentialProviders.oauth2.find((p) => p.flow === 'USER_FEDERATION')!.name;
  const payload = JSON.stringify({ action: 'token', provider, scopes: ['api:read'], forceAuthentication: true });
  const args = ['--user-id', 'gina', '--accept', 'application/json', '--complete-auth', '--return-url', returnUrl];
  const r = await runCommand(['invoke', AGENT, payload, ...args, '--diagram', '-'], { env: stack.env, ...browser });
  expect(r.code, r.stderr).toBe(0);
  inOrder(diagram(r.stdout), [
    /^agentcore-auth -> AgentCore Runtime: InvokeAgentRuntime · SigV4 · user id gina$/,
    /^AgentCore Runtime -> Agent: invocation \+ workload access token$/,
    /^Agent -> AgentCore Identity: GetResourceOauth2Token \(USER_FEDERATION\)$/,
    /^AgentCore Identity --> Agent: authorizationUrl/,
    /^Agent --> AgentCore Runtime: answer · authorization URL$/,
    /^AgentCore Runtime --> agentcore-auth: 200 · authorization URL: consent needed$/,
    ...CONSENT,
    /^agentcore-auth -> AgentCore Runtime: InvokeAgentRuntime · SigV4 · user id gina$/,
    /^Agent --> AgentCore Runtime: answer$/,
    /^AgentCore Runtime --> agentcore-auth: 200$/,
  ]);
});

it('mcp: a -32042 drawn as an error (no target result); with --complete-auth, consent and retry', async () => {
  const url = stack.gateways[0]!.gatewayUrl;
  const call = ['mcp', '--gateway-url', url, '--bearer-token', token, '--call', 'provider___whoami'];
  const refused = await runCommand([...call, '--diagram', '-'], { env: stack.env });
  expect(refused.code).toBe(4);
  const lines = diagram(refused.stdout);
  inOrder(lines, [
    /^agentcore-auth -> Gateway: POST tools\/call provider___whoami · Bearer sha256:/,
    /^Gateway -> AgentCore Identity: GetResourceOauth2Token \(USER_FEDERATION\)$/,
    /^AgentCore Identity --> Gateway: authorizationUrl/,
    /^Gateway -->x agentcore-auth: 200 JSON-RPC -32042 · URL elicitation: consent needed$/,
  ]);
  expect(lines.some((l) => /Target --> Gateway: result/.test(l))).toBe(false);

  const done = await runCommand([...call, '--complete-auth', '--return-url', returnUrl, '--diagram', '-'], {
    env: stack.env,
    ...browser,
  });
  expect(done.code, done.stderr).toBe(0);
  inOrder(diagram(done.stdout), [
    /^Gateway -->x agentcore-auth: 200 JSON-RPC -32042 · URL elicitation: consent needed$/,
    ...CONSENT,
    /^agentcore-auth -> Gateway: POST tools\/call provider___whoami · Bearer sha256:/,
    // what the target received, from the local stack's trace: the user's token from the vault, not the caller's
    /^Gateway -> Target: provider: tools\/call whoami · Bearer sha256:[0-9a-f]{8}$/,
    /^Target --> Gateway: result$/,
    /^Gateway --> agentcore-auth: 200$/,
  ]);
});
