/**
 * Fixtures for the invoke/mcp CLI tests: real Cognito tokens from cognito-local (global setup), the local stack with
 * agents whose JWT authorizers trust that pool, and a user-side MCP agent (a loopback server speaking MCP streamable
 * HTTP behind the runtime's container contract).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { verifySigV4, type SigV4Result, type StackCredentials } from '../../src/emulator/sigv4.js';
import { listenLoopback } from '../fixtures/ports.js';

export interface CognitoInfo {
  endpoint: string;
  poolId: string;
  discoveryUrl: string;
}

export interface UserTokens {
  clientId: string;
  username: string;
  accessToken: string;
  idToken: string;
}

/** A fresh app client and user in cognito-local's pool, and their access + ID tokens. */
export async function cognitoTokens(c: CognitoInfo, name = 'invoke'): Promise<UserTokens> {
  const cip = new CognitoIdentityProviderClient({
    endpoint: c.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { UserPoolClient } = await cip.send(
      new CreateUserPoolClientCommand({
        UserPoolId: c.poolId,
        ClientName: name,
        ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const clientId = UserPoolClient!.ClientId!;
    const username = `${name}-${Math.random().toString(36).slice(2, 10)}`;
    await cip.send(
      new AdminCreateUserCommand({
        UserPoolId: c.poolId,
        Username: username,
        TemporaryPassword: 'Temp#Pass123',
        MessageAction: 'SUPPRESS',
      }),
    );
    await cip.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: c.poolId,
        Username: username,
        Password: 'Perm#Pass123',
        Permanent: true,
      }),
    );
    const a = await cip.send(
      new AdminInitiateAuthCommand({
        UserPoolId: c.poolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: 'Perm#Pass123' },
      }),
    );
    return {
      clientId,
      username,
      accessToken: a.AuthenticationResult!.AccessToken!,
      idToken: a.AuthenticationResult!.IdToken!,
    };
  } finally {
    cip.destroy();
  }
}

export const ACCOUNT = '123456789012';
export const arnOf = (id: string) => `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/${id}`;

/**
 * The local stack with a SigV4 agent, two JWT agents (allowedClients / allowedAudience) trusting cognito-local, and
 * extras.
 */
export async function startInvokeStack(
  c: CognitoInfo,
  clientId: string,
  extraAgents: Array<Record<string, unknown>> = [],
): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    config: {
      agents: [
        {
          name: 'iam_agent',
          id: 'iam_agent-test000001',
          requestHeaderAllowlist: ['X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant'],
        },
        {
          name: 'jwt_agent',
          id: 'jwt_agent-test000002',
          authorizerConfiguration: {
            customJWTAuthorizer: { discoveryUrl: c.discoveryUrl, allowedClients: [clientId] },
          },
          requestHeaderAllowlist: ['Authorization', 'X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant'],
        },
        {
          name: 'aud_agent',
          id: 'aud_agent-test000003',
          authorizerConfiguration: {
            customJWTAuthorizer: { discoveryUrl: c.discoveryUrl, allowedAudience: [clientId] },
          },
        },
        {
          name: 'scope_agent',
          id: 'scope_agent-test000007',
          authorizerConfiguration: {
            customJWTAuthorizer: {
              discoveryUrl: c.discoveryUrl,
              allowedClients: [clientId],
              allowedScopes: ['agentcore/invoke'],
            },
          },
        },
        // No discoveryUrl: trusts the local stack's own user pool (another issuer than cognito-local).
        { name: 'pool_agent', id: 'pool_agent-test000008', authorizerConfiguration: { customJWTAuthorizer: {} } },
        ...extraAgents,
      ],
    },
  });
}

export function stackEnv(stack: LocalStack, extra: Record<string, string> = {}): Record<string, string> {
  return { ...stack.env, ...extra };
}

export interface SeenMcp {
  path: string;
  headers: IncomingHttpHeaders;
  body: { jsonrpc: string; id?: number; method: string; params?: Record<string, unknown> };
  /** With `verifySigV4`: the emulator's verdict on the request's signature. */
  sigv4?: SigV4Result;
}

/**
 * A user-side MCP agent behind the runtime contract: answers initialize (with an Mcp-Session-Id), accepts
 * notifications/initialized (202), lists two tools over two pages, and calls `add` / `whoami`. `sse` answers as
 * text/event-stream. `elicitFirst` answers the first tools/call of `secret` with a -32042 URL elicitation.
 */
export async function startMcpAgent(
  opts: { sse?: boolean; authorizationUrl?: () => string; verifySigV4?: StackCredentials } = {},
): Promise<{ url: string; seen: SeenMcp[]; close(): Promise<void> }> {
  const seen: SeenMcp[] = [];
  let elicited = false;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/ping') return void res.end('{"status":"Healthy"}');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8') || '{}') as SeenMcp['body'];
      const entry: SeenMcp = { path: req.url ?? '', headers: req.headers, body };
      if (opts.verifySigV4) {
        const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
        entry.sigv4 = await verifySigV4(
          {
            method: req.method ?? 'POST',
            url,
            rawPath: url.pathname,
            rawQuery: url.search.slice(1),
            headers: req.headers,
            body: raw,
            raw: req,
          },
          opts.verifySigV4,
        );
      }
      seen.push(entry);
      const reply = (msg: unknown, headers: Record<string, string> = {}) => {
        if (opts.sse) {
          res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
          res.write(`event: message\ndata: ${JSON.stringify(msg)}\n\n`);
          res.end();
        } else {
          res.writeHead(200, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(msg));
        }
      };
      const id = body.id;
      switch (body.method) {
        case 'initialize':
          return reply(
            {
              jsonrpc: '2.0',
              id,
              result: {
                protocolVersion: '2025-03-26',
                capabilities: { tools: {} },
                serverInfo: { name: 'test-mcp', version: '1.2.3' },
              },
            },
            { 'mcp-session-id': 'mcp-session-abc' },
          );
        case 'notifications/initialized':
          res.writeHead(202);
          return void res.end();
        case 'tools/list': {
          const cursor = (body.params as { cursor?: string } | undefined)?.cursor;
          if (!cursor)
            return reply({
              jsonrpc: '2.0',
              id,
              result: {
                tools: [{ name: 'add', description: 'Add two numbers\nmore text', inputSchema: { type: 'object' } }],
                nextCursor: 'page2',
              },
            });
          return reply({
            jsonrpc: '2.0',
            id,
            result: {
              tools: [
                { name: 'whoami', description: 'Who is calling' },
                { name: 'secret', description: 'Needs consent' },
              ],
            },
          });
        }
        case 'tools/call': {
          const p = body.params as { name: string; arguments: Record<string, number> };
          if (p.name === 'add')
            return reply({
              jsonrpc: '2.0',
              id,
              result: { content: [{ type: 'text', text: String((p.arguments.a ?? 0) + (p.arguments.b ?? 0)) }] },
            });
          if (p.name === 'whoami') {
            const who =
              req.headers['x-amzn-bedrock-agentcore-runtime-user-id'] ??
              (req.headers.workloadaccesstoken ? 'wat' : 'nobody');
            return reply({
              jsonrpc: '2.0',
              id,
              result: { content: [{ type: 'text', text: `caller=${String(who)}` }] },
            });
          }
          if (p.name === 'secret') {
            if (!elicited && opts.authorizationUrl) {
              elicited = true;
              return reply({
                jsonrpc: '2.0',
                id,
                error: {
                  code: -32042,
                  message: 'This request requires more information.',
                  data: {
                    elicitations: [
                      {
                        mode: 'url',
                        elicitationId: 'e1',
                        url: opts.authorizationUrl(),
                        message: 'Please login to this URL for authorization.',
                      },
                    ],
                  },
                },
              });
            }
            return reply({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'the secret is 42' }] } });
          }
          return reply({ jsonrpc: '2.0', id, error: { code: -32602, message: `Unknown tool: ${p.name}` } });
        }
        default:
          return reply({ jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } });
      }
    });
  });
  const { url, close } = await listenLoopback(server);
  return { url, seen, close };
}
