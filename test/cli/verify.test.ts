/**
 * `agentcore-auth verify` in-process: tokens from cognito-local and oidc-provider (client_credentials and the code
 * flow, driven headlessly), verified against their own discovery URLs; exit codes, stdout table, stderr warnings.
 */
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { saveEntry } from '../../src/core/token-cache.js';
import { MESSAGES } from '../../src/wire.js';
import { browseHeadless } from '../fixtures/headless-browser.js';
import { createTestContext, runCommand } from '../helpers/context.js';
import { cognitoTokens, type CognitoTokens } from '../fixtures/cognito-users.js';
import { oidcClientCredentials } from '../fixtures/oidc-client.js';

describe('verify with Cognito tokens (cognito-local)', () => {
  const cognito = inject('cognito');
  let t: CognitoTokens;
  beforeAll(async () => {
    t = await cognitoTokens(cognito);
  });

  it('prints the claim table and "would be accepted" (exit 0) for an access token under allowedClients', async () => {
    const r = await runCommand([
      'verify',
      t.accessToken,
      '--discovery-url',
      cognito.discoveryUrl,
      '--allowed-clients',
      t.clientId,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('would be accepted');
    expect(r.stdout).toContain('authorizer  from flags');
    expect(r.stdout).toMatch(/^ {2}check +token +authorizer$/m);
    expect(r.stdout).toMatch(
      new RegExp(
        `^ {2}iss +✓ +${cognito.issuer.replace(/[.]/g, '\\.')} +${cognito.issuer.replace(/[.]/g, '\\.')}$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/^ {2}signature +✓ +RS256 kid CognitoLocal +JWKS$/m);
    expect(r.stdout).toMatch(new RegExp(`^ {2}client_id +✓ +${t.clientId} +${t.clientId}$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}aud +– +\(absent\) +\(allowedAudience not set\)$/m);
    expect(r.stdout).not.toContain(t.accessToken);
  });

  it(
    'an ID token under allowedClients: "would be rejected: client_id — … — …" (exit 4) and the ' + 'service message',
    async () => {
      const r = await runCommand([
        'verify',
        t.idToken,
        '--discovery-url',
        cognito.discoveryUrl,
        '--allowed-clients',
        t.clientId,
      ]);
      expect(r.code).toBe(4);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.at(-2)).toBe(
        `would be rejected: client_id — this is a Cognito ID token: it names the app client in aud and has no ` +
          `client_id claim — send the access token (login --print access-token), or configure ` +
          `allowedAudience=[${t.clientId}] instead of allowedClients`,
      );
      expect(lines.at(-1)).toBe(`AgentCore answers 401 "${MESSAGES.claimMismatch('client_id')}"`);
      expect(r.stderr).toBe('');
    },
  );

  it('reads the token from stdin with -, and lists the other failures after the verdict', async () => {
    const r = await runCommand(
      [
        'verify',
        '-',
        '--discovery-url',
        cognito.discoveryUrl,
        '--allowed-audience',
        t.clientId,
        '--allowed-scopes',
        'orders/read',
      ],
      { stdin: `Bearer ${t.accessToken}\n` },
    );
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      'also failing (AgentCore names only the first):\n  scope — tokens from InitiateAuth (USER_PASSWORD_AUTH, ' +
        'SRP, refresh) carry only aws.cognito.signin.user.admin',
    );
    expect(r.stdout).toContain(
      'would be rejected: aud — Cognito access tokens carry no aud claim — configure allowedClients=',
    );
  });

  it('--json prints the table as JSON (exit 4 when rejected)', async () => {
    const r = await runCommand([
      'verify',
      t.accessToken,
      '--json',
      '--discovery-url',
      cognito.discoveryUrl,
      '--allowed-audience',
      t.clientId,
    ]);
    expect(r.code).toBe(4);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      accepted: false,
      verdict: 'rejected',
      rejected: {
        code: 'ERR_VERIFY_REJECTED',
        claim: 'aud',
        response: { status: 401, message: MESSAGES.claimMismatch('aud'), confirmed: true },
      },
      token: { idp: 'cognito', kind: 'access', iss: cognito.issuer },
      authorizer: {
        source: { kind: 'flags' },
        mode: 'CUSTOM_JWT',
        discoveryUrl: cognito.discoveryUrl,
        allowedAudience: [t.clientId],
      },
      discovery: { issuer: cognito.issuer, jwksUri: cognito.jwksUri, keys: 1 },
    });
    expect(j.checks.map((c: { claim: string }) => c.claim)).toEqual([
      'token',
      'discovery',
      'iss',
      'signature',
      'exp',
      'nbf',
      'aud',
      'client_id',
      'scope',
    ]);
    expect(r.stdout).not.toContain(t.accessToken);
  });

  it('warns on stderr when the token expires within 60 s, and still accepts', async () => {
    const exp = decodeJwt(t.accessToken).exp!;
    const r = await runCommand(['verify', t.accessToken, '--discovery-url', cognito.discoveryUrl], {
      now: () => exp * 1000 - 30_000,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `warning: the token expires in 30 s: a call that starts now may be rejected with "${MESSAGES.tokenExpired}"\n`,
    );
    expect(r.stdout).toMatch(/^ {2}exp +! +in 30 s/m);
  });

  it('an expired token: would be rejected: exp', async () => {
    const exp = decodeJwt(t.accessToken).exp!;
    const r = await runCommand(['verify', t.accessToken, '--discovery-url', cognito.discoveryUrl], {
      now: () => exp * 1000 + 3_600_000,
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('would be rejected: exp — the token expired 1 h ago — mint a fresh token');
    expect(r.stdout).toContain(
      `AgentCore answers 401 "${MESSAGES.tokenExpired}" — expected; not confirmed against the live service`,
    );
  });

  it('a discovery URL without /.well-known/openid-configuration is rejected, with the corrected URL', async () => {
    const r = await runCommand([
      'verify',
      t.accessToken,
      '--discovery-url',
      cognito.issuer,
      '--allowed-clients',
      t.clientId,
    ]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      `would be rejected: discoveryUrl — the discoveryUrl does not end in /.well-known/openid-configuration, ` +
        `so CreateAgentRuntime / UpdateAgentRuntime refuse it (ValidationException) — ` +
        `use ${cognito.discoveryUrl} (the checks below used it)`,
    );
    expect(r.stdout).toMatch(/^ {2}client_id +✓/m);
  });

  it('custom claims on the command line', async () => {
    const r = await runCommand([
      'verify',
      t.accessToken,
      '--discovery-url',
      cognito.discoveryUrl,
      '--custom-claim',
      `username:EQUALS:${t.username}`,
      '--custom-claim',
      'cognito:groups:CONTAINS:admins',
    ]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(new RegExp(`^ {2}username +✓ +"${t.username}" +username:EQUALS:${t.username}$`, 'm'));
    expect(r.stdout).toContain('would be rejected: cognito:groups — the token has no cognito:groups claim');
  });

  it('--bearer NAME reads a cached login; --id-token picks its ID token', async () => {
    const ctx = createTestContext();
    await saveEntry(
      { env: ctx.env, homedir: ctx.homedir },
      {
        name: 'alice',
        flow: 'user-password',
        tokens: { accessToken: t.accessToken, idToken: t.idToken },
        expiresAt: decodeJwt(t.accessToken).exp!,
        idTokenExpiresAt: decodeJwt(t.idToken).exp!,
        clientId: t.clientId,
      },
    );
    const r = await runCommand(
      ['verify', '--bearer', 'alice', '--discovery-url', cognito.discoveryUrl, '--allowed-clients', t.clientId],
      ctx,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('token: cache:alice\n');
    const ctx2 = createTestContext({ home: ctx.homedir });
    const id = await runCommand(
      [
        'verify',
        '--bearer',
        'alice',
        '--id-token',
        '--discovery-url',
        cognito.discoveryUrl,
        '--allowed-clients',
        t.clientId,
      ],
      ctx2,
    );
    expect(id.code).toBe(4);
    expect(id.stdout).toContain('would be rejected: client_id — this is a Cognito ID token');
  });
});

describe('verify with oidc-provider tokens', () => {
  const o = inject('oidc');

  it('accepts a client_credentials token with matching audience, client and scope', async () => {
    const token = await oidcClientCredentials(o, 'api:read api:write');
    const r = await runCommand([
      'verify',
      token,
      '--discovery-url',
      o.discoveryUrl,
      '--allowed-audience',
      o.resource,
      '--allowed-clients',
      o.clientId,
      '--allowed-scopes',
      'api:write',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}scope +✓ +api:read api:write +any of api:write$/m);
  });

  it('a code-flow token (alice, headless login) against a custom claim on sub', async () => {
    const redirectUri = o.redirectUris[0]!;
    const verifier = randomBytes(32).toString('base64url');
    const params = new URLSearchParams({
      client_id: o.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid api:read',
      state: 's',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      resource: o.resource,
    });
    const end = await browseHeadless(`${o.issuer}/auth?${params}`, { stopAt: redirectUri, login: 'alice' });
    const res = await fetch(`${o.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: new URL(end.url).searchParams.get('code')!,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    const { access_token } = (await res.json()) as { access_token: string };
    const ok = await runCommand([
      'verify',
      access_token,
      '--discovery-url',
      o.discoveryUrl,
      '--allowed-clients',
      o.clientId,
      '--custom-claim',
      'sub:EQUALS:alice',
    ]);
    expect(ok.code).toBe(0);
    const bob = await runCommand([
      'verify',
      access_token,
      '--discovery-url',
      o.discoveryUrl,
      '--custom-claim',
      'sub:EQUALS:bob',
    ]);
    expect(bob.code).toBe(4);
    expect(bob.stdout).toContain('would be rejected: sub — sub is "alice", not "bob" (exact, case-sensitive)');
    expect(bob.stdout).toContain(
      `AgentCore answers 401 "${MESSAGES.claimMismatch('sub')}" — expected; not confirmed against the live service`,
    );
  });
});

describe('verify usage and failures', () => {
  it('needs an authorizer and a token (exit 2)', async () => {
    const a = await runCommand(['verify', 'x.y.z']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('error: no authorizer: pass --discovery-url');
    const b = await runCommand(['verify', '--discovery-url', 'https://idp.example/.well-known/openid-configuration']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('error: no token: pass it as an argument, - to read it from stdin, or --bearer [NAME]');
    const d = await runCommand([
      'verify',
      '--bearer',
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl',
      '--discovery-url',
      'https://idp.example/.well-known/openid-configuration',
    ]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('error: --bearer takes the name of a cached login, not a token');
    expect(d.stderr).not.toContain('eyJzdWIiOiJhbGljZSJ9');
    const c = await runCommand([
      'verify',
      'x.y.z',
      '--discovery-url',
      'https://idp.example/.well-known/openid-configuration',
      '--custom-claim',
      'scp:CONTAINS:a',
    ]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("error: Custom claim name can't be 'scp'.");
  });

  it("a three-part token whose payload is not JSON: says so, in token decode's words", async () => {
    const b64 = (t: string) => Buffer.from(t).toString('base64url');
    const token = `${b64('{"alg":"RS256"}')}.${b64('{not json')}.c2ln`;
    const decode = await runCommand(['token', 'decode', token]);
    expect(decode.stderr).toContain('malformed JWT: the payload is not base64url-encoded JSON');
    const r = await runCommand([
      'verify',
      token,
      '--discovery-url',
      'http://127.0.0.1:9/x/.well-known/openid-configuration',
      '--allowed-clients',
      'c',
    ]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('the token is a malformed JWT: the payload is not base64url-encoded JSON');
    expect(r.stdout).not.toContain('dot-separated');
  });

  it('an unreachable discovery URL is a network error (exit 3)', async () => {
    const r = await runCommand([
      'verify',
      'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln',
      '--discovery-url',
      'http://127.0.0.1:9/x/.well-known/openid-configuration',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error:');
    expect(r.stderr).toContain(
      'hint: The discovery document at http://127.0.0.1:9/x/.well-known/openid-configuration must be reachable',
    );
  });
});
