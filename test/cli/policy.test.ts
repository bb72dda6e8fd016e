/** `agentcore-auth policy check|test|validate`, whole CLI in-process, against the example files and temp files. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/context.js';

const EXAMPLES = resolve('examples/policy');
const base = ['--policy-file', 'shop.cedar', '--tools', 'tools.json'];
const SUPPORT = { sub: 'alice', token_use: 'access', 'cognito:groups': ['support'], exp: 1735689600 };
const inExamples = (argv: string[], stdin?: string) =>
  runCommand(argv, { cwd: EXAMPLES, ...(stdin !== undefined ? { stdin } : {}) });

/** A JWT as a gateway would receive it (decoded, never verified, by policy check). */
function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.c2lnbmF0dXJl`;
}

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'aca-policy-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('policy check', () => {
  it('allow: exit 0, the determining policy with file:line, every claim as a string tag', async () => {
    const r = await inExamples([
      '--json',
      'policy',
      'check',
      ...base,
      '--claims',
      JSON.stringify(SUPPORT),
      '--tool',
      'RefundTool___process_refund',
      '--input',
      '{"orderId":"o-1","amount":100}',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      decision: 'allow',
      tool: 'RefundTool___process_refund',
      gatewayArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/shop-abcdefghij',
      principal: {
        type: 'AgentCore::OAuthUser',
        id: 'alice',
        tags: { sub: 'alice', token_use: 'access', 'cognito:groups': '["support"]', exp: '1735689600' },
      },
      determining: [{ id: 'refund-small', effect: 'permit', file: 'shop.cedar', line: 2 }],
      errors: [],
    });
    expect(out.denialText).toBeUndefined();
  });

  it('deny by a forbid: exit 4, the gateway text naming the policy; a bearer token on stdin as caller', async () => {
    const token = jwt({ sub: 'dave', token_use: 'access', suspended: true });
    const r = await inExamples(
      ['policy', 'check', ...base, '--bearer-token', '-', '--tool', 'Weather___forecast', '--input', '{"city":"Lyon"}'],
      token,
    );
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^decision {3}DENY$/m);
    expect(r.stdout).toContain('forbid no-suspended  shop.cedar:24');
    expect(r.stdout).toContain('suspended = "true"');
    expect(r.stdout).toContain(
      'gateway    AuthorizeActionException - Tool Execution Denied: Tool call not allowed due to policy enforcement ' +
        '[Policy evaluation denied due to no-suspended]',
    );
    expect(r.stderr).toContain('the claims of the token from --bearer-token - (stdin) (decoded, not verified)');
    expect(r.stderr).not.toContain(token);
  });

  it('deny by default names no policy, and reports a getTag on a missing tag as an error met', async () => {
    const dir = tempDir({
      'p.cedar':
        'permit(principal, action in AgentCore::Action::"CallTool", resource is AgentCore::Gateway) ' +
        'when { principal.getTag("dept") == "ops" };',
    });
    const r = await runCommand(
      ['--json', 'policy', 'check', '--policy-file', 'p.cedar', '--claims', '{"sub":"x"}', '--tool', 'Ops___restart'],
      { cwd: dir },
    );
    expect(r.code).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ decision: 'deny', determining: [] });
    expect(out.denialText).toMatch(/\[No policy applies to the request \(denied by default\)\.\]$/);
    expect(out.errors).toEqual([
      expect.objectContaining({
        policyId: 'p.cedar#1',
        line: 1,
        message: expect.stringMatching(/does not have the tag `dept`/),
      }),
    ]);
    expect(r.stderr).toMatch(/no tools file: each tool input schema was inferred/);
    expect(r.stderr).toMatch(/no policy names a gateway/);
  });

  it('an IAM caller is an IamEntity whose id is its ARN', async () => {
    const dir = tempDir({
      'iam.cedar':
        'permit(principal is AgentCore::IamEntity, action in AgentCore::Action::"CallTool", ' +
        'resource is AgentCore::Gateway) ' +
        'when { principal.id like "arn:aws:iam::123456789012:role/ops-*" };',
    });
    const argv = ['--json', 'policy', 'check', '--policy-file', 'iam.cedar', '--tool', 'Ops___restart', '--iam-arn'];
    const ok = await runCommand([...argv, 'arn:aws:iam::123456789012:role/ops-oncall'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).principal).toEqual({
      type: 'AgentCore::IamEntity',
      id: 'arn:aws:iam::123456789012:role/ops-oncall',
      tags: {},
    });
    expect((await runCommand([...argv, 'arn:aws:iam::123456789012:role/dev'], { cwd: dir })).code).toBe(4);
    const bad = await runCommand([...argv, 'not-an-arn'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an IAM principal ARN/);
  });

  it.each([
    [
      ['--claims', '{"sub":"a"}', '--tool', 'Nope___x'],
      /unknown tool Nope___x\nhint: The gateway's tools: RefundTool___process_refund, Weather___forecast/,
    ],
    [
      ['--claims', '{"sub":"a"}', '--tool', 'Weather___forecast', '--input', '{"city":3}'],
      /input\.city: expected a string, got 3/,
    ],
    [
      ['--claims', '{"sub":"a"}', '--tool', 'Weather___forecast', '--input', '{}'],
      /input\.city: required by the tool's input schema/,
    ],
    [['--claims', '{"sub":"a"}', '--tool', 'Weather___forecast', '--input', '[1]'], /--input must be a JSON object/],
    [['--claims', '{"role":"a"}', '--tool', 'Weather___forecast'], /the claims have no "sub"/],
    [['--claims', 'sub=a', '--tool', 'Weather___forecast'], /--claims is not JSON/],
    [
      ['--claims', '["a"]', '--tool', 'Weather___forecast'],
      /--claims must be a JSON object, got an array\nhint: Example: --claims '\{"sub":"alice","cognito:groups"/,
    ],
    [['--bearer-token', 'not-a-jwt', '--tool', 'Weather___forecast'], /not a JWT/],
    [['--tool', 'Weather___forecast'], /no caller/],
    [
      ['--claims', '{"sub":"a"}', '--iam-arn', 'arn:aws:iam::1:role/x', '--tool', 'W___f'],
      /option '--claims <json>' cannot be used with option '--iam-arn <arn>'/,
    ],
    [['--claims', '{"sub":"a"}'], /required option '--tool <name>' not specified/],
  ])('bad input %j → exit 2', async (args, message) => {
    const r = await inExamples(['policy', 'check', ...base, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unparsable policy file is exit 2 naming file:line:column', async () => {
    const dir = tempDir({ 'bad.cedar': '// one\npermit(principal, action\n  resource);\n' });
    const r = await runCommand(
      ['policy', 'check', '--policy-file', 'bad.cedar', '--claims', '{"sub":"a"}', '--tool', 'A___b'],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: bad\.cedar:3:3: unexpected token `resource`/m);
  });
});

describe('policy test', () => {
  it('the example table passes (exit 0) and --json gives every case', async () => {
    const r = await runCommand(['--json', 'policy', 'test', 'examples/policy/shop.policy-test.yaml'], {
      cwd: resolve('.'),
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ name: 'shop gateway policies', passed: 5, failed: 0 });
    expect(out.cases[4]).toMatchObject({
      name: 'a suspended account is forbidden',
      got: 'deny',
      determining: ['no-suspended'],
    });
  });

  it('a miss is exit 6, shown in the table and in the JUnit report', async () => {
    const dir = tempDir({
      'p.cedar': readFileSync(join(EXAMPLES, 'shop.cedar'), 'utf8'),
      't.json': JSON.stringify({
        policies: 'p.cedar',
        tools: JSON.parse(readFileSync(join(EXAMPLES, 'tools.json'), 'utf8')).tools,
        cases: [
          {
            name: 'ok',
            claims: { sub: 'c', token_use: 'access' },
            tool: 'Weather___forecast',
            input: { city: 'x' },
            expect: 'allow',
          },
          {
            name: 'wrong',
            claims: { sub: 'c', token_use: 'id' },
            tool: 'Weather___forecast',
            input: { city: 'x' },
            expect: 'allow',
          },
          {
            name: 'wrong policy',
            claims: { sub: 'c', token_use: 'access' },
            tool: 'Weather___forecast',
            input: { city: 'x' },
            expect: 'allow',
            determining: ['refund-small'],
          },
        ],
      }),
    });
    const r = await runCommand(['policy', 'test', 't.json', '--junit', 'out/junit.xml'], { cwd: dir });
    expect(r.code).toBe(6);
    expect(r.stdout).toMatch(/^PASS {2}ok {12}allow \(forecast-for-all\)$/m);
    expect(r.stdout).toMatch(/^FAIL {2}wrong {9}expected allow, got deny \(default deny\)$/m);
    expect(r.stdout).toMatch(
      /^FAIL {2}wrong policy {2}expected determining \[refund-small\], got \[forecast-for-all\]/m,
    );
    expect(r.stdout).toMatch(/3 cases: 1 passed, 2 failed$/m);
    const xml = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite name="t\.json" tests="3" failures="2" errors="0"/);
    expect(xml).toMatch(/<testcase name="wrong" classname="policy\.t\.json" file="t\.json" line="1"/);
    expect(xml).toContain('<failure message="expected allow, got deny" type="PolicyDecisionMismatch">');
  });

  it('problems in the file are exit 2 with the line of each case', async () => {
    const dir = tempDir({
      'p.cedar': readFileSync(join(EXAMPLES, 'shop.cedar'), 'utf8'),
      'tools.json': readFileSync(join(EXAMPLES, 'tools.json'), 'utf8'),
      't.yaml': [
        'policies: [p.cedar]',
        'tools: tools.json',
        'cases:',
        '  - name: unknown tool',
        '    claims: {sub: a}',
        '    tool: Nope___x',
        '    expect: allow',
        '  - name: bad input',
        '    claims: {sub: a}',
        '    tool: Weather___forecast',
        '    input: {city: 5}',
        '    expect: deny',
        '  - name: two callers',
        '    claims: {sub: a}',
        '    iam: arn:aws:iam::123456789012:role/x',
        '    tool: Weather___forecast',
        '    expect: maybe',
        '',
      ].join('\n'),
    });
    const first = await runCommand(['policy', 'test', 't.yaml'], { cwd: dir });
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/t\.yaml:13: a case needs exactly one of claims, token or iam \(got claims, iam\)/);
    expect(first.stderr).toMatch(/t\.yaml:13: cases\[2\]: expect: must be allow or deny/);
    writeFileSync(join(dir, 't.yaml'), readFileSync(join(dir, 't.yaml'), 'utf8').split('  - name: two callers')[0]!);
    const second = await runCommand(['policy', 'test', 't.yaml'], { cwd: dir });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/t\.yaml:4: unknown tool: unknown tool Nope___x \(The gateway's tools: /);
    expect(second.stderr).toMatch(/t\.yaml:8: bad input: the input does not match Weather___forecast's input schema/);
  });
  it('a JSON table names the line of each case too', async () => {
    const table = {
      policies: ['p.cedar'],
      cases: [
        { name: 'fine', claims: { sub: 'a' }, tool: 'Weather___forecast', input: { city: 'x' }, expect: 'deny' },
        { name: 'no caller', tool: 'Weather___forecast', expect: 'deny' },
      ],
    };
    const dir = tempDir({
      'p.cedar': readFileSync(join(EXAMPLES, 'shop.cedar'), 'utf8'),
      't.json': JSON.stringify(table, null, 2),
    });
    const r = await runCommand(['policy', 'test', 't.json'], { cwd: dir });
    expect(r.code).toBe(2);
    const line = JSON.stringify(table, null, 2).split('\n').indexOf('    {', 6) + 1;
    expect(r.stderr).toContain(`t.json:${line}: a case needs exactly one of claims, token or iam (got none)`);
  });
});

describe('policy validate', () => {
  it('the example file is clean (exit 0)', async () => {
    const r = await inExamples(['policy', 'validate', 'shop.cedar', '--tools', 'tools.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('3 policies in 1 file: 0 errors, 0 warnings\n');
  });

  it('schema errors and findings with file:line; IGNORE_ALL_FINDINGS keeps only the schema errors', async () => {
    const gw = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/shop-abcdefghij';
    const dir = tempDir({
      'tools.json': readFileSync(join(EXAMPLES, 'tools.json'), 'utf8'),
      'p.cedar': [
        'permit(principal, action == AgentCore::Action::"Weather___forecast", ' +
          `resource == AgentCore::Gateway::"${gw}");`,
        '',
        `permit(principal, action == AgentCore::Action::"Weather___forecast", resource == AgentCore::Gateway::"${gw}")`,
        '  when { principal.getTag("dept") == "ops" };',
      ].join('\n'),
    });
    const r = await runCommand(['policy', 'validate', 'p.cedar', '--tools', 'tools.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^p\.cedar:1: error: overly permissive/m);
    expect(r.stdout).toMatch(/^p\.cedar:4:\d+: error: .*unable to guarantee safety of access to tag `"dept"`/m);
    expect(r.stdout).toMatch(/^2 policies in 1 file: 2 errors, 0 warnings$/m);
    const ignore = await runCommand(
      ['--json', 'policy', 'validate', 'p.cedar', '--tools', 'tools.json', '--validation-mode', 'IGNORE_ALL_FINDINGS'],
      { cwd: dir },
    );
    expect(ignore.code).toBe(2);
    expect(JSON.parse(ignore.stdout)).toMatchObject({ errors: 1, diagnostics: [{ line: 4, source: 'schema' }] });
  });
});

describe('a policy step in a smoke scenario', () => {
  it('runs policy check; expect allow / deny are its exit codes 0 / 4', async () => {
    const claims = (extra: string) => `'{"sub":"eve","token_use":"access"${extra}}'`;
    const dir = tempDir({
      's.yaml': [
        'name: policy steps',
        'steps:',
        '  - id: forecast',
        '    policy:',
        `      policy-file: ${join(EXAMPLES, 'shop.cedar')}`,
        `      tools: ${join(EXAMPLES, 'tools.json')}`,
        `      claims: ${claims('')}`,
        '      tool: Weather___forecast',
        `      input: '{"city":"Lyon"}'`,
        '    expect: allow',
        '  - id: suspended',
        '    policy:',
        `      policy-file: ${join(EXAMPLES, 'shop.cedar')}`,
        `      tools: ${join(EXAMPLES, 'tools.json')}`,
        `      claims: ${claims(',"suspended":true')}`,
        '      tool: Weather___forecast',
        `      input: '{"city":"Lyon"}'`,
        '    expect:',
        '      outcome: deny',
        '      contains: no-suspended',
        '',
      ].join('\n'),
    });
    const r = await runCommand(['--json', 'smoke', 's.yaml'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const steps = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((x) => x.type === 'step');
    expect(steps.map((s) => [s.id, s.kind, s.status, s.exitCode])).toEqual([
      ['forecast', 'policy', 'pass', 0],
      ['suspended', 'policy', 'pass', 4],
    ]);
  });
});
