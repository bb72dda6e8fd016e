/**
 * `exchange --flow on-behalf-of` end to end against the local stack (its oidc-provider is the third-party provider):
 * the seeded local-obo provider out of the box, the timeline (workload token for the JWT → the provider's
 * configuration → GetResourceOauth2Token → the provider's token endpoint as AgentCore calls it, subject by
 * fingerprint), --user-token / --bearer-token / --bearer, --scopes/--audience/--resource/--custom-param reaching the
 * provider, --json, and the refusals explained: no JWT to exchange (exit 2, before any call), a provider without
 * on-behalf-of, an expired or untrusted subject and a wrong client assertion refused by the provider (exit 4).
 */
import { CreateOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { decodeJwt } from 'jose';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { OBO_CLIENTS, THREELO_RESOURCE } from '../../src/emulator/threelo/provider.js';
import { clientsFor } from '../emulator/helpers.js';
import { runCommand, type TestContextOptions } from '../helpers/context.js';
import { startRecordingProxy } from '../helpers/recording-proxy.js';
import { stackLoginArgs, stackUserTokens } from '../fixtures/stack-users.js';

let stack: LocalStack;
let alice: string;

const poolToken = async (s: LocalStack) => (await stackUserTokens(s, 'alice')).accessToken;

function exchange(args: string[], opts: TestContextOptions = {}, s = stack) {
  return runCommand(['exchange', '--workload-name', 'local-workload', ...args], {
    ...opts,
    env: { ...s.env, ...opts.env },
  });
}

beforeAll(async () => {
  stack = await startLocalStack({});
  alice = await poolToken(stack);
});
afterAll(() => stack.close());

describe('exchange --flow on-behalf-of with the seeded local-obo provider', () => {
  it(
    'the timeline shows each call, the provider call as AgentCore makes it, and prints the ' + 'resource token',
    async () => {
      const r = await exchange([
        '--user-token',
        alice,
        '--flow',
        'on-behalf-of',
        '--provider',
        'local-obo',
        '--scopes',
        'api:read',
        '--print',
        'resource-token',
      ]);
      expect(r.stderr).toContain('[1/4] GetWorkloadAccessTokenForJWT  workload=local-workload');
      expect(r.stderr).toContain('[2/4] GetOauth2CredentialProvider  provider=local-obo');
      expect(r.stderr).toMatch(/grant TOKEN_EXCHANGE · actor M2M · client auth CLIENT_SECRET_BASIC/);
      expect(r.stderr).toContain(
        '[3/4] GetResourceOauth2Token  flow=ON_BEHALF_OF_TOKEN_EXCHANGE provider=local-obo scopes=api:read',
      );
      const { fingerprint } = await import('../../src/core/redact.js');
      expect(r.stderr).toContain(
        `[4/4] token endpoint (AgentCore → provider)  endpoint=token_endpoint of ${stack.threeLo.discoveryUrl} ` +
          `grant=token-exchange (RFC 8693) subject=${fingerprint(alice)} ` +
          'subject_token_type=urn:ietf:params:oauth:token-type:jwt ' +
          `actor=client-credentials token of ${OBO_CLIENTS.basic} (scope api:read) client auth=CLIENT_SECRET_BASIC`,
      );
      expect(r.stderr).toContain(`sub ${decodeJwt(alice).sub} · act ${OBO_CLIENTS.basic} · aud ${THREELO_RESOURCE}`);
      expect(r.code).toBe(0);
      const token = r.stdout.trim();
      expect(decodeJwt(token)).toMatchObject({ sub: decodeJwt(alice).sub, act: { sub: OBO_CLIENTS.basic } });
      expect(r.stderr).not.toContain(token);
      expect(r.stderr).not.toContain(alice);
    },
  );

  it('--audience, --resource and --custom-param reach the provider; --json carries the call and act', async () => {
    const r = await exchange(
      [
        '--bearer-token',
        '-',
        '--flow',
        'on-behalf-of',
        '--provider',
        'local-obo',
        '--scopes',
        'api:read',
        '--audience',
        'local-api',
        '--resource',
        THREELO_RESOURCE,
        '--custom-param',
        'subject_token_type=urn:ietf:params:oauth:token-type:access_token',
        '--json',
      ],
      { stdin: alice },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.onBehalfOf.call).toMatchObject({
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'local-api',
      resource: THREELO_RESOURCE,
    });
    expect(doc.onBehalfOf.provider).toMatchObject({ grantType: 'TOKEN_EXCHANGE', actorTokenContent: 'M2M' });
    expect(doc.resourceToken).toMatchObject({
      flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
      sub: decodeJwt(alice).sub,
      act: { sub: OBO_CLIENTS.basic },
    });
    expect(doc.steps.map((s: { operation: string }) => s.operation)).toEqual([
      'GetWorkloadAccessTokenForJWT',
      'GetOauth2CredentialProvider',
      'GetResourceOauth2Token',
      'token endpoint (AgentCore → provider)',
    ]);
  });

  it('--bearer: the cached login of `login` is the subject', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aca-obo-'));
    const login = await runCommand(stackLoginArgs(stack, 'alice', 'Alice-Passw0rd!'), { env: stack.env, home });
    expect(login.code).toBe(0);
    const r = await exchange(
      ['--bearer', '--flow', 'on-behalf-of', '--provider', 'local-obo', '--print', 'resource-token'],
      { home },
    );
    expect(r.code).toBe(0);
    expect(decodeJwt(r.stdout.trim()).sub).toBe(decodeJwt(alice).sub);
  });
});

describe('refusals, explained', () => {
  it.each([
    [['--user-id', 'alice'], 'a workload token for --user-id carries no JWT to exchange'],
    [[], 'a workload token bound to no user carries no JWT to exchange'],
  ])('no user JWT (%j): exit 2 before any call, with the fix', async (binding, reason) => {
    const r = await exchange([...binding, '--flow', 'on-behalf-of', '--provider', 'local-obo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`on-behalf-of needs the user's JWT: ${reason}`);
    expect(r.stderr).toContain('Pass --user-token <jwt> or --bearer [NAME]');
    expect(r.stderr).not.toContain('[1/');
  });

  it("a forged subject: AgentCore refuses it first (exit 4); the provider's own refusal is explained too", async () => {
    const [h, , sig] = alice.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(alice), sub: 'mallory' })).toString('base64url');
    const r = await exchange([
      '--user-token',
      `${h}.${payload}.${sig}`,
      '--flow',
      'on-behalf-of',
      '--provider',
      'local-obo',
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'GetWorkloadAccessTokenForJWT failed: UnauthorizedException: Token signature is invalid',
    );
    // The same token at the provider (test/emulator/on-behalf-of.test.ts) is refused with this text, which explain
    // knows.
    const e = await runCommand(['explain', 'invalid_grant: subject_token signature is invalid']);
    expect(e.code).toBe(0);
    expect(e.stdout).toContain("The subject token's signature does not verify with its issuer's keys");
  });

  it('a provider without onBehalfOfTokenExchangeConfig: exit 2 naming the fix', async () => {
    const r = await exchange(['--user-token', alice, '--flow', 'on-behalf-of', '--provider', 'local-m2m']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('credential provider local-m2m is not set up for on-behalf-of');
    expect(r.stderr).toContain('UpdateOauth2CredentialProvider');
  });

  it('a wrong client assertion is refused by the provider: exit 4 with the cause and the fix', async () => {
    await clientsFor(stack).control.send(
      new CreateOauth2CredentialProviderCommand({
        name: 'obo-unregistered-key',
        credentialProviderVendor: 'CustomOauth2',
        oauth2ProviderConfigInput: {
          customOauth2ProviderConfig: {
            oauthDiscovery: { discoveryUrl: stack.threeLo.discoveryUrl },
            clientId: OBO_CLIENTS.privateKeyJwt,
            clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
            privateKeyJwtConfig: {
              privateKeySource: { kmsKeySource: { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/unregistered' } },
              signingAlgorithm: 'RS256',
            },
            onBehalfOfTokenExchangeConfig: { grantType: 'TOKEN_EXCHANGE' },
          },
        },
      }),
    );
    const r = await exchange(['--user-token', alice, '--flow', 'on-behalf-of', '--provider', 'obo-unregistered-key']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/client auth PRIVATE_KEY_JWT/);
    expect(r.stderr).toContain('invalid_client');
    expect(r.stderr).toContain("register the KMS key's public key");
  });

  it('a subject from an issuer the provider does not trust: exit 4 with the fix', async () => {
    const oidc = inject('oidc');
    const trusting = await startLocalStack({ config: { trustedIssuers: [oidc.discoveryUrl] } });
    try {
      const res = await fetch(`${oidc.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${oidc.clientId}:${oidc.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read', resource: oidc.resource }),
      });
      const external = ((await res.json()) as { access_token: string }).access_token;
      const r = await exchange(
        ['--user-token', external, '--flow', 'on-behalf-of', '--provider', 'local-obo'],
        {},
        trusting,
      );
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(`subject_token issuer ${oidc.issuer} is not trusted by this provider`);
      expect(r.stderr).toContain('hint: Configure the provider to accept tokens of that issuer');
    } finally {
      await trusting.close();
    }
  });

  it('a subject that expires between the workload token and the exchange: exit 4, get a fresh token', async () => {
    // The stack's clock jumps 61 s when the CLI reads the provider (after GetWorkloadAccessTokenForJWT, before
    // GetResourceOauth2Token): the 60-second user token is still valid for the first call, expired for the provider.
    let offset = 0;
    const clocked = await startLocalStack({
      now: () => Date.now() + offset,
      config: {
        userPool: {
          clients: [{ name: 'app-client', clientSecret: 'app-secret-0123456789', accessTokenValiditySeconds: 60 }],
        },
      },
    });
    const proxy = await startRecordingProxy(clocked.url, {
      answer: (operation) => {
        if (operation === 'POST /identities/GetOauth2CredentialProvider') offset = 61_000;
        return undefined;
      },
    });
    try {
      const token = await poolToken(clocked);
      const r = await exchange(
        ['--user-token', token, '--flow', 'on-behalf-of', '--provider', 'local-obo'],
        { env: { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: proxy.url } },
        clocked,
      );
      expect(r.stderr).toContain('[1/4] GetWorkloadAccessTokenForJWT');
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('invalid_grant (subject_token has expired)');
      expect(r.stderr).toContain('Get a fresh user token');
    } finally {
      await proxy.close();
      await clocked.close();
    }
  });
});
