/**
 * `smoke` end to end, in-process: scenarios whose steps run the real `login` (cognito-local through the AWS SDK),
 * `verify` (cognito-local discovery + JWKS), `token decode` and `explain`. Passing, failing and malformed scenarios,
 * exit codes, JUnit validity, NDJSON, concurrency, variable passing, and no secret in any output.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCommand } from '../helpers/context.js';
import { parseXml, type XmlElement } from '../fixtures/xml.js';
import { createAppClient, createUser } from '../fixtures/cognito-users.js';

const c = inject('cognito');

let dir: string;
let env: Record<string, string>;
let password: string;

beforeAll(async () => {
  const client = await createAppClient(c, {
    prefix: 'smoke',
    flows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  const user = await createUser(c, { prefix: 'smoke' });
  const username = user.username;
  password = user.password;
  dir = mkdtempSync(join(tmpdir(), 'aca-smoke-'));
  env = {
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: c.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_REGION: 'us-east-1',
    POOL_ID: c.poolId,
    CLIENT_ID: client.clientId,
    USER_NAME: username,
    USER_PASSWORD: password,
    DISCOVERY_URL: c.discoveryUrl,
  };
});

function scenario(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const LOGIN = `  - id: login
    login:
      user-pool-id: \${env:POOL_ID}
      client-id: \${env:CLIENT_ID}
      username: \${env:USER_NAME}
      password: \${env:USER_PASSWORD}
      cache: false
`;

const run = (argv: string[], extraEnv: Record<string, string> = {}) =>
  runCommand(argv, { env: { ...env, ...extraEnv }, cwd: dir });

/** No complete JWT and no password may be printed anywhere. */
function expectNoSecrets(...texts: string[]) {
  for (const t of texts) {
    expect(t).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/);
    expect(t).not.toContain(password);
  }
}

function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

describe('smoke (in-process, real commands)', () => {
  it(
    'passes a scenario: login → verify (allow and deny) → token decode → explain; report, JUnit ' + 'and exit 0',
    async () => {
      const file = scenario(
        'pass.yaml',
        `name: cognito-local inbound
steps:
${LOGIN}    expect:
      claims: { token_use: access, client_id: "\${env:CLIENT_ID}" }
      json: { flow: user-password, username: "\${env:USER_NAME}" }
      maxDuration: 15s
  - id: verify
    verify:
      token: \${steps.login.accessToken}
      discovery-url: \${env:DISCOVERY_URL}
      allowed-clients: \${env:CLIENT_ID}
    expect: { outcome: allow, json: { verdict: accepted } }
  - id: wrong-client
    name: a token for another client is rejected
    verify:
      token: \${steps.login.tokens.accessToken}
      discovery-url: \${env:DISCOVERY_URL}
      allowed-clients: [someone-else]
    expect: { outcome: deny, json: { verdict: rejected } }
  - id: decode
    run: [token, decode, "\${steps.login.idToken}"]
    expect: { json: { payload.token_use: id, "payload.cognito:username": "\${env:USER_NAME}" } }
  - explain: Authorization method mismatch
    expect: { contains: [SigV4, bearer], json: { id: method-mismatch } }
`,
      );
      const r = await run(['smoke', file, '--junit', 'out/junit.xml']);
      if (r.code !== 0) console.log(r.stdout, r.stderr);
      expect(r.stderr).not.toContain('error:');
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe('cognito-local inbound (pass.yaml) — 5 steps');
      expect(lines.slice(1, 6).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
        '✓ login',
        '✓ verify',
        '✓ wrong-client',
        '✓ decode',
        '✓ explain',
      ]);
      expect(r.stdout).toMatch(
        /✓ wrong-client\s+\d+(?:\.\d+)? m?s\s+a token for another client is rejected · deny, verdict = "rejected"/,
      );
      expect(r.stdout).toMatch(/^5 passed of 5 steps in .* — all expectations met$/m);
      expect(r.stderr).toContain('JUnit report: out/junit.xml');
      expectNoSecrets(r.stdout, r.stderr);

      const xml = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
      expectNoSecrets(xml);
      const root = parseXml(xml);
      expect(root.name).toBe('testsuites');
      expect(root.attrs).toMatchObject({ tests: '5', failures: '0', errors: '0', skipped: '0' });
      const [suite] = children(root, 'testsuite');
      expect(suite!.attrs).toMatchObject({ name: 'cognito-local inbound', tests: '5', file: 'pass.yaml' });
      expect(suite!.attrs.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      const cases = children(suite!, 'testcase');
      expect(cases.map((tc) => tc.attrs.name)).toEqual([
        'login',
        'verify',
        'wrong-client: a token for another client is rejected',
        'decode',
        'explain',
      ]);
      expect(cases.map((tc) => tc.attrs.line)).toEqual(['3', '14', '20', '27', '30']);
      for (const tc of cases) {
        expect(Number(tc.attrs.time)).toBeGreaterThanOrEqual(0);
        expect(children(tc, 'failure')).toHaveLength(0);
      }
    },
  );

  it(
    'fails with exit 6 when an expectation is not met; says what was seen; skips what depended on it; JUnit ' +
      'has the failure',
    async () => {
      const file = scenario(
        'fail.yaml',
        `steps:
  - id: bad-login
    login:
      user-pool-id: \${env:POOL_ID}
      client-id: \${env:CLIENT_ID}
      username: \${env:USER_NAME}
      password: not-the-password
      cache: false
  - id: verify
    verify: { token: "\${steps.bad-login.accessToken}", discovery-url: "\${env:DISCOVERY_URL}" }
  - explain: Token has expired
    expect: { json: { id: nothing-like-this } }
  - explain: Token has expired
    expect: { maxDuration: 10s }
`,
      );
      const r = await run(['smoke', file, '--junit', 'fail.xml']);
      expect(r.code).toBe(6);
      expect(r.stdout).toMatch(
        new RegExp(
          /✗ bad-login\s+\d+(?:\.\d+)? m?s\s+expected allow; got denied: exit 4 ERR_AUTH, /.source +
            /(HTTP 400 InvalidPasswordException|NotAuthorizedException)$/.source,
          'm',
        ),
      );
      expect(r.stdout).toContain('$ agentcore-auth login --user-pool-id');
      expect(r.stdout).toContain("--password '[16 chars]'");
      expect(r.stdout).toMatch(/line 2 · exit 4/);
      expect(r.stdout).toMatch(/- verify\s+not run: it needs "bad-login", which did not pass/);
      expect(r.stdout).toMatch(/✗ explain\s+\d+(?:\.\d+)? m?s\s+expected id = "nothing-like-this"; got "[a-z-]+"/);
      expect(r.stdout).toMatch(/✓ explain-2/);
      expect(r.stdout).toMatch(/^1 passed, 2 failed, 1 skipped of 4 steps in .* — expectations failed \(exit 6\)$/m);
      expect(r.stderr).toContain('Rerun with --verbose to see the HTTP exchanges of the steps that did not pass');
      expectNoSecrets(r.stdout, r.stderr);
      const root = parseXml(readFileSync(join(dir, 'fail.xml'), 'utf8'));
      expect(root.attrs).toMatchObject({ tests: '4', failures: '2', errors: '0', skipped: '1' });
      const cases = children(children(root, 'testsuite')[0]!, 'testcase');
      const failure = children(cases[0]!, 'failure')[0]!;
      expect(failure.attrs.type).toBe('ExpectationFailed');
      expect(failure.attrs.message).toMatch(/^expected allow; got denied: exit 4 ERR_AUTH/);
      expect(failure.text).toMatch(/FAIL allow \(got denied/);
      expect(children(cases[1]!, 'skipped')[0]!.attrs.message).toMatch(/needs "bad-login"/);

      // --verbose: the failed command's own stderr, with its HTTP trace, under the step (secrets still masked).
      const v = await run(['smoke', file, '--verbose']);
      expect(v.code).toBe(6);
      expect(v.stdout).toMatch(/stderr of the command:\n\s+│ /);
      expect(v.stdout).toMatch(/│ .*POST http:\/\/127\.0\.0\.1:\d+/);
      expectNoSecrets(v.stdout, v.stderr);
      expect(v.stdout).not.toContain('not-the-password');
    },
  );

  it('--json prints one NDJSON record per step and a summary, secrets masked', async () => {
    const file = scenario(
      'json.yaml',
      `steps:
${LOGIN}  - verify: { token: "\${steps.login.accessToken}", discovery-url: "\${env:DISCOVERY_URL}" }
    expect: { json: { accepted: true } }
`,
    );
    const r = await run(['smoke', file, '--json']);
    expect(r.code).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((x) => [x.type, x.id ?? x.exitCode, x.status])).toEqual([
      ['step', 'login', 'pass'],
      ['step', 'verify', 'pass'],
      ['summary', 0, undefined],
    ]);
    expect(records[1]!.command).toMatch(/^agentcore-auth verify 'eyJ\S*…\[\d+ chars\]' --discovery-url \S+$/);
    expect(records[2]).toMatchObject({ type: 'summary', total: 2, passed: 2, failed: 0, errored: 0, skipped: 0 });
    expect(records[0]!.checks).toEqual([{ label: 'allow', ok: true }]);
    expectNoSecrets(r.stdout, r.stderr);
  });

  it('runs independent steps concurrently (--concurrency) and keeps the report in file order', async () => {
    const verifies = Array.from(
      { length: 6 },
      (_, i) =>
        `  - id: v${i}\n    verify: { token: "\${steps.login.accessToken}", discovery-url: ` +
        `"\${env:DISCOVERY_URL}", allowed-clients: "${i % 2 ? 'other' : '${env:CLIENT_ID}'}" }\n    ` +
        `expect: ${i % 2 ? 'deny' : 'allow'}\n`,
    ).join('');
    const file = scenario('many.yaml', `steps:\n${LOGIN}${verifies}`);
    const r = await run(['smoke', file, '--concurrency', '3', '--json']);
    expect(r.code).toBe(0);
    const ids = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id as string | undefined);
    expect(ids).toEqual(['login', 'v0', 'v1', 'v2', 'v3', 'v4', 'v5', undefined]);
    const human = await run(['smoke', file, '-c', '3']);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toBe('many.yaml — 7 steps, up to 3 at once');
  });

  it('a step that cannot run (unreachable endpoint) makes the run exit 3, not 6', async () => {
    const file = scenario(
      'infra.yaml',
      `steps:
  - verify:
      token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl
      discovery-url: http://127.0.0.1:9/.well-known/openid-configuration
`,
    );
    const r = await run(['smoke', file]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/! verify\s+\d+(?:\.\d+)? m?s\s+could not run: ERR_NETWORK/);
    expect(r.stdout).toMatch(/steps could not run \(exit 3\)$/m);
  });

  it('a malformed scenario exits 2 with the file and line; so do an unknown option and an unset variable', async () => {
    const bad = scenario('bad.yaml', 'steps:\n  - login: {}\n    expct: allow\n');
    const r1 = await run(['smoke', bad]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('error: bad.yaml:3: steps[0]: unknown key "expct" (did you mean "expect"?)');
    expect(r1.stderr).toMatch(/hint: .*examples\//);
    expect(r1.stdout).toBe('');

    const opt = scenario('opt.yaml', 'steps:\n  - login:\n      user-pool: x\n      username: y\n');
    const r2 = await run(['smoke', opt]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(
      /error: opt\.yaml:3: step "login": `login` has no option --user-pool \(did you mean --user-pool-id/,
    );

    const unset = scenario('unset.yaml', `steps:\n  - verify: { token: "\${env:NOPE_TOKEN}" }\n`);
    const r3 = await run(['smoke', unset]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('error: unset.yaml:2: environment variable NOPE_TOKEN is not set');
    expect(r3.stderr).toContain('${env:NOPE_TOKEN:-value}');

    const r4 = await run(['smoke', 'missing.yaml']);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('error: scenario file not found: missing.yaml');

    const r5 = await run(['smoke', bad, '--concurrency', '0']);
    expect(r5.code).toBe(2);
    expect(r5.stderr).toContain('--concurrency must be a whole number from 1 to 256');
  });

  it(
    'runs several scenario files one after the other: totals, one JUnit file with a suite each, the worst ' +
      'exit code',
    async () => {
      const a = scenario('a.yaml', 'name: first\nsteps:\n  - explain: Token has expired\n');
      const b = scenario(
        'b.yaml',
        'name: second\nsteps:\n  - explain: Token has expired\n    expect: deny\n  - explain: Authorization ' +
          'method mismatch\n',
      );
      const r = await run(['smoke', a, b, '--junit', 'two.xml']);
      expect(r.code).toBe(6);
      expect(r.stdout).toMatch(/^first \(a\.yaml\) — 1 step\n/);
      expect(r.stdout).toContain('\n\nsecond (b.yaml) — 2 steps\n');
      expect(r.stdout).toMatch(/^1 passed of 1 step in .* — all expectations met$/m);
      expect(r.stdout).toMatch(/^1 passed, 1 failed of 2 steps in .* — expectations failed \(exit 6\)$/m);
      expect(r.stdout).toMatch(
        /\n\n2 scenarios: 2 passed, 1 failed of 3 steps in .* — expectations failed \(exit 6\)\n$/,
      );
      const root = parseXml(readFileSync(join(dir, 'two.xml'), 'utf8'));
      expect(root.attrs).toMatchObject({ tests: '3', failures: '1' });
      expect(children(root, 'testsuite').map((x) => [x.attrs.name, x.attrs.file, x.attrs.tests])).toEqual([
        ['first', 'a.yaml', '1'],
        ['second', 'b.yaml', '2'],
      ]);

      const json = await run(['smoke', a, b, '--json']);
      const recs = json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(recs.map((x) => [x.type, x.file])).toEqual([
        ['step', 'a.yaml'],
        ['summary', 'a.yaml'],
        ['step', 'b.yaml'],
        ['step', 'b.yaml'],
        ['summary', 'b.yaml'],
        ['total', undefined],
      ]);
      expect(recs.at(-1)).toMatchObject({ scenarios: 2, run: 2, total: 3, passed: 2, failed: 1, exitCode: 6 });

      // A malformed file anywhere stops the run before any step runs.
      const bad = scenario('bad2.yaml', 'steps:\n  - explain: x\n    expect: maybe\n');
      const r2 = await run(['smoke', a, bad]);
      expect(r2.code).toBe(2);
      expect(r2.stdout).toBe('');
      expect(r2.stderr).toMatch(/error: bad2\.yaml:3: step "explain": expect must be allow, deny, or a mapping/);
    },
  );

  it('reads a scenario from stdin', async () => {
    const r = await runCommand(['smoke', '-'], { env, cwd: dir, stdin: 'steps:\n  - explain: "Token has expired"\n' });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('<stdin> — 1 step');
  });
});
