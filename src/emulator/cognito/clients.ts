/**
 * App clients (Create/Describe/List/Update/DeleteUserPoolClient) with Cognito's rules: client_credentials never beside
 * the code or implicit flow and only with a secret and custom scopes, custom scopes must exist on a resource server,
 * http callback URLs only for localhost. UpdateUserPoolClient resets what it is not given, as Cognito documents.
 */
import type { CognitoAuthFlow, OAuthFlow } from '../config.js';
import { cognitoError, cop, invalidParameter, page, poolOf, sec, type Body } from './context.js';
import { newClientId, newClientSecret, type Pool, type PoolClient } from './pools.js';
import { SHAPES } from './shapes.js';

const STANDARD_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'];
const DEFAULT_FLOWS = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];
const AUTH_FLOWS: Record<string, CognitoAuthFlow | undefined> = {
  ALLOW_USER_PASSWORD_AUTH: 'USER_PASSWORD_AUTH',
  USER_PASSWORD_AUTH: 'USER_PASSWORD_AUTH',
  ALLOW_ADMIN_USER_PASSWORD_AUTH: 'ADMIN_USER_PASSWORD_AUTH',
  ADMIN_NO_SRP_AUTH: 'ADMIN_USER_PASSWORD_AUTH',
  ALLOW_REFRESH_TOKEN_AUTH: 'REFRESH_TOKEN_AUTH',
  ALLOW_USER_SRP_AUTH: 'USER_SRP_AUTH',
};
/** Kept as given and echoed by DescribeUserPoolClient. */
const ECHOED = [
  'ExplicitAuthFlows',
  'SupportedIdentityProviders',
  'PreventUserExistenceErrors',
  'EnableTokenRevocation',
  'LogoutURLs',
  'DefaultRedirectURI',
];
const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

export function clientOut(p: Pool, c: PoolClient) {
  return {
    UserPoolId: p.id,
    ClientName: c.name,
    ClientId: c.clientId,
    ...(c.clientSecret ? { ClientSecret: c.clientSecret } : {}),
    LastModifiedDate: sec(c.lastModifiedAt),
    CreationDate: sec(c.createdAt),
    RefreshTokenValidity: Math.round(c.refreshTokenValiditySeconds / 86400),
    AccessTokenValidity: Math.round(c.accessTokenValiditySeconds / 60),
    IdTokenValidity: Math.round(c.idTokenValiditySeconds / 60),
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    ...c.settings,
    ExplicitAuthFlows:
      (c.settings.ExplicitAuthFlows as string[] | undefined) ?? c.explicitAuthFlows.map((f) => `ALLOW_${f}`),
    AllowedOAuthFlows: c.allowedOAuthFlows,
    AllowedOAuthScopes: c.allowedOAuthScopes,
    CallbackURLs: c.callbackUrls,
    LogoutURLs: c.logoutUrls,
    EnableTokenRevocation: c.tokenRevocation,
    AllowedOAuthFlowsUserPoolClient: c.allowedOAuthFlows.length > 0,
  };
}

function checkOAuth(pool: Pool, body: Body, hasSecret: boolean): { flows: string[]; scopes: string[] } {
  const flows = (body.AllowedOAuthFlows as string[] | undefined) ?? [];
  // UNVERIFIED wording; the rule itself is documented (OAuth 2.0 grants, Cognito developer guide).
  if (flows.includes('client_credentials') && (flows.includes('code') || flows.includes('implicit')))
    throw cognitoError(
      'InvalidOAuthFlowException',
      'client_credentials flow can not be selected if authorization code or implicit flow is selected.',
    );
  if (flows.includes('client_credentials') && !hasSecret)
    throw cognitoError(
      'InvalidOAuthFlowException',
      'client_credentials flow can not be selected if client does not have a client secret.',
    );
  const scopes = (body.AllowedOAuthScopes as string[] | undefined) ?? [];
  for (const s of scopes) {
    if (STANDARD_SCOPES.includes(s)) continue;
    const i = s.lastIndexOf('/');
    const rs = i > 0 ? pool.resourceServers.get(s.slice(0, i)) : undefined;
    if (!rs?.scopes.some((x) => x.ScopeName === s.slice(i + 1)))
      throw cognitoError('ScopeDoesNotExistException', `Invalid scope requested: ${s}`);
  }
  if (flows.includes('client_credentials') && scopes.some((s) => STANDARD_SCOPES.includes(s)))
    throw cognitoError(
      'InvalidOAuthFlowException',
      'client_credentials flow can only be used with custom (resource server) scopes.',
    );
  if (flows.length && body.AllowedOAuthFlowsUserPoolClient !== true)
    throw invalidParameter('AllowedOAuthFlowsUserPoolClient must be true to use AllowedOAuthFlows');
  return { flows, scopes };
}

function checkUrls(list: unknown): string[] {
  const urls = (list as string[] | undefined) ?? [];
  for (const u of urls) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw invalidParameter(`Invalid callback URL ${u}`);
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
      throw invalidParameter(`Invalid callback URL ${u}: http is allowed for localhost only`);
  }
  return urls;
}

function validity(body: Body, field: 'AccessToken' | 'IdToken' | 'RefreshToken', fallbackSeconds: number): number {
  const value = body[`${field}Validity`];
  if (typeof value !== 'number') return fallbackSeconds;
  const units = (body.TokenValidityUnits as Record<string, string> | undefined)?.[field];
  return value * UNIT_SECONDS[units ?? (field === 'RefreshToken' ? 'days' : 'hours')]!;
}

/** A client's settings from a Create/UpdateUserPoolClient body (Update passes the client's id and secret). */
function clientFrom(pool: Pool, body: Body, base: { clientId: string; clientSecret?: string; createdAt: number }) {
  const { flows, scopes } = checkOAuth(pool, body, !!base.clientSecret);
  const callbacks = checkUrls(body.CallbackURLs);
  const logoutUrls = checkUrls(body.LogoutURLs);
  if ((flows.includes('code') || flows.includes('implicit')) && callbacks.length === 0)
    throw invalidParameter('CallbackURLs must be set for the code and implicit flows');
  const explicit = (body.ExplicitAuthFlows as string[] | undefined) ?? [];
  const authFlows = (explicit.length ? explicit : DEFAULT_FLOWS)
    .map((f) => AUTH_FLOWS[f])
    .filter((f): f is CognitoAuthFlow => !!f);
  const settings: Record<string, unknown> = {};
  for (const k of ECHOED) if (body[k] !== undefined) settings[k] = body[k];
  const client: PoolClient = {
    name: String(body.ClientName),
    ...base,
    explicitAuthFlows: [...new Set(authFlows)],
    allowedOAuthFlows: flows.filter((f): f is OAuthFlow => f === 'code' || f === 'client_credentials'),
    allowedOAuthScopes: scopes,
    callbackUrls: callbacks,
    logoutUrls,
    tokenRevocation: body.EnableTokenRevocation !== false,
    accessTokenValiditySeconds: validity(body, 'AccessToken', 3600),
    idTokenValiditySeconds: validity(body, 'IdToken', 3600),
    refreshTokenValiditySeconds: validity(body, 'RefreshToken', 30 * 86400),
    settings,
    lastModifiedAt: base.createdAt,
  };
  return client;
}

export const createUserPoolClient = cop({
  name: 'CreateUserPoolClient',
  signed: true,
  input: SHAPES.CreateUserPoolClient,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    let clientId = newClientId();
    while (ctx.registry.client(clientId)) clientId = newClientId();
    const client = clientFrom(pool, body, {
      clientId,
      ...(body.GenerateSecret === true ? { clientSecret: newClientSecret() } : {}),
      createdAt: ctx.emu.now(),
    });
    ctx.registry.addClient(pool, client);
    return { UserPoolClient: clientOut(pool, client) };
  },
});

function existing(pool: Pool, id: unknown): PoolClient {
  const c = typeof id === 'string' ? pool.clients.get(id) : undefined;
  if (!c) throw cognitoError('ResourceNotFoundException', `User pool client ${String(id)} does not exist.`);
  return c;
}

export const updateUserPoolClient = cop({
  name: 'UpdateUserPoolClient',
  signed: true,
  input: SHAPES.UpdateUserPoolClient,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const old = existing(pool, body.ClientId);
    const client = clientFrom(
      pool,
      { ...body, ClientName: body.ClientName ?? old.name },
      {
        clientId: old.clientId,
        ...(old.clientSecret ? { clientSecret: old.clientSecret } : {}),
        createdAt: old.createdAt,
      },
    );
    client.lastModifiedAt = ctx.emu.now();
    ctx.registry.addClient(pool, client);
    return { UserPoolClient: clientOut(pool, client) };
  },
});

export const describeUserPoolClient = cop({
  name: 'DescribeUserPoolClient',
  signed: true,
  input: SHAPES.DescribeUserPoolClient,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    return { UserPoolClient: clientOut(pool, existing(pool, body.ClientId)) };
  },
});

export const listUserPoolClients = cop({
  name: 'ListUserPoolClients',
  signed: true,
  input: SHAPES.ListUserPoolClients,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const all = [...pool.clients.values()].map((c) => ({
      ClientId: c.clientId,
      UserPoolId: pool.id,
      ClientName: c.name,
    }));
    const { items, nextToken } = page(all, body.MaxResults, body.NextToken);
    return { UserPoolClients: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  },
});

export const deleteUserPoolClient = cop({
  name: 'DeleteUserPoolClient',
  signed: true,
  input: SHAPES.DeleteUserPoolClient,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    ctx.registry.removeClient(pool, existing(pool, body.ClientId).clientId);
    return {};
  },
});
