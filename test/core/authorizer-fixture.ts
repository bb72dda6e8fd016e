/**
 * Token sources for the authorizer tests: real Cognito tokens from cognito-local (through the real AWS SDK client),
 * real oidc-provider tokens (client_credentials), and hand-made tokens shaped like Entra / Okta / Auth0 ones, signed
 * with a jose key served from a tiny loopback discovery + JWKS server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, SignJWT, type JWTPayload } from 'jose';
import { KeyLease, type RsaKeyPair } from '../../src/emulator/keys.js';

type SigningKey = RsaKeyPair['privateKey'];
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export interface CognitoTokens {
  clientId: string;
  accessToken: string;
  idToken: string;
  username: string;
}

export async function cognitoTokens(c: { endpoint: string; poolId: string }): Promise<CognitoTokens> {
  const cip = new CognitoIdentityProviderClient({
    endpoint: c.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { UserPoolClient } = await cip.send(
    new CreateUserPoolClientCommand({
      UserPoolId: c.poolId,
      ClientName: `verify-${randomUUID().slice(0, 8)}`,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = UserPoolClient!.ClientId!;
  const username = `verify-${randomUUID().slice(0, 8)}`;
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
  const r = await cip.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: 'Perm#Pass123' },
    }),
  );
  cip.destroy();
  return {
    clientId,
    accessToken: r.AuthenticationResult!.AccessToken!,
    idToken: r.AuthenticationResult!.IdToken!,
    username,
  };
}

/** client_credentials at oidc-provider: an RFC 9068 JWT access token with client_id, scope and aud = the resource. */
export async function oidcClientCredentials(
  o: { issuer: string; clientId: string; clientSecret: string; resource: string },
  scope = 'api:read',
): Promise<string> {
  const res = await fetch(`${o.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: o.resource }),
  });
  if (res.status !== 200) throw new Error(`client_credentials failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface FakeIdp {
  origin: string;
  /** The issuer in the discovery document. */
  issuer: string;
  discoveryUrl: string;
  kid: string;
  sign(
    payload: JWTPayload,
    opts?: { kid?: string; key?: SigningKey; exp?: number | null; iat?: number },
  ): Promise<string>;
  /** A key that is not in the JWKS (a "foreign" signer). */
  otherKey: SigningKey;
  close(): Promise<void>;
}

/**
 * A loopback IdP: discovery at <origin><path>/.well-known/openid-configuration whose issuer is `issuer` (by default
 * the origin + path, but it can be any string, e.g. https://sts.windows.net/<tid>/ to mimic Entra) and a JWKS.
 */
export async function startFakeIdp(
  opts: { path?: string; issuer?: (origin: string) => string; discoveryStatus?: number; noJwksUri?: boolean } = {},
): Promise<FakeIdp> {
  const path = opts.path ?? '/tenant';
  // Keys leased from the process's spare RSA keys (src/emulator/keys.ts), returned on close: a fresh 2048-bit key
  // costs 50-400 ms of CPU, and the suite starts dozens of these IdPs. No two live issuers share a key.
  const lease = new KeyLease();
  const { privateKey, publicKey } = await lease.rsa();
  const other = await lease.rsa();
  const kid = 'fake-key-1';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server = http.createServer((req, res) => {
    if (req.url === `${path}/.well-known/openid-configuration`) {
      if (opts.discoveryStatus) return void res.writeHead(opts.discoveryStatus).end('nope');
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ issuer, ...(opts.noJwksUri ? {} : { jwks_uri: `${origin}${path}/keys` }) }));
    }
    if (req.url === `${path}/keys`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ keys: [jwk] }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = opts.issuer ? opts.issuer(origin) : `${origin}${path}`;
  return {
    origin,
    issuer,
    discoveryUrl: `${origin}${path}/.well-known/openid-configuration`,
    kid,
    otherKey: other.privateKey,
    async sign(payload, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ ...payload })
        .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? kid, typ: 'JWT' })
        .setIssuedAt(o.iat ?? now);
      if (o.exp !== null) jwt.setExpirationTime(o.exp ?? now + 3600);
      return jwt.sign(o.key ?? privateKey);
    },
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

export interface ControlPlaneDouble {
  endpoint: string;
  /** AWS env pointing the SDK (every AgentCore service) at the double. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A loopback control-plane double for states the local stack never shows (IAM / NONE gateways, failed or updating
 * runtimes, failed providers): GetGateway, GetAgentRuntime, GetWorkloadIdentity and GetOauth2CredentialProvider
 * answer canned restJson1 bodies by id / name; ids starting with `denied-` get 403 AccessDeniedException, anything else
 * 404 ResourceNotFoundException. Read with the real SDK.
 */
export async function startControlPlaneDouble(data: {
  gateways?: Record<string, unknown>;
  runtimes?: Record<string, unknown>;
  workloads?: Record<string, unknown>;
  providers?: Record<string, unknown>;
}): Promise<ControlPlaneDouble> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(body));
      };
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name?: string }) : {};
      const url = decodeURIComponent(req.url ?? '');
      const gw = /^\/gateways\/([^/]+)\/$/.exec(url)?.[1];
      const rt = /^\/runtimes\/([^/]+)\/$/.exec(url)?.[1];
      const found =
        gw !== undefined
          ? data.gateways?.[gw]
          : rt !== undefined
            ? data.runtimes?.[rt]
            : url === '/identities/GetWorkloadIdentity'
              ? data.workloads?.[body.name ?? '']
              : url === '/identities/GetOauth2CredentialProvider'
                ? data.providers?.[body.name ?? '']
                : undefined;
      if (found) send(200, found);
      else if (/\/denied-/.test(url))
        send(
          403,
          { message: `User is not authorized to perform: bedrock-agentcore:${gw ? 'GetGateway' : 'GetAgentRuntime'}` },
          'AccessDeniedException',
        );
      else send(404, { message: 'Resource not found' }, 'ResourceNotFoundException');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIATESTTESTTEST0001',
      AWS_SECRET_ACCESS_KEY: 'test-secret-not-real',
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
