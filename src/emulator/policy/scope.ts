/**
 * ListPolicies' `targetResourceScope` filter: does a policy's resource scope cover a resource ARN? A policy scoped to
 * that gateway (`resource == AgentCore::Gateway::"<arn>"`, or `in` it) or to every gateway (`resource is
 * AgentCore::Gateway`) does. UNVERIFIED: whether AWS also lists type-scoped policies under a specific ARN.
 */
import { cedar } from '../../policy-model/cedar.js';

function uidId(u: unknown): string | undefined {
  const e = (u as { __entity?: { id: string } }).__entity ?? (u as { id?: string });
  return e?.id;
}

export function appliesToResource(statement: string, arn: string): boolean {
  const j = cedar().policyToJson(statement);
  if (j.type === 'failure') return false;
  const r = j.json.resource;
  if (r.op === 'All' || r.op === 'is') return r.op === 'All' || r.entity_type === 'AgentCore::Gateway';
  return 'entity' in r && uidId(r.entity) === arn;
}
