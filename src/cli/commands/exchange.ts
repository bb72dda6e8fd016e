/**
 * `exchange`: the outbound half, step by step. Workload access token (with the user binding that decides the API),
 * then optionally a resource token (M2M, or USER_FEDERATION with the loopback return URL, CompleteResourceTokenAuth
 * with the same identifier artifact, and polling) or an API key. A numbered timeline on stderr; `--json` gives the
 * structured exchange; `--print` writes one raw value to stdout.
 */
import { Option, type Command } from 'commander';
import { collectList, collectRepeat, defineAction, readStdin, type Io } from '../command.js';
import { addDiagramOption } from '../diagram-output.js';
import type { CliContext } from '../context.js';

import { DEFAULT_RETURN_URL } from '../../wire.js';

interface ExchangeOptions {
  workloadName?: string;
  agentArn?: string;
  userId?: string;
  userToken?: string;
  bearer?: string | boolean;
  provider?: string;
  scopes?: string[];
  flow?: 'm2m' | 'user-federation';
  apiKeyProvider?: string;
  returnUrl?: string;
  registerReturnUrl?: boolean;
  ephemeral?: boolean;
  forceAuth?: boolean;
  customParam?: string[];
  customState?: string;
  resource?: string[];
  audience?: string[];
  browser: boolean;
  timeout: string;
  pollInterval: string;
  print?: 'workload-token' | 'resource-token' | 'api-key';
  completeAsUserId?: string;
  completeAsUserToken?: string;
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('exchange')
    .summary('workload token → resource token or API key, step by step')
    .description(
      `Mint a workload access token and, optionally, a resource token (M2M or 3LO USER_FEDERATION) or an API key, showing each AgentCore Identity call: the operation, its key inputs, status, duration and token fingerprints.

The user binding decides the workload API: --user-id → GetWorkloadAccessTokenForUserId, --user-token/--bearer → GetWorkloadAccessTokenForJWT, none → GetWorkloadAccessToken. For 3LO the same identifier artifact completes the session (CompleteResourceTokenAuth refuses anything else).`,
    )
    .option('--workload-name <name>', 'workload identity name')
    .option('--agent-arn <arn>', "use this Runtime agent's own workload identity (looked up with GetAgentRuntime)")
    .option('--user-id <id>', 'bind the workload token to this user id (GetWorkloadAccessTokenForUserId)')
    .option('--user-token <jwt|->', 'bind it to this user JWT (GetWorkloadAccessTokenForJWT); - reads stdin')
    .option('--bearer [name]', "bind it to a cached login's access token (see `login`)")
    .option('--provider <name>', 'OAuth2 credential provider for a resource token')
    .option('--scopes <scopes>', 'scopes for the resource token (comma-separated, repeatable)', collectList)
    .addOption(
      new Option('--flow <flow>', 'OAuth2 flow (default: user-federation with a user binding, m2m without)').choices(['m2m', 'user-federation']),
    )
    .option('--api-key-provider <name>', 'API-key credential provider (GetResourceApiKey)')
    .option('--return-url <url>', `3LO return URL; a loopback http URL is served here (default ${DEFAULT_RETURN_URL})`)
    .option('--register-return-url', "add the return URL to the workload identity's allowed list when missing")
    .option('--ephemeral', 'with --register-return-url: remove the URL again afterwards (only if this run added it)')
    .option('--force-auth', 'always start a new 3LO consent (forceAuthentication)')
    .option('--custom-param <key=value>', 'custom parameter for the authorization request (repeatable)', collectRepeat)
    .option('--custom-state <state>', 'customState sent to AgentCore and checked against the redirect’s state')
    .option('--resource <uri>', 'resource indicator (repeatable)', collectRepeat)
    .option('--audience <aud>', 'audience (repeatable)', collectRepeat)
    .option('--no-browser', 'print the authorization URL instead of opening a browser')
    .option('--timeout <seconds>', 'give up on the browser round trip and the polling after this long', '300')
    .option('--poll-interval <ms>', 'milliseconds between GetResourceOauth2Token polls after completion', '1000')
    .addOption(new Option('--print <what>', 'write one raw value to stdout').choices(['workload-token', 'resource-token', 'api-key']))
    .option('--complete-as-user-id <id>', 'complete the 3LO session with this user id instead (shows the binding rule)')
    .option('--complete-as-user-token <jwt>', 'complete the 3LO session with this JWT instead (shows the binding rule)')
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth exchange --workload-name my-agent --user-id alice --provider github --scopes repo --register-return-url --ephemeral
  agentcore-auth exchange --workload-name my-agent --provider my-m2m --flow m2m --scopes api/read --print resource-token
  agentcore-auth exchange --workload-name my-agent --api-key-provider openai --print api-key`,
    );
  addDiagramOption(cmd)
    .action(defineAction(ctx, (io: Io, opts: ExchangeOptions) => runExchange(io, opts)));
}

async function runExchange(io: Io, opts: ExchangeOptions) {
  const trace: { steps?: unknown[] } = {};
  try {
    return await exchangeSteps(io, opts, trace);
  } catch (e) {
    // --json: the steps that ran (and the one that failed) travel with the error document on stderr.
    const { AgentcoreAuthError } = await import('../../core/errors.js');
    if (io.globals.json && trace.steps?.length && e instanceof AgentcoreAuthError) e.details.steps = trace.steps;
    throw e;
  }
}

async function exchangeSteps(io: Io, opts: ExchangeOptions, trace: { steps?: unknown[] }) {
  const { usageError, AgentcoreAuthError } = await import('../../core/errors.js');
  const id = await import('../../core/identity/index.js');
  const { describeToken } = await import('../../core/jwt.js');
  const { fingerprint, maskSecret } = await import('../../core/redact.js');
  const show = io.globals.showSecrets;

  // ---- inputs ----
  if (!opts.workloadName && !opts.agentArn) throw usageError('pass --workload-name or --agent-arn', 'The workload identity is the agent’s identity in AgentCore Identity.');
  if (opts.workloadName && opts.agentArn) throw usageError('--workload-name and --agent-arn are mutually exclusive');
  const bindings = [opts.userId !== undefined, opts.userToken !== undefined, opts.bearer !== undefined].filter(Boolean).length;
  if (bindings > 1) throw usageError('pass at most one of --user-id, --user-token, --bearer');
  if (opts.provider && opts.apiKeyProvider) throw usageError('--provider and --api-key-provider are mutually exclusive', 'Run exchange twice to get both.');
  if (!opts.provider && (opts.scopes || opts.flow || opts.forceAuth || opts.customParam || opts.customState || opts.resource || opts.audience)) {
    throw usageError('--scopes, --flow, --force-auth, --custom-param, --custom-state, --resource and --audience need --provider');
  }
  if (io.globals.json && opts.print) throw usageError('--json and --print are mutually exclusive');
  if (opts.print === 'resource-token' && !opts.provider) throw usageError('--print resource-token needs --provider');
  if (opts.print === 'api-key' && !opts.apiKeyProvider) throw usageError('--print api-key needs --api-key-provider');
  if (opts.ephemeral && !opts.registerReturnUrl) throw usageError('--ephemeral goes with --register-return-url');
  if (opts.completeAsUserId !== undefined && opts.completeAsUserToken !== undefined) throw usageError('pass at most one of --complete-as-user-id, --complete-as-user-token');
  const timeoutSec = Number(opts.timeout);
  if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) throw usageError(`--timeout must be a positive number of seconds, got ${JSON.stringify(opts.timeout)}`);
  const pollMs = Number(opts.pollInterval);
  if (!Number.isFinite(pollMs) || pollMs < 0) throw usageError(`--poll-interval must be a number of milliseconds, got ${JSON.stringify(opts.pollInterval)}`);

  if (opts.workloadName) id.validateWorkloadName(opts.workloadName);
  const provider = opts.provider ? id.validateProviderName(opts.provider) : undefined;
  const apiKeyProvider = opts.apiKeyProvider ? id.validateProviderName(opts.apiKeyProvider, '--api-key-provider') : undefined;
  const scopes = id.validateScopes(opts.scopes ?? []);
  const customParameters = id.parseCustomParams(opts.customParam ?? []);
  if (opts.customState !== undefined && (opts.customState.length < 1 || opts.customState.length > 4096)) {
    throw usageError('--custom-state must be 1–4096 characters');
  }
  if (opts.customState) io.secrets.add(opts.customState);
  // customParameters are modelled as sensitive, but they are prompt/login_hint/access_type-like values: scrubbing
  // them from stderr would also blank out user ids and claims that happen to be equal, so they are not registered.

  // ---- user binding ----
  let binding: import('../../core/identity/index.js').UserBinding = { kind: 'none' };
  if (opts.userId !== undefined) binding = { kind: 'userId', userId: id.validateUserId(opts.userId) };
  else if (opts.userToken !== undefined) {
    const raw = opts.userToken === '-' ? await readStdin(io.ctx) : opts.userToken;
    binding = { kind: 'userToken', userToken: id.validateUserToken(raw), source: opts.userToken === '-' ? '--user-token (stdin)' : '--user-token' };
  } else if (opts.bearer !== undefined) {
    const { resolveCachedBearer } = await import('../bearer.js');
    const r = await resolveCachedBearer(io, opts.bearer);
    binding = { kind: 'userToken', userToken: id.validateUserToken(r.token, '--bearer'), source: `--bearer ${r.source}` };
  }
  if (binding.kind === 'userToken') io.secrets.add(binding.userToken);

  const flow: 'M2M' | 'USER_FEDERATION' | undefined = provider
    ? opts.flow === 'm2m'
      ? 'M2M'
      : opts.flow === 'user-federation'
        ? 'USER_FEDERATION'
        : binding.kind === 'none'
          ? 'M2M'
          : 'USER_FEDERATION'
    : undefined;
  if (flow === 'USER_FEDERATION' && binding.kind === 'none') {
    throw usageError(
      '3LO (USER_FEDERATION) needs a user: pass --user-id, --user-token or --bearer',
      'CompleteResourceTokenAuth must be called with the user identifier that minted the workload token, so the workload token must be bound to a user.',
    );
  }
  if (flow !== 'USER_FEDERATION' && (opts.returnUrl || opts.registerReturnUrl || opts.customState || opts.forceAuth)) {
    throw usageError('--return-url, --register-return-url, --custom-state and --force-auth apply to --flow user-federation');
  }
  if ((opts.completeAsUserId !== undefined || opts.completeAsUserToken !== undefined) && flow !== 'USER_FEDERATION') {
    throw usageError('--complete-as-user-id/--complete-as-user-token apply to --flow user-federation');
  }
  const returnUrl = flow === 'USER_FEDERATION' ? id.validateReturnUrl(opts.returnUrl ?? DEFAULT_RETURN_URL) : undefined;
  const served = returnUrl ? (await import('../../core/loopback.js')).isLoopbackUrl(returnUrl) : false;
  if (returnUrl && !served) {
    io.ui.note(`the return URL ${returnUrl} is not a loopback http URL, so it is not served here: whatever serves it must call CompleteResourceTokenAuth (e.g. \`agentcore-auth callback\`); exchange polls for the token`);
  }
  if (provider && !opts.flow) {
    io.ui.note(flow === 'USER_FEDERATION' ? 'flow USER_FEDERATION (3LO) because a user binding was given; --flow m2m for client credentials' : 'flow M2M (client credentials) because no user binding was given');
  }
  let completeWith = binding.kind !== 'none' ? id.userIdentifierOf(binding) : undefined;
  if (opts.completeAsUserId !== undefined) completeWith = { userId: id.validateUserId(opts.completeAsUserId, '--complete-as-user-id') };
  if (opts.completeAsUserToken !== undefined) {
    completeWith = { userToken: id.validateUserToken(opts.completeAsUserToken, '--complete-as-user-token') };
    io.secrets.add(completeWith.userToken);
  }

  // ---- plan ----
  const planned =
    (opts.agentArn ? 1 : 0) +
    1 +
    (apiKeyProvider ? 1 : 0) +
    (flow === 'M2M' ? 1 : 0) +
    (flow === 'USER_FEDERATION' ? 1 + (opts.registerReturnUrl ? 1 : 0) + 1 + 1 + (served ? 1 : 0) + 1 + (opts.ephemeral ? 1 : 0) : 0);
  const tl = new id.Timeline(io.ui, () => io.ctx.now(), planned);
  trace.steps = tl.steps;
  const now = () => io.ctx.now();
  const result: Record<string, unknown> = {};

  // ---- workload identity ----
  let workloadName = opts.workloadName!;
  let region = io.aws.region();
  if (opts.agentArn) {
    const { region: arnRegion, runtimeId } = id.parseRuntimeArn(opts.agentArn);
    region = io.aws.region(arnRegion) ?? arnRegion;
    const s = tl.begin('GetAgentRuntime', { runtime: runtimeId, region });
    try {
      const r = await id.resolveAgentWorkload(io, opts.agentArn);
      workloadName = r.workloadName;
      s.ok({ 'workload identity': workloadName });
      result.agentArn = opts.agentArn;
    } catch (e) {
      s.fail(e);
      throw e;
    }
  }
  result.workloadName = workloadName;
  if (region) result.region = region;
  const regionOpt = region ? { region } : {};

  // ---- workload token ----
  const api = id.workloadApiFor(binding);
  const bindingText =
    binding.kind === 'userId'
      ? JSON.stringify(binding.userId)
      : binding.kind === 'userToken'
        ? `${describeToken(binding.userToken, now())}${binding.source ? ` (${binding.source})` : ''}`
        : undefined;
  const ws = tl.begin(api, {
    workload: workloadName,
    ...(binding.kind === 'userId' ? { userId: bindingText } : binding.kind === 'userToken' ? { userToken: bindingText } : {}),
  });
  let workloadToken: string;
  try {
    workloadToken = (await id.getWorkloadAccessToken(io, { workloadName, binding, ...regionOpt })).token;
    ws.ok({ 'workload token': describeToken(workloadToken, now()) });
  } catch (e) {
    ws.fail(e);
    throw e;
  }
  result.binding =
    binding.kind === 'none'
      ? { kind: 'none' }
      : binding.kind === 'userId'
        ? { kind: 'userId', userId: binding.userId }
        : { kind: 'userToken', token: describeToken(binding.userToken, now()), ...(binding.source ? { source: binding.source } : {}) };
  result.workloadToken = { api, fingerprint: fingerprint(workloadToken), ...(show ? { value: workloadToken } : { masked: maskSecret(workloadToken) }) };

  // ---- API key ----
  let apiKey: string | undefined;
  if (apiKeyProvider) {
    const s = tl.begin('GetResourceApiKey', { provider: apiKeyProvider });
    try {
      apiKey = await id.getResourceApiKey(io, { workloadToken, provider: apiKeyProvider, ...regionOpt });
      s.ok({ 'api key': fingerprint(apiKey) });
    } catch (e) {
      s.fail(e);
      throw e;
    }
    result.apiKey = { provider: apiKeyProvider, fingerprint: fingerprint(apiKey), ...(show ? { value: apiKey } : { masked: maskSecret(apiKey) }) };
  }

  // ---- resource token ----
  let resourceToken: string | undefined;
  const baseRequest = provider
    ? {
        workloadToken,
        provider,
        scopes,
        flow: flow!,
        ...(Object.keys(customParameters).length ? { customParameters } : {}),
        ...(opts.resource?.length ? { resources: opts.resource } : {}),
        ...(opts.audience?.length ? { audiences: opts.audience } : {}),
        ...regionOpt,
      }
    : undefined;
  if (baseRequest && flow === 'M2M') {
    const s = tl.begin('GetResourceOauth2Token', { flow: 'M2M', provider: provider!, scopes: scopes.join(',') || '(none)' });
    try {
      const r = await id.requestResourceToken(io, baseRequest);
      if (r.kind !== 'token') {
        throw new AgentcoreAuthError('ERR_REMOTE', `GetResourceOauth2Token (M2M) returned ${r.kind === 'failed' ? 'sessionStatus FAILED' : 'an authorization URL'} instead of a token`, {
          hint: 'This provider needs a user consent: use --flow user-federation with --user-id, --user-token or --bearer.',
        });
      }
      resourceToken = r.accessToken;
      s.ok({ 'resource token': describeToken(resourceToken, now()) });
    } catch (e) {
      s.fail(e);
      throw e;
    }
  }

  if (baseRequest && flow === 'USER_FEDERATION') {
    const fed = await runUserFederation(io, id, {
      tl,
      workloadName,
      regionOpt,
      returnUrl: returnUrl!,
      served,
      register: !!opts.registerReturnUrl,
      ephemeral: !!opts.ephemeral,
      request: {
        ...baseRequest,
        returnUrl: returnUrl!,
        ...(opts.forceAuth ? { forceAuthentication: true } : {}),
        ...(opts.customState ? { customState: opts.customState } : {}),
      },
      startedBy: id.userIdentifierOf(binding)!,
      completeWith: completeWith!,
      ...(opts.customState !== undefined ? { customState: opts.customState } : {}),
      browser: opts.browser,
      timeoutMs: timeoutSec * 1000,
      pollMs,
      result,
    });
    resourceToken = fed;
  }

  if (resourceToken) {
    const d = (await import('../../core/jwt.js')).tryDecodeJwt(resourceToken);
    result.resourceToken = {
      provider,
      flow,
      scopes,
      fingerprint: fingerprint(resourceToken),
      ...(d && typeof d.payload.sub === 'string' ? { sub: d.payload.sub } : {}),
      ...(d && typeof d.payload.exp === 'number' ? { expiresAt: new Date(d.payload.exp * 1000).toISOString() } : {}),
      ...(show ? { value: resourceToken } : { masked: maskSecret(resourceToken) }),
    };
  }
  result.steps = tl.steps;

  return {
    json: result,
    human: () => {
      if (opts.print === 'workload-token') io.out.line(workloadToken);
      else if (opts.print === 'resource-token' && resourceToken) io.out.line(resourceToken);
      else if (opts.print === 'api-key' && apiKey) io.out.line(apiKey);
      const what = resourceToken ? 'resource token' : apiKey ? 'API key' : 'workload token';
      const value = resourceToken ?? apiKey ?? workloadToken;
      io.ui.success(`${what} ${describeToken(value, now())}${opts.print ? '' : io.ui.c.dim(` (--print ${what.replace(/ /g, '-').toLowerCase()} writes it to stdout)`)}`);
    },
  };
}

type IdentityModule = typeof import('../../core/identity/index.js');

async function runUserFederation(
  io: Io,
  id: IdentityModule,
  o: {
    tl: InstanceType<IdentityModule['Timeline']>;
    workloadName: string;
    regionOpt: { region?: string };
    returnUrl: string;
    served: boolean;
    register: boolean;
    ephemeral: boolean;
    request: import('../../core/identity/index.js').ResourceTokenRequest;
    startedBy: import('../../core/identity/index.js').UserIdentifier;
    completeWith: import('../../core/identity/index.js').UserIdentifier;
    customState?: string;
    browser: boolean;
    timeoutMs: number;
    pollMs: number;
    result: Record<string, unknown>;
  },
): Promise<string> {
  const { AgentcoreAuthError, configError } = await import('../../core/errors.js');
  const { describeToken } = await import('../../core/jwt.js');
  const { tl, workloadName, returnUrl } = o;
  const now = () => io.ctx.now();
  const region = o.regionOpt.region;
  const returnInfo: Record<string, unknown> = { url: returnUrl, servedHere: o.served };
  o.result.returnUrl = returnInfo;

  // Bind the loopback return URL first: a busy port fails before anything is changed or started.
  let listener: import('../../core/identity/index.js').ReturnListener | undefined;
  const signal = io.ctx.signal;
  let added = false;
  try {
    if (o.served) listener = await id.ReturnListener.start(io, { returnUrl, ...(o.customState !== undefined ? { customState: o.customState } : {}) });

    // Is the return URL registered on the workload identity?
    const check = tl.begin('GetWorkloadIdentity', { workload: workloadName, returnUrl });
    let registered: string[] | undefined;
    try {
      registered = await id.getReturnUrls(io, workloadName, region);
      returnInfo.registered = registered;
      const present = registered.includes(returnUrl);
      check.ok({ allowedResourceOauth2ReturnUrls: fmtList(registered) }, present ? 'registered' : 'not registered');
    } catch (e) {
      const err = e as InstanceType<typeof AgentcoreAuthError>;
      if (err instanceof AgentcoreAuthError && err.code === 'ERR_AUTH' && !o.register) {
        check.ok({}, 'not checked: no permission to read the workload identity');
        io.ui.warn(`could not read workload identity ${workloadName} (${err.message}); continuing without the return-URL check`);
      } else {
        check.fail(e);
        throw e;
      }
    }
    if (registered && !registered.includes(returnUrl) && !o.register) {
      throw configError(
        `the return URL ${returnUrl} is not registered on workload identity ${workloadName}`,
        `Rerun with --register-return-url (add --ephemeral to remove it afterwards), or register it yourself:\n  ${id.registerCommand(workloadName, registered, returnUrl, region)}`,
      );
    }
    if (o.register) {
      const s = tl.begin('UpdateWorkloadIdentity', { workload: workloadName, add: returnUrl });
      try {
        const r = await id.addReturnUrl(io, workloadName, returnUrl, region);
        added = r.added;
        returnInfo.before = r.before;
        returnInfo.after = r.after;
        returnInfo.added = r.added;
        s.ok({ before: fmtList(r.before), after: fmtList(r.after) }, r.added ? 'added' : 'already registered; nothing to change');
      } catch (e) {
        s.fail(e);
        throw e;
      }
    }

    // Start the 3LO session.
    const start = tl.begin('GetResourceOauth2Token', {
      flow: 'USER_FEDERATION',
      provider: o.request.provider,
      scopes: o.request.scopes.join(',') || '(none)',
      ...(o.request.forceAuthentication ? { forceAuthentication: 'true' } : {}),
      ...(o.request.customState ? { customState: 'set' } : {}),
    });
    let first: Awaited<ReturnType<IdentityModule['requestResourceToken']>>;
    try {
      first = await id.requestResourceToken(io, o.request);
    } catch (e) {
      start.fail(e);
      throw e;
    }
    if (first.kind === 'token') {
      start.ok({ 'resource token': describeToken(first.accessToken, now()) }, 'already in the token vault; no consent needed (--force-auth starts a new one)');
      tl.skip(['authorize in the browser', ...(o.served ? ['CompleteResourceTokenAuth'] : []), 'GetResourceOauth2Token'], 'the vault already held a token');
      if (!id.sameIdentifier(o.completeWith, o.startedBy)) io.ui.warn('--complete-as-* was not used: no session was started (add --force-auth to start one)');
      return first.accessToken;
    }
    if (first.kind === 'failed') {
      const err = new AgentcoreAuthError('ERR_OAUTH', 'GetResourceOauth2Token answered sessionStatus FAILED', {
        hint: 'Start again with --force-auth; check the provider with `agentcore-auth doctor --provider …`.',
      });
      start.fail(err);
      throw err;
    }
    start.ok({ sessionUri: id.shortUrn(first.sessionUri), status: first.sessionStatus ?? 'IN_PROGRESS' }, 'consent needed');
    o.result.session = { sessionUri: first.sessionUri, authorizationUrl: first.authorizationUrl };

    // Browser round trip, completion with the same identifier, polling.
    const done = await id.completeThreeLegged({
      io,
      authorizationUrl: first.authorizationUrl,
      sessionUri: first.sessionUri,
      userIdentifier: o.completeWith,
      startedBy: o.startedBy,
      returnUrl,
      ...(o.customState !== undefined ? { customState: o.customState } : {}),
      browser: o.browser,
      timeoutMs: o.timeoutMs,
      pollIntervalMs: o.pollMs,
      poll: o.request,
      ...(listener ? { listener } : {}),
      timeline: tl,
      ...o.regionOpt,
    });
    (o.result.session as Record<string, unknown>).completedWith = id.describeIdentifier(o.completeWith, now());
    (o.result.session as Record<string, unknown>).polls = done.attempts;
    return done.accessToken!;
  } finally {
    await listener?.close();
    if (o.ephemeral && added) {
      // Clean up even after Ctrl-C: the run's signal may be aborted, so use a fresh one for this last call.
      const cleanupIo = signal.aborted ? { ...io, ctx: { ...io.ctx, signal: new AbortController().signal } } : io;
      const s = tl.begin('UpdateWorkloadIdentity', { workload: workloadName, remove: returnUrl });
      try {
        const r = await id.removeReturnUrl(cleanupIo, workloadName, returnUrl, region);
        returnInfo.removed = r.removed;
        returnInfo.after = r.after;
        s.ok({ before: fmtList(r.before), after: fmtList(r.after) }, r.removed ? 'removed: --ephemeral' : 'already gone');
      } catch (e) {
        s.fail(e);
        io.ui.warn(`could not remove the return URL; remove it yourself:\n  aws bedrock-agentcore-control update-workload-identity --name ${workloadName} --allowed-resource-oauth2-return-urls …`);
      }
    }
  }
}

function fmtList(urls: string[]): string {
  return urls.length ? `[${urls.join(', ')}]` : '[]';
}
