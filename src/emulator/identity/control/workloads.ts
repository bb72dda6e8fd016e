/**
 * Workload identities (control plane): Create (201), Get, Update (replaces the return-URL list), Delete (204), List.
 */
import type {
  CreateWorkloadIdentityRequest,
  GetWorkloadIdentityRequest,
  ListWorkloadIdentitiesRequest,
  UpdateWorkloadIdentityRequest,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { conflict, notFound } from '../../api/errors.js';
import { paginate } from '../../api/paginate.js';
import { op } from '../../api/rest.js';
import type { WorkloadIdentity } from '../../state.js';
import type { IdentityCtx } from '../context.js';
import { CONTROL } from '../shapes.js';

function workload(ctx: IdentityCtx, name: string): WorkloadIdentity {
  const w = ctx.state.workloadIdentities.get(name);
  // UNVERIFIED: AWS's exact text.
  if (!w) throw notFound(`Workload identity '${name}' not found`);
  return w;
}

function workloadOut(w: WorkloadIdentity) {
  return {
    name: w.name,
    workloadIdentityArn: w.arn,
    createdTime: w.createdTime,
    lastUpdatedTime: w.lastUpdatedTime,
    allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls,
  };
}

export const createWorkloadIdentity = op<IdentityCtx, CreateWorkloadIdentityRequest>({
  name: 'CreateWorkloadIdentity',
  method: 'POST',
  path: '/identities/CreateWorkloadIdentity',
  status: 201,
  input: CONTROL.CreateWorkloadIdentity,
  handle: ({ ctx, body }) => {
    const name = body.name!;
    // UNVERIFIED: AWS's text for a duplicate name.
    if (ctx.state.workloadIdentities.has(name)) throw conflict(`Workload identity '${name}' already exists`);
    const w = ctx.state.putWorkloadIdentity(name, {
      allowedResourceOauth2ReturnUrls: body.allowedResourceOauth2ReturnUrls ?? [],
      tags: body.tags ?? {},
    });
    return {
      name: w.name,
      workloadIdentityArn: w.arn,
      allowedResourceOauth2ReturnUrls: w.allowedResourceOauth2ReturnUrls,
    };
  },
});

export const getWorkloadIdentity = op<IdentityCtx, GetWorkloadIdentityRequest>({
  name: 'GetWorkloadIdentity',
  method: 'POST',
  path: '/identities/GetWorkloadIdentity',
  input: CONTROL.GetWorkloadIdentity,
  handle: ({ ctx, body }) => workloadOut(workload(ctx, body.name!)),
});

export const updateWorkloadIdentity = op<IdentityCtx, UpdateWorkloadIdentityRequest>({
  name: 'UpdateWorkloadIdentity',
  method: 'POST',
  path: '/identities/UpdateWorkloadIdentity',
  input: CONTROL.UpdateWorkloadIdentity,
  handle: ({ ctx, body }) => {
    const w = workload(ctx, body.name!);
    w.allowedResourceOauth2ReturnUrls = body.allowedResourceOauth2ReturnUrls ?? [];
    w.lastUpdatedTime = Math.floor(ctx.now() / 1000);
    return workloadOut(w);
  },
});

export const deleteWorkloadIdentity = op<IdentityCtx, GetWorkloadIdentityRequest>({
  name: 'DeleteWorkloadIdentity',
  method: 'POST',
  path: '/identities/DeleteWorkloadIdentity',
  status: 204,
  input: CONTROL.DeleteWorkloadIdentity,
  handle: ({ ctx, body }) => {
    ctx.state.workloadIdentities.delete(workload(ctx, body.name!).name);
  },
});

export const listWorkloadIdentities = op<IdentityCtx, ListWorkloadIdentitiesRequest>({
  name: 'ListWorkloadIdentities',
  method: 'POST',
  path: '/identities/ListWorkloadIdentities',
  input: CONTROL.ListWorkloadIdentities,
  handle: ({ ctx, body }) => {
    const all = [...ctx.state.workloadIdentities.values()].map((w) => ({ name: w.name, workloadIdentityArn: w.arn }));
    const { items, nextToken } = paginate(all, body, { max: 20 });
    return { workloadIdentities: items, ...(nextToken ? { nextToken } : {}) };
  },
});
