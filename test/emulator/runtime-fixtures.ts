/**
 * Fixtures for the runtime-half tests (their IdP is test/fixtures/fake-idp.ts): a stand-in "user agent" container
 * speaking the AgentCore contract that records what reached it.
 */
import http from 'node:http';
import { listenLoopback } from '../fixtures/ports.js';

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in for the user's own agent container (what `--agent-url` points at). */
export async function startStandInAgent(
  answer: (seen: SeenRequest, res: http.ServerResponse) => void = (_s, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ from: 'stand-in' }));
  },
): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(s);
      answer(s, res);
    });
  });
  const { url, close } = await listenLoopback(server);
  return { url, seen, close };
}

/** Sign in at the stack's own user pool (USER_PASSWORD_AUTH through the real Cognito SDK client, with SECRET_HASH). */
export async function stackUserTokens(
  stack: {
    url: string;
    region: string;
    userPool: {
      clients: Array<{ name: string; clientId: string; clientSecret?: string }>;
      users: Array<{ username: string; password: string; temporaryPassword: boolean }>;
    };
  },
  username = 'alice',
): Promise<{ accessToken: string; idToken: string; clientId: string }> {
  const { CognitoIdentityProviderClient, InitiateAuthCommand } = await import(
    '@aws-sdk/client-cognito-identity-provider'
  );
  const { createHmac } = await import('node:crypto');
  const client = stack.userPool.clients.find((c) => c.name === 'app-client') ?? stack.userPool.clients[0]!;
  const user = stack.userPool.users.find((u) => u.username === username)!;
  const cip = new CognitoIdentityProviderClient({
    endpoint: stack.url,
    region: stack.region,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
  try {
    const hash: Record<string, string> = client.clientSecret
      ? {
          SECRET_HASH: createHmac('sha256', client.clientSecret)
            .update(username + client.clientId)
            .digest('base64'),
        }
      : {};
    const r = await cip.send(
      new InitiateAuthCommand({
        ClientId: client.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: user.password, ...hash },
      }),
    );
    return {
      accessToken: r.AuthenticationResult!.AccessToken!,
      idToken: r.AuthenticationResult!.IdToken!,
      clientId: client.clientId,
    };
  } finally {
    cip.destroy();
  }
}
