/**
 * The hint table's entries for AgentCore Gateway's own messages (agentcore-gateway.md §2–3): the opaque internal
 * error and what exceptionLevel DEBUG changes, the control plane's refusals of targets, the data plane's answers.
 * How each is recognised is in src/wire.ts (SERVICE_ERRORS, after the policy kinds: their patterns are specific).
 */
import { GATEWAY_MESSAGES } from '../../wire.js';

export const GATEWAY_HINTS = [
  {
    id: 'gateway-internal-error',
    source: 'AgentCore Gateway (tools/call result isError, or JSON-RPC -32603)',
    cause:
      'The gateway hides why a call failed behind it: a target it could not reach or that refused it, an outbound ' +
      'credential it could not get (the gateway role lacks bedrock-agentcore:GetWorkloadAccessToken*, ' +
      'GetResourceOauth2Token, GetResourceApiKey, or secretsmanager:GetSecretValue on the provider secret; the ' +
      'provider is gone), an interceptor Lambda that failed or answered without interceptorOutputVersion "1.0", or ' +
      'a Lambda target the role may not invoke.',
    fix:
      'Set exceptionLevel DEBUG on the gateway (UpdateGateway with exceptionLevel: DEBUG): callers then get the ' +
      'detailed reason instead of this text (turn it off again in production). `agentcore-auth doctor --gateway-id ' +
      'ID` checks each target, its provider and the role permissions; on the local stack, map Lambdas with --lambda.',
    example: GATEWAY_MESSAGES.internalError,
  },
  {
    id: 'gateway-3lo-on-iam',
    source: 'AgentCore control plane CreateGatewayTarget / UpdateGatewayTarget (400 ValidationException)',
    cause:
      'An AUTHORIZATION_CODE (3LO) target needs a user identity to key the token vault on; a SigV4 (AWS_IAM) ' +
      'caller carries none.',
    fix:
      'Use a CUSTOM_JWT gateway for per-user OAuth targets, or a CLIENT_CREDENTIALS grant (the gateway acts for ' +
      'itself) on this one.',
    example: GATEWAY_MESSAGES.threeLoOnIam,
  },
  {
    id: 'gateway-mcp-target-fetch',
    source: 'AgentCore Gateway target status (FAILED / SYNCHRONIZE_UNSUCCESSFUL, statusReasons)',
    cause:
      'The gateway handshakes an MCP server target (initialize, tools/list) when it is created, updated or ' +
      'synchronized. The server was unreachable, or it wants an outbound credential the target does not send.',
    fix:
      'Check the endpoint (https, reachable from AWS), give the target the credential its tools/list needs (OAuth ' +
      'client credentials, API key, gateway role), or a static mcpToolSchema; then SynchronizeGatewayTargets.',
    example: 'Failed to connect and fetch tools from the provided MCP target server: 401 Unauthorized',
  },
  {
    id: 'gateway-mcp-tool-schema',
    source: 'AgentCore control plane CreateGatewayTarget (400 ValidationException)',
    cause: 'mcpToolSchema.inlinePayload is a JSON *string* holding an object with a tools array.',
    fix: 'Pass inlinePayload: JSON.stringify({"tools": [{"name": …, "description": …, "inputSchema": {…}}]}).',
    example: "mcpToolSchema must be an object with 'tools' array",
  },
  {
    id: 'gateway-target-pending-auth',
    source: 'AgentCore control plane DeleteGatewayTarget (400 ValidationException)',
    cause:
      'An authorization-code MCP server target without mcpToolSchema waits for its own consent before the gateway ' +
      'can list its tools (CREATE_PENDING_AUTH), and cannot be deleted meanwhile.',
    fix:
      'Open authorizationData.oauth2.authorizationUrl (GetGatewayTarget), complete it with CompleteResourceTokenAuth ' +
      'for authorizationData.oauth2.userId, then SynchronizeGatewayTargets; or give the target a static mcpToolSchema.',
    example: "DeleteGatewayTarget can't be performed on target when it is in Create_Pending_Auth state",
  },
  {
    id: 'gateway-mcp-init-auth',
    source: 'AgentCore Gateway (tools/call on an MCP server target)',
    cause:
      "The target MCP server (often a Runtime-hosted one) refused the gateway's outbound credential at initialize.",
    fix:
      "Check that the target's OAuth provider mints tokens the server's authorizer accepts (issuer, client id / " +
      'audience, scopes): `agentcore-auth exchange --flow m2m --provider NAME` then `verify` the token against it.',
    example: 'MCP initialization failed: Authorization error when sending message',
  },
  {
    id: 'gateway-invalid-bearer',
    source: 'AgentCore Gateway (401, JSON-RPC -32001)',
    cause: "The gateway's JWT authorizer refused the token: missing, expired, or not from the configured issuer.",
    fix:
      "Mint a fresh token from the IdP the gateway's discoveryUrl names; `agentcore-auth verify --bearer " +
      '--gateway-id ID` predicts the verdict and names the failing check.',
    example: '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Invalid Bearer token"}}',
  },
  {
    id: 'gateway-lambda-unmapped',
    source: 'agentcore-auth local stack (a Lambda interceptor or target)',
    cause: 'The local stack has no endpoint for that Lambda ARN: a user Lambda is your own endpoint, never emulated.',
    fix:
      'Run your function behind the Runtime Interface Emulator contract (sam local start-lambda, the RIE container, ' +
      'or a small HTTP server) and start the stack with --lambda ARN=http://127.0.0.1:PORT (or lambdas: in the ' +
      'config).',
    example:
      'No endpoint serves arn:aws:lambda:us-east-1:123456789012:function:guard: start the local stack with --lambda',
  },
  {
    id: 'gateway-interceptor-output',
    source: 'AgentCore Gateway interceptor (with exceptionLevel DEBUG)',
    cause:
      'The interceptor Lambda must answer {"interceptorOutputVersion": "1.0", "mcp": {…}} for MCP targets ' +
      '(or "http": {…} for HTTP targets).',
    fix:
      'Return transformedGatewayRequest (to go on) or transformedGatewayResponse (to answer at once) under the ' +
      'mcp/http key, with interceptorOutputVersion "1.0".',
    example: 'REQUEST interceptor answered without interceptorOutputVersion "1.0" and an "mcp" object',
  },
  {
    id: 'gateway-outbound-table',
    source: 'AgentCore control plane CreateGatewayTarget (400 ValidationException)',
    cause:
      'Each target type takes only some outbound credentials: MCP server / OpenAPI: none, gateway role, OAuth, API ' +
      'key; Lambda: gateway role; Runtime: gateway role, caller IAM, OAuth client credentials, JWT passthrough. ' +
      'CALLER_IAM_CREDENTIALS needs an AWS_IAM or AUTHENTICATE_ONLY gateway; JWT_PASSTHROUGH a CUSTOM_JWT or NONE one.',
    fix: 'Pick a credential the target type takes (DG gateway-outbound-auth), or change the gateway authorizerType.',
    example: 'Outbound auth JWT_PASSTHROUGH is not supported for MCP_SERVER targets',
  },
  {
    id: 'gateway-unknown-tool',
    source: 'AgentCore Gateway (tools/call)',
    cause: 'Gateway tools are named <target>___<tool> (three underscores), from the catalogue read at create/sync.',
    fix:
      'List them (`agentcore-auth mcp --gateway-id ID`); after a server upgrade, SynchronizeGatewayTargets so the ' +
      'gateway reads its tools again.',
    example: 'Unknown tool: calc___multiply',
  },
] as const;
