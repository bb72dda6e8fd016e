/**
 * User pools (Create/Describe/List/Update/DeleteUserPool, AddCustomAttributes), their tags and hosted-UI domains —
 * what `agentcore-auth setup`/`teardown` call, with Cognito's rules (a pool with a domain cannot be deleted, domain
 * prefixes unique, reserved words refused). Messages seen from the real service are used where known ("Domain already
 * associated with another user pool.", "User pool cannot be deleted. It has a domain configured that should be
 * deleted first.", "Domain cannot contain reserved word: aws"); the others are marked UNVERIFIED.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cognitoError, cop, invalidParameter, page, poolOf, sec, type CognitoCtx } from './context.js';
import { DEFAULT_POLICY, newPool, newPoolId, poolKey, STANDARD_ATTRIBUTES, type Pool } from './pools.js';
import { SHAPES } from './shapes.js';

const DOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_WORDS = ['aws', 'amazon', 'cognito'];
/** Settings kept as given and echoed by DescribeUserPool. */
const ECHOED = ['AdminCreateUserConfig', 'AccountRecoverySetting', 'UsernameConfiguration', 'AutoVerifiedAttributes'];

function schemaOut(pool: Pool) {
  return [
    ...STANDARD_ATTRIBUTES.map((Name) => ({ Name, AttributeDataType: 'String', Mutable: Name !== 'sub' })),
    ...[...pool.customAttributes].map(([name, a]) => ({
      Name: `custom:${name}`,
      AttributeDataType: a.type,
      Mutable: a.mutable,
      DeveloperOnlyAttribute: false,
      Required: false,
    })),
  ];
}

export function poolOut(p: Pool) {
  return {
    Id: p.id,
    Name: p.name,
    Arn: p.arn,
    CreationDate: sec(p.createdAt),
    LastModifiedDate: sec(p.lastModifiedAt),
    Policies: { PasswordPolicy: p.policy },
    DeletionProtection: p.deletionProtection,
    LambdaConfig: p.lambdaConfig,
    EstimatedNumberOfUsers: p.users.size,
    MfaConfiguration: p.mfa.configuration,
    SchemaAttributes: schemaOut(p),
    UserPoolTags: { ...p.tags },
    UserPoolTier: (p.settings.UserPoolTier as string | undefined) ?? 'ESSENTIALS',
    ...(p.domain ? { Domain: p.domain } : {}),
    ...Object.fromEntries(Object.entries(p.settings).filter(([k]) => k !== 'UserPoolTier')),
  };
}

type Attr = { Name?: string; AttributeDataType?: string; Mutable?: boolean };

/** Custom attributes of a Schema / AddCustomAttributes (names without the `custom:` prefix, as Cognito takes them). */
function addCustomAttributes(pool: Pool, list: unknown, strict: boolean): void {
  for (const a of (list as Attr[] | undefined) ?? []) {
    if (!a.Name || STANDARD_ATTRIBUTES.includes(a.Name)) continue;
    const name = a.Name.replace(/^custom:/, '');
    // UNVERIFIED wording.
    if (strict && pool.customAttributes.has(name)) throw invalidParameter(`custom:${name} already exists`);
    pool.customAttributes.set(name, { type: a.AttributeDataType ?? 'String', mutable: a.Mutable ?? true });
  }
}

/** The settings CreateUserPool and UpdateUserPool share (UpdateUserPool resets what it is not given, as Cognito). */
function applyPoolSettings(pool: Pool, body: Record<string, unknown>): void {
  const given = (body.Policies as { PasswordPolicy?: Partial<Pool['policy']> } | undefined)?.PasswordPolicy ?? {};
  pool.policy = { ...DEFAULT_POLICY, ...given };
  pool.deletionProtection = body.DeletionProtection === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE';
  pool.lambdaConfig = (body.LambdaConfig as Record<string, unknown> | undefined) ?? {};
  const mfa = (body.MfaConfiguration as Pool['mfa']['configuration'] | undefined) ?? 'OFF';
  pool.mfa = { ...pool.mfa, configuration: mfa };
  const settings: Record<string, unknown> = {};
  for (const k of [...ECHOED, 'UserPoolTier']) if (body[k] !== undefined) settings[k] = body[k];
  pool.settings = settings;
}

export const createUserPool = cop({
  name: 'CreateUserPool',
  signed: true,
  input: SHAPES.CreateUserPool,
  handle: async ({ ctx, body }) => {
    const { config } = ctx.emu;
    const id = newPoolId(config.region);
    const pool = newPool({
      id,
      name: String(body.PoolName),
      region: config.region,
      accountId: config.accountId,
      origin: ctx.emu.origin,
      now: ctx.emu.now(),
      key: await poolKey(ctx.emu.keys),
    });
    applyPoolSettings(pool, body);
    pool.tags = { ...((body.UserPoolTags as Record<string, string> | undefined) ?? {}) };
    addCustomAttributes(pool, body.Schema, false);
    ctx.registry.add(pool);
    return { UserPool: poolOut(pool) };
  },
});

export const updateUserPool = cop({
  name: 'UpdateUserPool',
  signed: true,
  input: SHAPES.UpdateUserPool,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    applyPoolSettings(pool, body);
    if (typeof body.PoolName === 'string') pool.name = body.PoolName;
    if (body.UserPoolTags !== undefined) pool.tags = { ...(body.UserPoolTags as Record<string, string>) };
    return {};
  },
});

export const describeUserPool = cop({
  name: 'DescribeUserPool',
  signed: true,
  input: SHAPES.DescribeUserPool,
  handle: ({ ctx, body }) => ({ UserPool: poolOut(poolOf(ctx, body.UserPoolId)) }),
});

export const listUserPools = cop({
  name: 'ListUserPools',
  signed: true,
  input: SHAPES.ListUserPools,
  handle: ({ ctx, body }) => {
    const all = [...ctx.registry.pools.values()].map((p) => ({
      Id: p.id,
      Name: p.name,
      LambdaConfig: p.lambdaConfig,
      CreationDate: sec(p.createdAt),
      LastModifiedDate: sec(p.lastModifiedAt),
    }));
    const { items, nextToken } = page(all, body.MaxResults, body.NextToken);
    return { UserPools: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  },
});

export const deleteUserPool = cop({
  name: 'DeleteUserPool',
  signed: true,
  input: SHAPES.DeleteUserPool,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    if (pool.domain)
      throw invalidParameter('User pool cannot be deleted. It has a domain configured that should be deleted first.');
    // UNVERIFIED wording.
    if (pool.deletionProtection === 'ACTIVE')
      throw invalidParameter('The user pool cannot be deleted because deletion protection is activated.');
    ctx.registry.remove(pool.id);
    // its issuer and JWKS are gone with it: the key may sign for a pool created later (under another key id)
    ctx.emu.keys.giveBack(pool.key);
    return {};
  },
});

export const addCustomAttributesOp = cop({
  name: 'AddCustomAttributes',
  signed: true,
  input: SHAPES.AddCustomAttributes,
  handle: ({ ctx, body }) => {
    addCustomAttributes(poolOf(ctx, body.UserPoolId), body.CustomAttributes, true);
    return {};
  },
});

function byArn(ctx: CognitoCtx, arn: unknown): Pool {
  const pool = ctx.registry.byArn(String(arn));
  if (!pool) throw cognitoError('ResourceNotFoundException', `Resource ${String(arn)} does not exist.`);
  return pool;
}

export const tagResource = cop({
  name: 'TagResource',
  signed: true,
  input: SHAPES.TagResource,
  handle: ({ ctx, body }) => {
    const pool = byArn(ctx, body.ResourceArn);
    const tags = { ...pool.tags, ...((body.Tags as Record<string, string> | undefined) ?? {}) };
    if (Object.keys(tags).length > 50) throw invalidParameter('A user pool can have up to 50 tags');
    pool.tags = tags;
    return {};
  },
});

export const untagResource = cop({
  name: 'UntagResource',
  signed: true,
  input: SHAPES.UntagResource,
  handle: ({ ctx, body }) => {
    const pool = byArn(ctx, body.ResourceArn);
    for (const k of (body.TagKeys as string[] | undefined) ?? []) delete pool.tags[k];
    return {};
  },
});

export const listTagsForResource = cop({
  name: 'ListTagsForResource',
  signed: true,
  input: SHAPES.ListTagsForResource,
  handle: ({ ctx, body }) => ({ Tags: { ...byArn(ctx, body.ResourceArn).tags } }),
});

export const createUserPoolDomain = cop({
  name: 'CreateUserPoolDomain',
  signed: true,
  input: SHAPES.CreateUserPoolDomain,
  handle: ({ ctx, body }) => {
    const domain = String(body.Domain);
    const pool = poolOf(ctx, body.UserPoolId);
    if (body.CustomDomainConfig !== undefined)
      throw invalidParameter('Custom domains are not emulated by the local stack (use a prefix domain)');
    if (!DOMAIN_PATTERN.test(domain)) {
      throw invalidParameter(
        'The domain name contains an invalid character. Domain names can only contain lower-case letters, ' +
          'numbers, and hyphens. Please enter a different name that follows this format: ' +
          '^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$',
      );
    }
    const reserved = RESERVED_WORDS.find((w) => domain.includes(w));
    if (reserved) throw invalidParameter(`Domain cannot contain reserved word: ${reserved}`);
    if (ctx.registry.domains.has(domain)) throw invalidParameter('Domain already associated with another user pool.');
    // UNVERIFIED wording.
    if (pool.domain) throw invalidParameter(`User pool ${pool.id} already has a domain configured.`);
    pool.domain = domain;
    ctx.registry.domains.set(domain, pool.id);
    return { ManagedLoginVersion: typeof body.ManagedLoginVersion === 'number' ? body.ManagedLoginVersion : 1 };
  },
});

export const describeUserPoolDomain = cop({
  name: 'DescribeUserPoolDomain',
  signed: true,
  input: SHAPES.DescribeUserPoolDomain,
  handle: ({ ctx, body }) => {
    const domain = String(body.Domain);
    const poolId = ctx.registry.domains.get(domain);
    if (!poolId) return { DomainDescription: {} };
    return {
      DomainDescription: {
        UserPoolId: poolId,
        AWSAccountId: ctx.emu.config.accountId,
        Domain: domain,
        CloudFrontDistribution: `${randomBytes(7).toString('hex')}.cloudfront.net`,
        Version: randomUUID(),
        Status: 'ACTIVE',
        ManagedLoginVersion: 1,
      },
    };
  },
});

export const deleteUserPoolDomain = cop({
  name: 'DeleteUserPoolDomain',
  signed: true,
  input: SHAPES.DeleteUserPoolDomain,
  handle: ({ ctx, body }) => {
    const domain = String(body.Domain);
    const pool = poolOf(ctx, body.UserPoolId);
    // UNVERIFIED wording.
    if (pool.domain !== domain) throw invalidParameter('No such domain or user pool exists.');
    delete pool.domain;
    ctx.registry.domains.delete(domain);
    return {};
  },
});
