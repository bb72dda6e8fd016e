/** Resource servers (Create/Describe/List/Update/Delete): the custom scopes (`server/scope`) clients may be given. */
import { cognitoError, cop, invalidParameter, page, poolOf, type Body } from './context.js';
import type { Pool, ResourceServer } from './pools.js';
import { SHAPES } from './shapes.js';

function out(pool: Pool, rs: ResourceServer) {
  return { UserPoolId: pool.id, Identifier: rs.identifier, Name: rs.name, Scopes: rs.scopes };
}

function scopesOf(body: Body): ResourceServer['scopes'] {
  return ((body.Scopes as ResourceServer['scopes'] | undefined) ?? []).map((s) => ({
    ScopeName: s.ScopeName,
    ScopeDescription: s.ScopeDescription,
  }));
}

function existing(pool: Pool, identifier: unknown): ResourceServer {
  const rs = pool.resourceServers.get(String(identifier));
  // UNVERIFIED wording.
  if (!rs) throw cognitoError('ResourceNotFoundException', `Resource server ${String(identifier)} does not exist.`);
  return rs;
}

export const createResourceServer = cop({
  name: 'CreateResourceServer',
  signed: true,
  input: SHAPES.CreateResourceServer,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const identifier = String(body.Identifier);
    // UNVERIFIED wording.
    if (pool.resourceServers.has(identifier))
      throw invalidParameter(`${identifier} already exists in user pool ${pool.id}.`);
    const rs = { identifier, name: String(body.Name), scopes: scopesOf(body) };
    pool.resourceServers.set(identifier, rs);
    return { ResourceServer: out(pool, rs) };
  },
});

export const updateResourceServer = cop({
  name: 'UpdateResourceServer',
  signed: true,
  input: SHAPES.UpdateResourceServer,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const rs = existing(pool, body.Identifier);
    rs.name = String(body.Name);
    // Like every Update operation of Cognito: scopes not given are removed.
    rs.scopes = scopesOf(body);
    return { ResourceServer: out(pool, rs) };
  },
});

export const describeResourceServer = cop({
  name: 'DescribeResourceServer',
  signed: true,
  input: SHAPES.DescribeResourceServer,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    return { ResourceServer: out(pool, existing(pool, body.Identifier)) };
  },
});

export const listResourceServers = cop({
  name: 'ListResourceServers',
  signed: true,
  input: SHAPES.ListResourceServers,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    const all = [...pool.resourceServers.values()].map((rs) => out(pool, rs));
    const { items, nextToken } = page(all, body.MaxResults, body.NextToken, 50);
    return { ResourceServers: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  },
});

export const deleteResourceServer = cop({
  name: 'DeleteResourceServer',
  signed: true,
  input: SHAPES.DeleteResourceServer,
  handle: ({ ctx, body }) => {
    const pool = poolOf(ctx, body.UserPoolId);
    pool.resourceServers.delete(existing(pool, body.Identifier).identifier);
    return {};
  },
});
