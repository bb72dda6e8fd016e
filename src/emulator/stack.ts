/**
 * startLocalStack(options): the whole local AgentCore stack in this process. One HTTP origin serves the AgentCore
 * data and control planes, the Cognito-compatible IdP, the runtime and the gateway (so every AWS_ENDPOINT_URL_* points
 * at it); the 3LO provider (oidc-provider, playing the external service) listens on a second loopback port.
 */
import type { ServerResponse } from 'node:http';
import { DEFAULT_RETURN_URL, SIGNING_NAME } from '../wire.js';
import { createAdminHandler } from './admin.js';
import { startSampleAgent, type SampleAgent } from './agent/index.js';
import { isParsedConfig, loadConfigFile, parseConfig, runtimeDefaultsContext, type StackConfig } from './config.js';
import type { EmuContext, StackEvent } from './context.js';
import { defaultGateways, type GatewayConfig } from './gateway/config.js';
import { createGatewayHandler, gatewayViews, type GatewayHandler, type GatewayView } from './gateway/index.js';
import { SAMPLE_INTERCEPTOR_NAME, startSampleLambda } from './gateway/sample/lambda.js';
import { startSampleMcpServer } from './gateway/sample/mcp-server.js';
import { KeyLease } from './keys.js';
import { Lambdas, parseLambdaMapping } from './lambda.js';
import { mountIdentity, type CredentialProvidersInfo, type MountedIdentity, type UserPoolInfo } from './mount.js';
import { applyAgentUrls, defaultAgents, type AgentConfig } from './runtime/config.js';
import type { RuntimeHalfDeps } from './runtime/deps.js';
import { createRuntimeHandler } from './runtime/index.js';
import { createJwtAuthorizer } from './runtime/jwt-authorizer.js';
import { createPolicyHandler, PolicyStore, seedPolicyEngines } from './policy/index.js';
import { Faults, originOf, startEmuServer, type EmuRequest, type FaultSettings, type Handler } from './server.js';
import { verifySigV4, type StackCredentials } from './sigv4.js';
import { StackState } from './state.js';

export { ConfigError, type StackConfig } from './config.js';
export type { StackEvent } from './context.js';

export interface LocalStackOptions {
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. A non-loopback host exposes the stack to the network: only when asked explicitly. */
  host?: string;
  /** Port of the 3LO provider (default 0 = ephemeral). */
  threeLoPort?: number;
  /** A parsed config, a raw object (validated like a file), or nothing for the seeded stack. */
  config?: StackConfig | Record<string, unknown>;
  /** A JSON or YAML file (ignored when `config` is given). */
  configFile?: string;
  /** Overrides config.autoConsent. */
  autoConsent?: boolean;
  /** Clock (tests). */
  now?: () => number;
  /** Unexpected handler errors (default: ignored; they become 500 InternalServerException). */
  onError?: (error: unknown, req: EmuRequest) => void;
  /** `--agent-url`: `URL` (every agent without its own agentUrl) or `NAME=URL` (one agent). */
  agentUrls?: string[];
  /** Notable runtime events (e.g. an agent answering 500), one line each. */
  log?: (line: string) => void;
  /** `--lambda ARN=URL`: the user's own endpoints serving Lambda ARNs (added to config.lambdas). */
  lambdas?: string[];
  /** What the stack would have mailed (Cognito's sign-up codes): `local` logs each one. */
  onEvent?: (event: StackEvent) => void;
}

export type { StackClientInfo, UserPoolInfo, CredentialProvidersInfo } from './mount.js';

export interface LocalStack {
  /** The stack's origin (all AWS services). */
  url: string;
  region: string;
  accountId: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  endpoints: { agentcore: string; control: string; cognito: string; threeLo: string };
  /** Environment variables pointing the AWS SDKs and the CLI at the stack. */
  env: Record<string, string>;
  userPool: UserPoolInfo;
  workloadIdentities: Array<{ name: string; arn: string; allowedResourceOauth2ReturnUrls: string[] }>;
  credentialProviders: CredentialProvidersInfo;
  threeLo: { issuer: string; discoveryUrl: string; autoConsent: boolean; defaultUser: string; clientId: string };
  /** The runtimes, live: CreateAgentRuntime adds one, UpdateAgentRuntime replaces its entry, Delete removes it. */
  agents: AgentConfig[];
  /** The gateways as they are now (config, seeded, or made through the control plane), with their URLs. */
  readonly gateways: GatewayView[];
  config: StackConfig;
  state: StackState;
  faults: Faults;
  /** The user's Lambda endpoints by ARN (interceptors, Lambda targets, Cognito triggers). */
  lambdas: Lambdas;
  /** AgentCore Policy: engines, policies, and the compiled sets a gateway evaluates (policy/store.ts). */
  policies: PolicyStore;
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The config in effect: a parsed one as given, a raw object or a file validated, or the seeded stack. */
async function resolveConfig(options: LocalStackOptions): Promise<StackConfig> {
  const config: StackConfig = isParsedConfig(options.config)
    ? options.config
    : options.config
      ? parseConfig(options.config)
      : options.configFile
        ? await loadConfigFile(options.configFile)
        : parseConfig({});
  if (options.autoConsent !== undefined) config.autoConsent = options.autoConsent;
  return config;
}

function lambdasOf(config: StackConfig, options: LocalStackOptions): Lambdas {
  const lambdas = new Lambdas(config.lambdas);
  for (const spec of options.lambdas ?? []) {
    const { arn, url } = parseLambdaMapping(spec);
    lambdas.set(arn, url);
  }
  return lambdas;
}

/** The built-in sample agent of this stack (it calls the stack's data plane with the stack's credentials). */
function sampleAgentStarter(ctx: EmuContext, closers: Array<() => Promise<void>>): () => Promise<SampleAgent> {
  return async () => {
    const sample = await startSampleAgent({
      endpoint: ctx.origin,
      region: ctx.config.region,
      credentials: ctx.credentials,
      resolveWorkloadAccessToken: (t) => ctx.state.resolveWat(t),
    });
    closers.push(() => sample.close());
    return sample;
  };
}

type GatewaySamples = Array<{ url: string; close(): Promise<void> }>;

/** The seeded gateway's targets and interceptor: the stack's sample MCP server and sample Lambda. */
async function startGatewaySamples(closers: Array<() => Promise<void>>): Promise<GatewaySamples> {
  const started = await Promise.all([startSampleMcpServer(), startSampleLambda()]);
  for (const s of started) closers.push(() => s.close());
  return started;
}

/**
 * The identity half, the sample agent and (for the seeded gateway) its sample servers start concurrently (key
 * generation on the thread pool overlaps imports).
 */
async function startHalves(
  ctx: EmuContext,
  options: LocalStackOptions,
  closers: Array<() => Promise<void>>,
  needs: { sample: boolean; gatewaySamples: boolean },
): Promise<{ identity: MountedIdentity; sample: SampleAgent | undefined; gatewaySamples: GatewaySamples }> {
  const [mounted, sampleStarted, gatewaySamples] = await Promise.allSettled([
    mountIdentity(
      ctx,
      { ...(options.host ? { host: options.host } : {}), threeLoPort: options.threeLoPort ?? 0 },
      closers,
    ),
    needs.sample ? sampleAgentStarter(ctx, closers)() : undefined,
    needs.gatewaySamples ? startGatewaySamples(closers) : [],
  ]);
  if (mounted.status === 'rejected') throw mounted.reason;
  if (sampleStarted.status === 'rejected') throw sampleStarted.reason;
  if (gatewaySamples.status === 'rejected') throw gatewaySamples.reason;
  return { identity: mounted.value, sample: sampleStarted.value, gatewaySamples: gatewaySamples.value };
}

/** AgentCore creates a workload identity for every runtime (the gateway's store links each gateway's). */
function linkWorkloads(state: StackState, agents: AgentConfig[]): void {
  for (const a of agents)
    state.putWorkloadIdentity(a.workloadName, {
      allowedResourceOauth2ReturnUrls: a.allowedResourceOauth2ReturnUrls,
      linkedTo: 'runtime',
    });
}

/** The config's gateways, or the seeded ones on the stack's sample MCP server, Lambda, providers and JWT agent. */
function gatewaysOf(ctx: EmuContext, agents: AgentConfig[], samples: GatewaySamples): GatewayConfig[] {
  const { config, state } = ctx;
  if (config.gateways) return config.gateways;
  const defaults = runtimeDefaultsContext(config);
  const jwtAgent = agents.find((a) => a.authorizerConfiguration?.customJWTAuthorizer.allowedClients);
  const [mcp, lambda] = samples;
  const interceptorArn = `arn:aws:lambda:${config.region}:${config.accountId}:function:${SAMPLE_INTERCEPTOR_NAME}`;
  ctx.lambdas.set(interceptorArn, lambda!.url);
  return defaultGateways({
    ...defaults,
    sampleMcpUrl: mcp!.url,
    interceptorArn,
    oauthProviderArn: state.oauth2ProviderArn(defaults.oauthProviderName ?? 'local-3lo'),
    ...(config.apiKeyProviders[0]
      ? { apiKeyProviderArn: state.apiKeyProviderArn(config.apiKeyProviders[0].name) }
      : {}),
    ...(jwtAgent
      ? { jwtAgentArn: `arn:aws:bedrock-agentcore:${config.region}:${config.accountId}:runtime/${jwtAgent.id}` }
      : {}),
    returnUrl: defaults.returnUrl ?? DEFAULT_RETURN_URL,
  });
}

interface RuntimeHalfInput {
  agents: AgentConfig[];
  identity: MountedIdentity;
  sample: SampleAgent | undefined;
  closers: Array<() => Promise<void>>;
  /** Set once the gateway handler exists (the runtime reads the live gateways through it). */
  gateway?: GatewayHandler;
}

/** The gateway half: the config's (or seeded) gateways on the runtime half's deps, the policy engines' seam. */
function gatewayHandlerOf(
  ctx: EmuContext,
  deps: RuntimeHalfDeps,
  gateways: GatewayConfig[],
  policies: PolicyStore,
): GatewayHandler {
  return createGatewayHandler({
    ...deps,
    credentials: ctx.credentials,
    state: ctx.state,
    gateways,
    now: ctx.now,
    policy: policies,
    principals: ctx.config.principals,
  });
}

function runtimeDeps(ctx: EmuContext, options: LocalStackOptions, input: RuntimeHalfInput): RuntimeHalfDeps {
  const { config, state } = ctx;
  const { identity, sample } = input;
  const startSample = sampleAgentStarter(ctx, input.closers);
  const deps: RuntimeHalfDeps = {
    state,
    baseUrl: ctx.origin,
    region: config.region,
    accountId: config.accountId,
    credentials: ctx.credentials,
    verifySigV4: ctx.verify,
    mintWorkloadAccessToken: (i) => identity.mintWorkloadAccessToken(i),
    agents: input.agents,
    get gateways() {
      return input.gateway
        ? gatewayViews(input.gateway.store).map((g) => ({ id: g.gatewayId, workloadName: g.workloadName }))
        : [];
    },
    userPool: { discoveryUrl: identity.userPoolInfo.discoveryUrl },
    ...(options.log ? { log: options.log } : {}),
    authorizer: createJwtAuthorizer(),
    lambdas: ctx.lambdas,
    defaults: runtimeDefaultsContext(config),
    workloadIdentities: {
      link: (name, returnUrls) =>
        state.putWorkloadIdentity(name, { allowedResourceOauth2ReturnUrls: returnUrls, linkedTo: 'runtime' }),
      unlink: (name) => state.workloadIdentities.delete(name),
    },
    startSampleAgent: async () => {
      const s = await startSample();
      return { url: s.url, agent: s };
    },
  };
  if (sample) {
    deps.sampleAgentUrl = sample.url;
    deps.sampleAgent = sample;
  }
  return deps;
}

function stackEnv(origin: string, config: StackConfig, credentials: StackCredentials): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: origin,
    AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: origin,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: origin,
    AWS_REGION: config.region,
    // Tools that read only the older variable (the AWS CLI v1, boto-based scripts) get the stack's region too.
    AWS_DEFAULT_REGION: config.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
}

function describeStack(
  ctx: EmuContext,
  input: RuntimeHalfInput,
  close: () => Promise<void>,
  policies: PolicyStore,
): LocalStack {
  const { origin, config, state, credentials } = ctx;
  const { identity } = input;
  return {
    url: origin,
    region: config.region,
    accountId: config.accountId,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    endpoints: { agentcore: origin, control: origin, cognito: origin, threeLo: identity.threeLoIssuer },
    env: stackEnv(origin, config, credentials),
    userPool: identity.userPoolInfo,
    workloadIdentities: config.workloadIdentities.map((w) => ({
      name: w.name,
      arn: state.workloadArn(w.name),
      allowedResourceOauth2ReturnUrls: [...w.allowedResourceOauth2ReturnUrls],
    })),
    credentialProviders: identity.providersInfo,
    threeLo: {
      issuer: identity.threeLoIssuer,
      discoveryUrl: `${identity.threeLoIssuer}/.well-known/openid-configuration`,
      autoConsent: config.autoConsent,
      defaultUser: config.threeLo.defaultUser,
      clientId: config.threeLo.clientId,
    },
    agents: input.agents,
    get gateways() {
      return input.gateway ? gatewayViews(input.gateway.store) : [];
    },
    config,
    state,
    faults: ctx.faults,
    lambdas: ctx.lambdas,
    policies,
    close,
  };
}

/** What every handler of the stack shares, once the server knows its origin. */
function stackContext(
  config: StackConfig,
  options: LocalStackOptions,
  server: { origin: string; faults: Faults; lambdas: Lambdas },
): EmuContext {
  const now = options.now ?? Date.now;
  const credentials: StackCredentials = { ...config.credentials };
  return {
    origin: server.origin,
    config,
    state: new StackState(config.region, config.accountId, now),
    credentials,
    faults: server.faults,
    now,
    verify: (req: EmuRequest, service: string = SIGNING_NAME.agentcore) =>
      verifySigV4(req, credentials, { service, now }),
    keys: new KeyLease(),
    lambdas: server.lambdas,
    ...(options.onEvent ? { events: options.onEvent } : {}),
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const config = await resolveConfig(options);
  const faults = new Faults(config.faults as FaultSettings);
  const lambdas = lambdasOf(config, options);
  const server = await startEmuServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    handlers: [],
    faults,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const ctx = stackContext(config, options, { origin: server.origin, faults, lambdas });
  const closers: Array<() => Promise<void>> = [];
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await Promise.allSettled([server.close(), ...closers.map((c) => c())]);
      ctx.keys.release();
    })());
  try {
    const defaults = runtimeDefaultsContext(config);
    const agents = applyAgentUrls(config.agents ?? defaultAgents(defaults), options.agentUrls ?? []);
    const needs = { sample: agents.some((a) => !a.agentUrl), gatewaySamples: !config.gateways };
    const { identity, sample, gatewaySamples } = await startHalves(ctx, options, closers, needs);
    linkWorkloads(ctx.state, agents);
    const input: RuntimeHalfInput = { agents, identity, sample, closers };
    const deps = runtimeDeps(ctx, options, input);
    const policies = new PolicyStore(config.region, config.accountId);
    const gateway = gatewayHandlerOf(ctx, deps, gatewaysOf(ctx, agents, gatewaySamples), policies);
    input.gateway = gateway;
    closers.push(async () => gateway.close());
    // The runtime half is mounted after the identity handlers.
    server.handlers = [
      createAdminHandler(faults),
      ...identity.handlers,
      createPolicyHandler(policies, { now: ctx.now, verify: ctx.verify }),
      createRuntimeHandler(deps),
      gateway,
    ];
    // The config's gateways exist, and their targets' catalogues are read, before the stack is ready.
    await gateway.ready;
    // Policy engines from the config are created once the gateways can be asked for their tools (policies validate).
    seedPolicyEngines(policies, config.policyEngines ?? [], ctx.now(), options.log);
    return describeStack(ctx, input, close, policies);
  } catch (e) {
    await close();
    throw e;
  }
}

export { originOf };
export type { EmuRequest, Handler, ServerResponse };
