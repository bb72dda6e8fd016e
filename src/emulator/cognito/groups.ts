/**
 * Groups: Create/Get/List/Update/DeleteGroup, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
 * ListUsersInGroup. A user's groups become `cognito:groups` in both tokens, lowest precedence first (tokens.ts).
 */
import { MESSAGES } from '../../wire.js';
import { cognitoError, cop, page, poolOf, sec, userOf, userType, type Body } from './context.js';
import type { Group, Pool } from './pools.js';
import { SHAPES } from './shapes.js';

export function groupOut(pool: Pool, g: Group) {
  return {
    GroupName: g.name,
    UserPoolId: pool.id,
    ...(g.description !== undefined ? { Description: g.description } : {}),
    ...(g.roleArn !== undefined ? { RoleArn: g.roleArn } : {}),
    ...(g.precedence !== undefined ? { Precedence: g.precedence } : {}),
    LastModifiedDate: sec(g.lastModifiedAt),
    CreationDate: sec(g.createdAt),
  };
}

function groupOf(pool: Pool, name: unknown): Group {
  const g = pool.groups.get(String(name));
  if (!g) throw cognitoError('ResourceNotFoundException', MESSAGES.cognitoGroupNotFound);
  return g;
}

function details(body: Body): Pick<Group, 'description' | 'roleArn' | 'precedence'> {
  return {
    ...(typeof body.Description === 'string' ? { description: body.Description } : {}),
    ...(typeof body.RoleArn === 'string' ? { roleArn: body.RoleArn } : {}),
    ...(typeof body.Precedence === 'number' ? { precedence: body.Precedence } : {}),
  };
}

export const createGroup = cop({
  name: 'CreateGroup',
  signed: true,
  input: SHAPES.CreateGroup,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const name = String(body.GroupName);
    if (pool.groups.has(name))
      throw cognitoError('GroupExistsException', `A group with the name ${name} already exists.`);
    const now = ctx.emu.now();
    const group: Group = { name, ...details(body), createdAt: now, lastModifiedAt: now };
    pool.groups.set(name, group);
    return { Group: groupOut(pool, group) };
  },
});

export const updateGroup = cop({
  name: 'UpdateGroup',
  signed: true,
  input: SHAPES.UpdateGroup,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const g = groupOf(pool, body.GroupName);
    Object.assign(g, details(body), { lastModifiedAt: ctx.emu.now() });
    return { Group: groupOut(pool, g) };
  },
});

export const getGroup = cop({
  name: 'GetGroup',
  signed: true,
  input: SHAPES.GetGroup,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    return { Group: groupOut(pool, groupOf(pool, body.GroupName)) };
  },
});

export const listGroups = cop({
  name: 'ListGroups',
  signed: true,
  input: SHAPES.ListGroups,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const { items, nextToken } = page([...pool.groups.values()], body.Limit, body.NextToken);
    return { Groups: items.map((g) => groupOut(pool, g)), ...(nextToken ? { NextToken: nextToken } : {}) };
  },
});

export const deleteGroup = cop({
  name: 'DeleteGroup',
  signed: true,
  input: SHAPES.DeleteGroup,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const g = groupOf(pool, body.GroupName);
    pool.groups.delete(g.name);
    for (const u of pool.users.values()) u.groups.delete(g.name);
    return {};
  },
});

export const adminAddUserToGroup = cop({
  name: 'AdminAddUserToGroup',
  signed: true,
  input: SHAPES.AdminAddUserToGroup,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const user = userOf(pool, body.Username);
    user.groups.add(groupOf(pool, body.GroupName).name);
    return {};
  },
});

export const adminRemoveUserFromGroup = cop({
  name: 'AdminRemoveUserFromGroup',
  signed: true,
  input: SHAPES.AdminRemoveUserFromGroup,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const user = userOf(pool, body.Username);
    user.groups.delete(groupOf(pool, body.GroupName).name);
    return {};
  },
});

export const adminListGroupsForUser = cop({
  name: 'AdminListGroupsForUser',
  signed: true,
  input: SHAPES.AdminListGroupsForUser,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const user = userOf(pool, body.Username);
    const groups = [...user.groups].flatMap((n) => (pool.groups.has(n) ? [pool.groups.get(n)!] : []));
    const { items, nextToken } = page(groups, body.Limit, body.NextToken);
    return { Groups: items.map((g) => groupOut(pool, g)), ...(nextToken ? { NextToken: nextToken } : {}) };
  },
});

export const listUsersInGroup = cop({
  name: 'ListUsersInGroup',
  signed: true,
  input: SHAPES.ListUsersInGroup,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const g = groupOf(pool, body.GroupName);
    const users = [...pool.users.values()].filter((u) => u.groups.has(g.name));
    const { items, nextToken } = page(users, body.Limit, body.NextToken);
    return { Users: items.map((u) => userType(u)), ...(nextToken ? { NextToken: nextToken } : {}) };
  },
});
