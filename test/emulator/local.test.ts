/** `agentcore-auth local` in-process: ready output (JSON and human), clean stop on the run's signal, config errors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetWorkloadAccessTokenForUserIdCommand, BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import {
  BedrockAgentCoreControlClient,
  GetOauth2CredentialProviderCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { describe, expect, it } from 'vitest';
import { createTestContext, runCommand, type TestContextOptions } from '../helpers/context.js';
import { untilOutput } from '../helpers/wait.js';

/** A config file (its text as given, YAML or JSON) in a directory of its own. */
function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'aca-local-')), 'stack.yaml');
  writeFileSync(file, text);
  return file;
}

/**
 * `local ARGS` run in process until it is ready: with --json, its document on stdout; else its summary on stderr.
 * Throws with its stderr when it ends first. stop() ends it as Ctrl-C does and returns its result.
 */
async function startLocal(args: string[], options: TestContextOptions = {}) {
  const ac = new AbortController();
  const ctx = createTestContext({ ...options, signal: ac.signal });
  const run = runCommand(['local', ...args], ctx);
  const json = args.includes('--json');
  const read = () => (json ? ctx.stdout.text() : ctx.stderr.text());
  const ready = json ? '}\n' : 'Ctrl-C';
  await untilOutput(read, ready, run, 10_000);
  if (!read().includes(ready)) throw new Error(`local ended before it was ready:\n${ctx.stderr.text()}`);
  const out = read();
  return {
    out,
    doc: (json ? JSON.parse(out.slice(0, out.indexOf('\n'))) : {}) as Record<string, any>,
    stop: () => {
      ac.abort();
      return run;
    },
  };
}

describe('agentcore-auth local', () => {
  it('--json prints one document once ready, serves the SDK, and stops with 130 on the signal', async () => {
    const { doc, stop } = await startLocal(['--json', '--port', '0']);
    expect(Object.keys(doc)).toEqual([
      'url',
      'region',
      'accountId',
      'credentials',
      'env',
      'endpoints',
      'userPool',
      'workloadIdentities',
      'credentialProviders',
      'threeLo',
      'agents',
      'gateways',
      'policyEngines',
      'lambdas',
    ]);
    expect(doc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.env).toEqual({
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: doc.url,
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: doc.url,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: doc.url,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: doc.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: doc.credentials.secretAccessKey,
    });
    expect(doc.userPool.clients.map((c: { name: string }) => c.name)).toEqual(['app-client', 'public-client']);
    expect(doc.userPool.clients[0].clientSecret).toMatch(/^[\w-]{40,}$/);
    expect(doc.userPool.clients[1].clientSecret).toBeUndefined();
    expect(doc.userPool.users).toEqual([
      { username: 'alice', password: 'Alice-Passw0rd!', temporaryPassword: false },
      { username: 'bob', password: 'Bob-Temp-Passw0rd!', temporaryPassword: true },
    ]);
    expect(doc.credentialProviders.oauth2.map((p: { name: string; flow: string }) => `${p.name}:${p.flow}`)).toEqual([
      'local-m2m:M2M',
      'local-3lo:USER_FEDERATION',
      'local-obo:ON_BEHALF_OF_TOKEN_EXCHANGE',
    ]);
    expect(doc.credentialProviders.apiKey.map((p: { name: string }) => p.name)).toEqual(['local-api-key']);
    // The gateways with their URLs, authorizer types and targets.
    expect(doc.gateways).toEqual([
      {
        name: 'local-gateway',
        id: 'local-gateway-local00001',
        url: `${doc.url}/gateways/local-gateway-local00001/mcp`,
        authorizerType: 'CUSTOM_JWT',
        workloadName: 'local-gateway-local00001',
        targets: [
          { name: 'provider', targetType: 'MCP_SERVER', status: 'READY' },
          { name: 'echo', targetType: 'MCP_SERVER', status: 'READY' },
          { name: 'keyed', targetType: 'MCP_SERVER', status: 'READY' },
          { name: 'agent', targetType: 'AGENTCORE_RUNTIME', status: 'READY' },
        ],
      },
    ]);
    expect(doc.lambdas).toEqual([
      {
        arn: 'arn:aws:lambda:us-east-1:123456789012:function:agentcore-local-pass-caller-token',
        url: expect.any(String),
      },
    ]);
    // The printed credentials and endpoint are all the real SDK needs.
    const client = new BedrockAgentCoreClient({
      region: doc.region,
      endpoint: doc.url,
      credentials: doc.credentials,
      maxAttempts: 1,
    });
    const wat = await client.send(
      new GetWorkloadAccessTokenForUserIdCommand({ workloadName: doc.workloadIdentities[0].name, userId: 'alice' }),
    );
    expect(wat.workloadAccessToken).toMatch(/^AgV4/);
    const r = await stop();
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('');
    await expect(fetch(`${doc.url}/_local/health`)).rejects.toThrow();
  });

  it('prints export lines on stdout and a masked summary on stderr', async () => {
    const r = await (await startLocal([])).stop();
    expect(r.code).toBe(130);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split('=')[0])).toEqual([
      'export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE',
      'export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL',
      'export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
      'export AWS_REGION',
      'export AWS_DEFAULT_REGION',
      'export AWS_ACCESS_KEY_ID',
      'export AWS_SECRET_ACCESS_KEY',
    ]);
    const secret = lines[6]!.split('=')[1]!;
    expect(r.stderr).toContain('Local AgentCore stack ready at http://127.0.0.1:');
    expect(r.stderr).toContain('local-workload');
    expect(r.stderr).not.toContain(secret);
    expect(r.stderr).not.toContain('Alice-Passw0rd!');
    expect(r.stderr).toContain('Stopping the local stack');
    // The columns stay narrow: a long value (the interceptor Lambda's ARN) goes last, not in the name column.
    expect(r.stderr).toMatch(/\n {4}client app-client {5}appclientlocalclient000000 {2,9}secret \[/);
    expect(r.stderr).toMatch(
      /\n {2}lambda +agentcore-local-pass-caller-token {2}http:\/\/127\.0\.0\.1:\d+ {2}arn:aws:lambda:/,
    );
    expect(r.stderr).not.toMatch(/ \n/); // no padding after a row's last cell
  });

  it(
    "--print-env prints the running stack's export lines from another process; fails clearly " + 'when none runs',
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'aca-home-'));
      const { doc, stop } = await startLocal(['--json'], { home });
      const other = await runCommand(['local', '--print-env'], { home });
      expect(other.code).toBe(0);
      expect(other.stdout).toBe(
        Object.entries(doc.env)
          .map(([k, v]) => `export ${k}=${v}\n`)
          .join(''),
      );
      expect((await stop()).code).toBe(130);
      const after = await runCommand(['local', '--print-env'], { home });
      expect(after.code).toBe(2);
      expect(after.stdout).toBe('');
      expect(after.stderr).toContain('No local stack is running');
      expect(after.stderr).toContain('agentcore-auth local');
    },
  );

  it('--print-env with several stacks running lists them and asks for --port; --port chooses one', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aca-home-'));
    const stacks = await Promise.all([startLocal(['--json'], { home }), startLocal(['--json'], { home })]);
    const ports = stacks.map((s) => new URL(s.doc.url).port).sort((a, b) => Number(a) - Number(b));
    const both = await runCommand(['local', '--print-env'], { home });
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toContain(
      `error: 2 local stacks are running:\n  http://127.0.0.1:${ports[0]}  (--port ${ports[0]})\n` +
        `  http://127.0.0.1:${ports[1]}  (--port ${ports[1]})\n`,
    );
    expect(both.stderr).toContain('hint: Pass --port PORT to choose one');
    const one = await runCommand(['local', '--print-env', '--port', ports[1]!], { home });
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=http://127.0.0.1:${ports[1]}\n`);
    const none = await runCommand(['local', '--print-env', '--port', '9'], { home });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no local stack is running on port 9');
    for (const s of stacks) expect((await s.stop()).code).toBe(130);
  });

  it('rejects a bad config file naming the field (exit 2)', async () => {
    const file = configFile('userPool:\n  users:\n    - username: carol\n');
    const r = await runCommand(['local', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Invalid config file ${file}: userPool.users[0].password: required string`);
  });

  it('rejects a bad --port (exit 2)', async () => {
    const r = await runCommand(['local', '--port', 'http']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port must be a whole number from 0 to 65535, got "http"');
  });

  it('uses a YAML config: custom users, workloads and faults', async () => {
    const file = configFile(
      [
        'region: eu-west-1',
        'userPool:',
        '  users:',
        '    - username: carol',
        '      password: Carol-Passw0rd!',
        'workloadIdentities:',
        '  - name: my-agent',
        '    allowedResourceOauth2ReturnUrls: [http://localhost:9090/oauth2/callback]',
      ].join('\n'),
    );
    const { doc, stop } = await startLocal(['--json', '--config', file]);
    expect((await stop()).code).toBe(130);
    expect(doc.region).toBe('eu-west-1');
    expect(doc.userPool.id).toBe('eu-west-1_AgentCoreLocal');
    expect(doc.userPool.users).toEqual([{ username: 'carol', password: 'Carol-Passw0rd!', temporaryPassword: false }]);
    expect(doc.workloadIdentities).toEqual([
      {
        name: 'my-agent',
        arn:
          'arn:aws:bedrock-agentcore:eu-west-1:123456789012:' +
          'workload-identity-directory/default/workload-identity/my-agent',
        allowedResourceOauth2ReturnUrls: ['http://localhost:9090/oauth2/callback'],
      },
    ]);
  });

  it(
    'a pool without a client named app-client: the seeded M2M provider uses the first confidential client ' +
      '(issue 12)',
    async () => {
      const file = configFile(
        [
          'userPool:',
          '  clients:',
          '    - name: cli-client',
          '    - name: svc',
          '      clientId: svcclient',
          '      clientSecret: svc-secret',
        ].join('\n'),
      );
      const { doc, stop } = await startLocal(['--json', '--config', file]);
      let stopped: ReturnType<typeof stop> | undefined;
      try {
        expect(doc.credentialProviders.oauth2.map((p: { name: string }) => p.name)).toEqual([
          'local-m2m',
          'local-3lo',
          'local-obo',
        ]);
        const control = new BedrockAgentCoreControlClient({
          region: doc.region,
          endpoint: doc.url,
          credentials: doc.credentials,
          maxAttempts: 1,
        });
        const m2m = await control.send(new GetOauth2CredentialProviderCommand({ name: 'local-m2m' }));
        expect(m2m.oauth2ProviderConfigOutput?.customOauth2ProviderConfig?.clientId).toBe('svcclient');
      } finally {
        stopped = stop();
      }
      expect((await stopped).code).toBe(130);
    },
  );

  it('a pool with public clients only: starts without the seeded M2M provider (it needs a client secret)', async () => {
    const file = configFile(['userPool:', '  clients:', '    - name: cli-client'].join('\n'));
    const { doc, stop } = await startLocal(['--json', '--config', file]);
    const r = await stop();
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(130);
    expect(doc.credentialProviders.oauth2.map((p: { name: string }) => p.name)).toEqual(['local-3lo', 'local-obo']);
  });

  it('an oauth2Providers entry naming a missing pool client: exit 2 naming the field', async () => {
    const file = configFile(
      [
        'userPool:',
        '  clients:',
        '    - name: cli-client',
        'oauth2Providers:',
        '  - name: m2m',
        '    idp: userPool',
      ].join('\n'),
    );
    const r = await runCommand(['local', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('oauth2Providers[0].client: no user pool client named "app-client"');
  });
});

describe('local: policy engines are listed (issue 26)', () => {
  it('--json lists each engine with its ARN and policies, a gateway its engine; the summary says them', async () => {
    const anyTool =
      'permit(principal, action in AgentCore::Action::"CallTool", resource is AgentCore::Gateway) ' +
      'when { principal.hasTag("admin") };';
    const file = configFile(
      JSON.stringify({
        policyEngines: [
          {
            name: 'shop_engine',
            policies: [
              { name: 'admins', statement: anyTool, validationMode: 'IGNORE_ALL_FINDINGS' },
              { name: 'watched', statement: anyTool, enforcementMode: 'LOG_ONLY' },
            ],
          },
        ],
        // A config engine's id derives from its name: its ARN (as the gateway guide prints it) is known in advance.
        gateways: [
          {
            name: 'shop',
            authorizerType: 'NONE',
            policyEngineConfiguration: {
              arn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/shop_engine-lewq1szaat',
              mode: 'ENFORCE',
            },
          },
        ],
      }),
    );
    for (const json of [true, false]) {
      const { out, doc, stop } = await startLocal([...(json ? ['--json'] : []), '--config', file]);
      expect((await stop()).code).toBe(130);
      if (!json) {
        expect(out).toMatch(
          /policy engine\s+shop_engine\s+2 policies \(1 failed\)\s+arn:aws:bedrock-agentcore:\S+:policy-engine\//,
        );
        continue;
      }
      expect(doc.policyEngines).toHaveLength(1);
      const engine = doc.policyEngines[0];
      expect(engine).toMatchObject({ name: 'shop_engine', status: 'ACTIVE' });
      expect(engine.arn).toBe(`arn:aws:bedrock-agentcore:${doc.region}:${doc.accountId}:policy-engine/${engine.id}`);
      expect(doc.gateways.find((g: { name: string }) => g.name === 'shop').policyEngine).toEqual({
        arn: engine.arn,
        mode: 'ENFORCE',
      });
      expect(engine.policies).toEqual([
        expect.objectContaining({ name: 'admins', status: 'ACTIVE', enforcementMode: 'ACTIVE' }),
        // Validated (STRICT by default) against no gateway's tools, the statement can never apply: CREATE_FAILED.
        expect.objectContaining({
          name: 'watched',
          enforcementMode: 'LOG_ONLY',
          status: 'CREATE_FAILED',
          statusReasons: [expect.stringContaining('policy is impossible')],
        }),
      ]);
    }
  });
});
