/**
 * Users: AdminCreateUser / AdminSetUserPassword / AdminGetUser / AdminDeleteUser (what `setup` calls), AdminDisable /
 * AdminEnableUser, AdminUpdateUserAttributes (standard and `custom:` attributes of the schema), ListUsers with
 * Cognito's Filter (user-filter.ts) and GetUser with the user's own access token.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  attributeList,
  attributesFrom,
  checkAttributeNames,
  cognitoError,
  cop,
  findUser,
  invalidParameter,
  mfaSettingsOf,
  page,
  poolOf,
  sec,
  userOf,
  userType,
} from './context.js';
import { newUser, passwordPolicyViolation, STANDARD_ATTRIBUTES, type Pool } from './pools.js';
import { SHAPES } from './shapes.js';
import { filterMatches, parseUserFilter } from './user-filter.js';

/** Attributes a caller may set (sub is Cognito's). */
const SETTABLE = STANDARD_ATTRIBUTES.filter((a) => a !== 'sub');

function checkPassword(pool: Pool, password: string, wording = 'Password does not conform to policy'): void {
  const violation = passwordPolicyViolation(password, pool.policy);
  if (violation) throw cognitoError('InvalidPasswordException', `${wording}: ${violation}`);
}

export const adminCreateUser = cop({
  name: 'AdminCreateUser',
  signed: true,
  input: SHAPES.AdminCreateUser,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const username = String(body.Username);
    if (findUser(pool, username)) throw cognitoError('UsernameExistsException', 'User account already exists');
    const temp =
      typeof body.TemporaryPassword === 'string' && body.TemporaryPassword
        ? body.TemporaryPassword
        : `Tmp-${randomBytes(9).toString('base64url')}1aA!`;
    checkPassword(pool, temp);
    const attributes = attributesFrom(body.UserAttributes);
    checkAttributeNames(pool, Object.keys(attributes), SETTABLE);
    const user = newUser({
      username,
      sub: randomUUID(),
      password: temp,
      status: 'FORCE_CHANGE_PASSWORD',
      attributes,
      now: ctx.emu.now(),
    });
    pool.users.set(username, user);
    return { User: userType(user) };
  },
});

export const adminSetUserPassword = cop({
  name: 'AdminSetUserPassword',
  signed: true,
  input: SHAPES.AdminSetUserPassword,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const user = userOf(pool, body.Username);
    const password = String(body.Password);
    checkPassword(pool, password);
    user.password = password;
    user.status = body.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    user.lastModifiedAt = ctx.emu.now();
    return {};
  },
});

export const adminGetUser = cop({
  name: 'AdminGetUser',
  signed: true,
  input: SHAPES.AdminGetUser,
  handle: ({ ctx, body }) => {
    const user = userOf(poolOf(ctx, body.UserPoolId), body.Username);
    return {
      Username: user.username,
      UserAttributes: attributeList(user),
      UserCreateDate: sec(user.createdAt),
      UserLastModifiedDate: sec(user.lastModifiedAt),
      Enabled: user.enabled,
      UserStatus: user.status,
      ...mfaSettingsOf(user),
    };
  },
});

export const adminDeleteUser = cop({
  name: 'AdminDeleteUser',
  signed: true,
  input: SHAPES.AdminDeleteUser,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    pool.users.delete(userOf(pool, body.Username).username);
    return {};
  },
});

function setEnabled(name: 'AdminDisableUser' | 'AdminEnableUser', enabled: boolean) {
  return cop({
    name,
    signed: true,
    input: SHAPES[name],
    handle: ({ ctx, body }) => {
      const user = userOf(poolOf(ctx, body.UserPoolId), body.Username);
      user.enabled = enabled;
      user.lastModifiedAt = ctx.emu.now();
      return {};
    },
  });
}
export const adminDisableUser = setEnabled('AdminDisableUser', false);
export const adminEnableUser = setEnabled('AdminEnableUser', true);

export const adminUpdateUserAttributes = cop({
  name: 'AdminUpdateUserAttributes',
  signed: true,
  input: SHAPES.AdminUpdateUserAttributes,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const user = userOf(pool, body.Username);
    const attributes = attributesFrom(body.UserAttributes);
    // UNVERIFIED wording for sub; the rule (sub is immutable) is Cognito's.
    if ('sub' in attributes) throw invalidParameter('Cannot modify the non-mutable attribute sub');
    checkAttributeNames(pool, Object.keys(attributes), SETTABLE);
    for (const [k, v] of Object.entries(attributes)) {
      const custom = k.startsWith('custom:') ? pool.customAttributes.get(k.slice(7)) : undefined;
      if (custom && !custom.mutable && user.attributes[k] !== undefined)
        throw invalidParameter(`Cannot modify an already provided non-mutable attribute: ${k}`);
      if (v === '') delete user.attributes[k];
      else user.attributes[k] = v;
    }
    user.lastModifiedAt = ctx.emu.now();
    return {};
  },
});

export const listUsers = cop({
  name: 'ListUsers',
  signed: true,
  input: SHAPES.ListUsers,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const filter = parseUserFilter(body.Filter as string | undefined);
    const only = body.AttributesToGet as string[] | undefined;
    const users = [...pool.users.values()].filter((u) => !filter || filterMatches(filter, u));
    const { items, nextToken } = page(users, body.Limit, body.PaginationToken);
    return {
      Users: items.map((u) => userType(u, only?.length ? only : undefined)),
      ...(nextToken ? { PaginationToken: nextToken } : {}),
    };
  },
});

export const getUser = cop({
  name: 'GetUser',
  input: SHAPES.GetUser,
  handle: async ({ ctx, body }) => {
    const { user } = await ctx.tokens.accessTokenUser(String(body.AccessToken));
    return { Username: user.username, UserAttributes: attributeList(user), ...mfaSettingsOf(user) };
  },
});
