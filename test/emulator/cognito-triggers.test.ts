/**
 * Pre-token-generation triggers on the local user pool: the user's Lambda is the user's own node:http endpoint
 * speaking the Runtime Interface Emulator contract (`--lambda ARN=URL`), answering with Cognito's response shapes.
 * V1_0 edits the ID token and the groups; V2_0 both tokens and the scopes; V3_0 also client-credentials tokens.
 * Failures: the endpoint down, the function throwing, an answer that is not JSON or not the event.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InitiateAuthCommand, UpdateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor, failure } from './helpers.js';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:pre-token';
const DOWN = 'arn:aws:lambda:us-east-1:123456789012:function:down';
const CLIENT = 'triggerslocalclient0000000';
/** What the function answers next: a function of the event (the user's code), or raw text. */
let answer: ((event: any) => unknown) | string = (e) => e;
const events: any[] = [];
let fn: Server;
let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  fn = createServer((req, res) => {
    let body = '';
    req.on('data', (x) => (body += x));
    req.on('end', () => {
      const event = JSON.parse(body);
      events.push(event);
      res.end(typeof answer === 'string' ? answer : JSON.stringify(answer(event)));
    });
  });
  await new Promise<void>((r) => fn.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(fn.address() as AddressInfo).port}`;
  stack = await startLocalStack({
    lambdas: [`${ARN}=${url}`, `${DOWN}=http://127.0.0.1:1`],
    config: {
      userPool: {
        clients: [
          { name: 'cli', clientId: CLIENT, explicitAuthFlows: ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH'] },
          {
            name: 'm2m',
            clientId: 'm2mtriggerslocalclient0000',
            generateSecret: true,
            allowedOAuthFlows: ['client_credentials'],
            allowedOAuthScopes: ['agentcore/invoke'],
          },
        ],
        groups: [{ name: 'staff', precedence: 2 }],
        users: [
          { username: 'alice', password: 'Alice-Passw0rd!', attributes: { email: 'a@example.com' }, groups: ['staff'] },
        ],
        preTokenGeneration: { lambdaArn: ARN, lambdaVersion: 'V1_0' },
      },
    },
  });
  c = clientsFor(stack);
});
afterAll(async () => {
  await stack?.close();
  await new Promise<void>((r) => fn.close(() => r()));
});

const signIn = () =>
  c.cognito.send(
    new InitiateAuthCommand({
      ClientId: CLIENT,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!' },
      ClientMetadata: { purpose: 'test' },
    }),
  );
const useTrigger = (LambdaVersion: 'V1_0' | 'V2_0' | 'V3_0', LambdaArn = ARN) =>
  c.cognito.send(
    new UpdateUserPoolCommand({
      UserPoolId: stack.userPool.id,
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion, LambdaArn } },
    }),
  );
const m2mToken = async () => {
  const m2m = stack.userPool.clients.find((x) => x.name === 'm2m')!;
  const res = await fetch(stack.userPool.tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${m2m.clientId}:${m2m.clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

describe('pre-token generation', () => {
  it('V1_0: Cognito’s event; ID claims added, overridden, suppressed; groups overridden in both tokens', async () => {
    answer = (e) => ({
      ...e,
      response: {
        claimsOverrideDetails: {
          claimsToAddOrOverride: { tier: 'gold', email: 'changed@example.com', sub: 'forged', exp: '1' },
          claimsToSuppress: ['email_verified', 'tier'],
          groupOverrideDetails: { groupsToOverride: ['admins', 'beta'] },
        },
      },
    });
    const t = (await signIn()).AuthenticationResult!;
    expect(events.at(-1)).toMatchObject({
      version: '1',
      triggerSource: 'TokenGeneration_Authentication',
      region: 'us-east-1',
      userPoolId: stack.userPool.id,
      userName: 'alice',
      callerContext: { clientId: CLIENT },
      request: {
        userAttributes: { email: 'a@example.com', 'cognito:user_status': 'CONFIRMED' },
        groupConfiguration: { groupsToOverride: ['staff'], iamRolesToOverride: [], preferredRole: null },
        clientMetadata: { purpose: 'test' },
      },
      response: { claimsOverrideDetails: null },
    });
    const id = decodeJwt(t.IdToken!);
    // Suppressed wins over overridden (documented); sub and exp cannot be changed by a trigger.
    expect(id).toMatchObject({ email: 'changed@example.com', 'cognito:groups': ['admins', 'beta'] });
    expect(id.tier).toBeUndefined();
    expect(id.email_verified).toBeUndefined();
    expect(id.sub).not.toBe('forged');
    const access = decodeJwt(t.AccessToken!);
    expect(access['cognito:groups']).toEqual(['admins', 'beta']);
    expect(access.email).toBeUndefined();
  });

  it('V2_0: both tokens (any JSON), scopes added and suppressed; refresh: TokenGeneration_RefreshTokens', async () => {
    await useTrigger('V2_0');
    answer = (e) => ({
      ...e,
      response: {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToAddOrOverride: { roles: ['a', 'b'] } },
          accessTokenGeneration: {
            claimsToAddOrOverride: { tenant: { id: 7 }, 'cognito:groups': ['ignored'] },
            scopesToAdd: ['agentcore/invoke'],
            scopesToSuppress: ['aws.cognito.signin.user.admin'],
          },
          groupOverrideDetails: null,
        },
      },
    });
    const t = (await signIn()).AuthenticationResult!;
    expect(events.at(-1)).toMatchObject({ version: '2', request: { scopes: ['aws.cognito.signin.user.admin'] } });
    const access = decodeJwt(t.AccessToken!);
    expect(access).toMatchObject({ tenant: { id: 7 }, scope: 'agentcore/invoke' });
    expect(access['cognito:groups']).toBeUndefined();
    expect(decodeJwt(t.IdToken!).roles).toEqual(['a', 'b']);
    await c.cognito.send(
      new InitiateAuthCommand({
        ClientId: CLIENT,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: t.RefreshToken! },
      }),
    );
    expect(events.at(-1).triggerSource).toBe('TokenGeneration_RefreshTokens');
    // V2_0 leaves client-credentials tokens alone…
    const before = events.length;
    expect((await m2mToken()).status).toBe(200);
    expect(events.length).toBe(before);
  });

  it('V3_0: client-credentials access tokens too (TokenGeneration_ClientCredentials)', async () => {
    await useTrigger('V3_0');
    answer = (e) => ({
      ...e,
      response: {
        claimsAndScopeOverrideDetails: {
          accessTokenGeneration: { claimsToAddOrOverride: { machine: true }, scopesToAdd: ['extra/scope'] },
        },
      },
    });
    const { status, body } = await m2mToken();
    expect(status).toBe(200);
    expect(events.at(-1)).toMatchObject({
      version: '3',
      triggerSource: 'TokenGeneration_ClientCredentials',
      request: { scopes: ['agentcore/invoke'] },
    });
    expect(decodeJwt(body.access_token!)).toMatchObject({ machine: true, scope: 'agentcore/invoke extra/scope' });
  });

  it('failures as Cognito names them: down, threw, not JSON, not the event', async () => {
    await useTrigger('V2_0', DOWN);
    const down = await failure(signIn());
    expect(down.name).toBe('UnexpectedLambdaException');
    expect(down.message).toMatch(/^PreTokenGeneration invocation failed due to error http:\/\/127\.0\.0\.1:1: /);
    await useTrigger('V2_0');
    answer = () => ({ errorType: 'Error', errorMessage: 'no tokens today' });
    expect(await failure(signIn())).toMatchObject({
      name: 'UserLambdaValidationException',
      message: 'PreTokenGeneration failed with error Error: no tokens today.',
    });
    answer = 'not json at all';
    expect(await failure(signIn())).toMatchObject({
      name: 'InvalidLambdaResponseException',
      message: 'Invalid lambda function output : Invalid JSON',
    });
    answer = () => ({ response: { claimsAndScopeOverrideDetails: { idTokenGeneration: 'nope' } } });
    expect(await failure(signIn())).toMatchObject({
      name: 'InvalidLambdaResponseException',
      message: 'Unrecognizable lambda output',
    });
    // On the token endpoint the refusal is an OAuth error naming Cognito's exception.
    await useTrigger('V3_0', DOWN);
    const { status, body } = await m2mToken();
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toMatch(/^UnexpectedLambdaException: /);
    await c.cognito.send(new UpdateUserPoolCommand({ UserPoolId: stack.userPool.id }));
    expect((await signIn()).AuthenticationResult).toBeDefined();
  });
});
