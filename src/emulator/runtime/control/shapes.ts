/**
 * The runtime control plane's request shapes, as the models give them: members and required ones from the installed
 * SDK (@aws-sdk/client-bedrock-agentcore-control 3.1142.0, dist-es/schemas/schemas_0.js), lengths, ranges, patterns
 * and enums from the botocore model (bedrock-agentcore-control 2023-06-05) where the SDK carries none.
 * The authorizer's own shapes are shared with the gateway (../authorizer-config.ts).
 */
import { bool, enumOf, int, list, map, req, str, struct, union } from '../../api/index.js';
import { AUTHORIZER_SHAPES, TAGS } from '../authorizer-config.js';

export const AGENT_RUNTIME_NAME = /[a-zA-Z][a-zA-Z0-9_]{0,47}/;
const ID = str({ pattern: /[a-zA-Z][a-zA-Z0-9_]{0,99}-[a-zA-Z0-9]{10}/ });
const VERSION = str({ min: 1, max: 5, pattern: /([1-9][0-9]{0,4})/ });
const ENDPOINT_NAME = str({ pattern: /[a-zA-Z][a-zA-Z0-9_]{0,47}/ });
const CLIENT_TOKEN = str({ min: 33, max: 256, pattern: /[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}/ });
const MOUNT_PATH = str({ min: 6, max: 200, pattern: /\/mnt\/[a-zA-Z0-9._-]+\/?/ });

const ARTIFACT = union({
  containerConfiguration: struct({
    containerUri: req(
      str({
        min: 1,
        max: 1024,
        pattern: new RegExp(
          String.raw`(([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?|public\.ecr\.aws)/` +
            '((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([^:@]{1,300}))?(?:@(.+))?',
        ),
      }),
    ),
  }),
  codeConfiguration: struct({
    code: req(
      union({
        s3: struct({
          bucket: req(str({ pattern: /[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/ })),
          prefix: req(str({ min: 1, max: 1024 })),
          versionId: str({ min: 3, max: 1024 }),
        }),
      }),
    ),
    runtime: req(enumOf(['PYTHON_3_10', 'PYTHON_3_11', 'PYTHON_3_12', 'PYTHON_3_13', 'PYTHON_3_14', 'NODE_22'])),
    entryPoint: req(list(str({ min: 1, max: 128 }), { min: 1, max: 2 })),
  }),
});

const NETWORK = struct({
  networkMode: req(enumOf(['PUBLIC', 'VPC'])),
  networkModeConfig: struct({
    securityGroups: req(list(str({ pattern: /sg-[0-9a-zA-Z]{8,17}/ }), { min: 1, max: 16 })),
    subnets: req(list(str({ pattern: /subnet-[0-9a-zA-Z]{8,17}/ }), { min: 1, max: 16 })),
    requireServiceS3Endpoint: bool(),
  }),
});

const FILESYSTEMS = list(
  union({
    sessionStorage: struct({ mountPath: req(MOUNT_PATH) }),
    s3FilesAccessPoint: struct({ accessPointArn: req(str({ min: 0, max: 256 })), mountPath: req(MOUNT_PATH) }),
    efsAccessPoint: struct({ accessPointArn: req(str({ min: 0, max: 128 })), mountPath: req(MOUNT_PATH) }),
    capacityProviderVolume: struct({ volumeName: req(str()), mountPath: req(MOUNT_PATH) }),
  }),
  { min: 0, max: 5 },
);

/** The members CreateAgentRuntime and UpdateAgentRuntime share (the configuration of a version). */
const RUNTIME_CONFIGURATION = {
  agentRuntimeArtifact: req(ARTIFACT),
  roleArn: req(str({ min: 1, max: 2048, pattern: /arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+/ })),
  networkConfiguration: NETWORK,
  description: str({ min: 1, max: 4096 }),
  authorizerConfiguration: AUTHORIZER_SHAPES.AuthorizerConfiguration,
  requestHeaderConfiguration: union({
    requestHeaderAllowlist: list(str({ min: 1, max: 256, pattern: /[A-Za-z][A-Za-z0-9_-]{0,255}/ }), {
      min: 1,
      max: 20,
    }),
  }),
  protocolConfiguration: struct({ serverProtocol: req(enumOf(['MCP', 'HTTP', 'A2A', 'AGUI'])) }),
  lifecycleConfiguration: struct({
    idleRuntimeSessionTimeout: int({ min: 60, max: 28800 }),
    maxLifetime: int({ min: 60, max: 28800 }),
  }),
  environmentVariables: map(str({ min: 0, max: 5000 }), { key: str({ min: 1, max: 100 }), min: 0, max: 50 }),
  filesystemConfigurations: FILESYSTEMS,
  capacityProviderConfiguration: struct({ capacityProviderArn: req(str()) }),
  platformVersion: str(),
  clientToken: CLIENT_TOKEN,
};

export const SHAPES = {
  CreateAgentRuntimeRequest: struct({
    agentRuntimeName: req(str({ pattern: AGENT_RUNTIME_NAME })),
    ...RUNTIME_CONFIGURATION,
    tags: TAGS,
  }),
  UpdateAgentRuntimeRequest: struct({
    ...RUNTIME_CONFIGURATION,
    metadataConfiguration: struct({ requireMMDSV2: req(bool()) }),
  }),
  RuntimeLabels: struct({ agentRuntimeId: req(ID) }),
  EndpointLabels: struct({ agentRuntimeId: req(ID), endpointName: req(ENDPOINT_NAME) }),
  /** Query members (version, clientToken) are checked like labels. */
  VersionQuery: struct({ version: VERSION, clientToken: CLIENT_TOKEN }),
  CreateAgentRuntimeEndpointRequest: struct({
    name: req(ENDPOINT_NAME),
    agentRuntimeVersion: VERSION,
    description: str({ min: 1, max: 256 }),
    clientToken: CLIENT_TOKEN,
    tags: TAGS,
  }),
  UpdateAgentRuntimeEndpointRequest: struct({
    agentRuntimeVersion: VERSION,
    description: str({ min: 1, max: 256 }),
    clientToken: CLIENT_TOKEN,
  }),
} as const;
