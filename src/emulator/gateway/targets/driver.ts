/**
 * What every target type implements, and what they share: the headers a target receives (DG gateway-headers: the
 * allowlisted client headers, the interceptor's headers on top — its Authorization always, others only if
 * allowlisted — and the interceptor's Authorization replacing the credential provider's) and the -32042 elicitation.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GATEWAY_MESSAGES, MCP_URL_ELICITATION_CODE } from '../../../wire.js';
import { randomUUID } from 'node:crypto';
import { fingerprint } from '../../runtime/jwt-authorizer.js';
import type { GatewayCall } from '../data/call.js';
import type { CatalogTool, GatewayRecord, TargetRecord } from '../model.js';
import type { CallOverrides, OutboundAuth } from '../outbound/credentials.js';
import type { CatalogueResult } from '../store.js';

export interface ToolCall {
  call: GatewayCall;
  /** The tool's name at the target (without `<target>___`). */
  tool: string;
  arguments: Record<string, unknown>;
  meta?: Record<string, unknown>;
  /** Headers from the REQUEST interceptor's transformedGatewayRequest. */
  interceptorHeaders?: Record<string, string>;
  overrides: CallOverrides;
}

export type RpcError = { code: number; message: string; data?: unknown };
export type ToolOutcome = { result: unknown } | { error: RpcError };

export interface TargetDriver {
  /** The tools at create/update/sync (cached for DEFAULT listing). */
  catalogue(g: GatewayRecord, t: TargetRecord): Promise<CatalogueResult>;
  /** The tools for one tools/list of a DYNAMIC target. */
  list?(g: GatewayRecord, t: TargetRecord, call: GatewayCall): Promise<CatalogTool[]>;
  call(g: GatewayRecord, t: TargetRecord, input: ToolCall): Promise<ToolOutcome>;
}

function lowerHeaders(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

/** The propagated headers of one call, and the interceptor's Authorization (which replaces the provider's). */
export function propagatedHeaders(
  t: TargetRecord,
  client: IncomingHttpHeaders,
  interceptor: Record<string, string> | undefined,
): { headers: Record<string, string>; authorization?: string } {
  const allowed = (t.metadataConfiguration?.allowedRequestHeaders ?? []).map((h) => h.toLowerCase());
  const headers: Record<string, string> = {};
  for (const name of allowed) {
    const v = client[name];
    if (typeof v === 'string') headers[name] = v;
  }
  const fromLambda = lowerHeaders(interceptor);
  for (const name of allowed) if (fromLambda[name] !== undefined) headers[name] = fromLambda[name]!;
  return { headers, ...(fromLambda.authorization ? { authorization: fromLambda.authorization } : {}) };
}

/** The outbound credential with an interceptor's Authorization put in its place. */
export function withAuthorization(
  auth: OutboundAuth,
  authorization: string | undefined,
  call: GatewayCall,
): OutboundAuth {
  if (!authorization) return auth;
  const token = authorization.replace(/^bearer\s+/i, '');
  return {
    ...auth,
    headers: { ...auth.headers, authorization },
    sent: {
      ...auth.sent,
      authorization: {
        scheme: /^bearer\s/i.test(authorization) ? 'Bearer' : (authorization.split(' ')[0] ?? ''),
        fingerprint: fingerprint(token),
        sameAsCaller: token === call.inbound.token,
      },
    },
  };
}

/** The -32042 URL elicitation a tools/call answers while the user's consent is missing (§3.4). */
export function elicitation(url: string): { error: RpcError } {
  return {
    error: {
      code: MCP_URL_ELICITATION_CODE,
      message: GATEWAY_MESSAGES.elicitation,
      data: {
        elicitations: [{ mode: 'url', elicitationId: randomUUID(), url, message: GATEWAY_MESSAGES.elicitationItem }],
      },
    },
  };
}

/** A CatalogTool from a tool a server listed (name, description, schemas, annotations). */
export function catalogTool(t: Record<string, unknown>): CatalogTool | undefined {
  if (typeof t.name !== 'string' || !t.name) return undefined;
  return {
    name: t.name,
    ...(typeof t.description === 'string' ? { description: t.description } : {}),
    inputSchema: (t.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object' },
    ...(t.outputSchema ? { outputSchema: t.outputSchema as Record<string, unknown> } : {}),
    ...(t.annotations ? { annotations: t.annotations as Record<string, unknown> } : {}),
  };
}
