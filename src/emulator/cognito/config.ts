/**
 * The `userPool:` section of the stack config: the seeded pool's id and name, app clients, groups, users (each naming
 * its groups) and the pre-token-generation trigger. Everything omitted is seeded (`defaultUserPool()`).
 */
import { bool, ConfigError, int, known, list, obj, optStr, str, strList, unique } from '../config-fields.js';
import { LAMBDA_ARN } from '../lambda.js';

export type CognitoAuthFlow =
  | 'USER_PASSWORD_AUTH'
  | 'ADMIN_USER_PASSWORD_AUTH'
  | 'REFRESH_TOKEN_AUTH'
  | 'USER_SRP_AUTH';
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
  /** Where /logout may send the browser (LogoutURLs); the callback URLs unless given. */
  logoutUrls: string[];
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
  /** The user's groups (`cognito:groups` in the tokens); a group not under `groups:` is made without details. */
  groups?: string[];
}

export interface GroupConfig {
  name: string;
  /** Lower comes first in `cognito:groups` (and gives `cognito:preferred_role`). */
  precedence?: number;
  description?: string;
  roleArn?: string;
}

export interface UserPoolConfig {
  id: string;
  name: string;
  clients: UserPoolClientConfig[];
  groups: GroupConfig[];
  users: UserConfig[];
  /** LambdaConfig.PreTokenGenerationConfig of the seeded pool (served by `--lambda ARN=URL`). */
  preTokenGeneration?: { lambdaArn: string; lambdaVersion: 'V1_0' | 'V2_0' | 'V3_0' };
}

const AUTH_FLOWS: CognitoAuthFlow[] = [
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'REFRESH_TOKEN_AUTH',
  'USER_SRP_AUTH',
];
const OAUTH_FLOWS: OAuthFlow[] = ['client_credentials', 'code'];
const TRIGGER_VERSIONS = ['V1_0', 'V2_0', 'V3_0'] as const;
const UNICODE_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;

/** Cognito app client ids: 26 lowercase alphanumerics. */
const clientIdFor = (seed: string) => `${seed.replace(/[^a-z0-9]/g, '')}localclient0000000000000000`.slice(0, 26);

function defaultClient(c: Partial<UserPoolClientConfig> & { name: string; clientId: string }): UserPoolClientConfig {
  const callbackUrls = c.callbackUrls ?? [
    'http://localhost:8765/callback',
    'http://127.0.0.1:8765/callback',
    'http://localhost:53682/callback',
    'http://127.0.0.1:53682/callback',
  ];
  return {
    explicitAuthFlows: ['USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH', 'USER_SRP_AUTH'],
    allowedOAuthFlows: ['client_credentials', 'code'],
    allowedOAuthScopes: ['openid', 'email', 'profile', 'agentcore/invoke'],
    callbackUrls,
    logoutUrls: callbackUrls,
    accessTokenValiditySeconds: 3600,
    idTokenValiditySeconds: 3600,
    refreshTokenValiditySeconds: 30 * 86400,
    ...c,
  };
}

/** The seeded pool: a confidential and a public client, alice (permanent password) and bob (temporary). */
export function defaultUserPool(region: string, secret: (bytes?: number) => string): UserPoolConfig {
  return {
    id: `${region}_AgentCoreLocal`,
    name: 'agentcore-local',
    clients: [
      defaultClient({ name: 'app-client', clientId: clientIdFor('appclient'), clientSecret: secret(32) }),
      defaultClient({ name: 'public-client', clientId: clientIdFor('publicclient'), allowedOAuthFlows: ['code'] }),
    ],
    groups: [],
    users: [
      {
        username: 'alice',
        password: 'Alice-Passw0rd!',
        temporaryPassword: false,
        attributes: { email: 'alice@example.com', name: 'Alice' },
        groups: [],
      },
      {
        username: 'bob',
        password: 'Bob-Temp-Passw0rd!',
        temporaryPassword: true,
        attributes: { email: 'bob@example.com', name: 'Bob' },
        groups: [],
      },
    ],
  };
}

function oneOf<T extends string>(values: readonly T[], field: string) {
  return (x: string, j: number): T => {
    if (!values.includes(x as T)) throw new ConfigError(`${field}[${j}]`, `must be one of ${values.join(', ')}`);
    return x as T;
  };
}

function parseClient(c: unknown, f: string, secret: (bytes?: number) => string): UserPoolClientConfig {
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
    'logoutUrls',
    'accessTokenValiditySeconds',
    'idTokenValiditySeconds',
    'refreshTokenValiditySeconds',
  ]);
  const name = str(r.name, `${f}.name`, { min: 1, max: 128 });
  const clientSecret =
    optStr(r.clientSecret, `${f}.clientSecret`) ??
    (bool(r.generateSecret, `${f}.generateSecret`, false) ? secret(32) : undefined);
  const callbackUrls = r.callbackUrls === undefined ? undefined : strList(r.callbackUrls, `${f}.callbackUrls`, []);
  const base = defaultClient({
    name,
    clientId:
      r.clientId === undefined
        ? clientIdFor(name.toLowerCase())
        : str(r.clientId, `${f}.clientId`, { min: 1, max: 128, pattern: /^[\w+]+$/ }),
    ...(clientSecret ? { clientSecret } : {}),
    ...(callbackUrls ? { callbackUrls } : {}),
  });
  const seconds = (key: 'accessTokenValiditySeconds' | 'idTokenValiditySeconds' | 'refreshTokenValiditySeconds') =>
    int(r[key], `${f}.${key}`, base[key], 1);
  return {
    ...base,
    explicitAuthFlows: strList(r.explicitAuthFlows, `${f}.explicitAuthFlows`, base.explicitAuthFlows).map(
      oneOf(AUTH_FLOWS, `${f}.explicitAuthFlows`),
    ),
    allowedOAuthFlows: strList(r.allowedOAuthFlows, `${f}.allowedOAuthFlows`, base.allowedOAuthFlows).map(
      oneOf(OAUTH_FLOWS, `${f}.allowedOAuthFlows`),
    ),
    allowedOAuthScopes: strList(r.allowedOAuthScopes, `${f}.allowedOAuthScopes`, base.allowedOAuthScopes),
    logoutUrls: strList(r.logoutUrls, `${f}.logoutUrls`, base.logoutUrls),
    accessTokenValiditySeconds: seconds('accessTokenValiditySeconds'),
    idTokenValiditySeconds: seconds('idTokenValiditySeconds'),
    refreshTokenValiditySeconds: seconds('refreshTokenValiditySeconds'),
  };
}

function parseGroup(g: unknown, f: string): GroupConfig {
  const r = obj(g, f);
  known(r, f, ['name', 'precedence', 'description', 'roleArn']);
  const description = optStr(r.description, `${f}.description`);
  const roleArn = optStr(r.roleArn, `${f}.roleArn`);
  return {
    name: str(r.name, `${f}.name`, { min: 1, max: 128, pattern: UNICODE_NAME, patternText: 'no whitespace' }),
    ...(r.precedence !== undefined ? { precedence: int(r.precedence, `${f}.precedence`, 0) } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(roleArn !== undefined ? { roleArn } : {}),
  };
}

function parseUser(u: unknown, f: string): UserConfig {
  const r = obj(u, f);
  known(r, f, ['username', 'password', 'temporaryPassword', 'attributes', 'groups']);
  const attributes: Record<string, string> = {};
  if (r.attributes !== undefined) {
    for (const [k, val] of Object.entries(obj(r.attributes, `${f}.attributes`)))
      attributes[k] = str(val, `${f}.attributes.${k}`);
  }
  return {
    username: str(r.username, `${f}.username`, {
      min: 1,
      max: 128,
      pattern: UNICODE_NAME,
      patternText: 'no whitespace',
    }),
    password: str(r.password, `${f}.password`, { min: 6, max: 256 }),
    temporaryPassword: bool(r.temporaryPassword, `${f}.temporaryPassword`, false),
    attributes,
    groups: strList(r.groups, `${f}.groups`, []),
  };
}

function parseTrigger(v: unknown, f: string): NonNullable<UserPoolConfig['preTokenGeneration']> {
  const r = obj(v, f);
  known(r, f, ['lambdaArn', 'lambdaVersion']);
  const version = r.lambdaVersion === undefined ? 'V2_0' : str(r.lambdaVersion, `${f}.lambdaVersion`);
  return {
    lambdaArn: str(r.lambdaArn, `${f}.lambdaArn`, {
      pattern: LAMBDA_ARN,
      patternText: 'a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)',
    }),
    lambdaVersion: oneOf(TRIGGER_VERSIONS, f)(version, 0),
  };
}

export function parseUserPool(v: unknown, seeded: UserPoolConfig, secret: (bytes?: number) => string): UserPoolConfig {
  const o = obj(v, 'userPool');
  known(o, 'userPool', ['id', 'name', 'clients', 'groups', 'users', 'preTokenGeneration']);
  const pool = { ...seeded };
  if (o.id !== undefined)
    pool.id = str(o.id, 'userPool.id', {
      max: 55,
      pattern: /^[\w-]+_[0-9a-zA-Z]+$/,
      patternText: '<region>_<letters and digits>, e.g. us-east-1_AgentCoreLocal',
    });
  if (o.name !== undefined) pool.name = str(o.name, 'userPool.name', { min: 1, max: 128 });
  if (o.clients !== undefined) {
    pool.clients = list(o.clients, 'userPool.clients').map((c, i) => parseClient(c, `userPool.clients[${i}]`, secret));
    unique(pool.clients, (c) => c.name, 'userPool.clients');
    unique(pool.clients, (c) => c.clientId, 'userPool.clients');
  }
  if (o.groups !== undefined) {
    pool.groups = list(o.groups, 'userPool.groups').map((g, i) => parseGroup(g, `userPool.groups[${i}]`));
    unique(pool.groups, (g) => g.name, 'userPool.groups');
  }
  if (o.users !== undefined) {
    pool.users = list(o.users, 'userPool.users').map((u, i) => parseUser(u, `userPool.users[${i}]`));
    unique(pool.users, (u) => u.username, 'userPool.users');
  }
  // A group a user names but `groups:` does not describe is a group without precedence or description.
  const named = new Set(pool.groups.map((g) => g.name));
  for (const u of pool.users)
    for (const g of u.groups ?? [])
      if (!named.has(g)) {
        pool.groups = [...pool.groups, { name: g }];
        named.add(g);
      }
  if (o.preTokenGeneration !== undefined)
    pool.preTokenGeneration = parseTrigger(o.preTokenGeneration, 'userPool.preTokenGeneration');
  return pool;
}
