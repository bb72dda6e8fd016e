/**
 * The customJWTAuthorizer configuration as AgentCore stores it (CustomJWTAuthorizerConfiguration in the control-plane
 * model), built from CLI flags or read from GetAgentRuntime / GetGateway.
 */
import { usageError } from '../errors.js';
import { CLAIM_OPERATORS, PATTERNS, type ClaimOperator } from '../../wire.js';

export interface CustomClaimRule {
  /** inboundTokenClaimName */
  name: string;
  /** inboundTokenClaimValueType: EQUALS works on STRING claims, CONTAINS / CONTAINS_ANY on STRING_ARRAY claims. */
  valueType: 'STRING' | 'STRING_ARRAY';
  operator: ClaimOperator;
  /** matchValueString (EQUALS, CONTAINS) as one element, or matchValueStringList (CONTAINS_ANY). */
  values: string[];
}

export interface AuthorizerConfig {
  discoveryUrl: string;
  allowedAudience?: string[];
  allowedClients?: string[];
  allowedScopes?: string[];
  customClaims?: CustomClaimRule[];
}

/** Where the configuration came from (shown in the report). */
export type AuthorizerSource =
  | { kind: 'flags' }
  | { kind: 'agent'; arn: string; name?: string }
  | { kind: 'gateway'; id: string; name?: string };

/** Claim names the control plane accepts: `[A-Za-z0-9_.-:]+`, 1–255 characters. */
const CLAIM_NAME = /^[A-Za-z0-9_.\-:]{1,255}$/;

/**
 * Parse `--custom-claim name:OPERATOR:value`. The claim name may itself contain colons (`cognito:groups`), so the
 * operator is the last `:EQUALS:` / `:CONTAINS:` / `:CONTAINS_ANY:` segment. CONTAINS_ANY takes a comma-separated list.
 */
export function parseCustomClaim(spec: string): CustomClaimRule {
  const m = /^(.+):(EQUALS|CONTAINS_ANY|CONTAINS):(.*)$/i.exec(spec);
  if (!m) {
    throw usageError(
      `--custom-claim '${spec}' is not name:OPERATOR:value`,
      `OPERATOR is one of ${CLAIM_OPERATORS.join(', ')}; e.g. --custom-claim department:EQUALS:eng, ` +
        `--custom-claim cognito:groups:CONTAINS:admin, --custom-claim roles:CONTAINS_ANY:read,write`,
    );
  }
  const name = m[1]!;
  const operator = m[2]!.toUpperCase() as ClaimOperator;
  const raw = m[3]!;
  if (!CLAIM_NAME.test(name)) {
    throw usageError(
      `--custom-claim: claim name '${name}' is not allowed`,
      'Claim names match [A-Za-z0-9_.-:]+ (1–255 characters).',
    );
  }
  if (name === 'scp') {
    // The control plane refuses it with this text (agentcore-errors.md §1.2).
    throw usageError(
      "Custom claim name can't be 'scp'. Please configure claims in the allowed_scopes field",
      'Use --allowed-scopes for scopes (it reads both `scope` and `scp`).',
    );
  }
  const values =
    operator === 'CONTAINS_ANY'
      ? raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [raw];
  if (values.length === 0 || values.some((v) => v === '')) {
    throw usageError(`--custom-claim '${spec}' has no value to match`);
  }
  return { name, operator, valueType: operator === 'EQUALS' ? 'STRING' : 'STRING_ARRAY', values };
}

/** Render a rule the way it is typed on the command line. */
export function formatCustomClaim(rule: CustomClaimRule): string {
  return `${rule.name}:${rule.operator}:${rule.values.join(',')}`;
}

/** The SDK shape (CustomJWTAuthorizerConfiguration) → ours. Unknown union members are kept out, with a note. */
export function fromSdkAuthorizer(c: {
  discoveryUrl?: string | undefined;
  allowedAudience?: string[] | undefined;
  allowedClients?: string[] | undefined;
  allowedScopes?: string[] | undefined;
  customClaims?:
    | Array<{
        inboundTokenClaimName?: string | undefined;
        inboundTokenClaimValueType?: string | undefined;
        authorizingClaimMatchValue?:
          | {
              claimMatchValue?: { matchValueString?: string; matchValueStringList?: string[] } | undefined;
              claimMatchOperator?: string | undefined;
            }
          | undefined;
      }>
    | undefined;
}): AuthorizerConfig {
  const out: AuthorizerConfig = { discoveryUrl: c.discoveryUrl ?? '' };
  if (c.allowedAudience?.length) out.allowedAudience = [...c.allowedAudience];
  if (c.allowedClients?.length) out.allowedClients = [...c.allowedClients];
  if (c.allowedScopes?.length) out.allowedScopes = [...c.allowedScopes];
  const rules: CustomClaimRule[] = [];
  for (const r of c.customClaims ?? []) {
    const op = r.authorizingClaimMatchValue?.claimMatchOperator as ClaimOperator | undefined;
    const v = r.authorizingClaimMatchValue?.claimMatchValue;
    if (!r.inboundTokenClaimName || !op || !CLAIM_OPERATORS.includes(op)) continue;
    const values = v?.matchValueStringList ?? (v?.matchValueString !== undefined ? [v.matchValueString] : []);
    rules.push({
      name: r.inboundTokenClaimName,
      operator: op,
      valueType:
        r.inboundTokenClaimValueType === 'STRING_ARRAY'
          ? 'STRING_ARRAY'
          : r.inboundTokenClaimValueType === 'STRING'
            ? 'STRING'
            : op === 'EQUALS'
              ? 'STRING'
              : 'STRING_ARRAY',
      values,
    });
  }
  if (rules.length) out.customClaims = rules;
  return out;
}

export function discoveryUrlIsValid(url: string): boolean {
  return PATTERNS.discoveryUrl.test(url);
}

/**
 * The URL to fetch when the configured one does not end in /.well-known/openid-configuration: an issuer URL with the
 * suffix appended (what the user almost certainly meant).
 */
export function suggestedDiscoveryUrl(url: string): string {
  const base = url.replace(/\/+$/, '').replace(/\/\.well-known\/[^/]*$/, '');
  return `${base}/.well-known/openid-configuration`;
}
