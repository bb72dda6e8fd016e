/**
 * One offline decision (`policy check`): the gateway's tools/call decision for a caller, a tool and its input, with
 * the determining policies, the principal's tags and the errors met. The tool must exist and the input fit its
 * schema, or it is ERR_INPUT (exit 2): an answer about a call the gateway would never evaluate would mislead.
 */
import {
  compilePolicies,
  type Caller,
  type CompiledPolicies,
  type PolicyDecision,
  type PolicySource,
} from '../../policy-model/index.js';
import { inputError } from '../errors.js';
import { principalFor } from './caller.js';
import type { PolicyContext } from './load.js';

export interface CheckResult {
  decision: 'allow' | 'deny';
  tool: string;
  gatewayArn: string;
  principal: { type: string; id: string; tags: Record<string, string> };
  determining: Array<{ id: string; name: string; effect: 'permit' | 'forbid'; file?: string; line?: number }>;
  errors: Array<{ policyId?: string; policyName?: string; message: string; file?: string; line?: number }>;
  /** The gateway's answer to a denied call (ENFORCE). */
  denialText?: string;
  logOnly?: PolicyDecision['logOnly'];
  notes: string[];
  /** A deployed gateway's decision (--gateway-id): its id, its engine (when its policies decided) and mode. */
  gatewayId?: string;
  engine?: { id: string; arn: string; mode: string };
  mode?: string;
}

export function compileContext(ctx: PolicyContext): CompiledPolicies {
  return compilePolicies({ gateway: ctx.gateway, policies: ctx.policies });
}

/** ERR_INPUT for a tool the gateway does not have (naming the ones it has) or input its schema refuses. */
export function checkToolCall(set: CompiledPolicies, tool: string, input: unknown, where = ''): void {
  if (!set.tool(tool)) {
    const known = set.toolNames();
    throw inputError(
      `${where}unknown tool ${tool}`,
      known.length
        ? `The gateway's tools: ${known.slice(0, 20).join(', ')}${known.length > 20 ? `, … (${known.length})` : ''}`
        : 'The tools file lists no tools (names are <target>___<tool>).',
    );
  }
  const problems = set.checkInput(tool, input);
  if (problems.length)
    throw inputError(
      `${where}the input does not match ${tool}'s input schema: ${problems.join('; ')}`,
      'Give the arguments the tool takes (JSON object), as the gateway would receive them in tools/call.',
    );
}

function placed(byId: Map<string, PolicySource>, id: string | undefined) {
  const p = id ? byId.get(id) : undefined;
  return { ...(p?.file ? { file: p.file } : {}), ...(p?.line !== undefined ? { line: p.line } : {}) };
}

export function decide(
  ctx: PolicyContext,
  set: CompiledPolicies,
  call: { caller: Caller; tool: string; input: unknown },
): CheckResult {
  const principal = principalFor(call.caller);
  checkToolCall(set, call.tool, call.input);
  const d = set.authorize(call);
  const byId = new Map(ctx.policies.map((p) => [p.id, p]));
  return {
    decision: d.decision,
    tool: call.tool,
    gatewayArn: ctx.gateway.arn,
    principal: { type: principal.type, id: principal.id, tags: principal.tags },
    determining: d.determining.map((x) => ({ ...x, ...placed(byId, x.id) })),
    errors: d.errors.map((e) => ({ ...e, ...placed(byId, e.policyId) })),
    ...(d.denialText ? { denialText: d.denialText } : {}),
    ...(d.logOnly ? { logOnly: d.logOnly } : {}),
    notes: ctx.notes,
  };
}

/** The result as lines (stdout of `policy check`). `paint` colours the verdict. */
export function renderCheck(r: CheckResult, paint: (ok: boolean, text: string) => string = (_, t) => t): string[] {
  const where = (x: { file?: string; line?: number }) =>
    x.file ? `  ${x.file}${x.line !== undefined ? `:${x.line}` : ''}` : '';
  const lines = [
    `decision   ${paint(r.decision === 'allow', r.decision.toUpperCase())}` +
      (r.decision === 'deny' && !r.determining.length ? '  (no policy applies: denied by default)' : ''),
    `tool       ${r.tool}`,
    `principal  ${r.principal.type}::${JSON.stringify(r.principal.id)}`,
    `resource   AgentCore::Gateway::${JSON.stringify(r.gatewayArn)}`,
  ];
  const tags = Object.entries(r.principal.tags);
  lines.push(tags.length ? 'tags' : 'tags       (none)');
  for (const [k, v] of tags) lines.push(`  ${k} = ${JSON.stringify(v)}`);
  lines.push(`determining${r.determining.length ? '' : '  (none)'}`);
  for (const d of r.determining) lines.push(`  ${d.effect} ${d.id}${d.name !== d.id ? ` (${d.name})` : ''}${where(d)}`);
  if (r.errors.length) {
    lines.push('errors (each policy that errored was skipped)');
    for (const e of r.errors) lines.push(`  ${e.policyId ?? '-'}${where(e)}: ${e.message}`);
  }
  if (r.logOnly)
    lines.push(
      `log-only   with the LOG_ONLY policies active: ${r.logOnly.decision}` +
        (r.logOnly.determining.length ? ` (${r.logOnly.determining.map((d) => d.id).join(', ')})` : ''),
    );
  if (r.engine) lines.push(`engine     ${r.engine.id} (${r.engine.mode})`);
  if (r.mode === 'LOG_ONLY')
    lines.push('mode       LOG_ONLY: the gateway lets the call through and only logs this decision');
  if (r.denialText) lines.push(`gateway    ${r.denialText}${r.mode === 'LOG_ONLY' ? ' (under ENFORCE)' : ''}`);
  return lines;
}
