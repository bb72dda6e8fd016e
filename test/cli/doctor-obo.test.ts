/**
 * doctor --provider for on-behalf-of providers, against the local stack (whose oidc-provider lists the grants) and
 * the oidc-provider counterpart (which does not list token exchange): the configured grant and actor, the grant and
 * the client authentication method in the provider's discovery document, the workload token callers must use.
 */
import { CreateOauth2CredentialProviderCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { OBO_CLIENTS } from '../../src/emulator/threelo/provider.js';
import { clientsFor } from '../emulator/helpers.js';
import { runCommand } from '../helpers/context.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({});
});
afterAll(() => stack.close());

interface DoctorCheck {
  id: string;
  status: string;
  label: string;
  detail?: string;
  fix?: string;
}

async function doctor(provider: string): Promise<{ code: number; checks: DoctorCheck[] }> {
  const r = await runCommand(['doctor', '--provider', provider, '--json'], { env: stack.env });
  return { code: r.code, checks: (JSON.parse(r.stdout) as { checks: DoctorCheck[] }).checks };
}

const byId = (checks: DoctorCheck[], id: string) => checks.find((c) => c.id === id);

describe('doctor --provider, on-behalf-of', () => {
  it(
    'the seeded local-obo: grant and actor, discovery lists both grants, client auth supported, ' + 'JWT callers',
    async () => {
      const { code, checks } = await doctor('local-obo');
      expect(code).toBe(0);
      expect(byId(checks, 'provider.obo.config')).toMatchObject({
        status: 'pass',
        detail: 'TOKEN_EXCHANGE, actor M2M',
      });
      expect(byId(checks, 'provider.obo.workload-token')?.detail).toContain('GetWorkloadAccessTokenForJWT');
      expect(byId(checks, 'provider.obo.grant')).toMatchObject({
        status: 'pass',
        detail: 'grant_types_supported lists urn:ietf:params:oauth:grant-type:token-exchange',
      });
      expect(byId(checks, 'provider.obo.actor')).toMatchObject({ status: 'pass' });
      expect(byId(checks, 'provider.obo.client-auth')).toMatchObject({ status: 'pass' });
      expect(byId(checks, 'provider.obo.client-auth')?.detail).toMatch(/^CLIENT_SECRET_BASIC → client_secret_basic;/);
    },
  );

  it('a provider whose IdP does not list token exchange fails with the fix (exit 4)', async () => {
    const oidc = inject('oidc');
    await clientsFor(stack).control.send(
      new CreateOauth2CredentialProviderCommand({
        name: 'no-exchange-idp',
        credentialProviderVendor: 'CustomOauth2',
        oauth2ProviderConfigInput: {
          customOauth2ProviderConfig: {
            oauthDiscovery: { discoveryUrl: oidc.discoveryUrl },
            clientId: oidc.clientId,
            clientSecret: oidc.clientSecret,
            clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
            privateKeyJwtConfig: {
              privateKeySource: { kmsKeySource: { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k' } },
            },
            onBehalfOfTokenExchangeConfig: {
              grantType: 'TOKEN_EXCHANGE',
              tokenExchangeGrantTypeConfig: { actorTokenContent: 'NONE' },
            },
          },
        },
      }),
    );
    const { code, checks } = await doctor('no-exchange-idp');
    expect(code).toBe(4);
    expect(byId(checks, 'provider.obo.config')).toMatchObject({ detail: 'TOKEN_EXCHANGE, actor NONE' });
    const grant = byId(checks, 'provider.obo.grant')!;
    expect(grant.status).toBe('fail');
    expect(grant.detail).toContain('does not list urn:ietf:params:oauth:grant-type:token-exchange');
    expect(grant.fix).toContain('enable token exchange (RFC 8693)');
    expect(byId(checks, 'provider.obo.actor')).toBeUndefined();
    expect(byId(checks, 'provider.obo.client-auth')).toMatchObject({ status: 'pass' });
  });

  it('a provider that is not on-behalf-of gets no on-behalf-of lines', async () => {
    const { checks } = await doctor('local-m2m');
    expect(checks.filter((c) => c.id.startsWith('provider.obo.'))).toEqual([]);
  });

  it('the human report names each line', async () => {
    await clientsFor(stack).control.send(
      new CreateOauth2CredentialProviderCommand({
        name: 'jwt-grant-obo',
        credentialProviderVendor: 'CustomOauth2',
        oauth2ProviderConfigInput: {
          customOauth2ProviderConfig: {
            oauthDiscovery: { discoveryUrl: stack.threeLo.discoveryUrl },
            clientId: OBO_CLIENTS.post,
            clientAuthenticationMethod: 'CLIENT_SECRET_POST',
            onBehalfOfTokenExchangeConfig: { grantType: 'JWT_AUTHORIZATION_GRANT' },
          },
        },
      }),
    );
    const r = await runCommand(['doctor', '--provider', 'jwt-grant-obo'], { env: stack.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ credential provider jwt-grant-obo on-behalf-of — JWT_AUTHORIZATION_GRANT');
    expect(r.stdout).toContain(
      '✓ credential provider jwt-grant-obo on-behalf-of: discovery lists the grant — grant_types_supported lists ' +
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
    );
    expect(r.stdout).toContain('client authentication — CLIENT_SECRET_POST → client_secret_post');
  });
});
