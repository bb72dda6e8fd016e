/**
 * Identity data plane, spoken to by the real @aws-sdk/client-bedrock-agentcore: success shapes, modelled errors,
 * validation limits, SigV4 verification.
 */
import {
  GetResourceApiKeyCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenCommand,
  GetWorkloadAccessTokenForJWTCommand,
  GetWorkloadAccessTokenForUserIdCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { MESSAGES } from '../../src/wire.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, failure } from './helpers.js';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
let aliceJwt: string;
const WORKLOAD = 'local-workload';

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  c = clientsFor(stack);
  const app = stack.userPool.clients.find((x) => x.name === 'app-client')!;
  const hash = createHmac('sha256', app.clientSecret!).update(`alice${app.clientId}`).digest('base64');
  const r = await c.cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: app.clientId,
      AuthParameters: { USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!', SECRET_HASH: hash },
    }),
  );
  aliceJwt = r.AuthenticationResult!.AccessToken!;
});
afterAll(() => stack.close());

describe('GetWorkloadAccessToken*', () => {
  it('mints opaque AgV4 tokens, different every time', async () => {
    const a = await c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD }));
    const b = await c.data.send(
      new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId: 'alice' }),
    );
    const j = await c.data.send(
      new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken: aliceJwt }),
    );
    for (const r of [a, b, j]) {
      expect(r.$metadata.httpStatusCode).toBe(200);
      expect(r.workloadAccessToken).toMatch(/^AgV4[A-Za-z0-9+/]{100,}$/);
      expect(() => decodeJwt(r.workloadAccessToken!)).toThrow();
    }
    expect(new Set([a, b, j].map((r) => r.workloadAccessToken)).size).toBe(3);
  });

  it('unknown workload → 404 ResourceNotFoundException', async () => {
    const f = await failure(c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: 'nope-workload' })));
    expect(f).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
      message: "Workload identity 'nope-workload' not found",
    });
  });

  it('a runtime-managed workload identity refuses callers (AWS message)', async () => {
    const linked = [...stack.state.workloadIdentities.values()].find((w) => w.linkedTo);
    if (!linked) stack.state.putWorkloadIdentity('managed-by-runtime', { linkedTo: 'runtime' });
    const name = linked?.name ?? 'managed-by-runtime';
    const f = await failure(
      c.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: name, userId: 'alice' })),
    );
    expect(f).toMatchObject({ name: 'ValidationException', status: 400, message: MESSAGES.workloadLinkedToService });
  });

  it.each([
    [
      { workloadName: 'ab' },
      "Value at 'workloadName' failed to satisfy constraint: Member must have length greater than or equal to 3",
    ],
    [
      { workloadName: 'a'.repeat(256) },
      "Value at 'workloadName' failed to satisfy constraint: Member must have length less than or equal to 255",
    ],
    [
      { workloadName: 'bad name!' },
      "Value at 'workloadName' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
        '^[A-Za-z0-9_.-]+$',
    ],
    [{}, "Value at 'workloadName' failed to satisfy constraint: Member must not be null"],
  ])('validation %#', async (input, message) => {
    const f = await failure(c.data.send(new GetWorkloadAccessTokenCommand(input as { workloadName: string })));
    expect(f).toMatchObject({ name: 'ValidationException', status: 400, message });
    expect(f.error.reason).toBe('FieldValidationFailed');
    expect(f.error.fieldList).toEqual([{ name: 'workloadName', message }]);
  });

  it('userId is 1–128 characters', async () => {
    const long = await failure(
      c.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId: 'u'.repeat(129) })),
    );
    expect(long.message).toBe(
      "Value at 'userId' failed to satisfy constraint: Member must have length less than or equal to 128",
    );
    const empty = await failure(
      c.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId: '' })),
    );
    expect(empty.message).toBe(
      "Value at 'userId' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  describe('ForJWT validates the token against the trusted issuer', () => {
    it('refuses a token that is not a JWT (pattern)', async () => {
      const f = await failure(
        c.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken: 'abc' })),
      );
      expect(f.name).toBe('ValidationException');
      expect(f.message).toContain(
        "Value at 'userToken' failed to satisfy constraint: Member must satisfy regular expression pattern",
      );
    });

    it('refuses a tampered signature', async () => {
      const [h, p] = aliceJwt.split('.');
      const claims = Buffer.from(JSON.stringify({ ...decodeJwt(aliceJwt), sub: 'mallory' })).toString('base64url');
      const forged = `${h}.${claims}.${aliceJwt.split('.')[2]}`;
      expect(p).toBeDefined();
      const f = await failure(
        c.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken: forged })),
      );
      expect(f).toMatchObject({ name: 'UnauthorizedException', status: 401, message: 'Token signature is invalid' });
    });

    it('refuses a foreign issuer and an expired token', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const foreign = await new SignJWT({ sub: 'x' })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer('https://evil.example')
        .setExpirationTime('1h')
        .sign(privateKey);
      const f1 = await failure(
        c.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken: foreign })),
      );
      expect(f1.name).toBe('UnauthorizedException');
      expect(f1.message).toBe(`Token issuer https://evil.example is not trusted (trusted: ${stack.userPool.issuer})`);

      // The stack's clock moves 2 h on; the SDK client moves with it (systemClockOffset) so that SigV4 still passes.
      let offset = 0;
      const clocked = await startLocalStack({ now: () => Date.now() + offset });
      try {
        const cc = clientsFor(clocked);
        const app = clocked.userPool.clients[0]!;
        const hash = createHmac('sha256', app.clientSecret!).update(`alice${app.clientId}`).digest('base64');
        const login = await cc.cognito.send(
          new InitiateAuthCommand({
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: app.clientId,
            AuthParameters: { USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!', SECRET_HASH: hash },
          }),
        );
        offset = 2 * 3600_000;
        cc.data.config.systemClockOffset = offset;
        const f2 = await failure(
          cc.data.send(
            new GetWorkloadAccessTokenForJWTCommand({
              workloadName: WORKLOAD,
              userToken: login.AuthenticationResult!.AccessToken!,
            }),
          ),
        );
        expect(f2).toMatchObject({ name: 'UnauthorizedException', status: 401, message: 'Token has expired' });
      } finally {
        await clocked.close();
      }
    });
  });
});

describe('ForJWT with an external trusted issuer (the oidc-provider counterpart)', () => {
  it('accepts its JWTs once configured in trustedIssuers, keyed on iss + sub', async () => {
    const oidc = inject('oidc');
    const res = await fetch(`${oidc.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${oidc.clientId}:${oidc.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read', resource: oidc.resource }),
    });
    const external = ((await res.json()) as { access_token: string }).access_token;
    expect(decodeJwt(external).iss).toBe(oidc.issuer);
    const refused = await failure(
      c.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken: external })),
    );
    expect(refused.message).toContain(`Token issuer ${oidc.issuer} is not trusted`);
    const trusting = await startLocalStack({ config: { trustedIssuers: [oidc.discoveryUrl] } });
    try {
      const r = await clientsFor(trusting).data.send(
        new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken: external }),
      );
      expect(r.workloadAccessToken).toMatch(/^AgV4/);
      expect(trusting.state.resolveWat(r.workloadAccessToken!)).toMatchObject({
        userKey: `jwt:${oidc.issuer}#${decodeJwt(external).sub}`,
        userToken: external,
      });
    } finally {
      await trusting.close();
    }
  });
});

describe('GetResourceOauth2Token M2M and GetResourceApiKey', () => {
  it('M2M returns the provider access token (Cognito client credentials) and caches it', async () => {
    const { workloadAccessToken } = await c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD }));
    const r1 = await c.data.send(
      new GetResourceOauth2TokenCommand({
        workloadIdentityToken: workloadAccessToken,
        resourceCredentialProviderName: 'local-m2m',
        scopes: ['agentcore/invoke'],
        oauth2Flow: 'M2M',
      }),
    );
    expect(Object.keys(r1).filter((k) => k !== '$metadata')).toEqual(['accessToken']);
    const claims = decodeJwt(r1.accessToken!);
    expect(claims).toMatchObject({
      token_use: 'access',
      scope: 'agentcore/invoke',
      client_id: stack.userPool.clients[0]!.clientId,
      iss: stack.userPool.issuer,
    });
    const r2 = await c.data.send(
      new GetResourceOauth2TokenCommand({
        workloadIdentityToken: workloadAccessToken,
        resourceCredentialProviderName: 'local-m2m',
        scopes: ['agentcore/invoke'],
        oauth2Flow: 'M2M',
      }),
    );
    expect(r2.accessToken).toBe(r1.accessToken);
  });

  it('M2M refused by the provider → ValidationException "Error parsing ClientCredentials response"', async () => {
    const { workloadAccessToken } = await c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD }));
    const f = await failure(
      c.data.send(
        new GetResourceOauth2TokenCommand({
          workloadIdentityToken: workloadAccessToken,
          resourceCredentialProviderName: 'local-m2m',
          scopes: ['not/allowed'],
          oauth2Flow: 'M2M',
        }),
      ),
    );
    expect(f).toMatchObject({ name: 'ValidationException', status: 400, message: MESSAGES.clientCredentialsParse });
  });

  it('unknown provider → 404 "Resource Credential Provider not found"; bad WAT → 401', async () => {
    const { workloadAccessToken } = await c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD }));
    const f = await failure(
      c.data.send(
        new GetResourceOauth2TokenCommand({
          workloadIdentityToken: workloadAccessToken,
          resourceCredentialProviderName: 'nope',
          scopes: [],
          oauth2Flow: 'M2M',
        }),
      ),
    );
    expect(f).toMatchObject({ name: 'ResourceNotFoundException', status: 404, message: MESSAGES.providerNotFound });
    const g = await failure(
      c.data.send(
        new GetResourceApiKeyCommand({
          workloadIdentityToken: workloadAccessToken,
          resourceCredentialProviderName: 'nope',
        }),
      ),
    );
    expect(g).toMatchObject({ name: 'ResourceNotFoundException', status: 404, message: MESSAGES.providerNotFound });
    const h = await failure(
      c.data.send(
        new GetResourceApiKeyCommand({
          workloadIdentityToken: 'AgV4forged',
          resourceCredentialProviderName: 'local-api-key',
        }),
      ),
    );
    expect(h).toMatchObject({ name: 'UnauthorizedException', status: 401 });
  });

  it('GetResourceApiKey returns the stored key', async () => {
    const { workloadAccessToken } = await c.data.send(
      new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId: 'alice' }),
    );
    const r = await c.data.send(
      new GetResourceApiKeyCommand({
        workloadIdentityToken: workloadAccessToken,
        resourceCredentialProviderName: 'local-api-key',
      }),
    );
    expect(r.apiKey).toBe(stack.config.apiKeyProviders[0]!.apiKey);
  });

  it.each([
    [{ scopes: undefined }, "Value at 'scopes' failed to satisfy constraint: Member must not be null"],
    [
      { scopes: ['x'.repeat(129)] },
      "Value at 'scopes.1.member' failed to satisfy constraint: Member must have length less than or equal to 128",
    ],
    [
      { oauth2Flow: 'IMPLICIT' },
      "Value at 'oauth2Flow' failed to satisfy constraint: Member must satisfy enum value set: [M2M, " +
        'USER_FEDERATION, ON_BEHALF_OF_TOKEN_EXCHANGE]',
    ],
    [
      { resourceCredentialProviderName: 'bad name' },
      "Value at 'resourceCredentialProviderName' failed to satisfy constraint: Member must satisfy regular " +
        'expression pattern: ^[a-zA-Z0-9\\-_]+$',
    ],
    [
      { sessionUri: 'urn:nope' },
      "Value at 'sessionUri' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
        '^urn:ietf:params:oauth:request_uri:[a-zA-Z0-9-._~]+$',
    ],
    [
      { customState: 's'.repeat(4097) },
      "Value at 'customState' failed to satisfy constraint: Member must have length less than or equal to 4096",
    ],
    [
      { resourceOauth2ReturnUrl: 'not a url' },
      "Value at 'resourceOauth2ReturnUrl' failed to satisfy constraint: Member must satisfy regular expression " +
        'pattern: ^\\w+:(\\/?\\/?)[^\\s]+$',
    ],
  ])('validation %#', async (override, message) => {
    const input = {
      workloadIdentityToken: 'AgV4x',
      resourceCredentialProviderName: 'local-m2m',
      scopes: [],
      oauth2Flow: 'M2M',
      ...override,
    };
    const f = await failure(c.data.send(new GetResourceOauth2TokenCommand(input as never)));
    expect(f).toMatchObject({ name: 'ValidationException', status: 400, message });
  });
});

describe('SigV4 is verified against the stack credentials', () => {
  it('unknown access key → 403 UnrecognizedClientException', async () => {
    const bad = clientsFor(stack, { accessKeyId: 'AKIAUNKNOWNKEY000000' });
    const f = await failure(bad.data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD })));
    expect(f).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 403,
      message: 'The security token included in the request is invalid.',
    });
  });

  it('wrong secret → 403 InvalidSignatureException', async () => {
    const bad = clientsFor(stack, { secretAccessKey: 'wrong-secret' });
    const f = await failure(bad.data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD })));
    expect(f.name).toBe('InvalidSignatureException');
    expect(f.status).toBe(403);
    expect(f.message).toMatch(/^The request signature we calculated does not match the signature you provided\./);
  });

  it('unsigned request → 403 MissingAuthenticationTokenException; a tampered body is refused', async () => {
    const res = await fetch(`${stack.url}/identities/GetWorkloadAccessToken`, {
      method: 'POST',
      body: JSON.stringify({ workloadName: WORKLOAD }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await res.json()).toEqual({ message: 'Missing Authentication Token' });

    // Capture a correctly signed request and replay it with another body.
    let captured: { headers: Record<string, string>; body: string } | undefined;
    const { BedrockAgentCoreClient } = await import('@aws-sdk/client-bedrock-agentcore');
    const spy = new BedrockAgentCoreClient({
      region: stack.region,
      endpoint: stack.url,
      credentials: stack.credentials,
      maxAttempts: 1,
    });
    spy.middlewareStack.add(
      (next) => async (args) => {
        const r = args.request as { headers: Record<string, string>; body: string };
        captured = { headers: { ...r.headers }, body: r.body };
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'capture' },
    );
    await spy.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD }));
    const { host: _h, 'content-length': _l, ...headers } = captured!.headers;
    const replay = await fetch(`${stack.url}/identities/GetWorkloadAccessToken`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ workloadName: 'other-workload' }),
    });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('x-amzn-errortype')).toBe('XAmzContentSHA256Mismatch');
    const same = await fetch(`${stack.url}/identities/GetWorkloadAccessToken`, {
      method: 'POST',
      headers,
      body: captured!.body,
    });
    expect(same.status).toBe(200);
  });

  it('a signature from another time is refused beyond 5 minutes of skew', async () => {
    const skewed = await startLocalStack({ now: () => Date.now() + 6 * 60_000 });
    try {
      const f = await failure(
        clientsFor(skewed, { maxAttempts: 1 }).data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD })),
      );
      expect(f.name).toBe('InvalidSignatureException');
      expect(f.message).toMatch(
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
      );
    } finally {
      await skewed.close();
    }
  });
});
