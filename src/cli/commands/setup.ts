/**
 * `setup`: from a bare AWS account to a first authenticated call. Creates (or finds and completes) a tagged Cognito
 * user pool with a resource server, a hosted-UI domain, three app clients and a test user, and optionally an AgentCore
 * workload identity and OAuth2 credential provider; prints each call, then the next steps. Logic: core/setup/.
 */
import type { Command } from 'commander';
import { addOptions, flag, value, withDefault, type OptionsOf } from '../options.js';
import { defineAction, type Outcome, type CliRun } from '../command.js';
import type { Io } from '../io.js';
import type { StepsJson } from '../plan-output.js';
import type { SetupResult } from '../../core/setup/types.js';

const SETUP_OPTIONS = {
  name: withDefault(value('--name <name>', 'names every resource (a-z 0-9 -, up to 32)'), 'dev'),
  withIdentity: flag(
    '--with-identity',
    'also create an AgentCore workload identity and an OAuth2 credential provider (M2M)',
  ),
  writeEnv: value(
    '--write-env <file>',
    'write AGENTCORE_AUTH_* for `login` to this file (mode 0600; not --env-file: node itself takes that flag, ' +
      'nodejs/node#54232)',
    { conflicts: ['dryRun'] },
  ),
  dryRun: flag('--dry-run', 'only look: list what exists and what would be created (read calls only)'),
};

type SetupOptions = OptionsOf<typeof SETUP_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('setup')
    .summary('create a Cognito pool, app clients, a test user (+ AgentCore identity)')
    .description(
      [
        'Create everything a first authenticated AgentCore call needs, with the AWS SDK, one numbered step per ' +
          'API call: a Cognito user pool agentcore-auth-NAME (tagged agentcore-auth:setup=NAME), a resource ' +
          'server with an "invoke" scope, a hosted-UI domain (agentcore-auth-NAME-<random>), app clients ' +
          '-app (secret: password, refresh and code flow on the login redirect), -m2m (secret: ' +
          'client_credentials) and -public (no secret: code flow + PKCE), and a test user with a generated ' +
          'permanent password. With --with-identity also a workload identity and a CustomOauth2 credential ' +
          "provider (the pool's discovery URL, the -m2m client).",
        '',
        'Running it again finds the tagged resources and fills in what is missing (the test user gets a new ' +
          'password: Cognito never returns the old one). `teardown --name NAME` removes all of it.',
      ].join('\n'),
    );
  addOptions(cmd, SETUP_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth setup --name dev --write-env .agentcore-auth.env
  set -a; . ./.agentcore-auth.env; set +a; agentcore-auth login
  agentcore-auth setup --name dev --with-identity --json
  agentcore-auth teardown --name dev --yes

IAM permissions: agentcore-auth help iam.`,
    )
    .action(defineAction(run, (io: Io, opts: SetupOptions) => setup(io, opts)));
}

async function setup(io: Io, opts: SetupOptions): Promise<Outcome> {
  const { setupNames } = await import('../../core/setup/names.js');
  const names = setupNames(opts.name);
  const { resolve } = await import('node:path');
  const report = await import('../../core/setup/report.js');
  const envPath = opts.writeEnv ? resolve(io.ctx.cwd, opts.writeEnv) : undefined;
  // Before any AWS call: a path that cannot be written would lose the generated password after everything is made.
  if (envPath) await checkEnvPath(envPath, opts.writeEnv!, report.ENV_FILE_MARKER);

  const { runSetup } = await import('../../core/setup/setup-plan.js');
  const { openSetupSession } = await import('../setup-session.js');
  const { deps, fail } = await openSetupSession(
    io,
    'setup',
    names.name,
    (region) =>
      `${opts.dryRun ? 'Dry run (read calls only): ' : ''}setup --name ${names.name} in ${region}` +
      `${opts.withIdentity ? ', with AgentCore Identity' : ''}`,
  );
  let setupRun: Awaited<ReturnType<typeof runSetup>>;
  try {
    setupRun = await runSetup(deps, { name: names.name, withIdentity: !!opts.withIdentity, dryRun: !!opts.dryRun });
  } catch (e) {
    throw fail(e);
  }
  const { result, records } = setupRun;

  const envWritten = envPath && !opts.dryRun ? await writeEnvFile(io, opts, envPath, result) : undefined;
  if (result.user.passwordReset) {
    const envNote = envWritten
      ? `${envWritten} was rewritten with the new one`
      : 'an env file written by an earlier setup now holds the old one: pass --write-env FILE to rewrite it';
    io.ui.warn(
      `the test user ${result.user.username} already existed: its password was reset (Cognito never returns the ` +
        `old one), so ${envNote}`,
    );
  }

  const show = io.globals.showSecrets;
  const redact = await import('../../core/redact.js');
  const next = report.nextSteps(result, { ...(envWritten ? { envFile: envWritten } : {}), show });
  const authorizer = report.authorizerConfiguration(result);
  return {
    json: toJson(result, {
      show,
      redact,
      steps: records,
      next,
      authorizer,
      ...(envWritten ? { envFile: envPath! } : {}),
    }),
    human: () => renderHuman(io, result, { redact, next, authorizer, ...(envWritten ? { envFile: envWritten } : {}) }),
  };
}

/** The env file (0600) with the pool, clients, user and password: returns the path as given. */
async function writeEnvFile(io: Io, opts: SetupOptions, envPath: string, result: SetupResult): Promise<string> {
  const fs = await import('node:fs/promises');
  const { usageError } = await import('../../core/errors.js');
  const { envFileText } = await import('../../core/setup/report.js');
  const extra: Record<string, string> = {};
  const endpoint = io.aws.endpoint('cognito');
  if (endpoint) extra.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = endpoint;
  try {
    await fs.writeFile(envPath, envFileText(result, extra), { mode: 0o600 });
    await fs.chmod(envPath, 0o600); // an existing file keeps its mode on write
  } catch (e) {
    throw usageError(
      `cannot write --write-env ${opts.writeEnv}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      `Everything else is in place. Run setup --name ${result.name} again with a writable --write-env path: ` +
        'it finds what exists and sets a new password for the test user.',
    );
  }
  return opts.writeEnv!;
}

/** --write-env's path: its directory exists and is writable, and an existing file is one setup wrote. Exit 2 if not. */
async function checkEnvPath(path: string, given: string, marker: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  const { dirname } = await import('node:path');
  const { usageError } = await import('../../core/errors.js');
  const refuse = (why: string, hint: string) =>
    usageError(`--write-env ${given}: ${why}`, `${hint} Nothing was created.`);
  const st = await fs
    .stat(path)
    .catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? undefined : e));
  if (st instanceof Error) throw refuse(`cannot read it (${(st as NodeJS.ErrnoException).code})`, 'Pick another path.');
  if (st?.isDirectory()) throw refuse('is a directory', 'Give a file path, e.g. DIR/.agentcore-auth.env.');
  if (st) {
    const head = await fs.readFile(path, 'utf8').then(
      (t) => t.slice(0, 200),
      () => '',
    );
    if (!head.startsWith(marker))
      throw usageError(
        `--write-env ${given} exists and was not written by setup`,
        'Pick another file name, or remove it first.',
      );
    await fs.access(path, constants.W_OK).catch(() => {
      throw refuse('is not writable', 'Make it writable, or pick another path.');
    });
    return;
  }
  const dir = dirname(path);
  const d = await fs.stat(dir).catch(() => undefined);
  if (!d)
    throw refuse(`the directory ${dir} does not exist`, `Create it first (mkdir -p ${dir}), or pick another path.`);
  if (!d.isDirectory()) throw refuse(`${dir} is not a directory`, 'Pick another path.');
  await fs.access(dir, constants.W_OK).catch(() => {
    throw refuse(`the directory ${dir} is not writable`, 'Pick a path in a directory you can write to.');
  });
}

type Redact = typeof import('../../core/redact.js');

function secretJson(value: string | undefined, show: boolean, redact: Redact) {
  if (!value) return undefined;
  return { fingerprint: redact.fingerprint(value), ...(show ? { value } : { masked: redact.maskSecret(value) }) };
}

function toJson(
  r: SetupResult,
  o: {
    show: boolean;
    redact: Redact;
    steps: StepsJson;
    next: import('../../core/setup/report.js').NextSteps;
    authorizer: unknown;
    envFile?: string;
  },
): unknown {
  const client = (c: SetupResult['clients']['app']) => ({
    name: c.name,
    ...(c.clientId ? { clientId: c.clientId } : {}),
    status: c.status,
    flows: c.flows,
    ...(c.clientSecret ? { clientSecret: secretJson(c.clientSecret, o.show, o.redact) } : {}),
  });
  return {
    name: r.name,
    region: r.region,
    dryRun: r.dryRun,
    userPool: r.userPool,
    resourceServer: r.resourceServer,
    domain: r.domain,
    clients: { app: client(r.clients.app), m2m: client(r.clients.m2m), public: client(r.clients.public) },
    user: {
      username: r.user.username,
      status: r.user.status,
      passwordReset: r.user.passwordReset,
      ...(r.user.password ? { password: secretJson(r.user.password, o.show, o.redact) } : {}),
    },
    ...(r.workloadIdentity ? { workloadIdentity: r.workloadIdentity } : {}),
    ...(r.credentialProvider ? { credentialProvider: r.credentialProvider } : {}),
    ...(o.authorizer ? { authorizerConfiguration: o.authorizer } : {}),
    ...(o.envFile ? { envFile: o.envFile } : {}),
    ...(r.ignoredPools.length ? { ignoredPools: r.ignoredPools } : {}),
    next: o.next,
    steps: o.steps,
  };
}

type NextSteps = import('../../core/setup/report.js').NextSteps;

function renderHuman(
  io: Io,
  r: SetupResult,
  o: { redact: Redact; next: NextSteps; authorizer: unknown; envFile?: string },
): void {
  const all = [
    r.userPool,
    r.resourceServer,
    r.domain,
    r.clients.app,
    r.clients.m2m,
    r.clients.public,
    r.user,
    ...(r.workloadIdentity ? [r.workloadIdentity] : []),
    ...(r.credentialProvider ? [r.credentialProvider] : []),
  ];
  const count = (s: string) => all.filter((x) => x.status === s).length;
  if (r.dryRun) {
    io.ui.success(
      `dry run: ${count('existing')} of ${all.length} resources exist, ${count('planned')} would be created; ` +
        `no write call was made`,
    );
  } else {
    io.ui.success(
      `setup --name ${r.name}: ${count('created')} created, ${count('existing')} already ` +
        `there${count('updated') ? `, ${count('updated')} updated` : ''} (${r.region})`,
    );
  }
  if (r.ignoredPools.length)
    io.ui.note(`pools named ${r.userPool.name} without the tag, left alone: ${r.ignoredPools.join(', ')}`);
  if (r.dryRun) return;
  const rows = resourceRows(io, r, o);
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) if (v) io.out.line(`  ${k.padEnd(w)}  ${v}`);
  printNextSteps(io, o.next, o.authorizer);
}

/** One line per resource made or found, secrets masked unless --show-secrets. */
function resourceRows(io: Io, r: SetupResult, o: { redact: Redact; envFile?: string }) {
  const c = io.ui.c;
  const rows: Array<[string, string | undefined]> = [
    ['user pool', `${r.userPool.id}  ${c.dim(r.userPool.arn ?? '')}`],
    ['discovery URL', r.userPool.discoveryUrl],
    ['hosted UI', r.domain.hostedUiUrl],
    ['scope', r.resourceServer.scope],
    ['app client', `${r.clients.app.clientId}  secret ${secretText(io, o.redact, r.clients.app.clientSecret)}`],
    ['m2m client', `${r.clients.m2m.clientId}  secret ${secretText(io, o.redact, r.clients.m2m.clientSecret)}`],
    ['public client', r.clients.public.clientId],
    [
      'test user',
      `${r.user.username}  ` +
        `password ${secretText(io, o.redact, r.user.password)}${r.user.passwordReset ? c.dim(' (new)') : ''}`,
    ],
  ];
  if (r.workloadIdentity)
    rows.push(['workload identity', `${r.workloadIdentity.name}  ${c.dim(r.workloadIdentity.arn ?? '')}`]);
  if (r.credentialProvider)
    rows.push([
      'credential provider',
      `${r.credentialProvider.name}  ` +
        c.dim(r.credentialProvider.callbackUrl ? `callback ${r.credentialProvider.callbackUrl}` : ''),
    ]);
  if (o.envFile) rows.push(['env file', `${o.envFile} (0600)`]);
  return rows;
}

function printNextSteps(io: Io, next: NextSteps, authorizer: unknown): void {
  const { out } = io;
  const c = io.ui.c;
  out.line('');
  out.line(c.bold('Next steps'));
  out.line(`  1. Sign in as the test user (the token is cached for --bearer):`);
  for (const l of next.login) out.line(`       ${l}`);
  if (next.loginNeeds)
    out.line(
      c.dim(
        `     with ${Object.keys(next.loginNeeds).join(' and ')} exported: the app client secret and the password ` +
          'above (masked: --show-secrets prints them, --write-env FILE writes them to a 0600 file; the password is ' +
          'shown only on this run)',
      ),
    );
  out.line(`  2. Put this on your runtime (authorizerConfiguration of CreateAgentRuntime / UpdateAgentRuntime):`);
  for (const l of JSON.stringify(authorizer, null, 2).split('\n')) out.line(`       ${l}`);
  out.line(`  3. Call the agent with the cached token:`);
  out.line(`       ${next.invoke}`);
  out.line(`  Also: a machine token (client secret on stdin):  ${next.m2m}`);
  out.line(`        a browser sign-in (public client, PKCE):   ${next.browser}`);
  out.line(`        remove everything:                        ${next.teardown}`);
}

function secretText(io: Io, redact: Redact, value: string | undefined): string {
  if (!value) return '—';
  if (io.globals.showSecrets) return value;
  return `${redact.maskSecret(value)} ${io.ui.c.dim(redact.fingerprint(value))}`;
}
