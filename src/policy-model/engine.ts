/**
 * Evaluation with the official Cedar engine. `compilePolicies({gateway, policies})` prepares a gateway's policies;
 * on each tool action's first call, the policies in its scope are preparsed once (Cedar's statefulIsAuthorized
 * cache, keyed by a hash of their content so that two stacks or two commands in one process never overwrite each
 * other's entries; a change of policies or tools is a new compiled set); then, per call:
 *   authorize({caller, tool, input}) → PolicyDecision   the tools/call decision (never throws: bad input denies)
 *   canList(caller, tool) / listable(caller)            the tools/list filter
 * Listing is Cedar partial evaluation with `context.input` unknown, over the enforced policies whose action scope
 * covers the tool: the tool is listed unless that already decides deny, so "some input could be permitted" is
 * approximated by "no policy rules every input out" (a residual condition no input can satisfy still lists it).
 */
import { createHash } from 'node:crypto';
import { cedar, type CedarWasm } from './cedar.js';
import { toCedarInput } from './input.js';
import {
  CALL_TOOL,
  denialText,
  ENTITY,
  MCP_GROUP,
  type Caller,
  type GatewayModel,
  type PolicySource,
} from './model.js';
import { principalEntityJson, principalOf, type PrincipalEntity } from './principal.js';
import { inputType, principalTypesOf, toolIndex, type CedarType } from './schema.js';
import { policyHead, type PolicyHead } from './scope.js';

export interface DecidingPolicy {
  id: string;
  name: string;
  effect: 'permit' | 'forbid';
}

export interface PolicyError {
  policyId?: string;
  policyName?: string;
  message: string;
}

export interface PolicyDecision {
  decision: 'allow' | 'deny';
  /** The permits that allowed, or the forbids that denied; empty for a deny by default. */
  determining: DecidingPolicy[];
  /** Errors met: a policy that failed to evaluate (e.g. getTag on a missing tag: it is skipped), or bad input. */
  errors: PolicyError[];
  /** The tool action, `<target>___<tool>`. */
  action: string;
  principal?: PrincipalEntity;
  /** The `isError` text a denial answers with (ENFORCE); undefined when allowed. */
  denialText?: string;
  /** With per-policy LOG_ONLY policies in the set: the decision had they been ACTIVE (for the log). */
  logOnly?: { decision: 'allow' | 'deny'; determining: DecidingPolicy[] };
}

export interface ToolEntry {
  action: string;
  target: string;
  input: Extract<CedarType, { type: 'Record' }>;
  /** Property names when the input schema forbids others (`additionalProperties: false`). */
  closed?: string[];
  inputSchema?: Record<string, unknown>;
}

const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);
/** Principals whose listing answers are kept (per compiled set); the cache is dropped whole past this. */
const LIST_CACHE_MAX = 1000;

/** An action entity (JSON form) of AgentCore's action hierarchy. */
interface ActionEntity {
  uid: { type: string; id: string };
  attrs: Record<string, never>;
  parents: Array<{ type: string; id: string }>;
}

/** The policies that can apply to one tool action (their action scope covers it), and their preparsed sets. */
interface ActionPolicies {
  /** ACTIVE policies in scope (what decides and what listing looks at). */
  enforced: PolicySource[];
  /** Every policy in scope, LOG_ONLY included. */
  all: PolicySource[];
  enforcedSetId?: string;
  allSetId?: string;
}

export function compilePolicies(input: { gateway: GatewayModel; policies: readonly PolicySource[] }): CompiledPolicies {
  return new CompiledPolicies(input.gateway, input.policies);
}

/**
 * One gateway's policies, ready to evaluate. Each tool action is evaluated against the policies whose action scope
 * covers it (`==` the action, `in` one of its groups, or any action), preparsed as their own set on the action's
 * first call: the other policies could not apply, so the decision, its determining policies and its errors are the
 * same as with the whole set, and a call's cost does not grow with policies written for other tools.
 */
export class CompiledPolicies {
  readonly gateway: GatewayModel;
  readonly policies: readonly PolicySource[];
  private readonly c: CedarWasm;
  private readonly tools = new Map<string, ToolEntry>();
  private readonly byId = new Map<string, PolicySource>();
  private readonly heads = new Map<string, PolicyHead>();
  /** The principal entity types the gateway's callers are (`AgentCore::OAuthUser` for a JWT gateway). */
  private readonly principalTypes: string[];
  private readonly perAction = new Map<string, ActionPolicies>();
  /** Per tool action: the action entities of its hierarchy (the action, its target group, CallTool, Mcp). */
  private readonly actionEntities = new Map<string, ActionEntity[]>();
  private listCache = new Map<string, Map<string, boolean>>();

  constructor(gateway: GatewayModel, policies: readonly PolicySource[]) {
    this.gateway = gateway;
    this.policies = policies;
    this.c = cedar();
    this.principalTypes = principalTypesOf(gateway).map((t) => `AgentCore::${t}`);
    for (const [action, { target, tool }] of toolIndex(gateway)) {
      const schema = tool.inputSchema;
      const closed =
        schema?.additionalProperties === false && schema.properties && typeof schema.properties === 'object'
          ? Object.keys(schema.properties)
          : undefined;
      this.tools.set(action, {
        action,
        target,
        input: inputType(tool),
        ...(closed ? { closed } : {}),
        ...(schema ? { inputSchema: schema } : {}),
      });
    }
    for (const p of policies) {
      this.byId.set(p.id, p);
      const head = policyHead(p.statement);
      if (head) this.heads.set(p.id, head);
    }
  }

  private preparse(policies: readonly PolicySource[]): string {
    const record = Object.fromEntries(policies.map((p) => [p.id, p.statement]));
    const id = `agentcore-policies:${hash(JSON.stringify(record))}`;
    const r = this.c.preparsePolicySet(id, { staticPolicies: record });
    if (r.type === 'failure') throw new Error(`the policies do not parse: ${r.errors[0]?.message}`);
    return id;
  }

  /** The policies in scope of a tool action (a policy whose head could not be read is kept: it may apply). */
  private inScope(tool: ToolEntry): ActionPolicies {
    let a = this.perAction.get(tool.action);
    if (!a) {
      const ancestors = [tool.action, CALL_TOOL, MCP_GROUP, tool.target];
      const all = this.policies.filter((p) => {
        const actions = this.heads.get(p.id)?.actions;
        return !actions || actions.some((x) => ancestors.includes(x));
      });
      a = { all, enforced: all.filter((p) => p.enforcementMode !== 'LOG_ONLY') };
      this.perAction.set(tool.action, a);
    }
    return a;
  }

  /** The gateway's tool names (`<target>___<tool>`), sorted. */
  toolNames(): string[] {
    return [...this.tools.keys()].sort();
  }

  tool(name: string): ToolEntry | undefined {
    return this.tools.get(name);
  }

  /** What is wrong with a call's arguments for a tool (empty when they fit its schema). */
  checkInput(tool: string, input: unknown): string[] {
    const t = this.tools.get(tool);
    if (!t) return [`unknown tool ${tool}`];
    return toCedarInput(t.input, input, t.closed).problems;
  }

  /** The tools/call decision. Never throws: a caller, tool or input that cannot be evaluated is denied (with why). */
  authorize(req: { caller: Caller; tool: string; input: unknown }): PolicyDecision {
    const action = req.tool;
    const deny = (message: string, principal?: PrincipalEntity): PolicyDecision => ({
      decision: 'deny',
      determining: [],
      errors: [{ message }],
      action,
      ...(principal ? { principal } : {}),
      denialText: denialText([]),
    });
    let principal: PrincipalEntity;
    try {
      principal = principalOf(req.caller);
    } catch (e) {
      return deny((e as Error).message);
    }
    const tool = this.tools.get(action);
    if (!tool) return deny(`unknown tool ${action}`, principal);
    // What request validation against the schema would refuse: a caller of the other kind, input outside the schema.
    if (!this.principalTypes.includes(principal.type))
      return deny(
        `a ${principal.type} cannot call this gateway's tools (its callers are ${this.principalTypes})`,
        principal,
      );
    const input = toCedarInput(tool.input, req.input, tool.closed);
    if (input.problems.length) return deny(input.problems.join('; '), principal);
    const call = {
      principal: { type: principal.type, id: principal.id },
      action: { type: ENTITY.action, id: action },
      resource: { type: ENTITY.gateway, id: this.gateway.arn },
      context: { input: input.value } as never,
      entities: [principalEntityJson(principal), ...this.hierarchyOf(tool)] as never,
    };
    const scope = this.inScope(tool);
    scope.enforcedSetId ??= this.preparse(scope.enforced);
    const enforced = this.evaluate({ ...call, preparsedPolicySetId: scope.enforcedSetId });
    const decision: PolicyDecision = { ...enforced, action, principal };
    if (enforced.decision === 'deny') decision.denialText = denialText(forbidIds(enforced.determining));
    if (scope.all.length > scope.enforced.length) {
      scope.allSetId ??= this.preparse(scope.all);
      const all = this.evaluate({ ...call, preparsedPolicySetId: scope.allSetId });
      decision.logOnly = { decision: all.decision, determining: all.determining };
    }
    return decision;
  }

  private evaluate(
    call: Parameters<CedarWasm['statefulIsAuthorized']>[0],
  ): Pick<PolicyDecision, 'decision' | 'determining' | 'errors'> {
    const answer = this.c.statefulIsAuthorized(call);
    if (answer.type === 'failure')
      return { decision: 'deny', determining: [], errors: answer.errors.map((e) => ({ message: e.message })) };
    const { decision, diagnostics } = answer.response;
    const effect = decision === 'allow' ? 'permit' : 'forbid';
    return {
      decision,
      determining: diagnostics.reason.map((id) => ({ id, name: this.byId.get(id)?.name ?? id, effect })),
      errors: diagnostics.errors.map((e) => ({
        policyId: e.policyId,
        policyName: this.byId.get(e.policyId)?.name ?? e.policyId,
        message: e.error.message,
      })),
    };
  }

  /** The tools of `names` (default: all) the caller could call under some input, in the order given. */
  listable(caller: Caller, names: readonly string[] = this.toolNames()): string[] {
    return names.filter((n) => this.canList(caller, n));
  }

  /** tools/list: could some input be permitted for this caller? (see the module comment for the approximation) */
  canList(caller: Caller, tool: string): boolean {
    let principal: PrincipalEntity;
    try {
      principal = principalOf(caller);
    } catch {
      return false;
    }
    const key = `${principal.type}\u0000${principal.id}\u0000${JSON.stringify(Object.entries(principal.tags).sort())}`;
    let answers = this.listCache.get(key);
    const known = answers?.get(tool);
    if (known !== undefined) return known;
    const result = this.partiallyAllowed(principal, tool);
    if (!answers) {
      if (this.listCache.size >= LIST_CACHE_MAX) this.listCache = new Map();
      answers = new Map();
      this.listCache.set(key, answers);
    }
    answers.set(tool, result);
    return result;
  }

  private partiallyAllowed(principal: PrincipalEntity, action: string): boolean {
    const tool = this.tools.get(action);
    if (!tool) return false;
    const relevant = this.inScope(tool).enforced;
    if (!relevant.some((p) => this.heads.get(p.id)?.effect !== 'forbid')) return false;
    const answer = this.c.isAuthorizedPartial({
      principal: { type: principal.type, id: principal.id },
      action: { type: ENTITY.action, id: action },
      resource: { type: ENTITY.gateway, id: this.gateway.arn },
      context: { input: { __extn: { fn: 'unknown', arg: 'input' } } },
      policies: { staticPolicies: Object.fromEntries(relevant.map((p) => [p.id, p.statement])) },
      entities: [principalEntityJson(principal), ...this.hierarchyOf(tool)] as never,
    });
    return answer.type === 'residuals' && answer.response.decision !== 'deny';
  }

  /**
   * The action's place in AgentCore's action hierarchy as entities (what the schema would derive): decisions are made
   * without a schema, since the input was typed and checked against the tool's schema already (toCedarInput), and a
   * schema costs more to parse (per gateway or per action) than it saves per call (measured: bench/policy.mjs).
   */
  private hierarchyOf(tool: ToolEntry): ActionEntity[] {
    let e = this.actionEntities.get(tool.action);
    if (!e) {
      const uid = (id: string) => ({ type: ENTITY.action, id });
      const group = tool.target !== CALL_TOOL && tool.target !== MCP_GROUP ? tool.target : undefined;
      e = [
        { uid: uid(tool.action), attrs: {}, parents: [uid(CALL_TOOL), ...(group ? [uid(group)] : [])] },
        { uid: uid(CALL_TOOL), attrs: {}, parents: [uid(MCP_GROUP)] },
        { uid: uid(MCP_GROUP), attrs: {}, parents: [] },
        ...(group ? [{ uid: uid(group), attrs: {}, parents: [] }] : []),
      ];
      this.actionEntities.set(tool.action, e);
    }
    return e;
  }
}

function forbidIds(determining: readonly DecidingPolicy[]): string[] {
  return determining.filter((d) => d.effect === 'forbid').map((d) => d.id);
}
