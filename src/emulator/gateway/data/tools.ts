/**
 * tools/list and tools/call over the gateway's MCP targets: names `<target>___<tool>` (agentcore-gateway.md §3.2),
 * the catalogue cached at create/sync (DEFAULT) or asked per list (DYNAMIC), pagination unless
 * disableMcpListToolsPagination, the search tool of SEMANTIC gateways, the policy engine's decision when one is
 * wired (data/policy.ts), and failures as the opaque internal error unless exceptionLevel is DEBUG.
 */
import { GATEWAY } from '../../../wire.js';
import { paginate } from '../../api/paginate.js';
import type { GatewayDeps } from '../deps.js';
import { type GatewayRecord, type TargetRecord, isHttpTarget, targetTypeOf } from '../model.js';
import type { RpcError, TargetDriver } from '../targets/driver.js';
import { isObject, type JsonObject } from '../util.js';
import { type GatewayCall, failureText } from './call.js';
import { listable, policyDenial } from './policy.js';
import { type ListedTool, SEARCH_TOOL, searchTools } from './search.js';

/** tools/list page size (UNVERIFIED: the service's page size is not documented). */
export const TOOLS_PAGE_SIZE = 50;

export interface ToolsEnv {
  deps: Pick<GatewayDeps, 'policy'>;
  drivers: Partial<Record<string, TargetDriver>>;
}

export type Answer = { result: unknown } | { error: RpcError };

const SEP = GATEWAY.toolSeparator;

/** A target being updated or synchronized keeps serving its previous catalogue. */
const SERVING = new Set(['READY', 'UPDATING', 'SYNCHRONIZING', 'UPDATE_UNSUCCESSFUL', 'SYNCHRONIZE_UNSUCCESSFUL']);
const serving = (t: TargetRecord) => !isHttpTarget(t.targetConfiguration) && SERVING.has(t.status);

function readyMcpTargets(g: GatewayRecord): TargetRecord[] {
  return g.targets.filter(serving);
}

async function allTools(env: ToolsEnv, call: GatewayCall): Promise<ListedTool[]> {
  const g = call.gateway;
  const out: ListedTool[] = [];
  for (const t of readyMcpTargets(g)) {
    const driver = env.drivers[targetTypeOf(t.targetConfiguration)];
    const dynamic = t.targetConfiguration.mcp?.mcpServer?.listingMode === 'DYNAMIC';
    const tools = dynamic && driver?.list ? await driver.list(g, t, call) : t.tools;
    for (const tool of tools) out.push({ ...tool, name: `${t.name}${SEP}${tool.name}` });
  }
  const allowed = listable(
    env.deps.policy,
    call,
    out.map((t) => t.name),
  );
  return allowed ? out.filter((t) => allowed.has(t.name)) : out;
}

export async function listTools(env: ToolsEnv, call: GatewayCall, params: JsonObject): Promise<Answer> {
  const g = call.gateway;
  let tools: ListedTool[];
  try {
    tools = await allTools(env, call);
  } catch (e) {
    return { error: { code: -32603, message: failureText(g, e) } };
  }
  if (g.protocolConfiguration?.mcp?.searchType === 'SEMANTIC') tools = [SEARCH_TOOL, ...tools];
  if (g.protocolConfiguration?.mcp?.disableMcpListToolsPagination) return { result: { tools } };
  try {
    const page = paginate(tools, { maxResults: TOOLS_PAGE_SIZE, nextToken: params.cursor }, { max: TOOLS_PAGE_SIZE });
    return { result: { tools: page.items, ...(page.nextToken ? { nextCursor: page.nextToken } : {}) } };
  } catch {
    return { error: { code: -32602, message: 'Invalid cursor' } };
  }
}

function errorResult(text: string): Answer {
  return { result: { content: [{ type: 'text', text }], isError: true } };
}

async function search(env: ToolsEnv, call: GatewayCall, args: JsonObject): Promise<Answer> {
  if (typeof args.query !== 'string' || !args.query) return errorResult('query is required');
  const found = searchTools(await allTools(env, call), args.query);
  return {
    result: {
      content: [{ type: 'text', text: JSON.stringify({ tools: found }) }],
      structuredContent: { tools: found },
    },
  };
}

export async function callTool(
  env: ToolsEnv,
  call: GatewayCall,
  params: JsonObject,
  interceptorHeaders: Record<string, string> | undefined,
): Promise<Answer> {
  const g = call.gateway;
  const name = typeof params.name === 'string' ? params.name : '';
  const args = isObject(params.arguments) ? params.arguments : {};
  try {
    if (name === GATEWAY.searchTool && g.protocolConfiguration?.mcp?.searchType === 'SEMANTIC')
      return await search(env, call, args);
    const at = name.indexOf(SEP);
    const targetName = at > 0 ? name.slice(0, at) : undefined;
    const t = g.targets.find((x) => x.name === targetName && serving(x));
    const tool = name.slice(at + SEP.length);
    const dynamic = t?.targetConfiguration.mcp?.mcpServer?.listingMode === 'DYNAMIC';
    if (!t || (!dynamic && !t.tools.some((x) => x.name === tool)))
      return { error: { code: -32602, message: `Unknown tool: ${name}` } }; // UNVERIFIED code and text
    const denied = policyDenial(env.deps.policy, call, name, args);
    if (denied) return errorResult(denied);
    const driver = env.drivers[targetTypeOf(t.targetConfiguration)]!;
    const meta = isObject(params._meta) ? params._meta : undefined;
    const o = meta?.[GATEWAY.credentialMetaKey];
    const oauth = isObject(o) && isObject(o.oauthCredentialProvider) ? o.oauthCredentialProvider : {};
    return await driver.call(g, t, {
      call,
      tool,
      arguments: args,
      ...(meta ? { meta } : {}),
      ...(interceptorHeaders ? { interceptorHeaders } : {}),
      overrides: {
        ...(typeof oauth.returnUrl === 'string' ? { returnUrl: oauth.returnUrl } : {}),
        ...(oauth.forceAuthentication === true ? { forceAuthentication: true } : {}),
      },
    });
  } catch (e) {
    return errorResult(failureText(g, e));
  }
}
