/**
 * AgentCore Gateway's side of the wire, re-exported by wire.ts (where everything else the services define lives).
 *
 * AgentCore Gateway wire facts (../shared/docs/agentcore-gateway.md, checked against the installed
 * @aws-sdk/client-bedrock-agentcore-control 3.1142.0). UNVERIFIED marks a choice where no source was found.
 */
export const GATEWAY = {
  /** Tool names are `<target>___<tool>` (three underscores; target names cannot contain `_`). */
  toolSeparator: '___',
  /** The semantic search tool a gateway with `searchType: SEMANTIC` adds to tools/list. */
  searchTool: 'x_amz_bedrock_agentcore_search',
  /** `params._meta` key of a tools/call's per-call 3LO overrides (returnUrl, forceAuthentication). */
  credentialMetaKey: 'aws.bedrock-agentcore.gateway/credentialProviderConfiguration',
  /** MCP versions the service accepts (DG gateway-using); an empty supportedVersions means all of them. */
  mcpVersions: ['2025-03-26', '2025-06-18', '2025-11-25'],
  authorizerTypes: ['CUSTOM_JWT', 'AWS_IAM', 'NONE', 'AUTHENTICATE_ONLY'],
  /** IAM action a caller of an AWS_IAM gateway needs on the gateway ARN. */
  invokeAction: 'bedrock-agentcore:InvokeGateway',
  /**
   * What the gateway's role needs to evaluate its policy engine (agentcore-gateway.md §1.7); attaching an engine
   * later does not add them, and tools/list then fails with GATEWAY_MESSAGES.policyListToolsFailed [CM].
   */
  policyRoleActions: [
    'bedrock-agentcore:AuthorizeAction',
    'bedrock-agentcore:PartiallyAuthorizeActions',
    'bedrock-agentcore:GetPolicyEngine',
  ],
} as const;

export const GATEWAY_MESSAGES = {
  /** What callers see for any target or permission failure unless the gateway has exceptionLevel DEBUG. */
  internalError: 'An internal error occurred. Please retry later.',
  threeLoOnIam: '3LO Auth is not supported when gateway authorizer type is AWS_IAM',
  elicitation: 'This request requires more information.',
  elicitationItem: 'Please login to this URL for authorization.',
  invalidBearer: 'Invalid Bearer token',
  /**
   * AgentCore Policy (ENFORCE): a denied tools/call is an `isError` result, HTTP 200, `<policyDenied> [<why>]`, why
   * being policyDefaultDeny or `<policyDeniedBy> <forbid policy ids>` [DG:use-gateway-with-policy][CM]
   * (policy-model/model.ts denialText() joins them; the evaluator, the gateway and explain read them here).
   */
  policyDenied: 'AuthorizeActionException - Tool Execution Denied: Tool call not allowed due to policy enforcement',
  policyDefaultDeny: 'No policy applies to the request (denied by default).',
  policyDeniedBy: 'Policy evaluation denied due to',
  /** A gateway whose role lacks GATEWAY.policyRoleActions answers tools/list with this [CM]. */
  policyListToolsFailed: 'InternalServerException - Policy evaluation failed for list tools',
} as const;

/** One outbound credential choice of a gateway target: a provider type, OAuth split by grant; NONE = none. */
export type GatewayCredentialKind =
  | 'NONE'
  | 'GATEWAY_IAM_ROLE'
  | 'CALLER_IAM_CREDENTIALS'
  | 'OAUTH_CLIENT_CREDENTIALS'
  | 'OAUTH_AUTHORIZATION_CODE'
  | 'OAUTH_TOKEN_EXCHANGE'
  | 'JWT_PASSTHROUGH'
  | 'API_KEY';

const MCP_LIKE_OUTBOUND: readonly GatewayCredentialKind[] = [
  'NONE',
  'GATEWAY_IAM_ROLE',
  'OAUTH_CLIENT_CREDENTIALS',
  'OAUTH_AUTHORIZATION_CODE',
  'OAUTH_TOKEN_EXCHANGE',
  'API_KEY',
];

/**
 * Target type × outbound credential (DG gateway-outbound-auth; agentcore-gateway.md §2.3). PASSTHROUGH from DG
 * gateway-target-http-passthrough; its NONE and OAuth TOKEN_EXCHANGE are UNVERIFIED (allowed here).
 */
export const GATEWAY_OUTBOUND: Readonly<Partial<Record<string, readonly GatewayCredentialKind[]>>> = {
  API_GATEWAY: ['NONE', 'GATEWAY_IAM_ROLE', 'API_KEY'],
  LAMBDA: ['GATEWAY_IAM_ROLE'],
  MCP_SERVER: MCP_LIKE_OUTBOUND,
  OPEN_API_SCHEMA: MCP_LIKE_OUTBOUND,
  SMITHY_MODEL: ['GATEWAY_IAM_ROLE', 'OAUTH_CLIENT_CREDENTIALS'],
  AGENTCORE_RUNTIME: ['GATEWAY_IAM_ROLE', 'CALLER_IAM_CREDENTIALS', 'OAUTH_CLIENT_CREDENTIALS', 'JWT_PASSTHROUGH'],
  PASSTHROUGH: [
    'NONE',
    'GATEWAY_IAM_ROLE',
    'CALLER_IAM_CREDENTIALS',
    'OAUTH_CLIENT_CREDENTIALS',
    'OAUTH_TOKEN_EXCHANGE',
    'JWT_PASSTHROUGH',
    'API_KEY',
  ],
};

/** The credential kind of a target's (first) credential provider configuration. */
export function gatewayCredentialKind(
  c:
    | { credentialProviderType?: string; credentialProvider?: { oauthCredentialProvider?: { grantType?: string } } }
    | undefined,
): GatewayCredentialKind {
  if (!c?.credentialProviderType) return 'NONE';
  if (c.credentialProviderType !== 'OAUTH') return c.credentialProviderType as GatewayCredentialKind;
  const grant = c.credentialProvider?.oauthCredentialProvider?.grantType ?? 'CLIENT_CREDENTIALS';
  return `OAUTH_${grant}` as GatewayCredentialKind;
}
