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
import { checkMapping } from './lambda.js';
import {
  parseAgents,
  parseGateways,
  RuntimeConfigError,
  type AgentConfig,
  type GatewayConfig,
  type RuntimeDefaultsContext,
} from './runtime/config.js';
import { parsePolicyEngines, PolicyConfigError, type PolicyEngineConfig } from './policy/config.js';

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export type CognitoAuthFlow = 'USER_PASSWORD_AUTH' | 'ADMIN_USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH';
export type OAuthFlow = 'client_credentials' | 'code';

export interface UserPoolClientConfig {
  /** Friendly name (also the key used in `oauth2Providers[].client`). */
  name: string;
  clientId: string;
  /** Omitted → a public client (no secret). */
  clientSecret?: string;
  explicitAuthFlows: CognitoAuthFlow[];
  allowedOAuthFlows: OAuthFlow[];
  /** Scopes this client may request on /oauth2/token and /oauth2/authorize. */
  allowedOAuthScopes: string[];
  /** Redirect URIs allowed on /oauth2/authorize. */
  callbackUrls: string[];
  accessTokenValiditySeconds: number;
  idTokenValiditySeconds: number;
  refreshTokenValiditySeconds: number;
}

export interface UserConfig {
  username: string;
  password: string;
  /** A temporary password: the first sign-in answers NEW_PASSWORD_REQUIRED. */
  temporaryPassword: boolean;
  /** Extra user attributes (email, name, custom:…); `sub` is generated when absent. */
  attributes: Record<string, string>;
}

export interface UserPoolConfig {
  id: string;
  name: string;
  clients: UserPoolClientConfig[];
  users: UserConfig[];
}

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
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_ACCESS_KEY_ID = 'AKIALOCALAGENTCORE01';

const secret = (bytes = 24) => randomBytes(bytes).toString('base64url');
/** Cognito app client ids: 26 lowercase alphanumerics. */
const clientIdFor = (seed: string) => (seed.replace(/[^a-z0-9]/g, '') + 'localclient0000000000000000').slice(0, 26);

/** The seeded stack (fresh secrets per call). */
export function defaultConfig(region = DEFAULT_REGION): StackConfig {
  const poolSuffix = 'AgentCoreLocal';
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
    userPool: {
      id: `${region}_${poolSuffix}`,
      name: 'agentcore-local',
      clients: [
        defaultClient({ name: 'app-client', clientId: clientIdFor('appclient'), clientSecret: secret(32) }),
        defaultClient({ name: 'public-client', clientId: clientIdFor('publicclient'), allowedOAuthFlows: ['code'] }),
      ],
      users: [
        {
          username: 'alice',
          password: 'Alice-Passw0rd!',
          temporaryPassword: false,
          attributes: { email: 'alice@example.com', name: 'Alice' },
        },
        {
          username: 'bob',
          password: 'Bob-Temp-Passw0rd!',
          temporaryPassword: true,
          attributes: { email: 'bob@example.com', name: 'Bob' },
        },
      ],
    },
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
  };
}

function defaultClient(c: Partial<UserPoolClientConfig> & { name: string; clientId: string }): UserPoolClientConfig {
  return {
    explicitAuthFlows: ['USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH'],
    allowedOAuthFlows: ['client_credentials', 'code'],
    allowedOAuthScopes: ['openid', 'email', 'profile', 'agentcore/invoke'],
    callbackUrls: [
      'http://localhost:8765/callback',
      'http://127.0.0.1:8765/callback',
      'http://localhost:53682/callback',
      'http://127.0.0.1:53682/callback',
    ],
    accessTokenValiditySeconds: 3600,
    idTokenValiditySeconds: 3600,
    refreshTokenValiditySeconds: 30 * 86400,
    ...c,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing and validation

type Raw = Record<string, unknown>;

function obj(v: unknown, field: string): Raw {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(field, 'must be a mapping (object)');
  return v as Raw;
}
function str(
  v: unknown,
  field: string,
  opts: { min?: number; max?: number; pattern?: RegExp; patternText?: string } = {},
): string {
  if (typeof v !== 'string') throw new ConfigError(field, 'required string');
  if (opts.min !== undefined && v.length < opts.min)
    throw new ConfigError(field, `must be at least ${opts.min} characters`);
  if (opts.max !== undefined && v.length > opts.max)
    throw new ConfigError(field, `must be at most ${opts.max} characters`);
  if (opts.pattern && !opts.pattern.test(v))
    throw new ConfigError(field, `must match ${opts.patternText ?? opts.pattern.source}`);
  return v;
}
function optStr(v: unknown, field: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, field);
}
function bool(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ConfigError(field, 'must be true or false');
  return v;
}
function int(v: unknown, field: string, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new ConfigError(field, `must be an integer ≥ ${min}`);
  return v;
}
function list(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new ConfigError(field, 'must be a list');
  return v;
}
function strList(v: unknown, field: string, dflt: string[]): string[] {
  if (v === undefined) return dflt;
  return list(v, field).map((x, i) => str(x, `${field}[${i}]`));
}
function known(o: Raw, field: string, keys: string[]): void {
  for (const k of Object.keys(o)) {
    const shown = k === '' ? '""' : k; // an empty key would leave the message without a field name
    if (!keys.includes(k))
      throw new ConfigError(field ? `${field}.${shown}` : shown, `unknown key (expected one of: ${keys.join(', ')})`);
  }
}
function unique<T>(items: T[], key: (t: T) => string, field: string): void {
  const seen = new Set<string>();
  items.forEach((t, i) => {
    const k = key(t);
    if (seen.has(k)) throw new ConfigError(`${field}[${i}]`, `duplicate "${k}"`);
    seen.add(k);
  });
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

const AUTH_FLOWS: CognitoAuthFlow[] = ['USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH'];
const OAUTH_FLOWS: OAuthFlow[] = ['client_credentials', 'code'];

/** What the runtime half's defaults need to know about the identity half. */
export function runtimeDefaultsContext(cfg: StackConfig): RuntimeDefaultsContext {
  const app = cfg.userPool.clients.find((c) => c.clientSecret) ?? cfg.userPool.clients[0];
  const threeLo = cfg.oauth2Providers.find((p) => p.flow === 'USER_FEDERATION');
  const returnUrl = cfg.workloadIdentities[0]?.allowedResourceOauth2ReturnUrls[0];
  // The seeded JWT agents and gateway trust every app client of the pool, so that a token from either the confidential
  // or the public client works (the README's quick start signs in with the public one).
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
    cfg.userPool = parseUserPool(raw.userPool, cfg);
    if (raw.oauth2Providers === undefined) cfg.oauth2Providers = reseedM2mProvider(cfg);
  }
  if (raw.workloadIdentities !== undefined) {
    cfg.workloadIdentities = list(raw.workloadIdentities, 'workloadIdentities').map((w, i) => {
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
  try {
    if (raw.agents !== undefined) cfg.agents = parseAgents(raw.agents, 'agents');
    if (raw.gateways !== undefined) cfg.gateways = parseGateways(raw.gateways, 'gateways', runtimeDefaultsContext(cfg));
    if (raw.policyEngines !== undefined) cfg.policyEngines = parsePolicyEngines(raw.policyEngines, 'policyEngines');
  } catch (e) {
    if (e instanceof RuntimeConfigError) throw new ConfigError(e.path, e.message.slice(e.path.length + 2));
    if (e instanceof PolicyConfigError) throw new ConfigError(e.path, e.detail);
    throw e;
  }
  return cfg;
}

function parseUserPool(v: unknown, cfg: StackConfig): UserPoolConfig {
  const o = obj(v, 'userPool');
  known(o, 'userPool', ['id', 'name', 'clients', 'users']);
  const pool = { ...cfg.userPool };
  if (o.id !== undefined)
    pool.id = str(o.id, 'userPool.id', {
      max: 55,
      pattern: /^[\w-]+_[0-9a-zA-Z]+$/,
      patternText: '<region>_<letters and digits>, e.g. us-east-1_AgentCoreLocal',
    });
  if (o.name !== undefined) pool.name = str(o.name, 'userPool.name', { min: 1, max: 128 });
  if (o.clients !== undefined) {
    pool.clients = list(o.clients, 'userPool.clients').map((c, i) => {
      const f = `userPool.clients[${i}]`;
      const r = obj(c, f);
      known(r, f, [
        'name',
        'clientId',
        'clientSecret',
        'generateSecret',
        'explicitAuthFlows',
        'allowedOAuthFlows',
        'allowedOAuthScopes',
        'callbackUrls',
        'accessTokenValiditySeconds',
        'idTokenValiditySeconds',
        'refreshTokenValiditySeconds',
      ]);
      const name = str(r.name, `${f}.name`, { min: 1, max: 128 });
      const clientSecret =
        optStr(r.clientSecret, `${f}.clientSecret`) ??
        (bool(r.generateSecret, `${f}.generateSecret`, false) ? secret(32) : undefined);
      const base = defaultClient({
        name,
        clientId:
          r.clientId === undefined
            ? clientIdFor(name.toLowerCase())
            : str(r.clientId, `${f}.clientId`, { min: 1, max: 128, pattern: /^[\w+]+$/ }),
        ...(clientSecret ? { clientSecret } : {}),
      });
      return {
        ...base,
        explicitAuthFlows: strList(r.explicitAuthFlows, `${f}.explicitAuthFlows`, base.explicitAuthFlows).map(
          (x, j) => {
            if (!AUTH_FLOWS.includes(x as CognitoAuthFlow))
              throw new ConfigError(`${f}.explicitAuthFlows[${j}]`, `must be one of ${AUTH_FLOWS.join(', ')}`);
            return x as CognitoAuthFlow;
          },
        ),
        allowedOAuthFlows: strList(r.allowedOAuthFlows, `${f}.allowedOAuthFlows`, base.allowedOAuthFlows).map(
          (x, j) => {
            if (!OAUTH_FLOWS.includes(x as OAuthFlow))
              throw new ConfigError(`${f}.allowedOAuthFlows[${j}]`, `must be one of ${OAUTH_FLOWS.join(', ')}`);
            return x as OAuthFlow;
          },
        ),
        allowedOAuthScopes: strList(r.allowedOAuthScopes, `${f}.allowedOAuthScopes`, base.allowedOAuthScopes),
        callbackUrls: strList(r.callbackUrls, `${f}.callbackUrls`, base.callbackUrls),
        accessTokenValiditySeconds: int(
          r.accessTokenValiditySeconds,
          `${f}.accessTokenValiditySeconds`,
          base.accessTokenValiditySeconds,
          1,
        ),
        idTokenValiditySeconds: int(
          r.idTokenValiditySeconds,
          `${f}.idTokenValiditySeconds`,
          base.idTokenValiditySeconds,
          1,
        ),
        refreshTokenValiditySeconds: int(
          r.refreshTokenValiditySeconds,
          `${f}.refreshTokenValiditySeconds`,
          base.refreshTokenValiditySeconds,
          1,
        ),
      };
    });
    unique(pool.clients, (c) => c.name, 'userPool.clients');
    unique(pool.clients, (c) => c.clientId, 'userPool.clients');
  }
  if (o.users !== undefined) {
    pool.users = list(o.users, 'userPool.users').map((u, i) => {
      const f = `userPool.users[${i}]`;
      const r = obj(u, f);
      known(r, f, ['username', 'password', 'temporaryPassword', 'attributes']);
      const attributes: Record<string, string> = {};
      if (r.attributes !== undefined) {
        for (const [k, val] of Object.entries(obj(r.attributes, `${f}.attributes`)))
          attributes[k] = str(val, `${f}.attributes.${k}`);
      }
      return {
        username: str(r.username, `${f}.username`, {
          min: 1,
          max: 128,
          pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u,
          patternText: 'no whitespace',
        }),
        password: str(r.password, `${f}.password`, { min: 6, max: 256 }),
        temporaryPassword: bool(r.temporaryPassword, `${f}.temporaryPassword`, false),
        attributes,
      };
    });
    unique(pool.users, (u) => u.username, 'userPool.users');
  }
  return pool;
}

/**
 * The seeded M2M provider signs in with the pool's `app-client`. A pool of the user's own may name its clients otherwise:
 * the provider then uses the first confidential client (client credentials needs a secret; the same client the seeded
 * agents and gateway treat as the app client), and is left out when every client is public.
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
