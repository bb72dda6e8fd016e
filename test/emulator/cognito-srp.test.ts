/**
 * USER_SRP_AUTH on the local user pool, checked against AWS's own client library: amazon-cognito-identity-js's
 * CognitoUser.authenticateUser (its own SRP math, AuthenticationHelper) signs in to the local pool; our client half
 * (src/core/cognito/srp-login.ts through passwordLogin) signs in too, with SECRET_HASH; and the SRP primitives are
 * checked against plain BigInt arithmetic.
 */
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { InitiateAuthCommand, RespondToAuthChallengeCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordLogin } from '../../src/core/cognito/auth.js';
import {
  modPow,
  padHex,
  parseSrpTimestamp,
  randomBig,
  SRP_G,
  SRP_N,
  srpClientKey,
  srpClientStart,
  srpServerKey,
  srpServerStart,
  srpTimestamp,
  srpVerifier,
} from '../../src/srp.js';
import { MESSAGES } from '../../src/wire.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, failure } from './helpers.js';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
const PUBLIC = 'srppubliclocalclient000000';
const SECRET = 'srpsecretlocalclient000000';
const NO_SRP = 'nosrplocalclient0000000000';

beforeAll(async () => {
  stack = await startLocalStack({
    config: {
      userPool: {
        clients: [
          { name: 'public', clientId: PUBLIC, explicitAuthFlows: ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'] },
          { name: 'secret', clientId: SECRET, generateSecret: true, explicitAuthFlows: ['USER_SRP_AUTH'] },
          { name: 'no-srp', clientId: NO_SRP, explicitAuthFlows: ['USER_PASSWORD_AUTH'] },
        ],
        users: [{ username: 'alice', password: 'Alice-Passw0rd!', attributes: { email: 'alice@example.com' } }],
      },
    },
  });
  c = clientsFor(stack);
});
afterAll(() => stack.close());

/** AWS's client library, pointed at the local stack (its endpoint option), signing in with its own SRP. */
function awsClientSignIn(username: string, password: string, clientId = PUBLIC) {
  const pool = new CognitoUserPool({ UserPoolId: stack.userPool.id, ClientId: clientId, endpoint: stack.url });
  const user = new CognitoUser({ Username: username, Pool: pool });
  return new Promise<{ ok: true; access: string; id: string; refresh: string } | { ok: false; error: any }>((resolve) =>
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (s) =>
        resolve({
          ok: true,
          access: s.getAccessToken().getJwtToken(),
          id: s.getIdToken().getJwtToken(),
          refresh: s.getRefreshToken().getToken(),
        }),
      onFailure: (error) => resolve({ ok: false, error }),
    }),
  );
}

describe('SRP primitives (src/srp.ts)', () => {
  it('OpenSSL exponentiation equals BigInt square-and-multiply; PAD and the timestamp follow AWS', () => {
    const exp = randomBig(64);
    const base = randomBig(300) % SRP_N;
    let expected = 1n;
    let b = base;
    for (let e = exp; e > 0n; e >>= 1n) {
      if (e & 1n) expected = (expected * b) % SRP_N;
      b = (b * b) % SRP_N;
    }
    expect(modPow(base, exp)).toBe(expected);
    expect(modPow(SRP_G, 10n)).toBe(1024n);
    expect(padHex(0x7fn)).toBe('7f');
    expect(padHex(0x80n)).toBe('0080');
    expect(padHex(0xabcn)).toBe('0abc');
    expect(srpTimestamp(new Date(Date.UTC(2019, 8, 3, 8, 3, 1)))).toBe('Tue Sep 3 08:03:01 UTC 2019');
    expect(parseSrpTimestamp('Tue Sep 03 08:03:01 UTC 2019')?.toISOString()).toBe('2019-09-03T08:03:01.000Z');
    expect(parseSrpTimestamp('2019-09-03T08:03:01Z')).toBeUndefined();
  });
  it('client and server derive the same key only from the right password', () => {
    const salt = randomBig(16);
    const v = srpVerifier('Pool', 'alice', 'pw', salt);
    const client = srpClientStart();
    const server = srpServerStart(v);
    const input = { poolName: 'Pool', userId: 'alice', srpB: server.B.toString(16), salt: salt.toString(16) };
    expect(srpClientKey(client, { ...input, password: 'pw' })).toEqual(srpServerKey(server, client.A, v));
    expect(srpClientKey(client, { ...input, password: 'px' })).not.toEqual(srpServerKey(server, client.A, v));
    expect(() => srpServerKey(server, SRP_N, v)).toThrow(/zero/);
  });
});

describe('USER_SRP_AUTH against AWS’s client library (amazon-cognito-identity-js)', () => {
  it('CognitoUser.authenticateUser signs in; its tokens verify against the pool’s JWKS', async () => {
    const r = await awsClientSignIn('alice', 'Alice-Passw0rd!');
    if (!r.ok) throw r.error;
    const jwks = createLocalJWKSet((await (await fetch(stack.userPool.jwksUri)).json()) as never);
    const { payload } = await jwtVerify(r.access, jwks, { issuer: stack.userPool.issuer });
    expect(payload).toMatchObject({ token_use: 'access', client_id: PUBLIC, username: 'alice' });
    expect(decodeJwt(r.id)).toMatchObject({ aud: PUBLIC, 'cognito:username': 'alice' });
    expect(r.refresh.split('.')).toHaveLength(5);
  });
  it('a wrong password and an unknown user both fail as Cognito says, after the claim', async () => {
    for (const [user, pw] of [
      ['alice', 'Wrong-Passw0rd!'],
      ['nobody', 'Alice-Passw0rd!'],
    ] as const) {
      const r = await awsClientSignIn(user, pw);
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect([r.error.code, r.error.message]).toEqual(['NotAuthorizedException', MESSAGES.cognitoIncorrectPassword]);
    }
  });
  it('a client without ALLOW_USER_SRP_AUTH refuses the flow', async () => {
    const r = await awsClientSignIn('alice', 'Alice-Passw0rd!', NO_SRP);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('InvalidParameterException');
  });
});

describe('USER_SRP_AUTH with our client half (passwordLogin srp)', () => {
  const login = (clientId: string, password: string, clientSecret?: string) =>
    passwordLogin(c.cognito, {
      admin: false,
      srp: true,
      clientId,
      userPoolId: stack.userPool.id,
      ...(clientSecret ? { clientSecret } : {}),
      username: 'alice',
      password,
      answer: {
        newPassword: () => Promise.reject(new Error('not asked')),
        mfaCode: () => Promise.reject(new Error('not asked')),
      },
    });

  it('signs in with SECRET_HASH on a client with a secret; the wrong password is refused', async () => {
    const secret = stack.userPool.clients.find((x) => x.clientId === SECRET)!.clientSecret!;
    const r = await login(SECRET, 'Alice-Passw0rd!', secret);
    expect(decodeJwt(r.tokens.accessToken)).toMatchObject({ client_id: SECRET, username: 'alice' });
    expect(r.challenges).toEqual([]);
    await expect(login(SECRET, 'nope', secret)).rejects.toMatchObject({
      code: 'ERR_AUTH',
      message: expect.stringContaining(MESSAGES.cognitoIncorrectPassword),
    });
    await expect(login(SECRET, 'Alice-Passw0rd!')).rejects.toMatchObject({
      message: expect.stringContaining(MESSAGES.cognitoSecretHashMissing(SECRET)),
    });
  });

  it('the pool checks the claim: a replayed secret block, a bad TIMESTAMP and a forged signature fail', async () => {
    const srp = srpClientStart();
    const start = await c.cognito.send(
      new InitiateAuthCommand({
        ClientId: PUBLIC,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: 'alice', SRP_A: srp.srpA },
      }),
    );
    expect(start.ChallengeName).toBe('PASSWORD_VERIFIER');
    expect(Object.keys(start.ChallengeParameters!).sort()).toEqual([
      'SALT',
      'SECRET_BLOCK',
      'SRP_B',
      'USERNAME',
      'USER_ID_FOR_SRP',
    ]);
    const respond = (responses: Record<string, string>) =>
      c.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: PUBLIC,
          ChallengeName: 'PASSWORD_VERIFIER',
          ChallengeResponses: {
            USERNAME: 'alice',
            PASSWORD_CLAIM_SECRET_BLOCK: start.ChallengeParameters!.SECRET_BLOCK!,
            PASSWORD_CLAIM_SIGNATURE: 'AAAA',
            TIMESTAMP: srpTimestamp(new Date()),
            ...responses,
          },
        }),
      );
    expect(await failure(respond({ TIMESTAMP: '2026-01-01T00:00:00Z' }))).toMatchObject({
      name: 'InvalidParameterException',
      message: 'TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.',
    });
    expect(await failure(respond({}))).toMatchObject({
      name: 'NotAuthorizedException',
      message: MESSAGES.cognitoIncorrectPassword,
    });
    // The secret block is single use: the same claim again finds no session.
    expect((await failure(respond({}))).name).toBe('NotAuthorizedException');
  });
});
