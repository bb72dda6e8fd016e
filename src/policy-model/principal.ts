/**
 * The principal AgentCore Policy evaluates (agentcore-gateway.md §4.3): a JWT caller is `AgentCore::OAuthUser::"<sub>"`
 * whose every claim is a String tag (numbers and booleans as their text, arrays and objects as their JSON text, null
 * claims no tag); an IAM caller is `AgentCore::IamEntity::"<arn>"` with `id` = the ARN and no tags.
 */
import { ENTITY, PolicyModelError, type Caller } from './model.js';

export interface PrincipalEntity {
  type: string;
  id: string;
  /** The OAuthUser's tags (empty for IamEntity). */
  tags: Record<string, string>;
}

const IAM_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/:-]+$/;

/** A claim's tag value, or undefined for a null claim (no tag). */
export function claimTag(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Every claim as a String tag, as the gateway does. */
export function claimsToTags(claims: Record<string, unknown>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    const t = claimTag(v);
    if (t !== undefined) tags[k] = t;
  }
  return tags;
}

/** The principal of a caller. Throws PolicyModelError('claims') for claims that cannot name a principal. */
export function principalOf(caller: Caller): PrincipalEntity {
  if (caller.kind === 'iam') {
    if (!IAM_ARN.test(caller.arn))
      throw new PolicyModelError(
        'claims',
        `not an IAM principal ARN: ${caller.arn}`,
        'Pass the caller as arn:aws:iam::<account>:role/<name> or ' +
          'arn:aws:sts::<account>:assumed-role/<role>/<session>.',
      );
    return { type: ENTITY.iamEntity, id: caller.arn, tags: {} };
  }
  const claims = caller.claims as unknown;
  if (!claims || typeof claims !== 'object' || Array.isArray(claims))
    throw new PolicyModelError('claims', 'the claims must be a JSON object (the JWT payload)');
  const sub = caller.claims.sub;
  if (typeof sub !== 'string' || !sub)
    throw new PolicyModelError(
      'claims',
      sub === undefined
        ? 'the claims have no "sub"'
        : `the "sub" claim must be a non-empty string, got ${claimTag(sub)}`,
      'AgentCore names the principal AgentCore::OAuthUser::"<sub>": the JWT must carry a string sub claim.',
    );
  return { type: ENTITY.oauthUser, id: sub, tags: claimsToTags(caller.claims) };
}

/** The principal as a Cedar entity (JSON entity form). */
export function principalEntityJson(p: PrincipalEntity): {
  uid: { type: string; id: string };
  attrs: { id: string };
  parents: never[];
  tags?: Record<string, string>;
} {
  return {
    uid: { type: p.type, id: p.id },
    attrs: { id: p.id },
    parents: [],
    ...(p.type === ENTITY.oauthUser ? { tags: p.tags } : {}),
  };
}
