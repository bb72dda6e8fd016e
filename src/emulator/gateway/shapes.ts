/**
 * The gateway control plane's request shapes with the models' constraints (botocore bedrock-agentcore-control
 * service-2.json as quoted in agentcore-gateway.md §1.2/§2.1–2.3, checked against the members of
 * @aws-sdk/client-bedrock-agentcore-control 3.1142.0, which carries no lengths or patterns). Checked by validate()
 * before a handler runs; the semantic rules (target type × outbound auth, …) live in rules.ts.
 */
import { bool, doc, enumOf, int, list, map, req, str, struct, union, type StructureRule } from '../api/shapes.js';
import { LAMBDA_ARN } from '../lambda.js';
import { AUTHORIZER_SHAPES } from '../runtime/authorizer-config.js';

const NAME = str({ pattern: /([0-9a-zA-Z][-]?){1,100}/ });
const DESCRIPTION = str({ min: 1, max: 200 });
const CLIENT_TOKEN = str({ min: 33, max: 256, pattern: /[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}/ });
const ROLE_ARN = str({ min: 1, max: 2048, pattern: /arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+/ });
const KMS_ARN = str({
  min: 1,
  max: 2048,
  pattern: /arn:aws(|-cn|-us-gov):kms:[a-zA-Z0-9-]*:[0-9]{12}:key\/[a-zA-Z0-9-]{36}/,
});
const PROVIDER_ARN = str({ pattern: /arn:([^:]*):([^:]*):([^:]*):([0-9]{12})?:(.+)/ });
const TAGS = map(str({ max: 256 }), { max: 50, key: str({ min: 1, max: 128 }) });

/** CustomJWTAuthorizerConfiguration: the runtime's shape table (runtime/authorizer-config.ts), shared. */
export const CUSTOM_JWT_AUTHORIZER = AUTHORIZER_SHAPES.CustomJWTAuthorizerConfiguration;

const MCP_CONFIGURATION = struct({
  supportedVersions: list(str()),
  instructions: str({ min: 1, max: 2048 }),
  searchType: enumOf(['SEMANTIC']),
  sessionConfiguration: struct({ sessionTimeoutInSeconds: int({ min: 900, max: 28800 }) }),
  streamingConfiguration: struct({ enableResponseStreaming: bool() }),
  disableMcpListToolsPagination: bool(),
});

const INTERCEPTOR = struct({
  interceptor: req(union({ lambda: struct({ arn: req(str({ min: 1, max: 170, pattern: LAMBDA_ARN })) }) })),
  interceptionPoints: req(list(enumOf(['REQUEST', 'RESPONSE']), { min: 1, max: 2 })),
  inputConfiguration: struct({
    passRequestHeaders: req(bool()),
    payloadFilter: struct({ exclude: req(list(union({ field: enumOf(['RESPONSE_BODY']) }))) }),
  }),
});

const POLICY_ENGINE = struct({
  arn: req(
    str({
      min: 1,
      max: 170,
      pattern:
        /arn:aws:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:policy-engine\/[a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9_]{10}/,
    }),
  ),
  mode: req(enumOf(['LOG_ONLY', 'ENFORCE'])),
});

const GATEWAY_MEMBERS = {
  name: req(NAME),
  description: DESCRIPTION,
  roleArn: req(ROLE_ARN),
  protocolType: enumOf(['MCP']),
  protocolConfiguration: union({ mcp: MCP_CONFIGURATION }),
  authorizerType: req(enumOf(['CUSTOM_JWT', 'AWS_IAM', 'NONE', 'AUTHENTICATE_ONLY'])),
  authorizerConfiguration: union({ customJWTAuthorizer: CUSTOM_JWT_AUTHORIZER }),
  kmsKeyArn: KMS_ARN,
  interceptorConfigurations: list(INTERCEPTOR, { min: 1, max: 2 }),
  policyEngineConfiguration: POLICY_ENGINE,
  exceptionLevel: enumOf(['DEBUG']),
};

export const CREATE_GATEWAY: StructureRule = struct({ ...GATEWAY_MEMBERS, clientToken: CLIENT_TOKEN, tags: TAGS });
export const UPDATE_GATEWAY: StructureRule = struct({
  ...GATEWAY_MEMBERS,
  wafConfiguration: struct({ failureMode: enumOf(['FAIL_OPEN', 'FAIL_CLOSE']) }),
  customTransformConfiguration: struct({ lambda: struct({ arn: str({ pattern: LAMBDA_ARN }) }) }),
});

const SCHEMA_TYPE = enumOf(['string', 'number', 'object', 'array', 'boolean', 'integer']);
/** SchemaDefinition is recursive; its nested levels are documents here (their type is checked by rules.ts). */
const SCHEMA_DEFINITION = struct({
  type: req(SCHEMA_TYPE),
  properties: map(doc()),
  required: list(str()),
  items: doc(),
  description: str(),
});
const TOOL_DEFINITION = struct({
  name: req(str()),
  description: req(str()),
  inputSchema: req(SCHEMA_DEFINITION),
  outputSchema: SCHEMA_DEFINITION,
});
const S3 = struct({ uri: str({ pattern: /s3:\/\/.+/ }), bucketOwnerAccountId: str({ pattern: /[0-9]{12}/ }) });
const API_SCHEMA = union({ s3: S3, inlinePayload: str({ min: 1 }) });

const MCP_TARGET = union({
  lambda: struct({
    lambdaArn: req(str({ min: 1, max: 170, pattern: LAMBDA_ARN })),
    toolSchema: req(union({ s3: S3, inlinePayload: list(TOOL_DEFINITION) })),
  }),
  mcpServer: struct({
    endpoint: req(str({ min: 1, max: 2048 })),
    mcpToolSchema: API_SCHEMA,
    listingMode: enumOf(['DEFAULT', 'DYNAMIC']),
    resourcePriority: int({ min: 0, max: 1000 }),
  }),
  openApiSchema: API_SCHEMA,
  smithyModel: API_SCHEMA,
  apiGateway: doc(),
  connector: doc(),
});

const HTTP_TARGET = union({
  agentcoreRuntime: struct({ arn: req(str({ min: 1, max: 2048 })), qualifier: str(), schema: doc() }),
  passthrough: struct({
    endpoint: req(str({ min: 1, max: 2048 })),
    protocolType: req(enumOf(['MCP', 'A2A', 'INFERENCE', 'CUSTOM'])),
    schema: doc(),
    stickinessConfiguration: doc(),
    staticQueryParameters: map(str()),
    staticQueryParameterConflictResolution: enumOf(['CLIENT_OVERRIDE', 'STATIC_OVERRIDE']),
  }),
  connector: doc(),
});

const CREDENTIAL_PROVIDER = struct({
  credentialProviderType: req(
    enumOf(['GATEWAY_IAM_ROLE', 'OAUTH', 'API_KEY', 'CALLER_IAM_CREDENTIALS', 'JWT_PASSTHROUGH']),
  ),
  credentialProvider: union({
    oauthCredentialProvider: struct({
      providerArn: req(PROVIDER_ARN),
      scopes: req(list(str({ min: 1, max: 64 }), { max: 100 })),
      customParameters: map(str({ max: 2048 }), { min: 1, max: 10, key: str({ min: 1, max: 256 }) }),
      grantType: enumOf(['CLIENT_CREDENTIALS', 'AUTHORIZATION_CODE', 'TOKEN_EXCHANGE']),
      defaultReturnUrl: str({ min: 1, max: 2048, pattern: /\w+:(\/?\/?)[^\s]+/ }),
    }),
    apiKeyCredentialProvider: struct({
      providerArn: req(PROVIDER_ARN),
      credentialParameterName: str({ min: 1, max: 64 }),
      credentialPrefix: str({ min: 1, max: 64 }),
      credentialLocation: enumOf(['HEADER', 'QUERY_PARAMETER']),
    }),
    iamCredentialProvider: struct({
      service: req(str({ min: 1, max: 64, pattern: /[a-zA-Z0-9._-]+/ })),
      region: str({ min: 1, max: 32 }),
    }),
  }),
});

const HEADER_LIST = list(str({ min: 1, max: 100 }), { min: 1, max: 10 });

const TARGET_MEMBERS = {
  name: req(NAME),
  description: DESCRIPTION,
  targetConfiguration: req(union({ mcp: MCP_TARGET, http: HTTP_TARGET, inference: doc() })),
  credentialProviderConfigurations: list(CREDENTIAL_PROVIDER, { min: 1, max: 1 }),
  metadataConfiguration: struct({
    allowedRequestHeaders: HEADER_LIST,
    allowedQueryParameters: HEADER_LIST,
    allowedResponseHeaders: HEADER_LIST,
  }),
  privateEndpoint: doc(),
};

export const CREATE_TARGET: StructureRule = struct({ ...TARGET_MEMBERS, clientToken: CLIENT_TOKEN });
/** UpdateGatewayTarget: `name` is optional in the SDK (required in botocore); the stored name is kept if omitted. */
export const UPDATE_TARGET: StructureRule = struct({ ...TARGET_MEMBERS, name: NAME });
export const SYNCHRONIZE_TARGETS: StructureRule = struct({
  targetIdList: req(list(str({ pattern: /[0-9a-zA-Z]{10}/ }), { min: 1, max: 1 })),
});

export const GATEWAY_LABELS: StructureRule = struct({
  gatewayIdentifier: req(str({ pattern: /([0-9a-z][-]?){1,100}-[0-9a-z]{10}/ })),
});
export const TARGET_LABELS: StructureRule = struct({
  gatewayIdentifier: req(str({ pattern: /([0-9a-z][-]?){1,100}-[0-9a-z]{10}/ })),
  targetId: req(str({ pattern: /[0-9a-zA-Z]{10}/ })),
});
