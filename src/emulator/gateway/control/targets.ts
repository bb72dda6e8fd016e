/**
 * CreateGatewayTarget, GetGatewayTarget, ListGatewayTargets, UpdateGatewayTarget, DeleteGatewayTarget and
 * SynchronizeGatewayTargets. A target answers CREATING / UPDATING / SYNCHRONIZING and settles once its catalogue is
 * read (store.ts).
 */
import type {
  CreateGatewayTargetRequest,
  SynchronizeGatewayTargetsRequest,
  UpdateGatewayTargetRequest,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { op, paginateQuery, validationMessage } from '../../api/index.js';
import { type GatewayRecord, type TargetRecord, type TargetSpec, iso, targetTypeOf } from '../model.js';
import { checkTargetSpec } from '../rules.js';
import { CREATE_TARGET, GATEWAY_LABELS, SYNCHRONIZE_TARGETS, TARGET_LABELS, UPDATE_TARGET } from '../shapes.js';
import { membersOf } from '../util.js';
import type { GatewayCtx } from './gateways.js';

const SPEC_KEYS = [
  'name',
  'description',
  'targetConfiguration',
  'credentialProviderConfigurations',
  'metadataConfiguration',
] as const;

/** The CreateGatewayTarget / UpdateGatewayTarget members of a request body, and nothing else. */
const targetSpecOf = (body: object) => membersOf(body, SPEC_KEYS) as unknown as TargetSpec;

/** The gateway and the target the path names (404 for either). */
function targetOf(ctx: GatewayCtx, params: Record<string, string | undefined>): { g: GatewayRecord; t: TargetRecord } {
  const g = ctx.store.get(params.gatewayIdentifier!);
  return { g, t: ctx.store.target(g, params.targetId!) };
}

/** GatewayTarget (Get/Create/Update answers and SynchronizeGatewayTargets items). */
function describeTarget(g: GatewayRecord, t: TargetRecord): Record<string, unknown> {
  return {
    gatewayArn: g.gatewayArn,
    targetId: t.targetId,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    status: t.status,
    statusReasons: t.statusReasons,
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    targetConfiguration: t.targetConfiguration,
    credentialProviderConfigurations: t.credentialProviderConfigurations,
    ...(t.lastSynchronizedAt ? { lastSynchronizedAt: iso(t.lastSynchronizedAt) } : {}),
    ...(t.metadataConfiguration ? { metadataConfiguration: t.metadataConfiguration } : {}),
    ...(t.authorizationData ? { authorizationData: t.authorizationData } : {}),
    protocolType: t.targetConfiguration.http ? 'HTTP' : 'MCP',
  };
}

function summary(t: TargetRecord): Record<string, unknown> {
  const server = t.targetConfiguration.mcp?.mcpServer;
  return {
    targetId: t.targetId,
    name: t.name,
    status: t.status,
    ...(t.description ? { description: t.description } : {}),
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    ...(t.lastSynchronizedAt ? { lastSynchronizedAt: iso(t.lastSynchronizedAt) } : {}),
    ...(t.authorizationData ? { authorizationData: t.authorizationData } : {}),
    targetType: targetTypeOf(t.targetConfiguration),
    ...(server
      ? { listingMode: server.listingMode ?? 'DEFAULT', resourcePriority: server.resourcePriority ?? 1000 }
      : {}),
  };
}

export const createGatewayTarget = op<GatewayCtx, CreateGatewayTargetRequest>({
  name: 'CreateGatewayTarget',
  method: 'POST',
  path: '/gateways/{gatewayIdentifier}/targets/',
  status: 202,
  labels: GATEWAY_LABELS,
  input: CREATE_TARGET,
  handle: ({ ctx, body, params }) => {
    const g = ctx.store.get(params.gatewayIdentifier!);
    const spec = targetSpecOf(body);
    const creds = checkTargetSpec(g, spec);
    const t = ctx.store.createTarget(g, spec, creds);
    void ctx.store.refresh(g, t, 'CREATING');
    return describeTarget(g, t);
  },
});

export const getGatewayTarget = op<GatewayCtx>({
  name: 'GetGatewayTarget',
  method: 'GET',
  path: '/gateways/{gatewayIdentifier}/targets/{targetId}/',
  labels: TARGET_LABELS,
  handle: ({ ctx, params }) => {
    const { g, t } = targetOf(ctx, params);
    return describeTarget(g, t);
  },
});

export const listGatewayTargets = op<GatewayCtx>({
  name: 'ListGatewayTargets',
  method: 'GET',
  path: '/gateways/{gatewayIdentifier}/targets/',
  labels: GATEWAY_LABELS,
  handle: ({ ctx, params, query }) => {
    const g = ctx.store.get(params.gatewayIdentifier!);
    const page = paginateQuery(g.targets, query, { max: 1000 });
    return { items: page.items.map(summary), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  },
});

export const updateGatewayTarget = op<GatewayCtx, UpdateGatewayTargetRequest>({
  name: 'UpdateGatewayTarget',
  method: 'PUT',
  path: '/gateways/{gatewayIdentifier}/targets/{targetId}/',
  status: 202,
  labels: TARGET_LABELS,
  input: UPDATE_TARGET,
  handle: ({ ctx, body, params }) => {
    const { g, t } = targetOf(ctx, params);
    const spec = targetSpecOf(body);
    spec.name ??= t.name;
    const creds = checkTargetSpec(g, spec);
    ctx.store.updateTarget(g, t, spec, creds);
    void ctx.store.refresh(g, t, 'UPDATING');
    return describeTarget(g, t);
  },
});

export const deleteGatewayTarget = op<GatewayCtx>({
  name: 'DeleteGatewayTarget',
  method: 'DELETE',
  path: '/gateways/{gatewayIdentifier}/targets/{targetId}/',
  status: 202,
  labels: TARGET_LABELS,
  handle: ({ ctx, params }) => {
    const { g, t } = targetOf(ctx, params);
    // Wording from a field report (agentcore-gateway.md §3.5, 3P-NOTES).
    if (t.status === 'CREATE_PENDING_AUTH')
      throw validationMessage(
        "DeleteGatewayTarget can't be performed on target when it is in Create_Pending_Auth state",
      );
    ctx.store.removeTarget(g, t);
    return { gatewayArn: g.gatewayArn, targetId: t.targetId, status: 'DELETING', statusReasons: [] };
  },
});

export const synchronizeGatewayTargets = op<GatewayCtx, SynchronizeGatewayTargetsRequest>({
  name: 'SynchronizeGatewayTargets',
  method: 'PUT',
  path: '/gateways/{gatewayIdentifier}/synchronizeTargets',
  status: 202,
  labels: GATEWAY_LABELS,
  input: SYNCHRONIZE_TARGETS,
  handle: ({ ctx, body, params }) => {
    const g = ctx.store.get(params.gatewayIdentifier!);
    const t = ctx.store.target(g, (body.targetIdList as string[])[0]!);
    const server = t.targetConfiguration.mcp?.mcpServer;
    // UNVERIFIED wording: only MCP server targets discover their tools, and a static mcpToolSchema turns that off.
    if (!server) throw validationMessage('Synchronization is supported for MCP server targets only');
    if (server.mcpToolSchema)
      throw validationMessage('Synchronization is disabled for a target configured with mcpToolSchema');
    void ctx.store.refresh(g, t, 'SYNCHRONIZING');
    return { targets: [describeTarget(g, t)] };
  },
});
