/**
 * `local`: run the embedded local AgentCore stack (identity data + control plane, a Cognito-compatible user pool, a
 * 3LO provider, runtime and gateway) until Ctrl-C / SIGTERM. When ready: with --json one JSON document on stdout
 * (everything a client needs); otherwise a summary on stderr and `export AWS_…=…` lines on stdout.
 * Stopping with SIGINT/SIGTERM is the normal end: the stack closes and the exit code is 130 (interrupted), as for any
 * agentcore-auth command ended by a signal.
 */
import type { Command } from 'commander';
import { AgentcoreAuthError, EXIT, usageError } from '../../core/errors.js';
import { defineAction, type Outcome, type CliRun } from '../command.js';
import type { Io } from '../io.js';
import { addOptions, flag, PORT, repeated, value, withDefault, type OptionsOf } from '../options.js';

const LOCAL_OPTIONS = {
  port: withDefault(value('--port <port>', 'port of the stack (0 = any free port)', PORT), 0, '0'),
  host: withDefault(
    value('--host <host>', 'interface to bind (non-loopback exposes the stack to your network)'),
    '127.0.0.1',
  ),
  config: value(
    '--config <file>',
    'JSON or YAML file describing users, clients, workload identities, providers, agents',
  ),
  autoConsent: flag(
    '--auto-consent',
    'the 3LO provider signs the user in and consents without pages (curl -L completes 3LO)',
  ),
  printEnv: flag(
    '--print-env',
    'print the export lines of the stack already running (started by `agentcore-auth local` elsewhere) and exit; ' +
      'with several running, --port chooses one',
  ),
  agentUrl: repeated(
    '--agent-url <url>',
    'serve agents from your own container contract server: URL, or NAME=URL (repeatable)',
  ),
  lambda: repeated(
    '--lambda <arn=url>',
    'serve a Lambda ARN (interceptor, Lambda target, Cognito trigger) from your own endpoint speaking the ' +
      'Lambda Runtime Interface Emulator contract (repeatable)',
  ),
};

type LocalOptions = OptionsOf<typeof LOCAL_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('local')
    .description(
      'Run the local AgentCore stack (Identity, Cognito-style user pool, 3LO provider, runtime, gateway) until Ctrl-C',
    );
  addOptions(cmd, LOCAL_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth local                              # ephemeral port; export lines on stdout
  agentcore-auth local --port 4566 > local.env &    # then: source local.env
  agentcore-auth local --json --auto-consent        # one JSON document with every URL, id and secret
  eval "$(agentcore-auth local --print-env)"         # another terminal: point it at the running stack

Exit: 130 after Ctrl-C / SIGTERM (the stack is closed first); 2 for a bad flag or config file.`,
    )
    .action(defineAction(run, (io: Io, opts: LocalOptions) => runLocal(io, opts)));
}

/**
 * Where running stacks record their environment for `local --print-env`: one file per stack (named by its port) in
 * the token cache directory, removed when that stack stops.
 */
async function stateDir(io: Io): Promise<string> {
  const { cacheDir } = await import('../../core/token-cache.js');
  const { join } = await import('node:path');
  return join(cacheDir({ env: io.ctx.env, homedir: io.ctx.homedir }), 'local-stacks');
}

interface StackRecord {
  url: string;
  env: Record<string, string>;
  stamp?: string;
}

/** The recorded stacks that answer their health check, by port. */
async function runningStacks(io: Io): Promise<StackRecord[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const dir = await stateDir(io);
  const files = await readdir(dir).catch(() => [] as string[]);
  const found = await Promise.all(
    files
      .filter((f) => f.endsWith('.json'))
      .map(async (f) => {
        try {
          const rec = JSON.parse(await readFile(join(dir, f), 'utf8')) as StackRecord;
          const res = await io.http(2000)(`${rec.url}/_local/health`);
          return res.ok ? rec : undefined;
        } catch {
          return undefined;
        }
      }),
  );
  const port = (r: StackRecord) => Number(new URL(r.url).port);
  return found.filter((r): r is StackRecord => !!r).sort((a, b) => port(a) - port(b));
}

/** The export lines of the running stack; with several running, --port chooses (else exit 2 listing them). */
async function printEnv(io: Io, port: number): Promise<Outcome> {
  const stacks = await runningStacks(io);
  const list = stacks.map((r) => `  ${r.url}  (--port ${new URL(r.url).port})`).join('\n');
  const chosen = port ? stacks.filter((r) => Number(new URL(r.url).port) === port) : stacks;
  if (!stacks.length) {
    throw new AgentcoreAuthError('ERR_CONFIG', 'No local stack is running', {
      hint:
        'Start one in another terminal with `agentcore-auth local` (it records its endpoint for ' +
        '--print-env), then run this again.',
    });
  }
  if (!chosen.length)
    throw usageError(`no local stack is running on port ${port}; running:\n${list}`, 'Pass one of these ports.');
  if (chosen.length > 1)
    throw usageError(
      `${chosen.length} local stacks are running:\n${list}`,
      'Pass --port PORT to choose one: agentcore-auth local --print-env --port PORT',
    );
  const rec = chosen[0]!;
  io.secrets.add(rec.env.AWS_SECRET_ACCESS_KEY ?? '');
  const env = rec.env;
  return {
    json: { url: rec.url, env },
    human: () => {
      for (const [k, v] of Object.entries(env)) io.out.line(`export ${k}=${shellQuote(v)}`);
    },
  };
}

async function recordStack(io: Io, url: string, env: Record<string, string>): Promise<() => Promise<void>> {
  const { mkdir, writeFile, readFile, unlink } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const dir = await stateDir(io);
  const file = join(dir, `${new URL(url).port}.json`);
  const stamp = `${url} ${Date.now()}`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify({ url, env, stamp } satisfies StackRecord), { mode: 0o600 });
  } catch (e) {
    io.ui.debug(`could not record the stack for --print-env in ${file}: ${(e as Error).message}`);
    return async () => undefined;
  }
  return async () => {
    try {
      if ((JSON.parse(await readFile(file, 'utf8')) as StackRecord).stamp === stamp) await unlink(file);
    } catch {
      /* already gone */
    }
  };
}

async function runLocal(io: Io, opts: LocalOptions): Promise<Outcome> {
  if (opts.printEnv) return printEnv(io, opts.port);
  const { isLoopbackHost } = await import('../../emulator/stack.js');
  if (!isLoopbackHost(opts.host)) {
    io.ui.warn(
      `Binding ${opts.host}: the stack (with its demo users, secrets and no real authorization) is reachable from ` +
        `your network.`,
    );
  }
  const config = await stackConfig(opts);
  await checkLambdaSpecs(opts.lambda ?? []);
  if (io.ctx.signal.aborted) return { exitCode: EXIT.INTERRUPTED };
  const stack = await startStack(io, opts, config);
  try {
    for (const v of [
      stack.credentials.secretAccessKey,
      ...stack.userPool.clients.flatMap((c) => (c.clientSecret ? [c.clientSecret] : [])),
      ...stack.userPool.users.map((u) => u.password),
    ])
      io.secrets.add(v);
    for (const k of stack.config.apiKeyProviders) io.secrets.add(k.apiKey);
    const doc = await stackDocument(stack);
    const forget = await recordStack(io, stack.url, stack.env);
    try {
      if (io.globals.json) io.out.json(doc);
      else {
        for (const [k, v] of Object.entries(stack.env)) io.out.line(`export ${k}=${shellQuote(v)}`);
        renderHuman(io, doc);
      }
      await new Promise<void>((resolve) => {
        if (io.ctx.signal.aborted) return resolve();
        io.ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      if (!io.globals.json) io.ui.note('Stopping the local stack…');
    } finally {
      await forget();
    }
  } finally {
    await stack.close();
  }
  return { exitCode: EXIT.INTERRUPTED };
}

type StackConfig = import('../../emulator/config.js').StackConfig;
type LocalStack = import('../../emulator/stack.js').LocalStack;

/** A config file's or an option's error, as exit 2 naming where it came from. */
function invalidConfig(opts: LocalOptions, e: Error): AgentcoreAuthError {
  return new AgentcoreAuthError(
    'ERR_CONFIG',
    `Invalid ${opts.config ? `config file ${opts.config}` : 'option'}: ${e.message}`,
    {
      hint: 'See the config format: agentcore-auth help config (every section is optional).',
      cause: e,
    },
  );
}

/** --config (or the defaults) with --agent-url applied. */
async function stackConfig(opts: LocalOptions): Promise<StackConfig> {
  const { ConfigError, loadConfigFile, parseConfig, runtimeDefaultsContext } = await import('../../emulator/config.js');
  const { applyAgentUrls, defaultAgents } = await import('../../emulator/runtime/config.js');
  try {
    const config = opts.config ? await loadConfigFile(opts.config) : parseConfig({});
    if (opts.agentUrl?.length)
      config.agents = applyAgentUrls(config.agents ?? defaultAgents(runtimeDefaultsContext(config)), opts.agentUrl);
    return config;
  } catch (e) {
    if (e instanceof ConfigError) throw invalidConfig(opts, e);
    throw e;
  }
}

/** --lambda specs are checked before the server starts. */
async function checkLambdaSpecs(specs: string[]): Promise<void> {
  const { parseLambdaMapping } = await import('../../emulator/lambda.js');
  for (const spec of specs) {
    try {
      parseLambdaMapping(spec);
    } catch (e) {
      throw usageError(
        `--lambda ${spec}: ${(e as Error).message}`,
        'Give --lambda arn:aws:lambda:us-east-1:123456789012:function:NAME=http://127.0.0.1:9000 (repeatable).',
      );
    }
  }
}

async function startStack(io: Io, opts: LocalOptions, config: StackConfig): Promise<LocalStack> {
  const { startLocalStack } = await import('../../emulator/stack.js');
  const { ConfigError } = await import('../../emulator/config.js');
  const { port, host } = opts;
  try {
    return await startLocalStack({
      port,
      host,
      config,
      log: (line) => io.ui.warn(line),
      onEvent: ({ kind, ...event }) => {
        // No mail on the local stack: a sign-up's code goes to the log, and under --json as one JSON line more.
        if (io.globals.json) io.out.line(JSON.stringify({ event: kind, ...event }));
        else io.ui.info(`Cognito ${event.purpose} code for ${event.username} (${event.userPoolId}): ${event.code}`);
      },
      ...(opts.autoConsent ? { autoConsent: true } : {}),
      ...(opts.lambda?.length ? { lambdas: opts.lambda } : {}),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw usageError(
        `Port ${port} on ${host} is already in use`,
        'Pick another --port, or --port 0 for any free port.',
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw usageError(`Cannot bind ${host}: no such local address`, 'Use --host 127.0.0.1 (the default).');
    if (e instanceof ConfigError) throw invalidConfig(opts, e);
    throw e;
  }
}

/** What `local --json` prints: everything a client needs. */
async function stackDocument(s: LocalStack) {
  const { runtimeArn } = await import('../../emulator/runtime/config.js');
  return {
    url: s.url,
    region: s.region,
    accountId: s.accountId,
    credentials: s.credentials,
    env: s.env,
    endpoints: s.endpoints,
    userPool: s.userPool,
    workloadIdentities: s.workloadIdentities,
    credentialProviders: s.credentialProviders,
    threeLo: s.threeLo,
    agents: s.agents.map((a) => ({
      name: a.name,
      id: a.id,
      arn: runtimeArn(s.region, s.accountId, a.id),
      inbound: a.authorizerConfiguration ? ('jwt' as const) : ('sigv4' as const),
      workloadName: a.workloadName,
      ...(a.agentUrl ? { agentUrl: a.agentUrl } : {}),
    })),
    gateways: s.gateways.map((g) => ({
      name: g.name,
      id: g.gatewayId,
      url: g.gatewayUrl,
      authorizerType: g.authorizerType,
      workloadName: g.gatewayId,
      ...(g.policyEngineConfiguration ? { policyEngine: g.policyEngineConfiguration } : {}),
      targets: g.targets.map((t) => ({ name: t.name, targetType: t.targetType, status: t.status })),
    })),
    policyEngines: [...s.policies.engines.values()].map((e) => ({
      name: e.name,
      id: e.policyEngineId,
      arn: e.policyEngineArn,
      status: e.status,
      policies: [...(s.policies.policies.get(e.policyEngineId)?.values() ?? [])].map((p) => ({
        name: p.name,
        id: p.policyId,
        enforcementMode: p.enforcementMode,
        status: p.status,
        ...(p.statusReasons.length ? { statusReasons: p.statusReasons } : {}),
      })),
    })),
    lambdas: s.lambdas.list(),
  };
}

function shellQuote(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

type Doc = {
  url: string;
  region: string;
  accountId: string;
  endpoints: { threeLo: string };
  userPool: {
    id: string;
    discoveryUrl: string;
    clients: Array<{ name: string; clientId: string; clientSecret?: string }>;
    users: Array<{ username: string; password: string; temporaryPassword: boolean }>;
  };
  workloadIdentities: Array<{ name: string; allowedResourceOauth2ReturnUrls: string[] }>;
  credentialProviders: {
    oauth2: Array<{ name: string; flow: string; callbackUrl: string }>;
    apiKey: Array<{ name: string }>;
  };
  threeLo: { autoConsent: boolean; defaultUser: string };
  agents: Array<{ name: string; arn: string; inbound: string }>;
  gateways: Array<{ name: string; url: string; authorizerType: string; policyEngine?: { arn: string; mode: string } }>;
  policyEngines: Array<{ name: string; arn: string; status: string; policies: Array<{ status: string }> }>;
  lambdas: Array<{ arn: string; url: string }>;
};

/** `2 policies`, and how many of them failed to validate (CREATE_FAILED / UPDATE_FAILED), if any. */
function policyCount(e: Doc['policyEngines'][number]): string {
  const failed = e.policies.filter((p) => p.status.endsWith('_FAILED')).length;
  const n = e.policies.length;
  const state = e.status === 'ACTIVE' ? '' : ` ${e.status}`;
  return `${n} polic${n === 1 ? 'y' : 'ies'}${failed ? ` (${failed} failed)` : ''}${state}`;
}

function renderHuman(io: Io, d: Doc): void {
  const { ui } = io;
  const c = ui.c;
  ui.success(`Local AgentCore stack ready at ${d.url}`);
  ui.kv([
    ['services', `${d.url}  (AgentCore data + control plane, Cognito, runtime, gateway)`],
    [
      '3LO provider',
      `${d.endpoints.threeLo}  (${
        d.threeLo.autoConsent
          ? `auto-consent as "${d.threeLo.defaultUser}" or login_hint`
          : 'login and consent pages; any login works'
      })`,
    ],
    ['region', `${d.region}   account ${d.accountId}`],
    ['user pool', `${d.userPool.id}   ${d.userPool.discoveryUrl}`],
  ]);
  ui.table(
    [
      ...d.userPool.clients.map((cl) => [
        `  client ${cl.name}`,
        cl.clientId,
        cl.clientSecret ? `secret ${cl.clientSecret}` : 'public (no secret)',
      ]),
      ...d.userPool.users.map((u) => [
        `  user ${u.username}`,
        `password ${u.password}`,
        u.temporaryPassword ? 'temporary (NEW_PASSWORD_REQUIRED)' : '',
      ]),
      ...d.workloadIdentities.map((w) => [
        'workload',
        w.name,
        w.allowedResourceOauth2ReturnUrls.join(' ') || '(no return URLs)',
      ]),
      ...d.credentialProviders.oauth2.map((p) => ['provider', p.name, `${p.flow}  callback ${p.callbackUrl}`]),
      ...d.credentialProviders.apiKey.map((p) => ['provider', p.name, 'API key']),
      ...d.agents.map((a) => ['agent', a.name, `${a.inbound === 'jwt' ? 'OAuth (JWT)' : 'SigV4'}  ${a.arn}`]),
      ...d.gateways.map((g) => [
        'gateway',
        g.name,
        `${g.authorizerType}  ${g.url}${g.policyEngine ? `  policy ${g.policyEngine.mode}` : ''}`,
      ]),
      ...d.policyEngines.map((e) => ['policy engine', e.name, `${policyCount(e)}  ${e.arn}`]),
      // The function's name in the name column; its ARN, long, last so it does not widen the table.
      ...d.lambdas.map((l) => ['lambda', l.arn.split(':')[6] ?? l.arn, `${l.url}  ${l.arn}`]),
    ],
    '  ',
  );
  if (!ui.options.showSecrets) ui.note(`Secrets are masked here; --json or --show-secrets prints them.`);
  ui.line(
    c.dim(
      'Export the variables printed on stdout (or run `eval "$(agentcore-auth local --print-env)"` in another ' +
        'terminal) to point the AWS SDKs and agentcore-auth at the stack. Ctrl-C stops it.',
    ),
  );
}
