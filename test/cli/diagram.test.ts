/**
 * `--diagram FILE|-` on invoke, mcp, exchange and login: real runs against the local stack, in-process. The diagram is
 * parsed back (core/diagram/sequence.ts parseMermaid) and checked for its participants, arrows and outcomes, the
 * refusals drawn as such, tokens present only as their fingerprints.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMermaid, type SequenceDiagram } from '../../src/core/diagram/sequence.js';
import { fingerprint } from '../../src/core/redact.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { browseHeadless } from '../fixtures/headless-browser.js';
import { freePort } from '../fixtures/ports.js';
import { ephemeralReturnUrl, freeReturnUrl, threeLoArgs } from '../fixtures/three-lo.js';
import { startMcpToolServer, type McpToolServer } from '../fixtures/gateway.js';
import { hostedUiSignIn, stackLoginArgs, stackUserTokens } from '../fixtures/stack-users.js';
import { runCommand } from '../helpers/context.js';
import { flatDiagram } from '../helpers/diagram.js';

let stack: LocalStack;
let tools: McpToolServer;
let token: string;
let dir: string;
let gatewayUrl: string;

const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aca-diagram-'));
  tools = await startMcpToolServer();
  stack = await startLocalStack({
    port: 0,
    autoConsent: true,
    config: {
      gateways: [
        {
          name: 'gw',
          targets: [{ name: 'echo', targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url } } } }],
        },
      ],
    },
  });
  gatewayUrl = stack.gateways[0]!.gatewayUrl;
  token = (await stackUserTokens(stack, 'alice')).accessToken;
});
afterAll(async () => {
  await stack?.close();
  await tools?.close();
});

const arn = (id: string) => `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${id}`;
const jwtAgent = () => arn(stack.agents.find((a) => a.authorizerConfiguration)!.id);
const sigv4Agent = () => arn(stack.agents.find((a) => !a.authorizerConfiguration)!.id);

/** The diagram printed by `--diagram -`: from the line `sequenceDiagram` to the end of stdout. */
function fromStdout(stdout: string): SequenceDiagram {
  const i = stdout.indexOf('sequenceDiagram\n');
  expect(i).toBeGreaterThanOrEqual(0);
  return parseMermaid(stdout.slice(i));
}

describe('--diagram', () => {
  it(
    'invoke with a bearer token: the call, the agent behind the runtime, the token as its ' + 'fingerprint only',
    async () => {
      const r = await runCommand(['invoke', jwtAgent(), '{"prompt":"hi"}', '--bearer-token', token, '--diagram', '-'], {
        env: stack.env,
      });
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain(token);
      expect(r.stdout.slice(r.stdout.indexOf('sequenceDiagram'))).not.toMatch(JWT_SHAPED);
      const d = fromStdout(r.stdout);
      expect(d.participants.map((p) => p.label)).toEqual(['agentcore-auth', 'AgentCore Runtime', 'Agent']);
      expect(flatDiagram(d)).toEqual([
        `agentcore-auth -> AgentCore Runtime: InvokeAgentRuntime · Bearer ${fingerprint(token)}`,
        'AgentCore Runtime -> Agent: invocation + workload access token',
        'Agent --> AgentCore Runtime: answer',
        'AgentCore Runtime --> agentcore-auth: 200',
      ]);
    },
  );

  it(
    'invoke: the SigV4-to-JWT method mismatch is drawn as a refusal, and the file is written although the ' +
      'command failed',
    async () => {
      const file = join(dir, 'mismatch', 'flow.mmd');
      const r = await runCommand(['invoke', jwtAgent(), '{"prompt":"hi"}', '--user-id', 'alice', '--diagram', file], {
        env: stack.env,
      });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(`sequence diagram: ${file}`);
      const lines = flatDiagram(parseMermaid(readFileSync(file, 'utf8')));
      expect(lines[0]).toBe('agentcore-auth -> AgentCore Runtime: InvokeAgentRuntime · SigV4 · user id alice');
      expect(lines[1]).toMatch(/^AgentCore Runtime -->x agentcore-auth: 403 AccessDeniedException$/);
      expect(lines[2]).toMatch(
        new RegExp(
          /^note agentcore-auth,AgentCore Runtime: refused: Authorization method mismatch —/.source +
            / a SigV4 request to an agent that takes OAuth bearer tokens/.source,
        ),
      );
      // The run may then read the agent's authorizer (GetAgentRuntime) to say which mode it wants.
      expect(
        lines.slice(3).every((l) => /AgentCore control plane|GetAgentRuntime|^AgentCore control plane/.test(l)),
      ).toBe(true);
      expect(lines.join('\n')).not.toContain('Agent:');
    },
  );

  it('the file extension chooses: FLOW.svg is an SVG picture of the same diagram, FLOW.mmd Mermaid text', async () => {
    const svg = join(dir, 'pick', 'flow.SVG');
    const mmd = join(dir, 'pick', 'flow.mmd');
    for (const file of [svg, mmd]) {
      const r = await runCommand(['invoke', sigv4Agent(), '{"prompt":"hi"}', '--user-id', 'alice', '--diagram', file], {
        env: stack.env,
      });
      expect(r.code, r.stderr).toBe(0);
    }
    const picture = readFileSync(svg, 'utf8');
    expect(picture).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /,
    );
    expect(picture.trimEnd().endsWith('</svg>')).toBe(true);
    expect(picture).not.toContain('sequenceDiagram');
    expect(picture).toContain('InvokeAgentRuntime · SigV4 · user id alice');
    expect(readFileSync(mmd, 'utf8')).toMatch(/^sequenceDiagram\n/);
  });

  it('invoke with SigV4 and a user id to an IAM agent', async () => {
    const r = await runCommand(['invoke', sigv4Agent(), '{"prompt":"hi"}', '--user-id', 'alice', '--diagram', '-'], {
      env: stack.env,
    });
    expect(r.code).toBe(0);
    expect(flatDiagram(fromStdout(r.stdout))).toEqual([
      'agentcore-auth -> AgentCore Runtime: InvokeAgentRuntime · SigV4 · user id alice',
      'AgentCore Runtime -> Agent: invocation + workload access token',
      'Agent --> AgentCore Runtime: answer',
      'AgentCore Runtime --> agentcore-auth: 200',
    ]);
  });

  it(
    'exchange 3LO completed by another user: browser, return URL, CompleteResourceTokenAuth refused with the ' +
      'binding',
    async () => {
      const url = await freeReturnUrl();
      const file = join(dir, '3lo-wrong-user.mmd');
      const r = await runCommand(
        [
          ...['exchange', ...threeLoArgs(stack, '--user-id', 'alice'), '--force-auth', ...ephemeralReturnUrl(url)],
          ...['--complete-as-user-id', 'mallory', '--diagram', file],
        ],
        { env: stack.env, openBrowser: async (u) => void (await browseHeadless(u)) },
      );
      expect(r.code).toBe(4);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toMatch(JWT_SHAPED);
      const d = parseMermaid(text);
      expect(d.participants.map((p) => p.label)).toEqual([
        'User/Browser',
        'agentcore-auth',
        'AgentCore Identity',
        'Token vault / provider',
        'AgentCore control plane',
      ]);
      const lines = flatDiagram(d);
      const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
      const wat = at(/^agentcore-auth -> AgentCore Identity: GetWorkloadAccessTokenForUserId · SigV4 · userId alice/);
      const watBack = at(/^AgentCore Identity --> agentcore-auth: 200 · workloadAccessToken sha256:[0-9a-f]{8}$/);
      const start = at(
        new RegExp(
          /^agentcore-auth -> AgentCore Identity: GetResourceOauth2Token · SigV4 · /.source +
            /workloadIdentityToken sha256:[0-9a-f]{8}$/.source,
        ),
      );
      const url1 = at(/^AgentCore Identity --> agentcore-auth: 200 · authorizationUrl/);
      const open = at(/^agentcore-auth -> User\/Browser: open AgentCore authorization URL$/);
      const back = at(/^User\/Browser -> agentcore-auth: redirect to the return URL \(session_id\)$/);
      const complete = at(/^agentcore-auth -> AgentCore Identity: CompleteResourceTokenAuth · SigV4 · userId mallory$/);
      const refused = at(/^AgentCore Identity -->x agentcore-auth: 403 AccessDeniedException$/);
      const why = at(
        new RegExp(
          /^note agentcore-auth,AgentCore Identity: refused: session refused .*started by /.source +
            /user id "alice" \(sha256:[0-9a-f]{8}\), completed with user id "mallory"/.source,
        ),
      );
      for (const i of [wat, watBack, start, url1, open, back, complete, refused, why])
        expect(i, lines.join('\n')).toBeGreaterThanOrEqual(0);
      expect([wat, watBack, start, url1, open, back, complete, refused, why]).toEqual(
        [...[wat, watBack, start, url1, open, back, complete, refused, why]].sort((a, b) => a - b),
      );
      // The workload token sent is the one received.
      expect(lines[start]!.split('workloadIdentityToken ')[1]).toBe(lines[watBack]!.split('workloadAccessToken ')[1]);
    },
  );

  it('mcp over the gateway: tools/call reaches the target', async () => {
    const r = await runCommand(
      ['mcp', '--gateway-url', gatewayUrl, '--bearer-token', token, '--call', 'echo___whoami', '--diagram', '-'],
      { env: stack.env },
    );
    expect(r.code).toBe(0);
    const lines = flatDiagram(fromStdout(r.stdout));
    expect(lines).toContain(`agentcore-auth -> Gateway: POST tools/call echo___whoami · Bearer ${fingerprint(token)}`);
    // what the target received, from the local stack's trace of the call: no credential (no interceptor, no auth)
    expect(lines, lines.join('\n')).toContain('Gateway -> Target: echo: tools/call whoami · no credential');
    expect(lines.filter((l) => l.startsWith('agentcore-auth -> Gateway: POST initialize'))).toHaveLength(1);
  });

  it('login with a password: Cognito InitiateAuth, the tokens received as fingerprints', async () => {
    const user = stack.userPool.users.find((u) => u.username === 'alice')!;
    const r = await runCommand(
      [...stackLoginArgs(stack), '--print', 'access-token', '--diagram', join(dir, 'login.mmd')],
      { env: stack.env },
    );
    expect(r.code).toBe(0);
    const access = r.stdout.trim();
    const text = readFileSync(join(dir, 'login.mmd'), 'utf8');
    expect(text).not.toContain(access);
    expect(text).not.toContain(user.password);
    const lines = flatDiagram(parseMermaid(text));
    expect(lines[0]).toBe('agentcore-auth -> Cognito/IdP: InitiateAuth · USERNAME alice');
    expect(lines[1]).toMatch(
      new RegExp(`^Cognito/IdP --> agentcore-auth: 200 · AccessToken ${fingerprint(access)} · `),
    );
    expect(lines[1]).toMatch(/ · IdToken sha256:[0-9a-f]{8}/);
    expect(lines[1]).toMatch(/ · RefreshToken sha256:[0-9a-f]{8}/);
  });

  it(
    'login --auth-flow authorization-code: the browser to the hosted UI, back to the loopback with a code, ' +
      'the token call',
    async () => {
      const redirect = `http://127.0.0.1:${await freePort()}/callback`;
      const hosted = await startLocalStack({
        port: 0,
        config: {
          userPool: {
            clients: [{ name: 'public-client', clientId: 'publicclientlocal000000000', callbackUrls: [redirect] }],
            users: [{ username: 'alice', password: 'Alice-Passw0rd!' }],
          },
        },
      });
      try {
        // The hosted UI as a user would: the login form, POST /login, the 302 back to the loopback redirect.
        const signIn = async (url: string) => void (await hostedUiSignIn(url, 'alice', 'Alice-Passw0rd!'));
        const r = await runCommand(
          [
            'login',
            '--auth-flow',
            'authorization-code',
            '--domain',
            hosted.url,
            '--user-pool-id',
            hosted.userPool.id,
            '--client-id',
            'publicclientlocal000000000',
            '--redirect-uri',
            redirect,
            '--scopes',
            'openid,email',
            '--print',
            'id-token',
            '--diagram',
            '-',
          ],
          { env: hosted.env, openBrowser: signIn },
        );
        expect(r.code).toBe(0);
        const idToken = r.stdout.slice(0, r.stdout.indexOf('\n'));
        const lines = flatDiagram(fromStdout(r.stdout));
        const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
        const open = at(/^agentcore-auth -> User\/Browser: open authorization endpoint$/);
        const signInNote = at(/^note User\/Browser,Cognito\/IdP: sign-in in the browser$/);
        const back = at(/^User\/Browser -> agentcore-auth: redirect to the loopback \(code\)$/);
        const token = at(/^agentcore-auth -> Cognito\/IdP: token \(authorization_code\)$/);
        const tokens = at(new RegExp(`^Cognito/IdP --> agentcore-auth: 200 · .*id_token ${fingerprint(idToken)}`));
        for (const i of [open, signInNote, back, token, tokens]) expect(i, lines.join('\n')).toBeGreaterThanOrEqual(0);
        expect([open, signInNote, back, token, tokens]).toEqual(
          [open, signInNote, back, token, tokens].sort((a, b) => a - b),
        );
        expect(r.stdout.slice(r.stdout.indexOf('sequenceDiagram'))).not.toMatch(JWT_SHAPED);
      } finally {
        await hosted.close();
      }
    },
  );

  it(
    '--diagram - with --json is a usage error; an unwritable file after a successful command is ' + 'a config error',
    async () => {
      const a = await runCommand(['invoke', sigv4Agent(), '{}', '--user-id', 'alice', '--json', '--diagram', '-'], {
        env: stack.env,
      });
      expect(a.code).toBe(2);
      expect(a.stderr).toContain('--diagram - and --json both write to stdout');
      const blocker = join(dir, 'not-a-dir');
      (await import('node:fs')).writeFileSync(blocker, 'x');
      const b = await runCommand(
        ['invoke', sigv4Agent(), '{}', '--user-id', 'alice', '--diagram', join(blocker, 'x.mmd')],
        { env: stack.env },
      );
      expect(b.code).toBe(2);
      expect(b.stderr).toMatch(/error: cannot write the sequence diagram to .*not-a-dir/);
    },
  );

  it('demo --diagram DIR: one diagram per step that ran, the classic mistakes drawn as refusals', {
    timeout: 90_000,
  }, async () => {
    const out = join(dir, 'demo');
    const r = await runCommand(['demo', '--diagram', out]);
    expect(r.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(18);
    expect(files[0]).toBe('01-login.mmd');
    const read = (suffix: string) => {
      const text = readFileSync(join(out, files.find((f) => f.endsWith(suffix))!), 'utf8');
      expect(text).not.toMatch(JWT_SHAPED);
      return flatDiagram(parseMermaid(text));
    };
    expect(read('-mistake-wrong-mode.mmd').join('\n')).toMatch(
      new RegExp(
        /-->x agentcore-auth: 403 AccessDeniedException\nnote agentcore-auth,AgentCore /.source +
          /Runtime: refused: Authorization method mismatch/.source,
      ),
    );
    expect(read('-mistake-id-token.mmd').join('\n')).toMatch(
      /-->x agentcore-auth: 401 UnauthorizedException\nnote .*Claim 'client_id' value mismatch/,
    );
    expect(read('-session-binding.mmd').join('\n')).toMatch(
      new RegExp(
        /CompleteResourceTokenAuth · SigV4 · userId mallory\nAgentCore Identity -->x /.source +
          /agentcore-auth: 403 AccessDeniedException\nnote .*started by user id "alice"/.source,
      ),
    );
    // The gateway steps: what the targets received, read from the local stack's trace of each call.
    expect(read('-gateway-jwt-passthrough.mmd').join('\n')).toMatch(
      /Gateway -> Target: agent: POST \/agent\/invocations · Bearer sha256:[0-9a-f]{8} \(the caller's token\)/,
    );
    expect(read('-gateway-api-key.mmd').join('\n')).toMatch(
      new RegExp(
        /Gateway -> AgentCore Identity: GetResourceApiKey \(local-api-key\)[\s\S]*API key /.source +
          /sha256:[0-9a-f]{8} in header x-api-key/.source,
      ),
    );
    expect(read('-three-legged.mmd')).toContain(
      'User/Browser -> agentcore-auth: redirect to the return URL (session_id)',
    );
    // The ID token sent in mistake 2 is the one login received in step 1: same fingerprint.
    const idToken = /IdToken (sha256:[0-9a-f]{8})/.exec(read('01-login.mmd').join(' '))![1]!;
    expect(read('-mistake-id-token.mmd')[0]).toBe(
      `agentcore-auth -> AgentCore Runtime: InvokeAgentRuntime · Bearer ${idToken}`,
    );
  });
});
