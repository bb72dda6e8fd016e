/**
 * Bad input around Cognito, as the CLI reports it: a pre-token-generation trigger that is down or answers garbage
 * (Cognito's exception, exit 3, and the fix), an unknown group and a malformed ListUsers Filter explained; and
 * `local` reporting sign-up confirmation codes (no mail on the local stack) on its log and, under --json, as JSON
 * lines.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/emulator/config.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { createTestContext, runCommand } from '../helpers/context.js';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:claims';
const DOWN = 'arn:aws:lambda:us-east-1:123456789012:function:claims-down';
const CLIENT = 'errorslocalclient000000000';
let fn: Server;
let stack: LocalStack;
let stackDown: LocalStack;

beforeAll(async () => {
  // The user's function answers something that is not JSON.
  fn = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('<html>oops</html>'));
  });
  await new Promise<void>((r) => fn.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(fn.address() as AddressInfo).port}`;
  const pool = (arn: string) => ({
    userPool: {
      clients: [{ name: 'cli', clientId: CLIENT, explicitAuthFlows: ['USER_PASSWORD_AUTH'] }],
      users: [{ username: 'alice', password: 'Alice-Passw0rd!' }],
      preTokenGeneration: { lambdaArn: arn, lambdaVersion: 'V2_0' },
    },
  });
  [stack, stackDown] = await Promise.all([
    startLocalStack({ config: pool(ARN), lambdas: [`${ARN}=${url}`] }),
    // No --lambda for this ARN: the stack cannot reach the function.
    startLocalStack({ config: pool(DOWN) }),
  ]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), stackDown?.close()]);
  await new Promise<void>((r) => fn.close(() => r()));
});

const login = (s: LocalStack) =>
  runCommand(
    [
      'login',
      '--user-pool-id',
      s.userPool.id,
      '--client-id',
      CLIENT,
      '--username',
      'alice',
      '--password',
      'Alice-Passw0rd!',
      '--no-cache',
    ],
    { env: s.env },
  );

describe('trigger failures at login', () => {
  it('a trigger endpoint the stack cannot reach: UnexpectedLambdaException, exit 3, how to serve it', async () => {
    const r = await login(stackDown);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('UnexpectedLambdaException: PreTokenGeneration invocation failed due to error');
    expect(r.stderr).toContain(`--lambda ${DOWN}=http://127.0.0.1:PORT`);
  });
  it('a trigger answering garbage: InvalidLambdaResponseException, exit 3, what to return', async () => {
    const r = await login(stack);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('InvalidLambdaResponseException: Invalid lambda function output : Invalid JSON');
    expect(r.stderr).toContain('claimsAndScopeOverrideDetails');
  });
});

describe('explain', () => {
  it.each([
    ['ResourceNotFoundException: Group not found.', 'create-group'],
    ['InvalidParameterException: Error while parsing filter.', '^= "alice"'],
    ['NotAuthorizedException: Refresh Token has been revoked', 'Log in again'],
    ['CodeMismatchException: Invalid code or auth state for the user.', 'AGENTCORE_AUTH_TOTP_SECRET'],
  ])('%s → the fix', async (message, fix) => {
    const r = await runCommand(['explain', message]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain(fix);
  });
});

describe('local reports confirmation codes', () => {
  const signUp = (url: string, username: string) =>
    new CognitoIdentityProviderClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    }).send(
      new SignUpCommand({
        // The seeded public client (its id is derived from its name, the same in every stack).
        ClientId: parseConfig({}).userPool.clients.find((c) => c.name === 'public-client')!.clientId,
        Username: username,
        Password: 'Zoe-Passw0rd!1',
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
      }),
    );

  it('under --json, one JSON line per code after the document', async () => {
    const ac = new AbortController();
    const ctx = createTestContext({ signal: ac.signal });
    const run = runCommand(['local', '--json', '--port', '0'], ctx);
    const doc = await vi.waitFor(() => JSON.parse(ctx.stdout.text().split('\n')[0]!) as { url: string }, {
      timeout: 30_000,
    });
    await signUp(doc.url, 'zoe');
    const line = await vi.waitFor(() => {
      const l = ctx.stdout.text().split('\n')[1];
      if (!l) throw new Error('no event line yet');
      return JSON.parse(l) as Record<string, string>;
    });
    expect(line).toMatchObject({ event: 'cognito-code', username: 'zoe', purpose: 'SignUp', destination: 'z***@e***' });
    expect(line.code).toMatch(/^\d{6}$/);
    ac.abort();
    expect((await run).code).toBe(130);
  });

  it('without --json, a line on the log (stderr)', async () => {
    const ac = new AbortController();
    const ctx = createTestContext({ signal: ac.signal });
    const run = runCommand(['local', '--port', '0'], ctx);
    const url = await vi.waitFor(
      () => {
        const m = /export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=(\S+)/.exec(ctx.stdout.text());
        if (!m || !ctx.stderr.text().includes('Ctrl-C')) throw new Error('not ready');
        return m[1]!;
      },
      { timeout: 30_000 },
    );
    await signUp(url, 'yan');
    await vi.waitFor(() => expect(ctx.stderr.text()).toMatch(/Cognito SignUp code for yan \(us-east-1_\w+\): \d{6}/));
    ac.abort();
    expect((await run).code).toBe(130);
  });
});
