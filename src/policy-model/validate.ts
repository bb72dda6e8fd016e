/**
 * What CreatePolicy / UpdatePolicy check before a policy becomes ACTIVE, and what `policy validate` reports
 * (agentcore-gateway.md §4.2-4.3; devguide policy-validation-overview, policy-create-update-validation):
 *   schema checks (always): Cedar's strict validator against the schema of the engine's gateways, plus AgentCore's
 *     scope rules: a resource must be scoped (`resource == AgentCore::Gateway::"<arn>"` or `resource is
 *     AgentCore::Gateway`), and a policy naming specific tool actions must name a specific gateway (groups such as
 *     `action in AgentCore::Action::"CallTool"` may use `resource is AgentCore::Gateway`);
 *   semantic findings (validationMode FAIL_ON_ANY_FINDINGS, the default): AWS runs an automated-reasoning analyzer;
 *     here it is approximated: a condition-free permit is "overly permissive" (it allows every request of its scope),
 *     a condition-free forbid "overly restrictive", and a policy the validator proves impossible "ineffective".
 * The exact texts AWS puts in statusReasons are UNVERIFIED; these say what was found and where.
 */
import { cedar } from './cedar.js';
import { policyHead } from './scope.js';
import { TOOL_SEPARATOR, type GatewayModel, type PolicySource } from './model.js';
import { diagnosticsOf, type PolicyDiagnostic } from './policies.js';
import { buildSchema, toolIndex } from './schema.js';

export type ValidationMode = 'FAIL_ON_ANY_FINDINGS' | 'IGNORE_ALL_FINDINGS';

const IMPOSSIBLE = /policy is impossible/i;

function placed(p: PolicySource, d: Omit<PolicyDiagnostic, 'file' | 'line' | 'policyId' | 'policyName'>) {
  return {
    ...d,
    ...(p.file ? { file: p.file } : {}),
    ...(p.line !== undefined ? { line: p.line } : {}),
    policyId: p.id,
    policyName: p.name,
  };
}

/** AgentCore's scope rules and the emulated analyzer's findings for one policy. */
function scopeChecks(p: PolicySource, semantic: boolean): PolicyDiagnostic[] {
  const head = policyHead(p.statement);
  if (!head) return [];
  const out: PolicyDiagnostic[] = [];
  const { resource, effect, conditions } = head;
  if (resource.op === 'All')
    out.push(
      placed(p, {
        severity: 'error',
        message: 'the resource is unconstrained: AgentCore rejects such a policy',
        help:
          'scope it to a gateway: resource == AgentCore::Gateway::"<gateway ARN>" ' +
          '(or resource is AgentCore::Gateway)',
        source: 'agentcore',
      }),
    );
  else if (head.actions?.some((a) => a.includes(TOOL_SEPARATOR)) && resource.op !== '==')
    out.push(
      placed(p, {
        severity: 'error',
        message: 'a policy naming specific actions must name a specific gateway',
        help: 'use resource == AgentCore::Gateway::"<gateway ARN>"',
        source: 'agentcore',
      }),
    );
  if (semantic && !conditions)
    out.push(
      placed(p, {
        severity: 'error',
        message:
          effect === 'permit'
            ? 'overly permissive: with no when/unless condition it allows every request of its scope'
            : 'overly restrictive: with no when/unless condition it denies every request of its scope',
        help: 'add a condition, or create it with validationMode IGNORE_ALL_FINDINGS if that is intended',
        source: 'analysis',
      }),
    );
  return out;
}

/**
 * Validate policies against a gateway's schema (`undefined`: the engine has no gateway yet, so only AgentCore's
 * base schema: no tool actions). Findings of the analyzer are errors under FAIL_ON_ANY_FINDINGS, left out otherwise.
 */
export function validatePolicies(
  gateway: GatewayModel | undefined,
  policies: readonly PolicySource[],
  mode: ValidationMode = 'FAIL_ON_ANY_FINDINGS',
): PolicyDiagnostic[] {
  if (!policies.length) return [];
  const semantic = mode === 'FAIL_ON_ANY_FINDINGS';
  const schema = buildSchema(gateway ?? { arn: '', targets: [] });
  const byId = new Map(policies.map((p) => [p.id, p]));
  const answer = cedar().validate({
    schema: schema as never,
    policies: { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.statement])) },
    validationSettings: { mode: 'strict' },
  });
  if (answer.type === 'failure') return diagnosticsOf(answer.errors, { text: '' }, 'error', 'schema');
  const out: PolicyDiagnostic[] = [];
  const inPolicy = (list: typeof answer.validationErrors, severity: 'error' | 'warning') => {
    for (const v of list) {
      const p = byId.get(v.policyId);
      if (!p) continue;
      const where = { text: p.statement, ...(p.file ? { file: p.file } : {}), startLine: p.line ?? 1, policy: p };
      const ineffective = severity === 'warning' && IMPOSSIBLE.test(v.error.message);
      const d = diagnosticsOf([v.error], where, ineffective && semantic ? 'error' : severity, 'schema');
      if (ineffective) for (const x of d) x.message = `ineffective: ${x.message}`;
      out.push(...d);
    }
  };
  inPolicy(answer.validationErrors, 'error');
  inPolicy(answer.validationWarnings, 'warning');
  for (const p of policies) out.push(...scopeChecks(p, semantic));
  const tools = gateway ? toolNamesOf(gateway) : [];
  for (const d of out)
    if (d.severity === 'error' && /unrecognized action/.test(d.message))
      d.help = tools.length
        ? `known tools: ${tools.slice(0, 12).join(', ')}${tools.length > 12 ? `, … (${tools.length})` : ''}`
        : 'no gateway with tools is associated with the policy engine: only the CallTool and Mcp actions exist';
  return out.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0));
}

function toolNamesOf(gateway: GatewayModel): string[] {
  return [...toolIndex(gateway).keys()].sort();
}
