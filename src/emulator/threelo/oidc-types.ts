/**
 * The part of oidc-provider (9.x, panva) the local OAuth provider uses, typed structurally: the package ships no type
 * declarations (src/emulator/oidc-provider.d.ts declares it untyped) and the DefinitelyTyped ones describe older
 * majors. Each interface lists only what our code reads, writes or calls; a value we merely hand back to the library
 * is `unknown`. Types only: nothing here exists at run time.
 */
import type http from 'node:http';

/** What `import('oidc-provider')` gives us: the Provider class and the OAuth error classes. */
export interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
  errors: OidcErrors;
}

/** An OAuth error the library answers with (status 400): `error_description` may be set before it is thrown. */
export interface OidcError extends Error {
  error_description?: string;
}

/** The error classes we throw (their constructor arguments as oidc-provider 9 defines them in lib/helpers/errors). */
export interface OidcErrors {
  /** invalid_grant; its description is set on the instance. */
  InvalidGrant: new () => OidcError;
  InvalidRequest: new (description: string) => OidcError;
  InvalidTarget: new (description?: string) => OidcError;
  InvalidScope: new (description: string, scope: string) => OidcError;
}

/** A Provider instance. */
export interface OidcProvider {
  readonly issuer: string;
  urlFor(name: string): string;
  /** The provider's request handler (Koa's callback). */
  callback(): http.RequestListener;
  registerGrantType(
    name: string,
    handler: (ctx: OidcGrantContext) => Promise<void>,
    parameters: string[],
    allowedDuplicateParameters: string[],
  ): void;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<OidcInteraction>;
  interactionFinished(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    result: OidcInteractionResult,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  readonly Client: OidcClientClass;
  readonly Grant: OidcGrantClass;
  readonly AuthorizationCode: new (fields: OidcAuthorizationCodeFields) => OidcSavable;
  readonly AccessToken: new (fields: OidcAccessTokenFields) => OidcAccessToken;
  /** A resource server (RFC 8707 indicator + its info): only handed back to AccessToken. */
  readonly ResourceServer: new (
    identifier: string,
    info: Record<string, unknown>,
  ) => unknown;
}

export interface OidcClient {
  readonly clientId: string;
  /** The client's registered scopes, space-separated. */
  readonly scope?: string;
  redirectUriAllowed(redirectUri: string): boolean;
}

export interface OidcClientClass {
  find(clientId: string): Promise<OidcClient | undefined>;
  /** Patched (provider.ts) so that every callback URL on the stack is an allowed redirect URI. */
  readonly prototype: OidcClient;
}

export interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  /** Stores the grant; resolves to its id. */
  save(): Promise<string>;
}

export interface OidcGrantClass {
  find(grantId: string): Promise<OidcGrant | undefined>;
  new (owner: { accountId: string; clientId: string }): OidcGrant;
}

/** A token model that stores itself; save() resolves to the token's value (the code, the access token). */
export interface OidcSavable {
  save(): Promise<string>;
}

export interface OidcAuthorizationCodeFields {
  accountId: string;
  /** Seconds since the epoch. */
  authTime: number;
  client: OidcClient;
  grantId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256';
  expiresWithSession: boolean;
  resource?: string;
  nonce?: string | null;
}

export interface OidcAccessTokenFields {
  accountId: string | undefined;
  client: OidcClient;
  scope: string | undefined;
  resourceServer: unknown;
}

export interface OidcAccessToken extends OidcSavable {
  /** The token's `aud`; set after construction to the requested audience. */
  aud?: string;
  readonly tokenType: string;
  /** Seconds until it expires. */
  readonly expiration: number;
}

/** A pending interaction (provider.interactionDetails): the prompt to answer for the authorization request. */
export interface OidcInteraction {
  uid: string;
  /** The grant already made for this session and client, when there is one. */
  grantId?: string;
  params: { client_id: string; login_hint?: string; scope?: string; [name: string]: unknown };
  prompt: { name: string; details: Record<string, unknown> };
  /** The signed-in user; absent before login. */
  session?: { accountId: string };
}

/** How an interaction ends: a login, a consent, or an OAuth error for the client. */
export type OidcInteractionResult =
  | { login: { accountId: string } }
  | { consent: { grantId: string } }
  | { error: string; error_description: string };

/** The Koa context a registered grant handler gets: the request's OAuth side (`oidc`) and the response body. */
export interface OidcGrantContext {
  oidc: {
    /** The grant's parameters (registerGrantType's list); a duplicated one is an array. */
    params: Record<string, unknown>;
    client: OidcClient;
    urlFor(name: string): string;
    /** Records a model the request produced (for the provider's events). */
    entity(name: string, value: object): void;
  };
  body?: unknown;
}

/** The Koa context of the renderError hook: the error page is set as the response. */
export interface OidcRenderErrorContext {
  type: string;
  body: unknown;
}
