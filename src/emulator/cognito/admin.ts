/**
 * The Cognito admin API (awsJson1_1, SigV4 as `cognito-idp`) that `agentcore-auth setup`/`teardown` call: user pools
 * (Create/Describe/List/Delete, tags), resource servers, hosted-UI domains, app clients, and AdminCreateUser /
 * AdminSetUserPassword / AdminGetUser / AdminDeleteUser. Shapes follow @aws-sdk/client-cognito-identity-provider
 * (timestamps as epoch seconds). Messages seen from the real service are used where known ("Domain already associated
 * with another user pool.", "User pool cannot be deleted. It has a domain configured that should be deleted first.",
 * "Domain cannot contain reserved word: aws", "User account already exists", "User does not exist."); the others are
 * marked UNVERIFIED.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SIGNING_NAME } from '../../wire.js';
import type { CognitoAuthFlow, OAuthFlow } from '../config.js';
import type { EmuContext } from '../context.js';
import type { EmuRequest } from '../server.js';
import {
  CognitoError,
  DEFAULT_POLICY,
  newClientId,
  newClientSecret,
  newPoolId,
  passwordPolicyViolation,
  poolKey,
  type PasswordPolicy,
  type Pool,
  type PoolClient,
  type PoolRegistry,
} from './pools.js';

type Body = Record<string, unknown>;

const STANDARD_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'];
const DOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_WORDS = ['aws', 'amazon', 'cognito'];

function invalid(message: string): CognitoError {
  return new CognitoError('InvalidParameterException', message);
}

function required(body: Body, field: string, path = field.charAt(0).toLowerCase() + field.slice(1)): string {
  const v = body[field];
  if (typeof v !== 'string' || !v)
    throw invalid(
      `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid(`${field} must be a list of strings`);
  return v as string[];
}

function tagsOf(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid('UserPoolTags must be a map of strings');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') throw invalid(`Tag ${k} must have a string value`);
    if (k.length < 1 || k.length > 128 || val.length > 256)
      throw invalid('Tag keys are 1–128 characters and values up to 256');
    out[k] = val;
  }
  if (Object.keys(out).length > 50) throw invalid('A user pool can have up to 50 tags');
  return out;
}

const sec = (ms: number) => Math.floor(ms / 1000);

function paginate<T>(items: T[], body: Body, field = 'maxResults'): { page: T[]; next?: string } {
  const max = body.MaxResults;
  if (field === 'maxResults' && (typeof max !== 'number' || !Number.isInteger(max))) {
    throw invalid(
      "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null",
    );
  }
  const size = typeof max === 'number' ? max : 60;
  if (size < 1 || size > 60)
    throw invalid(
      `1 validation error detected: Value '${size}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60`,
    );
  const token = typeof body.NextToken === 'string' ? body.NextToken : undefined;
  const start = token ? Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10) : 0;
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw invalid('Invalid pagination token');
  const page = items.slice(start, start + size);
  return {
    page,
    ...(start + size < items.length ? { next: Buffer.from(String(start + size)).toString('base64url') } : {}),
  };
}

const AUTH_FLOWS: Record<string, CognitoAuthFlow | undefined> = {
  ALLOW_USER_PASSWORD_AUTH: 'USER_PASSWORD_AUTH',
  USER_PASSWORD_AUTH: 'USER_PASSWORD_AUTH',
  ALLOW_ADMIN_USER_PASSWORD_AUTH: 'ADMIN_USER_PASSWORD_AUTH',
  ADMIN_NO_SRP_AUTH: 'ADMIN_USER_PASSWORD_AUTH',
  ALLOW_REFRESH_TOKEN_AUTH: 'REFRESH_TOKEN_AUTH',
  ALLOW_USER_SRP_AUTH: undefined,
  ALLOW_CUSTOM_AUTH: undefined,
  ALLOW_USER_AUTH: undefined,
  CUSTOM_AUTH_FLOW_ONLY: undefined,
};

export interface AdminApi {
  /** The operation's response, or undefined when `op` is not an admin operation. */
  dispatch(op: string, body: Body, req: EmuRequest): Promise<unknown>;
}

export function createAdminApi(ctx: EmuContext, registry: PoolRegistry): AdminApi {
  const { config } = ctx;
  const now = () => ctx.now();

  function pool(body: Body): Pool {
    const id = required(body, 'UserPoolId');
    const p = registry.pools.get(id);
    if (!p) throw new CognitoError('ResourceNotFoundException', `User pool ${id} does not exist.`);
    return p;
  }

  function poolOut(p: Pool) {
    return {
      Id: p.id,
      Name: p.name,
      Arn: p.arn,
      CreationDate: sec(p.createdAt),
      LastModifiedDate: sec(p.lastModifiedAt),
      Policies: { PasswordPolicy: p.policy },
      DeletionProtection: p.deletionProtection,
      LambdaConfig: {},
      EstimatedNumberOfUsers: p.users.size,
      MfaConfiguration: 'OFF',
      UserPoolTags: { ...p.tags },
      ...(p.domain ? { Domain: p.domain } : {}),
      ...p.settings,
    };
  }

  function clientOut(p: Pool, c: PoolClient) {
    return {
      UserPoolId: p.id,
      ClientName: c.name,
      ClientId: c.clientId,
      ...(c.clientSecret ? { ClientSecret: c.clientSecret } : {}),
      LastModifiedDate: sec(c.createdAt),
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
      AllowedOAuthFlowsUserPoolClient: c.allowedOAuthFlows.length > 0,
    };
  }

  function userOut(u: Pool['users'] extends Map<string, infer U> ? U : never) {
    return {
      Username: u.username,
      Attributes: [
        { Name: 'sub', Value: u.sub },
        ...Object.entries(u.attributes)
          .filter(([k]) => k !== 'sub')
          .map(([Name, Value]) => ({ Name, Value })),
      ],
      UserCreateDate: sec(u.createdAt),
      UserLastModifiedDate: sec(u.lastModifiedAt),
      Enabled: u.enabled,
      UserStatus: u.temporary ? 'FORCE_CHANGE_PASSWORD' : 'CONFIRMED',
    };
  }

  async function createUserPool(body: Body) {
    const name = required(body, 'PoolName');
    if (name.length > 128 || !/^[\w\s+=,.@-]+$/.test(name)) {
      throw invalid(
        `1 validation error detected: Value '${name}' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+`,
      );
    }
    const given = (body.Policies as { PasswordPolicy?: Partial<PasswordPolicy> } | undefined)?.PasswordPolicy ?? {};
    const policy: PasswordPolicy = { ...DEFAULT_POLICY, ...given };
    if (policy.MinimumLength < 6 || policy.MinimumLength > 99)
      throw invalid('Password policy MinimumLength must be between 6 and 99');
    const id = newPoolId(config.region);
    const t = now();
    const settings: Record<string, unknown> = {};
    for (const k of ['AdminCreateUserConfig', 'AccountRecoverySetting', 'UsernameConfiguration', 'UserPoolTier'])
      if (body[k] !== undefined) settings[k] = body[k];
    const p: Pool = {
      id,
      name,
      arn: `arn:aws:cognito-idp:${config.region}:${config.accountId}:userpool/${id}`,
      issuer: `${ctx.origin}/${id}`,
      createdAt: t,
      lastModifiedAt: t,
      tags: tagsOf(body.UserPoolTags),
      users: new Map(),
      clients: new Map(),
      resourceServers: new Map(),
      policy,
      settings,
      deletionProtection: body.DeletionProtection === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
      key: await poolKey(ctx.keys),
    };
    registry.add(p);
    return { UserPool: poolOut(p) };
  }

  function createClient(body: Body) {
    const p = pool(body);
    const name = required(body, 'ClientName');
    const flows = strings(body.AllowedOAuthFlows, 'AllowedOAuthFlows');
    for (const f of flows)
      if (!['code', 'implicit', 'client_credentials'].includes(f))
        throw invalid(
          `1 validation error detected: Value '[${flows.join(', ')}]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy enum value set: [implicit, client_credentials, code]`,
        );
    // UNVERIFIED wording; the rule itself is documented (OAuth 2.0 grants, Cognito developer guide).
    if (flows.includes('client_credentials') && (flows.includes('code') || flows.includes('implicit'))) {
      throw new CognitoError(
        'InvalidOAuthFlowException',
        'client_credentials flow can not be selected if authorization code or implicit flow is selected.',
      );
    }
    if (flows.includes('client_credentials') && body.GenerateSecret !== true) {
      throw new CognitoError(
        'InvalidOAuthFlowException',
        'client_credentials flow can not be selected if client does not have a client secret.',
      );
    }
    const scopes = strings(body.AllowedOAuthScopes, 'AllowedOAuthScopes');
    for (const s of scopes) {
      if (STANDARD_SCOPES.includes(s)) continue;
      const i = s.lastIndexOf('/');
      const rs = i > 0 ? p.resourceServers.get(s.slice(0, i)) : undefined;
      if (!rs || !rs.scopes.some((x) => x.ScopeName === s.slice(i + 1)))
        throw new CognitoError('ScopeDoesNotExistException', `Invalid scope requested: ${s}`);
    }
    if (flows.includes('client_credentials') && scopes.some((s) => STANDARD_SCOPES.includes(s))) {
      throw new CognitoError(
        'InvalidOAuthFlowException',
        'client_credentials flow can only be used with custom (resource server) scopes.',
      );
    }
    const callbacks = strings(body.CallbackURLs, 'CallbackURLs');
    for (const u of callbacks) {
      let url: URL;
      try {
        url = new URL(u);
      } catch {
        throw invalid(`Invalid callback URL ${u}`);
      }
      if (
        url.protocol !== 'https:' &&
        !(url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
      ) {
        throw invalid(`Invalid callback URL ${u}: http is allowed for localhost only`);
      }
    }
    if ((flows.includes('code') || flows.includes('implicit')) && callbacks.length === 0)
      throw invalid('CallbackURLs must be set for the code and implicit flows');
    if (flows.length && body.AllowedOAuthFlowsUserPoolClient !== true)
      throw invalid('AllowedOAuthFlowsUserPoolClient must be true to use AllowedOAuthFlows');
    const explicit = strings(body.ExplicitAuthFlows, 'ExplicitAuthFlows');
    for (const f of explicit)
      if (!(f in AUTH_FLOWS))
        throw invalid(
          `1 validation error detected: Value '[${explicit.join(', ')}]' at 'explicitAuthFlows' failed to satisfy constraint: unknown flow ${f}`,
        );
    const authFlows = (
      explicit.length ? explicit : ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH']
    )
      .map((f) => AUTH_FLOWS[f])
      .filter((f): f is CognitoAuthFlow => !!f);
    let clientId = newClientId();
    while (registry.client(clientId)) clientId = newClientId();
    const settings: Record<string, unknown> = {};
    for (const k of [
      'ExplicitAuthFlows',
      'SupportedIdentityProviders',
      'PreventUserExistenceErrors',
      'EnableTokenRevocation',
      'LogoutURLs',
      'DefaultRedirectURI',
    ])
      if (body[k] !== undefined) settings[k] = body[k];
    const client: PoolClient = {
      name,
      clientId,
      ...(body.GenerateSecret === true ? { clientSecret: newClientSecret() } : {}),
      explicitAuthFlows: [...new Set(authFlows)],
      allowedOAuthFlows: flows.filter((f): f is OAuthFlow => f === 'code' || f === 'client_credentials'),
      allowedOAuthScopes: scopes,
      callbackUrls: callbacks,
      accessTokenValiditySeconds: 3600,
      idTokenValiditySeconds: 3600,
      refreshTokenValiditySeconds: 30 * 86400,
      settings,
      createdAt: now(),
    };
    registry.addClient(p, client);
    return { UserPoolClient: clientOut(p, client) };
  }

  function userOf(p: Pool, body: Body) {
    const username = required(body, 'Username');
    const u = p.users.get(username);
    if (!u) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    return u;
  }

  const ops: Record<string, (body: Body) => Promise<unknown> | unknown> = {
    CreateUserPool: createUserPool,
    DescribeUserPool: (body) => ({ UserPool: poolOut(pool(body)) }),
    ListUserPools: (body) => {
      const all = [...registry.pools.values()].map((p) => ({
        Id: p.id,
        Name: p.name,
        LambdaConfig: {},
        CreationDate: sec(p.createdAt),
        LastModifiedDate: sec(p.lastModifiedAt),
      }));
      const { page, next } = paginate(all, body);
      return { UserPools: page, ...(next ? { NextToken: next } : {}) };
    },
    DeleteUserPool: (body) => {
      const p = pool(body);
      if (p.domain)
        throw invalid('User pool cannot be deleted. It has a domain configured that should be deleted first.');
      // UNVERIFIED wording.
      if (p.deletionProtection === 'ACTIVE')
        throw invalid('The user pool cannot be deleted because deletion protection is activated.');
      registry.remove(p.id);
      // its issuer and JWKS are gone with it: the key may sign for a pool created later (under another key id)
      ctx.keys.giveBack(p.key);
      return {};
    },
    TagResource: (body) => {
      const arn = required(body, 'ResourceArn');
      const p = registry.byArn(arn);
      if (!p) throw new CognitoError('ResourceNotFoundException', `Resource ${arn} does not exist.`);
      Object.assign(p.tags, tagsOf(body.Tags));
      return {};
    },
    UntagResource: (body) => {
      const arn = required(body, 'ResourceArn');
      const p = registry.byArn(arn);
      if (!p) throw new CognitoError('ResourceNotFoundException', `Resource ${arn} does not exist.`);
      for (const k of strings(body.TagKeys, 'TagKeys')) delete p.tags[k];
      return {};
    },
    ListTagsForResource: (body) => {
      const arn = required(body, 'ResourceArn');
      const p = registry.byArn(arn);
      if (!p) throw new CognitoError('ResourceNotFoundException', `Resource ${arn} does not exist.`);
      return { Tags: { ...p.tags } };
    },

    CreateResourceServer: (body) => {
      const p = pool(body);
      const identifier = required(body, 'Identifier');
      const name = required(body, 'Name');
      // UNVERIFIED wording.
      if (p.resourceServers.has(identifier)) throw invalid(`${identifier} already exists in user pool ${p.id}.`);
      const scopes = (
        (body.Scopes as Array<{ ScopeName?: unknown; ScopeDescription?: unknown }> | undefined) ?? []
      ).map((s) => {
        if (typeof s.ScopeName !== 'string' || !/^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$/.test(s.ScopeName))
          throw invalid('ScopeName must be 1–256 printable characters without / " \\');
        if (typeof s.ScopeDescription !== 'string' || !s.ScopeDescription)
          throw invalid(
            "1 validation error detected: Value null at 'resourceServer.scopes.member.scopeDescription' failed to satisfy constraint: Member must not be null",
          );
        return { ScopeName: s.ScopeName, ScopeDescription: s.ScopeDescription };
      });
      p.resourceServers.set(identifier, { identifier, name, scopes });
      return { ResourceServer: { UserPoolId: p.id, Identifier: identifier, Name: name, Scopes: scopes } };
    },
    DescribeResourceServer: (body) => {
      const p = pool(body);
      const identifier = required(body, 'Identifier');
      const rs = p.resourceServers.get(identifier);
      // UNVERIFIED wording.
      if (!rs) throw new CognitoError('ResourceNotFoundException', `Resource server ${identifier} does not exist.`);
      return { ResourceServer: { UserPoolId: p.id, Identifier: rs.identifier, Name: rs.name, Scopes: rs.scopes } };
    },
    DeleteResourceServer: (body) => {
      const p = pool(body);
      const identifier = required(body, 'Identifier');
      if (!p.resourceServers.delete(identifier))
        throw new CognitoError('ResourceNotFoundException', `Resource server ${identifier} does not exist.`);
      return {};
    },

    CreateUserPoolDomain: (body) => {
      const domain = required(body, 'Domain');
      const p = pool(body);
      if (body.CustomDomainConfig !== undefined)
        throw invalid('Custom domains are not emulated by the local stack (use a prefix domain)');
      if (!DOMAIN_PATTERN.test(domain)) {
        throw invalid(
          'The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$',
        );
      }
      const reserved = RESERVED_WORDS.find((w) => domain.includes(w));
      if (reserved) throw invalid(`Domain cannot contain reserved word: ${reserved}`);
      if (registry.domains.has(domain)) throw invalid('Domain already associated with another user pool.');
      // UNVERIFIED wording.
      if (p.domain) throw invalid(`User pool ${p.id} already has a domain configured.`);
      p.domain = domain;
      registry.domains.set(domain, p.id);
      return { ManagedLoginVersion: typeof body.ManagedLoginVersion === 'number' ? body.ManagedLoginVersion : 1 };
    },
    DescribeUserPoolDomain: (body) => {
      const domain = required(body, 'Domain');
      const poolId = registry.domains.get(domain);
      if (!poolId) return { DomainDescription: {} };
      return {
        DomainDescription: {
          UserPoolId: poolId,
          AWSAccountId: config.accountId,
          Domain: domain,
          CloudFrontDistribution: `${randomBytes(7).toString('hex')}.cloudfront.net`,
          Version: randomUUID(),
          Status: 'ACTIVE',
          ManagedLoginVersion: 1,
        },
      };
    },
    DeleteUserPoolDomain: (body) => {
      const domain = required(body, 'Domain');
      const p = pool(body);
      // UNVERIFIED wording.
      if (p.domain !== domain) throw invalid('No such domain or user pool exists.');
      delete p.domain;
      registry.domains.delete(domain);
      return {};
    },

    CreateUserPoolClient: createClient,
    DescribeUserPoolClient: (body) => {
      const p = pool(body);
      const id = required(body, 'ClientId');
      const c = p.clients.get(id);
      if (!c) throw new CognitoError('ResourceNotFoundException', `User pool client ${id} does not exist.`);
      return { UserPoolClient: clientOut(p, c) };
    },
    ListUserPoolClients: (body) => {
      const p = pool(body);
      const all = [...p.clients.values()].map((c) => ({ ClientId: c.clientId, UserPoolId: p.id, ClientName: c.name }));
      const { page, next } = paginate(all, { ...body, MaxResults: body.MaxResults ?? 60 });
      return { UserPoolClients: page, ...(next ? { NextToken: next } : {}) };
    },
    DeleteUserPoolClient: (body) => {
      const p = pool(body);
      const id = required(body, 'ClientId');
      if (!p.clients.has(id))
        throw new CognitoError('ResourceNotFoundException', `User pool client ${id} does not exist.`);
      registry.removeClient(p, id);
      return {};
    },

    AdminCreateUser: (body) => {
      const p = pool(body);
      const username = required(body, 'Username');
      if (p.users.has(username)) throw new CognitoError('UsernameExistsException', 'User account already exists');
      const temp =
        typeof body.TemporaryPassword === 'string' && body.TemporaryPassword
          ? body.TemporaryPassword
          : `Tmp-${randomBytes(9).toString('base64url')}1aA!`;
      const violation = passwordPolicyViolation(temp, p.policy);
      if (violation)
        throw new CognitoError('InvalidPasswordException', `Password does not conform to policy: ${violation}`);
      if (body.MessageAction !== undefined && body.MessageAction !== 'SUPPRESS' && body.MessageAction !== 'RESEND')
        throw invalid("MessageAction must be 'SUPPRESS' or 'RESEND'");
      const attributes: Record<string, string> = {};
      for (const a of (body.UserAttributes as Array<{ Name?: string; Value?: string }> | undefined) ?? [])
        if (a.Name && typeof a.Value === 'string') attributes[a.Name] = a.Value;
      const t = now();
      const user = {
        username,
        sub: randomUUID(),
        password: temp,
        temporary: true,
        enabled: true,
        attributes,
        createdAt: t,
        lastModifiedAt: t,
      };
      p.users.set(username, user);
      return { User: userOut(user) };
    },
    AdminSetUserPassword: (body) => {
      const p = pool(body);
      const u = userOf(p, body);
      const password = required(body, 'Password');
      const violation = passwordPolicyViolation(password, p.policy);
      if (violation)
        throw new CognitoError('InvalidPasswordException', `Password does not conform to policy: ${violation}`);
      u.password = password;
      u.temporary = body.Permanent !== true;
      u.lastModifiedAt = now();
      return {};
    },
    AdminGetUser: (body) => {
      const u = userOf(pool(body), body);
      const out = userOut(u);
      return {
        Username: out.Username,
        UserAttributes: out.Attributes,
        UserCreateDate: out.UserCreateDate,
        UserLastModifiedDate: out.UserLastModifiedDate,
        Enabled: out.Enabled,
        UserStatus: out.UserStatus,
      };
    },
    AdminDeleteUser: (body) => {
      const p = pool(body);
      const u = userOf(p, body);
      p.users.delete(u.username);
      return {};
    },
  };

  return {
    async dispatch(op, body, req) {
      const run = ops[op];
      if (!run) return undefined;
      const sig = await ctx.verify(req, SIGNING_NAME.cognito);
      if (!sig.ok) throw new CognitoError(sig.type, sig.message, sig.status === 403 ? 400 : sig.status);
      const out = await run(body);
      const touched = typeof body.UserPoolId === 'string' ? registry.pools.get(body.UserPoolId) : undefined;
      if (
        touched &&
        op !== 'DescribeUserPool' &&
        !op.startsWith('Describe') &&
        !op.startsWith('List') &&
        op !== 'AdminGetUser'
      )
        touched.lastModifiedAt = now();
      return out;
    },
  };
}
