/**
 * The pools' tokens: RS256 JWTs with Cognito's claim sets (access: client_id, token_use, scope, username,
 * cognito:groups, no aud; ID: aud = the app client id, cognito:username, cognito:groups, the user's attributes with
 * custom ones), the pre-token-generation trigger applied before signing, opaque refresh tokens, and revocation:
 * RevokeToken revokes a refresh token and every token of its sign-in (same origin_jti); GlobalSignOut every token of
 * the user issued until then. A revoked access token stays a valid JWT for resource servers (as with Cognito, which
 * only refuses it on its own APIs).
 */
import { MESSAGES } from '../../wire.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { EmuContext } from '../context.js';
import { cognitoError, notAuthorized } from './errors.js';
import { findUser, groupsByPrecedence, type Pool, type PoolClient, type PoolRegistry, type PoolUser } from './pools.js';
import { preTokenGeneration, type TokenDraft, type TriggerSource } from './triggers.js';

export const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';
/** Refresh tokens kept (about 1 KiB each); past this the oldest is forgotten, as MAX_WATS does for workload tokens. */
const MAX_REFRESH_TOKENS = 20_000;
/** Revoked sign-ins remembered (their access tokens are refused by Cognito's own APIs). */
const MAX_REVOKED = 20_000;

export interface RefreshRecord {
  poolId: string;
  clientId: string;
  username: string;
  scope: string;
  originJti: string;
  issuedAt: number;
  expiresAt: number;
}

export interface AuthenticationResult {
  AccessToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
  IdToken: string;
  RefreshToken?: string;
}

export interface UserTokenOptions {
  source: TriggerSource;
  scope?: string;
  withRefresh: boolean;
  nonce?: string;
  /** A refresh keeps the sign-in's origin_jti. */
  originJti?: string;
  clientMetadata?: Record<string, string>;
}

/** Cognito's refresh tokens are JWEs (five dot-separated segments); ours are opaque random text of the same look. */
function opaqueRefreshToken(): string {
  const seg = (n: number) => randomBytes(n).toString('base64url');
  return `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${seg(256)}.${seg(12)}.${seg(384)}.${seg(16)}`;
}

/** Attribute values as ID token claims: the `*_verified` ones as booleans, the rest as given. */
function idClaimsOf(user: PoolUser): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(user.attributes)) {
    claims[k] = k === 'email_verified' || k === 'phone_number_verified' ? v === 'true' : v;
  }
  if (claims.email !== undefined && claims.email_verified === undefined) claims.email_verified = true;
  return claims;
}

/** What a user's tokens would carry before the trigger: attributes, groups by precedence, their roles, the scopes. */
function userDraft(pool: Pool, user: PoolUser, scope: string | undefined): TokenDraft {
  const groups = groupsByPrecedence(pool, user);
  const roles = groups.flatMap((g) => (g.roleArn ? [g.roleArn] : []));
  return {
    id: idClaimsOf(user),
    access: {},
    groups: groups.length ? groups.map((g) => g.name) : undefined,
    roles,
    ...(roles[0] ? { preferredRole: roles[0] } : {}),
    scopes: (scope ?? ADMIN_SCOPE).split(' ').filter(Boolean),
  };
}

export class TokenService {
  readonly #refresh = new Map<string, RefreshRecord>();
  readonly #revokedOrigins = new Map<string, number>();
  /** Each user's sign-ins (origin_jti) still live, for GlobalSignOut. */
  readonly #origins = new WeakMap<PoolUser, Set<string>>();

  constructor(
    private readonly emu: EmuContext,
    private readonly registry: PoolRegistry,
  ) {}

  private sec(): number {
    return Math.floor(this.emu.now() / 1000);
  }

  async sign(pool: Pool, payload: JWTPayload, ttlSeconds: number): Promise<string> {
    const iat = this.sec();
    return new SignJWT({ ...payload, iat, exp: iat + ttlSeconds, iss: pool.issuer })
      .setProtectedHeader({ kid: pool.key.kid, alg: 'RS256' })
      .sign(pool.key.privateKey);
  }

  /** Access + ID (+ refresh) tokens for a user's sign-in or refresh. */
  async forUser(pool: Pool, client: PoolClient, user: PoolUser, opts: UserTokenOptions): Promise<AuthenticationResult> {
    const originJti = opts.originJti ?? this.newOrigin(user);
    const draft = await preTokenGeneration(
      this.emu,
      pool,
      {
        source: opts.source,
        clientId: client.clientId,
        userName: user.username,
        userAttributes: { sub: user.sub, 'cognito:user_status': user.status, ...user.attributes },
        clientMetadata: opts.clientMetadata,
      },
      userDraft(pool, user, opts.scope),
    );
    const common = { sub: user.sub, event_id: randomUUID(), auth_time: this.sec(), origin_jti: originJti };
    const groupClaim = draft.groups ? { 'cognito:groups': draft.groups } : {};
    const accessToken = await this.sign(
      pool,
      {
        ...draft.access,
        ...common,
        ...groupClaim,
        client_id: client.clientId,
        token_use: 'access',
        scope: draft.scopes.join(' '),
        jti: randomUUID(),
        username: user.username,
      },
      client.accessTokenValiditySeconds,
    );
    const idToken = await this.sign(
      pool,
      {
        ...draft.id,
        ...common,
        ...groupClaim,
        ...(draft.roles.length ? { 'cognito:roles': draft.roles } : {}),
        ...(draft.preferredRole ? { 'cognito:preferred_role': draft.preferredRole } : {}),
        aud: client.clientId,
        token_use: 'id',
        'cognito:username': user.username,
        jti: randomUUID(),
        ...(opts.nonce ? { nonce: opts.nonce } : {}),
      },
      client.idTokenValiditySeconds,
    );
    const result: AuthenticationResult = {
      AccessToken: accessToken,
      ExpiresIn: client.accessTokenValiditySeconds,
      TokenType: 'Bearer',
      IdToken: idToken,
    };
    if (opts.withRefresh) result.RefreshToken = this.keepRefresh(pool, client, user, opts.scope, originJti);
    return result;
  }

  private newOrigin(user: PoolUser): string {
    const origin = randomUUID();
    const live = this.#origins.get(user) ?? new Set();
    live.add(origin);
    if (live.size > 1000) live.delete(live.values().next().value!);
    this.#origins.set(user, live);
    return origin;
  }

  private revokeOrigin(origin: string): void {
    this.#revokedOrigins.set(origin, this.emu.now());
    if (this.#revokedOrigins.size > MAX_REVOKED) this.#revokedOrigins.delete(this.#revokedOrigins.keys().next().value!);
  }

  private keepRefresh(pool: Pool, client: PoolClient, user: PoolUser, scope: string | undefined, originJti: string) {
    const token = opaqueRefreshToken();
    const now = this.emu.now();
    this.#refresh.set(token, {
      poolId: pool.id,
      clientId: client.clientId,
      username: user.username,
      scope: scope ?? ADMIN_SCOPE,
      originJti,
      issuedAt: now,
      expiresAt: now + client.refreshTokenValiditySeconds * 1000,
    });
    // Refresh tokens live for days: under a load test (a login per request) keep memory bounded, oldest first.
    if (this.#refresh.size > MAX_REFRESH_TOKENS) this.#refresh.delete(this.#refresh.keys().next().value!);
    return token;
  }

  /** A client-credentials access token (the V3_0 trigger may edit it). */
  async forClient(pool: Pool, client: PoolClient, scopes: string[]): Promise<string> {
    let draft: TokenDraft = { id: {}, access: {}, groups: undefined, roles: [], scopes };
    draft = await preTokenGeneration(
      this.emu,
      pool,
      {
        source: 'TokenGeneration_ClientCredentials',
        clientId: client.clientId,
        userName: client.clientId,
        userAttributes: {},
      },
      draft,
    );
    return this.sign(
      pool,
      {
        ...draft.access,
        sub: client.clientId,
        token_use: 'access',
        scope: draft.scopes.join(' '),
        auth_time: this.sec(),
        version: 2,
        jti: randomUUID(),
        client_id: client.clientId,
      },
      client.accessTokenValiditySeconds,
    );
  }

  /**
   * The record behind a refresh token, checked as REFRESH_TOKEN_AUTH does (for `clientId`): unknown or of another
   * client → "Invalid Refresh Token", expired, revoked (RevokeToken, GlobalSignOut) → Cognito's messages.
   */
  refreshRecord(token: string, clientId: string): { record: RefreshRecord; pool: Pool; user: PoolUser } {
    const record = this.#refresh.get(token);
    const pool = record ? this.registry.pools.get(record.poolId) : undefined;
    if (!record || !pool || record.clientId !== clientId) throw notAuthorized('Invalid Refresh Token');
    if (record.expiresAt <= this.emu.now()) throw notAuthorized('Refresh Token has expired');
    const user = pool.users.get(record.username);
    if (!user) throw notAuthorized('Invalid Refresh Token');
    if (this.#revokedOrigins.has(record.originJti)) throw notAuthorized(MESSAGES.cognitoRefreshRevoked);
    if (!user.enabled) throw notAuthorized(MESSAGES.cognitoUserDisabled);
    return { record, pool, user };
  }

  /** RevokeToken: the refresh token and every token of its sign-in. False when the token is not this client's. */
  revoke(token: string, clientId: string): boolean {
    const record = this.#refresh.get(token);
    if (!record || record.clientId !== clientId) return false;
    // The record stays, so that the token is refused as revoked rather than unknown.
    this.revokeOrigin(record.originJti);
    return true;
  }

  /** GlobalSignOut / AdminUserGlobalSignOut: every token the user holds now is revoked. */
  signOut(user: PoolUser): void {
    for (const origin of this.#origins.get(user) ?? []) this.revokeOrigin(origin);
    this.#origins.delete(user);
  }

  /**
   * An access token given to Cognito's own APIs (GetUser, GlobalSignOut, AssociateSoftwareToken…): signed by one of
   * the pools, unexpired, an access token with the admin scope, not revoked, its user still there.
   */
  async accessTokenUser(token: string, scope = ADMIN_SCOPE): Promise<{ pool: Pool; user: PoolUser }> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw notAuthorized('Invalid Access Token');
    }
    const pool = this.registry.byIssuer(iss);
    if (!pool) throw notAuthorized('Invalid Access Token');
    let claims: JWTPayload;
    try {
      claims = (await jwtVerify(token, pool.key.publicKey, { currentDate: new Date(this.emu.now()) })).payload;
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw notAuthorized('Access Token has expired');
      throw notAuthorized('Invalid Access Token');
    }
    if (claims.token_use !== 'access' || typeof claims.sub !== 'string') throw notAuthorized('Invalid Access Token');
    const user = findUser(pool, claims.sub);
    if (!user) throw cognitoError('UserNotFoundException', 'User does not exist.');
    const origin = typeof claims.origin_jti === 'string' ? claims.origin_jti : '';
    if (this.#revokedOrigins.has(origin)) throw notAuthorized(MESSAGES.cognitoAccessRevoked);
    if (!user.enabled) throw notAuthorized(MESSAGES.cognitoUserDisabled);
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!scopes.includes(scope)) throw notAuthorized('Access Token does not have required scopes');
    return { pool, user };
  }
}
