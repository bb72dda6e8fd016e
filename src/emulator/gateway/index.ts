/**
 * The gateway half of the local stack: the control plane (control/gateways.ts, control/targets.ts, one handler per
 * operation on src/emulator/api/), the data plane (data/mcp.ts: POST /gateways/{id}/mcp; data/http.ts: HTTP targets
 * by path `/gateways/{id}/{target}/…`), the protected-resource metadata of JWT gateways, the target drivers
 * (targets/) and GET /_local/gateways/trace/{requestId} (what happened inside one data-plane call, for --diagram).
 * Control-plane paths are matched first: on this stack an HTTP target named `targets` or `synchronizeTargets` cannot
 * be reached by path routing.
 */
import type { ServerResponse } from 'node:http';
import { restJsonService } from '../api/rest.js';
import { sendAwsError, sendJson } from '../respond.js';
import { createJwtAuthorizer } from '../runtime/jwt-authorizer.js';
import type { EmuRequest, Handler } from '../server.js';
import { LOCAL_ROLE_NAME, type GatewayConfig } from './config.js';
import {
  createGateway,
  deleteGateway,
  type GatewayCtx,
  getGateway,
  listGateways,
  updateGateway,
} from './control/gateways.js';
import {
  createGatewayTarget,
  deleteGatewayTarget,
  getGatewayTarget,
  listGatewayTargets,
  synchronizeGatewayTargets,
  updateGatewayTarget,
} from './control/targets.js';
import { TraceLog } from './data/call.js';
import { serveHttpTarget } from './data/http.js';
import { type IamPrincipal, protectedResource } from './data/inbound.js';
import { gatewaysFor } from './data/policy.js';
import { type DataEnv, Sessions, serveOther, servePost } from './data/mcp.js';
import type { GatewayDeps } from './deps.js';
import { type GatewaySpec, isHttpTarget, targetTypeOf } from './model.js';
import type { CredentialEnv } from './outbound/credentials.js';
import { IdentityClient } from './outbound/identity.js';
import { checkGatewaySpec, checkTargetSpec } from './rules.js';
import { GatewayStore } from './store.js';
import type { TargetDriver } from './targets/driver.js';
import { lambdaDriver } from './targets/lambda.js';
import { McpTargetClient } from './targets/mcp-client.js';
import { mcpServerDriver } from './targets/mcp-server.js';
import { openApiDriver } from './targets/openapi.js';

export type { GatewayDeps } from './deps.js';

export interface GatewayHandler extends Handler {
  store: GatewayStore;
  /** Settles once the config's gateways exist and their targets' catalogues are read. */
  ready: Promise<void>;
  close(): void;
}

/** The stack's own credentials as an IAM identity with every permission (`local` prints them). */
export function stackPrincipal(deps: Pick<GatewayDeps, 'accountId' | 'credentials'>): IamPrincipal {
  return { ...deps.credentials, arn: `arn:aws:iam::${deps.accountId}:user/agentcore-local`, allow: ['*'] };
}

function specOf(deps: GatewayDeps, c: GatewayConfig): GatewaySpec {
  const { targets: _t, gatewayId: _id, ...rest } = c;
  const jwt = c.authorizerConfiguration?.customJWTAuthorizer;
  return {
    ...rest,
    roleArn: c.roleArn ?? `arn:aws:iam::${deps.accountId}:role/${LOCAL_ROLE_NAME}`,
    ...(jwt
      ? {
          authorizerConfiguration: {
            customJWTAuthorizer: { ...jwt, discoveryUrl: jwt.discoveryUrl ?? deps.userPool.discoveryUrl },
          },
        }
      : {}),
  } as GatewaySpec;
}

/** Creates the config's gateways and targets as the control plane would, and waits for their catalogues. */
async function seed(deps: GatewayDeps, store: GatewayStore): Promise<void> {
  for (const c of deps.gateways) {
    const spec = specOf(deps, c);
    checkGatewaySpec(spec);
    const g = store.create(spec, c.gatewayId);
    g.status = 'READY';
    for (const { targetId, ...t } of c.targets) {
      const creds = checkTargetSpec(g, t);
      void store.refresh(g, store.createTarget(g, t, creds, targetId), 'CREATING');
    }
  }
  await store.settled();
  for (const g of store.list())
    for (const t of g.targets)
      if (t.status !== 'READY')
        deps.log?.(
          `gateway ${g.name}: target ${t.name} is ${t.status}` +
            (t.statusReasons.length ? `: ${t.statusReasons.join('; ')}` : ''),
        );
}

type FullEnv = DataEnv & { credentialEnv: CredentialEnv };

/** The data plane's shared state: store, authorizer, principals, target drivers (which also read catalogues). */
function dataEnv(deps: GatewayDeps & { principals?: IamPrincipal[] }, store: GatewayStore): FullEnv {
  const credentialEnv: CredentialEnv = { deps, identity: new IdentityClient(deps) };
  const drivers: Partial<Record<string, TargetDriver>> = {
    MCP_SERVER: mcpServerDriver(credentialEnv, new McpTargetClient()),
    LAMBDA: lambdaDriver(() => deps.lambdas),
    OPEN_API_SCHEMA: openApiDriver(credentialEnv),
  };
  store.catalogue = async (g, t) => {
    const driver = drivers[targetTypeOf(t.targetConfiguration)];
    return driver ? driver.catalogue(g, t) : { ok: true, tools: [] };
  };
  return {
    deps,
    store,
    authorizer: deps.authorizer ?? createJwtAuthorizer(),
    principals: [stackPrincipal(deps), ...(deps.principals ?? [])],
    drivers,
    traces: new TraceLog(),
    sessions: new Sessions(deps.now ?? Date.now),
    credentialEnv,
  };
}

const CONTROL_OPERATIONS = [
  createGateway,
  getGateway,
  listGateways,
  updateGateway,
  deleteGateway,
  createGatewayTarget,
  getGatewayTarget,
  listGatewayTargets,
  updateGatewayTarget,
  deleteGatewayTarget,
  synchronizeGatewayTargets,
];

function notFound(store: GatewayStore, res: ServerResponse, id: string): true {
  const ids = store.list().map((x) => x.gatewayId);
  const known = ids.join(', ') || 'none';
  sendAwsError(res, 404, 'ResourceNotFoundException', `No gateway ${id} in this local stack (gateways: ${known})`);
  return true;
}

/** `/gateways/{id}/mcp`, the protected-resource metadata, and `/gateways/{id}/{httpTarget}/…`; false otherwise. */
async function serveData(env: FullEnv, req: EmuRequest, res: ServerResponse, parts: string[]): Promise<boolean> {
  const g = env.store.find(decodeURIComponent(parts[2] ?? ''));
  const rest = parts.slice(3);
  if (rest.length === 1 && rest[0] === 'mcp') {
    if (!g) return notFound(env.store, res, parts[2] ?? '');
    if (req.method === 'POST') await servePost(env, g, req, res);
    else serveOther(env, g, req, res);
    return true;
  }
  if (g && req.method === 'GET' && rest.join('/') === '.well-known/oauth-protected-resource') {
    await protectedResource(env, g, res);
    return true;
  }
  const t = g?.targets.find((x) => x.name === rest[0] && isHttpTarget(x.targetConfiguration));
  if (!g || !t) return false;
  await serveHttpTarget(env, g, t, rest.slice(1).join('/'), req, res);
  return true;
}

/** The stack's own endpoints: a call's trace (diagrams) and the --lambda mappings (doctor); false otherwise. */
function serveLocal(env: FullEnv, req: EmuRequest, res: ServerResponse): boolean {
  const p = req.rawPath;
  if (p.startsWith('/_local/gateways/trace/') && req.method === 'GET') {
    const trace = env.traces.get(decodeURIComponent(p.slice('/_local/gateways/trace/'.length)));
    if (trace) sendJson(res, 200, trace);
    else
      sendAwsError(res, 404, 'ResourceNotFoundException', 'No trace for that request id (only the last 500 are kept)');
    return true;
  }
  if (p === '/_local/lambdas' && req.method === 'GET') {
    sendJson(res, 200, env.deps.lambdas?.list() ?? []);
    return true;
  }
  return false;
}

export function createGatewayHandler(deps: GatewayDeps & { principals?: IamPrincipal[] }): GatewayHandler {
  const store = new GatewayStore(deps);
  const env = dataEnv(deps, store);
  const control = restJsonService<GatewayCtx>(CONTROL_OPERATIONS, {
    ctx: { store, deps },
    verify: deps.verifySigV4,
    prefixes: ['/gateways/'],
  });
  const handler = (async (req: EmuRequest, res: ServerResponse): Promise<boolean> => {
    if (serveLocal(env, req, res)) return true;
    if (!req.rawPath.startsWith('/gateways/')) return false;
    const parts = req.rawPath.split('/');
    // The data plane's fixed paths first; HTTP targets after the control plane (its paths win over a target's name).
    if (parts[3] === 'mcp' || parts[3] === '.well-known') if (await serveData(env, req, res, parts)) return true;
    if (await control(req, res)) return true;
    return serveData(env, req, res, parts);
  }) as GatewayHandler;
  if (deps.policy) deps.policy.gatewaysFor = (arn) => gatewaysFor(() => store.list(), arn);
  handler.owns = (rawPath) => rawPath.startsWith('/gateways/');
  handler.store = store;
  handler.ready = seed(deps, store);
  handler.close = () => env.credentialEnv.identity.close();
  return handler;
}

/** A gateway as the stack lists it (`local --json`, tests): its id, URL, authorizer and targets. */
export interface GatewayView {
  gatewayId: string;
  gatewayArn: string;
  name: string;
  gatewayUrl: string;
  status: string;
  /** The gateway's own workload identity (its outbound OAuth and API-key calls). */
  workloadName: string;
  authorizerType: GatewaySpec['authorizerType'];
  authorizerConfiguration?: GatewaySpec['authorizerConfiguration'];
  policyEngineConfiguration?: GatewaySpec['policyEngineConfiguration'];
  targets: Array<{ targetId: string; name: string; targetType: string; status: string }>;
}

export function gatewayViews(store: GatewayStore): GatewayView[] {
  return store.list().map((g) => ({
    gatewayId: g.gatewayId,
    gatewayArn: g.gatewayArn,
    name: g.name,
    gatewayUrl: store.urlOf(g),
    status: g.status,
    workloadName: g.workloadName,
    authorizerType: g.authorizerType,
    ...(g.authorizerConfiguration ? { authorizerConfiguration: g.authorizerConfiguration } : {}),
    ...(g.policyEngineConfiguration ? { policyEngineConfiguration: g.policyEngineConfiguration } : {}),
    targets: g.targets.map((t) => ({
      targetId: t.targetId,
      name: t.name,
      targetType: targetTypeOf(t.targetConfiguration),
      status: t.status,
    })),
  }));
}
