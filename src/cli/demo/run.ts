/**
 * `demo`'s run: the local stack in this process, the script's values read from what it seeded, the scenario run
 * in-process through the smoke runner with the narration around each step, and the closing summary. Loaded only
 * when `demo` runs (commands/demo.ts imports it on demand).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentcoreAuthError, EXIT } from '../../core/errors.js';
import { maskJwtsInText } from '../../core/redact.js';
import { formatMs } from '../../core/smoke/expect.js';
import { scenarioFromValue } from '../../core/smoke/parse.js';
import { commandLine } from '../../core/smoke/report.js';
import type { RunSummary, StepResult } from '../../core/smoke/results.js';
import { runScenario } from '../../core/smoke/runner.js';
import type { Step } from '../../core/smoke/schema.js';
import { startLocalStack, type LocalStack } from '../../emulator/stack.js';
import { cognitoSdk, controlSdk } from '../../sdk.js';
import type { Outcome } from '../command.js';
import type { CliContext } from '../context.js';
import { stepTraceRecorders, writeStepDiagrams } from '../diagram-output.js';
import { createInProcessExecutor } from '../in-process.js';
import type { Io } from '../io.js';
import { followRedirects } from './browser.js';
import { demoScenario, demoSteps, type DemoStep, type DemoValues } from './script.js';

export interface DemoJson {
  ok: boolean;
  durationMs: number;
  steps: Array<{ id: string; title: string; status: StepResult['status']; durationMs: number; reason?: string }>;
}

export async function runDemo(io: Io, opts: { open?: boolean; diagram?: string }): Promise<Outcome<DemoJson>> {
  const started = io.ctx.now();
  const traces = opts.diagram !== undefined ? stepTraceRecorders() : undefined;
  const open = !!opts.open;
  const starting = startLocalStack({ port: 0, autoConsent: !open });
  warmUp();
  const stack = await starting;
  const cacheDir = await mkdtemp(join(tmpdir(), 'agentcore-auth-demo-'));
  try {
    const seeded = seededParts(stack);
    const steps = demoSteps(await demoValues(io, stack, seeded, open));
    io.secrets.add(
      stack.credentials.secretAccessKey,
      seeded.app.clientSecret,
      seeded.alice.password,
      seeded.bob.password,
    );
    printIntro(io, stack, seeded, open);
    const browseErrors: string[] = [];
    const narration = narrate(io, steps, browseErrors);
    const demoCtx = demoContext(io, stack, cacheDir, open, browseErrors);
    const summary = await runScenario(scenarioFromValue(demoScenario(steps), 'demo'), {
      executor: createInProcessExecutor(demoCtx, traces?.contextFor),
      env: demoCtx.env,
      json: false,
      signal: io.ctx.signal,
      now: () => io.ctx.now(),
      onSecret: (v) => io.secrets.add(v),
      ...narration,
    });
    const elapsed = io.ctx.now() - started;
    if (opts.diagram !== undefined && traces) {
      const written = await writeStepDiagrams(io, opts.diagram, summary.results, traces);
      io.ui.info('');
      io.ui.note(
        `${written.length} sequence diagrams in ${opts.diagram}/ (${written[0] ?? ''} … ${written.at(-1) ?? ''})`,
      );
    }
    if (summary.exitCode === EXIT.INTERRUPTED || io.ctx.signal.aborted)
      throw new AgentcoreAuthError('ERR_INTERRUPTED', 'interrupted');
    printOutcome(io, summary, elapsed, open);
    return {
      json: demoJson(io, summary, steps, elapsed),
      exitCode: summary.exitCode === 0 ? EXIT.OK : EXIT.EXPECTATION,
    };
  } finally {
    await stack.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/**
 * The SDK clients the steps use besides the stack's own (Cognito for login; the control plane for verify, the 3LO
 * return URLs and on-behalf-of), loaded while the stack starts: its start-up waits for its RSA keys on the thread pool
 * (0.1 s and more past its imports on a busy machine), and that wait is this process's idle time. Loaded anyway by
 * the steps; this only moves them earlier.
 */
function warmUp(): void {
  setImmediate(() => {
    cognitoSdk();
    setImmediate(() => controlSdk());
  });
}

type Seeded = ReturnType<typeof seededParts>;

/** What the demo needs from the stack's seed: the app client, alice and bob, the two agents, workload, providers. */
function seededParts(stack: LocalStack) {
  const pool = stack.userPool;
  const oauth2 = stack.credentialProviders.oauth2;
  const parts = {
    pool,
    app:
      pool.clients.find((k) => k.clientSecret && k.explicitAuthFlows.includes('USER_PASSWORD_AUTH')) ??
      pool.clients[0]!,
    alice: pool.users.find((u) => !u.temporaryPassword),
    bob: pool.users.find((u) => u.temporaryPassword),
    jwtAgent:
      stack.agents.find((a) => a.authorizerConfiguration?.customJWTAuthorizer.allowedClients?.length) ??
      stack.agents.find((a) => a.authorizerConfiguration),
    sigv4Agent: stack.agents.find((a) => !a.authorizerConfiguration),
    m2m: oauth2.find((p) => p.flow === 'M2M'),
    threeLo: oauth2.find((p) => p.flow === 'USER_FEDERATION'),
    obo: oauth2.find((p) => p.flow === 'ON_BEHALF_OF_TOKEN_EXCHANGE'),
    workload: stack.workloadIdentities[0],
    apiKey: stack.credentialProviders.apiKey[0],
  };
  const { alice, bob, jwtAgent, sigv4Agent, m2m, threeLo, obo, workload, apiKey } = parts;
  if (!alice || !bob || !jwtAgent || !sigv4Agent || !m2m || !threeLo || !obo || !workload || !apiKey) {
    throw new AgentcoreAuthError(
      'ERR_INTERNAL',
      'the local stack is missing a seeded user, agent, workload identity or provider the demo needs',
    );
  }
  return { ...parts, alice, bob, jwtAgent, sigv4Agent, m2m, threeLo, obo, workload, apiKey };
}

async function demoValues(io: Io, stack: LocalStack, s: Seeded, open: boolean): Promise<DemoValues> {
  const arn = (id: string) => `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${id}`;
  const returnPort = await freePort();
  return {
    stackUrl: stack.url,
    threeLoIssuer: stack.threeLo.issuer,
    region: stack.region,
    poolId: s.pool.id,
    appClientId: s.app.clientId,
    appClientSecret: s.app.clientSecret ?? '',
    alice: { username: s.alice.username, password: s.alice.password },
    bob: {
      username: s.bob.username,
      password: s.bob.password,
      newPassword: `Demo-${io.ctx.randomId().slice(0, 8)}-Passw0rd!`,
    },
    jwtAgentArn: arn(s.jwtAgent.id),
    sigv4AgentArn: arn(s.sigv4Agent.id),
    workloadName: s.workload.name,
    m2mProvider: s.m2m.name,
    m2mScopes: s.m2m.scopes,
    threeLoProvider: s.threeLo.name,
    threeLoScopes: s.threeLo.scopes,
    oboProvider: s.obo.name,
    oboScopes: s.obo.scopes,
    apiKeyProvider: s.apiKey.name,
    gatewayId: stack.gateways[0]?.gatewayId ?? '',
    returnUrl: `http://127.0.0.1:${returnPort}/oauth2/callback`,
    open,
  };
}

function printIntro(io: Io, stack: LocalStack, s: Seeded, open: boolean): void {
  const { ui } = io;
  ui.info(`${ui.c.bold('agentcore-auth demo')} — every AgentCore auth flow, on a local stack in this process`);
  ui.info('');
  ui.kv([
    ['stack', `${stack.url}  (AgentCore data + control plane, Cognito-style user pool, Runtime agents)`],
    ['3LO provider', `${stack.threeLo.issuer}${open ? '' : '  (auto-consent)'}`],
    [
      'user pool',
      `${s.pool.id}, app client ${s.app.clientId}, users ${s.pool.users.map((u) => u.username).join(' and ')}`,
    ],
    ['agents', `${s.jwtAgent.name} (OAuth bearer), ${s.sigv4Agent.name} (IAM SigV4)`],
  ]);
  ui.note(
    `  Each step below is a real agentcore-auth command run against it; copy any of them after ` +
      `\`agentcore-auth local\`.`,
  );
}

/** The commands' context: the stack's env and a private token cache; auto-consent follows redirects like a browser. */
function demoContext(io: Io, stack: LocalStack, cacheDir: string, open: boolean, browseErrors: string[]): CliContext {
  return {
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
}

/** The narration around each step: chapter and title before, the command, its output and the verdict after. */
function narrate(io: Io, steps: DemoStep[], browseErrors: string[]) {
  const { ui } = io;
  const { c } = ui;
  const show = io.globals.showSecrets;
  const byId = new Map(steps.map((s) => [s.id, s]));
  let n = 0;
  let chapter = 0;
  const indent = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trimEnd())
      .filter(Boolean)
      .slice(0, 24)
      .map((l) => `    ${c.dim('│')} ${l}`)
      .join('\n');
  const onStepStart = (step: Step) => {
    const s = byId.get(step.id)!;
    n++;
    if (s.chapter) {
      chapter++;
      ui.info('');
      ui.info(c.bold(c.cyan(`${chapter}. ${s.chapter}`)));
    }
    ui.info('');
    ui.info(`${c.cyan(`[${n}/${steps.length}]`)} ${c.bold(s.title)}`);
    for (const l of s.before) ui.info(`  ${l}`);
  };
  const onStepEnd = (r: StepResult) => {
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
  };
  return { onStepStart, onStepEnd };
}

function printOutcome(io: Io, summary: RunSummary, elapsed: number, open: boolean): void {
  const { ui } = io;
  ui.info('');
  if (summary.exitCode === 0) {
    ui.success(`${summary.passed} steps, every flow behaved as described (${formatMs(elapsed)}).`);
    ui.info('');
    ui.info(ui.c.bold('Next'));
    ui.info(`  agentcore-auth local                         this stack in a terminal: try the commands above yourself`);
    ui.info(
      `  agentcore-auth smoke examples/inbound.yaml   the same checks as a CI scenario, against a stack started with`,
    );
    ui.info(
      `                                               \`local --config examples/local-stack.yaml\` (help scenarios)`,
    );
    ui.info(`  agentcore-auth explain "<message>"           when AWS answers with something puzzling`);
    return;
  }
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

function demoJson(io: Io, summary: RunSummary, steps: DemoStep[], elapsed: number): DemoJson {
  const show = io.globals.showSecrets;
  const byId = new Map(steps.map((s) => [s.id, s]));
  return {
    ok: summary.exitCode === 0,
    durationMs: Math.round(elapsed),
    steps: summary.results.map((r) => ({
      id: r.id,
      title: byId.get(r.id)!.title,
      status: r.status,
      durationMs: Math.round(r.durationMs),
      ...(r.reason ? { reason: io.secrets.scrub(r.reason, show) } : {}),
    })),
  };
}

/**
 * The port of the 3LO steps' return URL: it goes into their command lines before `exchange` binds it, so it must stay
 * free meanwhile. A port-0 pick is in the OS's ephemeral range, where any outgoing connection of the demo itself (the
 * SDK clients' keep-alive pools, hundreds of requests before those steps) may be given it as its local port, and the
 * bind then fails. So it is drawn below that range (Linux starts it at 32768, macOS and Windows at 49152), where the
 * OS never assigns a port by itself, and checked free.
 */
async function freePort(): Promise<number> {
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
