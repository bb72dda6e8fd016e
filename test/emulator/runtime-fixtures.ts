/**
 * Fixtures for the runtime-half tests: a loopback IdP whose keys can rotate (discovery + JWKS over HTTP, counting
 * fetches), and a stand-in "user agent" container speaking the AgentCore contract that records what reached it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT, type JWTPayload } from 'jose';
import { KeyLease, type RsaKeyPair } from '../../src/emulator/keys.js';
import { listenLoopback } from '../fixtures/ports.js';

type Key = RsaKeyPair['privateKey'];

export interface RotatingIdp {
  issuer: string;
  discoveryUrl: string;
  fetches: { discovery: number; jwks: number };
  sign(payload: JWTPayload, o?: { exp?: number | null; nbf?: number; key?: Key; kid?: string }): Promise<string>;
  /** A new signing key appears in the JWKS (the old one stays) and becomes the default signer. */
  rotate(): Promise<void>;
  foreignKey: Key;
  close(): Promise<void>;
}

export async function startRotatingIdp(): Promise<RotatingIdp> {
  const keys: Array<{ kid: string; priv: Key; jwk: Record<string, unknown> }> = [];
  // Leased from the process's spare RSA keys (src/emulator/keys.ts) and returned on close: no keygen per test file.
  const lease = new KeyLease();
  const add = async () => {
    const { privateKey, publicKey } = await lease.rsa();
    const kid = `k${keys.length + 1}`;
    keys.push({ kid, priv: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } });
  };
  await add();
  const foreign = await lease.rsa();
  const fetches = { discovery: 0, jwks: 0 };
  let origin = '';
  const server = http.createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      fetches.discovery++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ issuer: origin, jwks_uri: `${origin}/jwks` }));
    }
    if (req.url === '/jwks') {
      fetches.jwks++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer: origin,
    discoveryUrl: `${origin}/.well-known/openid-configuration`,
    fetches,
    foreignKey: foreign.privateKey,
    async sign(payload, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      const current = keys[keys.length - 1]!;
      const jwt = new SignJWT({ iss: origin, ...payload })
        .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? current.kid, typ: 'JWT' })
        .setIssuedAt(now);
      if (o.exp !== null) jwt.setExpirationTime(o.exp ?? now + 3600);
      if (o.nbf !== undefined) jwt.setNotBefore(o.nbf);
      return jwt.sign(o.key ?? current.priv);
    },
    rotate: add,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => {
          lease.release();
          r();
        });
      }),
  };
}

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
