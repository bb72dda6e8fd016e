/**
 * AgentCore's CustomJWTAuthorizerConfiguration, as the Runtime and the Gateway share it (SDK-CP models_0; constraints
 * from the botocore model, agentcore-gateway.md §6): its type, the model's constraints as one shape table (checked by
 * the control planes with validate(), and by the config-file parser through checkShape()), and the parser of a
 * config file's or an API request's authorizer with errors that name the field.
 *
 * For the gateway's control plane: reuse AUTHORIZER_SHAPES in its request shapes and parseCustomJwtAuthorizer() for
 * the semantic rules (operators, the `scp` claim name, advertised scopes); both are part of this module's stable API.
 *
 * Fields with no local effect: `privateEndpoint` and `privateEndpointOverrides` (VPC Lattice reachability of the
 * issuer) are validated, stored and shown by GetAgentRuntime, but the stack fetches the discovery URL directly.
 */
import { CLAIM_OPERATORS, PATTERNS, type ClaimOperator } from '../../wire.js';
import { enumOf, list, map, req, str as strRule, struct, union } from '../api/index.js';
import { ConfigError, keyField } from '../config-fields.js';
import { checkShape, isObject, known, str, strList, httpUrl } from './fields.js';

export interface CustomClaimRule {
  inboundTokenClaimName: string;
  inboundTokenClaimValueType: 'STRING' | 'STRING_ARRAY';
  authorizingClaimMatchValue: {
    claimMatchValue: { matchValueString?: string; matchValueStringList?: string[] };
    claimMatchOperator: ClaimOperator;
  };
}

/** A VPC Lattice reachability setting, stored as given (validated against AUTHORIZER_SHAPES.PrivateEndpoint). */
export type PrivateEndpoint = Record<string, unknown>;

export interface AllowedWorkloadConfiguration {
  /** Hosting environments (at launch: AgentCore Gateways) whose workloads may call. */
  hostingEnvironments?: Array<{ arn: string }>;
  /** Workload identity names that may call. */
  workloadIdentities?: string[];
}

/** AgentCore's CustomJWTAuthorizerConfiguration (the fields the authorizer enforces, and those it only stores). */
export interface CustomJwtAuthorizer {
  /** Omitted (config file only) = the stack's own user pool. */
  discoveryUrl?: string;
  allowedAudience?: string[];
  allowedClients?: string[];
  allowedScopes?: string[];
  /** allowedScope → the scope shown in the protected-resource metadata and WWW-Authenticate (validation unchanged). */
  advertisedScopeMapping?: Record<string, string>;
  customClaims?: CustomClaimRule[];
  /** Only callers in the request's identity chain (a gateway) may call; a direct call needs a transaction token. */
  allowedWorkloadConfiguration?: AllowedWorkloadConfiguration;
  /** Stored and shown; no network effect locally. */
  privateEndpoint?: PrivateEndpoint;
  privateEndpointOverrides?: Array<{ domain: string; privateEndpoint: PrivateEndpoint }>;
}

// ---------------------------------------------------------------------------------------------------------------
// The model's constraints (botocore bedrock-agentcore-control 2023-06-05; newer members from SDK-CP 3.1142.0)

/** AllowedScopeType. */
const SCOPE = strRule({ min: 1, max: 255, pattern: /[\x21\x23-\x5B\x5D-\x7E]+/ });
/** InboundTokenClaimNameType: `.-:` is a range in the model's pattern, so `cognito:groups` is legal. */
export const CLAIM_NAME = strRule({ min: 1, max: 255, pattern: /[A-Za-z0-9_.-:]+/ });
/** MatchValueString: no spaces, `:` or `/`. */
export const CLAIM_VALUE = strRule({ min: 1, max: 255, pattern: /[A-Za-z0-9_.-]+/ });
const TAG_TEXT = /[a-zA-Z0-9\s._:/=+@-]*/;
export const TAGS = map(strRule({ min: 0, max: 256, pattern: TAG_TEXT }), {
  key: strRule({ min: 1, max: 128, pattern: TAG_TEXT }),
  min: 0,
  max: 50,
});
const PRIVATE_ENDPOINT = union({
  selfManagedLatticeResource: union({
    resourceConfigurationIdentifier: strRule({
      min: 20,
      max: 2048,
      pattern: new RegExp(
        String.raw`((rcfg-[0-9a-z]{17})|(arn:[a-z0-9\-]+:vpc-lattice:[a-zA-Z0-9\-]+:\d{12}:` +
          'resourceconfiguration/rcfg-[0-9a-z]{17}))',
      ),
    }),
  }),
  managedVpcResource: struct({
    vpcIdentifier: req(strRule({ pattern: /vpc-(([0-9a-z]{8})|([0-9a-z]{17}))/ })),
    subnetIds: req(list(strRule())),
    endpointIpAddressType: req(enumOf(['IPV4', 'IPV6'])),
    securityGroupIds: list(strRule({ pattern: /sg-(([0-9a-z]{8})|([0-9a-z]{17}))/ }), { min: 0, max: 5 }),
    tags: TAGS,
    routingDomain: strRule({ min: 3, max: 255 }),
  }),
});
const CLAIM_RULE = struct({
  inboundTokenClaimName: req(CLAIM_NAME),
  inboundTokenClaimValueType: req(enumOf(['STRING', 'STRING_ARRAY'])),
  authorizingClaimMatchValue: req(
    struct({
      claimMatchValue: req(
        union({ matchValueString: CLAIM_VALUE, matchValueStringList: list(CLAIM_VALUE, { min: 1 }) }),
      ),
      claimMatchOperator: req(enumOf(CLAIM_OPERATORS)),
    }),
  ),
});
const ALLOWED_WORKLOADS = struct({
  hostingEnvironments: list(struct({ arn: req(strRule({ min: 1, max: 2048 })) }), { min: 1, max: 10 }),
  workloadIdentities: list(strRule({ min: 3, max: 255, pattern: /[A-Za-z0-9_.-]+/ }), { min: 1 }),
});
const CUSTOM_JWT = struct({
  discoveryUrl: req(strRule({ pattern: /.+\/\.well-known\/openid-configuration/ })),
  allowedAudience: list(strRule(), { min: 1 }),
  allowedClients: list(strRule(), { min: 1 }),
  allowedScopes: list(SCOPE, { min: 1 }),
  advertisedScopeMapping: map(SCOPE, { key: SCOPE }),
  customClaims: list(CLAIM_RULE, { min: 1 }),
  privateEndpoint: PRIVATE_ENDPOINT,
  privateEndpointOverrides: list(
    struct({ domain: req(strRule({ min: 1, max: 253 })), privateEndpoint: req(PRIVATE_ENDPOINT) }),
    { min: 0, max: 5 },
  ),
  allowedWorkloadConfiguration: ALLOWED_WORKLOADS,
});

/** The request shapes of the inbound authorizer, for any control plane that takes one. */
export const AUTHORIZER_SHAPES = {
  CustomJWTAuthorizerConfiguration: CUSTOM_JWT,
  AuthorizerConfiguration: union({ customJWTAuthorizer: CUSTOM_JWT }),
  PrivateEndpoint: PRIVATE_ENDPOINT,
  AllowedWorkloadConfiguration: ALLOWED_WORKLOADS,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// The parser (config file, and the control plane after the shape check)

const JWT_FIELDS = [
  'discoveryUrl',
  'allowedAudience',
  'allowedClients',
  'allowedScopes',
  'advertisedScopeMapping',
  'customClaims',
  'allowedWorkloadConfiguration',
  'privateEndpoint',
  'privateEndpointOverrides',
] as const;

const SCOPE_HINT = 'is not a valid scope (1-255 printable characters, no space, quote or backslash)';

function scope(s: string, p: string): void {
  if (s.length > 255 || !fullMatch(SCOPE.pattern!, s)) throw new ConfigError(p, `${JSON.stringify(s)} ${SCOPE_HINT}`);
}

export function parseCustomJwtAuthorizer(raw: unknown, path: string): CustomJwtAuthorizer {
  if (!isObject(raw)) throw new ConfigError(path, 'must be an object');
  known(raw, path, JWT_FIELDS);
  const out: CustomJwtAuthorizer = {};
  const discoveryUrl = str(raw.discoveryUrl, `${path}.discoveryUrl`, {
    optional: true,
    pattern: PATTERNS.discoveryUrl,
    hint: "must end with /.well-known/openid-configuration (omit it to trust the stack's own user pool)",
  });
  if (discoveryUrl) {
    httpUrl(discoveryUrl, `${path}.discoveryUrl`);
    out.discoveryUrl = discoveryUrl;
  }
  const aud = strList(raw.allowedAudience, `${path}.allowedAudience`);
  if (aud) out.allowedAudience = aud;
  const clients = strList(raw.allowedClients, `${path}.allowedClients`);
  if (clients) out.allowedClients = clients;
  const scopes = strList(raw.allowedScopes, `${path}.allowedScopes`, scope);
  if (scopes) out.allowedScopes = scopes;
  if (raw.advertisedScopeMapping !== undefined)
    out.advertisedScopeMapping = parseScopeMapping(
      raw.advertisedScopeMapping,
      `${path}.advertisedScopeMapping`,
      scopes,
    );
  if (raw.customClaims !== undefined) {
    if (!Array.isArray(raw.customClaims) || raw.customClaims.length === 0)
      throw new ConfigError(`${path}.customClaims`, 'must be a non-empty list');
    out.customClaims = raw.customClaims.map((c, i) => parseClaimRule(c, `${path}.customClaims[${i}]`));
  }
  storeChecked(raw, out, path);
  return out;
}

/** The members AgentCore stores as given: checked against the model's table, kept as written. */
function storeChecked(raw: Record<string, unknown>, out: CustomJwtAuthorizer, path: string): void {
  if (raw.allowedWorkloadConfiguration !== undefined) {
    const p = `${path}.allowedWorkloadConfiguration`;
    checkShape(raw.allowedWorkloadConfiguration, ALLOWED_WORKLOADS, p);
    const w = raw.allowedWorkloadConfiguration as AllowedWorkloadConfiguration;
    if (!w.hostingEnvironments?.length && !w.workloadIdentities?.length)
      throw new ConfigError(p, 'needs hostingEnvironments or workloadIdentities');
    out.allowedWorkloadConfiguration = w;
  }
  if (raw.privateEndpoint !== undefined) {
    checkShape(raw.privateEndpoint, PRIVATE_ENDPOINT, `${path}.privateEndpoint`);
    out.privateEndpoint = raw.privateEndpoint as PrivateEndpoint;
  }
  if (raw.privateEndpointOverrides !== undefined) {
    checkShape(
      raw.privateEndpointOverrides,
      CUSTOM_JWT.members.privateEndpointOverrides!,
      `${path}.privateEndpointOverrides`,
    );
    out.privateEndpointOverrides = raw.privateEndpointOverrides as CustomJwtAuthorizer['privateEndpointOverrides'];
  }
}

function parseScopeMapping(raw: unknown, path: string, allowed: string[] | undefined): Record<string, string> {
  if (!isObject(raw) || Object.keys(raw).length === 0)
    throw new ConfigError(path, 'must be a non-empty mapping of allowedScopes to the scopes to advertise');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const field = keyField(path, k);
    if (!allowed?.includes(k))
      throw new ConfigError(
        field,
        `maps a scope that is not in allowedScopes (${allowed?.join(', ') ?? 'none configured'})`,
      );
    const shown = str(v, field)!;
    scope(shown, field);
    out[k] = shown;
  }
  return out;
}

function claimName(raw: unknown, path: string): string {
  const name = str(raw, path)!;
  if (name.length > 255 || !fullMatch(CLAIM_NAME.pattern!, name))
    throw new ConfigError(
      path,
      `${JSON.stringify(name)} must be 1-255 characters from [A-Za-z0-9_.-:] (${CLAIM_NAME.pattern!.source})`,
    );
  if (name === 'scp' || name === 'scope')
    throw new ConfigError(
      path,
      "Custom claim name can't be 'scp'. Please configure claims in the allowed_scopes field",
    );
  return name;
}

function claimValue(s: string, path: string): void {
  if (s.length > 255 || !fullMatch(CLAIM_VALUE.pattern!, s))
    throw new ConfigError(
      path,
      `${JSON.stringify(s)} must be 1-255 letters, digits, '_', '.' or '-' (${CLAIM_VALUE.pattern!.source}: ` +
        'no spaces, colons or slashes)',
    );
}

function fullMatch(re: RegExp, s: string): boolean {
  return new RegExp(`^(?:${re.source})$`).test(s);
}

function parseClaimRule(raw: unknown, path: string): CustomClaimRule {
  if (!isObject(raw)) throw new ConfigError(path, 'must be an object');
  known(raw, path, ['inboundTokenClaimName', 'inboundTokenClaimValueType', 'authorizingClaimMatchValue']);
  const name = claimName(raw.inboundTokenClaimName, `${path}.inboundTokenClaimName`);
  const type = str(raw.inboundTokenClaimValueType, `${path}.inboundTokenClaimValueType`)!;
  if (type !== 'STRING' && type !== 'STRING_ARRAY')
    throw new ConfigError(
      `${path}.inboundTokenClaimValueType`,
      `must be STRING or STRING_ARRAY (got ${JSON.stringify(type)})`,
    );
  const m = raw.authorizingClaimMatchValue;
  if (!isObject(m))
    throw new ConfigError(
      `${path}.authorizingClaimMatchValue`,
      'is required ({ claimMatchValue, claimMatchOperator })',
    );
  const mp = `${path}.authorizingClaimMatchValue`;
  const op = str(m.claimMatchOperator, `${mp}.claimMatchOperator`)!;
  if (!(CLAIM_OPERATORS as readonly string[]).includes(op))
    throw new ConfigError(
      `${mp}.claimMatchOperator`,
      `must be one of ${CLAIM_OPERATORS.join(', ')} (got ${JSON.stringify(op)})`,
    );
  const value = parseMatchValue(m.claimMatchValue, `${mp}.claimMatchValue`);
  checkOperator(op as ClaimOperator, type, value, path);
  return {
    inboundTokenClaimName: name,
    inboundTokenClaimValueType: type,
    authorizingClaimMatchValue: { claimMatchValue: value, claimMatchOperator: op as ClaimOperator },
  };
}

function parseMatchValue(v: unknown, vp: string): CustomClaimRule['authorizingClaimMatchValue']['claimMatchValue'] {
  if (!isObject(v)) throw new ConfigError(vp, 'is required ({ matchValueString } or { matchValueStringList })');
  const single = str(v.matchValueString, `${vp}.matchValueString`, { optional: true });
  if (single !== undefined) claimValue(single, `${vp}.matchValueString`);
  const many = strList(v.matchValueStringList, `${vp}.matchValueStringList`, claimValue);
  if ((single === undefined) === (many === undefined))
    throw new ConfigError(vp, 'needs exactly one of matchValueString or matchValueStringList');
  return single !== undefined ? { matchValueString: single } : { matchValueStringList: many! };
}

/** SDK-CP ClaimMatchValueType: EQUALS a STRING claim; CONTAINS / CONTAINS_ANY on a STRING_ARRAY claim. */
function checkOperator(
  op: ClaimOperator,
  type: string,
  value: CustomClaimRule['authorizingClaimMatchValue']['claimMatchValue'],
  path: string,
): void {
  const single = value.matchValueString !== undefined;
  if (op === 'EQUALS' && (type !== 'STRING' || !single))
    throw new ConfigError(path, 'EQUALS compares a STRING claim with matchValueString');
  if (op === 'CONTAINS' && (type !== 'STRING_ARRAY' || !single))
    throw new ConfigError(path, 'CONTAINS checks that a STRING_ARRAY claim contains matchValueString');
  if (op === 'CONTAINS_ANY' && (type !== 'STRING_ARRAY' || single))
    throw new ConfigError(path, 'CONTAINS_ANY checks that a STRING_ARRAY claim contains any of matchValueStringList');
}

/** The scopes an authorizer advertises (PRM scopes_supported, WWW-Authenticate scope=): allowedScopes, mapped. */
export function advertisedScopes(cfg: CustomJwtAuthorizer): string[] | undefined {
  const mapping = cfg.advertisedScopeMapping;
  return mapping ? cfg.allowedScopes?.map((s) => mapping[s] ?? s) : cfg.allowedScopes;
}
