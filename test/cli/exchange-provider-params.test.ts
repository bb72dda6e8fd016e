/**
 * `exchange --flow m2m` with --audience, --resource and --custom-param (issue 28, item 10): all three reach the
 * provider's token request through the local stack (RFC 8707 `resource`, `audience`, the custom parameters; repeated
 * values once each), and a token minted for one audience is not served from the vault for another. On 3LO, the
 * audiences go on the provider's authorization request beside the resources.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { startRecorder, type Recorder } from '../fixtures/runtime-recorder.js';
import { runCommand } from '../helpers/context.js';

let idp: Recorder;
let stack: LocalStack;
let minted = 0;

beforeAll(async () => {
  // The provider's token endpoint: records each request and mints a distinct opaque token.
  idp = await startRecorder((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: `provider-token-${++minted}`, token_type: 'Bearer', expires_in: 3600 }));
  });
  stack = await startLocalStack({
    port: 0,
    config: {
      oauth2Providers: [
        {
          name: 'recorded-3lo',
          authorizationServerMetadata: { tokenEndpoint: `${idp.url}/token`, authorizationEndpoint: `${idp.url}/auth` },
          clientId: '3lo-client',
          clientSecret: '3lo-secret',
          flow: 'USER_FEDERATION',
        },
        {
          name: 'recorded-m2m',
          authorizationServerMetadata: { tokenEndpoint: `${idp.url}/token` },
          clientId: 'm2m-client',
          clientSecret: 'm2m-secret',
          flow: 'M2M',
        },
      ],
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await idp?.close();
});
beforeEach(() => {
  idp.requests.length = 0;
});

const exchange = (extra: string[]) =>
  runCommand(
    [
      'exchange',
      '--workload-name',
      stack.workloadIdentities[0]!.name,
      '--provider',
      'recorded-m2m',
      '--flow',
      'm2m',
      '--scopes',
      'read',
      '--print',
      'resource-token',
      ...extra,
    ],
    { env: stack.env },
  );

it('--audience, --resource and --custom-param reach the M2M token request', async () => {
  const r = await exchange([
    '--audience',
    'https://api.example.com',
    '--audience',
    'urn:other',
    '--resource',
    'https://rs.example.com/v1',
    '--custom-param',
    'tenant=t-42',
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trim()).toMatch(/^provider-token-\d+$/);
  const form = new URLSearchParams(idp.requests[0]!.body.toString('utf8'));
  expect(form.get('grant_type')).toBe('client_credentials');
  expect(form.get('scope')).toBe('read');
  expect(form.getAll('audience')).toEqual(['https://api.example.com', 'urn:other']);
  expect(form.getAll('resource')).toEqual(['https://rs.example.com/v1']);
  expect(form.get('tenant')).toBe('t-42');
});

it('a token for one audience is not reused for another; the same request is served from the vault', async () => {
  const a = await exchange(['--audience', 'https://a.example']);
  const again = await exchange(['--audience', 'https://a.example']);
  const b = await exchange(['--audience', 'https://b.example']);
  expect([a.code, again.code, b.code]).toEqual([0, 0, 0]);
  expect(again.stdout).toBe(a.stdout);
  expect(b.stdout).not.toBe(a.stdout);
  expect(idp.requests.map((q) => new URLSearchParams(q.body.toString('utf8')).get('audience'))).toEqual([
    'https://a.example',
    'https://b.example',
  ]);
});

it('3LO: audiences and resources go on the authorization request the provider receives', async () => {
  const { BedrockAgentCoreClient, GetWorkloadAccessTokenForUserIdCommand, GetResourceOauth2TokenCommand } =
    await import('@aws-sdk/client-bedrock-agentcore');
  const dp = new BedrockAgentCoreClient({ region: stack.region, endpoint: stack.url, credentials: stack.credentials });
  try {
    const wat = await dp.send(
      new GetWorkloadAccessTokenForUserIdCommand({ workloadName: stack.workloadIdentities[0]!.name, userId: 'u1' }),
    );
    const out = await dp.send(
      new GetResourceOauth2TokenCommand({
        workloadIdentityToken: wat.workloadAccessToken!,
        resourceCredentialProviderName: 'recorded-3lo',
        scopes: ['read'],
        oauth2Flow: 'USER_FEDERATION',
        audiences: ['https://api.example.com'],
        resources: ['https://rs.example.com'],
      }),
    );
    const res = await fetch(out.authorizationUrl!, { redirect: 'manual' });
    const to = new URL(res.headers.get('location')!);
    expect(to.origin + to.pathname).toBe(`${idp.url}/auth`);
    expect(to.searchParams.getAll('audience')).toEqual(['https://api.example.com']);
    expect(to.searchParams.getAll('resource')).toEqual(['https://rs.example.com']);
  } finally {
    dp.destroy();
  }
});
