/**
 * The emulator's customJWTAuthorizer against real issuers: cognito-local (access and ID tokens through the real
 * Cognito SDK), oidc-provider (RFC 9068 access tokens) and a loopback IdP for the cases a real IdP will not mint
 * (expired, not yet valid, foreign signature, rotated keys, custom claims).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MESSAGES } from '../../src/wire.js';
import { AUTHORIZER_MESSAGES, createJwtAuthorizer } from '../../src/emulator/runtime/jwt-authorizer.js';
import type { CustomClaimRule } from '../../src/emulator/runtime/config.js';
import { cognitoTokens, type CognitoTokens } from '../fixtures/cognito-users.js';
import { oidcClientCredentials } from '../fixtures/oidc-client.js';
import { startFakeIdp, type FakeIdp } from '../fixtures/fake-idp.js';

const rule = (
  name: string,
  type: 'STRING' | 'STRING_ARRAY',
  op: 'EQUALS' | 'CONTAINS' | 'CONTAINS_ANY',
  v: string | string[],
): CustomClaimRule => ({
  inboundTokenClaimName: name,
  inboundTokenClaimValueType: type,
  authorizingClaimMatchValue: {
    claimMatchOperator: op,
    claimMatchValue: Array.isArray(v) ? { matchValueStringList: v } : { matchValueString: v },
  },
});

describe('authorizer with cognito-local tokens', () => {
  const cognito = inject('cognito');
  let t: CognitoTokens;
  beforeAll(async () => {
    t = await cognitoTokens(cognito);
  });

  it('allowedClients accepts the access token and rejects the ID token (no client_id claim)', async () => {
    const a = createJwtAuthorizer();
    const cfg = { discoveryUrl: cognito.discoveryUrl, allowedClients: [t.clientId] };
    const ok = await a.authorize(t.accessToken, cfg);
    expect(ok).toMatchObject({ ok: true, claims: { client_id: t.clientId, token_use: 'access' } });
    expect(await a.authorize(t.idToken, cfg)).toEqual({
      ok: false,
      status: 401,
      message: MESSAGES.claimMismatch('client_id'),
      reason: 'client_id',
    });
    expect(await a.authorize(t.accessToken, { ...cfg, allowedClients: ['someone-else'] })).toMatchObject({
      status: 401,
      message: "Claim 'client_id' value mismatch with configuration.",
    });
  });

  it(
    'allowedAudience accepts the ID token and rejects the access token (Cognito access tokens ' + 'carry no aud)',
    async () => {
      const a = createJwtAuthorizer();
      const cfg = { discoveryUrl: cognito.discoveryUrl, allowedAudience: [t.clientId] };
      expect(await a.authorize(t.idToken, cfg)).toMatchObject({
        ok: true,
        claims: { aud: t.clientId, token_use: 'id' },
      });
      expect(await a.authorize(t.accessToken, cfg)).toMatchObject({
        ok: false,
        status: 401,
        message: "Claim 'aud' value mismatch with configuration.",
      });
    },
  );

  it('allowedScopes is any-of over the space-separated scope claim', async () => {
    const a = createJwtAuthorizer();
    const base = { discoveryUrl: cognito.discoveryUrl };
    expect(
      await a.authorize(t.accessToken, { ...base, allowedScopes: ['nope', 'aws.cognito.signin.user.admin'] }),
    ).toMatchObject({ ok: true });
    expect(await a.authorize(t.accessToken, { ...base, allowedScopes: ['calendar:read'] })).toMatchObject({
      ok: false,
      status: 401,
      message: MESSAGES.claimMismatch('scope'),
    });
  });

  it('a token from another user pool fails on iss (checked before the signature)', async () => {
    const a = createJwtAuthorizer();
    const other = await startFakeIdp();
    try {
      expect(await a.authorize(t.accessToken, { discoveryUrl: other.discoveryUrl })).toMatchObject({
        ok: false,
        status: 401,
        message: MESSAGES.claimMismatch('iss'),
        reason: 'iss',
      });
    } finally {
      await other.close();
    }
  });
});

describe('authorizer with oidc-provider tokens', () => {
  const o = inject('oidc');

  it('validates an RFC 9068 access token: aud = resource, client_id, scope', async () => {
    const token = await oidcClientCredentials(o, 'api:read');
    const a = createJwtAuthorizer();
    const cfg = {
      discoveryUrl: o.discoveryUrl,
      allowedAudience: [o.resource],
      allowedClients: [o.clientId],
      allowedScopes: ['api:read'],
    };
    expect(await a.authorize(token, cfg)).toMatchObject({
      ok: true,
      claims: { iss: o.issuer, client_id: o.clientId, aud: o.resource },
    });
    expect(await a.authorize(token, { ...cfg, allowedScopes: ['api:write'] })).toMatchObject({
      ok: false,
      message: MESSAGES.claimMismatch('scope'),
    });
    expect(await a.authorize(token, { ...cfg, allowedAudience: ['urn:other'] })).toMatchObject({
      ok: false,
      message: MESSAGES.claimMismatch('aud'),
    });
    // aud is checked before client_id: a token failing both reports aud.
    expect(await a.authorize(token, { ...cfg, allowedAudience: ['urn:other'], allowedClients: ['x'] })).toMatchObject({
      reason: 'aud',
    });
  });

  it('fetches discovery and JWKS once and reuses them', async () => {
    const a = createJwtAuthorizer();
    const tokens = await Promise.all([oidcClientCredentials(o), oidcClientCredentials(o)]);
    for (const tk of [...tokens, ...tokens])
      expect((await a.authorize(tk, { discoveryUrl: o.discoveryUrl })).ok).toBe(true);
    expect(a.stats).toEqual({ discoveryFetches: 1, jwksFetches: 1 });
    expect(await a.issuerOf(o.discoveryUrl)).toBe(o.issuer);
  });
});

describe('authorizer with a loopback IdP', () => {
  let idp: FakeIdp;
  beforeAll(async () => {
    idp = await startFakeIdp();
  });
  afterAll(() => idp.close());
  const cfg = () => ({ discoveryUrl: idp.discoveryUrl });

  it('unparseable or empty tokens are 403 "Failed to parse token"', async () => {
    const a = createJwtAuthorizer();
    for (const bad of ['not.a.token', 'garbage', '', 'AgV4T5tSAY0N54CCnxe8opaque', undefined]) {
      expect(await a.authorize(bad, cfg())).toEqual({
        ok: false,
        status: 403,
        message: MESSAGES.failedToParseToken,
        reason: 'parse',
      });
    }
    expect(idp.fetches.discovery).toBe(0); // nothing fetched for a token that is not a JWT
  });

  it(
    'expired → 401 "Token has expired"; nbf in the future → 401; a foreign signature with the ' + 'right iss → 401',
    async () => {
      const a = createJwtAuthorizer();
      const now = Math.floor(Date.now() / 1000);
      expect(await a.authorize(await idp.sign({ sub: 'u' }, { exp: now - 5 }), cfg())).toEqual({
        ok: false,
        status: 401,
        message: MESSAGES.tokenExpired,
        reason: 'expired',
      });
      expect(await a.authorize(await idp.sign({ sub: 'u' }, { nbf: now + 600 }), cfg())).toMatchObject({
        status: 401,
        message: AUTHORIZER_MESSAGES.notYetValid,
      });
      expect(await a.authorize(await idp.sign({ sub: 'u' }, { key: idp.foreignKey }), cfg())).toMatchObject({
        status: 401,
        reason: 'signature',
        message: AUTHORIZER_MESSAGES.invalidSignature,
      });
      // Foreign issuer AND foreign key: the issuer is reported (AgentCore checks iss before the signature).
      expect(
        await a.authorize(await idp.sign({ iss: 'https://elsewhere.example' }, { key: idp.foreignKey }), cfg()),
      ).toMatchObject({ reason: 'iss' });
    },
  );

  it('a cached verification still expires with the token', async () => {
    let clock = Date.now();
    const a = createJwtAuthorizer({ now: () => clock });
    const token = await idp.sign({ sub: 'u' }, { exp: Math.floor(clock / 1000) + 60 });
    expect((await a.authorize(token, cfg())).ok).toBe(true);
    clock += 61_000;
    expect(await a.authorize(token, cfg())).toMatchObject({ ok: false, message: MESSAGES.tokenExpired });
  });

  it('refetches the JWKS when a token names a new key (rotation)', async () => {
    const a = createJwtAuthorizer({ jwksCooldownMs: 0 });
    expect((await a.authorize(await idp.sign({ sub: 'before' }), cfg())).ok).toBe(true);
    const before = a.stats.jwksFetches;
    await idp.rotate();
    expect(await a.authorize(await idp.sign({ sub: 'after' }), cfg())).toMatchObject({
      ok: true,
      claims: { sub: 'after' },
    });
    expect(a.stats.jwksFetches).toBe(before + 1);
  });

  it('customClaims: EQUALS on strings, CONTAINS and CONTAINS_ANY on arrays; the failing claim is named', async () => {
    const a = createJwtAuthorizer();
    const token = await idp.sign({ sub: 'u', tenant: 'acme', groups: ['dev', 'ops'], scp: ['files.read'] });
    const ok = await a.authorize(token, {
      ...cfg(),
      allowedScopes: ['files.read'],
      customClaims: [
        rule('tenant', 'STRING', 'EQUALS', 'acme'),
        rule('groups', 'STRING_ARRAY', 'CONTAINS', 'ops'),
        rule('groups', 'STRING_ARRAY', 'CONTAINS_ANY', ['x', 'dev']),
      ],
    });
    expect(ok.ok).toBe(true);
    expect(
      await a.authorize(token, { ...cfg(), customClaims: [rule('tenant', 'STRING', 'EQUALS', 'other')] }),
    ).toMatchObject({ status: 401, message: MESSAGES.claimMismatch('tenant') });
    expect(
      await a.authorize(token, { ...cfg(), customClaims: [rule('groups', 'STRING_ARRAY', 'CONTAINS', 'admin')] }),
    ).toMatchObject({ message: MESSAGES.claimMismatch('groups') });
    expect(
      await a.authorize(token, {
        ...cfg(),
        customClaims: [rule('groups', 'STRING_ARRAY', 'CONTAINS_ANY', ['a', 'b'])],
      }),
    ).toMatchObject({ message: MESSAGES.claimMismatch('groups') });
    // A STRING rule on an array claim (and the reverse) does not match.
    expect(
      await a.authorize(token, { ...cfg(), customClaims: [rule('tenant', 'STRING_ARRAY', 'CONTAINS', 'acme')] }),
    ).toMatchObject({ ok: false });
  });

  it('an unreachable discovery URL is a 500 naming the URL', async () => {
    const a = createJwtAuthorizer();
    const token = await idp.sign({ sub: 'u' });
    const v = await a.authorize(token, { discoveryUrl: 'http://127.0.0.1:9/.well-known/openid-configuration' });
    expect(v).toMatchObject({ ok: false, status: 500, reason: 'discovery' });
    expect(v.ok === false && v.message).toContain('http://127.0.0.1:9/.well-known/openid-configuration');
  });
});
