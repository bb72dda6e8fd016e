/**
 * `exchange` as a plan: the workload identity (GetAgentRuntime for --agent-arn), the workload access token with the
 * API its user binding decides, then an API key, an M2M resource token, or the 3LO steps (user-federation.ts). The
 * steps are fixed by the request, so the count is known before the first call. The CLI parses the flags into an
 * ExchangeRequest, runs it here, and renders the state the steps leave.
 */
import { AgentcoreAuthError } from '../errors.js';
import { describeToken } from '../jwt.js';
import { isLoopbackUrl } from '../loopback.js';
import { fingerprint } from '../redact.js';
import { runPlan, type Plan, type PlanEvent, type PlanRun, type PlanStep } from '../plan.js';
import { userIdentifierOf, type UserBinding, type UserIdentifier } from './binding.js';
import type { IdentityIo } from './io.js';
import { onBehalfOfSteps, type OboHost, type OboSpec } from './on-behalf-of.js';
import { getResourceApiKey, requestResourceToken, type ResourceTokenRequest } from './resource.js';
import { ReturnListener } from './return-listener.js';
import {
  newFederationState,
  userFederationSteps,
  type FederationHost,
  type FederationState,
  type UserFederationRequest,
} from './user-federation.js';
import { getWorkloadAccessToken, requireRuntimeArn, resolveAgentWorkload, workloadApiFor } from './workload.js';

/** An exchange, every flag checked and the user binding resolved. */
export interface ExchangeRequest {
  /** One of the two: the workload identity, or the runtime whose identity to use. */
  workloadName?: string;
  agentArn?: string;
  binding: UserBinding;
  /** Default region (the ARN's wins). */
  region?: string;
  apiKeyProvider?: string;
  /** A resource token: the provider and flow, with what the request carries. */
  resource?: Omit<ResourceTokenRequest, 'workloadToken' | 'region'> & {
    flow: 'M2M' | 'USER_FEDERATION' | 'ON_BEHALF_OF_TOKEN_EXCHANGE';
  };
  /** For USER_FEDERATION: how the consent runs. */
  federation?: Omit<UserFederationRequest, 'request' | 'startedBy' | 'completeWith'> & { completeAs?: UserIdentifier };
}

/** What the plan's steps leave behind: the CLI renders it. */
export interface ExchangeState extends FederationHost, OboHost {
  request: ExchangeRequest;
  workloadApi: ReturnType<typeof workloadApiFor>;
  apiKey?: string;
  resourceToken?: string;
}

/** The steps of an exchange, fixed by its request. */
export function exchangePlan(io: IdentityIo, req: ExchangeRequest): Plan<ExchangeState> {
  const steps: PlanStep<ExchangeState>[] = [];
  if (req.agentArn) steps.push(agentRuntimeStep(io, req.agentArn));
  steps.push(workloadTokenStep(io, workloadApiFor(req.binding)));
  if (req.apiKeyProvider) steps.push(apiKeyStep(io, req.apiKeyProvider));
  const resource = req.resource;
  if (resource?.flow === 'M2M') steps.push(m2mStep(io, resource));
  if (resource?.flow === 'USER_FEDERATION') steps.push(...userFederationSteps<ExchangeState>(io, federationOf(req)));
  if (resource?.flow === 'ON_BEHALF_OF_TOKEN_EXCHANGE') steps.push(...onBehalfOfSteps<ExchangeState>(io, oboOf(req)));
  return steps;
}

function federationOf(req: ExchangeRequest): UserFederationRequest {
  const startedBy = userIdentifierOf(req.binding);
  const { completeAs, ...fed } = req.federation!;
  if (!startedBy || !req.resource?.returnUrl)
    throw new AgentcoreAuthError('ERR_INTERNAL', 'USER_FEDERATION needs a user binding and a return URL');
  const { flow: _flow, ...request } = req.resource;
  return {
    ...fed,
    request: { ...request, returnUrl: req.resource.returnUrl },
    startedBy,
    completeWith: completeAs ?? startedBy,
  };
}

/** On-behalf-of exchanges the user's JWT the workload token was minted for (the CLI checks there is one). */
function oboOf(req: ExchangeRequest): OboSpec {
  const b = req.binding;
  if (b.kind !== 'userToken' || !req.resource)
    throw new AgentcoreAuthError('ERR_INTERNAL', "ON_BEHALF_OF_TOKEN_EXCHANGE needs the user's JWT");
  const { flow: _flow, returnUrl: _r, forceAuthentication: _f, customState: _c, ...rest } = req.resource;
  return { ...rest, userToken: b.userToken };
}

function agentRuntimeStep(io: IdentityIo, agentArn: string): PlanStep<ExchangeState> {
  const { region: arnRegion, runtimeId } = requireRuntimeArn(agentArn);
  return {
    operation: 'GetAgentRuntime',
    inputs: (s) => ({ runtime: runtimeId, region: s.region ?? arnRegion }),
    run: async (s) => {
      const r = await resolveAgentWorkload(io, agentArn);
      s.workloadName = r.workloadName;
      return { outputs: { 'workload identity': r.workloadName } };
    },
  };
}

function workloadTokenStep(io: IdentityIo, api: ReturnType<typeof workloadApiFor>): PlanStep<ExchangeState> {
  const now = () => io.ctx.now();
  return {
    operation: api,
    inputs: (s) => {
      const b = s.request.binding;
      const source = b.kind === 'userToken' && b.source ? ` (${b.source})` : '';
      return {
        workload: s.workloadName,
        ...(b.kind === 'userId' ? { userId: JSON.stringify(b.userId) } : {}),
        ...(b.kind === 'userToken' ? { userToken: `${describeToken(b.userToken, now())}${source}` } : {}),
      };
    },
    run: async (s) => {
      const r = await getWorkloadAccessToken(io, {
        workloadName: s.workloadName,
        binding: s.request.binding,
        ...(s.region ? { region: s.region } : {}),
      });
      s.workloadToken = r.token;
      return { outputs: { 'workload token': describeToken(r.token, now()) } };
    },
  };
}

function apiKeyStep(io: IdentityIo, provider: string): PlanStep<ExchangeState> {
  return {
    operation: 'GetResourceApiKey',
    inputs: () => ({ provider }),
    run: async (s) => {
      s.apiKey = await getResourceApiKey(io, {
        workloadToken: s.workloadToken!,
        provider,
        ...(s.region ? { region: s.region } : {}),
      });
      return { outputs: { 'api key': fingerprint(s.apiKey) } };
    },
  };
}

function m2mStep(io: IdentityIo, resource: NonNullable<ExchangeRequest['resource']>): PlanStep<ExchangeState> {
  return {
    operation: 'GetResourceOauth2Token',
    inputs: () => ({ flow: 'M2M', provider: resource.provider, scopes: resource.scopes.join(',') || '(none)' }),
    run: async (s) => {
      const r = await requestResourceToken(io, {
        ...resource,
        workloadToken: s.workloadToken!,
        ...(s.region ? { region: s.region } : {}),
      });
      if (r.kind !== 'token') {
        const got = r.kind === 'failed' ? 'sessionStatus FAILED' : 'an authorization URL';
        throw new AgentcoreAuthError('ERR_REMOTE', `GetResourceOauth2Token (M2M) returned ${got} instead of a token`, {
          hint:
            'This provider needs a user consent: use --flow user-federation with --user-id, --user-token or ' +
            '--bearer.',
        });
      }
      s.resourceToken = r.accessToken;
      return { outputs: { 'resource token': describeToken(r.accessToken, io.ctx.now()) } };
    },
  };
}

/**
 * Run an exchange: bind the loopback return URL first (a busy port fails before anything is created), run the plan,
 * close the listener. Returns the state and the run (its failure, if a step failed, for the caller to throw).
 */
export async function runExchange(
  io: IdentityIo,
  req: ExchangeRequest,
  emit?: (e: PlanEvent) => void,
): Promise<{ state: ExchangeState; run: PlanRun }> {
  const arn = req.agentArn ? requireRuntimeArn(req.agentArn) : undefined;
  const region = arn ? (io.aws.region(arn.region) ?? arn.region) : io.aws.region();
  const returnUrl = req.resource?.flow === 'USER_FEDERATION' ? req.resource.returnUrl : undefined;
  const fed: FederationState = newFederationState(returnUrl ?? '');
  const state: ExchangeState = {
    request: req,
    workloadName: req.workloadName ?? '',
    ...(region ? { region } : {}),
    workloadApi: workloadApiFor(req.binding),
    fed,
    obo: {},
  };
  const plan = exchangePlan(io, req);
  if (returnUrl && isLoopbackUrl(returnUrl)) {
    const customState = req.federation?.customState;
    fed.consent.listener = await ReturnListener.start({
      returnUrl,
      ...(customState !== undefined ? { customState } : {}),
    });
  }
  try {
    const run = await runPlan(plan, state, {
      now: () => io.ctx.now(),
      signal: io.ctx.signal,
      ...(emit ? { emit } : {}),
    });
    if (fed.accessToken) state.resourceToken = fed.accessToken;
    if (state.obo.accessToken) state.resourceToken = state.obo.accessToken;
    return { state, run };
  } finally {
    await fed.consent.listener?.close();
    await fed.consent.opening;
  }
}
