/** Identity control-plane subset through the real @aws-sdk/client-bedrock-agentcore-control. */
import {
  CreateApiKeyCredentialProviderCommand,
  CreateOauth2CredentialProviderCommand,
  CreateWorkloadIdentityCommand,
  DeleteOauth2CredentialProviderCommand,
  DeleteWorkloadIdentityCommand,
  GetApiKeyCredentialProviderCommand,
  GetOauth2CredentialProviderCommand,
  GetTokenVaultCommand,
  GetWorkloadIdentityCommand,
  ListOauth2CredentialProvidersCommand,
  ListWorkloadIdentitiesCommand,
  SetTokenVaultCMKCommand,
  UpdateApiKeyCredentialProviderCommand,
  UpdateOauth2CredentialProviderCommand,
  UpdateWorkloadIdentityCommand,
  paginateListWorkloadIdentities,
} from '@aws-sdk/client-bedrock-agentcore-control';
import {
  GetResourceApiKeyCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenCommand,
  GetWorkloadAccessTokenForUserIdCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, failure, follow } from './helpers.js';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
beforeAll(async () => {
  stack = await startLocalStack({ autoConsent: true });
  c = clientsFor(stack);
});
afterAll(() => stack.close());

describe('workload identities', () => {
  it('create (201) → get → update (replaces the list) → list → delete (204)', async () => {
    const created = await c.control.send(
      new CreateWorkloadIdentityCommand({
        name: 'cp-agent',
        allowedResourceOauth2ReturnUrls: ['http://localhost:9090/cb'],
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      name: 'cp-agent',
      workloadIdentityArn:
        'arn:aws:bedrock-agentcore:us-east-1:123456789012:' +
        'workload-identity-directory/default/workload-identity/cp-agent',
      allowedResourceOauth2ReturnUrls: ['http://localhost:9090/cb'],
    });
    const got = await c.control.send(new GetWorkloadIdentityCommand({ name: 'cp-agent' }));
    expect(got.createdTime).toBeInstanceOf(Date);
    expect(Math.abs(got.createdTime!.getTime() - Date.now())).toBeLessThan(5000);
    const upd = await c.control.send(
      new UpdateWorkloadIdentityCommand({
        name: 'cp-agent',
        allowedResourceOauth2ReturnUrls: ['http://localhost:9191/cb'],
      }),
    );
    expect(upd.allowedResourceOauth2ReturnUrls).toEqual(['http://localhost:9191/cb']);
    const names: string[] = [];
    for await (const page of paginateListWorkloadIdentities({ client: c.control, pageSize: 2 }, {}))
      names.push(...(page.workloadIdentities ?? []).map((w) => w.name!));
    expect(names).toContain('cp-agent');
    expect(names).toContain('local-workload');
    const del = await c.control.send(new DeleteWorkloadIdentityCommand({ name: 'cp-agent' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    const f = await failure(c.control.send(new GetWorkloadIdentityCommand({ name: 'cp-agent' })));
    expect(f).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('duplicate name → 409 ConflictException; limits → ValidationException', async () => {
    const f = await failure(c.control.send(new CreateWorkloadIdentityCommand({ name: 'local-workload' })));
    expect(f).toMatchObject({ name: 'ConflictException', status: 409 });
    const v = await failure(
      c.control.send(
        new CreateWorkloadIdentityCommand({ name: 'ok-name', allowedResourceOauth2ReturnUrls: ['no spaces allowed'] }),
      ),
    );
    expect(v).toMatchObject({
      name: 'ValidationException',
      message:
        "Value at 'allowedResourceOauth2ReturnUrls.1.member' failed to satisfy constraint: Member must satisfy " +
        'regular expression pattern: ^\\w+:(\\/?\\/?)[^\\s]+$',
    });
    const m = await failure(c.control.send(new ListWorkloadIdentitiesCommand({ maxResults: 0 })));
    expect(m.name).toBe('ValidationException');
  });
});

describe('OAuth2 credential providers', () => {
  it(
    'CustomOauth2 with a discovery URL: 201 with a callbackUrl on the stack; usable for M2M ' + 'against a real IdP',
    async () => {
      const oidc = inject('oidc');
      const r = await c.control.send(
        new CreateOauth2CredentialProviderCommand({
          name: 'counterpart-idp',
          credentialProviderVendor: 'CustomOauth2',
          oauth2ProviderConfigInput: {
            customOauth2ProviderConfig: {
              oauthDiscovery: { discoveryUrl: oidc.discoveryUrl },
              clientId: oidc.clientId,
              clientSecret: oidc.clientSecret,
            },
          },
        }),
      );
      expect(r.$metadata.httpStatusCode).toBe(201);
      expect(r.callbackUrl).toMatch(new RegExp(`^${stack.url}/identities/oauth2/callback/[0-9a-f-]{36}$`));
      expect(r.credentialProviderArn).toBe(
        'arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/counterpart-idp',
      );
      expect(r.clientSecretArn?.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:/);
      expect(r.oauth2ProviderConfigOutput).toEqual({
        customOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: oidc.discoveryUrl }, clientId: oidc.clientId },
      });
      expect(JSON.stringify(r)).not.toContain(oidc.clientSecret);

      // M2M through the stack against the oidc-provider counterpart (client credentials for its resource).
      const { workloadAccessToken } = await c.data.send(
        new GetWorkloadAccessTokenCommand({ workloadName: 'local-workload' }),
      );
      const t = await c.data.send(
        new GetResourceOauth2TokenCommand({
          workloadIdentityToken: workloadAccessToken,
          resourceCredentialProviderName: 'counterpart-idp',
          scopes: ['api:read'],
          oauth2Flow: 'M2M',
        }),
      );
      expect(t.accessToken).toBeTruthy();

      const got = await c.control.send(new GetOauth2CredentialProviderCommand({ name: 'counterpart-idp' }));
      expect(got).toMatchObject({
        name: 'counterpart-idp',
        credentialProviderVendor: 'CustomOauth2',
        callbackUrl: r.callbackUrl,
        status: 'READY',
      });
      expect(got.createdTime).toBeInstanceOf(Date);
    },
  );

  it(
    'CustomOauth2 with authorization server metadata, and a created provider drives 3LO through its own ' + 'callback',
    async () => {
      const issuer = stack.threeLo.issuer;
      const doc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
        authorization_endpoint: string;
        token_endpoint: string;
      };
      const r = await c.control.send(
        new CreateOauth2CredentialProviderCommand({
          name: 'made-3lo',
          credentialProviderVendor: 'CustomOauth2',
          oauth2ProviderConfigInput: {
            customOauth2ProviderConfig: {
              oauthDiscovery: {
                authorizationServerMetadata: {
                  issuer,
                  authorizationEndpoint: doc.authorization_endpoint,
                  tokenEndpoint: doc.token_endpoint,
                },
              },
              clientId: stack.threeLo.clientId,
              clientSecret: stack.config.threeLo.clientSecret,
            },
          },
        }),
      );
      expect(r.oauth2ProviderConfigOutput?.customOauth2ProviderConfig?.oauthDiscovery).toEqual({
        authorizationServerMetadata: {
          issuer,
          authorizationEndpoint: doc.authorization_endpoint,
          tokenEndpoint: doc.token_endpoint,
          responseTypes: ['code'],
        },
      });
      const wat = (
        await c.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'local-workload', userId: 'ivy' }))
      ).workloadAccessToken!;
      const s = await c.data.send(
        new GetResourceOauth2TokenCommand({
          workloadIdentityToken: wat,
          resourceCredentialProviderName: 'made-3lo',
          scopes: ['api:read'],
          oauth2Flow: 'USER_FEDERATION',
        }),
      );
      const b = await follow(s.authorizationUrl!);
      expect(b.urls.some((u) => u.startsWith(r.callbackUrl!))).toBe(true);
      // No return URL given: the first registered one is used.
      expect(b.finalUrl.startsWith('http://localhost:8081/oauth2/callback?session_id=')).toBe(true);
    },
  );

  it('included vendors: Google shape, Microsoft tenant, included (Okta) endpoints', async () => {
    const g = await c.control.send(
      new CreateOauth2CredentialProviderCommand({
        name: 'google',
        credentialProviderVendor: 'GoogleOauth2',
        oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'g-id', clientSecret: 'g-secret' } },
      }),
    );
    expect(g.oauth2ProviderConfigOutput).toEqual({
      googleOauth2ProviderConfig: {
        oauthDiscovery: { discoveryUrl: 'https://accounts.google.com/.well-known/openid-configuration' },
        clientId: 'g-id',
      },
    });
    const m = await c.control.send(
      new CreateOauth2CredentialProviderCommand({
        name: 'entra',
        credentialProviderVendor: 'MicrosoftOauth2',
        oauth2ProviderConfigInput: {
          microsoftOauth2ProviderConfig: { clientId: 'm-id', clientSecret: 's', tenantId: 'contoso' },
        },
      }),
    );
    expect(m.oauth2ProviderConfigOutput?.microsoftOauth2ProviderConfig?.oauthDiscovery?.discoveryUrl).toBe(
      'https://login.microsoftonline.com/contoso/v2.0/.well-known/openid-configuration',
    );
    const o = await c.control.send(
      new CreateOauth2CredentialProviderCommand({
        name: 'okta',
        credentialProviderVendor: 'OktaOauth2',
        oauth2ProviderConfigInput: {
          includedOauth2ProviderConfig: {
            clientId: 'o-id',
            clientSecret: 's',
            issuer: 'https://dev-1.okta.com/oauth2/default',
          },
        },
      }),
    );
    expect(o.oauth2ProviderConfigOutput?.includedOauth2ProviderConfig?.oauthDiscovery?.discoveryUrl).toBe(
      'https://dev-1.okta.com/oauth2/default/.well-known/openid-configuration',
    );
    const wrong = await failure(
      c.control.send(
        new CreateOauth2CredentialProviderCommand({
          name: 'gh',
          credentialProviderVendor: 'GithubOauth2',
          oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'x' } },
        }),
      ),
    );
    expect(wrong).toMatchObject({
      name: 'ValidationException',
      message: 'credentialProviderVendor GithubOauth2 requires oauth2ProviderConfigInput.githubOauth2ProviderConfig',
    });
    const badVendor = await failure(
      c.control.send(
        new CreateOauth2CredentialProviderCommand({
          name: 'x',
          credentialProviderVendor: 'NopeOauth2' as never,
          oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'x' } },
        }),
      ),
    );
    expect(badVendor.name).toBe('ValidationException');
    const badUrl = await failure(
      c.control.send(
        new CreateOauth2CredentialProviderCommand({
          name: 'y',
          credentialProviderVendor: 'CustomOauth2',
          oauth2ProviderConfigInput: {
            customOauth2ProviderConfig: { oauthDiscovery: { discoveryUrl: 'https://idp.example/' }, clientId: 'c' },
          },
        }),
      ),
    );
    expect(badUrl.message).toBe(
      "Value at 'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery.discoveryUrl' failed to " +
        'satisfy constraint: Member must satisfy regular expression pattern: ' +
        '^.+\\/\\.well-known\\/openid-configuration$',
    );
  });

  it('list, delete (204), then the data plane no longer finds it', async () => {
    const list = await c.control.send(new ListOauth2CredentialProvidersCommand({}));
    const names = list.credentialProviders!.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['local-m2m', 'local-3lo']));
    expect(list.credentialProviders![0]).toMatchObject({ credentialProviderVendor: 'CustomOauth2' });
    const dup = await failure(
      c.control.send(
        new CreateOauth2CredentialProviderCommand({
          name: 'local-m2m',
          credentialProviderVendor: 'GoogleOauth2',
          oauth2ProviderConfigInput: { googleOauth2ProviderConfig: { clientId: 'x' } },
        }),
      ),
    );
    expect(dup).toMatchObject({ name: 'ConflictException', status: 409 });
    const del = await c.control.send(new DeleteOauth2CredentialProviderCommand({ name: 'google' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    const gone = await failure(c.control.send(new GetOauth2CredentialProviderCommand({ name: 'google' })));
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });
});

describe('API-key providers and the token vault', () => {
  it('create (201) → get → the data plane returns the key', async () => {
    const r = await c.control.send(
      new CreateApiKeyCredentialProviderCommand({ name: 'weather-api', apiKey: 'wk-123456' }),
    );
    expect(r.$metadata.httpStatusCode).toBe(201);
    expect(r).toMatchObject({
      name: 'weather-api',
      credentialProviderArn:
        'arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/weather-api',
    });
    expect(JSON.stringify(r)).not.toContain('wk-123456');
    const got = await c.control.send(new GetApiKeyCredentialProviderCommand({ name: 'weather-api' }));
    expect(got.apiKeySecretArn?.secretArn).toBe(r.apiKeySecretArn?.secretArn);
    const { workloadAccessToken } = await c.data.send(
      new GetWorkloadAccessTokenCommand({ workloadName: 'local-workload' }),
    );
    const k = await c.data.send(
      new GetResourceApiKeyCommand({
        workloadIdentityToken: workloadAccessToken,
        resourceCredentialProviderName: 'weather-api',
      }),
    );
    expect(k.apiKey).toBe('wk-123456');
    const f = await failure(
      c.control.send(new CreateApiKeyCredentialProviderCommand({ name: 'bad name', apiKey: 'x' })),
    );
    expect(f.name).toBe('ValidationException');
  });

  it('GetTokenVault describes the default vault', async () => {
    const v = await c.control.send(new GetTokenVaultCommand({}));
    expect(v).toMatchObject({ tokenVaultId: 'default', kmsConfiguration: { keyType: 'ServiceManagedKey' } });
    expect(v.lastModifiedDate).toBeInstanceOf(Date);
    const f = await failure(c.control.send(new GetTokenVaultCommand({ tokenVaultId: 'other' })));
    expect(f).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });
});

describe(
  'updates (issue 28 item 10): UpdateOauth2CredentialProvider, UpdateApiKeyCredentialProvider, ' + 'SetTokenVaultCMK',
  () => {
    it(
      'UpdateOauth2CredentialProvider replaces the definition; name, ARN and callbackUrl stay; the new client ' +
        'is used',
      async () => {
        const oidc = inject('oidc');
        const created = await c.control.send(
          new CreateOauth2CredentialProviderCommand({
            name: 'to-update',
            credentialProviderVendor: 'CustomOauth2',
            oauth2ProviderConfigInput: {
              customOauth2ProviderConfig: {
                oauthDiscovery: { discoveryUrl: oidc.discoveryUrl },
                clientId: oidc.clientId,
                clientSecret: 'wrong-secret',
              },
            },
          }),
        );
        const wat = (await c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: 'local-workload' })))
          .workloadAccessToken!;
        const m2m = () =>
          c.data.send(
            new GetResourceOauth2TokenCommand({
              workloadIdentityToken: wat,
              resourceCredentialProviderName: 'to-update',
              scopes: ['api:read'],
              oauth2Flow: 'M2M',
            }),
          );
        expect((await failure(m2m())).name).toBe('ValidationException');
        const config = {
          oauthDiscovery: { discoveryUrl: oidc.discoveryUrl },
          clientId: oidc.clientId,
          clientAuthenticationMethod: 'CLIENT_SECRET_POST' as const,
          onBehalfOfTokenExchangeConfig: {
            grantType: 'TOKEN_EXCHANGE' as const,
            tokenExchangeGrantTypeConfig: { actorTokenContent: 'NONE' as const },
          },
        };
        const updated = await c.control.send(
          new UpdateOauth2CredentialProviderCommand({
            name: 'to-update',
            credentialProviderVendor: 'CustomOauth2',
            oauth2ProviderConfigInput: { customOauth2ProviderConfig: { ...config, clientSecret: oidc.clientSecret } },
          }),
        );
        expect(updated.$metadata.httpStatusCode).toBe(200);
        expect(updated).toMatchObject({
          name: 'to-update',
          credentialProviderArn: created.credentialProviderArn,
          callbackUrl: created.callbackUrl,
          credentialProviderVendor: 'CustomOauth2',
          oauth2ProviderConfigOutput: { customOauth2ProviderConfig: config },
        });
        expect(JSON.stringify(updated)).not.toContain(oidc.clientSecret);
        expect((await m2m()).accessToken).toBeTruthy();
        const missing = await failure(
          c.control.send(
            new UpdateOauth2CredentialProviderCommand({
              name: 'no-such-provider',
              credentialProviderVendor: 'CustomOauth2',
              oauth2ProviderConfigInput: { customOauth2ProviderConfig: config },
            }),
          ),
        );
        expect(missing).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
      },
    );

    it('UpdateApiKeyCredentialProvider changes the key the data plane returns', async () => {
      await c.control.send(
        new CreateApiKeyCredentialProviderCommand({ name: 'rotating-key', apiKey: 'first-api-key-value' }),
      );
      const u = await c.control.send(
        new UpdateApiKeyCredentialProviderCommand({ name: 'rotating-key', apiKey: 'second-api-key-value' }),
      );
      expect(u).toMatchObject({ name: 'rotating-key' });
      expect(u.lastUpdatedTime).toBeInstanceOf(Date);
      expect(JSON.stringify(u)).not.toContain('second-api-key-value');
      const wat = (await c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: 'local-workload' })))
        .workloadAccessToken!;
      const k = await c.data.send(
        new GetResourceApiKeyCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: 'rotating-key' }),
      );
      expect(k.apiKey).toBe('second-api-key-value');
    });

    it(
      'SetTokenVaultCMK records a customer managed key; GetTokenVault reports it; back to the ' + 'service key',
      async () => {
        const kmsKeyArn = 'arn:aws:kms:us-east-1:123456789012:key/vault-cmk';
        const set = await c.control.send(
          new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'CustomerManagedKey', kmsKeyArn } }),
        );
        expect(set).toMatchObject({
          tokenVaultId: 'default',
          kmsConfiguration: { keyType: 'CustomerManagedKey', kmsKeyArn },
        });
        expect((await c.control.send(new GetTokenVaultCommand({}))).kmsConfiguration).toEqual({
          keyType: 'CustomerManagedKey',
          kmsKeyArn,
        });
        const bad = await failure(
          c.control.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'CustomerManagedKey' } })),
        );
        expect(bad).toMatchObject({ name: 'ValidationException' });
        await c.control.send(new SetTokenVaultCMKCommand({ kmsConfiguration: { keyType: 'ServiceManagedKey' } }));
        expect((await c.control.send(new GetTokenVaultCommand({}))).kmsConfiguration).toEqual({
          keyType: 'ServiceManagedKey',
        });
      },
    );
  },
);
