/**
 * What `setup` and `teardown` work with: their dependencies (the SDK clients built by core/aws.ts, so endpoint
 * overrides, --verbose tracing and Ctrl-C apply), what setup makes (SetupResult), what teardown deletes, and the
 * failure of a step (which step, what exists so far).
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import type { AgentcoreAuthError } from '../errors.js';
import type { PlanEvent, StepRecord } from '../plan.js';

export type ResourceStatus = 'created' | 'existing' | 'planned' | 'updated';

export interface SetupDeps {
  cognito: CognitoIdentityProviderClient;
  /** Needed with --with-identity (setup) and to look for identity resources (teardown). */
  control?: () => Promise<BedrockAgentCoreControlClient>;
  region: string;
  /** The Cognito base URL (override or https://cognito-idp.<region>.amazonaws.com): issuer = base/poolId. */
  cognitoBaseUrl: string;
  secrets: { add(...values: Array<string | undefined | null>): void };
  randomId(): string;
  signal: AbortSignal;
  now(): number;
  /** The step runner's events (the CLI renders them). */
  emit?(event: PlanEvent): void;
}

export interface ClientRecord {
  name: string;
  clientId?: string;
  clientSecret?: string;
  status: ResourceStatus;
  flows: string[];
}

export interface SetupResult {
  name: string;
  region: string;
  dryRun: boolean;
  userPool: {
    id?: string;
    arn?: string;
    name: string;
    tag: Record<string, string>;
    status: ResourceStatus;
    issuer?: string;
    discoveryUrl?: string;
  };
  resourceServer: { identifier: string; scope: string; status: ResourceStatus };
  domain: { prefix?: string; hostedUiUrl?: string; status: ResourceStatus };
  clients: { app: ClientRecord; m2m: ClientRecord; public: ClientRecord };
  user: { username: string; password?: string; status: ResourceStatus; passwordReset: boolean };
  workloadIdentity?: { name: string; arn?: string; returnUrls: string[]; status: ResourceStatus };
  credentialProvider?: {
    name: string;
    arn?: string;
    callbackUrl?: string;
    vendor: 'CustomOauth2';
    clientId?: string;
    status: ResourceStatus;
  };
  customJWTAuthorizer?: { discoveryUrl: string; allowedClients: string[] };
  /** Untagged pools with the same name: never touched. */
  ignoredPools: string[];
}

export interface TeardownItem {
  kind: 'credential-provider' | 'workload-identity' | 'domain' | 'user-pool';
  id: string;
  /** For the domain: its pool. For the pool: the app clients it holds (deleted with it). */
  poolId?: string;
  contains?: string[];
  status: 'planned' | 'deleted' | 'gone';
}

export interface TeardownPlan {
  name: string;
  region: string;
  items: TeardownItem[];
  ignoredPools: string[];
  /** Identity resources that could not be checked (e.g. no bedrock-agentcore permission). */
  unchecked: string[];
}

/** A setup/teardown step failed: the step, the AWS error, and (setup) what exists so far. */
export class StepFailure extends Error {
  constructor(
    readonly step: Pick<StepRecord, 'n' | 'operation'>,
    readonly error: AgentcoreAuthError,
    readonly partial?: SetupResult,
    /** Every step of the plan that failed (the ones after it skipped). */
    readonly records: readonly StepRecord[] = [],
  ) {
    super(error.message);
  }
}

/** What exists so far (for the partial-failure message and the teardown hint). */
export function madeSoFar(r: SetupResult): string[] {
  const out: string[] = [];
  if (r.userPool.status === 'created' && r.userPool.id) out.push(`user pool ${r.userPool.id}`);
  if (r.domain.status === 'created' && r.domain.prefix) out.push(`domain ${r.domain.prefix}`);
  if (r.workloadIdentity?.status === 'created') out.push(`workload identity ${r.workloadIdentity.name}`);
  if (r.credentialProvider?.status === 'created') out.push(`credential provider ${r.credentialProvider.name}`);
  return out;
}
