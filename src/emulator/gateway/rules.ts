/**
 * The control plane's semantic refusals, beyond the shapes: the target type × outbound credential table
 * (agentcore-gateway.md §2.3, DG gateway-outbound-auth), the inbound types a credential needs, one REQUEST and one
 * RESPONSE interceptor, header propagation names (DG gateway-headers). The same checks serve CreateGatewayTarget and
 * the config file, so a config error reads as the service would answer the call.
 *
 * Wording: "3LO Auth is not supported when gateway authorizer type is AWS_IAM" is the service's (3P-NOTES); every
 * other message here is ours (UNVERIFIED) and says what the rule is.
 */
import {
  GATEWAY_MESSAGES,
  GATEWAY_OUTBOUND,
  gatewayCredentialKind,
  PATTERNS,
  type GatewayCredentialKind,
} from '../../wire.js';
import { validationMessage } from '../api/errors.js';
import { parseCustomJwtAuthorizer } from '../runtime/authorizer-config.js';
import { asValidation } from '../runtime/fields.js';
import { parseOpenApi } from './targets/openapi-schema.js';
import {
  type AuthorizerType,
  type CatalogTool,
  type CredentialProviderConfiguration,
  type GatewaySpec,
  type MetadataConfiguration,
  type TargetSpec,
  type TargetType,
  isHttpTarget,
  targetTypeOf,
} from './model.js';

type CredentialKind = GatewayCredentialKind;
const ALLOWED_CREDENTIALS = GATEWAY_OUTBOUND;

/** Target types the local stack runs. */
const EMULATED: TargetType[] = ['MCP_SERVER', 'LAMBDA', 'OPEN_API_SCHEMA', 'AGENTCORE_RUNTIME', 'PASSTHROUGH'];

export const credentialKind = (c: CredentialProviderConfiguration | undefined): CredentialKind =>
  gatewayCredentialKind(c);

const fail = (message: string) => validationMessage(message);

export function checkGatewaySpec(spec: GatewaySpec, before?: GatewaySpec): void {
  const jwt = spec.authorizerConfiguration?.customJWTAuthorizer;
  if (spec.authorizerType === 'CUSTOM_JWT' && !jwt)
    throw fail('authorizerConfiguration with a customJWTAuthorizer is required when authorizerType is CUSTOM_JWT');
  if (spec.authorizerType !== 'CUSTOM_JWT' && spec.authorizerConfiguration)
    throw fail(`authorizerConfiguration is only valid when authorizerType is CUSTOM_JWT (got ${spec.authorizerType})`);
  for (const claim of jwt?.customClaims ?? []) {
    // Field report (agentcore-errors.md §1.2, 2026-10-03)
    if (claim.inboundTokenClaimName === 'scp')
      throw fail("Custom claim name can't be 'scp'. Please configure claims in the allowed_scopes field");
  }
  // The runtime's semantic rules for the shared authorizer (operators × value types, advertised scopes).
  if (jwt) asValidation(() => parseCustomJwtAuthorizer(jwt, 'authorizerConfiguration.customJWTAuthorizer'));
  const points = (spec.interceptorConfigurations ?? []).flatMap((i) => i.interceptionPoints);
  for (const p of ['REQUEST', 'RESPONSE'] as const)
    if (points.filter((x) => x === p).length > 1)
      throw fail(`A gateway can have at most one ${p} interceptor (DG gateway-interceptors)`);
  const versions = spec.protocolConfiguration?.mcp?.supportedVersions ?? [];
  for (const v of versions) if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw fail(`Unsupported MCP protocol version: ${v}`);
  if (before) {
    if (before.name !== spec.name) throw fail('The gateway name cannot be changed by UpdateGateway');
    // UNVERIFIED (a workshop's remark): semantic search can only be chosen when the gateway is created.
    if (before.protocolConfiguration?.mcp?.searchType !== spec.protocolConfiguration?.mcp?.searchType)
      throw fail('searchType can only be set when the gateway is created');
  }
}

/** Header names a target may propagate (DG gateway-headers). */
const RESTRICTED_HEADERS = new Set(
  (
    'authorization proxy-authorization www-authenticate accept accept-charset accept-encoding accept-language ' +
    'content-type content-length content-encoding content-language content-location content-range cache-control ' +
    'etag expires if-match if-modified-since if-none-match if-range if-unmodified-since last-modified pragma vary ' +
    'connection keep-alive proxy-connection upgrade host user-agent referer from range accept-ranges ' +
    'transfer-encoding te trailer server date location retry-after set-cookie cookie content-security-policy ' +
    'content-security-policy-report-only strict-transport-security x-content-type-options x-frame-options ' +
    'x-xss-protection referrer-policy permissions-policy cross-origin-embedder-policy cross-origin-opener-policy ' +
    'cross-origin-resource-policy access-control-allow-origin access-control-allow-methods ' +
    'access-control-allow-headers access-control-allow-credentials access-control-expose-headers ' +
    'access-control-max-age access-control-request-method access-control-request-headers origin x-forwarded-for ' +
    'x-forwarded-host x-forwarded-proto x-real-ip x-requested-with x-csrf-token'
  ).split(' '),
);

function checkHeaderNames(m: MetadataConfiguration | undefined): void {
  for (const field of ['allowedRequestHeaders', 'allowedResponseHeaders'] as const) {
    for (const name of m?.[field] ?? []) {
      const lower = name.toLowerCase();
      if (!/^[a-zA-Z0-9_-]+$/.test(name))
        throw fail(`Header name ${name} in ${field} may contain only letters, digits, hyphens and underscores`);
      if (RESTRICTED_HEADERS.has(lower)) throw fail(`Header ${name} is restricted and cannot be propagated`);
      if (lower.startsWith('x-amzn-') && !lower.startsWith('x-amzn-bedrock-agentcore-runtime-custom-'))
        throw fail(
          `Header ${name}: X-Amzn- headers cannot be propagated (except X-Amzn-Bedrock-AgentCore-Runtime-Custom-*)`,
        );
    }
  }
}

function checkCredentialMember(c: CredentialProviderConfiguration, type: TargetType): void {
  const p = c.credentialProvider ?? {};
  const member = {
    OAUTH: 'oauthCredentialProvider',
    API_KEY: 'apiKeyCredentialProvider',
    GATEWAY_IAM_ROLE: 'iamCredentialProvider',
  } as const;
  const expected = member[c.credentialProviderType as keyof typeof member];
  for (const key of Object.keys(p))
    if (key !== expected)
      throw fail(`credentialProvider.${key} does not go with credentialProviderType ${c.credentialProviderType}`);
  if (c.credentialProviderType === 'OAUTH' && !p.oauthCredentialProvider)
    throw fail('credentialProvider.oauthCredentialProvider is required for credentialProviderType OAUTH');
  if (c.credentialProviderType === 'API_KEY' && !p.apiKeyCredentialProvider)
    throw fail('credentialProvider.apiKeyCredentialProvider is required for credentialProviderType API_KEY');
  if (c.credentialProviderType === 'GATEWAY_IAM_ROLE') {
    const needsService = type === 'MCP_SERVER' || type === 'OPEN_API_SCHEMA';
    if (needsService && !p.iamCredentialProvider)
      throw fail(`iamCredentialProvider with a service name is required for GATEWAY_IAM_ROLE on ${type} targets`);
    if ((type === 'LAMBDA' || type === 'API_GATEWAY' || type === 'SMITHY_MODEL') && p.iamCredentialProvider)
      throw fail(`iamCredentialProvider must be omitted for GATEWAY_IAM_ROLE on ${type} targets`);
  }
}

function checkInbound(kind: CredentialKind, authorizerType: AuthorizerType): void {
  if (kind === 'OAUTH_AUTHORIZATION_CODE' && authorizerType === 'AWS_IAM') throw fail(GATEWAY_MESSAGES.threeLoOnIam);
  if (kind === 'OAUTH_AUTHORIZATION_CODE' && authorizerType === 'AUTHENTICATE_ONLY')
    throw fail('3LO Auth is not supported when gateway authorizer type is AUTHENTICATE_ONLY');
  if (kind === 'CALLER_IAM_CREDENTIALS' && authorizerType !== 'AWS_IAM' && authorizerType !== 'AUTHENTICATE_ONLY')
    throw fail(
      'CALLER_IAM_CREDENTIALS needs a gateway with authorizer type AWS_IAM or AUTHENTICATE_ONLY ' +
        `(this one: ${authorizerType})`,
    );
  if (kind === 'JWT_PASSTHROUGH' && authorizerType !== 'CUSTOM_JWT' && authorizerType !== 'NONE')
    throw fail(
      `JWT_PASSTHROUGH needs a bearer-token inbound type, CUSTOM_JWT or NONE (this gateway: ${authorizerType})`,
    );
  if (kind === 'OAUTH_TOKEN_EXCHANGE' && authorizerType !== 'CUSTOM_JWT')
    throw fail(`TOKEN_EXCHANGE exchanges the caller's JWT: the gateway's authorizer type must be CUSTOM_JWT`);
}

/** Validates a target against its gateway; returns the credential configurations in effect (defaults applied). */
export function checkTargetSpec(
  gateway: Pick<GatewaySpec, 'authorizerType' | 'protocolType'>,
  spec: TargetSpec,
): CredentialProviderConfiguration[] {
  const type = targetTypeOf(spec.targetConfiguration);
  if (!EMULATED.includes(type))
    throw fail(
      `Target type ${type} is not emulated by the local stack (mcpServer, lambda, openApiSchema, ` +
        'agentcoreRuntime and passthrough are)',
    );
  if (isHttpTarget(spec.targetConfiguration) && gateway.protocolType === 'MCP')
    throw fail(`${type} targets cannot be added to a gateway with protocolType MCP (create it without protocolType)`);
  // UNVERIFIED default: a Lambda target without configuration is called with the gateway's role (the agentcore-cli
  // table's fallback).
  const creds = spec.credentialProviderConfigurations?.length
    ? spec.credentialProviderConfigurations
    : type === 'LAMBDA'
      ? [{ credentialProviderType: 'GATEWAY_IAM_ROLE' as const }]
      : [];
  const c = creds[0];
  const kind = credentialKind(c);
  if (!(ALLOWED_CREDENTIALS[type] ?? []).includes(kind))
    throw fail(
      kind === 'NONE'
        ? `${type} targets need a credential provider configuration (${(ALLOWED_CREDENTIALS[type] ?? []).join(', ')})`
        : `Outbound auth ${kind} is not supported for ${type} targets ` +
            `(supported: ${(ALLOWED_CREDENTIALS[type] ?? []).join(', ')})`,
    );
  if (c) checkCredentialMember(c, type);
  checkInbound(kind, gateway.authorizerType);
  checkHeaderNames(spec.metadataConfiguration);
  checkEndpoint(spec, type);
  return creds;
}

function checkEndpoint(spec: TargetSpec, type: TargetType): void {
  const c = spec.targetConfiguration;
  const endpoint = c.mcp?.mcpServer?.endpoint ?? c.http?.passthrough?.endpoint;
  if (endpoint !== undefined) {
    // AWS takes https only; a target here is the user's own server, so http (loopback included) is accepted too.
    let u: URL | undefined;
    try {
      u = new URL(endpoint);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:'))
      throw fail(`The endpoint of a ${type} target must be an https:// URL (got ${endpoint})`);
  }
  const runtime = c.http?.agentcoreRuntime;
  if (runtime && !PATTERNS.runtimeArn.test(runtime.arn))
    throw fail(`agentcoreRuntime.arn must be an AgentCore Runtime ARN (got ${runtime.arn})`);
  const s3 = [c.mcp?.lambda?.toolSchema, c.mcp?.mcpServer?.mcpToolSchema, c.mcp?.openApiSchema].find(
    (x) => x !== undefined && 's3' in x,
  );
  if (s3) throw fail('The local stack cannot read schemas from S3: give them as inlinePayload');
  const schema = c.mcp?.mcpServer?.mcpToolSchema;
  if (schema && 'inlinePayload' in schema) parseMcpToolSchema(schema.inlinePayload);
  const openApi = c.mcp?.openApiSchema;
  if (openApi && 'inlinePayload' in openApi) {
    try {
      parseOpenApi(openApi.inlinePayload);
    } catch (e) {
      // UNVERIFIED wording: the service's refusal of a bad OpenAPI document was not captured.
      throw fail(`Invalid OpenAPI schema: ${(e as Error).message}`);
    }
  }
}

/** `mcpToolSchema.inlinePayload`: a JSON string `{"tools":[…]}` (3P-NOTES wording for the refusal). */
export function parseMcpToolSchema(text: string): CatalogTool[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const tools = (doc as { tools?: unknown } | undefined)?.tools;
  if (!Array.isArray(tools)) throw fail("mcpToolSchema must be an object with 'tools' array");
  return tools.map((t, i) => {
    const tool = t as Partial<CatalogTool>;
    if (typeof tool?.name !== 'string' || !tool.name) throw fail(`mcpToolSchema.tools[${i}].name is required`);
    return {
      name: tool.name,
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      inputSchema: (tool.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object' },
      ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    };
  });
}
