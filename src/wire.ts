/**
 * Wire constants shared by the CLI and the local emulator: header names, paths, limits, enums and the exact messages
 * the services send. Facts come from ../shared/docs/agentcore-identity.md and agentcore-errors.md, checked against the
 * installed @aws-sdk packages. The emulator may import this file (and only this file) from core/.
 */

import { GATEWAY_MESSAGES } from './wire-gateway.js';

export const HEADERS = {
  sessionId: 'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id',
  userId: 'X-Amzn-Bedrock-AgentCore-Runtime-User-Id',
  requestId: 'X-Amzn-Bedrock-AgentCore-Runtime-Request-Id',
  customPrefix: 'X-Amzn-Bedrock-AgentCore-Runtime-Custom-',
  mcpSessionId: 'Mcp-Session-Id',
  mcpProtocolVersion: 'Mcp-Protocol-Version',
  mcpMethod: 'Mcp-Method',
  mcpName: 'Mcp-Name',
  traceId: 'X-Amzn-Trace-Id',
  traceParent: 'traceparent',
  traceState: 'tracestate',
  baggage: 'baggage',
  /** Into the agent container. */
  workloadAccessToken: 'WorkloadAccessToken',
  workloadAccessTokenNew: 'X-Amz-Bedrock-AgentCore-Identity-WAT',
  oauth2CallbackUrl: 'OAuth2CallbackUrl',
  errorType: 'x-amzn-errortype',
  amznRequestId: 'x-amzn-requestid',
  wwwAuthenticate: 'WWW-Authenticate',
} as const;

/** Headers a caller may not set through `-H` on any path: the CLI sets them from dedicated flags. */
export const RESERVED_REQUEST_HEADERS = [
  'authorization',
  'x-amzn-bedrock-agentcore-runtime-session-id',
  'x-amzn-bedrock-agentcore-runtime-user-id',
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'x-amzn-trace-id',
  'traceparent',
  'tracestate',
  'baggage',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'host',
  'content-length',
] as const;

export const PATHS = {
  invoke: (arnOrId: string) => `/runtimes/${encodeURIComponent(arnOrId)}/invocations`,
  stopSession: (arnOrId: string) => `/runtimes/${encodeURIComponent(arnOrId)}/stopruntimesession`,
  protectedResource: (arnOrId: string) =>
    `/runtimes/${encodeURIComponent(arnOrId)}/invocations/.well-known/oauth-protected-resource`,
  getAgentRuntime: (id: string) => `/runtimes/${encodeURIComponent(id)}/`,
  getWorkloadAccessToken: '/identities/GetWorkloadAccessToken',
  getWorkloadAccessTokenForJwt: '/identities/GetWorkloadAccessTokenForJWT',
  getWorkloadAccessTokenForUserId: '/identities/GetWorkloadAccessTokenForUserId',
  getResourceOauth2Token: '/identities/oauth2/token',
  completeResourceTokenAuth: '/identities/CompleteResourceTokenAuth',
  getResourceApiKey: '/identities/api-key',
  authorize: '/identities/oauth2/authorize',
} as const;

export const LIMITS = {
  sessionIdMin: 33,
  sessionIdMax: 256,
  userIdMin: 1,
  userIdMax: 1024,
  /** GetWorkloadAccessTokenForUserId / CompleteResourceTokenAuth userId. */
  identityUserIdMax: 128,
  workloadNameMin: 3,
  workloadNameMax: 255,
  providerNameMax: 128,
  scopeMax: 128,
  customStateMax: 4096,
  returnUrlMax: 2048,
  tokenMax: 131072,
  customHeaderValueMax: 4096,
  customHeadersPerRuntime: 20,
  traceIdMax: 128,
  traceParentMax: 128,
  /** InvokeAgentRuntime's traceState, baggage and mcpSessionId members (the SDK model's lengths; W3C's too). */
  traceStateMax: 512,
  baggageMax: 8192,
  mcpSessionIdMax: 1024,
  /** InvokeAgentRuntime's other header members (botocore bedrock-agentcore 2024-02-28). */
  mcpProtocolVersionMax: 1024,
  contentTypeMax: 256,
  acceptMax: 256,
  /**
   * InvokeAgentRuntime request payload: the model's `payload` blob has max 100,000,000 bytes (botocore
   * bedrock-agentcore 2024-02-28; the quotas page says "100 MB, not adjustable": decimal megabytes).
   */
  payloadMax: 100_000_000,
} as const;

export const PATTERNS = {
  workloadName: /^[A-Za-z0-9_.-]+$/,
  providerName: /^[a-zA-Z0-9\-_]+$/,
  /** The model's pattern (dots unescaped, as in the model). */
  userToken: /^[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+.[A-Za-z0-9-_=]+$/,
  sessionUri: /^urn:ietf:params:oauth:request_uri:[a-zA-Z0-9-._~]+$/,
  returnUrl: /^\w+:(\/?\/?)[^\s]+$/,
  discoveryUrl: /^.+\/\.well-known\/openid-configuration$/,
  accountId: /^[0-9]{12}$/,
  runtimeArn:
    /^arn:aws[a-z-]*:bedrock-agentcore:([a-z0-9-]+):([0-9]{12}):runtime\/([A-Za-z][A-Za-z0-9_]{0,99}-[A-Za-z0-9]{10})$/,
  runtimeId: /^[A-Za-z][A-Za-z0-9_]{0,99}-[A-Za-z0-9]{10}$/,
} as const;

export const SESSION_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

export const OAUTH2_FLOW = {
  M2M: 'M2M',
  USER_FEDERATION: 'USER_FEDERATION',
  ON_BEHALF_OF_TOKEN_EXCHANGE: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
} as const;
export const SESSION_STATUS = { IN_PROGRESS: 'IN_PROGRESS', FAILED: 'FAILED' } as const;
export const CLAIM_OPERATORS = ['EQUALS', 'CONTAINS', 'CONTAINS_ANY'] as const;
export type ClaimOperator = (typeof CLAIM_OPERATORS)[number];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How AgentCore's method-mismatch refusal starts (the CLI quotes it in explanations). */
export const METHOD_MISMATCH = 'Authorization method mismatch';

/** Exact service messages (agentcore-errors.md). */
export const MESSAGES = {
  methodMismatch:
    `${METHOD_MISMATCH}. The agent is configured for a different authorization method than what was used in your ` +
    "request. Check the agent's authorization configuration and ensure your request uses the matching method " +
    '(OAuth or SigV4)',
  missingAuthToken: 'Missing Authentication Token',
  failedToParseToken: 'OAuth authorization failed: Failed to parse token',
  tokenExpired: 'Token has expired',
  claimMismatch: (claim: string) => `Claim '${claim}' value mismatch with configuration.`,
  sessionIdTooShort:
    "Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length greater than or equal to 33",
  noReturnUrl:
    'You must register and use at least one ResourceOauth2ReturnUrl on your workload identity to use this flow',
  invalidOrExpiredSession: 'Invalid or expired session',
  providerNotFound: 'Resource Credential Provider not found',
  clientCredentialsParse: 'Error parsing ClientCredentials response',
  workloadLinkedToService: 'WorkloadIdentity is linked to a service and cannot retrieve an access token by the caller',
  watNotSet:
    'Workload access token has not been set. If invoking agent runtime via SIGV4 inbound auth, please specify the ' +
    'X-Amzn-Bedrock-AgentCore-Runtime-User-Id header and retry.',
  cognitoIncorrectPassword: 'Incorrect username or password.',
  cognitoSecretHashMissing: (clientId: string) =>
    `Client ${clientId} is configured with secret but SECRET_HASH was not received`,
  cognitoSecretHashWrong: (clientId: string) => `Unable to verify secret hash for client ${clientId}`,
  cognitoUserPasswordNotEnabled: 'USER_PASSWORD_AUTH flow not enabled for this client',
  cognitoUserNotFound: 'User does not exist.',
  cognitoUserDisabled: 'User is disabled.',
  cognitoRefreshRevoked: 'Refresh Token has been revoked',
  cognitoAccessRevoked: 'Access Token has been revoked',
  /** ListUsers with a Filter it cannot parse (aws/aws-sdk-php#1088). */
  cognitoFilterParse: 'Error while parsing filter.',
  /** AdminAddUserToGroup & co. with an unknown group (aws-amplify/amplify-cli#2214). */
  cognitoGroupNotFound: 'Group not found.',
  /** SOFTWARE_TOKEN_MFA answered with a wrong code (CodeMismatchException). */
  cognitoMfaCodeMismatch: 'Invalid code or auth state for the user.',
  /** VerifySoftwareToken with a wrong code (EnableSoftwareTokenMFAException; aws-amplify-auth-starters#15). */
  cognitoTotpVerifyMismatch: 'Code mismatch and fail enable Software Token MFA',
  /**
   * UNVERIFIED: the service's answer to an oversized payload is not documented; this is the emulator's (413
   * ValidationException).
   */
  payloadTooLarge: `Request payload exceeds the maximum allowed size of ${100_000_000} bytes (100 MB)`,
  /** A direct call to a runtime whose authorizer has allowedWorkloadConfiguration (agentcore-gateway.md §6, 3P). */
  transactionTokenRequired: 'Transaction token required: authorizer has AllowedWorkloadConfiguration configured',
} as const;

/**
 * How each known error is recognised (core/classify.ts): an error name (AWS error type, OAuth `error`; compared
 * case-insensitively), an HTTP status, a pattern of the message the service sends. The first entry whose message
 * pattern matches wins; else the first whose name matches; else the first whose status does. The texts the local stack
 * sends are MESSAGES; each is recognised as its own kind (test/core/classify.test.ts). The kinds are the ids of the
 * hint table (core/hints.ts), which says cause and fix for each.
 */
export interface ServiceErrorSignature {
  readonly kind: string;
  readonly names?: readonly string[];
  readonly statuses?: readonly number[];
  readonly message?: RegExp;
}

export const SERVICE_ERRORS = [
  // AgentCore Policy at the Gateway (texts in GATEWAY_MESSAGES, wire-gateway.ts; specific, so first).
  {
    kind: 'policy-denied-by-default',
    message: new RegExp(
      `${escapeRegExp(GATEWAY_MESSAGES.policyDefaultDeny)}|` +
        `${escapeRegExp(GATEWAY_MESSAGES.policyDeniedBy)} no determining policies`,
      'i',
    ),
  },
  {
    kind: 'policy-denied-by-forbid',
    message: new RegExp(`${escapeRegExp(GATEWAY_MESSAGES.policyDeniedBy)} (?!no determining)`, 'i'),
  },
  {
    kind: 'policy-list-tools-failed',
    message: new RegExp(
      escapeRegExp(GATEWAY_MESSAGES.policyListToolsFailed.replace(/^InternalServerException - /, '')),
      'i',
    ),
  },
  { kind: 'policy-tool-denied', message: /AuthorizeActionException|Tool Execution Denied/i },
  // AgentCore Gateway (texts in core/gateway/hints.ts; the internal error's words from GATEWAY_MESSAGES).
  { kind: 'gateway-internal-error', message: /An internal error occurred\. Please retry later\./i },
  { kind: 'gateway-3lo-on-iam', message: /3LO Auth is not supported when gateway authorizer type is/i },
  {
    kind: 'gateway-mcp-target-fetch',
    message: /Failed to connect and fetch tools from the provided MCP target server/i,
  },
  { kind: 'gateway-mcp-tool-schema', message: /mcpToolSchema must be an object with 'tools' array/i },
  {
    kind: 'gateway-target-pending-auth',
    message: /can't be performed on target when it is in Create_Pending_Auth state/i,
  },
  { kind: 'gateway-mcp-init-auth', message: /MCP initialization failed: Authorization error when sending message/i },
  { kind: 'gateway-invalid-bearer', message: /Invalid Bearer token/i },
  { kind: 'gateway-lambda-unmapped', message: /No endpoint serves arn:aws[a-z-]*:lambda:/i },
  { kind: 'gateway-interceptor-output', message: /interceptorOutputVersion/i },
  {
    kind: 'gateway-outbound-table',
    message: new RegExp(
      [
        /Outbound auth \S+ is not supported for \S+ targets/.source,
        /needs a bearer-token inbound type/.source,
        /needs a gateway with authorizer type AWS_IAM/.source,
      ].join('|'),
      'i',
    ),
  },
  { kind: 'gateway-unknown-tool', message: /Unknown tool: \S+/ },
  // On-behalf-of token exchange (core/identity/obo-hints.ts): AgentCore's wording is UNVERIFIED; these key on the
  // provider's OAuth error codes and the RFC 8693 / 7523 parameter names (before token-expired and the OAuth codes).
  {
    kind: 'obo-needs-jwt',
    message: /ON_BEHALF_OF_TOKEN_EXCHANGE needs a workload access token obtained with GetWorkloadAccessTokenForJWT/i,
  },
  { kind: 'obo-not-configured', message: /not (configured|set up) for on-behalf-of/i },
  { kind: 'obo-subject-expired', message: /(subject_token|assertion) has expired/i },
  { kind: 'obo-subject-untrusted', message: /(subject_token|assertion) issuer \S+ is not trusted/i },
  { kind: 'obo-subject-signature', message: /(subject_token|assertion) signature is invalid/i },
  { kind: 'obo-subject-token-type', message: /(unsupported|invalid) subject_token_type/i },
  { kind: 'obo-invalid-client', message: /on-behalf-of token exchange failed.*invalid_client/i },
  { kind: 'obo-invalid-target', message: /on-behalf-of token exchange failed.*invalid_target/i },
  { kind: 'obo-actor', message: /actor token \(client credentials\) could not be obtained/i },
  { kind: 'method-mismatch', message: new RegExp(METHOD_MISMATCH, 'i') },
  { kind: 'claim-client-id', message: /Claim 'client_id' value mismatch/i },
  { kind: 'claim-aud', message: /Claim 'aud' value mismatch/i },
  { kind: 'claim-iss', message: /Claim 'iss' value mismatch/i },
  { kind: 'claim-scope', message: /Claim 'scope' value mismatch/i },
  { kind: 'claim-generic', message: /Claim '([^']+)' value mismatch/i },
  {
    kind: 'sso-session-expired',
    message: new RegExp(
      'SSO session associated with this profile (has expired|is invalid)|SSO session token associated with ' +
        'profile=\\S* was not found or is invalid|Token is expired\\. To refresh this SSO session',
      'i',
    ),
  },
  {
    kind: 'token-expired',
    message: /(?<!Refresh )Token has expired|token is expired|"exp" claim timestamp check failed/i,
  },
  { kind: 'missing-auth-token', message: /Missing Authentication Token/i },
  { kind: 'failed-to-parse-token', message: /Failed to parse token/i },
  { kind: 'wat-not-set', message: /Workload access token has not been set/i },
  { kind: 'no-return-url', message: /register and use at least one ResourceOauth2ReturnUrl/i },
  { kind: 'invalid-or-expired-session', message: /Invalid or expired session/i },
  { kind: 'provider-not-found', message: /Resource Credential Provider not found/i },
  // The local stack's wording (AWS's text for an unknown workload identity was never recorded).
  { kind: 'workload-not-found', message: /Workload identity '[^']*' not found/i },
  { kind: 'client-credentials-parse', message: /Error parsing ClientCredentials response/i },
  { kind: 'workload-linked', message: /linked to a service and cannot retrieve an access token/i },
  { kind: 'session-id-too-short', message: /runtimeSessionId' failed to satisfy constraint/i },
  { kind: 'cognito-secret-hash-missing', message: /configured with secret but SECRET_HASH was not received/i },
  { kind: 'cognito-secret-hash-wrong', message: /Unable to verify secret hash/i },
  { kind: 'cognito-user-password-not-enabled', message: /USER_PASSWORD_AUTH flow not enabled/i },
  { kind: 'cognito-incorrect-password', message: /Incorrect username or password/i },
  { kind: 'cognito-user-not-found', names: ['UserNotFoundException'], message: /User does not exist/i },
  { kind: 'cognito-refresh-revoked', message: /Refresh Token has been revoked/i },
  { kind: 'cognito-refresh-expired', message: /Refresh Token has expired|Invalid Refresh Token/i },
  { kind: 'cognito-access-revoked', message: /Access Token has been revoked/i },
  {
    kind: 'cognito-mfa-code-mismatch',
    names: ['CodeMismatchException', 'EnableSoftwareTokenMFAException'],
    message: /Invalid code or auth state for the user|Code mismatch and fail enable Software Token MFA/i,
  },
  { kind: 'cognito-user-disabled', message: /User is disabled/i },
  { kind: 'cognito-filter-parse', message: /Error while parsing filter/i },
  { kind: 'cognito-group-not-found', message: /Group not found/i },
  {
    kind: 'cognito-trigger-unreachable',
    names: ['UnexpectedLambdaException'],
    message: /invocation failed due to error/i,
  },
  {
    kind: 'cognito-trigger-bad-answer',
    names: ['InvalidLambdaResponseException', 'UserLambdaValidationException'],
    message: /Unrecognizable lambda output|Invalid lambda function output|PreTokenGeneration failed with error/i,
  },
  { kind: 'invoke-for-user-denied', message: /InvokeAgentRuntimeForUser/i },
  {
    kind: 'jwt-invalid-or-not-found',
    names: ['UnauthorizedException'],
    statuses: [401],
    message: /JWT bearer token is invalid or not found/i,
  },
  {
    kind: 'signature-mismatch',
    names: [
      'InvalidSignatureException',
      'SignatureDoesNotMatch',
      'UnrecognizedClientException',
      'InvalidClientTokenId',
    ],
    message: /signature we calculated does not match|security token included in the request is invalid/i,
  },
  {
    kind: 'expired-credentials',
    names: ['ExpiredTokenException', 'ExpiredToken'],
    message: /security token included in the request is expired/i,
  },
  { kind: 'runtime-client-error', names: ['RuntimeClientError'], statuses: [424] },
  { kind: 'payload-too-large', statuses: [413], message: /payload (exceeds|is too large)|request entity too large/i },
  { kind: 'quota-exceeded', names: ['ServiceQuotaExceededException'], statuses: [402] },
  {
    kind: 'throttled',
    names: ['ThrottlingException', 'ThrottledException', 'TooManyRequestsException'],
    statuses: [429],
  },
  {
    kind: 'service-unavailable',
    names: ['ServiceUnavailableException', 'InternalServerException', 'InternalFailure', 'ServiceUnavailable'],
    statuses: [500, 502, 503, 504],
  },
  { kind: 'not-found', names: ['ResourceNotFoundException'], statuses: [404] },
  { kind: 'region-missing', message: /Region is missing/i },
  {
    kind: 'no-credentials',
    names: ['CredentialsProviderError'],
    message: /Could not load credentials|Unable to locate credentials/i,
  },
  { kind: 'oauth-invalid-client', names: ['invalid_client'], message: /invalid_client/ },
  { kind: 'oauth-invalid-scope', names: ['invalid_scope'], message: /invalid_scope/ },
  {
    kind: 'oauth-unauthorized-client',
    names: ['unauthorized_client', 'unsupported_grant_type'],
    message: /unauthorized_client|unsupported_grant_type/,
  },
  { kind: 'redirect-uri-mismatch', message: /redirect_uri|redirect_mismatch/i },
  {
    kind: 'discovery-url-pattern',
    message: /discoveryUrl'? failed to satisfy constraint|well-known\\?\/openid-configuration\$/i,
  },
  { kind: 'custom-claim-scp', message: /Custom claim name can't be 'scp'/i },
  {
    kind: 'mcp-generic-unauthorized',
    message: /Authentication error - Invalid credentials|"code"\s*:\s*"UNAUTHORIZED"|Authentication required/i,
  },
  { kind: 'insufficient-scope', names: ['insufficient_scope'], message: /insufficient_scope/ },
  { kind: 'provider-secret-denied', message: /Access denied when retrieving secret/i },
  { kind: 'session-in-progress', names: ['RetryableConflictException'], message: /Session operation in progress/i },
  { kind: 'mcp-accept-header', message: /MCP protocol requires Accept header/i },
  {
    kind: 'setup-access-denied',
    message: new RegExp(
      'not authorized to perform: (' +
        'cognito-idp:(Create|Delete|Describe|List)' +
        '(UserPool|UserPools|ResourceServer|UserPoolDomain|UserPoolClient|UserPoolClients)\\b|' +
        'cognito-idp:(AdminCreateUser|AdminSetUserPassword|AdminGetUser|TagResource)\\b|' +
        'bedrock-agentcore:(Create|Delete|Get|Update)(WorkloadIdentity|Oauth2CredentialProvider|TokenVault)\\b)',
      'i',
    ),
  },
  { kind: 'cognito-domain-taken', message: /Domain already (associated with another user pool|exists)/i },
  { kind: 'cognito-pool-has-domain', message: /It has a domain configured that should be deleted first/i },
  { kind: 'cognito-limit-exceeded', names: ['LimitExceededException'] },
  {
    kind: 'iam-not-authorized',
    names: ['AccessDeniedException'],
    statuses: [403],
    message: /is not authorized to perform/i,
  },
  { kind: 'mcp-url-elicitation', message: /This request requires more information|"code"\s*:\s*-32042/i },
  { kind: 'local-token-signature', message: /Token signature verification failed/i },
  { kind: 'local-agent-unreachable', message: /could not reach agent \S+ at \S+/i },
] as const satisfies readonly ServiceErrorSignature[];

export type ServiceErrorKind = (typeof SERVICE_ERRORS)[number]['kind'];

/** SigV4 signing name used by both AgentCore planes; Cognito admin ops sign as cognito-idp. */
export const SIGNING_NAME = { agentcore: 'bedrock-agentcore', cognito: 'cognito-idp' } as const;

/** The services whose endpoints can be overridden with AWS_ENDPOINT_URL_<SERVICE>. */
export const SERVICES = {
  agentcore: {
    envSuffix: 'BEDROCK_AGENTCORE',
    host: (region: string) => `https://bedrock-agentcore.${region}.amazonaws.com`,
  },
  control: {
    envSuffix: 'BEDROCK_AGENTCORE_CONTROL',
    host: (region: string) => `https://bedrock-agentcore-control.${region}.amazonaws.com`,
  },
  cognito: {
    envSuffix: 'COGNITO_IDENTITY_PROVIDER',
    host: (region: string) => `https://cognito-idp.${region}.amazonaws.com`,
  },
} as const;
export type ServiceKey = keyof typeof SERVICES;

/** Default MCP protocol version the official CLI uses over InvokeAgentRuntime. */
export const MCP_PROTOCOL_VERSION = '2025-03-26';
/** JSON-RPC code of an MCP URL-mode elicitation (3LO needed) on the Gateway. */
export const MCP_URL_ELICITATION_CODE = -32042;

/**
 * The loopback 3LO return URL agentcore-auth serves by default (`exchange`, `callback`, `invoke|mcp --complete-auth`),
 * the starter toolkit's local default, which the local stack registers on its seeded workload identities.
 */
export const DEFAULT_RETURN_PORT = 8081;
export const DEFAULT_RETURN_URL = `http://localhost:${DEFAULT_RETURN_PORT}/oauth2/callback`;

/** The loopback redirect URI `login --auth-flow authorization-code` listens on by default (register it at the IdP). */
export const DEFAULT_REDIRECT_URI = 'http://localhost:53682/callback';

export * from './wire-gateway.js';
