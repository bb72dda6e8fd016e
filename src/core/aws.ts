/**
 * AWS plumbing: endpoint resolution (AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL, with --endpoint-url on top),
 * region, credentials, lazily imported SDK clients with a tracing middleware, and the mapping of SDK errors to
 * AgentcoreAuthError. The SDK packages are imported only inside the factory methods so that `--help` never loads them.
 */
import { AgentcoreAuthError, configError, interruptedError, type ErrorCode } from './errors.js';
import {
  resolveRegionChoice,
  profileFiles,
  readProfile,
  requireProfile,
  type Env,
  type RegionChoice,
} from './aws-profile.js';
import { classify } from './classify.js';
import { hintFor } from './hints.js';
import { networkError } from './http.js';
import { displayProxy, proxyFailureOf, type ProxyRouting } from './proxy.js';
import { SERVICES, type ServiceKey } from '../wire.js';
import type { HttpExchange, ExchangeListener } from './http.js';

import type { BedrockAgentCoreClient, BedrockAgentCoreClientConfig } from '@aws-sdk/client-bedrock-agentcore';
import type { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { agentcoreSdk, cognitoSdk, controlSdk, credentialProvidersSdk, nodeHttpHandlerSdk } from '../sdk.js';

export type { Env };

export interface AwsSettings {
  region?: string;
  profile?: string;
  /** --endpoint-url: applies to every service unless that service has its own AWS_ENDPOINT_URL_<SERVICE>. */
  endpointUrl?: string;
  /** Per-request timeout in ms (socket). */
  timeoutMs?: number;
  /** SDK attempts for retryable errors (throttling, 5xx, RetryableConflict). Default 3. */
  maxAttempts?: number;
}

/**
 * Endpoint for a service: the service-specific variable wins, then --endpoint-url, then AWS_ENDPOINT_URL (the AWS
 * SDKs' documented order puts the service variable before the global one; the flag adds to that, for all services
 * that have no variable of their own). Undefined means the real AWS endpoint.
 */
export function resolveEndpointOverride(env: Env, service: ServiceKey, flag?: string): string | undefined {
  const specific = env[`AWS_ENDPOINT_URL_${SERVICES[service].envSuffix}`];
  if (specific) return specific;
  if (flag) return flag;
  return env.AWS_ENDPOINT_URL || undefined;
}

/** The base URL a raw HTTPS call to a service must use (override or the real regional host). */
export function serviceBaseUrl(env: Env, service: ServiceKey, region: string, flag?: string): string {
  return (resolveEndpointOverride(env, service, flag) ?? SERVICES[service].host(region)).replace(/\/+$/, '');
}

/**
 * The run's region: --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's region (AWS_CONFIG_FILE or
 * ~/.aws/config, --profile / AWS_PROFILE / default) > the ARN's (core/aws-profile.ts).
 */
export function resolveRegion(env: Env, settings: { region?: string; profile?: string }, fromArn?: string) {
  return resolveRegionChoice(env, settings, fromArn)?.region;
}

export function requireRegion(region: string | undefined): string {
  if (!region) {
    throw configError(
      'no AWS region',
      'Pass --region, set AWS_REGION, or set region in your AWS profile. A full ARN carries its own region.',
    );
  }
  return region;
}

export interface AwsClients {
  agentcore(region?: string): Promise<BedrockAgentCoreClient>;
  control(region?: string): Promise<BedrockAgentCoreControlClient>;
  cognito(region?: string): Promise<CognitoIdentityProviderClient>;
  /** The region clients will use: --region > AWS_REGION > AWS_DEFAULT_REGION > the profile > `fromArn`. */
  region(fromArn?: string): string | undefined;
  /** The same, with where it came from ("AWS_REGION", "profile dev in /home/me/.aws/config", …). */
  regionChoice(fromArn?: string): RegionChoice | undefined;
  /** Resolved AWS credentials (for hand-signed requests). */
  credentials(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  endpoint(service: ServiceKey): string | undefined;
  /**
   * Close the clients made so far (their sockets and agents). The run calls it when its command ends: an SDK client's
   * keep-alive connections otherwise outlive the run (a process that runs the CLI many times, tests, keeps them all).
   */
  destroy(): void;
}

export interface AwsFactoryDeps {
  env: Env;
  settings: AwsSettings;
  onExchange?: ExchangeListener;
  /** Record each call's deserialized output as its responseBody (JSON), for the trace and diagrams. */
  captureBodies?: boolean;
  signal?: AbortSignal;
  /**
   * Tests only: the SDK clients' retry strategy, made for the attempts allowed (the tests keep the SDK's own strategy
   * and take out its backoff sleeps). Unset, as it always is outside tests: the SDK's standard strategy.
   */
  retryStrategy?: (maxAttempts: number) => AwsRetryStrategy;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the run: the clients' connections are tunnelled through it. */
  proxy?: ProxyRouting;
}

export type AwsRetryStrategy = NonNullable<BedrockAgentCoreClientConfig['retryStrategy']>;

/** Structural view of a smithy client, enough to add middleware. */
interface StackLike {
  middlewareStack: { add(mw: unknown, options: Record<string, unknown>): void };
  config: { region: () => Promise<string> };
}

export function createAwsClients(deps: AwsFactoryDeps): AwsClients {
  const { env, settings } = deps;
  const cache = new Map<string, Promise<unknown>>();
  let creds: ReturnType<typeof loadCredentialProvider> | undefined;
  const credentialProvider = () => (creds ??= loadCredentialProvider(settings.profile, env));
  // Never the SDK's own region lookup: it reads process.env and the default files, not the run's env.
  const clientRegion = (region: string | undefined) => requireRegion(region ?? resolveRegion(env, settings));
  /** One client per service and region, made on first use. */
  const client = <T>(service: ServiceKey, region: string | undefined, make: (config: ClientConfig) => T) => {
    const r = clientRegion(region);
    const key = `${service}:${r}`;
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = (async () => instrument(deps, make(clientConfig(deps, service, r, await credentialProvider()))))();
      cache.set(key, p);
    }
    return p;
  };
  return {
    region: (fromArn) => resolveRegion(env, settings, fromArn),
    regionChoice: (fromArn) => resolveRegionChoice(env, settings, fromArn),
    endpoint: (service) => resolveEndpointOverride(env, service, settings.endpointUrl),
    agentcore: (region) => client('agentcore', region, (config) => new (agentcoreSdk().BedrockAgentCoreClient)(config)),
    control: (region) =>
      client('control', region, (config) => new (controlSdk().BedrockAgentCoreControlClient)(config)),
    cognito: (region) =>
      client('cognito', region, (config) => new (cognitoSdk().CognitoIdentityProviderClient)(config)),
    async credentials() {
      const provider = await credentialProvider();
      try {
        return await provider();
      } catch (e) {
        throw fromAwsError(e, 'resolve AWS credentials');
      }
    },
    destroy() {
      for (const made of cache.values())
        made.then(
          (c) => (c as { destroy?: () => void }).destroy?.(),
          () => undefined,
        );
      cache.clear();
    },
  };
}

type ClientConfig = ReturnType<typeof clientConfig>;

/** What every client is made with: region, endpoint override, credentials, attempts, timeouts, the proxy. */
function clientConfig(deps: AwsFactoryDeps, service: ServiceKey, region: string, credentials: CredentialProvider) {
  const { env, settings } = deps;
  const endpoint = resolveEndpointOverride(env, service, settings.endpointUrl);
  const { NodeHttpHandler } = nodeHttpHandlerSdk();
  deps.proxy?.proxyFor(endpoint ?? SERVICES[service].host(region)); // a malformed HTTPS_PROXY fails here, named
  const maxAttempts = settings.maxAttempts ?? 3;
  return {
    region,
    ...(endpoint ? { endpoint } : {}),
    credentials,
    maxAttempts,
    ...(deps.retryStrategy ? { retryStrategy: deps.retryStrategy(maxAttempts) } : {}),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(settings.timeoutMs ?? 30_000, 10_000),
      requestTimeout: settings.timeoutMs ?? 30_000,
      // Without this, @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      ...(deps.proxy ? deps.proxy.agents() : {}),
    }),
  };
}

/** The trace middleware (--verbose, diagrams), and the run's abort signal on every call. */
function instrument<T>(deps: AwsFactoryDeps, client: T): T {
  const c = client as unknown as StackLike;
  if (deps.onExchange)
    c.middlewareStack.add(traceMiddleware(deps.onExchange, !!deps.captureBodies, deps.proxy), {
      step: 'deserialize',
      priority: 'low',
      name: 'agentcoreAuthTrace',
    });
  if (deps.onExchange && deps.captureBodies)
    c.middlewareStack.add(outputMiddleware, {
      step: 'initialize',
      priority: 'high',
      name: 'agentcoreAuthTraceOutput',
    });
  if (deps.signal) {
    // Ctrl-C stops every SDK call (retries and backoff included) unless the caller passed its own abortSignal.
    const runSignal = deps.signal;
    const sendable = client as unknown as {
      send: (command: unknown, options?: unknown, cb?: unknown) => Promise<unknown>;
    };
    const send = sendable.send.bind(client);
    sendable.send = (command, options, cb) => {
      if (typeof options === 'function' || cb !== undefined) return send(command, options, cb);
      const o = (options ?? {}) as { abortSignal?: AbortSignal };
      return send(command, o.abortSignal ? o : { ...o, abortSignal: runSignal });
    };
  }
  return client;
}

const SILENT_LOGGER = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

type CredentialProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;

/**
 * Credentials in the SDK's order, but read from the run's env (the context's, not process.env): --profile first (as
 * the AWS CLI does), then AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY(/AWS_SESSION_TOKEN), then AWS_PROFILE, then the
 * SDK's default chain (SSO, container, instance metadata…).
 */
async function loadCredentialProvider(profile: string | undefined, env: Env): Promise<CredentialProvider> {
  if (!profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const creds = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
    return async () => creds;
  }
  const named = readProfile(env, profile);
  requireProfile(named);
  const files = profileFiles(env);
  const { fromNodeProviderChain } = credentialProvidersSdk();
  // The profile always named and the files always given, so the SDK's chain reads neither process.env's keys
  // (fromEnv is skipped when a profile is named) nor its AWS_PROFILE / AWS_CONFIG_FILE: the run's env decides.
  // Its logger is ours to give: the chain's 'Multiple credential sources detected' warning looks at process.env's
  // AWS_PROFILE and keys, not the run's env, so it can speak of variables this run does not use (it warned in tests).
  return fromNodeProviderChain({
    profile: named.name,
    filepath: files.credentials,
    configFilepath: files.config,
    logger: SILENT_LOGGER,
  });
}

/** A deserialize-step middleware that reports each attempt's raw request and response for --verbose. */
function traceMiddleware(onExchange: ExchangeListener, captureBodies: boolean, proxy?: ProxyRouting) {
  return (next: (args: unknown) => Promise<{ response: unknown }>, context: { commandName?: string }) =>
    async (args: { request?: SdkHttpRequest }) => {
      const req = args.request;
      if (!req || typeof req !== 'object' || !('method' in req)) return next(args);
      const query =
        req.query && Object.keys(req.query).length
          ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}`
          : '';
      const exchange: HttpExchange = {
        id: Date.now(),
        method: req.method,
        url: `${req.protocol}//${req.hostname}${req.port ? `:${req.port}` : ''}${req.path}${query}`,
        requestHeaders: Object.fromEntries(
          Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
        ),
        label: context.commandName?.replace(/Command$/, ''),
      };
      const via = proxy?.proxyFor(exchange.url);
      if (via) exchange.proxy = displayProxy(via);
      if (typeof req.body === 'string') exchange.requestBody = req.body;
      // The SDK's JSON body is a Uint8Array subclass that warns when a string method is called on it: read its bytes.
      else if (req.body instanceof Uint8Array)
        exchange.requestBody = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength).toString('utf8');
      onExchange(exchange, 'request');
      const started = performance.now();
      try {
        const out = await next(args);
        const res = out.response as { statusCode?: number; headers?: Record<string, string> };
        exchange.status = res.statusCode;
        exchange.responseHeaders = res.headers ?? {};
        exchange.durationMs = Math.round(performance.now() - started);
        if (captureBodies) (context as Record<symbol, unknown>)[LAST_EXCHANGE] = exchange;
        onExchange(exchange, 'response');
        return out;
      } catch (e) {
        const meta = (e as { $metadata?: { httpStatusCode?: number } }).$metadata;
        if (meta?.httpStatusCode) exchange.status = meta.httpStatusCode;
        exchange.error = `${(e as Error).name}: ${(e as Error).message}`;
        exchange.durationMs = Math.round(performance.now() - started);
        onExchange(exchange, 'response');
        throw e;
      }
    };
}

const LAST_EXCHANGE = Symbol('agentcore-auth.last-exchange');

/**
 * The trace middleware sits below the deserializer (it sees each attempt's raw HTTP response); this one, outermost,
 * sees the command's deserialized output and records it as the last attempt's responseBody (for diagrams: the
 * tokens a call returned, as fingerprints), or the service error the deserializer raised as its error. The --verbose
 * listener has already printed that attempt; the record is the same object.
 */
function outputMiddleware(next: (args: unknown) => Promise<{ output?: unknown }>, context: object) {
  return async (args: unknown) => {
    let out: { output?: unknown };
    try {
      out = await next(args);
    } catch (e) {
      // A service error is raised by the deserializer, above the trace middleware: name it on the record too.
      const exchange = (context as Record<symbol, HttpExchange | undefined>)[LAST_EXCHANGE];
      if (exchange && exchange.error === undefined && e instanceof Error) exchange.error = `${e.name}: ${e.message}`;
      throw e;
    }
    const exchange = (context as Record<symbol, HttpExchange | undefined>)[LAST_EXCHANGE];
    const body = exchange ? plainJson(out.output) : undefined;
    if (exchange && body !== undefined && exchange.responseBody === undefined) exchange.responseBody = body;
    return out;
  };
}

/**
 * The JSON of a command's output without $metadata, or undefined when it holds anything but plain data (an event
 * stream, a body stream, bytes): the answer of InvokeAgentRuntime is read by the caller, never here.
 */
function plainJson(output: unknown): string | undefined {
  const plain = (v: unknown, depth: number): boolean => {
    if (v === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof v) || v instanceof Date) return true;
    if (depth > 12 || typeof v !== 'object') return false;
    if (Array.isArray(v)) return v.every((x) => plain(x, depth + 1));
    const proto = Object.getPrototypeOf(v);
    return (
      (proto === Object.prototype || proto === null) && Object.values(v as object).every((x) => plain(x, depth + 1))
    );
  };
  if (!output || typeof output !== 'object') return undefined;
  const { $metadata: _meta, ...rest } = output as Record<string, unknown>;
  void _meta;
  return plain(rest, 0) ? JSON.stringify(rest) : undefined;
}

interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  body?: unknown;
}

const AUTH_NAMES = new Set([
  'AccessDeniedException',
  'UnauthorizedException',
  'NotAuthorizedException',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'PasswordResetRequiredException',
  'UserNotConfirmedException',
  'UserNotFoundException',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** Map anything the AWS SDK throws to an AgentcoreAuthError with a hint. */
export function fromAwsError(e: unknown, operation: string, endpoint?: string): AgentcoreAuthError {
  if (e instanceof AgentcoreAuthError) return e;
  const err = e as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string };
    $response?: unknown;
  };
  if (err?.name === 'AbortError') return interruptedError();
  const name = err?.name ?? 'Error';
  const message = err?.message ?? String(e);
  const status = err?.$metadata?.httpStatusCode;
  const requestId = err?.$metadata?.requestId;

  // A connection through HTTPS_PROXY / HTTP_PROXY that failed: the error names the proxy.
  if (proxyFailureOf(e) && !status) return networkError(endpoint ?? `the ${operation} endpoint`, e);
  // @smithy/node-http-handler names every ECONNRESET / EPIPE / ETIMEDOUT a TimeoutError: only its own request and
  // connection timeouts (code ETIMEDOUT, or none) are timeouts; a reset is a network failure.
  const sdkTimeout = name === 'TimeoutError' && (err?.code === undefined || err.code === 'ETIMEDOUT');
  if (err?.code && NETWORK_CODES.has(err.code) && !status && !sdkTimeout) {
    return networkError(endpoint ?? `the ${operation} endpoint`, e);
  }
  if (name === 'TimeoutError' || /timed? ?out/i.test(name)) {
    return new AgentcoreAuthError('ERR_TIMEOUT', `${operation} timed out${endpoint ? ` (${endpoint})` : ''}`, {
      hint: 'Check that the endpoint is reachable, or raise --timeout.',
      cause: e,
    });
  }

  const { kind } = classify(e);
  let code: ErrorCode;
  if (name === 'CredentialsProviderError' || kind === 'region-missing' || kind === 'sso-session-expired')
    code = 'ERR_CONFIG';
  else if (AUTH_NAMES.has(name) || status === 401 || status === 403) code = 'ERR_AUTH';
  else if (name.startsWith('Throttl') || status === 429) code = 'ERR_THROTTLED';
  else if (status !== undefined && status >= 500) code = 'ERR_SERVER';
  else code = 'ERR_REMOTE';

  const hint = hintFor(kind);
  return new AgentcoreAuthError(code, `${operation} failed: ${name}: ${message}`, {
    ...(hint ? { hint: hint.fix } : {}),
    details: {
      operation,
      errorName: name,
      ...(status !== undefined ? { status } : {}),
      ...(requestId ? { requestId } : {}),
    },
    cause: e,
  });
}
