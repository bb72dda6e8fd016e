/**
 * The IdP's user pools: the seeded one (from the stack config) and any created through the admin API (CreateUserPool,
 * used by `agentcore-auth setup`). Each pool has its own issuer (`<origin>/<poolId>`), RS256 key, users, app clients,
 * resource servers, tags and optional hosted-UI domain; app client ids are unique across pools, so the hosted-UI
 * endpoints (`/oauth2/*`, shared by every pool here) find a client's pool from its id.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, type CryptoKey, type JWK } from 'jose';
import type { UserPoolClientConfig } from '../config.js';
import type { KeyLease } from '../keys.js';
import type { CognitoUser } from '../state.js';

/** A Cognito error: `__type` and message in an awsJson1_1 body. */
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

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
  /** Everything CreateUserPoolClient was given (echoed by DescribeUserPoolClient). */
  settings: Record<string, unknown>;
  createdAt: number;
}

export interface Pool {
  id: string;
  name: string;
  arn: string;
  issuer: string;
  createdAt: number;
  lastModifiedAt: number;
  tags: Record<string, string>;
  users: Map<string, CognitoUser & { createdAt: number; lastModifiedAt: number }>;
  clients: Map<string, PoolClient>;
  resourceServers: Map<string, ResourceServer>;
  domain?: string;
  policy: PasswordPolicy;
  settings: Record<string, unknown>;
  deletionProtection: 'ACTIVE' | 'INACTIVE';
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

/** A pool's signing key: an RSA key pair from the stack's lease (see keys.ts) under a key id of its own. */
export async function poolKey(keys: KeyLease): Promise<Pool['key']> {
  const { privateKey, publicKey } = await keys.rsa();
  const kid = randomBytes(20).toString('base64');
  return { privateKey, publicKey, kid, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
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
