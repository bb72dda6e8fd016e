/**
 * predictAuthorizer against real tokens: cognito-local (access + ID tokens through the real Cognito SDK client) and
 * oidc-provider (client_credentials), each verified against its own discovery URL; every accept and reject path.
 */
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  parseCustomClaim,
  predictAuthorizer,
  type AuthorizerConfig,
  type Prediction,
} from '../../src/core/authorizer-prediction/index.js';
import { MESSAGES } from '../../src/wire.js';
import { cognitoTokens, type CognitoTokens } from '../fixtures/cognito-users.js';
import { oidcClientCredentials } from '../fixtures/oidc-client.js';
import { startFakeIdp, type FakeIdp } from '../fixtures/fake-idp.js';

const deps = (now = Date.now()) => ({ fetch: globalThis.fetch.bind(globalThis), now: () => now });
const byClaim = (p: Prediction, claim: string) => p.checks.find((c) => c.claim === claim)!;

describe('predictAuthorizer with cognito-local tokens', () => {
  const cognito = inject('cognito');
  let t: CognitoTokens;
  let base: AuthorizerConfig;
  beforeAll(async () => {
    t = await cognitoTokens(cognito);
    base = { discoveryUrl: cognito.discoveryUrl };
  });

  it('accepts a Cognito access token with allowedClients = its app client', async () => {
    const p = await predictAuthorizer(t.accessToken, { ...base, allowedClients: [t.clientId] }, deps());
    expect(p.accepted).toBe(true);
    expect(p.verdict).toBeUndefined();
    for (const claim of ['token', 'discovery', 'iss', 'signature', 'exp', 'client_id'])
      expect(byClaim(p, claim).status).toBe('pass');
    expect(byClaim(p, 'aud').status).toBe('skip');
    expect(byClaim(p, 'iss').actual).toBe(cognito.issuer);
    expect(p.token?.profile).toMatchObject({ idp: 'cognito', kind: 'access' });
  });

  it(
    'rejects a Cognito ID token under allowedClients and says to send the access token or use ' + 'allowedAudience',
    async () => {
      const p = await predictAuthorizer(t.idToken, { ...base, allowedClients: [t.clientId] }, deps());
      expect(p.accepted).toBe(false);
      expect(p.verdict).toMatchObject({
        claim: 'client_id',
        status: 'fail',
        actual: '(absent)',
        response: { status: 401, message: MESSAGES.claimMismatch('client_id'), confirmed: true },
      });
      expect(p.verdict!.why).toContain('Cognito ID token');
      expect(p.verdict!.fix).toContain('access token');
      expect(p.verdict!.fix).toContain(`allowedAudience=[${t.clientId}]`);
    },
  );

  it('accepts the ID token under allowedAudience = the app client id', async () => {
    const p = await predictAuthorizer(t.idToken, { ...base, allowedAudience: [t.clientId] }, deps());
    expect(p.accepted).toBe(true);
    expect(byClaim(p, 'aud')).toMatchObject({ status: 'pass', actual: t.clientId });
  });

  it('rejects the access token under allowedAudience: Cognito access tokens carry no aud', async () => {
    const p = await predictAuthorizer(t.accessToken, { ...base, allowedAudience: [t.clientId] }, deps());
    expect(p.verdict).toMatchObject({
      claim: 'aud',
      actual: '(absent)',
      response: { message: MESSAGES.claimMismatch('aud') },
    });
    expect(p.verdict!.why).toBe('Cognito access tokens carry no aud claim');
    expect(p.verdict!.fix).toContain(`allowedClients=[${t.clientId}]`);
  });

  it('with both allowedAudience and allowedClients, says that no Cognito token can pass', async () => {
    const both = { ...base, allowedAudience: [t.clientId], allowedClients: [t.clientId] };
    const a = await predictAuthorizer(t.accessToken, both, deps());
    expect(a.verdict!.claim).toBe('aud');
    expect(a.verdict!.fix).toMatch(
      /^keep only one of allowedAudience \/ allowedClients: with both, no Cognito token passes/,
    );
    const i = await predictAuthorizer(t.idToken, both, deps());
    expect(i.verdict!.claim).toBe('client_id');
    expect(i.verdict!.fix).toMatch(/^keep only one of allowedAudience \/ allowedClients/);
  });

  it('rejects an access token minted by another app client', async () => {
    const p = await predictAuthorizer(t.accessToken, { ...base, allowedClients: ['someotherclient'] }, deps());
    expect(p.verdict).toMatchObject({ claim: 'client_id', actual: t.clientId, expected: 'someotherclient' });
    expect(p.verdict!.why).toContain(`client_id ${t.clientId} is not in allowedClients [someotherclient]`);
  });

  it('rejects on allowedScopes: InitiateAuth tokens only carry aws.cognito.signin.user.admin', async () => {
    const p = await predictAuthorizer(
      t.accessToken,
      { ...base, allowedClients: [t.clientId], allowedScopes: ['orders/read'] },
      deps(),
    );
    expect(p.verdict).toMatchObject({
      claim: 'scope',
      actual: 'aws.cognito.signin.user.admin',
      response: { status: 401, message: MESSAGES.claimMismatch('scope'), confirmed: false },
    });
    expect(p.verdict!.fix).toContain('--auth-flow authorization-code --scopes orders/read');
    const ok = await predictAuthorizer(
      t.accessToken,
      { ...base, allowedScopes: ['aws.cognito.signin.user.admin'] },
      deps(),
    );
    expect(ok.accepted).toBe(true);
  });

  it('rejects an expired token with the service message, and warns (but accepts) within 60 s of expiry', async () => {
    const exp = decodeJwt(t.accessToken).exp!;
    const late = await predictAuthorizer(
      t.accessToken,
      { ...base, allowedClients: [t.clientId] },
      deps(exp * 1000 + 5_000),
    );
    expect(late.verdict).toMatchObject({ claim: 'exp', status: 'fail', response: { message: MESSAGES.tokenExpired } });
    expect(late.verdict!.why).toBe('the token expired 5 s ago');
    const soon = await predictAuthorizer(
      t.accessToken,
      { ...base, allowedClients: [t.clientId] },
      deps(exp * 1000 - 42_000),
    );
    expect(soon.accepted).toBe(true);
    expect(byClaim(soon, 'exp').status).toBe('warn');
    expect(soon.warnings.join()).toContain('expires in 42 s');
  });

  it('checks custom claims: EQUALS on a string, absent claims, and the type rule', async () => {
    const p = await predictAuthorizer(
      t.accessToken,
      {
        ...base,
        customClaims: [
          parseCustomClaim(`username:EQUALS:${t.username}`),
          parseCustomClaim('token_use:EQUALS:id'),
          parseCustomClaim('cognito:groups:CONTAINS:admins'),
          parseCustomClaim('username:CONTAINS:x'),
        ],
      },
      deps(),
    );
    expect(byClaim(p, 'username').status).toBe('pass');
    const checks = p.checks.filter((c) => c.status === 'fail');
    expect(checks.map((c) => c.claim)).toEqual(['token_use', 'cognito:groups', 'username']);
    expect(checks[0]!.why).toBe('token_use is "access", not "id" (exact, case-sensitive)');
    expect(checks[1]!.why).toBe('the token has no cognito:groups claim');
    expect(checks[2]!.why).toContain('needs a STRING_ARRAY claim');
    expect(checks[2]!.fix).toBe(`use username:EQUALS:x for a string claim`);
    expect(p.verdict!.claim).toBe('token_use');
  });

  it('a token from another user pool gets the iss verdict', async () => {
    const other = `${cognito.endpoint}/us-east-1_OtherPool9/.well-known/openid-configuration`;
    const p = await predictAuthorizer(t.accessToken, { discoveryUrl: other, allowedClients: [t.clientId] }, deps());
    expect(p.verdict).toMatchObject({
      claim: 'iss',
      actual: cognito.issuer,
      response: { message: MESSAGES.claimMismatch('iss') },
    });
    expect(p.verdict!.why).toBe(
      `the token comes from user pool ${cognito.poolId}; the authorizer trusts user pool us-east-1_OtherPool9`,
    );
  });

  it('a tampered token fails the signature (issuer still matches)', async () => {
    const [h, , s] = t.accessToken.split('.');
    const payload = { ...decodeJwt(t.accessToken), client_id: 'forged' };
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    const p = await predictAuthorizer(forged, { ...base, allowedClients: ['forged'] }, deps());
    expect(byClaim(p, 'iss').status).toBe('pass');
    expect(p.verdict).toMatchObject({ claim: 'signature', status: 'fail' });
    expect(p.verdict!.why).toContain('the signature does not verify with key CognitoLocal');
  });
});

describe('predictAuthorizer with oidc-provider client_credentials tokens', () => {
  const o = inject('oidc');
  let token: string;
  beforeAll(async () => {
    token = await oidcClientCredentials(o);
  });

  it('accepts with allowedAudience, allowedClients and allowedScopes that match', async () => {
    const p = await predictAuthorizer(
      token,
      {
        discoveryUrl: o.discoveryUrl,
        allowedAudience: [o.resource],
        allowedClients: [o.clientId],
        allowedScopes: ['api:read', 'other'],
      },
      deps(),
    );
    expect(p.accepted).toBe(true);
    expect(p.checks.filter((c) => c.status !== 'pass').map((c) => c.claim)).toEqual(['nbf']);
    expect(p.checks[0]!.actual).toBe('OAuth access token (RFC 9068 at+jwt), RS256 kid test-key-1');
  });

  it(
    'rejects a scope that was not granted, then an audience it was not minted for; the verdict follows the ' +
      'service order',
    async () => {
      const p = await predictAuthorizer(
        token,
        { discoveryUrl: o.discoveryUrl, allowedAudience: ['urn:other-api'], allowedScopes: ['api:write'] },
        deps(),
      );
      expect(p.checks.filter((c) => c.status === 'fail').map((c) => c.claim)).toEqual(['aud', 'scope']);
      expect(p.verdict!.claim).toBe('aud');
      expect(p.verdict!.why).toBe(`aud [${o.resource}] is not in allowedAudience [urn:other-api]`);
      const s = p.checks.find((c) => c.claim === 'scope')!;
      expect(s.why).toBe("none of the token's scopes [api:read] is in allowedScopes [api:write]");
    },
  );
});

describe('predictAuthorizer with hand-made tokens (loopback IdP)', () => {
  let idp: FakeIdp;
  beforeAll(async () => {
    idp = await startFakeIdp();
  });
  afterAll(() => idp.close());

  it('checks the issuer before the signature: a foreign token gets the iss verdict', async () => {
    const tok = await idp.sign({ iss: 'https://elsewhere.example/', sub: 'u' }, { key: idp.foreignKey });
    const p = await predictAuthorizer(tok, { discoveryUrl: idp.discoveryUrl }, deps());
    expect(p.checks.filter((c) => c.status === 'fail').map((c) => c.claim)).toEqual(['iss', 'signature']);
    expect(p.verdict!.claim).toBe('iss');
  });

  it('a kid that is not in the JWKS is named', async () => {
    const tok = await idp.sign({ iss: idp.issuer, sub: 'u' }, { kid: 'rotated-out', key: idp.foreignKey });
    const p = await predictAuthorizer(tok, { discoveryUrl: idp.discoveryUrl }, deps());
    expect(p.verdict!.claim).toBe('signature');
    expect(p.verdict!.why).toContain('no key in the JWKS matches kid rotated-out');
  });

  it('rejects HS256 tokens, tokens not yet valid, and warns on tokens without exp', async () => {
    const hs = await new SignJWT({ iss: idp.issuer })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect((await predictAuthorizer(hs, { discoveryUrl: idp.discoveryUrl }, deps())).verdict).toMatchObject({
      claim: 'signature',
      actual: 'HS256',
    });
    const nbf = await idp.sign({ iss: idp.issuer, nbf: Math.floor(Date.now() / 1000) + 600 });
    expect((await predictAuthorizer(nbf, { discoveryUrl: idp.discoveryUrl }, deps())).verdict).toMatchObject({
      claim: 'nbf',
      status: 'fail',
    });
    const noExp = await idp.sign({ iss: idp.issuer }, { exp: null });
    const p = await predictAuthorizer(noExp, { discoveryUrl: idp.discoveryUrl }, deps());
    expect(p.accepted).toBe(true);
    expect(p.warnings).toEqual(['the token has no exp claim']);
  });

  it(
    'a discoveryUrl without /.well-known/openid-configuration fails, and the rest is checked against the ' +
      'fixed URL',
    async () => {
      const tok = await idp.sign({ iss: idp.issuer, client_id: 'c1' });
      const p = await predictAuthorizer(tok, { discoveryUrl: idp.issuer, allowedClients: ['c1'] }, deps());
      expect(p.verdict).toMatchObject({ claim: 'discoveryUrl', actual: idp.issuer });
      expect(p.verdict!.fix).toBe(`use ${idp.discoveryUrl} (the checks below used it)`);
      expect(p.checks.filter((c) => c.status === 'fail')).toHaveLength(1);
      expect(p.discovery.fetchedUrl).toBe(idp.discoveryUrl);
    },
  );

  it('a discovery document that answers 404 or lacks jwks_uri fails the discovery check', async () => {
    const broken = await startFakeIdp({ discoveryStatus: 404 });
    const nojwks = await startFakeIdp({ noJwksUri: true });
    try {
      const tok = await idp.sign({ iss: idp.issuer });
      const a = await predictAuthorizer(tok, { discoveryUrl: broken.discoveryUrl }, deps());
      expect(a.verdict).toMatchObject({ claim: 'discovery', actual: 'answered HTTP 404' });
      expect(a.checks.find((c) => c.claim === 'signature')!.status).toBe('skip');
      const b = await predictAuthorizer(tok, { discoveryUrl: nojwks.discoveryUrl }, deps());
      expect(b.verdict).toMatchObject({ claim: 'discovery', actual: 'missing jwks_uri' });
    } finally {
      await Promise.all([broken.close(), nojwks.close()]);
    }
  });

  it('non-JWT tokens get the 403 parse verdict, naming workload access tokens', async () => {
    const wat = await predictAuthorizer('AgV4T5tSAY0N54CCnxe8abc', { discoveryUrl: idp.discoveryUrl }, deps());
    expect(wat.verdict).toMatchObject({
      claim: 'token',
      response: { status: 403, message: MESSAGES.failedToParseToken },
    });
    expect(wat.verdict!.why).toContain('workload access token');
    const jwe = await predictAuthorizer('a.b.c.d.e', { discoveryUrl: idp.discoveryUrl }, deps());
    expect(jwe.verdict!.why).toContain('encrypted JWE');
  });

  it('CONTAINS and CONTAINS_ANY on array claims', async () => {
    const tok = await idp.sign({ iss: idp.issuer, groups: ['dev', 'ops'], dept: 'eng' });
    const rules = [
      'groups:CONTAINS:ops',
      'groups:CONTAINS_ANY:admins,dev',
      'groups:CONTAINS:admins',
      'groups:CONTAINS_ANY:a,b',
      'dept:EQUALS:eng',
      'groups:EQUALS:dev',
    ].map(parseCustomClaim);
    const p = await predictAuthorizer(tok, { discoveryUrl: idp.discoveryUrl, customClaims: rules }, deps());
    const custom = p.checks.slice(-6);
    expect(custom.map((c) => c.status)).toEqual(['pass', 'pass', 'fail', 'fail', 'pass', 'fail']);
    expect(custom[2]!.why).toBe('groups [dev, ops] contains no "admins"');
    expect(custom[3]!.why).toBe('groups [dev, ops] contains none of a, b');
    expect(custom[5]!.fix).toBe('use groups:CONTAINS:dev for an array claim');
  });
});

describe('parseCustomClaim', () => {
  it('splits on the operator, so claim names may contain colons', () => {
    expect(parseCustomClaim('cognito:groups:CONTAINS:admin')).toEqual({
      name: 'cognito:groups',
      operator: 'CONTAINS',
      valueType: 'STRING_ARRAY',
      values: ['admin'],
    });
    expect(parseCustomClaim('roles:contains_any:read, write')).toEqual({
      name: 'roles',
      operator: 'CONTAINS_ANY',
      valueType: 'STRING_ARRAY',
      values: ['read', 'write'],
    });
    expect(parseCustomClaim('dept:EQUALS:a:b')).toEqual({
      name: 'dept',
      operator: 'EQUALS',
      valueType: 'STRING',
      values: ['a:b'],
    });
  });
  it('refuses bad specs and scp like the control plane does', () => {
    expect(() => parseCustomClaim('dept=eng')).toThrow(/not name:OPERATOR:value/);
    expect(() => parseCustomClaim('scp:CONTAINS:x')).toThrow("Custom claim name can't be 'scp'");
    expect(() => parseCustomClaim('a b:EQUALS:x')).toThrow(/not allowed/);
  });
});
