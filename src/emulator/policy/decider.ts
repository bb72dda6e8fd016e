/**
 * What the gateway half calls (its `PolicyDecider`): the tools/call decision and the tools/list filter for a gateway
 * whose policyEngineConfiguration names an engine of this store. The gateway is described structurally (its record's
 * ARN, authorizer type and targets with their tool catalogues), so this file does not depend on the gateway's types:
 *
 *   const decider = createPolicyDecider(store);
 *   store.gatewaysFor = (engineArn) => records.filter((g) => g.policyEngineConfiguration?.arn === engineArn)
 *                                             .map(gatewayModelOf);
 *   await decider.authorizeToolCall({ engineArn, gateway, principal, action, input }) → { decision, reason, detail }
 *   await decider.listableTools({ engineArn, gateway, principal, actions })          → Set of listable tool names
 *
 * `reason` is the bracketed part of the gateway's denial text; `detail.denialText` is the whole text.
 */
import {
  DENIED_BY_DEFAULT,
  denialText,
  type Caller,
  type GatewayModel,
  type PolicyDecision,
} from '../../policy-model/index.js';
import type { PolicyStore } from './store.js';

/** A gateway as policy needs it (the gateway half's record satisfies this). */
export interface PolicyGatewayView {
  gatewayArn: string;
  authorizerType?: string;
  updatedAt?: number;
  targets: ReadonlyArray<{
    name: string;
    updatedAt?: number;
    tools: ReadonlyArray<{ name: string; description?: string; inputSchema?: Record<string, unknown> }>;
  }>;
}

/** The caller as the gateway's inbound auth established it. */
export type PolicyPrincipalView =
  | { kind: 'OAuthUser'; sub: string; claims: Record<string, unknown> }
  | { kind: 'IamEntity'; arn: string }
  | { kind: 'anonymous' };

const models = new WeakMap<object, { key: string; model: GatewayModel }>();

/** The gateway's model for the schema, rebuilt only when the gateway or one of its targets was updated. */
export function gatewayModelOf(g: PolicyGatewayView): GatewayModel {
  const targets = g.targets.map((t) => `${t.name}:${t.updatedAt}:${t.tools.length}`).join(',');
  const key = `${g.gatewayArn}|${g.authorizerType}|${g.updatedAt}|${targets}`;
  const hit = models.get(g);
  if (hit?.key === key) return hit.model;
  const model: GatewayModel = {
    arn: g.gatewayArn,
    ...(g.authorizerType ? { authorizerType: g.authorizerType } : {}),
    targets: g.targets.map((t) => ({
      name: t.name,
      tools: t.tools.map((x) => ({
        name: x.name,
        ...(x.description ? { description: x.description } : {}),
        ...(x.inputSchema ? { inputSchema: x.inputSchema } : {}),
      })),
    })),
  };
  models.set(g, { key, model });
  return model;
}

/** UNVERIFIED: the principal of a gateway without inbound identity (NONE); such a caller is denied here. */
function callerOf(p: PolicyPrincipalView): Caller | undefined {
  if (p.kind === 'OAuthUser') return { kind: 'jwt', claims: { ...p.claims, sub: p.sub } };
  if (p.kind === 'IamEntity') return { kind: 'iam', arn: p.arn };
  return undefined;
}

export interface ToolCallVerdict {
  decision: 'allow' | 'deny';
  /** The bracket of the denial text: "No policy applies…" or "Policy evaluation denied due to <ids>". */
  reason?: string;
  detail: PolicyDecision;
}

export function createPolicyDecider(store: PolicyStore) {
  return {
    async authorizeToolCall(o: {
      engineArn: string;
      gateway: PolicyGatewayView;
      principal: PolicyPrincipalView;
      action: string;
      input: Record<string, unknown>;
    }): Promise<ToolCallVerdict> {
      const caller = callerOf(o.principal);
      const set = store.compiled(o.engineArn, gatewayModelOf(o.gateway));
      if (!caller || !set) {
        const message = !caller ? 'no authenticated principal' : `policy engine ${o.engineArn} not found`;
        const detail: PolicyDecision = {
          decision: 'deny',
          determining: [],
          errors: [{ message }],
          action: o.action,
          denialText: denialText([]),
        };
        return { decision: 'deny', reason: DENIED_BY_DEFAULT, detail };
      }
      const detail = set.authorize({ caller, tool: o.action, input: o.input });
      if (detail.decision === 'allow') return { decision: 'allow', detail };
      const text = detail.denialText ?? denialText([]);
      return { decision: 'deny', reason: text.slice(text.indexOf('[') + 1, -1), detail };
    },

    async listableTools(o: {
      engineArn: string;
      gateway: PolicyGatewayView;
      principal: PolicyPrincipalView;
      actions: string[];
    }): Promise<Set<string>> {
      const caller = callerOf(o.principal);
      const set = store.compiled(o.engineArn, gatewayModelOf(o.gateway));
      if (!caller || !set) return new Set();
      return new Set(set.listable(caller, o.actions));
    },
  };
}
