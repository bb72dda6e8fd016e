/**
 * Read an authorizer from the control plane: GetAgentRuntime's authorizerConfiguration (absent ⇒ IAM SigV4 inbound)
 * or GetGateway's authorizerType + authorizerConfiguration.
 */
import type { GetAgentRuntimeCommandOutput, GetGatewayCommandOutput } from '@aws-sdk/client-bedrock-agentcore-control';
import type { AwsClients } from '../aws.js';
import { fromAwsError, requireRegion } from '../aws.js';
import { inputError, type AgentcoreAuthError } from '../errors.js';
import { PATTERNS } from '../../wire.js';
import { fromSdkAuthorizer, type AuthorizerConfig } from './config.js';
import { controlSdk } from '../../sdk.js';

export interface RemoteAuthorizer {
  /** 'jwt': customJWTAuthorizer; 'sigv4': IAM (runtime without authorizer, gateway AWS_IAM); 'none': gateway NONE. */
  mode: 'jwt' | 'sigv4' | 'none';
  config?: AuthorizerConfig;
  /** Display name: "agent myAgent-abc1234567" / "gateway gw-1". */
  label: string;
  region: string;
  arn?: string;
  status?: string;
  requestHeaderAllowlist?: string[];
  authorizerType?: string;
}

export interface RuntimeRef {
  id: string;
  arn?: string;
  region?: string;
}

/** An agent runtime ARN or a bare runtime id. */
export function parseRuntimeRef(value: string): RuntimeRef {
  const m = PATTERNS.runtimeArn.exec(value);
  if (m) return { id: m[3]!, arn: value, region: m[1]! };
  if (PATTERNS.runtimeId.test(value)) return { id: value };
  throw inputError(
    `'${value}' is neither an agent runtime ARN nor a runtime id`,
    'Expected arn:aws:bedrock-agentcore:<region>:<account>:runtime/<name>-<10 chars>, or <name>-<10 chars>.',
  );
}

export async function authorizerFromAgent(aws: AwsClients, agent: string): Promise<RemoteAuthorizer> {
  const ref = parseRuntimeRef(agent);
  const region = requireRegion(aws.region(ref.region));
  const { GetAgentRuntimeCommand } = controlSdk();
  const client = await aws.control(region);
  let r: GetAgentRuntimeCommandOutput;
  try {
    r = await client.send(new GetAgentRuntimeCommand({ agentRuntimeId: ref.id }));
  } catch (e) {
    throw withoutControlPlaneHint(
      fromAwsError(e, 'GetAgentRuntime', aws.endpoint('control')),
      'bedrock-agentcore:GetAgentRuntime',
    );
  }
  const jwt = r.authorizerConfiguration?.customJWTAuthorizer;
  const out: RemoteAuthorizer = {
    mode: jwt ? 'jwt' : 'sigv4',
    label: `agent ${r.agentRuntimeName ?? ref.id}`,
    region,
    ...((r.agentRuntimeArn ?? ref.arn) ? { arn: (r.agentRuntimeArn ?? ref.arn)! } : {}),
    ...(r.status ? { status: r.status } : {}),
    ...(r.requestHeaderConfiguration?.requestHeaderAllowlist
      ? { requestHeaderAllowlist: r.requestHeaderConfiguration.requestHeaderAllowlist }
      : {}),
  };
  if (jwt) out.config = fromSdkAuthorizer(jwt);
  return out;
}

export async function authorizerFromGateway(aws: AwsClients, gatewayId: string): Promise<RemoteAuthorizer> {
  const region = requireRegion(aws.region());
  const { GetGatewayCommand } = controlSdk();
  const client = await aws.control(region);
  let r: GetGatewayCommandOutput;
  try {
    r = await client.send(new GetGatewayCommand({ gatewayIdentifier: gatewayId }));
  } catch (e) {
    throw withoutControlPlaneHint(
      fromAwsError(e, 'GetGateway', aws.endpoint('control')),
      'bedrock-agentcore:GetGateway',
    );
  }
  const jwt = r.authorizerConfiguration?.customJWTAuthorizer;
  const type = r.authorizerType ?? (jwt ? 'CUSTOM_JWT' : undefined);
  const out: RemoteAuthorizer = {
    mode: type === 'AWS_IAM' ? 'sigv4' : type === 'NONE' ? 'none' : 'jwt',
    label: `gateway ${r.name ?? gatewayId}`,
    region,
    ...(r.gatewayArn ? { arn: r.gatewayArn } : {}),
    ...(r.status ? { status: r.status } : {}),
    ...(type ? { authorizerType: type } : {}),
  };
  if (jwt) out.config = fromSdkAuthorizer(jwt);
  return out;
}

/** Callers often may invoke an agent but not read its configuration: say how to verify without the control plane. */
function withoutControlPlaneHint(err: AgentcoreAuthError, action: string): AgentcoreAuthError {
  if (err.code === 'ERR_AUTH') {
    err.hint =
      `Reading the authorizer needs ${action}. Without it, give the authorizer as flags: ` +
      `--discovery-url … --allowed-clients / --allowed-audience / --allowed-scopes / --custom-claim.`;
  }
  return err;
}
