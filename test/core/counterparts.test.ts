import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { browseHeadless } from '../fixtures/headless-browser.js';

describe('test counterparts are up', () => {
  it('cognito-local serves a discovery document whose issuer matches its tokens', async () => {
    const c = inject('cognito');
    const meta = (await (await fetch(c.discoveryUrl)).json()) as { issuer: string; jwks_uri: string };
    expect(meta.issuer).toBe(c.issuer);
    expect(meta.jwks_uri).toBe(c.jwksUri);
  });

  it('oidc-provider completes authorization code + PKCE headlessly and issues a verifiable JWT', async () => {
    const o = inject('oidc');
    const redirectUri = o.redirectUris[0]!;
    const verifier = randomBytes(32).toString('base64url');
    const params = new URLSearchParams({
      client_id: o.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid api:read',
      state: 's1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const end = await browseHeadless(`${o.issuer}/auth?${params}`, { stopAt: redirectUri, login: 'alice' });
    const cb = new URL(end.url);
    expect(cb.searchParams.get('state')).toBe('s1');
    const res = await fetch(`${o.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: cb.searchParams.get('code')!,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    expect(res.status).toBe(200);
    const t = (await res.json()) as { access_token: string };
    const { payload } = await jwtVerify(t.access_token, createRemoteJWKSet(new URL(`${o.issuer}/jwks`)), {
      issuer: o.issuer,
      audience: o.resource,
    });
    expect(payload).toMatchObject({ sub: 'alice', client_id: o.clientId, scope: 'api:read' });
  });
});

describe('headless browser', () => {
  it('completes an auto-consent provider (same cookie name under several paths)', async () => {
    const { startOidcProvider } = await import('../fixtures/oidc-provider.js');
    const redirectUri = 'http://127.0.0.1:8765/callback';
    const p = await startOidcProvider({ autoConsent: true, redirectUris: [redirectUri] });
    try {
      const verifier = randomBytes(32).toString('base64url');
      const params = new URLSearchParams({
        client_id: p.clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid api:read',
        state: 's2',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      const end = await browseHeadless(`${p.issuer}/auth?${params}`, { stopAt: redirectUri, login: 'bob' });
      expect(new URL(end.url).searchParams.get('state')).toBe('s2');
      expect(new URL(end.url).searchParams.get('code')).toBeTruthy();
    } finally {
      await p.close();
    }
  });
});
