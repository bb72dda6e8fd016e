/**
 * `setup` → `login` → `invoke --bearer` → `teardown` offline against the embedded local stack (its Cognito-compatible
 * admin API and AgentCore control plane), through the real AWS SDK clients. Failures are injected with the stack's
 * own fault switch (stack.faults), calls are recorded by a proxy in front of the stack; nothing of ours is mocked.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  BedrockAgentCoreControlClient,
  GetAgentRuntimeCommand,
  GetOauth2CredentialProviderCommand,
  GetWorkloadIdentityCommand,
  UpdateAgentRuntimeCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { createTestContext, runCommand } from '../helpers/context.js';
import { runBuiltCli } from '../helpers/bin.js';
import { startRecordingProxy } from '../helpers/recording-proxy.js';

let stack: LocalStack;
let cognito: CognitoIdentityProviderClient;
let control: BedrockAgentCoreControlClient;
beforeAll(async () => {
  stack = await startLocalStack();
  const clientConfig = { endpoint: stack.url, region: stack.region, credentials: stack.credentials };
  cognito = new CognitoIdentityProviderClient(clientConfig);
  control = new BedrockAgentCoreControlClient(clientConfig);
});
afterAll(async () => {
  cognito?.destroy();
  control?.destroy();
  await stack?.close();
});

const env = () => ({ ...stack.env });

function parseEnvFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function poolsNamed(name: string): Promise<string[]> {
  const out = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  return (out.UserPools ?? []).filter((p) => p.Name === name).map((p) => p.Id!);
}

async function exists(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return false;
    throw e;
  }
}

interface SetupJson {
  userPool: { id: string; status: string; discoveryUrl: string; tag: Record<string, string> };
  clients: Record<
    'app' | 'm2m' | 'public',
    { clientId: string; status: string; clientSecret?: { fingerprint: string; masked?: string; value?: string } }
  >;
  user: {
    username: string;
    status: string;
    passwordReset: boolean;
    password?: { fingerprint: string; masked?: string; value?: string };
  };
  domain: { prefix: string; status: string };
  authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: string; allowedClients: string[] } };
  workloadIdentity?: { name: string; arn: string; returnUrls: string[]; status: string };
  credentialProvider?: { name: string; arn: string; status: string };
  steps: Array<{ operation: string; status: string }>;
}

describe('setup against the local stack', () => {
  it(
    'setup → login (env file, no flags) → invoke --bearer on a runtime given the printed authorizer → ' +
      'idempotent rerun → teardown',
    async () => {
      const ctx = createTestContext({ env: env() });
      const envFile = join(ctx.homedir, 'dev.env');
      const r = await runCommand(['setup', '--name', 'e2e', '--write-env', envFile, '--json'], ctx);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as SetupJson;
      expect(out.userPool.status).toBe('created');
      expect(out.userPool.tag).toEqual({ 'agentcore-auth:setup': 'e2e' });
      expect(out.steps).toHaveLength(14);
      expect(out.steps.filter((s) => s.status !== 'skipped').map((s) => s.operation)).toEqual([
        'ListUserPools',
        'CreateUserPool',
        'CreateResourceServer',
        'CreateUserPoolDomain',
        'CreateUserPoolClient',
        'CreateUserPoolClient',
        'CreateUserPoolClient',
        'AdminCreateUser',
        'AdminSetUserPassword',
      ]);
      // --json masks secrets unless --show-secrets; the env file holds them in full, mode 0600.
      expect(out.clients.app.clientSecret).toMatchObject({
        fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
        masked: expect.any(String),
      });
      expect(out.clients.app.clientSecret?.value).toBeUndefined();
      expect(out.clients.public.clientSecret).toBeUndefined();
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
      const fileEnv = parseEnvFile(envFile);
      expect(fileEnv.AGENTCORE_AUTH_USER_POOL_ID).toBe(out.userPool.id);
      expect(fileEnv.AGENTCORE_AUTH_CLIENT_ID).toBe(out.clients.app.clientId);
      expect(r.stdout + r.stderr).not.toContain(fileEnv.AGENTCORE_AUTH_PASSWORD!);
      expect(r.stdout + r.stderr).not.toContain(fileEnv.AGENTCORE_AUTH_CLIENT_SECRET!);
      expect(out.authorizerConfiguration.customJWTAuthorizer).toEqual({
        discoveryUrl: `${stack.url}/${out.userPool.id}/.well-known/openid-configuration`,
        allowedClients: [out.clients.app.clientId, out.clients.public.clientId, out.clients.m2m.clientId],
      });

      // login with the env file loaded and no flags (the AWS credentials stay the caller's).
      const home = createTestContext({
        env: {
          ...fileEnv,
          AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
        },
      });
      const login = await runCommand(['login'], home);
      expect(login.code, login.stderr).toBe(0);

      // Put the printed customJWTAuthorizer on a runtime with UpdateAgentRuntime (the bare-account guide's next
      // step: the update re-sends the runtime's artifact, role and network, as AWS's samples do), then invoke with
      // the token.
      const agent = stack.agents.find((a) => a.name === 'jwt_agent')!;
      const current = await control.send(new GetAgentRuntimeCommand({ agentRuntimeId: agent.id }));
      const updated = await control.send(
        new UpdateAgentRuntimeCommand({
          agentRuntimeId: agent.id,
          agentRuntimeArtifact: current.agentRuntimeArtifact,
          roleArn: current.roleArn,
          networkConfiguration: current.networkConfiguration,
          requestHeaderConfiguration: current.requestHeaderConfiguration,
          authorizerConfiguration: out.authorizerConfiguration,
        }),
      );
      expect(updated.status).toBe('UPDATING');
      const arn = `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${agent.id}`;
      const inv = await runCommand(['invoke', arn, '{"prompt":"hi"}', '--bearer'], {
        env: { ...stack.env, ...home.env },
        home: home.homedir,
      });
      expect(inv.code, inv.stderr).toBe(0);

      // Idempotent: the second run finds everything, creates nothing, keeps the ids (the user gets a new password).
      const again = await runCommand(['setup', '--name', 'e2e', '--json'], { env: env() });
      expect(again.code, again.stderr).toBe(0);
      const second = JSON.parse(again.stdout) as SetupJson;
      expect(
        second.steps
          .filter((s) => s.status !== 'skipped')
          .map((s) => s.operation)
          .filter((op) => op.startsWith('Create') || op === 'AdminCreateUser'),
      ).toEqual([]);
      expect(second.userPool).toMatchObject({ id: out.userPool.id, status: 'existing' });
      expect(second.domain).toMatchObject({ prefix: out.domain.prefix, status: 'existing' });
      for (const k of ['app', 'm2m', 'public'] as const)
        expect(second.clients[k]).toMatchObject({ clientId: out.clients[k].clientId, status: 'existing' });
      expect(second.clients.app.clientSecret?.fingerprint).toBe(out.clients.app.clientSecret?.fingerprint);
      expect(second.user).toMatchObject({ status: 'existing', passwordReset: true });
      expect(await poolsNamed('agentcore-auth-e2e')).toEqual([out.userPool.id]);

      const t = await runCommand(['teardown', '--name', 'e2e', '--yes', '--json'], { env: env() });
      expect(t.code, t.stderr).toBe(0);
      const removed = JSON.parse(t.stdout) as { items: Array<{ kind: string; id: string; status: string }> };
      expect(removed.items.map((i) => [i.kind, i.status])).toEqual([
        ['domain', 'deleted'],
        ['user-pool', 'deleted'],
      ]);
      expect(await poolsNamed('agentcore-auth-e2e')).toEqual([]);
      // The stack's own pool (unrelated) survives.
      expect((await cognito.send(new DescribeUserPoolCommand({ UserPoolId: stack.userPool.id }))).UserPool?.Id).toBe(
        stack.userPool.id,
      );
    },
  );

  it(
    '--with-identity: workload identity with the loopback return URLs and a CustomOauth2 provider that mints ' +
      'an M2M token; teardown removes them first',
    async () => {
      const r = await runCommand(['setup', '--name', 'wid', '--with-identity', '--json'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as SetupJson;
      expect(out.workloadIdentity).toMatchObject({
        name: 'agentcore-auth-wid',
        status: 'created',
        returnUrls: ['http://localhost:8081/oauth2/callback', 'http://127.0.0.1:8081/oauth2/callback'],
      });
      expect(out.credentialProvider).toMatchObject({ name: 'agentcore-auth-wid', status: 'created' });
      const provider = await control.send(new GetOauth2CredentialProviderCommand({ name: 'agentcore-auth-wid' }));
      expect(provider.oauth2ProviderConfigOutput?.customOauth2ProviderConfig).toMatchObject({
        oauthDiscovery: { discoveryUrl: out.userPool.discoveryUrl },
        clientId: out.clients.m2m.clientId,
      });

      // The provider works: exchange gets a client_credentials token from the new pool through the token vault.
      const ex = await runCommand(
        [
          'exchange',
          '--workload-name',
          'agentcore-auth-wid',
          '--provider',
          'agentcore-auth-wid',
          '--flow',
          'm2m',
          '--scopes',
          'agentcore-auth-wid/invoke',
          '--print',
          'resource-token',
        ],
        { env: env() },
      );
      expect(ex.code, ex.stderr).toBe(0);
      expect(decodeJwt(ex.stdout.trim())).toMatchObject({
        client_id: out.clients.m2m.clientId,
        scope: 'agentcore-auth-wid/invoke',
        iss: `${stack.url}/${out.userPool.id}`,
      });

      const t = await runCommand(['teardown', '--name', 'wid', '--yes', '--json'], { env: env() });
      expect(t.code, t.stderr).toBe(0);
      const removed = JSON.parse(t.stdout) as { items: Array<{ kind: string; status: string }> };
      expect(removed.items.map((i) => i.kind)).toEqual([
        'credential-provider',
        'workload-identity',
        'domain',
        'user-pool',
      ]);
      expect(
        await exists(() => control.send(new GetOauth2CredentialProviderCommand({ name: 'agentcore-auth-wid' }))),
      ).toBe(false);
      expect(await exists(() => control.send(new GetWorkloadIdentityCommand({ name: 'agentcore-auth-wid' })))).toBe(
        false,
      );
      expect(await poolsNamed('agentcore-auth-wid')).toEqual([]);
    },
  );

  it('a taken hosted-UI domain prefix is retried with a new suffix', async () => {
    const other = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'someone-else' }))).UserPool!.Id!;
    await cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: other, Domain: 'agentcore-auth-dc-aaaaaa' }));
    const ctx = createTestContext({ env: env() });
    const ids = ['aaaaaaaa-0000-4000-8000-000000000000', 'bbbbbbbb-0000-4000-8000-000000000000'];
    ctx.randomId = () => ids.shift() ?? 'cccccccc-0000-4000-8000-000000000000';
    const r = await runCommand(['setup', '--name', 'dc', '--json'], ctx);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Domain already associated with another user pool.');
    expect(r.stderr).toContain('retrying with a new suffix');
    expect((JSON.parse(r.stdout) as SetupJson).domain.prefix).toBe('agentcore-auth-dc-bbbbbb');
    const t = await runCommand(['teardown', '--name', 'dc', '--yes'], { env: env() });
    expect(t.code, t.stderr).toBe(0);
    expect((await cognito.send(new DescribeUserPoolCommand({ UserPoolId: other }))).UserPool?.Domain).toBe(
      'agentcore-auth-dc-aaaaaa',
    );
  });

  it('--dry-run makes no write call (recorded by a proxy) and changes nothing', async () => {
    const proxy = await startRecordingProxy(stack.url);
    try {
      const proxied = {
        ...env(),
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: proxy.url,
        AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: proxy.url,
      };
      const made = await runCommand(['setup', '--name', 'dry', '--with-identity'], { env: env() });
      expect(made.code, made.stderr).toBe(0);
      const r = await runCommand(['setup', '--name', 'dry', '--with-identity', '--dry-run'], { env: proxied });
      expect(r.code, r.stderr).toBe(0);
      const t = await runCommand(['teardown', '--name', 'dry', '--dry-run'], { env: proxied });
      expect(t.code, t.stderr).toBe(0);
      expect(t.stdout).toMatch(
        /OAuth2 credential provider agentcore-auth-dry[\s\S]*workload identity[\s\S]*hosted-UI domain[\s\S]*user pool/,
      );
      const ops = proxy.operations();
      expect(ops).toContain('ListUserPools');
      expect(ops.filter((op) => !/^(List|Describe|Get|AdminGetUser|POST \/identities\/Get)/.test(op))).toEqual([]);
      expect(await poolsNamed('agentcore-auth-dry')).toHaveLength(1);
      expect((await runCommand(['teardown', '--name', 'dry', '--yes'], { env: env() })).code).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  // Each write step of `setup --with-identity` fails in turn (the stack's fault switch answers 500 until cleared):
  // the error names the step and the teardown command, and teardown then leaves nothing behind.
  const WRITE_STEPS: Array<[string, number]> = [
    ['CreateUserPool', 3],
    ['CreateResourceServer', 5],
    ['CreateUserPoolDomain', 6],
    ['CreateUserPoolClient', 9],
    ['AdminCreateUser', 13],
    ['AdminSetUserPassword', 14],
    ['CreateWorkloadIdentity', 17],
    ['CreateOauth2CredentialProvider', 20],
  ];
  for (const [op, n] of WRITE_STEPS) {
    it(`failure at ${op}: the error names step ${n} and teardown cleans up`, async () => {
      const name = `f-${op.toLowerCase().slice(0, 20)}`;
      stack.faults.add({ kind: 'error', match: op });
      let r: Awaited<ReturnType<typeof runCommand>>;
      try {
        r = await runCommand(['setup', '--name', name, '--with-identity'], { env: env() });
      } finally {
        stack.faults.clear();
      }
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`error: setup step ${n} (${op}) failed`);
      // Every step is counted up front: the total never changes, and the ones after the failure are reported skipped.
      const counters = [...r.stderr.matchAll(/^\[(\d+)\/(\d+)\]/gm)].map((m) => [Number(m[1]), Number(m[2])]);
      expect(counters.map(([i]) => i)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(counters.map(([, total]) => total))).toEqual(new Set([20]));
      expect(r.stderr).toContain(`agentcore-auth teardown --name ${name}`);
      if (op === 'CreateUserPool') expect(r.stderr).toContain('Nothing was created before this step');
      else expect(r.stderr).toMatch(/Made so far: user pool [\w-]+_\w+/);
      const t = await runCommand(['teardown', '--name', name, '--yes'], { env: env() });
      expect(t.code, t.stderr).toBe(0);
      expect(await poolsNamed(`agentcore-auth-${name}`)).toEqual([]);
      expect(await exists(() => control.send(new GetWorkloadIdentityCommand({ name: `agentcore-auth-${name}` })))).toBe(
        false,
      );
      expect(
        await exists(() => control.send(new GetOauth2CredentialProviderCommand({ name: `agentcore-auth-${name}` }))),
      ).toBe(false);
    });
  }

  it('teardown failing at a step names it; running it again finishes the job', async () => {
    expect((await runCommand(['setup', '--name', 'tdf'], { env: env() })).code).toBe(0);
    stack.faults.add({ kind: 'error', match: 'DeleteUserPool' });
    let r: Awaited<ReturnType<typeof runCommand>>;
    try {
      r = await runCommand(['teardown', '--name', 'tdf', '--yes'], { env: env() });
    } finally {
      stack.faults.clear();
    }
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/teardown step 9 \(DeleteUserPool\) failed/);
    // Finding (5 steps) and deleting (4) in one count whose total never changes.
    const counters = [...r.stderr.matchAll(/^\[(\d+)\/(\d+)\]/gm)].map((m) => `${m[1]}/${m[2]}`);
    expect(counters).toEqual(Array.from({ length: 9 }, (_, i) => `${i + 1}/9`));
    expect(r.stderr).toContain('Run `agentcore-auth teardown --name tdf` again');
    const again = await runCommand(['teardown', '--name', 'tdf', '--yes'], { env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(await poolsNamed('agentcore-auth-tdf')).toEqual([]);
  });

  it(
    'the IAM policy of `help iam` allows every call setup (fresh and again, --with-identity) ' + 'and teardown make',
    async () => {
      const topic = readFileSync(new URL('../../src/cli/manual/topics/iam.md', import.meta.url), 'utf8');
      const section = topic.slice(topic.indexOf('## The policy for `setup` and `teardown`'));
      const policy = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)![1]!) as {
        Statement: Array<{ Action: string[] }>;
      };
      const allowed = new Set(policy.Statement.flatMap((st) => st.Action));
      const proxy = await startRecordingProxy(stack.url);
      try {
        const proxied = {
          ...env(),
          AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: proxy.url,
          AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: proxy.url,
        };
        expect((await runCommand(['setup', '--name', 'iam'], { env: proxied })).code).toBe(0);
        expect((await runCommand(['setup', '--name', 'iam', '--with-identity'], { env: proxied })).code).toBe(0);
        expect((await runCommand(['teardown', '--name', 'iam', '--yes'], { env: proxied })).code).toBe(0);
      } finally {
        await proxy.close();
      }
      const actions = [...new Set(proxy.operations())].map((op) =>
        op.startsWith('POST /identities/')
          ? `bedrock-agentcore:${op.slice('POST /identities/'.length)}`
          : `cognito-idp:${op}`,
      );
      expect(actions).toContain('cognito-idp:TagResource');
      expect(actions).toContain('bedrock-agentcore:DeleteOauth2CredentialProvider');
      expect(actions.filter((a) => !allowed.has(a))).toEqual([]);
    },
  );

  // node reads a script argument named --env-file as its own option (nodejs/node#54232): exit 9 "not found" before the
  // CLI runs. The flag is --write-env; this runs the built binary in a real process to keep it that way.
  it('the built binary writes the env file with --write-env (a real node process)', async () => {
    const dir = createTestContext().homedir;
    const file = join(dir, 'bin.env');
    const r = await runBuiltCli(['setup', '--name', 'bin', '--write-env', file], {
      ...env(),
      HOME: dir,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseEnvFile(file).AGENTCORE_AUTH_USERNAME).toBe('test-user');
    expect((await runCommand(['teardown', '--name', 'bin', '--yes'], { env: env() })).code).toBe(0);
  });

  it(
    '--show-secrets puts the secrets in --json; without the env file the human output says how ' + 'to get them',
    async () => {
      const r = await runCommand(['setup', '--name', 'show', '--json', '--show-secrets'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as SetupJson;
      expect(out.clients.app.clientSecret?.value).toMatch(/^[a-z0-9]{51}$/);
      expect(out.user.password?.value).toMatch(/^[A-Za-z][\w.:+=@%-]{23}$/);
      const human = await runCommand(['setup', '--name', 'show'], { env: env() });
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toContain('Next steps');
      expect(human.stdout).toContain('--write-env FILE writes them to a 0600 file');
      expect(human.stdout).toContain('"customJWTAuthorizer"');
      expect(human.stdout).toContain('agentcore-auth teardown --name show');
      expect((await runCommand(['teardown', '--name', 'show', '--yes'], { env: env() })).code).toBe(0);
    },
  );
});
