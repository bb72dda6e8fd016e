/**
 * The hint table: for each kind of error (core/classify.ts, recognised by the table in src/wire.ts) where it comes
 * from, its cause and its fix, in words. Used at run time to attach a hint to every error the CLI renders, and by
 * `explain` to answer a pasted message. Each entry has a test (test/core/hints.test.ts): keep the `example` a real
 * message that is classified as the entry's kind.
 */
import { classify, type ErrorKind } from './classify.js';
import { COGNITO_HINTS } from './cognito/hints.js';
import { OBO_HINTS } from './identity/obo-hints.js';
import { GATEWAY_HINTS } from './gateway/hints.js';
import { POLICY_HINTS } from './policy/hints.js';
import { RUNTIME_HINTS } from './runtime/hints.js';
import { SERVICE_ERRORS, type ServiceErrorKind } from '../wire.js';

interface HintText {
  /** The kind of error (core/classify.ts), used by tests and `explain --json`. */
  id: ServiceErrorKind;
  /** Where it comes from: the service that sends it. */
  source: string;
  cause: string;
  fix: string;
  /** A real message that is classified as this kind (tested). */
  example: string;
}

export interface HintEntry extends HintText {
  /** How the kind is recognised (from src/wire.ts): error names, HTTP statuses, a message pattern. */
  name?: readonly string[];
  status?: readonly number[];
  message?: RegExp;
}

const TEXTS: readonly HintText[] = [
  ...POLICY_HINTS,
  ...OBO_HINTS,
  ...GATEWAY_HINTS,
  ...COGNITO_HINTS,
  ...RUNTIME_HINTS,
  {
    id: 'method-mismatch',
    source: 'AgentCore Runtime (403 AccessDeniedException)',
    cause:
      'The agent accepts exactly one inbound mode: IAM SigV4 or an OAuth bearer JWT. The request used the other one.',
    fix:
      'If the agent has a customJWTAuthorizer, call it with --bearer-token/--bearer; otherwise use SigV4 ' +
      '(optionally with --user-id). `agentcore-auth invoke --auth auto` reads the agent configuration and ' +
      'picks the right mode.',
    example:
      'AccessDeniedException: Authorization method mismatch. The agent is configured for a different ' +
      "authorization method than what was used in your request. Check the agent's authorization " +
      'configuration and ensure your request uses the matching method (OAuth or SigV4)',
  },
  {
    id: 'claim-client-id',
    source: 'AgentCore customJWTAuthorizer (401)',
    cause:
      'The authorizer has allowedClients, and the token has no `client_id` claim naming one of them. Cognito ' +
      'ID tokens carry `aud` instead of `client_id`; Okta uses `cid`, Entra `appid`/`azp`.',
    fix:
      'Send the Cognito *access* token (login --print access-token), or configure allowedAudience instead ' +
      'of allowedClients for ID tokens / IdPs without a client_id claim. Check with `agentcore-auth verify`.',
    example: "Claim 'client_id' value mismatch with configuration.",
  },
  {
    id: 'claim-aud',
    source: 'AgentCore customJWTAuthorizer (401)',
    cause:
      'The authorizer has allowedAudience, and the token has no matching `aud`. Cognito access tokens carry no ' +
      '`aud` at all.',
    fix:
      'For Cognito access tokens configure allowedClients=[<app client id>] instead of allowedAudience, or ' +
      'send the ID token. Check with `agentcore-auth verify`.',
    example: "Claim 'aud' value mismatch with configuration.",
  },
  {
    id: 'claim-iss',
    source: 'AgentCore customJWTAuthorizer (401)',
    cause:
      "The token's issuer differs from the issuer in the authorizer's discovery document (another user pool or " +
      'tenant?).',
    fix:
      'Mint the token from the IdP the discoveryUrl points at, or fix discoveryUrl. `agentcore-auth token ' +
      'decode` shows the token issuer.',
    example: "Claim 'iss' value mismatch with configuration.",
  },
  {
    id: 'claim-scope',
    source: 'AgentCore customJWTAuthorizer (401)',
    cause: 'None of the scopes in the token is in allowedScopes.',
    fix: 'Request one of the allowed scopes when minting the token (--scopes), or add the scope to allowedScopes.',
    example: "Claim 'scope' value mismatch with configuration.",
  },
  {
    id: 'claim-generic',
    source: 'AgentCore customJWTAuthorizer (401)',
    cause: 'A custom claim rule of the authorizer did not match the token.',
    fix:
      'Compare the token claims (`agentcore-auth token decode`) with the authorizer customClaims ' +
      '(`agentcore-auth verify --agent-arn …`).',
    example: "Claim 'department' value mismatch with configuration.",
  },
  {
    id: 'sso-session-expired',
    source: 'AWS SDK credential providers (SSO / IAM Identity Center)',
    cause: 'The SSO session of the AWS profile has expired or is invalid, so no AWS credentials could be made.',
    fix: 'Sign in again: `aws sso login --profile …` (the profile agentcore-auth used: --profile or AWS_PROFILE).',
    example:
      'CredentialsProviderError: The SSO session associated with this profile has expired. To refresh this SSO ' +
      'session run aws sso login with the corresponding profile.',
  },
  {
    id: 'token-expired',
    source: 'AgentCore customJWTAuthorizer / Cognito',
    cause: 'The bearer token has expired (AgentCore also rejects tokens that expire during the call).',
    fix:
      'Mint a fresh token (`agentcore-auth login`, or `--bearer NAME`, which refreshes cached tokens that ' +
      'expire within 2 minutes).',
    example: 'Token has expired',
  },
  {
    id: 'missing-auth-token',
    source: 'AgentCore Runtime (401, JWT-configured agent)',
    cause: 'The agent expects an OAuth bearer token and the request had no Authorization header.',
    fix: 'Pass --bearer-token TOKEN or --bearer NAME (a cached login).',
    example: 'Missing Authentication Token',
  },
  {
    id: 'failed-to-parse-token',
    source: 'AgentCore Runtime (403)',
    cause:
      'The bearer value is not a JWT (empty, truncated, an opaque token, or a workload access token, which is ' +
      'not a JWT).',
    fix:
      'Send the IdP-issued JWT (three base64url parts). `agentcore-auth token decode` tells whether a value ' +
      'is a JWT.',
    example: 'OAuth authorization failed: Failed to parse token',
  },
  {
    id: 'no-return-url',
    source: 'AgentCore Identity GetResourceOauth2Token (400 ValidationException)',
    cause:
      "USER_FEDERATION needs a return URL, and it must be in the workload identity's allowedResourceOauth2ReturnUrls.",
    fix:
      'Register it: `agentcore-auth exchange … --register-return-url` (or UpdateWorkloadIdentity with the ' +
      'full list), then pass the same URL as the return URL.',
    example:
      'ValidationException: You must register and use at least one ResourceOauth2ReturnUrl on your workload ' +
      'identity to use this flow',
  },
  {
    id: 'invalid-or-expired-session',
    source: 'AgentCore Identity CompleteResourceTokenAuth (403 AccessDeniedException)',
    cause:
      'The user identifier must be exactly the user id, or the very same JWT string, that minted the workload ' +
      'token which started the flow (a fresh JWT for the same user does not count); or the session is ' +
      'older than 10 minutes.',
    fix:
      'Complete with the same --user-id / --user-token that `exchange` or `invoke` used, within 10 minutes ' +
      'of the authorization URL.',
    example: 'AccessDeniedException: Invalid or expired session',
  },
  {
    id: 'provider-not-found',
    source: 'AgentCore Identity (404 ResourceNotFoundException)',
    cause: 'No credential provider has that name in this account and region.',
    fix:
      'Check the name and --region; list them with `aws bedrock-agentcore-control ' +
      'list-oauth2-credential-providers`.',
    example: 'ResourceNotFoundException: Resource Credential Provider not found',
  },
  {
    id: 'workload-not-found',
    source: "AgentCore Identity (404 ResourceNotFoundException; the local stack's wording)",
    cause: 'No workload identity has that name in this account and region.',
    fix:
      'Check --workload-name and --region; list them with `aws bedrock-agentcore-control ' +
      "list-workload-identities`. A Runtime agent's own is named after its runtime id (--agent-arn finds it).",
    example: "ResourceNotFoundException: Workload identity 'nosuch' not found",
  },
  {
    id: 'client-credentials-parse',
    source: 'AgentCore Identity GetResourceOauth2Token M2M (400)',
    cause:
      "The provider's token endpoint refused the client-credentials request; AgentCore does not pass the details on.",
    fix:
      'Check the provider client id/secret, the scopes (they must exist on the IdP resource server) and the ' +
      'token endpoint. Try it directly: `agentcore-auth login --auth-flow client-credentials ' +
      '--token-endpoint … --scopes …`.',
    example: 'ValidationException: Error parsing ClientCredentials response',
  },
  {
    id: 'workload-linked',
    source: 'AgentCore Identity GetWorkloadAccessToken* (400)',
    cause: 'Runtime- and Gateway-managed workload identities mint tokens only inside the service.',
    fix:
      'Use a workload identity you created yourself (CreateWorkloadIdentity) for local exchanges, or test ' +
      'through `invoke`.',
    example:
      'ValidationException: WorkloadIdentity is linked to a service and cannot retrieve an access token by the caller',
  },
  {
    id: 'jwt-invalid-or-not-found',
    source: 'AgentCore (401 UnauthorizedException)',
    cause: 'The bearer JWT is missing, malformed, expired or not signed by the expected issuer.',
    fix: 'Check it with `agentcore-auth verify TOKEN --discovery-url …` and mint a fresh one if needed.',
    example: 'UnauthorizedException: JWT bearer token is invalid or not found for OAuth bearer token based access',
  },
  {
    id: 'signature-mismatch',
    source: 'AWS SigV4',
    cause: 'The AWS credentials are wrong, expired, or for another partition; or the clock is skewed.',
    fix: 'Check `aws sts get-caller-identity --profile …`, refresh SSO (`aws sso login`), and the system clock.',
    example:
      'InvalidSignatureException: The request signature we calculated does not match the signature you provided.',
  },
  {
    id: 'expired-credentials',
    source: 'AWS STS credentials',
    cause: 'The temporary AWS credentials have expired.',
    fix: 'Refresh them (`aws sso login --profile …`, or re-assume the role).',
    example: 'ExpiredTokenException: The security token included in the request is expired',
  },
  {
    id: 'quota-exceeded',
    source: 'AgentCore (402)',
    cause: 'A service quota was exceeded (for example concurrent sessions).',
    fix: 'Stop idle sessions (StopRuntimeSession) or request a quota increase.',
    example: 'ServiceQuotaExceededException: Maximum number of concurrent sessions reached',
  },
  {
    id: 'throttled',
    source: 'AWS (429)',
    cause: 'Too many requests; agentcore-auth already retried with backoff.',
    fix: 'Slow down (lower --concurrency) and try again later.',
    example: 'ThrottlingException: Rate exceeded',
  },
  {
    id: 'service-unavailable',
    source: 'AWS (5xx)',
    cause: 'The service failed or was unavailable; the AWS SDK already retried the call with backoff.',
    fix:
      'Try again in a moment. If it persists, check the AWS Health Dashboard for the region; --verbose shows ' +
      'the request id to give AWS Support.',
    example: 'ServiceUnavailableException: Service Unavailable',
  },
  {
    id: 'not-found',
    source: 'AWS (404)',
    cause: 'The resource does not exist in this account and region (or under this qualifier).',
    fix:
      'Check --region (an ARN carries its own), the qualifier (DEFAULT unless you created an endpoint), and ' +
      'the name or ARN.',
    example: 'ResourceNotFoundException: No endpoint or agent found with qualifier',
  },
  {
    id: 'region-missing',
    source: 'AWS SDK',
    cause: 'No AWS region is configured.',
    fix: 'Pass --region, set AWS_REGION, or set region in your AWS profile. A full ARN carries its own region.',
    example: 'Region is missing',
  },
  {
    id: 'no-credentials',
    source: 'AWS SDK',
    cause: 'No AWS credentials were found in the default chain (env, profile, SSO, container, instance).',
    fix:
      'Set AWS_PROFILE/--profile, run `aws sso login`, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. ' +
      'Against the local stack use the credentials `agentcore-auth local` prints.',
    example: 'CredentialsProviderError: Could not load credentials from any providers',
  },
  {
    id: 'oauth-invalid-client',
    source: 'OAuth token endpoint',
    cause: 'The client id or client secret is wrong, or the client authentication method differs (basic vs post).',
    fix: 'Check --client-id/--client-secret, and try --client-auth client_secret_post (or _basic).',
    example: 'invalid_client: client authentication failed',
  },
  {
    id: 'oauth-invalid-scope',
    source: 'OAuth token endpoint',
    cause: 'A requested scope does not exist or is not allowed for this client.',
    fix: 'Use scopes the IdP defines for this client (Cognito: <resource-server-id>/<scope>).',
    example: 'invalid_scope: requested scope is not allowed',
  },
  {
    id: 'oauth-unauthorized-client',
    source: 'OAuth token endpoint',
    cause: 'The client is not allowed to use this grant type.',
    fix: 'Enable the grant (e.g. client_credentials) on the app client at the IdP.',
    example: 'unauthorized_client: the client is not authorized to use this grant type',
  },
  {
    id: 'redirect-uri-mismatch',
    source: 'OAuth authorize endpoint',
    cause: 'The redirect URI is not registered for this client at the IdP.',
    fix:
      'Register the exact redirect URI (scheme, host, port, path) at the IdP, or pass the registered one ' +
      'with --redirect-uri.',
    example: "invalid_request: redirect_uri did not match any of the client's registered redirect_uris",
  },
  {
    id: 'discovery-url-pattern',
    source: 'AgentCore control plane CreateAgentRuntime / UpdateAgentRuntime / CreateGateway (400 ValidationException)',
    cause:
      'The customJWTAuthorizer discoveryUrl must end in /.well-known/openid-configuration; an issuer URL alone ' +
      'is refused.',
    fix:
      'Append /.well-known/openid-configuration to the issuer (Cognito: ' +
      'https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/openid-configuration). ' +
      '`agentcore-auth verify TOKEN --discovery-url …` checks the URL and the token.',
    example:
      'ValidationException: 1 validation error detected: Value ' +
      "'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123' at " +
      "'authorizerConfiguration.customJWTAuthorizer.discoveryUrl' failed to satisfy constraint: Member " +
      'must satisfy regular expression pattern: ^.+/\\.well-known/openid-configuration$',
  },
  {
    id: 'custom-claim-scp',
    source: 'AgentCore control plane (400 ValidationException)',
    cause:
      'customClaims may not name the scp claim: scopes are checked by allowedScopes, which reads both scope and scp.',
    fix: 'Move the values to allowedScopes (--allowed-scopes in `agentcore-auth verify`).',
    example:
      "ValidationException: Custom claim name can't be 'scp'. Please configure claims in the allowed_scopes field",
  },
  {
    id: 'insufficient-scope',
    source: 'AgentCore Gateway (403, WWW-Authenticate error="insufficient_scope")',
    cause: "The token is valid but carries none of the gateway authorizer's allowedScopes.",
    fix:
      'Mint the token with one of the scopes the gateway advertises (the scope= in WWW-Authenticate, or ' +
      'scopes_supported in its protected-resource metadata).',
    example:
      'Bearer error="insufficient_scope", scope="mcp/invoke", ' +
      'resource_metadata="https://gw.example/.well-known/oauth-protected-resource"',
  },
  {
    id: 'provider-secret-denied',
    source: 'AgentCore Identity GetResourceOauth2Token / GetResourceApiKey (403 AccessDeniedException)',
    cause: "The caller's role may not read the credential provider's secret in Secrets Manager.",
    fix:
      "Allow secretsmanager:GetSecretValue on the provider's secret (its clientSecretArn / apiKeySecretArn) " +
      'for the calling role.',
    example:
      'AccessDeniedException: Access denied when retrieving secret ' +
      "'arn:aws:secretsmanager:us-east-1:123456789012:secret:" +
      "bedrock-agentcore-identity!default/oauth2/github-AbCdEf'. " +
      'User: arn:aws:sts::123456789012:assumed-role/agent-role/s is not authorized to perform: ' +
      'secretsmanager:GetSecretValue',
  },
  {
    id: 'session-in-progress',
    source: 'AgentCore Runtime (409 RetryableConflictException)',
    cause: 'Another request on the same runtime session is still running; a session serves one invocation at a time.',
    fix: 'Retry after the running call finishes, or use a new --session-id for concurrent calls.',
    example: 'RetryableConflictException: Session operation in progress, please retry',
  },
  {
    id: 'setup-access-denied',
    source: 'AWS IAM, during `agentcore-auth setup` / `teardown` (AccessDeniedException)',
    cause:
      'The caller may not create, read or delete the Cognito (cognito-idp:*) or AgentCore Identity ' +
      '(bedrock-agentcore:*) resources setup manages.',
    fix:
      'Attach the policy `agentcore-auth help iam` prints to the caller, or run as a principal that has it; ' +
      '`aws sts get-caller-identity` shows who you are. `teardown --name NAME` removes what an interrupted ' +
      'setup made.',
    example:
      'AccessDeniedException: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ' +
      'cognito-idp:CreateUserPool on resource: arn:aws:cognito-idp:us-east-1:123456789012:userpool/* ' +
      'because no identity-based policy allows the cognito-idp:CreateUserPool action',
  },
  {
    id: 'iam-not-authorized',
    source: 'AWS IAM (403 AccessDeniedException)',
    cause:
      'The calling IAM principal lacks the permission named in the message (or an SCP, permission boundary or ' +
      'resource policy denies it).',
    fix:
      "Allow that action on that resource in the caller's IAM policy, or call as a principal that has it; " +
      '`aws sts get-caller-identity` shows who you are.',
    example:
      'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/dev/x is not authorized to perform: ' +
      'bedrock-agentcore:InvokeAgentRuntime on resource: ' +
      'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/myAgent-AbCdEf1234',
  },
  {
    id: 'local-token-signature',
    source:
      "agentcore-auth local stack, JWT authorizer (401; AgentCore's own text for a bad signature was never recorded)",
    cause:
      "The token's signature does not verify with the keys of the authorizer's discovery URL: another key " +
      'signed it — typically a token minted by an earlier run of the local stack on the same port (each ' +
      'run has new keys), or an altered token.',
    fix:
      'Mint a fresh token from the IdP the authorizer trusts (`agentcore-auth login …` against the running ' +
      'stack); `agentcore-auth token decode` shows its iss and kid.',
    example: '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Token signature verification failed"},"id":"null"}',
  },
];

/** Every entry, with how its kind is recognised. */
export const HINTS: readonly HintEntry[] = TEXTS.map((t) => {
  const sig = SERVICE_ERRORS.find((s) => s.kind === t.id);
  return {
    ...t,
    ...(sig && 'names' in sig ? { name: sig.names } : {}),
    ...(sig && 'statuses' in sig ? { status: sig.statuses } : {}),
    ...(sig && 'message' in sig ? { message: sig.message } : {}),
  };
});

const BY_KIND = new Map<ErrorKind, HintEntry>(HINTS.map((h) => [h.id, h]));

export interface HintQuery {
  name?: string;
  status?: number;
  message?: string;
}

/** The hint for an error's facts or a pasted message: the entry of its kind (core/classify.ts). */
export function findHint(q: HintQuery): HintEntry | undefined {
  return hintFor(classify({ ...q, message: q.message ?? '' }).kind);
}

/** The entry of a kind (none for the kinds no hint explains: network, timeout, unknown…). */
export function hintFor(kind: ErrorKind): HintEntry | undefined {
  return BY_KIND.get(kind);
}
