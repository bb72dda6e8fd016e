/**
 * The runtime half's handler for everything under `/runtimes/`: the data plane (InvokeAgentRuntime SigV4 or bearer,
 * StopRuntimeSession, the protected-resource metadata of JWT runtimes: data/) and the control plane (runtimes,
 * versions, endpoints: control/, on api/rest.ts). The server calls it alone for the paths it owns.
 *
 * The data plane is looked up first and directly (one Map lookup on the path suffix): InvokeAgentRuntime is the
 * stack's hot path, and a generic router (regexes per operation, a URLSearchParams, a JSON body parse) costs it.
 */
import type { ServerResponse } from 'node:http';
import { restJsonService } from '../api/rest.js';
import type { EmuRequest, Handler } from '../server.js';
import { ENDPOINT_OPERATIONS } from './control/endpoints.js';
import { RUNTIME_OPERATIONS } from './control/runtimes.js';
import type { AgentConfig } from './config.js';
import { DATA_OPERATIONS, resolveTarget, sendDataError } from './data/index.js';
import { sendAwsError, type RuntimeHalfDeps } from './deps.js';
import type { JwtAuthorizer } from './jwt-authorizer.js';
import { RuntimeContext } from './runtime-context.js';

export type { RuntimeHalfDeps } from './deps.js';
export { MCP_ACCEPT_MESSAGE } from './data/index.js';

const PREFIX = '/runtimes/';

export interface RuntimeHandler extends Handler {
  /** The live list of runtimes (their latest configuration), as LocalStack.agents. */
  agents: AgentConfig[];
  authorizer: JwtAuthorizer;
}

/** A data-plane operation for this path and method, run; false when the path is not one. */
async function dataPlane(ctx: RuntimeContext, req: EmuRequest, res: ServerResponse): Promise<boolean> {
  const p = req.rawPath;
  // '/runtimes/<label>/<rest>'; the label percent-decoded (memoised: callers repeat the same few).
  const slash = p.indexOf('/', PREFIX.length);
  if (slash < 0) return false;
  const op = DATA_OPERATIONS.get(p.slice(slash + 1));
  if (!op || op.method !== req.method) return false;
  const label = ctx.labelOf(p.slice(PREFIX.length, slash));
  if (label === undefined) return false;
  try {
    await op.handle(ctx, req, res, resolveTarget(ctx, req, label));
  } catch (e) {
    sendDataError(res, e);
  }
  return true;
}

/** A runtime ARN sent unencoded (its `/` splits the path): say how to send it. */
function unencodedArn(req: EmuRequest, res: ServerResponse): boolean {
  const p = req.rawPath;
  const label = p.slice(PREFIX.length);
  if (!/^arn(:|%3A)/i.test(label) || !/\/invocations$/.test(p) || /%2F/i.test(p)) return false;
  sendAwsError(
    res,
    404,
    'UnknownOperationException',
    'The runtime ARN in the path must be percent-encoded (encodeURIComponent: ":" → %3A, "/" → %2F)',
  );
  return true;
}

export function createRuntimeHandler(deps: RuntimeHalfDeps): RuntimeHandler {
  const ctx = new RuntimeContext(deps);
  const control = restJsonService([...RUNTIME_OPERATIONS, ...ENDPOINT_OPERATIONS], {
    ctx,
    verify: deps.verifySigV4,
    prefixes: [PREFIX],
  });
  const handler = (async (req: EmuRequest, res: ServerResponse): Promise<boolean> => {
    if (!req.rawPath.startsWith(PREFIX)) return false;
    if (await dataPlane(ctx, req, res)) return true;
    if (await control(req, res)) return true;
    return unencodedArn(req, res);
  }) as RuntimeHandler;
  handler.owns = (rawPath) => rawPath.startsWith(PREFIX);
  handler.agents = ctx.registry.agents;
  handler.authorizer = ctx.authorizer;
  return handler;
}
