/**
 * The shipped examples/ scenarios, run as the CI smoke tests guide says: against the local stack started with
 * examples/local-stack.yaml (in-process here), with only the variables `agentcore-auth local` exports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { runCommand } from '../helpers/context.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, configFile: 'examples/local-stack.yaml' });
});
afterAll(async () => {
  await stack?.close();
});

const run = (argv: string[]) => runCommand(argv, { env: { ...stack.env }, cwd: process.cwd() });
const records = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('examples/ against the local stack', () => {
  it(
    'inbound.yaml passes; --negative adds a no-token and a wrong-mode check per allowed invoke, ' + 'all denied',
    async () => {
      const r = await run(['smoke', 'examples/inbound.yaml', '--negative', '--json']);
      if (r.code !== 0) console.log(r.stdout, r.stderr);
      expect(r.code).toBe(0);
      const recs = records(r.stdout);
      const steps = recs.filter((x) => x.type === 'step');
      expect(steps.map((x) => [x.id, x.status])).toEqual([
        ['login', 'pass'],
        ['bearer', 'pass'],
        ['bearer-no-token', 'pass'],
        ['bearer-wrong-mode', 'pass'],
        ['id-token', 'pass'],
        ['sigv4-to-oauth-agent', 'pass'],
        ['sigv4', 'pass'],
        ['sigv4-wrong-mode', 'pass'],
        ['verify', 'pass'],
      ]);
      const byId = Object.fromEntries(steps.map((x) => [x.id, x]));
      expect(byId['bearer-no-token']!.derivedFrom).toEqual({ step: 'bearer', check: 'no-token' });
      expect(byId['bearer-no-token']!.command).toMatch(
        /^agentcore-auth invoke arn:\S+jwt_agent-example001 '\{"prompt": "smoke test"\}' --auth sigv4$/,
      );
      expect(byId['bearer-wrong-mode']!.command).toMatch(/--auth sigv4 --user-id agentcore-auth-smoke-negative$/);
      expect(byId['sigv4-wrong-mode']!.command).toMatch(/--auth bearer --bearer-token 'eyJhbG…\[\d+ chars\]'$/);
      expect(byId['sigv4-to-oauth-agent']).toMatchObject({ exitCode: 4, httpStatus: 403 });
      expect(recs.at(-1)).toMatchObject({ type: 'summary', total: 9, passed: 9, exitCode: 0 });
    },
  );

  it('outbound.yaml passes with --concurrency 4', async () => {
    const r = await run(['smoke', 'examples/outbound.yaml', '--concurrency', '4']);
    if (r.code !== 0) console.log(r.stdout, r.stderr);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('outbound auth (examples/outbound.yaml) — 6 steps, up to 4 at once');
    // Reported in file order although they ran four at a time.
    expect(
      r.stdout
        .split('\n')
        .slice(1, 7)
        .map((l) => l.trim().split(/\s+/).slice(0, 2).join(' ')),
    ).toEqual(
      ['login', 'workload-for-user-id', 'workload-for-jwt', 'm2m', 'api-key', 'unknown-provider'].map(
        (id) => `✓ ${id}`,
      ),
    );
    expect(r.stdout).toMatch(/^6 passed of 6 steps in .* — all expectations met$/m);
    expect(r.stdout).not.toContain('sk-local-example-api-key');
  });

  it(
    'both examples in one run, as the GitHub Actions example runs them (--negative --concurrency 4, one JUnit ' +
      'file)',
    async () => {
      const { mkdtempSync, readFileSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const junit = join(mkdtempSync(join(tmpdir(), 'aca-smoke-both-')), 'reports', 'agentcore-smoke.xml');
      const r = await run([
        'smoke',
        '--negative',
        '--concurrency',
        '4',
        '--junit',
        junit,
        'examples/inbound.yaml',
        'examples/outbound.yaml',
      ]);
      if (r.code !== 0) console.log(r.stdout, r.stderr);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/\n\n2 scenarios: 15 passed of 15 steps in .* — all expectations met\n$/);
      expect(readFileSync(junit, 'utf8').match(/<testsuite /g)).toHaveLength(2);
    },
  );

  it('fails with exit 6, saying what was seen, when the "OAuth agent" is in fact an IAM agent', async () => {
    const r = await runCommand(['smoke', 'examples/inbound.yaml'], {
      env: {
        ...stack.env,
        SMOKE_JWT_AGENT_ARN: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/sigv4_agent-example002',
      },
      cwd: process.cwd(),
    });
    expect(r.code).toBe(6);
    expect(r.stdout).toMatch(
      new RegExp(
        /✗ bearer\s+\d+(?:\.\d+)? m?s\s+the OAuth agent accepts the access token · /.source +
          /expected allow; got denied: exit 4 ERR_AUTH/.source,
      ),
    );
    expect(r.stdout).toMatch(/✗ sigv4-to-oauth-agent\s+\d+(?:\.\d+)? m?s\s+.*expected deny; got allowed: exit 0/);
    expect(r.stdout).toMatch(/expectations failed \(exit 6\)$/m);
  });

  it('a step with show-secrets hands a resource token to the next step; the report still masks it', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'aca-smoke-show-'));
    writeFileSync(
      join(dir, 'chain.yaml'),
      `steps:
  - id: m2m
    exchange: { workload-name: local-workload, provider: local-m2m, flow: m2m, scopes: agentcore/invoke, ` +
        `show-secrets: true }
    expect:
      claims: { client_id: exampleappclient0000000000, scope: agentcore/invoke }
      claimsFrom: resourceToken.value
  - id: decode
    run: [token, decode, "\${steps.m2m.resourceToken.value}"]
    expect:
      json: { payload.client_id: exampleappclient0000000000 }
`,
    );
    const r = await runCommand(['smoke', 'chain.yaml', '--junit', 'chain.xml'], { env: { ...stack.env }, cwd: dir });
    if (r.code !== 0) console.log(r.stdout, r.stderr);
    expect(r.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const junit = readFileSync(join(dir, 'chain.xml'), 'utf8');
    for (const text of [r.stdout, r.stderr, junit])
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/);
  });
});
