/**
 * `demo`: start the local stack in this process and walk through every auth flow with the same commands a user
 * types (run in-process through the smoke runner), narrating each step on stderr for a newcomer. Exit 0 when every
 * flow behaved as narrated; 6 when one did not (the demo checks its own story).
 */
import type { Command } from 'commander';
import { AgentcoreAuthError, EXIT, usageError } from '../../core/errors.js';
import type { StepResult } from '../../core/smoke/results.js';
import type { CliContext } from '../context.js';
import { addOptions, flag, value, type OptionsOf } from '../options.js';
import { defineAction, type CliRun } from '../command.js';
import type { Io } from '../io.js';

const DEMO_OPTIONS = {
  open: flag('--open', "do the 3LO consent in your real browser instead of the stack's auto-consent"),
  diagram: value('--diagram <dir>', 'write one Mermaid sequence diagram per step into DIR (NN-<step>.mmd)'),
};

type DemoOptions = OptionsOf<typeof DEMO_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('demo')
    .summary('every flow on the embedded stack, narrated')
    .description(
      'Start the local AgentCore stack in this process and walk through every auth flow with the real ' +
        'commands: Cognito sign-in (and a temporary password), invoke with a bearer token and with SigV4 + ' +
        'user id, the classic mistakes (wrong mode, ID token instead of access token) and their ' +
        'explanations, workload tokens both ways, an M2M resource token, an API key, 3LO consent with ' +
        'session binding, an on-behalf-of token exchange, and verify. Nothing leaves this machine.',
    );
  addOptions(cmd, DEMO_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth demo             # a few seconds; everything on loopback
  agentcore-auth demo --open      # click through the 3LO consent yourself
  npm ci && npm run demo          # from a fresh clone`,
    )
    .action(defineAction(run, (io, opts: DemoOptions) => demo(io, opts)));
}

async function demo(io: Io, opts: DemoOptions) {
  const started = io.ctx.now();
  const { startLocalStack } = await import('../../emulator/stack.js');
  const { demoSteps, demoScenario } = await import('../demo/script.js');
  const { followRedirects } = await import('../demo/browser.js');
  const { scenarioFromValue } = await import('../../core/smoke/parse.js');
  const { runScenario } = await import('../../core/smoke/runner.js');
  const { commandLine } = await import('../../core/smoke/report.js');
  const { formatMs } = await import('../../core/smoke/expect.js');
  const { maskJwtsInText } = await import('../../core/redact.js');
  const { createInProcessExecutor } = await import('../in-process.js');
  const { stepTraceRecorders, writeStepDiagrams } = await import('../diagram-output.js');
  if (opts.diagram !== undefined && !opts.diagram.trim()) throw usageError('--diagram needs a directory');
  const traces = opts.diagram !== undefined ? stepTraceRecorders() : undefined;
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createServer } = await import('node:net');

  const ui = io.ui;
  const c = ui.c;
  const show = io.globals.showSecrets;
  const open = !!opts.open;

  const stack = await startLocalStack({ port: 0, autoConsent: !open });
  const cacheDir = await mkdtemp(join(tmpdir(), 'agentcore-auth-demo-'));
  try {
    const pool = stack.userPool;
    const app =
      pool.clients.find((k) => k.clientSecret && k.explicitAuthFlows.includes('USER_PASSWORD_AUTH')) ??
      pool.clients[0]!;
    const alice = pool.users.find((u) => !u.temporaryPassword)!;
    const bob = pool.users.find((u) => u.temporaryPassword);
    const jwtAgent =
      stack.agents.find((a) => a.authorizerConfiguration?.customJWTAuthorizer.allowedClients?.length) ??
      stack.agents.find((a) => a.authorizerConfiguration)!;
    const sigv4Agent = stack.agents.find((a) => !a.authorizerConfiguration)!;
    const arn = (id: string) => `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${id}`;
    const m2m = stack.credentialProviders.oauth2.find((p) => p.flow === 'M2M')!;
    const threeLo = stack.credentialProviders.oauth2.find((p) => p.flow === 'USER_FEDERATION')!;
    const obo = stack.credentialProviders.oauth2.find((p) => p.flow === 'ON_BEHALF_OF_TOKEN_EXCHANGE')!;
    const workload = stack.workloadIdentities[0]!;
    const returnPort = await freePort(createServer);
    if (
      !alice ||
      !bob ||
      !jwtAgent ||
      !sigv4Agent ||
      !m2m ||
      !threeLo ||
      !obo ||
      !workload ||
      !stack.credentialProviders.apiKey[0]
    ) {
      throw new AgentcoreAuthError(
        'ERR_INTERNAL',
        'the local stack is missing a seeded user, agent, workload identity or provider the demo needs',
      );
    }
    const steps = demoSteps({
      stackUrl: stack.url,
      threeLoIssuer: stack.threeLo.issuer,
      region: stack.region,
      poolId: pool.id,
      appClientId: app.clientId,
      appClientSecret: app.clientSecret ?? '',
      alice: { username: alice.username, password: alice.password },
      bob: {
        username: bob.username,
        password: bob.password,
        newPassword: `Demo-${io.ctx.randomId().slice(0, 8)}-Passw0rd!`,
      },
      jwtAgentArn: arn(jwtAgent.id),
      sigv4AgentArn: arn(sigv4Agent.id),
      workloadName: workload.name,
      m2mProvider: m2m.name,
      m2mScopes: m2m.scopes,
      threeLoProvider: threeLo.name,
      threeLoScopes: threeLo.scopes,
      oboProvider: obo.name,
      oboScopes: obo.scopes,
      apiKeyProvider: stack.credentialProviders.apiKey[0].name,
      returnUrl: `http://127.0.0.1:${returnPort}/oauth2/callback`,
      open,
    });
    io.secrets.add(stack.credentials.secretAccessKey, app.clientSecret, alice.password, bob.password);
    const scenario = scenarioFromValue(demoScenario(steps), 'demo');
    const byId = new Map(steps.map((s) => [s.id, s]));

    ui.info(`${c.bold('agentcore-auth demo')} — every AgentCore auth flow, on a local stack in this process`);
    ui.info('');
    ui.kv([
      ['stack', `${stack.url}  (AgentCore data + control plane, Cognito-style user pool, Runtime agents)`],
      ['3LO provider', `${stack.threeLo.issuer}${open ? '' : '  (auto-consent)'}`],
      ['user pool', `${pool.id}, app client ${app.clientId}, users ${pool.users.map((u) => u.username).join(' and ')}`],
      ['agents', `${jwtAgent.name} (OAuth bearer), ${sigv4Agent.name} (IAM SigV4)`],
    ]);
    ui.note(
      `  Each step below is a real agentcore-auth command run against it; copy any of them after ` +
        `\`agentcore-auth local\`.`,
    );

    // Browsing: auto-consent follows the redirects like a browser would; --open uses the real one.
    const browseErrors: string[] = [];
    const demoCtx: CliContext = {
      ...io.ctx,
      env: { ...io.ctx.env, ...stack.env, AGENTCORE_AUTH_CACHE_DIR: cacheDir, NO_COLOR: '1' },
      openBrowser: open
        ? io.ctx.openBrowser
        : async (url: string) => {
            void followRedirects(io.ctx.fetch, url, { signal: io.ctx.signal }).catch((e: Error) =>
              browseErrors.push(e.message),
            );
          },
    };

    let n = 0;
    let chapter = 0;
    const total = steps.length;
    const indent = (text: string) =>
      text
        .split('\n')
        .map((l) => l.trimEnd())
        .filter(Boolean)
        .slice(0, 24)
        .map((l) => `    ${c.dim('│')} ${l}`)
        .join('\n');
    const summary = await runScenario(scenario, {
      executor: createInProcessExecutor(demoCtx, traces?.contextFor),
      env: demoCtx.env,
      json: false,
      signal: io.ctx.signal,
      now: () => io.ctx.now(),
      onSecret: (v) => io.secrets.add(v),
      onStepStart: (step) => {
        const s = byId.get(step.id)!;
        n++;
        if (s.chapter) {
          chapter++;
          ui.info('');
          ui.info(c.bold(c.cyan(`${chapter}. ${s.chapter}`)));
        }
        ui.info('');
        ui.info(`${c.cyan(`[${n}/${total}]`)} ${c.bold(s.title)}`);
        for (const l of s.before) ui.info(`  ${l}`);
      },
      onStepEnd: (r: StepResult) => {
        const s = byId.get(r.id)!;
        if (r.argv.length)
          ui.info(`  ${c.dim('$')} ${commandLine(r.argv, (t) => io.secrets.scrub(t, show), show, r.secretArgs)}`);
        const out = [r.stderr, r.stdout].map((t) => io.secrets.scrub(show ? t : maskJwtsInText(t), show)).join('\n');
        if (out.trim()) ui.info(indent(out));
        const expected = r.checks.find((k) => k.label === 'allow' || k.label === 'deny')?.label;
        if (r.status === 'pass') {
          ui.info(
            `  ${c.green('✓')} ${expected === 'deny' ? 'refused, as it should be' : 'done'} ` +
              c.dim(`(${formatMs(r.durationMs)})`),
          );
          for (const l of s.after) ui.info(`  ${c.dim('→')} ${l}`);
        } else {
          ui.info(`  ${c.red('✗')} ${r.reason ?? r.status}`);
          for (const e of browseErrors.splice(0)) ui.info(`    ${c.dim(`browser: ${e}`)}`);
        }
      },
    });

    const elapsed = io.ctx.now() - started;
    if (opts.diagram !== undefined && traces) {
      const written = await writeStepDiagrams(io, opts.diagram, summary.results, traces);
      ui.info('');
      ui.note(
        `${written.length} sequence diagrams in ${opts.diagram}/ (${written[0] ?? ''} … ${written.at(-1) ?? ''})`,
      );
    }
    if (summary.exitCode === EXIT.INTERRUPTED || io.ctx.signal.aborted)
      throw new AgentcoreAuthError('ERR_INTERRUPTED', 'interrupted');
    ui.info('');
    if (summary.exitCode === 0) {
      ui.success(`${summary.passed} steps, every flow behaved as described (${formatMs(elapsed)}).`);
      ui.info('');
      ui.info(c.bold('Next'));
      ui.info(
        `  agentcore-auth local                         this stack in a terminal: try the commands above yourself`,
      );
      ui.info(
        `  agentcore-auth smoke examples/inbound.yaml   the same checks as a CI scenario, against a stack started with`,
      );
      ui.info(
        `                                               \`local --config examples/local-stack.yaml\` (help scenarios)`,
      );
      ui.info(`  agentcore-auth explain "<message>"           when AWS answers with something puzzling`);
    } else {
      const timedOut = summary.results.filter((r) => r.exitCode === EXIT.TIMEOUT).map((r) => r.id);
      const why =
        open && timedOut.some((id) => id === 'three-legged' || id === 'session-binding')
          ? 'The browser consent was not completed in time; run `agentcore-auth demo --open` again, or without ' +
            '--open for the automatic consent.'
          : 'This is a bug in agentcore-auth or its local stack; please report it with the output above.';
      ui.fail(
        `${summary.total - summary.passed} of ${summary.total} steps did not behave as described ` +
          `(${formatMs(elapsed)}). ${why}`,
      );
    }
    return {
      json: {
        ok: summary.exitCode === 0,
        durationMs: Math.round(elapsed),
        steps: summary.results.map((r) => ({
          id: r.id,
          title: byId.get(r.id)!.title,
          status: r.status,
          durationMs: Math.round(r.durationMs),
          ...(r.reason ? { reason: io.secrets.scrub(r.reason, show) } : {}),
        })),
      },
      exitCode: summary.exitCode === 0 ? EXIT.OK : EXIT.EXPECTATION,
    };
  } finally {
    await stack.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/**
 * The port of the 3LO steps' return URL: it goes into their command lines before `exchange` binds it, so it must stay
 * free meanwhile. A port-0 pick is in the OS's ephemeral range, where any outgoing connection of the demo itself (the
 * SDK clients' keep-alive pools, hundreds of requests before those steps) may be given it as its local port, and the
 * bind then fails. So it is drawn below that range (Linux starts it at 32768, macOS and Windows at 49152), where the
 * OS never assigns a port by itself, and checked free.
 */
async function freePort(createServer: typeof import('node:net').createServer): Promise<number> {
  const bindable = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, '127.0.0.1', () => {
        const addr = srv.address();
        const bound = typeof addr === 'object' && addr ? addr.port : undefined;
        srv.close(() => resolve(bound));
      });
    });
  for (let i = 0; i < 50; i++) {
    const port = await bindable(30000 + Math.floor(Math.random() * 2768));
    if (port) return port;
  }
  const any = await bindable(0); // all taken (a crowded machine): any port the OS gives
  if (!any) throw new AgentcoreAuthError('ERR_INTERNAL', 'could not find a free loopback port for the return URL');
  return any;
}
