/**
 * The IdP's user pools: the seeded one (from the stack config) and any created through the admin API (CreateUserPool,
 * used by `agentcore-auth setup`). Each pool has its own issuer (`<origin>/<poolId>`), RS256 key, users, groups, app
 * clients, resource servers, tags, MFA and trigger settings and optional hosted-UI domain; app client ids are unique
 * across pools, so the hosted-UI endpoints (`/oauth2/*`, shared by every pool here) find a client's pool from its id.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, type CryptoKey, type JWK } from 'jose';
import type { UserPoolClientConfig } from '../config.js';
import type { KeyLease } from '../keys.js';

export interface ResourceServer {
  identifier: string;
  name: string;
  scopes: Array<{ ScopeName: string; ScopeDescription: string }>;
}

export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  TemporaryPasswordValidityDays: number;
}

export interface PoolClient extends UserPoolClientConfig {
  /** Everything CreateUserPoolClient / UpdateUserPoolClient was given (echoed by DescribeUserPoolClient). */
  settings: Record<string, unknown>;
  createdAt: number;
  lastModifiedAt: number;
  /** Where /logout may send the browser back to (LogoutURLs). */
  logoutUrls: string[];
  /** RevokeToken and /oauth2/revoke work for this client (EnableTokenRevocation, true unless turned off). */
  tokenRevocation: boolean;
}

export type UserStatus = 'CONFIRMED' | 'UNCONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED';

export interface PoolUser {
  username: string;
  sub: string;
  password: string;
  status: UserStatus;
  enabled: boolean;
  /** Standard and `custom:` attributes (not `sub`). */
  attributes: Record<string, string>;
  groups: Set<string>;
  createdAt: number;
  lastModifiedAt: number;
  /** TOTP: the secret AssociateSoftwareToken gave, whether VerifySoftwareToken confirmed it, the user's preference. */
  totp: { secret?: string; verified: boolean; enabled: boolean; preferred: boolean };
  /** USER_SRP_AUTH's salt and verifier for the current password (a pool keeps them per user, not per sign-in). */
  srp?: { password: string; salt: bigint; verifier: bigint };
  /** The pending sign-up confirmation code (the stack has no mail: it goes to `local`'s log). */
  confirmation?: { code: string; expiresAt: number };
}

export interface Group {
  name: string;
  description?: string;
  roleArn?: string;
  precedence?: number;
  createdAt: number;
  lastModifiedAt: number;
}

export type TriggerVersion = 'V1_0' | 'V2_0' | 'V3_0';
export type MfaConfiguration = 'OFF' | 'ON' | 'OPTIONAL';

export interface Pool {
  id: string;
  name: string;
  arn: string;
  issuer: string;
  createdAt: number;
  lastModifiedAt: number;
  tags: Record<string, string>;
  users: Map<string, PoolUser>;
  groups: Map<string, Group>;
  clients: Map<string, PoolClient>;
  resourceServers: Map<string, ResourceServer>;
  domain?: string;
  policy: PasswordPolicy;
  /** Other CreateUserPool / UpdateUserPool settings, echoed by DescribeUserPool. */
  settings: Record<string, unknown>;
  deletionProtection: 'ACTIVE' | 'INACTIVE';
  /** LambdaConfig as given (echoed); the pre-token-generation trigger read from it. */
  lambdaConfig: Record<string, unknown>;
  mfa: { configuration: MfaConfiguration; softwareToken: boolean };
  /** Custom attributes of the schema, without their `custom:` prefix. */
  customAttributes: Map<string, { type: string; mutable: boolean }>;
  key: { privateKey: CryptoKey; publicKey: CryptoKey; kid: string; jwk: JWK };
}

export const DEFAULT_POLICY: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

/** Standard attributes every pool's schema has (Cognito's list). */
export const STANDARD_ATTRIBUTES = [
  'sub',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
];

/** A pool's signing key: an RSA key pair from the stack's lease (see keys.ts) under a key id of its own. */
export async function poolKey(keys: KeyLease): Promise<Pool['key']> {
  const { privateKey, publicKey } = await keys.rsa();
  const kid = randomBytes(20).toString('base64');
  return { privateKey, publicKey, kid, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** A pool with Cognito's defaults; the caller fills in what CreateUserPool or the config says. */
export function newPool(input: {
  id: string;
  name: string;
  region: string;
  accountId: string;
  origin: string;
  now: number;
  key: Pool['key'];
}): Pool {
  return {
    id: input.id,
    name: input.name,
    arn: `arn:aws:cognito-idp:${input.region}:${input.accountId}:userpool/${input.id}`,
    issuer: `${input.origin}/${input.id}`,
    createdAt: input.now,
    lastModifiedAt: input.now,
    tags: {},
    users: new Map(),
    groups: new Map(),
    clients: new Map(),
    resourceServers: new Map(),
    policy: { ...DEFAULT_POLICY },
    settings: {},
    deletionProtection: 'INACTIVE',
    lambdaConfig: {},
    mfa: { configuration: 'OFF', softwareToken: false },
    customAttributes: new Map(),
    key: input.key,
  };
}

export function newUser(input: {
  username: string;
  sub: string;
  password: string;
  status: UserStatus;
  attributes?: Record<string, string>;
  now: number;
}): PoolUser {
  return {
    username: input.username,
    sub: input.sub,
    password: input.password,
    status: input.status,
    enabled: true,
    attributes: { ...(input.attributes ?? {}) },
    groups: new Set(),
    createdAt: input.now,
    lastModifiedAt: input.now,
    totp: { verified: false, enabled: false, preferred: false },
  };
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** `us-east-1_AbC123xyZ`: the region, an underscore and 9 letters or digits (Cognito's shape). */
export function newPoolId(region: string): string {
  const bytes = randomBytes(9);
  return `${region}_${[...bytes].map((b) => ID_CHARS[b % ID_CHARS.length]).join('')}`;
}

/** 26 lower-case letters and digits (Cognito's app client id shape). */
export function newClientId(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(26)].map((b) => chars[b % chars.length]).join('');
}

/** 51 characters like Cognito's client secrets. */
export function newClientSecret(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(51)].map((b) => chars[b % chars.length]).join('');
}

export function passwordPolicyViolation(p: string, policy: PasswordPolicy = DEFAULT_POLICY): string | undefined {
  if (p.length < policy.MinimumLength) return 'Password not long enough';
  if (policy.RequireLowercase && !/[a-z]/.test(p)) return 'Password must have lowercase characters';
  if (policy.RequireUppercase && !/[A-Z]/.test(p)) return 'Password must have uppercase characters';
  if (policy.RequireNumbers && !/[0-9]/.test(p)) return 'Password must have numeric characters';
  if (policy.RequireSymbols && !/[^A-Za-z0-9]/.test(p)) return 'Password must have symbol characters';
  return undefined;
}

/** A user by username, or by `sub` (Cognito accepts either wherever a Username is asked for). */
export function findUser(pool: Pool, name: string): PoolUser | undefined {
  const direct = pool.users.get(name);
  if (direct) return direct;
  for (const u of pool.users.values()) if (u.sub === name) return u;
  return undefined;
}

/** The user's groups for `cognito:groups`: by precedence (lowest first; groups without one last), then by name. */
export function groupsByPrecedence(pool: Pool, user: PoolUser): Group[] {
  return [...user.groups]
    .map((g) => pool.groups.get(g))
    .filter((g): g is Group => !!g)
    .sort(
      (a, b) =>
        (a.precedence ?? Number.MAX_SAFE_INTEGER) - (b.precedence ?? Number.MAX_SAFE_INTEGER) ||
        a.name.localeCompare(b.name),
    );
}

export class PoolRegistry {
  readonly pools = new Map<string, Pool>();
  private readonly clientIndex = new Map<string, string>();
  /** Hosted-UI domain prefix → pool id (unique across the stack, as across all accounts of a region). */
  readonly domains = new Map<string, string>();

  add(pool: Pool): void {
    this.pools.set(pool.id, pool);
    for (const id of pool.clients.keys()) this.clientIndex.set(id, pool.id);
  }

  remove(poolId: string): void {
    const pool = this.pools.get(poolId);
    if (!pool) return;
    for (const id of pool.clients.keys()) this.clientIndex.delete(id);
    if (pool.domain) this.domains.delete(pool.domain);
    this.pools.delete(poolId);
  }

  addClient(pool: Pool, client: PoolClient): void {
    pool.clients.set(client.clientId, client);
    this.clientIndex.set(client.clientId, pool.id);
  }

  removeClient(pool: Pool, clientId: string): void {
    pool.clients.delete(clientId);
    this.clientIndex.delete(clientId);
  }

  /** The pool and client of an app client id (any pool). */
  client(clientId: string): { pool: Pool; client: PoolClient } | undefined {
    const poolId = this.clientIndex.get(clientId);
    const pool = poolId ? this.pools.get(poolId) : undefined;
    const client = pool?.clients.get(clientId);
    return pool && client ? { pool, client } : undefined;
  }

  byIssuer(iss: unknown): Pool | undefined {
    if (typeof iss !== 'string') return undefined;
    for (const p of this.pools.values()) if (p.issuer === iss) return p;
    return undefined;
  }

  byArn(arn: string): Pool | undefined {
    for (const p of this.pools.values()) if (p.arn === arn) return p;
    return undefined;
  }
}
