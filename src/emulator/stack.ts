/**
 * startLocalStack(options): the whole local AgentCore stack in this process. One HTTP origin serves the AgentCore
 * data and control planes, the Cognito-compatible IdP, the runtime and the gateway (so every AWS_ENDPOINT_URL_* points
 * at it); the 3LO provider (oidc-provider, playing the external service) listens on a second loopback port.
 */
import type { ServerResponse } from 'node:http';
import { sendAwsError, sendJson } from './respond.js';
import {
  originOf,
  startEmuServer,
  Faults,
  jsonBody,
  type EmuRequest,
  type Handler,
  type FaultSettings,
} from './server.js';
import { verifySigV4, type StackCredentials } from './sigv4.js';
import { isParsedConfig, loadConfigFile, parseConfig, runtimeDefaultsContext, type StackConfig } from './config.js';
import { StackState } from './state.js';
import { parseFaultRule } from './config.js';
import {
  applyAgentUrls,
  defaultAgents,
  defaultGateways,
  type AgentConfig,
  type GatewayConfig,
} from './runtime/config.js';
import { startSampleAgent } from './agent/index.js';
import { createJwtAuthorizer } from './runtime/jwt-authorizer.js';
import type { RuntimeHalfDeps } from './runtime/deps.js';
import type { EmuContext, StackEvent } from './context.js';
import { createRuntimeHandler } from './runtime/index.js';
import { createGatewayHandler } from './gateway/index.js';
import { SIGNING_NAME } from '../wire.js';
import { mountIdentity } from './mount.js';
import { KeyLease } from './keys.js';
import { createPolicyHandler, PolicyStore, seedPolicyEngines } from './policy/index.js';
import { Lambdas, parseLambdaMapping } from './lambda.js';

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

export interface StackClientInfo {
  name: string;
  clientId: string;
  clientSecret?: string;
  explicitAuthFlows: string[];
  allowedOAuthFlows: string[];
  allowedOAuthScopes: string[];
}

export interface LocalStack {
  /** The stack's origin (all AWS services). */
  url: string;
  region: string;
  accountId: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  endpoints: { agentcore: string; control: string; cognito: string; threeLo: string };
  /** Environment variables pointing the AWS SDKs and the CLI at the stack. */
  env: Record<string, string>;
  userPool: {
    id: string;
    issuer: string;
    discoveryUrl: string;
    jwksUri: string;
    tokenEndpoint: string;
    authorizationEndpoint: string;
    clients: StackClientInfo[];
    users: Array<{ username: string; password: string; temporaryPassword: boolean }>;
  };
  workloadIdentities: Array<{ name: string; arn: string; allowedResourceOauth2ReturnUrls: string[] }>;
  credentialProviders: {
    oauth2: Array<{
      name: string;
      arn: string;
      vendor: string;
      flow: 'M2M' | 'USER_FEDERATION' | 'ON_BEHALF_OF_TOKEN_EXCHANGE';
      callbackUrl: string;
      scopes: string[];
    }>;
    apiKey: Array<{ name: string; arn: string }>;
  };
  threeLo: { issuer: string; discoveryUrl: string; autoConsent: boolean; defaultUser: string; clientId: string };
  agents: AgentConfig[];
  gateways: GatewayConfig[];
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

/** Admin switch for fault injection: GET/PUT/POST/DELETE /_local/faults (loopback callers only). */
function createAdminHandler(ctx: EmuContext): Handler {
  return async (req, res) => {
    if (!req.url.pathname.startsWith('/_local/')) return false;
    if (req.url.pathname === '/_local/health') {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    if (req.url.pathname !== '/_local/faults') return false;
    const ra = req.raw.socket.remoteAddress ?? '';
    if (!/^(::ffff:)?127\./.test(ra) && ra !== '::1') {
      sendAwsError(res, 403, 'AccessDeniedException', 'The fault switch is available to loopback callers only');
      return true;
    }
    try {
      if (req.method === 'PUT') {
        const body = jsonBody(req) ?? {};
        const parsed = parseConfig({ faults: body }).faults;
        ctx.faults.set(parsed);
      } else if (req.method === 'POST') {
        ctx.faults.add(parseFaultRule(jsonBody(req) ?? {}, 'rule'));
      } else if (req.method === 'DELETE') {
        ctx.faults.clear();
      } else if (req.method !== 'GET') {
        sendAwsError(
          res,
          405,
          'ValidationException',
          'Use GET, PUT (replace all), POST (add a rule) or DELETE (clear)',
        );
        return true;
      }
    } catch (e) {
      sendAwsError(res, 400, 'ValidationException', (e as Error).message);
      return true;
    }
    sendJson(res, 200, ctx.faults.snapshot());
    return true;
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const config: StackConfig = isParsedConfig(options.config)
    ? options.config
    : options.config
      ? parseConfig(options.config)
      : options.configFile
        ? await loadConfigFile(options.configFile)
        : parseConfig({});
  if (options.autoConsent !== undefined) config.autoConsent = options.autoConsent;
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const faults = new Faults(config.faults as FaultSettings);
  const lambdas = new Lambdas(config.lambdas);
  for (const spec of options.lambdas ?? []) {
    const { arn, url } = parseLambdaMapping(spec);
    lambdas.set(arn, url);
  }
  const state = new StackState(config.region, config.accountId, now);
  const credentials: StackCredentials = { ...config.credentials };
  const verify = (req: EmuRequest, service: string = SIGNING_NAME.agentcore) =>
    verifySigV4(req, credentials, { service, now });

  const server = await startEmuServer({
    host,
    port: options.port ?? 0,
    handlers: [],
    faults,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const origin = server.origin;
  const keys = new KeyLease();
  const ctx: EmuContext = {
    origin,
    config,
    state,
    credentials,
    faults,
    now,
    verify,
    keys,
    lambdas,
    ...(options.onEvent ? { events: options.onEvent } : {}),
  };
  const closers: Array<() => Promise<void>> = [];

  try {
    const defaults = runtimeDefaultsContext(config);
    const agents = applyAgentUrls(config.agents ?? defaultAgents(defaults), options.agentUrls ?? []);
    const gateways = config.gateways ?? defaultGateways(defaults);
    // The identity half and the sample agent start concurrently (key generation on the thread pool overlaps imports).
    const [mounted, sampleStarted] = await Promise.allSettled([
      mountIdentity(ctx, options, closers),
      agents.some((a) => !a.agentUrl)
        ? startSampleAgent({
            endpoint: origin,
            region: config.region,
            credentials,
            resolveWorkloadAccessToken: (t) => state.resolveWat(t),
          })
        : undefined,
    ]);
    if (sampleStarted.status === 'fulfilled' && sampleStarted.value) closers.push(() => sampleStarted.value!.close());
    if (mounted.status === 'rejected') throw mounted.reason;
    if (sampleStarted.status === 'rejected') throw sampleStarted.reason;
    const identity = mounted.value;
    const sample = sampleStarted.value;
    // AgentCore creates a workload identity for every runtime and gateway; callers may not mint tokens for it.
    for (const a of agents)
      state.putWorkloadIdentity(a.workloadName, {
        allowedResourceOauth2ReturnUrls: a.allowedResourceOauth2ReturnUrls,
        linkedTo: 'runtime',
      });
    for (const g of gateways)
      state.putWorkloadIdentity(g.workloadName, {
        allowedResourceOauth2ReturnUrls: g.allowedResourceOauth2ReturnUrls,
        linkedTo: 'gateway',
      });
    const deps: RuntimeHalfDeps = {
      state,
      baseUrl: origin,
      region: config.region,
      accountId: config.accountId,
      credentials,
      verifySigV4: verify,
      mintWorkloadAccessToken: (input) => identity.mintWorkloadAccessToken(input),
      agents,
      gateways,
      userPool: { discoveryUrl: identity.userPoolInfo.discoveryUrl },
      ...(options.log ? { log: options.log } : {}),
      authorizer: createJwtAuthorizer(),
      lambdas,
    };
    if (sample) {
      deps.sampleAgentUrl = sample.url;
      deps.sampleAgent = sample;
    }
    // Policy engines from the config are created once the gateways can be asked for their tools (policies validate).
    const policies = new PolicyStore(config.region, config.accountId);
    seedPolicyEngines(policies, config.policyEngines ?? [], now(), options.log);
    // The runtime half is mounted after the identity handlers.
    server.handlers = [
      createAdminHandler(ctx),
      ...identity.handlers,
      createPolicyHandler(policies, { now, verify }),
      createRuntimeHandler(deps),
      createGatewayHandler(deps),
    ];

    const env = {
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: origin,
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: origin,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: origin,
      AWS_REGION: config.region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    let closed: Promise<void> | undefined;
    return {
      url: origin,
      region: config.region,
      accountId: config.accountId,
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
      endpoints: { agentcore: origin, control: origin, cognito: origin, threeLo: identity.threeLoIssuer },
      env,
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
      agents,
      gateways,
      config,
      state,
      faults,
      lambdas,
      policies,
      close: () =>
        (closed ??= (async () => {
          await Promise.allSettled([server.close(), ...closers.map((c) => c())]);
          keys.release();
        })()),
    };
  } catch (e) {
    await Promise.allSettled([server.close(), ...closers.map((c) => c())]);
    keys.release();
    throw e;
  }
}

export { originOf };
export type { EmuRequest, Handler, ServerResponse };
