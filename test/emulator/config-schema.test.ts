/**
 * src/emulator/config.schema.json and the parser (src/emulator/config.ts and the sections' parsers) know the same keys.
 * Black box: a config that reaches every object the schema describes is parsed; then, object by object, a key the
 * schema does not know is added, and the parser's refusal ("unknown key (expected one of: …)") must list exactly the
 * schema's keys for that object; an object the schema leaves open must be accepted with it. The example in the
 * config topic (src/cli/manual/topics/config.md) parses too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Schema } from '../../src/cli/manual/schema-doc.js';
import { ConfigError, parseConfig } from '../../src/emulator/config.js';

const schema = JSON.parse(readFileSync('src/emulator/config.schema.json', 'utf8')) as Schema;
const resolve = (s: Schema): Schema =>
  s.$ref ? resolve(schema.definitions![s.$ref.replace('#/definitions/', '')]!) : s;

/** Reaches every object of the schema (several providers: idp, discovery, metadata are exclusive). */
const FULL = {
  region: 'us-east-1',
  accountId: '123456789012',
  credentials: { accessKeyId: 'AKIALOCALEXAMPLE0001', secretAccessKey: 'local-secret' },
  autoConsent: false,
  threeLo: { defaultUser: 'alice', clientId: 'c', clientSecret: 's', scopes: ['api:read'] },
  userPool: {
    id: 'us-east-1_MyPool',
    name: 'pool',
    clients: [
      { name: 'app-client', generateSecret: true, explicitAuthFlows: ['USER_SRP_AUTH'], allowedOAuthFlows: ['code'] },
    ],
    groups: [{ name: 'admins', precedence: 1 }],
    users: [{ username: 'carol', password: 'Carol-Passw0rd!', attributes: { email: 'c@example.com' } }],
    preTokenGeneration: { lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:pre', lambdaVersion: 'V2_0' },
  },
  workloadIdentities: [{ name: 'my-agent', allowedResourceOauth2ReturnUrls: ['http://localhost:9090/cb'] }],
  oauth2Providers: [
    { name: 'm2m', idp: 'userPool', client: 'app-client', flow: 'M2M', scopes: ['a/b'] },
    {
      name: 'obo',
      idp: 'threeLo',
      flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
      onBehalfOf: { grantType: 'TOKEN_EXCHANGE', actorTokenContent: 'M2M' },
      clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
      privateKeyJwt: { signingAlgorithm: 'RS256' },
    },
    {
      name: 'meta',
      authorizationServerMetadata: { tokenEndpoint: 'http://127.0.0.1:9/token' },
      clientId: 'x',
    },
  ],
  apiKeyProviders: [{ name: 'weather', apiKey: 'k' }],
  trustedIssuers: ['http://127.0.0.1:9/.well-known/openid-configuration'],
  faults: { rules: [{ kind: 'throttle', count: 1 }], latencyMs: 0 },
  agents: [
    {
      name: 'my_agent',
      authorizerConfiguration: {
        customJWTAuthorizer: {
          allowedClients: ['c'],
          allowedScopes: ['a/b'],
          advertisedScopeMapping: { 'a/b': 'c' },
          allowedWorkloadConfiguration: { hostingEnvironments: [{ arn: 'arn:aws:x' }], workloadIdentities: ['abc'] },
          privateEndpoint: {
            selfManagedLatticeResource: { resourceConfigurationIdentifier: 'rcfg-0123456789abcdef0' },
          },
          privateEndpointOverrides: [
            {
              domain: 'idp.example.com',
              privateEndpoint: {
                managedVpcResource: { vpcIdentifier: 'vpc-12345678', subnetIds: ['s'], endpointIpAddressType: 'IPV4' },
              },
            },
          ],
          customClaims: [
            {
              inboundTokenClaimName: 'cognito:groups',
              inboundTokenClaimValueType: 'STRING_ARRAY',
              authorizingClaimMatchValue: {
                claimMatchValue: { matchValueString: 'admins' },
                claimMatchOperator: 'CONTAINS',
              },
            },
          ],
        },
      },
    },
  ],
  gateways: [
    {
      name: 'my-gateway',
      authorizerConfiguration: { customJWTAuthorizer: { allowedClients: ['c'] } },
      interceptorConfigurations: [
        {
          interceptor: { lambda: { arn: 'arn:aws:lambda:us-east-1:123456789012:function:pre' } },
          interceptionPoints: ['REQUEST'],
        },
      ],
      targets: [{ name: 'echo', targetConfiguration: { mcp: { mcpServer: { endpoint: 'http://127.0.0.1:9/mcp' } } } }],
    },
  ],
  lambdas: [{ arn: 'arn:aws:lambda:us-east-1:123456789012:function:pre', url: 'http://127.0.0.1:9000' }],
  principals: [
    {
      arn: 'arn:aws:iam::123456789012:user/reader',
      accessKeyId: 'AKIAREADERLOCAL00001',
      secretAccessKey: 's',
      allow: ['bedrock-agentcore:InvokeGateway'],
    },
  ],
  policyEngines: [{ name: 'shop', policies: [{ name: 'all', statement: 'permit(principal, action, resource);' }] }],
};

type Probe = { path: (string | number)[]; schema: Schema };

/** Every object of FULL with its schema, walking both together. */
function objectsOf(value: unknown, s: Schema, path: (string | number)[], out: Probe[]): Probe[] {
  const r = resolve(s);
  const branch = (r.oneOf ?? []).map(resolve).find((b) => (b.type === 'array') === Array.isArray(value));
  if (branch) return objectsOf(value, branch, path, out);
  if (Array.isArray(value)) for (const [i, v] of value.entries()) objectsOf(v, r.items ?? {}, [...path, i], out);
  else if (value && typeof value === 'object' && r.properties) {
    out.push({ path, schema: r });
    for (const [k, v] of Object.entries(value)) if (r.properties[k]) objectsOf(v, r.properties[k], [...path, k], out);
  }
  return out;
}

/** Every object schema with properties (definitions included). */
function schemaObjects(s: Schema, seen = new Set<Schema>()): Set<Schema> {
  const r = resolve(s);
  if (seen.has(r)) return seen;
  if (r.properties) seen.add(r);
  for (const child of [
    ...Object.values(r.properties ?? {}),
    ...(r.items ? [r.items] : []),
    ...(r.oneOf ?? []),
    ...(typeof r.additionalProperties === 'object' ? [r.additionalProperties] : []),
  ])
    schemaObjects(child, seen);
  return seen;
}

function withExtraKey(path: (string | number)[]): unknown {
  const copy = structuredClone(FULL) as Record<string | number, unknown>;
  let node = copy;
  for (const p of path) node = node[p] as Record<string | number, unknown>;
  node.zzUnknownKey = 'x';
  return copy;
}

const probes = objectsOf(FULL, schema, [], []);

describe('the stack config schema and its parser', () => {
  it('the full config parses', () => {
    expect(() => parseConfig(structuredClone(FULL))).not.toThrow();
  });

  it('the full config reaches every object the schema describes', () => {
    const reached = new Set(probes.map((p) => p.schema));
    const missed = [...schemaObjects(schema)].filter((s) => !reached.has(s)).map((s) => Object.keys(s.properties!));
    expect(missed).toEqual([]);
  });

  it.each(probes.map((p) => [p.path.join('.') || '(top level)', p] as const))('%s: the same keys', (_, probe) => {
    const closed = probe.schema.additionalProperties === false;
    let error: unknown;
    try {
      parseConfig(withExtraKey(probe.path));
    } catch (e) {
      error = e;
    }
    if (!closed) {
      expect(error, 'the schema leaves this object open: the parser must accept any key').toBeUndefined();
      return;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('zzUnknownKey');
    const known = /expected one of: ([^)]*)\)/.exec(message)?.[1]?.split(', ');
    expect(known?.sort()).toEqual(Object.keys(probe.schema.properties!).sort());
  });

  it('the config topic example is a valid config', () => {
    const md = readFileSync('src/cli/manual/topics/config.md', 'utf8');
    const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(() => parseConfig(parseYaml(b))).not.toThrow();
  });
});
