/**
 * The runner on its own, with an in-memory executor (fake step kinds are allowed here only: the runner's scheduling,
 * variables and expectations are what is under test; test/cli/smoke*.test.ts runs real commands).
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/core/smoke/parse.js';
import { combineExitCodes, missingEnv, runScenario } from '../../src/core/smoke/runner.js';
import type { StepExecutor, StepInvocation } from '../../src/core/smoke/results.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}.${'s'.repeat(43)}`;

/** An executor that answers from a table keyed by the command word, recording what it was asked. */
function fakeExecutor(
  answers: Record<
    string,
    (
      inv: StepInvocation,
    ) =>
      | Promise<{ exitCode: number; stdout?: unknown; stderr?: string }>
      | { exitCode: number; stdout?: unknown; stderr?: string }
  >,
) {
  const calls: StepInvocation[] = [];
  const exec: StepExecutor = async (inv) => {
    calls.push(inv);
    const word = inv.argv.find((a) => !a.startsWith('-') && a !== 'us-east-1')!;
    const answer = answers[word];
    if (!answer) throw new Error(`no fake answer for ${word}`);
    const r = await answer(inv);
    return {
      exitCode: r.exitCode,
      stdout: r.stdout === undefined ? '' : typeof r.stdout === 'string' ? r.stdout : JSON.stringify(r.stdout),
      stderr: r.stderr ?? '',
    };
  };
  return { exec, calls };
}

const errorLine = (code: string, message: string, details: Record<string, unknown> = {}) =>
  `${JSON.stringify({ error: { code, message, exitCode: 4, details } })}\n`;

describe('smoke runner', () => {
  it('passes values between steps and builds each command line from the step options', async () => {
    const token = jwt({ sub: 'alice', token_use: 'access', client_id: 'c1', scope: 'openid profile' });
    const s = parseScenario(
      `steps:
  - login: { userPoolId: p1, username: "\${env:USER_NAME}", password: "\${env:ALICE_PASSWORD}", no-cache: ` +
        `true, browser: false }
    expect:
      claims: { token_use: access, client_id: c1 }
  - id: call
    invoke:
      agent: arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-AbCdEf1234
      payload: { prompt: hi }
      bearer-token: \${steps.login.accessToken}
      header: [X-A:1, X-B:2]
    expect:
      json: { answer.text: "hello alice", status: 200 }
      contains: hello
  - run: [token, decode, "\${steps.login.accessToken}"]
    expect: { json: { payload.sub: "\${steps.call.answer.user}" } }
`,
      's.yaml',
    );
    const secrets: string[] = [];
    const { exec, calls } = fakeExecutor({
      login: () => ({ exitCode: 0, stdout: { accessToken: token, expiresIn: 3600 } }),
      invoke: () => ({ exitCode: 0, stdout: { status: 200, answer: { text: 'hello alice', user: 'alice' } } }),
      token: () => ({ exitCode: 0, stdout: { payload: { sub: 'alice' } } }),
    });
    const sum = await runScenario(s, {
      executor: exec,
      env: { USER_NAME: 'alice', ALICE_PASSWORD: 'Passw0rd!x' },
      globalArgs: ['--region', 'us-east-1'],
      onSecret: (v) => secrets.push(v),
    });
    expect(sum.results.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['login', 'pass', undefined],
      ['call', 'pass', undefined],
      ['run', 'pass', undefined],
    ]);
    expect(sum.exitCode).toBe(0);
    expect(calls[0]!.argv).toEqual([
      '--region',
      'us-east-1',
      '--json',
      'login',
      '--user-pool-id',
      'p1',
      '--username',
      'alice',
      '--password',
      'Passw0rd!x',
      '--no-cache',
      '--no-browser',
    ]);
    expect(calls[1]!.argv).toEqual([
      '--region',
      'us-east-1',
      '--json',
      'invoke',
      'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-AbCdEf1234',
      '{"prompt":"hi"}',
      '--bearer-token',
      token,
      '--header',
      'X-A:1',
      '--header',
      'X-B:2',
    ]);
    // The values of secret flags are known by position, for the reports.
    expect(sum.results[0]!.secretArgs.map((i) => calls[0]!.argv[i])).toEqual(['Passw0rd!x']);
    expect(sum.results[1]!.secretArgs.map((i) => calls[1]!.argv[i])).toEqual([token]);
    expect(calls[2]!.argv).toEqual(['--region', 'us-east-1', '--json', 'token', 'decode', token]);
    expect(sum.results[0]!.checks.map((c) => c.label)).toEqual([
      'allow',
      'claim token_use = "access"',
      'claim client_id = "c1"',
    ]);
    expect(secrets).toContain('Passw0rd!x');
    expect(secrets).toContain(token);
    expect(secrets).not.toContain('alice');
  });

  it('fails an unmet expectation with exit 6, says what was seen, and skips the steps that needed it', async () => {
    const s = parseScenario(
      `steps:
  - id: deny-me
    invoke: { agent: a, user-id: alice }
    expect: deny
  - id: after
    verify: "\${steps.deny-me.sessionId}"
  - id: independent
    explain: "Token has expired"
    expect: { contains: expired, maxDuration: 5s }
`,
      's.yaml',
    );
    const { exec } = fakeExecutor({
      invoke: () => ({ exitCode: 0, stdout: { status: 200, sessionId: 'x' } }),
      explain: () => ({ exitCode: 0, stdout: { cause: 'the token expired' } }),
    });
    const sum = await runScenario(s, { executor: exec, env: {} });
    expect(sum.exitCode).toBe(6);
    expect(sum.results.map((r) => r.status)).toEqual(['fail', 'skipped', 'pass']);
    expect(sum.results[0]!.reason).toBe('expected deny; got allowed: exit 0, HTTP 200');
    expect(sum.results[1]!.reason).toBe('not run: it needs "deny-me", which did not pass');
    expect([sum.passed, sum.failed, sum.skipped, sum.errored]).toEqual([1, 1, 1, 0]);
  });

  it('reads deny from exit 4 or a 401/403 status, and error names from the --json error', async () => {
    const s = parseScenario(
      `steps:
  - invoke: { agent: a }
    expect: { outcome: deny, status: 403, error: AccessDeniedException }
  - invoke: { agent: b }
    expect: { error: ERR_AUTH, status: [401] }
  - invoke: { agent: c }
    expect: deny
`,
      's.yaml',
    );
    let n = 0;
    const { exec } = fakeExecutor({
      invoke: () => {
        n++;
        if (n === 1)
          return {
            exitCode: 4,
            stderr: errorLine('ERR_AUTH', 'Authorization method mismatch', {
              status: 403,
              errorName: 'AccessDeniedException',
            }),
          };
        if (n === 2)
          return {
            exitCode: 4,
            stderr: `narrative\n${errorLine('ERR_AUTH', 'the agent wants a bearer token', { status: 401 })}`,
          };
        return { exitCode: 0, stdout: { status: 403 } };
      },
    });
    const sum = await runScenario(s, { executor: exec, env: {} });
    expect(sum.results.map((r) => [r.status, r.httpStatus])).toEqual([
      ['pass', 403],
      ['pass', 401],
      ['pass', 403],
    ]);
    expect(sum.exitCode).toBe(0);
  });

  it(
    'classifies a step that could not run (network, timeout, bad option) by its exit code, not as an ' +
      'expectation failure',
    async () => {
      const s = parseScenario(
        `steps:
  - invoke: { agent: a }
  - id: slow
    login: {}
    timeout: 50ms
  - id: expected-usage
    run: [token, decode, not-a-jwt]
    expect: { exitCode: 2, error: ERR_INPUT }
`,
        's.yaml',
      );
      const { exec } = fakeExecutor({
        invoke: () => ({ exitCode: 3, stderr: errorLine('ERR_NETWORK', 'connect ECONNREFUSED 127.0.0.1:1') }),
        login: (inv) =>
          new Promise((resolve) =>
            inv.signal.addEventListener('abort', () =>
              resolve({ exitCode: 130, stderr: errorLine('ERR_INTERRUPTED', 'interrupted') }),
            ),
          ),
        token: () => ({ exitCode: 2, stderr: errorLine('ERR_INPUT', 'not a JWT') }),
      });
      const sum = await runScenario(s, { executor: exec, env: {} });
      expect(sum.results.map((r) => [r.status, r.exitCode])).toEqual([
        ['error', 3],
        ['error', 5],
        ['pass', 2],
      ]);
      expect(sum.results[0]!.reason).toBe('could not run: ERR_NETWORK: connect ECONNREFUSED 127.0.0.1:1');
      expect(sum.results[1]!.reason).toMatch(/ERR_TIMEOUT: the step did not finish within 50 ms/);
      // Timeout outranks a network failure in the run's exit code.
      expect(sum.exitCode).toBe(5);
    },
  );

  it('a run interrupted before any step started exits 130 (interrupted), not 6, and runs nothing', async () => {
    const s = parseScenario(
      `steps:
  - login: {}
  - invoke: { agent: a }
`,
      's.yaml',
    );
    const { exec, calls } = fakeExecutor({ login: () => ({ exitCode: 0 }), invoke: () => ({ exitCode: 0 }) });
    const controller = new AbortController();
    controller.abort();
    const sum = await runScenario(s, { executor: exec, env: {}, signal: controller.signal });
    expect(calls).toHaveLength(0);
    expect(sum.results.map((r) => [r.status, r.reason])).toEqual([
      ['skipped', 'not run: interrupted'],
      ['skipped', 'not run: interrupted'],
    ]);
    expect(sum.exitCode).toBe(130);
  });

  it(
    'a step whose command exits 2 (its own configuration) fails that step: the run exits 6, the others still ' + 'run',
    async () => {
      const s = parseScenario(
        `steps:
  - id: cached
    invoke: { agent: a, bearer: nosuch }
  - id: other
    explain: "hello"
`,
        's.yaml',
      );
      const { exec, calls } = fakeExecutor({
        invoke: () => ({ exitCode: 2, stderr: errorLine('ERR_CONFIG', "no cached token named 'nosuch'") }),
        explain: () => ({ exitCode: 0, stdout: { id: 'x' } }),
      });
      const sum = await runScenario(s, { executor: exec, env: {} });
      expect(calls).toHaveLength(2);
      expect(sum.results.map((r) => [r.id, r.status, r.exitCode])).toEqual([
        ['cached', 'fail', 2],
        ['other', 'pass', 0],
      ]);
      expect(sum.exitCode).toBe(6);
    },
  );

  it(
    'turns a reference to a value a step did not produce into a scenario error (exit 2) that ' + 'lists what it has',
    async () => {
      const s = parseScenario(
        `steps:
  - login: {}
  - verify: "\${steps.login.acessToken}"
`,
        's.yaml',
      );
      const { exec, calls } = fakeExecutor({
        login: () => ({ exitCode: 0, stdout: { accessToken: 'x', idToken: 'y' } }),
      });
      const sum = await runScenario(s, { executor: exec, env: {} });
      expect(calls).toHaveLength(1);
      expect(sum.results[1]).toMatchObject({ status: 'error', exitCode: 2 });
      expect(sum.results[1]!.reason).toBe(
        'line 3: ${steps.login.acessToken}: step "login" has no "acessToken" in its output (it has: accessToken, ' +
          'idToken)',
      );
      expect(sum.exitCode).toBe(2);
    },
  );

  it(
    'runs independent steps concurrently up to --concurrency, and a dependent step only after ' + 'its source',
    async () => {
      const s = parseScenario(
        `steps:
${Array.from({ length: 8 }, (_, i) => `  - id: s${i}\n    explain: "m${i}"`).join('\n')}
  - id: last
    verify: "\${steps.s0.n}"
`,
        's.yaml',
      );
      const run = async (concurrency: number) => {
        let inFlight = 0;
        let maxInFlight = 0;
        const ended: string[] = [];
        const started: string[] = [];
        let lastSawSourceEnded = false;
        const { exec } = fakeExecutor({
          explain: async (inv) => {
            started.push(inv.step.id);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await new Promise((r) => setTimeout(r, inv.step.id === 's0' ? 60 : 20));
            inFlight--;
            ended.push(inv.step.id);
            return { exitCode: 0, stdout: { n: 1 } };
          },
          verify: (inv) => {
            started.push(inv.step.id);
            lastSawSourceEnded = ended.includes('s0');
            return { exitCode: 0, stdout: { ok: inv.argv.at(-1) === '1' } };
          },
        });
        const sum = await runScenario(s, { executor: exec, env: {}, concurrency });
        return { sum, maxInFlight, ended, started, lastSawSourceEnded };
      };
      const one = await run(1);
      expect(one.maxInFlight).toBe(1);
      expect(one.started).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 'last']);
      const four = await run(4);
      expect(four.maxInFlight).toBe(4);
      expect(four.sum.exitCode).toBe(0);
      // `last` reads s0, the slowest of the first wave: it starts only once s0 has ended.
      expect(four.ended.indexOf('s0')).toBeGreaterThan(0);
      expect(four.lastSawSourceEnded).toBe(true);
      // The report keeps the file order whatever the completion order.
      expect(four.sum.results.map((r) => r.id)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 'last']);
      expect(four.sum.results.find((r) => r.id === 'last')!.output).toEqual({ ok: true });
    },
  );

  it('--fail-fast starts nothing after the first failure', async () => {
    const s = parseScenario('steps:\n  - explain: a\n    expect: deny\n  - explain: b\n  - explain: c\n', 's.yaml');
    const { exec, calls } = fakeExecutor({ explain: () => ({ exitCode: 0, stdout: {} }) });
    const sum = await runScenario(s, { executor: exec, env: {}, failFast: true });
    expect(calls).toHaveLength(1);
    expect(sum.results.map((r) => r.status)).toEqual(['fail', 'skipped', 'skipped']);
    expect(sum.results[1]!.reason).toMatch(/--fail-fast stopped the run after "explain" failed/);
  });

  it('combines exit codes: could-not-run codes first (130, 1, 2, 5, 3), then 6, then 0', () => {
    expect(combineExitCodes([])).toBe(0);
    expect(combineExitCodes([0, 0])).toBe(0);
    expect(combineExitCodes([0, 6, 0])).toBe(6);
    expect(combineExitCodes([6, 3, 5])).toBe(5);
    expect(combineExitCodes([3, 2])).toBe(2);
    expect(combineExitCodes([2, 130, 1])).toBe(130);
    expect(combineExitCodes([6, 42])).toBe(1);
  });

  it('lists the environment variables a scenario needs and lacks, with their lines', () => {
    const s = parseScenario(
      `env:
  AGENT: \${env:AGENT_ARN}
steps:
  - invoke: { agent: "\${env:AGENT}", user-id: "\${env:USER_ID:-alice}", bearer-token: "\${env:TOKEN}" }
  - login: { password: "\${env:PASSWORD}" }
    env: { PASSWORD: x }
`,
      's.yaml',
    );
    expect(missingEnv(s, {})).toEqual([
      { name: 'AGENT_ARN', line: 2 },
      { name: 'TOKEN', line: 4 },
    ]);
    expect(missingEnv(s, { AGENT_ARN: 'a', TOKEN: 't' })).toEqual([]);
  });
});
