/**
 * `mcp --gateway-url` against a local stack gateway (CUSTOM_JWT inbound, a 3LO target and an echo target on an MCP
 * server built with the official SDK, behind the user's pass-caller-token interceptor Lambda): tools/list,
 * tools/call, --auth auto through GetGateway, SigV4 refused with the fix, the -32042 URL elicitation shown, and
 * --complete-auth binding the session with the very same JWT and retrying.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { browseHeadless } from '../fixtures/headless-browser.js';
import { providerArn, startMcpToolServer, startPassCallerTokenLambda } from '../fixtures/gateway.js';
import { freePort } from '../fixtures/ports.js';
import { stackUserTokens } from '../fixtures/stack-users.js';
import { createTestContext, runCommand } from '../helpers/context.js';
import { untilMatch } from '../helpers/wait.js';

let stack: LocalStack;
let returnUrl: string;
let gatewayUrl: string;
let token: string;
let closeStack: () => Promise<void>;

/** A stack with one gateway (a 3LO target, an echo target) and an access token its authorizer accepts. */
async function startGatewayStack(): Promise<{
  stack: LocalStack;
  returnUrl: string;
  gatewayUrl: string;
  token: string;
  close(): Promise<void>;
}> {
  const returnUrl = `http://127.0.0.1:${await freePort()}/oauth2/callback`;
  const [tools, lambda] = await Promise.all([startMcpToolServer(), startPassCallerTokenLambda()]);
  const arn = 'arn:aws:lambda:us-east-1:123456789012:function:pass-caller-token';
  const whoami = { name: 'whoami', description: 'who the token is for', inputSchema: { type: 'object' } };
  const stack = await startLocalStack({
    port: 0,
    autoConsent: true,
    config: {
      lambdas: { [arn]: lambda.url },
      gateways: [
        {
          name: 'test-gw',
          protocolConfiguration: { mcp: { sessionConfiguration: {} } },
          interceptorConfigurations: [
            {
              interceptor: { lambda: { arn } },
              interceptionPoints: ['REQUEST'],
              inputConfiguration: { passRequestHeaders: true },
            },
          ],
          targets: [
            {
              name: 'provider',
              targetConfiguration: {
                mcp: {
                  mcpServer: {
                    endpoint: tools.url,
                    mcpToolSchema: { inlinePayload: JSON.stringify({ tools: [whoami] }) },
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
            { name: 'echo', targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url } } } },
          ],
        },
      ],
    },
  });
  const gatewayUrl = stack.gateways[0]!.gatewayUrl;
  const { accessToken: token } = await stackUserTokens(stack, 'alice');
  const close = async () => {
    await stack.close();
    await Promise.all([tools.close(), lambda.close()]);
  };
  return { stack, returnUrl, gatewayUrl, token, close };
}

beforeAll(async () => {
  ({ stack, returnUrl, gatewayUrl, token, close: closeStack } = await startGatewayStack());
});
afterAll(async () => {
  await closeStack?.();
});

/** `mcp` to the stack's gateway with alice's access token as the bearer token. */
const mcpBearer = () => ['mcp', '--gateway-url', gatewayUrl, '--bearer-token', token];

describe('mcp over the local gateway', () => {
  it('lists the gateway tools (<target>___<tool>) with a bearer token', async () => {
    const r = await runCommand(mcpBearer(), { env: stack.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^provider___whoami\t/m);
    expect(r.stdout).toMatch(/^echo___whoami\t/m);
    expect(r.stderr).toMatch(/initialized test-gw .*Mcp-Session-Id [0-9a-f-]{36}/);
    expect(r.stderr).not.toContain(token);
  });

  it('--auth auto reads authorizerType CUSTOM_JWT from GetGateway; the echo target saw the caller token', async () => {
    const r = await runCommand(
      [
        'mcp',
        '--gateway-url',
        gatewayUrl,
        '--auth',
        'auto',
        '--bearer-token',
        token,
        '--call',
        'echo___whoami',
        '--json',
      ],
      { env: stack.env },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--auth auto: the agent uses OAuth bearer JWT');
    const out = JSON.parse(r.stdout) as { mode: string; result: { content: Array<{ text: string }> } };
    expect(out.mode).toBe('bearer');
    expect(JSON.stringify(out.result)).toMatch(/sha256:[0-9a-f]{8}/);
  });

  it('SigV4 to the CUSTOM_JWT gateway: exit 4 naming the bearer flags', async () => {
    const r = await runCommand(['mcp', '--gateway-url', gatewayUrl, '--auth', 'sigv4'], { env: stack.env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the gateway refused the request (401)');
    expect(r.stderr).toMatch(/hint: This gateway has a JWT authorizer \(CUSTOM_JWT\): call it with --bearer-token/);
  });

  it('the 3LO target answers -32042 with the authorization URL: shown, exit 4', async () => {
    const r = await runCommand([...mcpBearer(), '--call', 'provider___whoami', '--json'], { env: stack.env });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/URL elicitation -32042/);
    const err = JSON.parse(r.stderr.trim().split('\n').pop()!) as {
      error: { code: string; details: { authorizationUrl: string; rpcCode: number } };
    };
    expect(err.error.code).toBe('ERR_AUTH');
    expect(err.error.details.rpcCode).toBe(-32042);
    expect(err.error.details.authorizationUrl).toMatch(
      /\/identities\/oauth2\/authorize\?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A/,
    );
  });

  it(
    '--complete-auth: consent in the browser, CompleteResourceTokenAuth with the same JWT, the call retried ' +
      'and answered',
    async () => {
      const opened: string[] = [];
      const r = await runCommand(
        [...mcpBearer(), '--call', 'provider___whoami', '--complete-auth', '--return-url', returnUrl],
        {
          env: stack.env,
          openBrowser: async (url) => {
            opened.push(url);
            await browseHeadless(url);
          },
        },
      );
      expect(r.code).toBe(0);
      expect(opened).toHaveLength(1);
      expect(r.stderr).toMatch(/CompleteResourceTokenAuth .*userIdentifier=JWT sha256:/);
      expect(r.stderr).toContain('calling provider___whoami again');
      expect(r.stdout).toMatch(/"authorization":\{"scheme":"Bearer","fingerprint":"sha256:[0-9a-f]{8}"/);
    },
  );

  it(
    '--no-browser (the consent flags of exchange and invoke): the URL is printed, not opened; completing it ' +
      'by hand finishes the call (#12)',
    async () => {
      // A stack of its own: the vault of the shared one already holds this user's token.
      const own = await startGatewayStack();
      const ctx = createTestContext({ env: own.stack.env });
      const running = runCommand(
        [
          'mcp',
          '--gateway-url',
          own.gatewayUrl,
          '--bearer-token',
          own.token,
          '--call',
          'provider___whoami',
          '--complete-auth',
          '--no-browser',
          '--return-url',
          own.returnUrl,
          '--timeout',
          '20',
        ],
        ctx,
      );
      const authUrl = await untilMatch(
        () => ctx.stderr.text(),
        /open this URL in a browser to authorize:\s+(http:\/\/\S+\/identities\/oauth2\/authorize\?request_uri=\S+)/,
        5000,
      );
      try {
        await browseHeadless(authUrl); // the user opens it
        const r = await running;
        expect(r.code, r.stderr).toBe(0);
        expect(ctx.opened).toEqual([]);
        expect(r.stdout).toContain('"scheme":"Bearer"');
      } finally {
        await running;
        await own.close();
      }
    },
  );

  it(
    '--return-url is checked before any call, even when no consent turns up; it and --no-browser need ' +
      '--complete-auth (#12)',
    async () => {
      const bad = await runCommand(
        [...mcpBearer(), '--call', 'echo___whoami', '--complete-auth', '--return-url', 'not a url'],
        { env: stack.env },
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('invalid return URL');
      expect(bad.stderr).not.toContain('initialized');
      const remote = await runCommand(
        [...mcpBearer(), '--complete-auth', '--return-url', 'https://app.example.com/cb'],
        { env: stack.env },
      );
      expect(remote.code).toBe(2);
      expect(remote.stderr).toContain('is not a loopback http URL, so --complete-auth cannot serve it');
      const alone = await runCommand([...mcpBearer(), '--return-url', returnUrl], { env: stack.env });
      expect(alone.code).toBe(2);
      expect(alone.stderr).toContain('--return-url goes with --complete-auth');
      const noBrowser = await runCommand([...mcpBearer(), '--no-browser'], {
        env: stack.env,
      });
      expect(noBrowser.code).toBe(2);
      expect(noBrowser.stderr).toContain('--no-browser goes with --complete-auth');
    },
  );
});
