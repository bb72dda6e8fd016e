/**
 * CreatePolicy / UpdatePolicy's definition: which member it uses (only `cedar` runs locally), and the checks that
 * decide ACTIVE vs CREATE_FAILED/UPDATE_FAILED: the statement parses, holds one policy, and validates against the
 * schema of every gateway associated with the engine under the request's validationMode (src/policy-model/validate.ts).
 */
import { parsePolicyText, validatePolicies, type PolicyDiagnostic } from '../../policy-model/index.js';
import { validationMessage } from '../api/index.js';
import type { PolicyStore, ValidationMode } from './store.js';

export const NOT_SUPPORTED = 'is not supported by the local stack';

/** The Cedar statement of a definition; temporal (`policy`) and generated (`policyGeneration`) ones are refused. */
export function cedarStatement(definition: Record<string, unknown>): string {
  if (definition.policy !== undefined && definition.policy !== null)
    throw validationMessage(
      `The 'policy' definition (temporal policies and guardrails) ${NOT_SUPPORTED}: ` +
        'it has no open evaluator. Use a plain Cedar statement: definition.cedar.statement.',
    );
  if (definition.policyGeneration !== undefined && definition.policyGeneration !== null)
    throw validationMessage(
      `A 'policyGeneration' definition ${NOT_SUPPORTED} (StartPolicyGeneration needs AWS's policy authoring ` +
        'service). Use definition.cedar.statement.',
    );
  return (definition.cedar as { statement: string }).statement;
}

function reason(d: PolicyDiagnostic): string {
  const at = d.line !== undefined ? `line ${d.line}${d.column !== undefined ? `, column ${d.column}` : ''}: ` : '';
  return `${at}${d.message}${d.help ? ` (${d.help})` : ''}`;
}

/** The status a statement settles in, and the reasons when it fails (UNVERIFIED: AWS's exact reason texts). */
export function checkStatement(
  store: PolicyStore,
  engineArn: string,
  policyName: string,
  statement: string,
  mode: ValidationMode,
): string[] {
  const parsed = parsePolicyText(statement, { idPrefix: policyName });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return errors.map(reason);
  if (parsed.policies.length !== 1)
    return [`the statement must hold exactly one Cedar policy (it holds ${parsed.policies.length})`];
  const policies = parsed.policies.map((p) => ({ ...p, id: policyName, name: policyName }));
  const gateways = store.gatewaysFor(engineArn);
  const found = (gateways.length ? gateways : [undefined]).flatMap((g) => validatePolicies(g, policies, mode));
  const reasons = found.filter((d) => d.severity === 'error').map(reason);
  return [...new Set(reasons)];
}
