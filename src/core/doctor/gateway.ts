/**
 * `doctor --gateway-id ID`: the gateway's checklist — exists and READY; its inbound authorizer (what callers send; a
 * JWT authorizer's discovery document); every target READY, its outbound credential valid for its type and for the
 * gateway's inbound type (the table of wire.ts), its credential provider present; the permissions the documented
 * gateway role needs for all that (IAM is not read: listed to check); the Lambdas (interceptors, Lambda targets)
 * mapped to endpoints on the local stack; the policy engine, its mode, its policies and the role permissions policy
 * evaluation needs (gateway-policy.ts).
 */
import type { GetGatewayCommandOutput, GetGatewayTargetCommandOutput } from '@aws-sdk/client-bedrock-agentcore-control';
import { GATEWAY_OUTBOUND, gatewayCredentialKind } from '../../wire.js';
import { controlSdk } from '../../sdk.js';
import { isLoopbackHost } from '../loopback.js';
import { fromSdkAuthorizer } from '../authorizer-prediction/config.js';
import { aborting, discoveryCheck, failLine, type AddCheck, type DoctorDeps } from './common.js';
import { gatewayPolicyChecks } from './gateway-policy.js';

type Gateway = GetGatewayCommandOutput;
type Target = GetGatewayTargetCommandOutput;

function targetType(t: Target): string {
  const c = t.targetConfiguration;
  if (c?.mcp?.mcpServer) return 'MCP_SERVER';
  if (c?.mcp?.lambda) return 'LAMBDA';
  if (c?.mcp?.openApiSchema) return 'OPEN_API_SCHEMA';
  if (c?.mcp?.smithyModel) return 'SMITHY_MODEL';
  if (c?.mcp?.apiGateway) return 'API_GATEWAY';
  if (c?.http?.agentcoreRuntime) return 'AGENTCORE_RUNTIME';
  if (c?.http?.passthrough) return 'PASSTHROUGH';
  return 'OTHER';
}

function inboundCheck(g: Gateway, add: AddCheck): void {
  const type = g.authorizerType ?? '?';
  const text: Record<string, [string, string]> = {
    CUSTOM_JWT: ['pass', 'callers send Authorization: Bearer <JWT> (401 with WWW-Authenticate otherwise)'],
    AWS_IAM: [
      'pass',
      `callers sign with SigV4 (bedrock-agentcore) and need bedrock-agentcore:InvokeGateway on ${g.gatewayArn}`,
    ],
    AUTHENTICATE_ONLY: [
      'warn',
      'any SigV4-authenticated principal gets through: authorization must come from a policy engine, an ' +
        'interceptor or the target',
    ],
    NONE: ['warn', 'anyone gets through: authorization must come from a policy engine, an interceptor or the target'],
  };
  const [status, detail] = text[type] ?? ['fail', `unknown authorizerType ${type}`];
  const offloaded = status === 'warn' && !g.policyEngineConfiguration && !g.interceptorConfigurations?.length;
  add({
    id: 'gateway.inbound',
    status: offloaded ? 'warn' : status === 'warn' ? 'pass' : (status as 'pass' | 'fail'),
    label: `inbound auth: ${type}`,
    detail,
    ...(offloaded
      ? {
          fix:
            'attach a policy engine (policyEngineConfiguration) or a REQUEST interceptor, or make sure the ' +
            'targets authorize',
        }
      : {}),
  });
  if (g.exceptionLevel === 'DEBUG')
    add({
      id: 'gateway.exception-level',
      status: 'warn',
      label: 'exceptionLevel',
      detail: 'DEBUG: callers see the detailed reason of every failure (targets, credentials, interceptors)',
      fix: 'turn it off (UpdateGateway without exceptionLevel) once debugging is done',
    });
}

/** The permissions the gateway role needs for what it is configured to do (DG gateway-prerequisites, [CM]). */
function rolePermissions(g: Gateway, targets: Target[]): string[] {
  const needs = new Set<string>();
  for (const t of targets) {
    const kind = gatewayCredentialKind(t.credentialProviderConfigurations?.[0]);
    if (kind.startsWith('OAUTH'))
      for (const a of [
        'bedrock-agentcore:GetWorkloadAccessToken*',
        'bedrock-agentcore:GetResourceOauth2Token',
        'secretsmanager:GetSecretValue (the provider secret)',
      ])
        needs.add(a);
    if (kind === 'API_KEY')
      for (const a of [
        'bedrock-agentcore:GetWorkloadAccessToken',
        'bedrock-agentcore:GetResourceApiKey',
        'secretsmanager:GetSecretValue (the provider secret)',
      ])
        needs.add(a);
    if (t.targetConfiguration?.mcp?.lambda)
      needs.add(`lambda:InvokeFunction on ${t.targetConfiguration.mcp.lambda.lambdaArn}`);
    if (kind === 'GATEWAY_IAM_ROLE' && t.targetConfiguration?.http?.agentcoreRuntime)
      needs.add('bedrock-agentcore:InvokeAgentRuntime');
  }
  for (const i of g.interceptorConfigurations ?? [])
    if (i.interceptor?.lambda?.arn) needs.add(`lambda:InvokeFunction on ${i.interceptor.lambda.arn}`);
  // The policy engine's permissions have their own line (gateway-policy.ts).
  return [...needs];
}

async function providerCheck(t: Target, region: string, deps: DoctorDeps, add: AddCheck): Promise<void> {
  const p = t.credentialProviderConfigurations?.[0]?.credentialProvider;
  const arn = p?.oauthCredentialProvider?.providerArn ?? p?.apiKeyCredentialProvider?.providerArn;
  if (!arn) return;
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  const id = `gateway.target.${t.name}.provider`;
  const label = `target ${t.name}: credential provider ${name} exists`;
  const sdk = controlSdk();
  try {
    const control = await deps.aws.control(region);
    if (p?.oauthCredentialProvider) await control.send(new sdk.GetOauth2CredentialProviderCommand({ name }));
    else await control.send(new sdk.GetApiKeyCredentialProviderCommand({ name }));
    add({ id, status: 'pass', label, detail: arn });
  } catch (e) {
    add(
      failLine(
        id,
        label,
        e,
        'Get credential provider',
        `create it (agentcore-auth exchange needs it too), or fix providerArn ${arn}`,
      ),
    );
  }
}

function targetLines(g: Gateway, t: Target, add: AddCheck): void {
  const name = t.name ?? t.targetId ?? '?';
  const status = t.status ?? '?';
  const id = `gateway.target.${name}`;
  if (status === 'READY')
    add({ id: `${id}.status`, status: 'pass', label: `target ${name} is READY`, detail: targetType(t) });
  else
    add({
      id: `${id}.status`,
      status: status.endsWith('PENDING_AUTH') || /ING$/.test(status) ? 'warn' : 'fail',
      label: `target ${name} is READY`,
      detail: `${status}${t.statusReasons?.length ? `: ${t.statusReasons.join('; ')}` : ''}`,
      fix: status.endsWith('PENDING_AUTH')
        ? `consent at ${t.authorizationData?.oauth2?.authorizationUrl ?? 'authorizationData.oauth2.authorizationUrl'}` +
          ', then SynchronizeGatewayTargets'
        : 'fix the cause above, then UpdateGatewayTarget or SynchronizeGatewayTargets',
    });
  const type = targetType(t);
  const kind = gatewayCredentialKind(t.credentialProviderConfigurations?.[0]);
  const allowed = GATEWAY_OUTBOUND[type] ?? [];
  const inbound = g.authorizerType ?? '';
  const why = !allowed.includes(kind)
    ? `${kind} is not an outbound credential of ${type} targets (${allowed.join(', ') || 'unknown type'})`
    : kind === 'CALLER_IAM_CREDENTIALS' && inbound !== 'AWS_IAM' && inbound !== 'AUTHENTICATE_ONLY'
      ? `CALLER_IAM_CREDENTIALS needs an AWS_IAM or AUTHENTICATE_ONLY gateway (this one: ${inbound})`
      : kind === 'JWT_PASSTHROUGH' && inbound !== 'CUSTOM_JWT' && inbound !== 'NONE'
        ? `JWT_PASSTHROUGH needs a CUSTOM_JWT or NONE gateway (this one: ${inbound})`
        : kind === 'OAUTH_AUTHORIZATION_CODE' && inbound === 'AWS_IAM'
          ? '3LO Auth is not supported when gateway authorizer type is AWS_IAM'
          : undefined;
  add({
    id: `${id}.outbound`,
    status: why ? 'fail' : 'pass',
    label: `target ${name}: outbound ${kind} fits a ${type} target behind ${inbound}`,
    ...(why ? { detail: why, fix: 'change the credential provider configuration (UpdateGatewayTarget)' } : {}),
  });
}

async function lambdaChecks(arns: string[], controlUrl: string, deps: DoctorDeps, add: AddCheck): Promise<void> {
  if (!arns.length) return;
  let host: string;
  try {
    host = new URL(controlUrl).hostname;
  } catch {
    return;
  }
  if (!isLoopbackHost(host)) {
    add({ id: 'gateway.lambdas', status: 'skip', label: 'Lambdas', detail: `not checked on AWS: ${arns.join(', ')}` });
    return;
  }
  let mapped: Array<{ arn: string }> = [];
  try {
    const res = await deps.fetch(`${controlUrl.replace(/\/+$/, '')}/_local/lambdas`, {
      headers: { accept: 'application/json' },
    });
    mapped = res.ok ? ((await res.json()) as Array<{ arn: string }>) : [];
  } catch (e) {
    if (aborting(e)) throw e;
  }
  const unqualified = (a: string) => a.split(':').slice(0, 7).join(':');
  for (const arn of arns) {
    const ok = mapped.some((m) => m.arn === arn || m.arn === unqualified(arn));
    add({
      id: `gateway.lambda.${arn.split(':')[6] ?? arn}`,
      status: ok ? 'pass' : 'fail',
      label: `Lambda ${arn} has an endpoint on the local stack`,
      ...(ok
        ? {}
        : {
            detail: 'unmapped: calls fail like an unreachable Lambda',
            fix: `start the stack with --lambda ${arn}=http://127.0.0.1:PORT`,
          }),
    });
  }
}

/** GetGateway: the gateway (undefined, with the failure added, when it cannot be read). */
async function readGateway(
  control: Awaited<ReturnType<DoctorDeps['aws']['control']>>,
  gatewayId: string,
  region: string,
  add: AddCheck,
): Promise<Gateway | undefined> {
  try {
    const g = await control.send(new (controlSdk().GetGatewayCommand)({ gatewayIdentifier: gatewayId }));
    add({
      id: 'gateway.exists',
      status: 'pass',
      label: `gateway ${g.name ?? gatewayId} exists`,
      detail: g.gatewayUrl ?? g.gatewayArn ?? gatewayId,
    });
    return g;
  } catch (e) {
    const fix = `check the id and the region (${region}): ListGateways`;
    add(failLine('gateway.exists', `gateway ${gatewayId} exists`, e, 'GetGateway', fix));
    return undefined;
  }
}

/** ListGatewayTargets + GetGatewayTarget for each (a warning when there are none). */
async function readTargets(
  control: Awaited<ReturnType<DoctorDeps['aws']['control']>>,
  gatewayId: string,
  add: AddCheck,
): Promise<Target[]> {
  const sdk = controlSdk();
  const targets: Target[] = [];
  try {
    const listed = await control.send(new sdk.ListGatewayTargetsCommand({ gatewayIdentifier: gatewayId }));
    for (const s of listed.items ?? [])
      targets.push(
        await control.send(new sdk.GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: s.targetId })),
      );
  } catch (e) {
    add(failLine('gateway.targets', 'the targets can be read', e, 'ListGatewayTargets'));
  }
  if (!targets.length)
    add({
      id: 'gateway.targets',
      status: 'warn',
      label: 'the gateway has targets',
      detail: 'none',
      fix: 'CreateGatewayTarget',
    });
  return targets;
}

/** The Lambdas a gateway calls: its interceptors and its Lambda targets. */
function lambdasOf(g: Gateway, targets: readonly Target[]): string[] {
  return [
    ...(g.interceptorConfigurations ?? []).flatMap((i) =>
      i.interceptor?.lambda?.arn ? [i.interceptor.lambda.arn] : [],
    ),
    ...targets.flatMap((t) => {
      const arn = t.targetConfiguration?.mcp?.lambda?.lambdaArn;
      return arn ? [arn] : [];
    }),
  ];
}

export async function gatewayChecks(
  gatewayId: string,
  region: string,
  deps: DoctorDeps,
  add: AddCheck,
  controlUrl: string,
): Promise<void> {
  const control = await deps.aws.control(region);
  const g = await readGateway(control, gatewayId, region, add);
  if (!g) return;
  if (g.status !== 'READY')
    add({
      id: 'gateway.status',
      status: 'warn',
      label: 'gateway is READY',
      detail: `${g.status}${g.statusReasons?.length ? `: ${g.statusReasons.join('; ')}` : ''}`,
    });
  inboundCheck(g, add);
  const jwt = g.authorizerConfiguration?.customJWTAuthorizer;
  if (jwt) await discoveryCheck(fromSdkAuthorizer(jwt), deps, add, 'gateway.discovery');
  const targets = await readTargets(control, gatewayId, add);
  for (const t of targets) {
    targetLines(g, t, add);
    await providerCheck(t, region, deps, add);
  }
  const perms = rolePermissions(g, targets);
  if (perms.length)
    add({
      id: 'gateway.role',
      status: 'skip',
      label: `the gateway role ${g.roleArn ?? ''} needs (IAM is not read: check it)`,
      detail: perms.join(', '),
    });
  await lambdaChecks(lambdasOf(g, targets), controlUrl, deps, add);
  await gatewayPolicyChecks(g, region, deps, add);
}
