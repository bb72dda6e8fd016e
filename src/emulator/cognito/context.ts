/**
 * What every Cognito operation handler shares: the stack's context, the pools, the token service and the sign-in
 * challenges in flight, plus the lookups and answers several operations need (a pool, a user, a client, SECRET_HASH,
 * a user as UserType, Cognito's pagination).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MESSAGES } from '../../wire.js';
import { ApiError, jsonOp, paginate, type JsonOperation } from '../api/index.js';
import type { EmuContext } from '../context.js';
import type { AuthCode, Challenges } from './challenge-store.js';
import { cognitoError, invalidParameter, notAuthorized } from './errors.js';
import { findUser, type Pool, type PoolClient, type PoolRegistry, type PoolUser } from './pools.js';

export { findUser };
import type { TokenService } from './tokens.js';

export interface CognitoCtx {
  emu: EmuContext;
  registry: PoolRegistry;
  tokens: TokenService;
  challenges: Challenges;
  /** The hosted UI's authorization codes (single use, 5 minutes). */
  codes: Map<string, AuthCode>;
  /** The hosted UI's signed-in browsers (the `cognito` cookie), until /logout. */
  browserSessions: Map<string, { poolId: string; username: string; expiresAt: number }>;
}

export type Body = Record<string, unknown>;
export type CognitoOp = JsonOperation<CognitoCtx, unknown>;
/** Declares one Cognito operation (see api/awsjson.ts). */
export const cop = jsonOp<CognitoCtx, Body>;

export { cognitoError, invalidParameter, notAuthorized };

export function poolOf(ctx: CognitoCtx, id: unknown): Pool {
  const pool = typeof id === 'string' ? ctx.registry.pools.get(id) : undefined;
  if (!pool) throw cognitoError('ResourceNotFoundException', `User pool ${String(id)} does not exist.`);
  return pool;
}

export function userOf(pool: Pool, username: unknown): PoolUser {
  const user = typeof username === 'string' ? findUser(pool, username) : undefined;
  if (!user) throw cognitoError('UserNotFoundException', MESSAGES.cognitoUserNotFound);
  return user;
}

export function clientOf(ctx: CognitoCtx, clientId: string, poolId?: string): { pool: Pool; client: PoolClient } {
  const found = ctx.registry.client(clientId);
  if (!found || (poolId !== undefined && found.pool.id !== poolId))
    throw cognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  return found;
}

export function secretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** SECRET_HASH (or SecretHash) when the client has a secret: over any of the names the user may have signed in with. */
export function checkSecretHash(client: PoolClient, given: unknown, usernames: string[]): void {
  if (!client.clientSecret) return;
  if (typeof given !== 'string' || !given) throw notAuthorized(MESSAGES.cognitoSecretHashMissing(client.clientId));
  if (!usernames.some((u) => safeEqual(given, secretHash(u, client.clientId, client.clientSecret!))))
    throw notAuthorized(MESSAGES.cognitoSecretHashWrong(client.clientId));
}

export const sec = (ms: number) => Math.floor(ms / 1000);

/** `[{Name, Value}]` with `sub` first, as Cognito lists a user's attributes. */
export function attributeList(user: PoolUser, only?: string[]): Array<{ Name: string; Value: string }> {
  const all = [
    { Name: 'sub', Value: user.sub },
    ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
  ];
  return only ? all.filter((a) => only.includes(a.Name)) : all;
}

/** UserType (ListUsers, ListUsersInGroup, AdminCreateUser). */
export function userType(user: PoolUser, only?: string[]) {
  return {
    Username: user.username,
    Attributes: attributeList(user, only),
    UserCreateDate: sec(user.createdAt),
    UserLastModifiedDate: sec(user.lastModifiedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

/** The MFA fields of GetUser / AdminGetUser. */
export function mfaSettingsOf(user: PoolUser) {
  return user.totp.enabled
    ? {
        UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
        ...(user.totp.preferred ? { PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' } : {}),
      }
    : {};
}

/** Cognito's list paging on the one paginate(): an unknown token is Cognito's InvalidParameterException. */
export function page<T>(all: readonly T[], limit: unknown, token: unknown, max = 60) {
  try {
    return paginate(all, { maxResults: limit === 0 ? undefined : limit, nextToken: token }, { max });
  } catch (e) {
    if (e instanceof ApiError) throw invalidParameter('Invalid pagination token');
    throw e;
  }
}

export function attributesFrom(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of (list as Array<{ Name: string; Value?: string }> | undefined) ?? []) out[a.Name] = a.Value ?? '';
  return out;
}

/** Every attribute name must be a standard one or a custom one of the pool's schema. */
export function checkAttributeNames(pool: Pool, names: string[], standard: readonly string[]): void {
  for (const name of names) {
    if (standard.includes(name)) continue;
    if (name.startsWith('custom:') && pool.customAttributes.has(name.slice(7))) continue;
    throw invalidParameter(`Attribute does not exist in the schema.`);
  }
}
