/**
 * CreateGateway, GetGateway, ListGateways, UpdateGateway, DeleteGateway (paths and codes of the SDK's schemas:
 * trailing slashes, 202 for create/update/delete). Timestamps are ISO 8601 strings, as the SDK reads them.
 */
import type {
  CreateGatewayRequest,
  ListGatewaysRequest,
  UpdateGatewayRequest,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { notFound, op, paginateQuery } from '../../api/index.js';
import type { GatewayDeps } from '../deps.js';
import { type GatewayRecord, type GatewaySpec, iso } from '../model.js';
import { checkGatewaySpec, checkTargetSpec } from '../rules.js';
import { CREATE_GATEWAY, GATEWAY_LABELS, UPDATE_GATEWAY } from '../shapes.js';
import type { GatewayStore } from '../store.js';
import { membersOf } from '../util.js';

export interface GatewayCtx {
  store: GatewayStore;
  deps: GatewayDeps;
}

const SPEC_KEYS = [
  'name',
  'description',
  'roleArn',
  'protocolType',
  'protocolConfiguration',
  'authorizerType',
  'authorizerConfiguration',
  'kmsKeyArn',
  'interceptorConfigurations',
  'policyEngineConfiguration',
  'exceptionLevel',
  'tags',
  'wafConfiguration',
  'customTransformConfiguration',
] as const;

/** The CreateGateway / UpdateGateway members of a request body, and nothing else. */
const gatewaySpecOf = (body: object) => membersOf(body, SPEC_KEYS) as unknown as GatewaySpec;

/** GetGateway's answer (also Create's and Update's). */
function describeGateway(ctx: GatewayCtx, g: GatewayRecord): Record<string, unknown> {
  const { region, accountId } = ctx.deps;
  const out: Record<string, unknown> = {
    gatewayArn: g.gatewayArn,
    gatewayId: g.gatewayId,
    gatewayUrl: ctx.store.urlOf(g),
    createdAt: iso(g.createdAt),
    updatedAt: iso(g.updatedAt),
    status: g.status,
    statusReasons: g.statusReasons,
    workloadIdentityDetails: {
      workloadIdentityArn:
        `arn:aws:bedrock-agentcore:${region}:${accountId}:workload-identity-directory/default/workload-identity/` +
        g.workloadName,
    },
  };
  for (const k of SPEC_KEYS) if (g[k] !== undefined && k !== 'tags') out[k] = g[k];
  return out;
}

/** A policy engine the gateway names must exist (UNVERIFIED: the service's refusal was not captured). */
function checkEngine(ctx: GatewayCtx, spec: GatewaySpec): void {
  const arn = spec.policyEngineConfiguration?.arn;
  if (arn && ctx.deps.policy && !ctx.deps.policy.engine(arn)) throw notFound(`Policy engine not found: ${arn}`);
}

export const createGateway = op<GatewayCtx, CreateGatewayRequest>({
  name: 'CreateGateway',
  method: 'POST',
  path: '/gateways/',
  status: 202,
  input: CREATE_GATEWAY,
  handle: ({ ctx, body }) => {
    const spec = gatewaySpecOf(body);
    checkGatewaySpec(spec);
    checkEngine(ctx, spec);
    const g = ctx.store.create(spec);
    const answer = describeGateway(ctx, g);
    g.status = 'READY';
    return answer;
  },
});

export const getGateway = op<GatewayCtx>({
  name: 'GetGateway',
  method: 'GET',
  path: '/gateways/{gatewayIdentifier}/',
  labels: GATEWAY_LABELS,
  handle: ({ ctx, params }) => describeGateway(ctx, ctx.store.get(params.gatewayIdentifier!)),
});

export const listGateways = op<GatewayCtx, ListGatewaysRequest>({
  name: 'ListGateways',
  method: 'GET',
  path: '/gateways/',
  handle: ({ ctx, query }) => {
    const page = paginateQuery(ctx.store.list(), query, { max: 1000 });
    return {
      items: page.items.map((g) => ({
        gatewayId: g.gatewayId,
        name: g.name,
        status: g.status,
        ...(g.description ? { description: g.description } : {}),
        createdAt: iso(g.createdAt),
        updatedAt: iso(g.updatedAt),
        authorizerType: g.authorizerType,
        ...(g.protocolType ? { protocolType: g.protocolType } : {}),
      })),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  },
});

export const updateGateway = op<GatewayCtx, UpdateGatewayRequest>({
  name: 'UpdateGateway',
  method: 'PUT',
  path: '/gateways/{gatewayIdentifier}/',
  status: 202,
  labels: GATEWAY_LABELS,
  input: UPDATE_GATEWAY,
  handle: ({ ctx, body, params }) => {
    const g = ctx.store.get(params.gatewayIdentifier!);
    const spec = gatewaySpecOf(body);
    if (g.tags) spec.tags = g.tags;
    checkGatewaySpec(spec, g);
    checkEngine(ctx, spec);
    // The targets must still fit the gateway (e.g. JWT_PASSTHROUGH under a new AWS_IAM authorizer). UNVERIFIED.
    for (const t of g.targets) checkTargetSpec(spec, t);
    ctx.store.update(g, spec);
    const answer = describeGateway(ctx, g);
    g.status = 'READY';
    return answer;
  },
});

export const deleteGateway = op<GatewayCtx>({
  name: 'DeleteGateway',
  method: 'DELETE',
  path: '/gateways/{gatewayIdentifier}/',
  status: 202,
  labels: GATEWAY_LABELS,
  handle: ({ ctx, params }) => {
    const g = ctx.store.get(params.gatewayIdentifier!);
    ctx.store.remove(g);
    return { gatewayId: g.gatewayId, status: 'DELETING', statusReasons: [] };
  },
});
