import { describe, expect, it } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { parseDuration } from '../../src/core/duration.js';
import { parseScenario, scenarioFromValue } from '../../src/core/smoke/parse.js';
import type { Tpl } from '../../src/core/smoke/schema.js';
import {
  isSecretEnvName,
  parseTemplate,
  resolveTemplate,
  splitPath,
  TemplateSyntaxError,
} from '../../src/core/smoke/template.js';

function fail(text: string, file = 's.yaml'): AgentcoreAuthError {
  try {
    parseScenario(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(AgentcoreAuthError);
    return e as AgentcoreAuthError;
  }
  throw new Error('expected the scenario to be rejected');
}

const src = (t: Tpl | unknown) => (t as Tpl).template.source;

describe('smoke scenario parser', () => {
  it('reads steps, default ids, positionals, options, env and expectations', () => {
    const s = parseScenario(
      `name: inbound
env:
  AGENT: \${env:AGENT_ARN}
steps:
  - login:
      user-pool-id: us-east-1_abc
      client-id: c1
      username: alice
  - id: call
    invoke:
      agent: \${env:AGENT}
      payload: '{"prompt":"hi"}'
      bearer-token: \${steps.login.accessToken}
      header: [a:b, c:d]
    expect:
      outcome: allow
      status: [200, 201]
      contains: hello
      json: { response.status: ok, "items[0].name": x }
      claims: { token_use: access }
      maxDuration: 1.5s
  - explain: "Authorization method mismatch"
    expect: allow
  - login: { username: bob }
    expect: deny
`,
      'inbound.yaml',
    );
    expect(s.name).toBe('inbound');
    expect(s.steps.map((x) => x.id)).toEqual(['login', 'call', 'explain', 'login-2']);
    expect(s.steps.map((x) => x.line)).toEqual([5, 9, 22, 24]);
    const call = s.steps[1]!;
    expect(call.kind).toBe('invoke');
    expect(call.args.map(src)).toEqual(['${env:AGENT}', '{"prompt":"hi"}']);
    expect(Object.keys(call.options)).toEqual(['bearer-token', 'header']);
    expect(call.options['bearer-token']!.line).toBe(13);
    expect(call.needs).toEqual(['login']);
    expect(call.expect).toMatchObject({ outcome: 'allow', status: [200, 201], maxDurationMs: 1500 });
    expect(call.expect.json.map((j) => j.path)).toEqual([
      ['response', 'status'],
      ['items', '0', 'name'],
    ]);
    expect(call.expect.claims.map((c) => c.path)).toEqual([['token_use']]);
    expect(s.steps[2]!.args.map(src)).toEqual(['Authorization method mismatch']);
    expect(s.steps[3]!.expect.outcome).toBe('deny');
  });

  it('reads JSON scenarios (JSON is YAML) and names lines in them too', () => {
    const ok = parseScenario('{"steps": [{"run": ["token", "decode", "x.y.z"], "expect": {"exitCode": 2}}]}', 's.json');
    expect(ok.steps[0]).toMatchObject({ id: 'run', kind: 'run', expect: { exitCode: 2 } });
    const e = fail('{\n  "steps": [\n    {"invoke": {"agent": "a"},\n     "expct": "deny"}\n  ]\n}', 's.json');
    expect(e.message).toMatch(/^s\.json:4: steps\[0\]: unknown key "expct" \(did you mean "expect"\?\)/);
    expect(e.exitCode).toBe(2);
  });

  it('names the line of a YAML syntax error', () => {
    const e = fail('steps:\n  - login: {username: alice\n  - invoke: x\n');
    expect(e.code).toBe('ERR_INPUT');
    expect(e.message).toMatch(/^s\.yaml:\d+: YAML: Flow map/);
    expect(Number(/^s\.yaml:(\d+)/.exec(e.message)![1])).toBeGreaterThanOrEqual(2);
  });

  it('reports every schema problem with its line, first problem first', () => {
    const e = fail(`steps:
  - id: a
    login: {}
  - invoke: {}
    verify: {}
  - invoke:
      agent: \${steps.later.token}
    expect:
      status: two hundred
      maxDuration: soon
      outcom: deny
  - id: later
    verify: \${steps.a.accessToken
  - id: a
    explain: x
`);
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('s.yaml:5: steps[1] has 2 commands (invoke, verify); a step runs exactly one');
    expect(e.message).toContain('s.yaml:7: step "invoke" refers to step "later", which is not defined before it');
    expect(e.message).toContain(
      's.yaml:9: step "invoke": expect.status must be an HTTP status (100-599) or a list of them (got string ' +
        '"two hundred")',
    );
    expect(e.message).toContain(
      's.yaml:10: step "invoke": expect.maxDuration must be a duration such as 500ms, 2s or 1m (got string "soon")',
    );
    expect(e.message).toContain('s.yaml:11: step "invoke": unknown expectation "outcom" (did you mean "outcome"?)');
    expect(e.message).toMatch(/s\.yaml:13: step "later"\.verify: unterminated "\$\{"/);
    expect(e.message).toContain('s.yaml:14: step "a": the id is already used by the step on line 2');
    expect(e.details.issues).toHaveLength(7);
    expect(e.hint).toMatch(/examples\//);
  });

  it('rejects a scenario without steps, a step without a command, and a self reference', () => {
    expect(fail('name: x\n').message).toMatch(/^s\.yaml:1: missing "steps:"/);
    expect(fail('steps: []\n').message).toBe('s.yaml:1: steps must be a non-empty list (got an empty list)');
    expect(fail('steps:\n  - expect: allow\n').message).toMatch(/^s\.yaml:2: steps\[0\] says nothing to run/);
    expect(fail('steps:\n  - id: me\n    verify: ${steps.me.token}\n').message).toMatch(
      /^s\.yaml:3: step "me" refers to itself/,
    );
    expect(fail('steps:\n  - run: token decode\n').message).toMatch(/^s\.yaml:2: step "run": run must be a list/);
    expect(fail('- login: {}\n').message).toMatch(/^s\.yaml:1: a scenario is a mapping/);
  });

  it('orders steps by explicit needs as well as by the values they read', () => {
    const s = parseScenario(
      'steps:\n  - login: { save-as: ci }\n  - invoke: { agent: a, bearer: ci }\n    needs: login\n  - verify: ' +
        '{ bearer: ci }\n    needs: [login, invoke]\n',
      's.yaml',
    );
    expect(s.steps.map((x) => x.needs)).toEqual([[], ['login'], ['login', 'invoke']]);
    expect(fail('steps:\n  - login: {}\n  - verify: {}\n    needs: [logn]\n').message).toBe(
      's.yaml:4: step "verify" refers to step "logn", which is not defined before it (did you mean "login"?)',
    );
  });

  it('reuses options through anchors, aliases and merge keys (x-… top-level keys hold them)', () => {
    const s = parseScenario(
      `x-agent: &agent
  agent: arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-AbCdEf1234
  payload: '{}'
x-login: &login { user-pool-id: p1, client-id: c1 }
steps:
  - login: *login
  - invoke:
      <<: *agent
      bearer: ci
  - invoke:
      <<: [*agent]
      payload: '{"override": true}'
      user-id: alice
`,
      's.yaml',
    );
    expect(Object.keys(s.steps[0]!.options)).toEqual(['user-pool-id', 'client-id']);
    expect(s.steps[0]!.options['client-id']!.line).toBe(4);
    expect(s.steps[1]!.args.map(src)).toEqual([
      'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-AbCdEf1234',
      '{}',
    ]);
    expect(Object.keys(s.steps[1]!.options)).toEqual(['bearer']);
    expect(s.steps[2]!.args.map(src)).toEqual([
      'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-AbCdEf1234',
      '{"override": true}',
    ]);
    expect(fail('y-thing: 1\nsteps:\n  - login: {}\n').message).toMatch(
      /^s\.yaml:1: unknown key "y-thing" at the top level.*\(or x-… for anchors\)$/,
    );
  });

  it('parses durations', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('2s'),
      parseDuration('1.5 s'),
      parseDuration('1m'),
      parseDuration(250),
    ]).toEqual([500, 2000, 1500, 60000, 250]);
    expect(parseDuration('fast')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
  });
});

describe('smoke templates', () => {
  const scope = (env: Record<string, string>, steps: Record<string, unknown> = {}) => ({
    env,
    step: (id: string, path: string[]) =>
      path.reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], steps[id]),
  });

  it('resolves env, defaults, step paths, and the $${ escape', () => {
    const t = parseTemplate(
      'Bearer ${steps.login.accessToken} for ${env:USER_NAME} in ${env:REGION:-us-east-1} costs $${x}',
    );
    const r = resolveTemplate(
      t,
      scope({ USER_NAME: 'alice' }, { login: { accessToken: 'eyJabc.def.ghi' } }),
      isSecretEnvName,
    );
    expect(r.value).toBe('Bearer eyJabc.def.ghi for alice in us-east-1 costs ${x}');
    expect(r.secrets).toEqual(['eyJabc.def.ghi']);
  });

  it('keeps the type of a value that is exactly one variable', () => {
    const r = resolveTemplate(
      parseTemplate('${steps.a.items[1]}'),
      scope({}, { a: { items: [1, { n: 2 }] } }),
      isSecretEnvName,
    );
    expect(r.value).toEqual({ n: 2 });
    expect(splitPath('a.b[0][2].c')).toEqual(['a', 'b', '0', '2', 'c']);
  });

  it('masks env values unless the name says they are public', () => {
    const r = resolveTemplate(
      parseTemplate('${env:CLIENT_SECRET}/${env:AGENT_ARN}/${env:ALICE_PASSWORD}'),
      scope({ CLIENT_SECRET: 's3cr3t-value', AGENT_ARN: 'arn:x', ALICE_PASSWORD: 'pw-123456' }),
      isSecretEnvName,
    );
    expect(r.secrets).toEqual(['s3cr3t-value', 'pw-123456']);
    expect(['AWS_REGION', 'CLIENT_ID', 'POOL_ID', 'USERNAME', 'DISCOVERY_URL'].map(isSecretEnvName)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['AWS_SECRET_ACCESS_KEY', 'API_KEY', 'SOMETHING', 'BEARER_TOKEN'].map(isSecretEnvName)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('takes JWTs and long opaque strings for secrets, not ids', async () => {
    const { looksSecretValue } = await import('../../src/core/smoke/template.js');
    expect(looksSecretValue('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(true);
    expect(looksSecretValue(`AgV4${'x'.repeat(60)}`)).toBe(true);
    expect(looksSecretValue('sk-local-abcdefghijklmnopqrstuvwxyz012345')).toBe(true);
    expect(looksSecretValue('agentcore-auth-453b71cb-07a4-4d6e-a084-f09e0712f944')).toBe(false);
    expect(looksSecretValue('93b95536-26c3-45fe-9c92-fd777ae718cb')).toBe(false);
    expect(looksSecretValue('arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/jwt_agent-local00002')).toBe(
      false,
    );
    expect(looksSecretValue('short')).toBe(false);
  });

  it('rejects unknown variable forms', () => {
    expect(() => parseTemplate('${FOO}')).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate('${env:9X}')).toThrow(/not an environment variable name/);
    expect(() => parseTemplate('${steps.login}')).toThrow(/names a step but no value/);
    expect(() => resolveTemplate(parseTemplate('${env:NOPE}'), scope({}), isSecretEnvName)).toThrow(/NOPE is not set/);
  });
});

describe('scenarioFromValue (a scenario built in code, as the demo builds its own)', () => {
  it('gives the scenario the same text would', () => {
    const value = {
      name: 'n',
      steps: [
        { id: 'a', login: { 'save-as': 'ci', cache: false }, expect: 'allow' },
        { id: 'b', invoke: { agent: 'x', bearer: 'ci' }, timeout: '20s', expect: 'deny' },
      ],
    };
    const text =
      'name: n\nsteps:\n  - id: a\n    login: { save-as: ci, cache: false }\n    expect: allow\n  - id: b\n    ' +
      'invoke: { agent: x, bearer: ci }\n    timeout: 20s\n    expect: deny\n';
    const strip = (s: unknown) =>
      JSON.parse(JSON.stringify(s, (k, v) => (k === 'line' || k === 'keyLine' ? undefined : v)));
    expect(strip(scenarioFromValue(value, 'code'))).toEqual(strip(parseScenario(text, 'code')));
  });

  it('checks it by the same rules, naming line 1', () => {
    expect(() => scenarioFromValue({ steps: [{ lgin: {} }] }, 'demo')).toThrow(/^demo:1: /);
  });
});

describe('too deeply nested', () => {
  const deepJson = `{"steps":[{"run":${'['.repeat(5000)}${']'.repeat(5000)}}]}`;
  it.each([
    ['deep.json', deepJson, 'JSON'],
    ['<stdin>', deepJson, 'JSON'],
    ['deep.yaml', `steps:\n  - run: ${'['.repeat(100)}${']'.repeat(100)}\n`, 'YAML'],
  ])('%s: exit 2 naming the file and its format, not a stack overflow', (file, text, format) => {
    expect(() => parseScenario(text, file)).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringMatching(
          new RegExp(`^${file.replace('.', '\\.')}:\\d+: ${format}: nested too deeply \\(more than 64 levels`),
        ),
      }),
    );
  });
});
