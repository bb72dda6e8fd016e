/**
 * The gateway resources as the control plane stores and returns them. Field names are the service's (CreateGateway /
 * CreateGatewayTarget of @aws-sdk/client-bedrock-agentcore-control), so a config file, a request and a response read
 * alike. Ids and ARNs follow the documented forms (agentcore-gateway.md §1.2, §2.1).
 */
import { randomBytes } from 'node:crypto';
import type { CustomJwtAuthorizer } from '../runtime/config.js';

/** Who called, as the policy engine sees it (agentcore-gateway.md §4.3). */
export type PolicyPrincipal =
  | { kind: 'OAuthUser'; sub: string; claims: Record<string, unknown> }
  | { kind: 'IamEntity'; arn: string }
  | { kind: 'anonymous' };

export type AuthorizerType = 'CUSTOM_JWT' | 'AWS_IAM' | 'NONE' | 'AUTHENTICATE_ONLY';
export type GatewayStatus = 'CREATING' | 'UPDATING' | 'UPDATE_UNSUCCESSFUL' | 'DELETING' | 'READY' | 'FAILED';
export type TargetStatus =
  | 'CREATING'
  | 'UPDATING'
  | 'UPDATE_UNSUCCESSFUL'
  | 'DELETING'
  | 'READY'
  | 'FAILED'
  | 'SYNCHRONIZING'
  | 'SYNCHRONIZE_UNSUCCESSFUL'
  | 'CREATE_PENDING_AUTH'
  | 'UPDATE_PENDING_AUTH'
  | 'SYNCHRONIZE_PENDING_AUTH';
export type CredentialProviderType =
  | 'GATEWAY_IAM_ROLE'
  | 'OAUTH'
  | 'API_KEY'
  | 'CALLER_IAM_CREDENTIALS'
  | 'JWT_PASSTHROUGH';

export interface McpGatewayConfiguration {
  supportedVersions?: string[];
  instructions?: string;
  searchType?: 'SEMANTIC';
  sessionConfiguration?: { sessionTimeoutInSeconds?: number };
  streamingConfiguration?: { enableResponseStreaming?: boolean };
  disableMcpListToolsPagination?: boolean;
}

export interface InterceptorConfiguration {
  interceptor: { lambda: { arn: string } };
  interceptionPoints: Array<'REQUEST' | 'RESPONSE'>;
  inputConfiguration?: { passRequestHeaders: boolean; payloadFilter?: { exclude: Array<{ field: 'RESPONSE_BODY' }> } };
}

export interface PolicyEngineConfiguration {
  arn: string;
  mode: 'LOG_ONLY' | 'ENFORCE';
}

/** CreateGateway's input members (the config file's `gateways[]` items use the same names). */
export interface GatewaySpec {
  name: string;
  description?: string;
  roleArn: string;
  protocolType?: 'MCP';
  protocolConfiguration?: { mcp: McpGatewayConfiguration };
  authorizerType: AuthorizerType;
  authorizerConfiguration?: { customJWTAuthorizer: CustomJwtAuthorizer & { discoveryUrl: string } };
  kmsKeyArn?: string;
  interceptorConfigurations?: InterceptorConfiguration[];
  policyEngineConfiguration?: PolicyEngineConfiguration;
  exceptionLevel?: 'DEBUG';
  tags?: Record<string, string>;
  wafConfiguration?: { failureMode?: 'FAIL_OPEN' | 'FAIL_CLOSE' };
  customTransformConfiguration?: { lambda?: { arn?: string } };
}

export interface ToolSchemaDefinition {
  type: 'string' | 'number' | 'object' | 'array' | 'boolean' | 'integer';
  properties?: Record<string, ToolSchemaDefinition>;
  required?: string[];
  items?: ToolSchemaDefinition;
  description?: string;
}

export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: ToolSchemaDefinition;
  outputSchema?: ToolSchemaDefinition;
}

export type InlineOrS3<T> = { inlinePayload: T } | { s3: { uri?: string; bucketOwnerAccountId?: string } };

export interface TargetConfiguration {
  mcp?: {
    lambda?: { lambdaArn: string; toolSchema: InlineOrS3<ToolDefinition[]> };
    mcpServer?: {
      endpoint: string;
      mcpToolSchema?: InlineOrS3<string>;
      listingMode?: 'DEFAULT' | 'DYNAMIC';
      resourcePriority?: number;
    };
    openApiSchema?: InlineOrS3<string>;
    smithyModel?: InlineOrS3<string>;
    apiGateway?: Record<string, unknown>;
    connector?: Record<string, unknown>;
  };
  http?: {
    agentcoreRuntime?: { arn: string; qualifier?: string; schema?: unknown };
    passthrough?: {
      endpoint: string;
      protocolType: 'MCP' | 'A2A' | 'INFERENCE' | 'CUSTOM';
      schema?: unknown;
      staticQueryParameters?: Record<string, string>;
      staticQueryParameterConflictResolution?: 'CLIENT_OVERRIDE' | 'STATIC_OVERRIDE';
    };
    connector?: Record<string, unknown>;
  };
  inference?: Record<string, unknown>;
}

export interface OAuthCredentialProvider {
  providerArn: string;
  scopes: string[];
  customParameters?: Record<string, string>;
  grantType?: 'CLIENT_CREDENTIALS' | 'AUTHORIZATION_CODE' | 'TOKEN_EXCHANGE';
  defaultReturnUrl?: string;
}

export interface ApiKeyCredentialProvider {
  providerArn: string;
  credentialParameterName?: string;
  credentialPrefix?: string;
  credentialLocation?: 'HEADER' | 'QUERY_PARAMETER';
}

export interface CredentialProviderConfiguration {
  credentialProviderType: CredentialProviderType;
  credentialProvider?: {
    oauthCredentialProvider?: OAuthCredentialProvider;
    apiKeyCredentialProvider?: ApiKeyCredentialProvider;
    iamCredentialProvider?: { service: string; region?: string };
  };
}

export interface MetadataConfiguration {
  allowedRequestHeaders?: string[];
  allowedQueryParameters?: string[];
  allowedResponseHeaders?: string[];
}

/** CreateGatewayTarget's input members (the config file's `targets[]` items use the same names). */
export interface TargetSpec {
  name: string;
  description?: string;
  targetConfiguration: TargetConfiguration;
  credentialProviderConfigurations?: CredentialProviderConfiguration[];
  metadataConfiguration?: MetadataConfiguration;
}

/** TargetType of ListGatewayTargets (the SDK's enum), derived from the configuration's union member. */
export type TargetType =
  | 'MCP_SERVER'
  | 'LAMBDA'
  | 'OPEN_API_SCHEMA'
  | 'SMITHY_MODEL'
  | 'API_GATEWAY'
  | 'CONNECTOR'
  | 'AGENTCORE_RUNTIME'
  | 'PASSTHROUGH'
  | 'HTTP_CONNECTOR'
  | 'PROVIDER';

export function targetTypeOf(c: TargetConfiguration): TargetType {
  if (c.mcp?.mcpServer) return 'MCP_SERVER';
  if (c.mcp?.lambda) return 'LAMBDA';
  if (c.mcp?.openApiSchema) return 'OPEN_API_SCHEMA';
  if (c.mcp?.smithyModel) return 'SMITHY_MODEL';
  if (c.mcp?.apiGateway) return 'API_GATEWAY';
  if (c.mcp?.connector) return 'CONNECTOR';
  if (c.http?.agentcoreRuntime) return 'AGENTCORE_RUNTIME';
  if (c.http?.passthrough) return 'PASSTHROUGH';
  if (c.http?.connector) return 'HTTP_CONNECTOR';
  return 'PROVIDER';
}

/** MCP targets are aggregated behind /mcp; HTTP targets are reached by path routing `/{target}/…`. */
export const isHttpTarget = (c: TargetConfiguration) => c.http !== undefined || c.inference !== undefined;

/** A tool as the gateway lists it (before the `<target>___` prefix). */
export interface CatalogTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface TargetRecord extends TargetSpec {
  targetId: string;
  credentialProviderConfigurations: CredentialProviderConfiguration[];
  status: TargetStatus;
  statusReasons: string[];
  createdAt: number;
  updatedAt: number;
  lastSynchronizedAt?: number;
  /** The tool catalogue cached at create/update/sync (DEFAULT listing mode and every non-server MCP target). */
  tools: CatalogTool[];
  authorizationData?: { oauth2: { authorizationUrl: string; userId?: string } };
}

export interface GatewayRecord extends GatewaySpec {
  gatewayId: string;
  gatewayArn: string;
  status: GatewayStatus;
  statusReasons: string[];
  createdAt: number;
  updatedAt: number;
  /** The workload identity AgentCore creates for the gateway (its outbound OAuth and API-key calls). */
  workloadName: string;
  targets: TargetRecord[];
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomChars(alphabet: string, n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** gatewayId: lower-cased name + `-` + 10 [a-z0-9] (the form seen in the service's answers; the rule UNVERIFIED). */
export const newGatewayId = (name: string) => `${name.toLowerCase()}-${randomChars(LOWER, 10)}`;
/** targetId: 10 characters of `[0-9a-zA-Z]` (model pattern); the service's look upper-case. */
export const newTargetId = () => randomChars(UPPER, 10);

export const gatewayArnOf = (region: string, accountId: string, gatewayId: string) =>
  `arn:aws:bedrock-agentcore:${region}:${accountId}:gateway/${gatewayId}`;

/** The provider name at the end of a credential provider ARN (`…/oauth2credentialprovider/{name}`). */
export function providerNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export const iso = (ms: number) => new Date(ms).toISOString();
