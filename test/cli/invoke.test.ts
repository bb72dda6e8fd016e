/**
 * `invoke` against the local stack, in-process: both inbound modes, the mismatch both ways (with the expected mode read
 * from the control plane), the Cognito ID-vs-access-token claim failures, header rules, streaming and the summaries.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LocalStack } from '../../src/emulator/stack.js';
import { runCommand } from '../helpers/context.js';
import { cognitoTokens, type CognitoTokens } from '../fixtures/cognito-users.js';
import { arnOf, startInvokeStack, stackEnv } from '../fixtures/invoke-stack.js';

let stack: LocalStack;
let tokens: CognitoTokens;
let env: Record<string, string>;
const IAM = arnOf('iam_agent-test000001');
const JWT = arnOf('jwt_agent-test000002');
const AUD = arnOf('aud_agent-test000003');

beforeAll(async () => {
  const cognito = inject('cognito');
  tokens = await cognitoTokens(cognito);
  stack = await startInvokeStack(cognito, tokens.clientId);
  env = stackEnv(stack);
});
afterAll(async () => {
  await stack?.close();
});

/** `invoke` of the JWT agent with the whoami payload. */
const whoamiJwt = ['invoke', JWT, '{"action":"whoami"}'];
const lines = (s: string) => s.trim().split('\n').filter(Boolean);

describe('invoke: SigV4', () => {
  it('--user-id: SDK path, the agent sees the user and a workload token; JSON answer on stdout', async () => {
    const r = await runCommand(
      ['invoke', IAM, '{"action":"whoami"}', '--user-id', 'alice', '--accept', 'application/json'],
      { env },
    );
    expect(r.stderr).toContain('SigV4 (IAM) with user id alice');
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(JSON.stringify(answer)).toContain('alice');
    expect(r.stderr).toMatch(/session agentcore-auth-[0-9a-f-]{36}/);
    expect(r.stderr).toMatch(/✓ 200 application\/json/);
  });

  it('no auth flag: SigV4 without user id is said out loud', async () => {
    const r = await runCommand(['invoke', IAM, '{"action":"whoami"}'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('SigV4 (IAM)');
    expect(r.stderr).toContain('no workload access token');
  });

  it(
    'SigV4 without user id + an agent that needs a workload token → the WAT message becomes exit 4 with the ' + 'fix',
    async () => {
      const r = await runCommand(['invoke', IAM, '{"action":"token","provider":"x"}'], { env });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('Workload access token has not been set');
      expect(r.stderr).toMatch(/hint: .*--user-id/);
    },
  );

  it('streams SSE events as they arrive; --json gives NDJSON events then a summary', async () => {
    const r = await runCommand(['invoke', IAM, '{"action":"stream","count":3}', '--user-id', 'bob', '--json'], { env });
    expect(r.code).toBe(0);
    const out = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = out.filter((o) => o.type === 'event');
    expect(events.length).toBeGreaterThanOrEqual(3);
    const summary = out[out.length - 1]!;
    expect(summary).toMatchObject({
      type: 'summary',
      status: 200,
      contentType: expect.stringContaining('text/event-stream'),
      mode: 'sigv4',
      agent: IAM,
      qualifier: 'DEFAULT',
      region: 'us-east-1',
    });
    expect(String(summary.requestSessionId).length).toBeGreaterThanOrEqual(33);
    expect(typeof summary.durationMs).toBe('number');
    expect(summary.events).toBe(events.length);
  });

  it('--raw writes the SSE bytes as received', async () => {
    const r = await runCommand(['invoke', IAM, '{"action":"stream","count":2}', '--user-id', 'bob', '--raw'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^data: \{/m);
  });

  it('--session-id is sent as given and must be ≥ 33 chars', async () => {
    const sid = 'my-session-0123456789-0123456789-0123456789';
    const r = await runCommand(
      ['invoke', IAM, '{"action":"whoami"}', '--user-id', 'a', '--session-id', sid, '--accept', 'application/json'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(sid);
    const short = await runCommand(['invoke', IAM, '{}', '--session-id', 'short'], { env });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--session-id must be 33–256 characters, got 5');
  });

  it('text payload becomes {"prompt": …} and says so', async () => {
    const r = await runCommand(['invoke', IAM, 'hello there', '--user-id', 'a', '--accept', 'application/json'], {
      env,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('sent as {"prompt": …}');
    expect(r.stdout).toContain('hello there');
  });
});

describe('invoke: bearer', () => {
  it(
    '--bearer-token with the access token reaches the allowedClients agent; token never in full ' + 'on stderr',
    async () => {
      const r = await runCommand(
        [...whoamiJwt, '--bearer-token', tokens.accessToken, '--accept', 'application/json', '--verbose'],
        { env },
      );
      expect(r.stderr).not.toContain(tokens.accessToken);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('bearer token from flag');
      expect(r.stderr).toContain('(access token, expires in');
      expect(JSON.parse(r.stdout)).toBeTruthy();
    },
  );

  it('--bearer-token - reads the token from stdin', async () => {
    const r = await runCommand([...whoamiJwt, '--bearer-token', '-', '--accept', 'application/json'], {
      env,
      stdin: `${tokens.accessToken}\n`,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('bearer token from stdin');
  });

  it('--user-id with a bearer token: warning, still explicit', async () => {
    const r = await runCommand(
      [...whoamiJwt, '--bearer-token', tokens.accessToken, '--user-id', 'mallory', '--accept', 'application/json'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: --user-id with a bearer token/);
  });
});

describe('invoke: --bearer with a cached login', () => {
  it('--bearer NAME sends the cached access token; --id-token the cached ID token', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const home = mkdtempSync(join(tmpdir(), 'aca-home-'));
    const cognito = inject('cognito');
    const login = await runCommand(
      [
        'login',
        '--client-id',
        tokens.clientId,
        '--username',
        tokens.username,
        '--password',
        tokens.password,
        '--region',
        'us-east-1',
        '--save-as',
        'ci',
      ],
      { env: { ...env, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint }, home },
    );
    expect(login.code).toBe(0);
    const r = await runCommand([...whoamiJwt, '--bearer', 'ci', '--accept', 'application/json'], { env, home });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('bearer token from cache:ci');
    expect(r.stderr).toContain('(access token');
    const id = await runCommand(
      ['invoke', AUD, '{"action":"whoami"}', '--bearer', 'ci', '--id-token', '--accept', 'application/json'],
      { env, home },
    );
    expect(id.code).toBe(0);
    expect(id.stderr).toContain('(id token');
    const missing = await runCommand(['invoke', JWT, '{}', '--bearer', 'nobody'], { env, home });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no cached token named 'nobody'");
  });
});

describe('invoke: mode mismatch, both ways', () => {
  it('SigV4 to a JWT agent → exit 4, says the agent expects a bearer token (read from GetAgentRuntime)', async () => {
    const r = await runCommand(['invoke', JWT, '{}', '--user-id', 'alice'], { env });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Authorization method mismatch: the request used SigV4 (IAM)');
    expect(r.stderr).toContain('the control plane says the agent uses OAuth bearer JWT (customJWTAuthorizer');
    expect(r.stderr).toMatch(/hint: Call it with --bearer-token TOKEN or --bearer NAME/);
  });

  it('bearer to a SigV4 agent → exit 4, says the agent expects SigV4', async () => {
    const r = await runCommand(['invoke', IAM, '{}', '--bearer-token', tokens.accessToken], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Authorization method mismatch: the request used an OAuth bearer token');
    expect(r.stderr).toContain('IAM SigV4 (no customJWTAuthorizer)');
    expect(r.stderr).not.toContain(tokens.accessToken);
  });

  it('--auth auto reads the authorizer and picks the right mode for each agent', async () => {
    const a = await runCommand(
      ['invoke', IAM, '{"action":"whoami"}', '--auth', 'auto', '--user-id', 'u1', '--accept', 'application/json'],
      { env },
    );
    expect(a.code).toBe(0);
    expect(a.stderr).toContain('--auth auto: the agent uses IAM SigV4');
    const b = await runCommand(
      [...whoamiJwt, '--auth', 'auto', '--bearer-token', tokens.accessToken, '--accept', 'application/json'],
      { env },
    );
    expect(b.code).toBe(0);
    expect(b.stderr).toContain('--auth auto: the agent uses OAuth bearer JWT');
  });

  it('--auth auto with a bearer token for a SigV4 agent is refused, not silently dropped', async () => {
    const r = await runCommand(['invoke', IAM, '{}', '--auth', 'auto', '--bearer-token', tokens.accessToken], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the agent expects SigV4');
  });

  it('--auth sigv4 with --bearer-token is a usage error', async () => {
    const r = await runCommand(['invoke', IAM, '{}', '--auth', 'sigv4', '--bearer-token', 'x.y.z'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--auth sigv4 contradicts --bearer-token/--bearer');
  });
});

describe('invoke: claim failures name the token mix-up', () => {
  it('ID token to an allowedClients agent → client_id mismatch, suggests the access token', async () => {
    const r = await runCommand(['invoke', JWT, '{}', '--bearer-token', tokens.idToken], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("Claim 'client_id' value mismatch");
    expect(r.stderr).toMatch(/hint: You sent a Cognito ID token without a client_id claim \(it has aud=/);
    expect(r.stderr).toContain('Send the access token instead');
    expect(r.stderr).not.toContain(tokens.idToken);
  });

  it('access token to an allowedAudience agent → aud mismatch, suggests allowedClients or the ID token', async () => {
    const r = await runCommand(['invoke', AUD, '{}', '--bearer-token', tokens.accessToken], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("Claim 'aud' value mismatch");
    expect(r.stderr).toMatch(/hint: You sent a Cognito access token, which carries no aud claim/);
  });

  it('the ID token is accepted by the allowedAudience agent', async () => {
    const r = await runCommand(
      ['invoke', AUD, '{"action":"whoami"}', '--bearer-token', tokens.idToken, '--accept', 'application/json'],
      { env },
    );
    expect(r.code).toBe(0);
  });

  it('no allowed scope → scope mismatch, names the token scopes', async () => {
    const r = await runCommand(
      ['invoke', arnOf('scope_agent-test000007'), '{}', '--bearer-token', tokens.accessToken],
      { env },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("Claim 'scope' value mismatch");
    expect(r.stderr).toMatch(/hint: The token's scopes: aws\.cognito\.signin\.user\.admin\./);
  });

  it('a token from another issuer → iss mismatch, names the issuer it came from', async () => {
    const r = await runCommand(['invoke', arnOf('pool_agent-test000008'), '{}', '--bearer-token', tokens.accessToken], {
      env,
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("Claim 'iss' value mismatch");
    expect(r.stderr).toContain(`hint: The token was issued by ${inject('cognito').issuer}.`);
  });

  it('not a JWT → Failed to parse token, exit 4', async () => {
    const r = await runCommand(['invoke', JWT, '{}', '--bearer-token', 'AgV4notajwt'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('could not parse the bearer token as a JWT');
  });
});

describe('invoke: targets and dry runs', () => {
  it('an agent name from .bedrock_agentcore.yaml in the working directory (read, never written)', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'aca-proj-'));
    const yaml =
      `default_agent: iam_agent\nagents:\n  iam_agent:\n    name: iam_agent\n    ` +
      `bedrock_agentcore:\n      agent_id: iam_agent-test000001\n      agent_arn: ${IAM}\n`;
    writeFileSync(join(dir, '.bedrock_agentcore.yaml'), yaml);
    const r = await runCommand(
      ['invoke', 'iam_agent', '{"action":"whoami"}', '--user-id', 'carol', '--accept', 'application/json'],
      { env, cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('"iam_agent" from .bedrock_agentcore.yaml');
    expect(r.stdout).toContain('carol');
    expect(readFileSync(join(dir, '.bedrock_agentcore.yaml'), 'utf8')).toBe(yaml);
  });

  it('a runtime id with --account-id', async () => {
    const r = await runCommand(
      [
        'invoke',
        'iam_agent-test000001',
        '{"action":"whoami"}',
        '--account-id',
        '123456789012',
        '--user-id',
        'dave',
        '--accept',
        'application/json',
      ],
      { env },
    );
    expect(r.stderr).toContain('iam_agent-test000001 (account 123456789012)');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dave');
  });

  it('--dry-run --json: the request with the token masked, nothing sent', async () => {
    const r = await runCommand(
      ['invoke', JWT, '{"q":1}', '--bearer-token', tokens.accessToken, '--dry-run', '--json', '-H', 'tenant:acme'],
      { env },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      dryRun: boolean;
      mode: string;
      request: { method: string; url: string; headers: Record<string, string>; body: string };
      curl: string;
    };
    expect(out).toMatchObject({ dryRun: true, mode: 'bearer', request: { method: 'POST', body: '{"q":1}' } });
    expect(out.request.url).toBe(`${stack.url}/runtimes/${encodeURIComponent(JWT)}/invocations?qualifier=DEFAULT`);
    expect(out.request.headers['x-amzn-bedrock-agentcore-runtime-custom-tenant']).toBe('acme');
    expect(out.request.headers.authorization).toMatch(/^Bearer eyJ\w{3}…\[\d+ chars\]$/);
    expect(r.stdout).not.toContain(tokens.accessToken);
    expect(r.stderr).toContain('Nothing was sent');
  });

  it('--print-curl --show-secrets prints a command that works as printed (bearer)', async () => {
    const r = await runCommand(
      [
        ...whoamiJwt,
        '--bearer-token',
        tokens.accessToken,
        '--print-curl',
        '--show-secrets',
        '--accept',
        'application/json',
      ],
      { env },
    );
    expect(r.code).toBe(0);
    // Run it with the real curl (asynchronously: the stack serves from this process).
    const { execFile } = await import('node:child_process');
    const run = (cmd: string, args: string[]) =>
      new Promise<{ ok: boolean; out: string }>((resolve) =>
        execFile(cmd, args, { encoding: 'utf8', timeout: 10_000 }, (err, out) => resolve({ ok: !err, out })),
      );
    if ((await run('curl', ['--version'])).ok) {
      const res = await run('sh', ['-c', r.stdout]);
      expect(res.ok).toBe(true);
      expect(res.out).toContain('whoami');
    }
    expect(r.stdout).toContain(`authorization: Bearer ${tokens.accessToken}`);
  });

  it('--print-curl prints a command that works as printed (SigV4, curl signs it)', async () => {
    const r = await runCommand(['invoke', IAM, '{"action":"whoami"}', '--user-id', 'alice', '--print-curl'], { env });
    expect(r.code).toBe(0);
    const { execFile } = await import('node:child_process');
    // curl reads the credentials from the stack's variables, as in the shell `local --print-env` prepared.
    const shellEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', ...env };
    const run = (cmd: string, args: string[]) =>
      new Promise<{ ok: boolean; out: string }>((resolve) =>
        execFile(cmd, args, { encoding: 'utf8', timeout: 10_000, env: shellEnv }, (err, out) =>
          resolve({ ok: !err, out }),
        ),
      );
    if ((await run('curl', ['--version'])).ok) {
      const res = await run('sh', ['-c', r.stdout]);
      expect(res.out).toContain('"userId":"alice"');
      expect(res.out).not.toContain('signature we calculated does not match');
    }
    expect(r.stdout).toContain('/runtimes/iam_agent-test000001/invocations?accountId=');
  });
});
