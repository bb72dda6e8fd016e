/**
 * `exchange`: the outbound half, step by step. Workload access token (with the user binding that decides the API),
 * then optionally a resource token (M2M, or USER_FEDERATION — owned by core/identity/user-federation.ts) or an API
 * key. A numbered timeline on stderr; `--json` gives the structured exchange; `--print` writes one raw value to stdout.
 * parse (flags → inputs, every check before any call) → plan (steps) → run (the calls) → render.
 */
import type { Command } from 'commander';
import { defineAction, type CliRun, type Outcome } from '../command.js';
import { readStdin, type Io } from '../io.js';
import { addDiagramOption, type DiagramFlags } from '../diagram-output.js';
import { throwIfFailed, type StepsJson } from '../plan-output.js';
import {
  addOptions,
  choice,
  duration,
  flag,
  list,
  negatable,
  optionalValue,
  repeated,
  TIMEOUT,
  userId,
  value,
  withDefault,
  type OptionsOf,
} from '../options.js';

import type { ExchangeRequest, ExchangeState, UserBinding, UserIdentifier } from '../../core/identity/index.js';
import { usageError } from '../../core/errors.js';
import { isLoopbackUrl } from '../../core/loopback.js';
import { DEFAULT_RETURN_URL, LIMITS } from '../../wire.js';

const IDENTITY_USER_ID = userId({ max: LIMITS.identityUserIdMax });

const EXCHANGE_OPTIONS = {
  workloadName: value('--workload-name <name>', 'workload identity name', { conflicts: ['agentArn'] }),
  agentArn: value(
    '--agent-arn <arn>',
    "use this Runtime agent's own workload identity (looked up with GetAgentRuntime)",
  ),
  userId: value(
    '--user-id <id>',
    'bind the workload token to this user id (GetWorkloadAccessTokenForUserId)',
    IDENTITY_USER_ID,
    { conflicts: ['userToken', 'bearer'] },
  ),
  userToken: value('--user-token <jwt|->', 'bind it to this user JWT (GetWorkloadAccessTokenForJWT); - reads stdin', {
    conflicts: ['bearer', 'bearerToken'],
  }),
  bearerToken: value('--bearer-token <jwt|->', 'the same as --user-token (the name invoke and mcp use)', {
    conflicts: ['bearer', 'userId'],
  }),
  bearer: optionalValue('--bearer [name]', "bind it to a cached login's access token (see `login`)"),
  provider: value('--provider <name>', 'OAuth2 credential provider for a resource token', {
    conflicts: ['apiKeyProvider'],
  }),
  scopes: list('--scopes <scopes>', 'scopes for the resource token (comma-separated, repeatable)'),
  flow: choice('--flow <flow>', 'OAuth2 flow (default: user-federation with a user binding, m2m without)', [
    'm2m',
    'user-federation',
    'on-behalf-of',
  ]),
  apiKeyProvider: value('--api-key-provider <name>', 'API-key credential provider (GetResourceApiKey)'),
  returnUrl: value(
    '--return-url <url>',
    `3LO return URL; a loopback http URL is served here (default ${DEFAULT_RETURN_URL})`,
  ),
  registerReturnUrl: flag(
    '--register-return-url',
    "add the return URL to the workload identity's allowed list when missing",
  ),
  ephemeral: flag(
    '--ephemeral',
    'with --register-return-url: remove the URL again afterwards (only if this run added it)',
  ),
  forceAuth: flag('--force-auth', 'always start a new 3LO consent (forceAuthentication)'),
  customParam: repeated(
    '--custom-param <key=value>',
    'custom parameter (3LO: the authorization request; m2m, on-behalf-of: the token request) (repeatable)',
  ),
  customState: value(
    '--custom-state <state>',
    'customState sent to AgentCore and checked against the redirect’s state',
  ),
  resource: repeated('--resource <uri>', 'resource indicator (repeatable)'),
  audience: repeated('--audience <aud>', 'audience (repeatable)'),
  browser: negatable('--no-browser', 'print the authorization URL instead of opening a browser'),
  timeout: withDefault(
    value('--timeout <seconds>', 'give up on the browser round trip and the polling after this long', TIMEOUT),
    300_000,
    '300',
  ),
  pollInterval: withDefault(
    value(
      '--poll-interval <ms>',
      'milliseconds between GetResourceOauth2Token polls after completion',
      duration({ unit: 'ms', min: 0, max: 60_000 }),
    ),
    1000,
    '1000',
  ),
  print: choice('--print <what>', 'write one raw value to stdout', ['workload-token', 'resource-token', 'api-key']),
  completeAsUserId: value(
    '--complete-as-user-id <id>',
    'complete the 3LO session with this user id instead (shows the binding rule)',
    IDENTITY_USER_ID,
    { conflicts: ['completeAsUserToken'] },
  ),
  completeAsUserToken: value(
    '--complete-as-user-token <jwt>',
    'complete the 3LO session with this JWT instead (shows the binding rule)',
  ),
};

type ExchangeOptions = OptionsOf<typeof EXCHANGE_OPTIONS> & DiagramFlags;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('exchange')
    .summary('workload token → resource token (M2M, 3LO, on-behalf-of) or API key, step by step')
    .description(
      `Mint a workload access token and, optionally, a resource token (M2M or 3LO USER_FEDERATION) or an API key, ` +
        `showing each AgentCore Identity call: the operation, its key inputs, status, duration and token fingerprints.

The user binding decides the workload API: --user-id → GetWorkloadAccessTokenForUserId, --user-token/--bearer → ` +
        `GetWorkloadAccessTokenForJWT, none → GetWorkloadAccessToken. For 3LO the same identifier artifact completes ` +
        `the session (CompleteResourceTokenAuth refuses anything else). On-behalf-of (--flow on-behalf-of) ` +
        `exchanges the ` +
        `user's JWT (--user-token or --bearer) at the provider; the timeline shows the token request AgentCore makes.`,
    );
  addOptions(cmd, EXCHANGE_OPTIONS).addHelpText(
    'after',
    `
Examples:
  agentcore-auth exchange --workload-name my-agent --user-id alice --provider github --scopes repo \\
      --register-return-url --ephemeral
  agentcore-auth exchange --workload-name my-agent --provider my-m2m --flow m2m --scopes api/read \\
      --print resource-token
  agentcore-auth exchange --workload-name my-agent --api-key-provider openai --print api-key
  agentcore-auth exchange --workload-name local-workload --bearer --flow on-behalf-of --provider local-obo \\
      --scopes api:read --print resource-token`,
  );
  addDiagramOption(cmd).action(defineAction(run, (io: Io, opts: ExchangeOptions) => runExchange(io, opts)));
}

async function runExchange(io: Io, opts: ExchangeOptions): Promise<Outcome<ExchangeJson>> {
  const id = await import('../../core/identity/index.js');
  const inputs = await parseExchange(io, opts);
  const binding = await resolveBinding(io, inputs);
  const request = exchangeRequest(inputs, binding);
  explainPlan(io, inputs);
  const { state, run } = await id.runExchange(io, request, io.steps);
  throwIfFailed(io, run);
  return renderExchange(io, inputs, state, run.records);
}

/**
 * Everything the flags say, checked before any network call: the declared options, with the user binding, the flow,
 * the scopes, the custom parameters and the return URL resolved.
 */
type ExchangeInputs = Omit<
  ExchangeOptions,
  'userId' | 'userToken' | 'bearerToken' | 'bearer' | 'flow' | 'customParam' | 'scopes'
> & {
  /** How the user binding is given (resolved by resolveBinding: stdin, the token cache). */
  bindingFlag:
    | { kind: 'none' }
    | { kind: 'userId'; userId: string }
    | { kind: 'userToken'; raw: string }
    | { kind: 'bearer'; name: string | true };
  scopes: string[];
  flow?: 'M2M' | 'USER_FEDERATION' | 'ON_BEHALF_OF_TOKEN_EXCHANGE';
  flowExplicit: boolean;
  customParameters: Record<string, string>;
  completeAs?: UserIdentifier;
};

async function parseExchange(io: Io, opts: ExchangeOptions): Promise<ExchangeInputs> {
  const id = await import('../../core/identity/index.js');
  checkFlagCombinations(io, opts);
  if (opts.workloadName) id.validateWorkloadName(opts.workloadName);
  const provider = opts.provider ? id.validateProviderName(opts.provider) : undefined;
  const apiKeyProvider = opts.apiKeyProvider
    ? id.validateProviderName(opts.apiKeyProvider, '--api-key-provider')
    : undefined;
  const scopes = id.validateScopes(opts.scopes ?? []);
  const customParameters = id.parseCustomParams(opts.customParam ?? []);
  if (opts.customState !== undefined && (opts.customState.length < 1 || opts.customState.length > 4096)) {
    throw usageError('--custom-state must be 1–4096 characters');
  }
  if (opts.customState) io.secrets.add(opts.customState);
  // customParameters are modelled as sensitive, but they are prompt/login_hint/access_type-like values: scrubbing
  // them from stderr would also blank out user ids and claims that happen to be equal, so they are not registered.
  const bindingFlag = bindingFlagOf(opts);
  const flow = flowOf(opts, !!provider, bindingFlag.kind !== 'none');
  checkFlowFlags(opts, flow, bindingFlag);
  const returnUrl = flow === 'USER_FEDERATION' ? id.validateReturnUrl(opts.returnUrl ?? DEFAULT_RETURN_URL) : undefined;
  let completeAs: UserIdentifier | undefined;
  if (opts.completeAsUserId !== undefined) completeAs = { userId: opts.completeAsUserId };
  if (opts.completeAsUserToken !== undefined) {
    completeAs = { userToken: id.validateUserToken(opts.completeAsUserToken, '--complete-as-user-token') };
    io.secrets.add(completeAs.userToken);
  }
  const { userId: _u, userToken: _t, bearerToken: _bt, bearer: _b, customParam: _c, flow: _f, ...rest } = opts;
  return {
    ...rest,
    bindingFlag,
    ...(provider ? { provider } : {}),
    ...(apiKeyProvider ? { apiKeyProvider } : {}),
    scopes,
    ...(flow ? { flow } : {}),
    flowExplicit: !!opts.flow,
    customParameters,
    ...(returnUrl ? { returnUrl } : {}),
    ...(completeAs ? { completeAs } : {}),
  };
}

/** The flags that need another flag, or exclude one. */
function checkFlagCombinations(io: Io, opts: ExchangeOptions): void {
  if (!opts.workloadName && !opts.agentArn)
    throw usageError(
      'pass --workload-name or --agent-arn',
      'The workload identity is the agent’s identity in AgentCore Identity.',
    );
  const resourceFlags = [
    opts.scopes,
    opts.flow,
    opts.forceAuth,
    opts.customParam,
    opts.customState,
    opts.resource,
    opts.audience,
  ];
  if (!opts.provider && resourceFlags.some((f) => f !== undefined)) {
    throw usageError(
      '--scopes, --flow, --force-auth, --custom-param, --custom-state, --resource and --audience need --provider',
    );
  }
  if (io.globals.json && opts.print) throw usageError('--json and --print are mutually exclusive');
  if (opts.print === 'resource-token' && !opts.provider) throw usageError('--print resource-token needs --provider');
  if (opts.print === 'api-key' && !opts.apiKeyProvider) throw usageError('--print api-key needs --api-key-provider');
  if (opts.ephemeral && !opts.registerReturnUrl) throw usageError('--ephemeral goes with --register-return-url');
}

function bindingFlagOf(opts: ExchangeOptions): ExchangeInputs['bindingFlag'] {
  if (opts.userId !== undefined) return { kind: 'userId', userId: opts.userId };
  const token = opts.userToken ?? opts.bearerToken;
  if (token !== undefined) return { kind: 'userToken', raw: token };
  if (opts.bearer !== undefined) return { kind: 'bearer', name: opts.bearer };
  return { kind: 'none' };
}

/** What the flow needs (a JWT for on-behalf-of, a user for 3LO) and the flags only 3LO takes. */
function checkFlowFlags(
  opts: ExchangeOptions,
  flow: ExchangeInputs['flow'],
  bindingFlag: ExchangeInputs['bindingFlag'],
): void {
  if (flow === 'ON_BEHALF_OF_TOKEN_EXCHANGE' && (bindingFlag.kind === 'none' || bindingFlag.kind === 'userId')) {
    throw usageError(
      `on-behalf-of needs the user's JWT: ` +
        (bindingFlag.kind === 'userId' ? 'a workload token for --user-id' : 'a workload token bound to no user') +
        ' carries no JWT to exchange',
      'Pass --user-token <jwt> or --bearer [NAME] (a cached login): GetWorkloadAccessTokenForJWT binds the JWT, ' +
        'and the provider exchanges it for a token that names the user (sub) and the agent (act).',
    );
  }
  if (flow === 'USER_FEDERATION' && bindingFlag.kind === 'none') {
    throw usageError(
      '3LO (USER_FEDERATION) needs a user: pass --user-id, --user-token or --bearer',
      'CompleteResourceTokenAuth must be called with the user identifier that minted the workload token, so the ' +
        'workload token must be bound to a user.',
    );
  }
  if (
    flow !== 'USER_FEDERATION' &&
    (opts.returnUrl || opts.registerReturnUrl || opts.customState || opts.forceAuth || !opts.browser)
  ) {
    throw usageError(
      '--return-url, --register-return-url, --custom-state, --force-auth and --no-browser apply to ' +
        '--flow user-federation',
    );
  }
  if ((opts.completeAsUserId !== undefined || opts.completeAsUserToken !== undefined) && flow !== 'USER_FEDERATION') {
    throw usageError('--complete-as-user-id/--complete-as-user-token apply to --flow user-federation');
  }
}

/**
 * The resource-token flow: the flag, else USER_FEDERATION with a user binding and M2M without; none without --provider.
 */
function flowOf(opts: ExchangeOptions, provider: boolean, bound: boolean): ExchangeInputs['flow'] {
  if (!provider) return undefined;
  if (opts.flow === 'm2m') return 'M2M';
  if (opts.flow === 'on-behalf-of') return 'ON_BEHALF_OF_TOKEN_EXCHANGE';
  return opts.flow === 'user-federation' || bound ? 'USER_FEDERATION' : 'M2M';
}

/** The user binding's value: the id, the JWT from the flag or stdin, or a cached login's access token. */
async function resolveBinding(io: Io, inputs: ExchangeInputs): Promise<UserBinding> {
  const id = await import('../../core/identity/index.js');
  const f = inputs.bindingFlag;
  let binding: UserBinding = { kind: 'none' };
  if (f.kind === 'userId') binding = { kind: 'userId', userId: f.userId };
  else if (f.kind === 'userToken') {
    const raw = f.raw === '-' ? await readStdin(io.ctx) : f.raw;
    binding = {
      kind: 'userToken',
      userToken: id.validateUserToken(raw),
      source: f.raw === '-' ? '--user-token (stdin)' : '--user-token',
    };
  } else if (f.kind === 'bearer') {
    const { resolveCachedBearer } = await import('../bearer.js');
    const r = await resolveCachedBearer(io, f.name);
    binding = {
      kind: 'userToken',
      userToken: id.validateUserToken(r.token, '--bearer'),
      source: `--bearer ${r.source}`,
    };
  }
  if (binding.kind === 'userToken') io.secrets.add(binding.userToken);
  return binding;
}

/** The notes that explain the plan: a return URL served elsewhere, the flow chosen. */
function explainPlan(io: Io, inputs: ExchangeInputs): void {
  if (inputs.returnUrl && !isLoopbackUrl(inputs.returnUrl)) {
    io.ui.note(
      `the return URL ${inputs.returnUrl} is not a loopback http URL, so it is not served here: whatever serves it ` +
        'must call CompleteResourceTokenAuth (e.g. `agentcore-auth callback`); exchange polls for the token',
    );
  }
  if (inputs.provider && !inputs.flowExplicit) {
    io.ui.note(
      inputs.flow === 'USER_FEDERATION'
        ? 'flow USER_FEDERATION (3LO) because a user binding was given; --flow m2m for client credentials'
        : 'flow M2M (client credentials) because no user binding was given',
    );
  }
}

/** The checked flags as core's ExchangeRequest. */
function exchangeRequest(inputs: ExchangeInputs, binding: UserBinding): ExchangeRequest {
  const extras = {
    ...(Object.keys(inputs.customParameters).length ? { customParameters: inputs.customParameters } : {}),
    ...(inputs.resource?.length ? { resources: inputs.resource } : {}),
    ...(inputs.audience?.length ? { audiences: inputs.audience } : {}),
  };
  const fed = inputs.flow === 'USER_FEDERATION';
  return {
    ...(inputs.workloadName ? { workloadName: inputs.workloadName } : {}),
    ...(inputs.agentArn ? { agentArn: inputs.agentArn } : {}),
    binding,
    ...(inputs.apiKeyProvider ? { apiKeyProvider: inputs.apiKeyProvider } : {}),
    ...(inputs.provider && inputs.flow
      ? {
          resource: {
            provider: inputs.provider,
            scopes: inputs.scopes,
            flow: inputs.flow,
            ...extras,
            ...(fed ? { returnUrl: inputs.returnUrl! } : {}),
            ...(fed && inputs.forceAuth ? { forceAuthentication: true } : {}),
            ...(fed && inputs.customState ? { customState: inputs.customState } : {}),
          },
        }
      : {}),
    ...(fed
      ? {
          federation: {
            register: !!inputs.registerReturnUrl,
            ephemeral: !!inputs.ephemeral,
            ...(inputs.customState !== undefined ? { customState: inputs.customState } : {}),
            ...(inputs.completeAs ? { completeAs: inputs.completeAs } : {}),
            browser: inputs.browser,
            timeoutMs: inputs.timeout,
            pollIntervalMs: inputs.pollInterval,
          },
        }
      : {}),
  };
}

/** A secret in --json: its fingerprint, and the value itself with --show-secrets or masked. */
interface SecretJson {
  fingerprint: string;
  value?: string;
  masked?: string;
}

/** `exchange --json`. */
interface ExchangeJson {
  agentArn?: string;
  workloadName: string;
  region?: string;
  binding:
    | { kind: 'none' }
    | { kind: 'userId'; userId: string }
    | { kind: 'userToken'; token: string; source?: string };
  workloadToken: SecretJson & { api: string };
  apiKey?: SecretJson & { provider: string };
  returnUrl?: import('../../core/identity/index.js').ReturnUrlReport;
  session?: NonNullable<import('../../core/identity/index.js').FederationState['session']>;
  onBehalfOf?: { call: Record<string, string>; provider?: import('../../core/identity/index.js').OboProviderView };
  resourceToken?: SecretJson & {
    provider: string;
    flow: string;
    scopes: string[];
    sub?: string;
    act?: Record<string, unknown>;
    expiresAt?: string;
  };
  steps: StepsJson;
}

async function renderExchange(
  io: Io,
  inputs: ExchangeInputs,
  s: ExchangeState,
  steps: StepsJson,
): Promise<Outcome<ExchangeJson>> {
  const [{ describeToken, tryDecodeJwt }, { fingerprint, maskSecret }] = await Promise.all([
    import('../../core/jwt.js'),
    import('../../core/redact.js'),
  ]);
  const show = io.globals.showSecrets;
  const secret = (v: string): SecretJson => ({
    fingerprint: fingerprint(v),
    ...(show ? { value: v } : { masked: maskSecret(v) }),
  });
  const b = s.request.binding;
  const json: ExchangeJson = {
    ...(inputs.agentArn ? { agentArn: inputs.agentArn } : {}),
    workloadName: s.workloadName,
    ...(s.region ? { region: s.region } : {}),
    binding:
      b.kind === 'none'
        ? { kind: 'none' }
        : b.kind === 'userId'
          ? { kind: 'userId', userId: b.userId }
          : {
              kind: 'userToken',
              token: describeToken(b.userToken, io.ctx.now()),
              ...(b.source ? { source: b.source } : {}),
            },
    workloadToken: { api: s.workloadApi, ...secret(s.workloadToken!) },
    ...(s.apiKey && inputs.apiKeyProvider ? { apiKey: { provider: inputs.apiKeyProvider, ...secret(s.apiKey) } } : {}),
    ...(inputs.flow === 'USER_FEDERATION' ? { returnUrl: s.fed.returnUrl } : {}),
    ...(s.fed.session && s.fed.accessToken ? { session: s.fed.session } : {}),
    ...(s.obo.call ? { onBehalfOf: { call: s.obo.call, ...(s.obo.view ? { provider: s.obo.view } : {}) } } : {}),
    ...(s.resourceToken && inputs.provider && inputs.flow
      ? {
          resourceToken: {
            provider: inputs.provider,
            flow: inputs.flow,
            scopes: inputs.scopes,
            ...secret(s.resourceToken),
            ...resourceClaims(tryDecodeJwt(s.resourceToken)?.payload),
          },
        }
      : {}),
    steps,
  };
  return { json, human: () => printExchange(io, inputs, s, describeToken) };
}

/** What the resource token says about who it is for (sub), who acts (act) and until when. */
function resourceClaims(p: Record<string, unknown> | undefined) {
  return {
    ...(p && typeof p.sub === 'string' ? { sub: p.sub } : {}),
    ...(p?.act && typeof p.act === 'object' ? { act: p.act as Record<string, unknown> } : {}),
    ...(p && typeof p.exp === 'number' ? { expiresAt: new Date(p.exp * 1000).toISOString() } : {}),
  };
}

/** --print's value on stdout; the token obtained, described on stderr. */
function printExchange(
  io: Io,
  inputs: ExchangeInputs,
  s: ExchangeState,
  describeToken: (token: string, now: number) => string,
): void {
  const printed =
    inputs.print === 'workload-token'
      ? s.workloadToken
      : inputs.print === 'resource-token'
        ? s.resourceToken
        : inputs.print === 'api-key'
          ? s.apiKey
          : undefined;
  if (printed) io.out.line(printed);
  const what = s.resourceToken ? 'resource token' : s.apiKey ? 'API key' : 'workload token';
  const value = s.resourceToken ?? s.apiKey ?? s.workloadToken!;
  const tip = inputs.print
    ? ''
    : io.ui.c.dim(` (--print ${what.replace(/ /g, '-').toLowerCase()} writes it to stdout)`);
  io.ui.success(`${what} ${describeToken(value, io.ctx.now())}${tip}`);
}
