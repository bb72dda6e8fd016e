/**
 * ListPolicies' `targetResourceScope` filter: does a policy's resource scope cover a resource ARN? A policy scoped to
 * that gateway (`resource == AgentCore::Gateway::"<arn>"`, or `in` it) or to every gateway (`resource is
 * AgentCore::Gateway`, or any resource) does. UNVERIFIED: whether AWS also lists type-scoped policies under an ARN.
 */
import { policyHead } from '../../policy-model/index.js';

export function appliesToResource(statement: string, arn: string): boolean {
  const r = policyHead(statement)?.resource;
  if (!r) return false;
  if (r.op === 'All') return true;
  if (r.op === 'is') return r.type === 'AgentCore::Gateway';
  return r.id === arn;
}
