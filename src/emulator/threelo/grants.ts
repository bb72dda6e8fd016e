/**
 * The local OAuth provider's on-behalf-of grants, added through oidc-provider's own extension point
 * (provider.registerGrantType): RFC 8693 token exchange and the RFC 7523 JWT bearer grant. Both take the user's JWT
 * from an issuer the provider trusts (trust.ts) and issue a JWT access token (RFC 9068) for the provider's API whose
 * `sub` is the subject's and, when an actor token was given, whose `act` names the actor (RFC 8693 §4.1; a subject
 * token that carries `act` itself is nested under it). Refusals are OAuth errors with a sentence in error_description.
 * - audience: one value, a name the provider knows (its API's URN or `local-api`); it becomes the token's `aud`.
 * - resource: the provider's API URN only (RFC 8707). scope: within the API's scopes and the client's.
 * - JWT bearer: an assertion with an `aud` must name this provider or the client; one without `aud` (a Cognito access
 *   token) is accepted — a leniency of this provider, so that pool access tokens work as assertions.
 */
import type { JWTPayload } from 'jose';
import type { OidcErrors, OidcGrantContext, OidcProvider } from './oidc-types.js';
import { TrustRefusal, type ProviderTrust } from './trust.js';

export const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const GRANT_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TYPE = {
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  access: 'urn:ietf:params:oauth:token-type:access_token',
  id: 'urn:ietf:params:oauth:token-type:id_token',
};
const SUBJECT_TYPES = new Set([TYPE.jwt, TYPE.access, TYPE.id]);

export interface GrantSetup {
  trust: ProviderTrust;
  /** The API the tokens are for: identifier (resource URN), its scopes, oidc-provider's resource server info. */
  resource: { identifier: string; scope: string; info: Record<string, unknown> };
  /** Accepted `audience` values. */
  audiences: readonly string[];
  /** Extra claims of an access token being issued (read by the provider's extraTokenClaims). */
  extraClaims: WeakMap<object, Record<string, unknown>>;
}

type Ctx = OidcGrantContext;

function one(v: unknown): string | undefined {
  return Array.isArray(v) ? (v[0] as string | undefined) : (v as string | undefined);
}
function many(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string];
}

/** The two grants' handlers, sharing the target (aud, scope) and issuing logic. */
class OboGrants {
  constructor(
    private readonly provider: OidcProvider,
    private readonly errors: OidcErrors,
    private readonly setup: GrantSetup,
  ) {}

  private refuse(description: string) {
    const e = new this.errors.InvalidGrant();
    e.error_description = description;
    return e;
  }

  private async trusted<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof TrustRefusal) throw this.refuse(e.message);
      throw e;
    }
  }

  private required(ctx: Ctx, name: string): string {
    const v = one(ctx.oidc.params[name]);
    if (!v) throw new this.errors.InvalidRequest(`missing required parameter '${name}'`);
    return v;
  }

  /** aud and scope of the token to issue, from the audience/resource/scope parameters. */
  private target(ctx: Ctx): { aud: string; scope: string | undefined } {
    const { errors, setup } = this;
    const { params, client } = ctx.oidc;
    const resources = many(params.resource);
    const audiences = many(params.audience);
    if (resources.some((r) => r !== setup.resource.identifier))
      throw new errors.InvalidTarget(`unknown resource; this provider issues tokens for ${setup.resource.identifier}`);
    if (audiences.length > 1) throw new errors.InvalidTarget('only one audience is supported');
    if (audiences[0] !== undefined && !setup.audiences.includes(audiences[0]))
      throw new errors.InvalidTarget(`unknown audience ${audiences[0]}; known: ${setup.audiences.join(', ')}`);
    const allowed = new Set(setup.resource.scope.split(' '));
    const clientScopes = new Set(String(client.scope ?? '').split(' '));
    const requested = String(params.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const bad = requested.filter((s) => !allowed.has(s) || !clientScopes.has(s));
    if (bad.length) throw new errors.InvalidScope(`requested scope is not allowed: ${bad.join(' ')}`, bad.join(' '));
    return { aud: audiences[0] ?? setup.resource.identifier, scope: requested.join(' ') || undefined };
  }

  private async actorOf(ctx: Ctx): Promise<Record<string, unknown> | undefined> {
    const token = one(ctx.oidc.params.actor_token);
    if (!token) return undefined;
    const type = this.required(ctx, 'actor_token_type');
    if (type === TYPE.access) {
      const claims = await this.trusted(this.setup.trust.ownAccessToken(token));
      if (claims.client_id !== ctx.oidc.client.clientId)
        throw this.refuse(`actor_token was issued to client ${String(claims.client_id)}, not to the requesting client`);
      return { sub: claims.sub ?? claims.client_id, client_id: claims.client_id };
    }
    if (type === TYPE.jwt) {
      const audiences = [ctx.oidc.urlFor('token'), this.provider.issuer];
      const claims = await this.trusted(this.setup.trust.webIdentity(token, audiences, 'actor_token'));
      return { sub: claims.sub, iss: claims.iss };
    }
    throw new this.errors.InvalidRequest(`unsupported actor_token_type ${type}`);
  }

  private async issue(ctx: Ctx, subject: JWTPayload, actor: Record<string, unknown> | undefined) {
    const { provider, setup } = this;
    const { aud, scope } = this.target(ctx);
    const resourceServer = new provider.ResourceServer(setup.resource.identifier, setup.resource.info);
    const token = new provider.AccessToken({ accountId: subject.sub, client: ctx.oidc.client, scope, resourceServer });
    token.aud = aud;
    const nested = subject.act ? { act: subject.act } : {};
    if (actor) setup.extraClaims.set(token, { act: { ...actor, ...nested } });
    ctx.oidc.entity('AccessToken', token);
    const value = await token.save();
    return {
      access_token: value,
      token_type: token.tokenType,
      expires_in: token.expiration,
      ...(scope ? { scope } : {}),
    };
  }

  readonly tokenExchange = async (ctx: Ctx) => {
    const subjectToken = this.required(ctx, 'subject_token');
    const type = this.required(ctx, 'subject_token_type');
    if (!SUBJECT_TYPES.has(type)) throw new this.errors.InvalidRequest(`unsupported subject_token_type ${type}`);
    const requested = one(ctx.oidc.params.requested_token_type);
    if (requested && requested !== TYPE.access)
      throw new this.errors.InvalidRequest(`requested_token_type ${requested} is not issued; only access tokens are`);
    const subject = await this.trusted(this.setup.trust.subject(subjectToken));
    const actor = await this.actorOf(ctx);
    ctx.body = { ...(await this.issue(ctx, subject, actor)), issued_token_type: TYPE.access };
  };

  readonly jwtBearer = async (ctx: Ctx) => {
    const assertion = this.required(ctx, 'assertion');
    const subject = await this.trusted(this.setup.trust.subject(assertion, 'assertion'));
    const aud = many(subject.aud);
    const { clientId } = ctx.oidc.client;
    const accepted = [this.provider.issuer, ctx.oidc.urlFor('token'), clientId];
    if (aud.length && !aud.some((a) => accepted.includes(a)))
      throw this.refuse(`assertion audience ${aud.join(', ')} is neither this provider nor client ${clientId}`);
    ctx.body = await this.issue(ctx, subject, undefined);
  };
}

export function registerOboGrants(provider: OidcProvider, errors: OidcErrors, setup: GrantSetup): void {
  const grants = new OboGrants(provider, errors, setup);
  const common = ['audience', 'resource', 'scope'];
  const dupes = ['audience', 'resource'];
  const exchangeParams = ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type'];
  provider.registerGrantType(
    GRANT_TOKEN_EXCHANGE,
    grants.tokenExchange,
    [...exchangeParams, 'requested_token_type', ...common],
    dupes,
  );
  provider.registerGrantType(
    GRANT_JWT_BEARER,
    grants.jwtBearer,
    ['assertion', 'requested_token_use', ...common],
    dupes,
  );
}
