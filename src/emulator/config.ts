/**
 * The stack's configuration: a JSON or YAML file (or an object given to startLocalStack) describing the region,
 * credentials, the Cognito-style user pool (clients, users), workload identities, credential providers, trusted JWT
 * issuers, faults, agents and gateways. Everything omitted is seeded (`defaultConfig()`), so `{}` is a ready stack.
 * Validation errors name the field (`userPool.users[1].password: required string`).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LIMITS, PATTERNS } from '../wire.js';
import type { FaultRule, FaultSettings } from './server.js';
import { defaultUserPool, parseUserPool, type UserPoolConfig } from './cognito/config.js';
import { bool, ConfigError, int, known, list, obj, optStr, str, strList, unique } from './config-fields.js';
import { checkMapping } from './lambda.js';
import { parsePrincipals, type PrincipalConfig } from './principals.js';
import { parseAgents, RuntimeConfigError, type AgentConfig, type RuntimeDefaultsContext } from './runtime/config.js';
import { GatewayConfigError, parseGateways, type GatewayConfig } from './gateway/config.js';
import { parsePolicyEngines, PolicyConfigError, type PolicyEngineConfig } from './policy/config.js';

export interface WorkloadIdentityConfig {
  name: string;
  allowedResourceOauth2ReturnUrls: string[];
}

/** Where an OAuth2 credential provider's authorization server is. */
export type ProviderIdp =
  | { kind: 'userPool'; client: string }
  | { kind: 'threeLo' }
  | { kind: 'discovery'; discoveryUrl: string }
  | { kind: 'metadata'; issuer?: string; authorizationEndpoint?: string; tokenEndpoint: string };

export interface OAuth2ProviderConfig {
  name: string;
  vendor: string;
  idp: ProviderIdp;
  /** For `userPool`/`threeLo` providers filled in at start. */
  clientId?: string;
  clientSecret?: string;
  /** The OAuth2 flow this seeded provider is meant for (informational: shown in `local` output). */
  flow: 'M2M' | 'USER_FEDERATION' | 'ON_BEHALF_OF_TOKEN_EXCHANGE';
  /** Default scopes (informational). */
  scopes: string[];
  /** onBehalfOfTokenExchangeConfig (default for an ON_BEHALF_OF_TOKEN_EXCHANGE provider: TOKEN_EXCHANGE, actor M2M). */
  onBehalfOf?: OnBehalfOfProviderConfig;
  /** clientAuthenticationMethod (default CLIENT_SECRET_BASIC); PRIVATE_KEY_JWT signs with `kmsKeyArn`. */
  clientAuthenticationMethod?:
    | 'CLIENT_SECRET_BASIC'
    | 'CLIENT_SECRET_POST'
    | 'PRIVATE_KEY_JWT'
    | 'AWS_IAM_ID_TOKEN_JWT';
  privateKeyJwt?: { kmsKeyArn?: string; signingAlgorithm: 'RS256' | 'PS256' | 'ES256' };
}

export interface OnBehalfOfProviderConfig {
  grantType: 'TOKEN_EXCHANGE' | 'JWT_AUTHORIZATION_GRANT';
  actorTokenContent?: 'M2M' | 'AWS_IAM_ID_TOKEN_JWT' | 'NONE';
  actorTokenScopes?: string[];
}

export interface ApiKeyProviderConfig {
  name: string;
  apiKey: string;
}

export interface ThreeLoUserConfig {
  username: string;
}

export interface StackConfig {
  region: string;
  accountId: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The 3LO provider logs in and consents without pages (login = `login_hint` or `threeLo.defaultUser`). */
  autoConsent: boolean;
  threeLo: { defaultUser: string; clientId: string; clientSecret: string; scopes: string[] };
  userPool: UserPoolConfig;
  workloadIdentities: WorkloadIdentityConfig[];
  oauth2Providers: OAuth2ProviderConfig[];
  apiKeyProviders: ApiKeyProviderConfig[];
  /** Discovery URLs whose issuers GetWorkloadAccessTokenForJWT trusts, besides the stack's own user pool. */
  trustedIssuers: string[];
  faults: FaultSettings;
  /** undefined = seeded by the runtime half. */
  agents?: AgentConfig[];
  gateways?: GatewayConfig[];
  /** Lambda ARN → the user's endpoint speaking the Runtime Interface Emulator contract (src/emulator/lambda.ts). */
  lambdas: Record<string, string>;
  /** AgentCore Policy engines and their Cedar policies, created at start (src/emulator/policy/config.ts). */
  policyEngines?: PolicyEngineConfig[];
  /**
   * IAM identities besides the stack's own credentials (which may do anything): their keys, ARN and the actions their
   * policy allows (`*`, `service:*` or `service:Action`). The gateway authenticates SigV4 callers with them (AWS_IAM
   * checks `bedrock-agentcore:InvokeGateway`; CALLER_IAM_CREDENTIALS signs as them).
   */
  principals: PrincipalConfig[];
}

export { ConfigError };
export type { PrincipalConfig };
export type {
  CognitoAuthFlow,
  GroupConfig,
  OAuthFlow,
  UserConfig,
  UserPoolClientConfig,
  UserPoolConfig,
} from './cognito/config.js';

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_ACCESS_KEY_ID = 'AKIALOCALAGENTCORE01';

const secret = (bytes = 24) => randomBytes(bytes).toString('base64url');

/** The seeded stack (fresh secrets per call). */
export function defaultConfig(region = DEFAULT_REGION): StackConfig {
  return {
    region,
    accountId: DEFAULT_ACCOUNT_ID,
    credentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: secret(30) },
    autoConsent: false,
    threeLo: {
      defaultUser: 'alice',
      clientId: 'agentcore-local-3lo',
      clientSecret: secret(),
      scopes: ['openid', 'profile', 'email', 'offline_access', 'api:read', 'api:write'],
    },
    userPool: defaultUserPool(region, secret),
    workloadIdentities: [
      {
        name: 'local-workload',
        allowedResourceOauth2ReturnUrls: [
          'http://localhost:8081/oauth2/callback',
          'http://127.0.0.1:8081/oauth2/callback',
        ],
      },
    ],
    oauth2Providers: [
      {
        name: 'local-m2m',
        vendor: 'CustomOauth2',
        idp: { kind: 'userPool', client: 'app-client' },
        flow: 'M2M',
        scopes: ['agentcore/invoke'],
      },
      {
        name: 'local-3lo',
        vendor: 'CustomOauth2',
        idp: { kind: 'threeLo' },
        flow: 'USER_FEDERATION',
        scopes: ['api:read'],
      },
      {
        name: 'local-obo',
        vendor: 'CustomOauth2',
        idp: { kind: 'threeLo' },
        flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
        scopes: ['api:read'],
        onBehalfOf: { grantType: 'TOKEN_EXCHANGE', actorTokenContent: 'M2M', actorTokenScopes: ['api:read'] },
      },
    ],
    apiKeyProviders: [{ name: 'local-api-key', apiKey: `sk-local-${secret(18)}` }],
    trustedIssuers: [],
    faults: {},
    lambdas: {},
    principals: [],
  };
}

/** `lambdas:` as a mapping `ARN: URL`, or a list of `{arn, url}`. */
function parseLambdas(v: unknown, field: string): Record<string, string> {
  const entries = Array.isArray(v)
    ? v.map((e, i) => {
        const o = obj(e, `${field}[${i}]`);
        known(o, `${field}[${i}]`, ['arn', 'url']);
        return [str(o.arn, `${field}[${i}].arn`), str(o.url, `${field}[${i}].url`), `${field}[${i}]`] as const;
      })
    : Object.entries(obj(v, field)).map(([arn, url]) => [arn, str(url, `${field}.${arn}`), `${field}.${arn}`] as const);
  const out: Record<string, string> = {};
  for (const [arn, url, at] of entries) {
    try {
      checkMapping(arn, url);
    } catch (e) {
      throw new ConfigError(at, (e as Error).message);
    }
    out[arn] = url;
  }
  return out;
}

/** What the runtime half's defaults need to know about the identity half. */
export function runtimeDefaultsContext(cfg: StackConfig): RuntimeDefaultsContext {
  const app = cfg.userPool.clients.find((c) => c.clientSecret) ?? cfg.userPool.clients[0];
  const threeLo = cfg.oauth2Providers.find((p) => p.flow === 'USER_FEDERATION');
  const returnUrl = cfg.workloadIdentities[0]?.allowedResourceOauth2ReturnUrls[0];
  // The seeded JWT agents and gateway trust every app client of the pool, so that a token from either the confidential
  // or the public client works (the quick start signs in with the public one).
  const clientIds = cfg.userPool.clients.map((c) => c.clientId);
  return {
    appClientId: app?.clientId ?? '',
    clientIds,
    ...(threeLo ? { oauthProviderName: threeLo.name } : {}),
    ...(returnUrl ? { returnUrl } : {}),
  };
}

const parsed = new WeakSet<object>();
/** True for a StackConfig produced by parseConfig/defaultConfig (as opposed to raw file content). */
export function isParsedConfig(c: unknown): c is StackConfig {
  return !!c && typeof c === 'object' && parsed.has(c);
}

/** Parse a raw (JSON/YAML-decoded) config over the seeded defaults. Sections given replace the seeded ones. */
export function parseConfig(input: unknown): StackConfig {
  const cfg = parseConfigInner(input);
  parsed.add(cfg);
  return cfg;
}

function parseConfigInner(input: unknown): StackConfig {
  const raw = input === undefined || input === null ? {} : obj(input, '(config)');
  known(raw, '', [
    'region',
    'accountId',
    'credentials',
    'autoConsent',
    'threeLo',
    'userPool',
    'workloadIdentities',
    'oauth2Providers',
    'apiKeyProviders',
    'trustedIssuers',
    'faults',
    'agents',
    'gateways',
    'lambdas',
    'policyEngines',
    'principals',
  ]);
  const region =
    raw.region === undefined
      ? DEFAULT_REGION
      : str(raw.region, 'region', {
          pattern: /^[a-z]{2}(-[a-z]+)+-\d$/,
          patternText: 'an AWS region such as us-east-1',
        });
  const cfg = defaultConfig(region);
  if (raw.accountId !== undefined)
    cfg.accountId = str(raw.accountId, 'accountId', { pattern: PATTERNS.accountId, patternText: '12 digits' });
  if (raw.credentials !== undefined) {
    const c = obj(raw.credentials, 'credentials');
    known(c, 'credentials', ['accessKeyId', 'secretAccessKey']);
    cfg.credentials = {
      accessKeyId: str(c.accessKeyId, 'credentials.accessKeyId', {
        min: 16,
        max: 128,
        pattern: /^\w+$/,
        patternText: 'letters and digits',
      }),
      secretAccessKey: str(c.secretAccessKey, 'credentials.secretAccessKey', { min: 1 }),
    };
  }
  cfg.autoConsent = bool(raw.autoConsent, 'autoConsent', false);
  if (raw.threeLo !== undefined) {
    const t = obj(raw.threeLo, 'threeLo');
    known(t, 'threeLo', ['defaultUser', 'clientId', 'clientSecret', 'scopes']);
    cfg.threeLo = {
      defaultUser: optStr(t.defaultUser, 'threeLo.defaultUser') ?? cfg.threeLo.defaultUser,
      clientId: optStr(t.clientId, 'threeLo.clientId') ?? cfg.threeLo.clientId,
      clientSecret: optStr(t.clientSecret, 'threeLo.clientSecret') ?? cfg.threeLo.clientSecret,
      scopes: strList(t.scopes, 'threeLo.scopes', cfg.threeLo.scopes),
    };
  }
  if (raw.userPool !== undefined) {
    cfg.userPool = parseUserPool(raw.userPool, cfg.userPool, secret);
    if (raw.oauth2Providers === undefined) cfg.oauth2Providers = reseedM2mProvider(cfg);
  }
  if (raw.workloadIdentities !== undefined) {
    cfg.workloadIdentities = parseWorkloadIdentities(raw.workloadIdentities);
    unique(cfg.workloadIdentities, (w) => w.name, 'workloadIdentities');
  }
  if (raw.oauth2Providers !== undefined) {
    cfg.oauth2Providers = list(raw.oauth2Providers, 'oauth2Providers').map((p, i) =>
      parseProvider(p, `oauth2Providers[${i}]`, cfg),
    );
    unique(cfg.oauth2Providers, (p) => p.name, 'oauth2Providers');
  }
  if (raw.apiKeyProviders !== undefined) {
    cfg.apiKeyProviders = list(raw.apiKeyProviders, 'apiKeyProviders').map((p, i) => {
      const f = `apiKeyProviders[${i}]`;
      const o = obj(p, f);
      known(o, f, ['name', 'apiKey']);
      return {
        name: str(o.name, `${f}.name`, { min: 1, max: LIMITS.providerNameMax, pattern: PATTERNS.providerName }),
        apiKey: str(o.apiKey, `${f}.apiKey`, { min: 1, max: 65536 }),
      };
    });
    unique(cfg.apiKeyProviders, (p) => p.name, 'apiKeyProviders');
  }
  if (raw.trustedIssuers !== undefined) {
    cfg.trustedIssuers = strList(raw.trustedIssuers, 'trustedIssuers', []).map((u, i) =>
      str(u, `trustedIssuers[${i}]`, {
        pattern: PATTERNS.discoveryUrl,
        patternText: 'a URL ending in /.well-known/openid-configuration',
      }),
    );
  }
  if (raw.faults !== undefined) cfg.faults = parseFaults(raw.faults, 'faults');
  if (raw.lambdas !== undefined) cfg.lambdas = parseLambdas(raw.lambdas, 'lambdas');
  if (raw.principals !== undefined) cfg.principals = parsePrincipals(raw.principals, cfg.credentials.accessKeyId);
  parseRuntimeHalf(raw, cfg);
  return cfg;
}

/** The runtime half's sections (agents, gateways, policy engines); their parsers' errors become ConfigErrors. */
function parseRuntimeHalf(raw: Record<string, unknown>, cfg: StackConfig): void {
  try {
    if (raw.agents !== undefined) cfg.agents = parseAgents(raw.agents, 'agents');
    if (raw.gateways !== undefined) cfg.gateways = parseGateways(raw.gateways, 'gateways', runtimeDefaultsContext(cfg));
    if (raw.policyEngines !== undefined) cfg.policyEngines = parsePolicyEngines(raw.policyEngines, 'policyEngines');
  } catch (e) {
    if (e instanceof RuntimeConfigError || e instanceof GatewayConfigError)
      throw new ConfigError(e.path, e.message.slice(e.path.length + 2));
    if (e instanceof PolicyConfigError) throw new ConfigError(e.path, e.detail);
    throw e;
  }
}

function parseWorkloadIdentities(v: unknown): WorkloadIdentityConfig[] {
  return list(v, 'workloadIdentities').map((w, i) => {
    const f = `workloadIdentities[${i}]`;
    const o = obj(w, f);
    known(o, f, ['name', 'allowedResourceOauth2ReturnUrls']);
    return {
      name: str(o.name, `${f}.name`, {
        min: LIMITS.workloadNameMin,
        max: LIMITS.workloadNameMax,
        pattern: PATTERNS.workloadName,
      }),
      allowedResourceOauth2ReturnUrls: strList(
        o.allowedResourceOauth2ReturnUrls,
        `${f}.allowedResourceOauth2ReturnUrls`,
        [],
      ).map((u, j) =>
        str(u, `${f}.allowedResourceOauth2ReturnUrls[${j}]`, {
          max: LIMITS.returnUrlMax,
          pattern: PATTERNS.returnUrl,
        }),
      ),
    };
  });
}

/**
 * The seeded M2M provider signs in with the pool's `app-client`. A pool of the user's own may name its clients
 * otherwise: the provider then uses the first confidential client (client credentials needs a secret; the same client
 * the seeded agents and gateway treat as the app client), and is left out when every client is public.
 */
function reseedM2mProvider(cfg: StackConfig): OAuth2ProviderConfig[] {
  const confidential =
    cfg.userPool.clients.find((c) => c.name === 'app-client' && c.clientSecret) ??
    cfg.userPool.clients.find((c) => c.clientSecret);
  return cfg.oauth2Providers.flatMap((p) => {
    if (p.idp.kind !== 'userPool') return [p];
    return confidential ? [{ ...p, idp: { kind: 'userPool' as const, client: confidential.name } }] : [];
  });
}

function parseProvider(v: unknown, f: string, cfg: StackConfig): OAuth2ProviderConfig {
  const o = obj(v, f);
  known(o, f, [
    'name',
    'vendor',
    'idp',
    'client',
    'discoveryUrl',
    'authorizationServerMetadata',
    'clientId',
    'clientSecret',
    'flow',
    'scopes',
    'onBehalfOf',
    'clientAuthenticationMethod',
    'privateKeyJwt',
  ]);
  const name = str(o.name, `${f}.name`, { min: 1, max: LIMITS.providerNameMax, pattern: PATTERNS.providerName });
  const given = ['idp', 'discoveryUrl', 'authorizationServerMetadata'].filter((k) => o[k] !== undefined);
  if (given.length !== 1)
    throw new ConfigError(f, 'give exactly one of idp (userPool | threeLo), discoveryUrl, authorizationServerMetadata');
  let idp: ProviderIdp;
  if (o.idp !== undefined) {
    const kind = str(o.idp, `${f}.idp`);
    if (kind === 'userPool') {
      const client = str(o.client ?? 'app-client', `${f}.client`);
      if (!cfg.userPool.clients.some((c) => c.name === client))
        throw new ConfigError(`${f}.client`, `no user pool client named "${client}"`);
      idp = { kind: 'userPool', client };
    } else if (kind === 'threeLo') idp = { kind: 'threeLo' };
    else throw new ConfigError(`${f}.idp`, 'must be userPool or threeLo');
  } else if (o.discoveryUrl !== undefined) {
    idp = {
      kind: 'discovery',
      discoveryUrl: str(o.discoveryUrl, `${f}.discoveryUrl`, {
        pattern: PATTERNS.discoveryUrl,
        patternText: 'a URL ending in /.well-known/openid-configuration',
      }),
    };
  } else {
    const m = obj(o.authorizationServerMetadata, `${f}.authorizationServerMetadata`);
    known(m, `${f}.authorizationServerMetadata`, ['issuer', 'authorizationEndpoint', 'tokenEndpoint']);
    idp = {
      kind: 'metadata',
      tokenEndpoint: str(m.tokenEndpoint, `${f}.authorizationServerMetadata.tokenEndpoint`),
      ...(m.issuer !== undefined ? { issuer: str(m.issuer, `${f}.authorizationServerMetadata.issuer`) } : {}),
      ...(m.authorizationEndpoint !== undefined
        ? {
            authorizationEndpoint: str(
              m.authorizationEndpoint,
              `${f}.authorizationServerMetadata.authorizationEndpoint`,
            ),
          }
        : {}),
    };
  }
  const external = idp.kind === 'discovery' || idp.kind === 'metadata';
  const flow = o.flow === undefined ? (idp.kind === 'threeLo' ? 'USER_FEDERATION' : 'M2M') : str(o.flow, `${f}.flow`);
  if (flow !== 'M2M' && flow !== 'USER_FEDERATION' && flow !== 'ON_BEHALF_OF_TOKEN_EXCHANGE')
    throw new ConfigError(`${f}.flow`, 'must be M2M, USER_FEDERATION or ON_BEHALF_OF_TOKEN_EXCHANGE');
  const clientId = external ? str(o.clientId, `${f}.clientId`) : optStr(o.clientId, `${f}.clientId`);
  const clientSecret = optStr(o.clientSecret, `${f}.clientSecret`);
  return {
    name,
    vendor:
      o.vendor === undefined
        ? 'CustomOauth2'
        : str(o.vendor, `${f}.vendor`, {
            pattern: /^[A-Za-z]+Oauth2$/,
            patternText: 'a credentialProviderVendor such as CustomOauth2',
          }),
    idp,
    flow,
    scopes: strList(o.scopes, `${f}.scopes`, []),
    ...(clientId !== undefined ? { clientId } : {}),
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    ...parseProviderAuth(o, f, flow),
  };
}

/** A provider's onBehalfOf, clientAuthenticationMethod and privateKeyJwt (the identity half's config fields). */
function parseProviderAuth(o: Record<string, unknown>, f: string, flow: OAuth2ProviderConfig['flow']) {
  const oneOf = <const T extends string>(v: unknown, field: string, values: readonly T[]): T => {
    const s = str(v, field);
    if (!(values as readonly string[]).includes(s)) throw new ConfigError(field, `must be one of ${values.join(', ')}`);
    return s as T;
  };
  const out: Pick<OAuth2ProviderConfig, 'onBehalfOf' | 'clientAuthenticationMethod' | 'privateKeyJwt'> = {};
  if (o.onBehalfOf !== undefined) {
    const b = obj(o.onBehalfOf, `${f}.onBehalfOf`);
    known(b, `${f}.onBehalfOf`, ['grantType', 'actorTokenContent', 'actorTokenScopes']);
    out.onBehalfOf = {
      grantType: oneOf(b.grantType ?? 'TOKEN_EXCHANGE', `${f}.onBehalfOf.grantType`, [
        'TOKEN_EXCHANGE',
        'JWT_AUTHORIZATION_GRANT',
      ]),
      ...(b.actorTokenContent !== undefined
        ? {
            actorTokenContent: oneOf(b.actorTokenContent, `${f}.onBehalfOf.actorTokenContent`, [
              'M2M',
              'AWS_IAM_ID_TOKEN_JWT',
              'NONE',
            ]),
          }
        : {}),
      ...(b.actorTokenScopes !== undefined
        ? { actorTokenScopes: strList(b.actorTokenScopes, `${f}.onBehalfOf.actorTokenScopes`, []) }
        : {}),
    };
  } else if (flow === 'ON_BEHALF_OF_TOKEN_EXCHANGE')
    out.onBehalfOf = { grantType: 'TOKEN_EXCHANGE', actorTokenContent: 'M2M' };
  if (o.clientAuthenticationMethod !== undefined)
    out.clientAuthenticationMethod = oneOf(o.clientAuthenticationMethod, `${f}.clientAuthenticationMethod`, [
      'CLIENT_SECRET_BASIC',
      'CLIENT_SECRET_POST',
      'PRIVATE_KEY_JWT',
      'AWS_IAM_ID_TOKEN_JWT',
    ]);
  if (o.privateKeyJwt !== undefined) {
    const k = obj(o.privateKeyJwt, `${f}.privateKeyJwt`);
    known(k, `${f}.privateKeyJwt`, ['kmsKeyArn', 'signingAlgorithm']);
    out.privateKeyJwt = {
      ...(k.kmsKeyArn !== undefined ? { kmsKeyArn: str(k.kmsKeyArn, `${f}.privateKeyJwt.kmsKeyArn`) } : {}),
      signingAlgorithm: oneOf(k.signingAlgorithm ?? 'RS256', `${f}.privateKeyJwt.signingAlgorithm`, [
        'RS256',
        'PS256',
        'ES256',
      ]),
    };
  }
  return out;
}

function parseFaults(v: unknown, f: string): FaultSettings {
  const o = obj(v, f);
  known(o, f, ['rules', 'latencyMs', 'latencyMatch']);
  const out: FaultSettings = { latencyMs: int(o.latencyMs, `${f}.latencyMs`, 0) };
  if (o.latencyMatch !== undefined) out.latencyMatch = str(o.latencyMatch, `${f}.latencyMatch`);
  if (o.rules !== undefined)
    out.rules = list(o.rules, `${f}.rules`).map((r, i) => parseFaultRule(r, `${f}.rules[${i}]`));
  return out;
}

export function parseFaultRule(v: unknown, f: string): FaultRule {
  const o = obj(v, f);
  known(o, f, ['kind', 'count', 'match', 'status']);
  const kind = str(o.kind, `${f}.kind`);
  if (kind !== 'throttle' && kind !== 'error' && kind !== 'drop')
    throw new ConfigError(`${f}.kind`, 'must be throttle, error or drop');
  const rule: FaultRule = { kind };
  if (o.count !== undefined) rule.count = int(o.count, `${f}.count`, 1, 1);
  if (o.match !== undefined) rule.match = str(o.match, `${f}.match`, { min: 1 });
  if (o.status !== undefined) {
    const s = int(o.status, `${f}.status`, 500, 500);
    if (s > 599) throw new ConfigError(`${f}.status`, 'must be a 5xx status');
    rule.status = s;
  }
  return rule;
}

/** Read a config file (JSON when it parses as JSON or ends in .json, YAML otherwise). */
export async function loadConfigFile(path: string): Promise<StackConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(
      '--config',
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (e) {
    throw new ConfigError(
      '--config',
      `${path} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  return parseConfig(raw ?? {});
}
