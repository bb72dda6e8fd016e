/**
 * The stack's configuration: a JSON or YAML file (or an object given to startLocalStack) describing the region,
 * credentials, the Cognito-style user pool (clients, users), workload identities, credential providers, trusted JWT
 * issuers, faults, agents and gateways. Everything omitted is seeded (`defaultConfig()`), so `{}` is a ready stack.
 * Validation errors name the field (`userPool.users[1].password: required string`).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PATTERNS } from '../wire.js';
import type { FaultRule, FaultSettings } from './server.js';
import { defaultUserPool, parseUserPool, type UserPoolConfig } from './cognito/config.js';
import { bool, ConfigError, int, keyField, known, list, obj, optStr, str, strList, unique } from './config-fields.js';
import { checkMapping } from './lambda.js';
import { parsePrincipals, type PrincipalConfig } from './principals.js';
import { parseAgents, type AgentConfig, type RuntimeDefaultsContext } from './runtime/config.js';
import { parseGateways, type GatewayConfig } from './gateway/config.js';
import { parsePolicyEngines, type PolicyEngineConfig } from './policy/config.js';
import {
  parseApiKeyProviders,
  parseProvider,
  parseWorkloadIdentities,
  reseedM2mProvider,
  type ApiKeyProviderConfig,
  type OAuth2ProviderConfig,
  type WorkloadIdentityConfig,
} from './identity/config.js';

export type {
  ApiKeyProviderConfig,
  OAuth2ProviderConfig,
  OnBehalfOfProviderConfig,
  ProviderIdp,
  WorkloadIdentityConfig,
} from './identity/config.js';

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
    : Object.entries(obj(v, field)).map(
        ([arn, url]) => [arn, str(url, keyField(field, arn)), keyField(field, arn)] as const,
      );
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

/** The config file's top-level sections, each optional (an unknown one is refused, named). */
export const CONFIG_SECTIONS = [
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
] as const;

function parseConfigInner(input: unknown): StackConfig {
  const raw = input === undefined || input === null ? {} : obj(input, '(config)');
  known(raw, '', [...CONFIG_SECTIONS]);
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
  if (raw.credentials !== undefined) cfg.credentials = parseCredentials(raw.credentials);
  cfg.autoConsent = bool(raw.autoConsent, 'autoConsent', false);
  if (raw.threeLo !== undefined) cfg.threeLo = parseThreeLo(raw.threeLo, cfg.threeLo);
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
      parseProvider(p, `oauth2Providers[${i}]`, cfg.userPool.clients),
    );
    unique(cfg.oauth2Providers, (p) => p.name, 'oauth2Providers');
  }
  if (raw.apiKeyProviders !== undefined) {
    cfg.apiKeyProviders = parseApiKeyProviders(raw.apiKeyProviders);
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

function parseCredentials(v: unknown): StackConfig['credentials'] {
  const c = obj(v, 'credentials');
  known(c, 'credentials', ['accessKeyId', 'secretAccessKey']);
  return {
    accessKeyId: str(c.accessKeyId, 'credentials.accessKeyId', {
      min: 16,
      max: 128,
      pattern: /^\w+$/,
      patternText: 'letters and digits',
    }),
    secretAccessKey: str(c.secretAccessKey, 'credentials.secretAccessKey', { min: 1 }),
  };
}

function parseThreeLo(v: unknown, seeded: StackConfig['threeLo']): StackConfig['threeLo'] {
  const t = obj(v, 'threeLo');
  known(t, 'threeLo', ['defaultUser', 'clientId', 'clientSecret', 'scopes']);
  return {
    defaultUser: optStr(t.defaultUser, 'threeLo.defaultUser') ?? seeded.defaultUser,
    clientId: optStr(t.clientId, 'threeLo.clientId') ?? seeded.clientId,
    clientSecret: optStr(t.clientSecret, 'threeLo.clientSecret') ?? seeded.clientSecret,
    scopes: strList(t.scopes, 'threeLo.scopes', seeded.scopes),
  };
}

/** The runtime half's sections (agents, gateways, policy engines). */
function parseRuntimeHalf(raw: Record<string, unknown>, cfg: StackConfig): void {
  if (raw.agents !== undefined) cfg.agents = parseAgents(raw.agents, 'agents');
  if (raw.gateways !== undefined) cfg.gateways = parseGateways(raw.gateways, 'gateways', runtimeDefaultsContext(cfg));
  if (raw.policyEngines !== undefined) cfg.policyEngines = parsePolicyEngines(raw.policyEngines, 'policyEngines');
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
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (code ?? (e as Error).message);
    throw new ConfigError('--config', `cannot read ${path}: ${why}`);
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(text) : (await import('yaml')).parse(text, { logLevel: 'error' });
  } catch (e) {
    // The yaml library's first line ends with ':' before its code frame, which is left out here.
    const first = (e as Error).message.split('\n')[0]!.replace(/:\s*$/, '');
    throw new ConfigError('--config', `${path} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${first}`);
  }
  return parseConfig(raw ?? {});
}
