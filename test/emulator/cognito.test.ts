/**
 * The Cognito-compatible user pool through the real @aws-sdk/client-cognito-identity-provider, plus its OAuth
 * endpoints.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  AdminInitiateAuthCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../src/wire.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, failure } from './helpers.js';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
let app: LocalStack['userPool']['clients'][number];
let pub: LocalStack['userPool']['clients'][number];
const hash = (u: string, client = app) =>
  createHmac('sha256', client.clientSecret!)
    .update(u + client.clientId)
    .digest('base64');

beforeAll(async () => {
  stack = await startLocalStack();
  c = clientsFor(stack);
  app = stack.userPool.clients.find((x) => x.name === 'app-client')!;
  pub = stack.userPool.clients.find((x) => x.name === 'public-client')!;
});
afterAll(() => stack.close());

const pwAuth = (params: Record<string, string>, clientId = app.clientId) =>
  new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: params });

describe('InitiateAuth USER_PASSWORD_AUTH', () => {
  it('returns Cognito-shaped tokens: access (client_id, token_use, scope, username, no aud) and ID (aud)', async () => {
    const r = await c.cognito.send(
      pwAuth({ USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!', SECRET_HASH: hash('alice') }),
    );
    const a = r.AuthenticationResult!;
    expect(a).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
    expect(a.RefreshToken!.split('.')).toHaveLength(5);
    const jwks = createRemoteJWKSet(new URL(stack.userPool.jwksUri));
    const access = (await jwtVerify(a.AccessToken!, jwks, { issuer: stack.userPool.issuer })).payload;
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: app.clientId,
      scope: 'aws.cognito.signin.user.admin',
      username: 'alice',
    });
    expect(access.aud).toBeUndefined();
    const id = (await jwtVerify(a.IdToken!, jwks, { issuer: stack.userPool.issuer, audience: app.clientId })).payload;
    expect(id).toMatchObject({
      token_use: 'id',
      'cognito:username': 'alice',
      email: 'alice@example.com',
      sub: access.sub,
    });
    expect(id.client_id).toBeUndefined();
  });

  it.each<[string, Record<string, string>, string, () => string]>([
    [
      'secret hash missing',
      { USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!' },
      'NotAuthorizedException',
      () => MESSAGES.cognitoSecretHashMissing(app.clientId),
    ],
    [
      'secret hash wrong',
      { USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!', SECRET_HASH: 'AAAA' },
      'NotAuthorizedException',
      () => MESSAGES.cognitoSecretHashWrong(app.clientId),
    ],
    ['no username', { PASSWORD: 'x' }, 'InvalidParameterException', () => 'Missing required parameter USERNAME'],
  ])('%s', async (_n, params, name, message) => {
    const f = await failure(c.cognito.send(pwAuth(params as Record<string, string>)));
    expect(f).toMatchObject({ name, status: 400, message: message() });
  });

  it('wrong password and unknown user read the same (user-existence errors prevented)', async () => {
    const wrong = await failure(
      c.cognito.send(pwAuth({ USERNAME: 'alice', PASSWORD: 'nope', SECRET_HASH: hash('alice') })),
    );
    const unknown = await failure(
      c.cognito.send(pwAuth({ USERNAME: 'zed', PASSWORD: 'nope', SECRET_HASH: hash('zed') })),
    );
    for (const f of [wrong, unknown])
      expect(f).toMatchObject({ name: 'NotAuthorizedException', message: MESSAGES.cognitoIncorrectPassword });
  });

  it('a public client needs no SECRET_HASH; an unknown client is ResourceNotFound', async () => {
    const r = await c.cognito.send(pwAuth({ USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!' }, pub.clientId));
    expect(decodeJwt(r.AuthenticationResult!.IdToken!).aud).toBe(pub.clientId);
    const f = await failure(c.cognito.send(pwAuth({ USERNAME: 'alice', PASSWORD: 'x' }, 'nosuchclient')));
    expect(f).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'User pool client nosuchclient does not exist.',
    });
  });

  it('REFRESH_TOKEN_AUTH issues new access and ID tokens (no new refresh token)', async () => {
    const r = await c.cognito.send(
      pwAuth({ USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!', SECRET_HASH: hash('alice') }),
    );
    const sub = decodeJwt(r.AuthenticationResult!.AccessToken!).sub!;
    const refreshed = await c.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: app.clientId,
        AuthParameters: { REFRESH_TOKEN: r.AuthenticationResult!.RefreshToken!, SECRET_HASH: hash(sub) },
      }),
    );
    expect(refreshed.AuthenticationResult!.RefreshToken).toBeUndefined();
    expect(decodeJwt(refreshed.AuthenticationResult!.AccessToken!).username).toBe('alice');
    const bad = await failure(
      c.cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: app.clientId,
          AuthParameters: { REFRESH_TOKEN: 'nope', SECRET_HASH: hash(sub) },
        }),
      ),
    );
    expect(bad).toMatchObject({ name: 'NotAuthorizedException', message: 'Invalid Refresh Token' });
  });

  it('NEW_PASSWORD_REQUIRED for a temporary password, then RespondToAuthChallenge', async () => {
    const s = await startLocalStack();
    try {
      const sc = clientsFor(s);
      const a = s.userPool.clients[0]!;
      const h = (u: string) =>
        createHmac('sha256', a.clientSecret!)
          .update(u + a.clientId)
          .digest('base64');
      const r = await sc.cognito.send(
        pwAuth({ USERNAME: 'bob', PASSWORD: 'Bob-Temp-Passw0rd!', SECRET_HASH: h('bob') }, a.clientId),
      );
      expect(r.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      expect(r.AuthenticationResult).toBeUndefined();
      expect(r.ChallengeParameters).toMatchObject({ USER_ID_FOR_SRP: 'bob', requiredAttributes: '[]' });
      const weak = await failure(
        sc.cognito.send(
          new RespondToAuthChallengeCommand({
            ClientId: a.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: r.Session,
            ChallengeResponses: { USERNAME: 'bob', NEW_PASSWORD: 'short', SECRET_HASH: h('bob') },
          }),
        ),
      );
      expect(weak).toMatchObject({
        name: 'InvalidPasswordException',
        message: 'Password does not conform to policy: Password not long enough',
      });
      const ok = await sc.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: a.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: r.Session,
          ChallengeResponses: { USERNAME: 'bob', NEW_PASSWORD: 'Bob-New-Passw0rd!', SECRET_HASH: h('bob') },
        }),
      );
      expect(decodeJwt(ok.AuthenticationResult!.AccessToken!).username).toBe('bob');
      const after = await sc.cognito.send(
        pwAuth({ USERNAME: 'bob', PASSWORD: 'Bob-New-Passw0rd!', SECRET_HASH: h('bob') }, a.clientId),
      );
      expect(after.AuthenticationResult?.AccessToken).toBeDefined();
      const stale = await failure(
        sc.cognito.send(
          new RespondToAuthChallengeCommand({
            ClientId: a.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: r.Session,
            ChallengeResponses: { USERNAME: 'bob', NEW_PASSWORD: 'Other-Passw0rd!', SECRET_HASH: h('bob') },
          }),
        ),
      );
      expect(stale).toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Invalid session for the user, session is expired.',
      });
    } finally {
      await s.close();
    }
  });
});

describe('AdminInitiateAuth (SigV4 as cognito-idp)', () => {
  it('ADMIN_USER_PASSWORD_AUTH with the stack credentials', async () => {
    const r = await c.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: stack.userPool.id,
        ClientId: app.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!', SECRET_HASH: hash('alice') },
      }),
    );
    expect(decodeJwt(r.AuthenticationResult!.AccessToken!).username).toBe('alice');
  });
  it('unknown credentials and unknown pool are refused', async () => {
    const bad = clientsFor(stack, { accessKeyId: 'AKIANOTKNOWN00000000' });
    const f = await failure(
      bad.cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: stack.userPool.id,
          ClientId: app.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'alice', PASSWORD: 'x' },
        }),
      ),
    );
    expect(f).toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    const g = await failure(
      c.cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: 'us-east-1_Other',
          ClientId: app.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'alice', PASSWORD: 'x' },
        }),
      ),
    );
    expect(g).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'User pool us-east-1_Other does not exist.',
    });
  });
});

describe('OIDC discovery and the OAuth endpoints', () => {
  const basic = () => `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;

  it('discovery document and JWKS at /{poolId}/.well-known/', async () => {
    const d = (await (await fetch(stack.userPool.discoveryUrl)).json()) as Record<string, unknown>;
    expect(d).toMatchObject({
      issuer: stack.userPool.issuer,
      token_endpoint: `${stack.url}/oauth2/token`,
      authorization_endpoint: `${stack.url}/oauth2/authorize`,
      jwks_uri: stack.userPool.jwksUri,
    });
    const j = (await (await fetch(stack.userPool.jwksUri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(j.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(j.keys[0]!.d).toBeUndefined();
  });

  it('client_credentials: access token only, custom scopes, Basic auth; errors in OAuth form', async () => {
    const res = await fetch(stack.userPool.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=agentcore%2Finvoke',
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(decodeJwt(body.access_token as string)).toMatchObject({
      token_use: 'access',
      client_id: app.clientId,
      sub: app.clientId,
      scope: 'agentcore/invoke',
    });
    const badScope = await fetch(stack.userPool.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=other%2Fscope',
    });
    expect([badScope.status, await badScope.json()]).toEqual([400, { error: 'invalid_scope' }]);
    const badClient = await fetch(stack.userPool.tokenEndpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${app.clientId}:wrong`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect([badClient.status, await badClient.json()]).toEqual([400, { error: 'invalid_client' }]);
  });

  it('authorization code with PKCE through the login page, then refresh_token', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://127.0.0.1:8765/callback';
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: redirectUri,
      scope: 'openid email',
      state: 'st-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const page = await fetch(`${stack.userPool.authorizationEndpoint}?${q}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<form method="post" action="/login">');
    const wrong = await fetch(`${stack.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(q), username: 'alice', password: 'nope' }),
    });
    expect(await wrong.text()).toContain(MESSAGES.cognitoIncorrectPassword);
    const login = await fetch(`${stack.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(q), username: 'alice', password: 'Alice-Passw0rd!' }),
    });
    expect(login.status).toBe(302);
    const back = new URL(login.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('st-1');
    const code = back.searchParams.get('code')!;
    const noVerifier = await fetch(stack.userPool.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    });
    expect(await noVerifier.json()).toEqual({ error: 'invalid_grant' });
    // The failed attempt consumed the code (single use): start again.
    const login2 = await fetch(`${stack.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(q), username: 'alice', password: 'Alice-Passw0rd!' }),
    });
    const code2 = new URL(login2.headers.get('location')!).searchParams.get('code')!;
    const tok = await fetch(stack.userPool.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code2,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    const t = (await tok.json()) as Record<string, string>;
    expect(decodeJwt(t.id_token!)).toMatchObject({ aud: app.clientId, 'cognito:username': 'alice' });
    expect(decodeJwt(t.access_token!)).toMatchObject({ scope: 'openid email', username: 'alice' });
    const ref = await fetch(stack.userPool.tokenEndpoint, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refresh_token! }),
    });
    expect(Object.keys((await ref.json()) as object).sort()).toEqual([
      'access_token',
      'expires_in',
      'id_token',
      'token_type',
    ]);
  });

  it('authorize refuses an unregistered redirect_uri', async () => {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: 'https://evil.example/cb',
    });
    const res = await fetch(`${stack.userPool.authorizationEndpoint}?${q}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_mismatch');
  });
});
