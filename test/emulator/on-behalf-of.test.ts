/**
 * ON_BEHALF_OF_TOKEN_EXCHANGE on the local stack, spoken to by the real AWS SDK clients, with the stack's own
 * oidc-provider as the third-party provider: the seeded local-obo provider, every client-authentication method, every
 * actor, the JWT bearer grant, what reaches the provider's token endpoint (a recording proxy in front of it), and the
 * refusals — by the provider (forged, expired, untrusted subject; a wrong client assertion) and by the stack.
 */
import {
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenCommand,
  GetWorkloadAccessTokenForJWTCommand,
  GetWorkloadAccessTokenForUserIdCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import {
  CreateOauth2CredentialProviderCommand,
  GetOauth2CredentialProviderCommand,
  type CustomOauth2ProviderConfigInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { OBO_CLIENTS, THREELO_RESOURCE } from '../../src/emulator/threelo/provider.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { stackUserTokens } from '../fixtures/stack-users.js';
import { clientsFor, failure } from './helpers.js';

const WORKLOAD = 'local-workload';
let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
let proxy: RecordingProxy;
let alice: string;

const poolLogin = async (s: LocalStack) => (await stackUserTokens(s, 'alice')).accessToken;

async function watFor(userToken: string, cl = c): Promise<string> {
  const r = await cl.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken }));
  return r.workloadAccessToken!;
}

function obo(wat: string, provider: string, extra: Record<string, unknown> = {}) {
  return new GetResourceOauth2TokenCommand({
    workloadIdentityToken: wat,
    resourceCredentialProviderName: provider,
    scopes: ['api:read'],
    oauth2Flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
    ...extra,
  });
}

/** The provider's token, verified against its JWKS (signature, issuer). */
async function verified(token: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${stack.threeLo.issuer}/jwks`));
  return (await jwtVerify(token, jwks, { issuer: stack.threeLo.issuer })).payload;
}

/**
 * A CustomOauth2 provider at the local OAuth provider, its token endpoint behind the recording proxy — or, `direct`,
 * by its discovery URL (client assertions name the token endpoint as their audience, so only direct ones pass).
 */
async function createProvider(name: string, config: Partial<CustomOauth2ProviderConfigInput>, direct = false) {
  const doc = (await (await fetch(stack.threeLo.discoveryUrl)).json()) as Record<string, string>;
  return c.control.send(
    new CreateOauth2CredentialProviderCommand({
      name,
      credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: {
        customOauth2ProviderConfig: {
          oauthDiscovery: direct
            ? { discoveryUrl: stack.threeLo.discoveryUrl }
            : {
                authorizationServerMetadata: {
                  issuer: doc.issuer!,
                  authorizationEndpoint: doc.authorization_endpoint!,
                  tokenEndpoint: `${proxy.url}${new URL(doc.token_endpoint!).pathname}`,
                },
              },
          ...config,
        },
      },
    }),
  );
}

/** The form of the last token request the proxy saw. */
function lastTokenRequest(): URLSearchParams {
  const call = proxy.calls.filter((x) => x.operation === 'POST /token').at(-1)!;
  return new URLSearchParams(String(call.body));
}

beforeAll(async () => {
  stack = await startLocalStack({});
  c = clientsFor(stack);
  proxy = await startRecordingProxy(stack.threeLo.issuer);
  alice = await poolLogin(stack);
});
afterAll(async () => {
  await proxy.close();
  await stack.close();
});

describe('the seeded local-obo provider (TOKEN_EXCHANGE, actor M2M)', () => {
  it("exchanges alice's pool token: sub is alice's, act names the actor client, signed by the provider", async () => {
    const r = await c.data.send(obo(await watFor(alice), 'local-obo'));
    expect(Object.keys(r).filter((k) => k !== '$metadata')).toEqual(['accessToken']);
    const claims = await verified(r.accessToken!);
    expect(claims).toMatchObject({
      sub: decodeJwt(alice).sub,
      client_id: OBO_CLIENTS.basic,
      aud: THREELO_RESOURCE,
      scope: 'api:read',
      act: { sub: OBO_CLIENTS.basic, client_id: OBO_CLIENTS.basic },
    });
  });

  it('the control plane returns its configuration as the service would', async () => {
    const p = await c.control.send(new GetOauth2CredentialProviderCommand({ name: 'local-obo' }));
    expect(p.oauth2ProviderConfigOutput?.customOauth2ProviderConfig).toMatchObject({
      oauthDiscovery: { discoveryUrl: stack.threeLo.discoveryUrl },
      clientId: OBO_CLIENTS.basic,
      onBehalfOfTokenExchangeConfig: {
        grantType: 'TOKEN_EXCHANGE',
        tokenExchangeGrantTypeConfig: { actorTokenContent: 'M2M', actorTokenScopes: ['api:read'] },
      },
    });
  });

  it("the provider's discovery lists both grants and the client authentication methods", async () => {
    const doc = (await (await fetch(stack.threeLo.discoveryUrl)).json()) as Record<string, string[]>;
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining([
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
        'client_credentials',
      ]),
    );
    expect(doc.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt']),
    );
  });
});

describe('what reaches the provider', () => {
  it('OBO: grant, subject, actor, scope, audience, resource and customParameters', async () => {
    await createProvider('rec-obo', {
      clientId: OBO_CLIENTS.basic,
      clientSecret: stack.config.threeLo.clientSecret,
      onBehalfOfTokenExchangeConfig: {
        grantType: 'TOKEN_EXCHANGE',
        tokenExchangeGrantTypeConfig: { actorTokenContent: 'M2M', actorTokenScopes: ['api:write'] },
      },
    });
    const r = await c.data.send(
      obo(await watFor(alice), 'rec-obo', {
        audiences: ['local-api'],
        resources: [THREELO_RESOURCE],
        customParameters: {
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          grant_type: 'password',
          note: 'kept',
        },
      }),
    );
    const form = lastTokenRequest();
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: alice,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'api:read',
      audience: 'local-api',
      resource: THREELO_RESOURCE,
      note: 'kept',
    });
    expect(decodeJwt(form.get('actor_token')!)).toMatchObject({ scope: 'api:write', client_id: OBO_CLIENTS.basic });
    expect(await verified(r.accessToken!)).toMatchObject({ aud: 'local-api', sub: decodeJwt(alice).sub });
  });

  it('M2M: audiences, resources and customParameters reach the token endpoint too', async () => {
    await createProvider('rec-m2m', {
      clientId: OBO_CLIENTS.post,
      clientSecret: stack.config.threeLo.clientSecret,
      clientAuthenticationMethod: 'CLIENT_SECRET_POST',
    });
    const { workloadAccessToken } = await c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD }));
    const r = await c.data.send(
      new GetResourceOauth2TokenCommand({
        workloadIdentityToken: workloadAccessToken,
        resourceCredentialProviderName: 'rec-m2m',
        scopes: ['api:read'],
        oauth2Flow: 'M2M',
        audiences: ['local-api'],
        resources: [THREELO_RESOURCE],
        customParameters: { tenant: 't1' },
      }),
    );
    const form = lastTokenRequest();
    expect(form.getAll('audience')).toEqual(['local-api']);
    expect(form.getAll('resource')).toEqual([THREELO_RESOURCE]);
    expect(form.get('tenant')).toBe('t1');
    // CLIENT_SECRET_POST: the secret in the form, no Authorization header
    expect(form.get('client_id')).toBe(OBO_CLIENTS.post);
    expect(form.get('client_secret')).toBe(stack.config.threeLo.clientSecret);
    expect(decodeJwt(r.accessToken!)).toMatchObject({ client_id: OBO_CLIENTS.post, aud: THREELO_RESOURCE });
  });
});

describe('every client authentication method, checked by the provider', () => {
  const exchange = { onBehalfOfTokenExchangeConfig: { grantType: 'TOKEN_EXCHANGE' as const } };

  const pkjwt = (alg: 'RS256' | 'PS256' | 'ES256', key: string) => {
    const kmsKeyArn = `arn:aws:kms:us-east-1:123456789012:key/${key}`;
    return {
      clientId: OBO_CLIENTS.privateKeyJwt,
      clientAuthenticationMethod: 'PRIVATE_KEY_JWT' as const,
      privateKeyJwtConfig: {
        privateKeySource: { kmsKeySource: { kmsKeyArn } },
        signingAlgorithm: alg,
        additionalHeaderClaims: { kid: kmsKeyArn, alg: 'none' },
        additionalPayloadClaims: { tenant: 'acme', iss: 'ignored' },
      },
      ...exchange,
    };
  };

  it.each([
    ['RS256', 'agentcore-local-rsa'],
    ['PS256', 'agentcore-local-rsa'],
    ['ES256', 'agentcore-local-ec'],
  ] as const)('PRIVATE_KEY_JWT %s: a client assertion signed by the KMS stand-in', async (alg, key) => {
    const name = `pkjwt-${alg.toLowerCase()}`;
    const config = pkjwt(alg, key);
    const created = await createProvider(name, config, true);
    const { clientAuthenticationMethod, privateKeyJwtConfig, onBehalfOfTokenExchangeConfig } = config;
    expect(created.oauth2ProviderConfigOutput?.customOauth2ProviderConfig).toMatchObject({
      clientAuthenticationMethod,
      privateKeyJwtConfig,
      onBehalfOfTokenExchangeConfig,
    });
    const r = await c.data.send(obo(await watFor(alice), name));
    expect(await verified(r.accessToken!)).toMatchObject({ client_id: OBO_CLIENTS.privateKeyJwt });
  });

  it('PRIVATE_KEY_JWT: what the assertion carries (service claims win over additional ones)', async () => {
    await createProvider('pkjwt-inspect', pkjwt('ES256', 'agentcore-local-ec'));
    // Behind the proxy the assertion's audience is the proxy's URL, which oidc-provider accepts as "the endpoint URL"
    // (the proxy keeps its own Host header).
    await c.data.send(obo(await watFor(alice), 'pkjwt-inspect'));
    const form = lastTokenRequest();
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('authorization')).toBeNull();
    const assertion = form.get('client_assertion')!;
    const header = JSON.parse(Buffer.from(assertion.split('.')[0]!, 'base64url').toString());
    expect(header).toEqual({
      alg: 'ES256',
      typ: 'JWT',
      kid: 'arn:aws:kms:us-east-1:123456789012:key/agentcore-local-ec',
    });
    expect(decodeJwt(assertion)).toMatchObject({
      iss: OBO_CLIENTS.privateKeyJwt,
      sub: OBO_CLIENTS.privateKeyJwt,
      aud: `${proxy.url}/token`,
      tenant: 'acme',
    });
  });

  it('AWS_IAM_ID_TOKEN_JWT: the web-identity JWT of the workload role is the client assertion', async () => {
    await createProvider('iam-auth', { clientAuthenticationMethod: 'AWS_IAM_ID_TOKEN_JWT', ...exchange }, true);
    const r = await c.data.send(obo(await watFor(alice), 'iam-auth'));
    // The provider maps the role's web identity to its federated client.
    expect(await verified(r.accessToken!)).toMatchObject({ client_id: OBO_CLIENTS.awsIam });
    await createProvider('iam-inspect', { clientAuthenticationMethod: 'AWS_IAM_ID_TOKEN_JWT', ...exchange });
    // Behind the proxy the web identity's audience is the proxy's URL, not the provider's token endpoint: refused.
    const f = await failure(c.data.send(obo(await watFor(alice), 'iam-inspect')));
    expect(f.message).toContain("invalid_client (client_assertion claim 'aud' is invalid)");
    const form = lastTokenRequest();
    expect(form.get('client_id')).toBeNull();
    expect(decodeJwt(form.get('client_assertion')!)).toMatchObject({
      iss: `${stack.url}/_local/sts`,
      sub: 'arn:aws:iam::123456789012:role/AgentCoreLocalExecutionRole',
      aud: `${proxy.url}/token`,
    });
  });

  it('a wrong client assertion (a KMS key the provider never registered) is refused: invalid_client', async () => {
    await createProvider(
      'pkjwt-unknown-key',
      {
        clientId: OBO_CLIENTS.privateKeyJwt,
        clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
        privateKeyJwtConfig: {
          privateKeySource: { kmsKeySource: { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/never-registered' } },
          signingAlgorithm: 'RS256',
        },
        ...exchange,
      },
      true,
    );
    const f = await failure(c.data.send(obo(await watFor(alice), 'pkjwt-unknown-key')));
    expect(f).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(f.message).toContain('invalid_client');
  });

  it('a wrong secret is refused by the provider', async () => {
    await createProvider('wrong-secret', { clientId: OBO_CLIENTS.basic, clientSecret: 'not-the-secret', ...exchange });
    const f = await failure(c.data.send(obo(await watFor(alice), 'wrong-secret')));
    expect(f.message).toContain('invalid_client');
  });
});

describe('actors and grants', () => {
  it('actor NONE: no actor token, no act claim', async () => {
    await createProvider('actor-none', {
      clientId: OBO_CLIENTS.basic,
      clientSecret: stack.config.threeLo.clientSecret,
      onBehalfOfTokenExchangeConfig: {
        grantType: 'TOKEN_EXCHANGE',
        tokenExchangeGrantTypeConfig: { actorTokenContent: 'NONE' },
      },
    });
    const r = await c.data.send(obo(await watFor(alice), 'actor-none'));
    expect(lastTokenRequest().get('actor_token')).toBeNull();
    const claims = await verified(r.accessToken!);
    expect(claims.sub).toBe(decodeJwt(alice).sub);
    expect(claims.act).toBeUndefined();
  });

  it(
    'actor AWS_IAM_ID_TOKEN_JWT: the role web identity acts (act.sub = role ARN, act.iss = the ' + 'STS stand-in)',
    async () => {
      await createProvider('actor-iam', {
        clientId: OBO_CLIENTS.basic,
        clientSecret: stack.config.threeLo.clientSecret,
        onBehalfOfTokenExchangeConfig: {
          grantType: 'TOKEN_EXCHANGE',
          tokenExchangeGrantTypeConfig: { actorTokenContent: 'AWS_IAM_ID_TOKEN_JWT' },
        },
      });
      const r = await c.data.send(obo(await watFor(alice), 'actor-iam'));
      expect(lastTokenRequest().get('actor_token_type')).toBe('urn:ietf:params:oauth:token-type:jwt');
      expect((await verified(r.accessToken!)).act).toEqual({
        sub: 'arn:aws:iam::123456789012:role/AgentCoreLocalExecutionRole',
        iss: `${stack.url}/_local/sts`,
      });
    },
  );

  it('JWT_AUTHORIZATION_GRANT: the user JWT is the assertion (RFC 7523)', async () => {
    await createProvider('jwt-grant', {
      clientId: OBO_CLIENTS.basic,
      clientSecret: stack.config.threeLo.clientSecret,
      onBehalfOfTokenExchangeConfig: { grantType: 'JWT_AUTHORIZATION_GRANT' },
    });
    const r = await c.data.send(obo(await watFor(alice), 'jwt-grant'));
    const form = lastTokenRequest();
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(form.get('assertion')).toBe(alice);
    expect(form.get('subject_token')).toBeNull();
    const claims = await verified(r.accessToken!);
    expect(claims.sub).toBe(decodeJwt(alice).sub);
    expect(claims.act).toBeUndefined();
  });
});

describe('on-behalf-of providers from the config file', () => {
  it(
    'PRIVATE_KEY_JWT ES256 and AWS_IAM_ID_TOKEN_JWT providers at the built-in provider work as ' + 'configured',
    async () => {
      const cfg = await startLocalStack({
        config: {
          oauth2Providers: [
            {
              name: 'cfg-pkjwt',
              idp: 'threeLo',
              flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
              clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
              privateKeyJwt: { signingAlgorithm: 'ES256' },
              onBehalfOf: { grantType: 'TOKEN_EXCHANGE', actorTokenContent: 'NONE' },
            },
            {
              name: 'cfg-iam',
              idp: 'threeLo',
              flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
              clientAuthenticationMethod: 'AWS_IAM_ID_TOKEN_JWT',
            },
          ],
        },
      });
      try {
        const cc = clientsFor(cfg);
        const wat = await watFor(await poolLogin(cfg), cc);
        const a = decodeJwt((await cc.data.send(obo(wat, 'cfg-pkjwt'))).accessToken!);
        expect(a).toMatchObject({ client_id: OBO_CLIENTS.privateKeyJwt });
        expect(a.act).toBeUndefined();
        const b = decodeJwt((await cc.data.send(obo(wat, 'cfg-iam'))).accessToken!);
        expect(b).toMatchObject({ client_id: OBO_CLIENTS.awsIam, act: { sub: OBO_CLIENTS.awsIam } });
        const p = await cc.control.send(new GetOauth2CredentialProviderCommand({ name: 'cfg-pkjwt' }));
        expect(p.oauth2ProviderConfigOutput?.customOauth2ProviderConfig).toMatchObject({
          clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
          privateKeyJwtConfig: {
            privateKeySource: {
              kmsKeySource: { kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/agentcore-local-ec' },
            },
            signingAlgorithm: 'ES256',
          },
        });
      } finally {
        await cfg.close();
      }
    },
  );

  it('a bad value is a config error naming the field', async () => {
    await expect(
      startLocalStack({
        config: { oauth2Providers: [{ name: 'x', idp: 'threeLo', onBehalfOf: { actorTokenContent: 'ROBOT' } }] },
      }),
    ).rejects.toThrow(
      'oauth2Providers[0].onBehalfOf.actorTokenContent: must be one of M2M, AWS_IAM_ID_TOKEN_JWT, NONE',
    );
  });
});

describe('the Gateway seam (issue 25.7): a TOKEN_EXCHANGE target', () => {
  it(
    "a gateway's own workload identity, bound in-process to the caller's inbound JWT, gets the " + 'exchanged token',
    async () => {
      // What a gateway does for an OAUTH target with grantType TOKEN_EXCHANGE: mint a workload token for its (linked)
      // workload identity with the caller's JWT, then GetResourceOauth2Token ON_BEHALF_OF_TOKEN_EXCHANGE.
      const gateway = stack.gateways[0]!;
      const wat = stack.state.mintWat({ workloadName: gateway.workloadName, userToken: alice, userKey: 'jwt:seam' });
      const r = await c.data.send(
        obo(wat, 'local-obo', {
          customParameters: { subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' },
        }),
      );
      expect(await verified(r.accessToken!)).toMatchObject({
        sub: decodeJwt(alice).sub,
        act: { sub: OBO_CLIENTS.basic },
      });
    },
  );
});

describe('refusals', () => {
  it('a workload token for a user id, or for no user, has no JWT to exchange', async () => {
    const byId = await c.data.send(
      new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId: 'alice' }),
    );
    const plain = await c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD }));
    for (const wat of [byId.workloadAccessToken!, plain.workloadAccessToken!]) {
      const f = await failure(c.data.send(obo(wat, 'local-obo')));
      expect(f).toMatchObject({ name: 'ValidationException', status: 400 });
      expect(f.message).toContain('GetWorkloadAccessTokenForJWT');
    }
  });

  it('a provider without onBehalfOfTokenExchangeConfig is refused', async () => {
    const f = await failure(c.data.send(obo(await watFor(alice), 'local-m2m')));
    expect(f.message).toContain('onBehalfOfTokenExchangeConfig');
  });

  it('an unknown audience is refused by the provider: invalid_target', async () => {
    const f = await failure(c.data.send(obo(await watFor(alice), 'local-obo', { audiences: ['https://elsewhere'] })));
    expect(f.message).toContain('invalid_target');
  });

  it('a forged subject token is refused by the provider itself', async () => {
    const [h, , s] = alice.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(alice), sub: 'mallory' })).toString('base64url');
    const res = await fetch(`${stack.threeLo.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${OBO_CLIENTS.basic}:${stack.config.threeLo.clientSecret}`).toString(
          'base64',
        )}`,
      },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: `${h}.${payload}.${s}`,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'subject_token signature is invalid',
    });
  });

  it('a subject from an issuer the stack trusts but the provider does not is refused by the provider', async () => {
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
      const tc = clientsFor(trusting);
      const f = await failure(tc.data.send(obo(await watFor(external, tc), 'local-obo')));
      expect(f.name).toBe('ValidationException');
      expect(f.message).toBe(
        'On-behalf-of token exchange failed at the credential provider: invalid_grant ' +
          `(subject_token issuer ${oidc.issuer} is not trusted by this provider)`,
      );
    } finally {
      await trusting.close();
    }
  });

  it('a subject token that expired after the workload token was minted is refused by the provider', async () => {
    let offset = 0;
    const clocked = await startLocalStack({
      now: () => Date.now() + offset,
      config: {
        userPool: {
          clients: [{ name: 'app-client', clientSecret: 'app-secret-0123456789', accessTokenValiditySeconds: 300 }],
        },
      },
    });
    try {
      const cc = clientsFor(clocked);
      const token = await poolLogin(clocked);
      const wat = await watFor(token, cc);
      offset = 301_000;
      cc.data.config.systemClockOffset = offset;
      const f = await failure(cc.data.send(obo(wat, 'local-obo')));
      expect(f.message).toBe(
        'On-behalf-of token exchange failed at the credential provider: invalid_grant (subject_token has expired)',
      );
    } finally {
      await clocked.close();
    }
  });
});
