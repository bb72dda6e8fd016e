/**
 * The workload step: mint a workload access token with the API that matches the user binding, and resolve a Runtime
 * agent's own workload identity through the control plane.
 */
import { fromAwsError } from '../aws.js';
import { inputError } from '../errors.js';
import { LIMITS, PATTERNS } from '../../wire.js';
import { parseRuntimeArn, type ParsedArn } from '../runtime/target.js';
import type { UserBinding } from './binding.js';
import type { IdentityIo } from './io.js';
import { agentcoreSdk, controlSdk } from '../../sdk.js';

export type WorkloadApi = 'GetWorkloadAccessToken' | 'GetWorkloadAccessTokenForUserId' | 'GetWorkloadAccessTokenForJWT';

export function workloadApiFor(binding: UserBinding): WorkloadApi {
  return binding.kind === 'userId'
    ? 'GetWorkloadAccessTokenForUserId'
    : binding.kind === 'userToken'
      ? 'GetWorkloadAccessTokenForJWT'
      : 'GetWorkloadAccessToken';
}

export function validateWorkloadName(name: string): string {
  if (
    name.length < LIMITS.workloadNameMin ||
    name.length > LIMITS.workloadNameMax ||
    !PATTERNS.workloadName.test(name)
  ) {
    throw inputError(
      `invalid workload identity name ${JSON.stringify(name)}: 3–255 characters of A-Z a-z 0-9 _ . -`,
      "A Runtime agent's workload identity is named after its runtime id (e.g. my_agent-AbCdEf1234); pass " +
        '--agent-arn to look it up.',
    );
  }
  return name;
}

/** Mint a workload access token. The token is registered as a secret before it is returned. */
export async function getWorkloadAccessToken(
  io: IdentityIo,
  options: { workloadName: string; binding: UserBinding; region?: string },
): Promise<{ token: string; api: WorkloadApi }> {
  const dp = await io.aws.agentcore(options.region);
  const sdk = agentcoreSdk();
  const api = workloadApiFor(options.binding);
  const b = options.binding;
  try {
    const out =
      b.kind === 'userId'
        ? await dp.send(
            new sdk.GetWorkloadAccessTokenForUserIdCommand({ workloadName: options.workloadName, userId: b.userId }),
            { abortSignal: io.ctx.signal },
          )
        : b.kind === 'userToken'
          ? await dp.send(
              new sdk.GetWorkloadAccessTokenForJWTCommand({
                workloadName: options.workloadName,
                userToken: b.userToken,
              }),
              { abortSignal: io.ctx.signal },
            )
          : await dp.send(new sdk.GetWorkloadAccessTokenCommand({ workloadName: options.workloadName }), {
              abortSignal: io.ctx.signal,
            });
    const token = out.workloadAccessToken;
    if (!token) throw new Error(`${api} answered without a workloadAccessToken`);
    io.secrets.add(token);
    return { token, api };
  } catch (e) {
    throw fromAwsError(e, api);
  }
}

/** A runtime ARN's parts, or a clear input error. */
export function requireRuntimeArn(arn: string): ParsedArn {
  const parsed = parseRuntimeArn(arn);
  if (!parsed) {
    throw inputError(
      `not an AgentCore Runtime ARN: ${JSON.stringify(arn)}`,
      'Expected arn:aws:bedrock-agentcore:<region>:<account>:runtime/<runtimeName>-<10 chars>.',
    );
  }
  return parsed;
}

/**
 * The workload identity AgentCore created for a Runtime agent: GetAgentRuntime → workloadIdentityDetails.
 * Returns the name (last segment of the ARN) and the ARN.
 */
export async function resolveAgentWorkload(
  io: IdentityIo,
  agentArn: string,
): Promise<{ workloadName: string; workloadIdentityArn: string; region: string; runtimeId: string }> {
  const { region, runtimeId } = requireRuntimeArn(agentArn);
  const cp = await io.aws.control(region);
  const sdk = controlSdk();
  let arn: string | undefined;
  try {
    const out = await cp.send(new sdk.GetAgentRuntimeCommand({ agentRuntimeId: runtimeId }), {
      abortSignal: io.ctx.signal,
    });
    arn = out.workloadIdentityDetails?.workloadIdentityArn;
  } catch (e) {
    throw fromAwsError(e, 'GetAgentRuntime');
  }
  if (!arn) {
    throw inputError(
      `runtime ${runtimeId} has no workloadIdentityDetails`,
      'Pass the workload identity name with --workload-name instead.',
    );
  }
  const workloadName = arn.slice(arn.lastIndexOf('/') + 1);
  return { workloadName, workloadIdentityArn: arn, region, runtimeId };
}
