/**
 * Differential tests: the Cognito scenarios both can answer run against the local stack's user pool and against
 * cognito-local (the third-party emulator test/global-setup.ts starts once per run), through the same real SDK calls,
 * and their outcomes are compared. Where the two differ, the test asserts each side and says which one follows
 * Cognito's documentation (or the live service's recorded answers) and why.
 */
import { randomBytes } from 'node:crypto';
import {
  AddCustomAttributesCommand,
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserPoolClientCommand,
  VerifySoftwareTokenCommand,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { failure } from './helpers.js';

type Name = 'local stack' | 'cognito-local';
interface Target {
  name: Name;
  cip: CognitoIdentityProviderClient;
  pool: string;
}

let stack: LocalStack;
const targets: Target[] = [];
const cognitoLocal = inject('cognito');

beforeAll(async () => {
  stack = await startLocalStack();
  const sdk = (endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new CognitoIdentityProviderClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  targets.push(
    { name: 'local stack', cip: sdk(stack.url, stack.credentials), pool: stack.userPool.id },
    {
      name: 'cognito-local',
      cip: sdk(cognitoLocal.endpoint, { accessKeyId: 'local', secretAccessKey: 'local' }),
      pool: cognitoLocal.poolId,
    },
  );
});
afterAll(async () => {
  for (const t of targets) t.cip.destroy();
  await stack?.close();
});

/** Runs a scenario on both; returns the outcomes by target. */
async function both<T>(scenario: (t: Target) => Promise<T>): Promise<Record<Name, T>> {
  const [local, third] = await Promise.all(targets.map(scenario));
  return { 'local stack': local!, 'cognito-local': third! };
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const PASSWORD = 'Diff-Passw0rd!1';

async function appClient(t: Target, flows = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const) {
  const out = await t.cip.send(
    new CreateUserPoolClientCommand({ UserPoolId: t.pool, ClientName: unique('diff'), ExplicitAuthFlows: [...flows] }),
  );
  return out.UserPoolClient!.ClientId!;
}

async function user(t: Target, attributes: AttributeType[] = []) {
  const username = unique('u');
  await t.cip.send(
    new AdminCreateUserCommand({
      UserPoolId: t.pool,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: attributes,
    }),
  );
  await t.cip.send(
    new AdminSetUserPasswordCommand({ UserPoolId: t.pool, Username: username, Password: PASSWORD, Permanent: true }),
  );
  return username;
}

const signIn = (t: Target, clientId: string, username: string) =>
  t.cip.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );

describe('local stack vs cognito-local', () => {
  it('sign-in tokens: the same claim sets that AgentCore’s authorizer reads', async () => {
    const out = await both(async (t) => {
      const clientId = await appClient(t);
      const username = await user(t, [{ Name: 'email', Value: `${unique('e')}@example.com` }]);
      const r = (await signIn(t, clientId, username)).AuthenticationResult!;
      const access = decodeJwt(r.AccessToken!);
      const id = decodeJwt(r.IdToken!);
      return {
        accessUse: access.token_use,
        accessAud: access.aud,
        clientIdMatches: access.client_id === clientId,
        usernameMatches: access.username === username,
        scope: access.scope,
        idUse: id.token_use,
        idAudMatches: id.aud === clientId,
        idUsernameMatches: id['cognito:username'] === username,
        idHasEmail: typeof id.email === 'string',
      };
    });
    expect(out['local stack']).toEqual(out['cognito-local']);
    expect(out['local stack']).toMatchObject({ accessUse: 'access', accessAud: undefined, idAudMatches: true });
  });

  it('groups: membership both ways, GetGroup, removal, and cognito:groups in both tokens', async () => {
    const out = await both(async (t) => {
      const [a, b] = [unique('g'), unique('g')];
      await t.cip.send(new CreateGroupCommand({ UserPoolId: t.pool, GroupName: a, Precedence: 5 }));
      await t.cip.send(new CreateGroupCommand({ UserPoolId: t.pool, GroupName: b, Precedence: 1 }));
      const clientId = await appClient(t);
      const username = await user(t);
      for (const g of [a, b])
        await t.cip.send(new AdminAddUserToGroupCommand({ UserPoolId: t.pool, Username: username, GroupName: g }));
      const listed = await t.cip.send(new AdminListGroupsForUserCommand({ UserPoolId: t.pool, Username: username }));
      const members = await t.cip.send(new ListUsersInGroupCommand({ UserPoolId: t.pool, GroupName: a }));
      const group = (await t.cip.send(new GetGroupCommand({ UserPoolId: t.pool, GroupName: b }))).Group!;
      const tokens = (await signIn(t, clientId, username)).AuthenticationResult!;
      const access = decodeJwt(tokens.AccessToken!)['cognito:groups'] as string[];
      const id = decodeJwt(tokens.IdToken!)['cognito:groups'] as string[];
      await t.cip.send(new DeleteGroupCommand({ UserPoolId: t.pool, GroupName: a }));
      const after = await t.cip.send(new AdminListGroupsForUserCommand({ UserPoolId: t.pool, Username: username }));
      const rename = (n: string | undefined) => (n === a ? 'A' : n === b ? 'B' : n);
      return {
        order: access.map(rename),
        outcome: {
          listed: listed.Groups!.map((g) => rename(g.GroupName)).sort(),
          members: members.Users!.map((u) => u.Username === username),
          precedence: group.Precedence,
          access: access.map(rename).sort(),
          id: id.map(rename).sort(),
          afterDelete: after.Groups!.map((g) => rename(g.GroupName)),
        },
      };
    });
    expect(out['local stack'].outcome).toEqual(out['cognito-local'].outcome);
    expect(out['local stack'].outcome).toMatchObject({ access: ['A', 'B'], afterDelete: ['B'] });
    // They differ in order: the local stack lists the lowest precedence first (B, precedence 1), the group whose role
    // Cognito documents as cognito:preferred_role; cognito-local sorts names alphabetically, ignoring precedence.
    expect(out['local stack'].order).toEqual(['B', 'A']);
  });

  it('an unknown group: the same exception; the message differs by a period', async () => {
    const out = await both(async (t) => {
      const username = await user(t);
      return failure(
        t.cip.send(new AdminAddUserToGroupCommand({ UserPoolId: t.pool, Username: username, GroupName: 'nosuch-x' })),
      );
    });
    expect(out['local stack'].name).toBe(out['cognito-local'].name);
    expect(out['local stack'].name).toBe('ResourceNotFoundException');
    // "Group not found." is the live service's text (recorded in aws-amplify/amplify-cli#2214); cognito-local drops
    // the period.
    expect([out['local stack'].message, out['cognito-local'].message]).toEqual(['Group not found.', 'Group not found']);
  });

  it('ListUsers with Filter: = and ^= agree; a malformed filter is the same exception', async () => {
    const out = await both(async (t) => {
      const tag = unique('f');
      const names = [await user(t, [{ Name: 'email', Value: `${tag}-one@example.com` }])];
      names.push(await user(t, [{ Name: 'email', Value: `${tag}-two@example.com` }]));
      const list = async (Filter: string) =>
        (await t.cip.send(new ListUsersCommand({ UserPoolId: t.pool, Filter }))).Users!.map((u) =>
          names.indexOf(u.Username!),
        );
      return {
        exact: await list(`email = "${tag}-two@example.com"`),
        prefix: (await list(`email ^= "${tag}-"`)).sort(),
        malformed: (await failure(t.cip.send(new ListUsersCommand({ UserPoolId: t.pool, Filter: 'email = x' })))).name,
      };
    });
    expect(out['local stack']).toEqual(out['cognito-local']);
    expect(out['local stack']).toEqual({ exact: [1], prefix: [0, 1], malformed: 'InvalidParameterException' });
  });

  it('GetUser with the access token, AdminUpdateUserAttributes with a custom attribute, AdminGetUser', async () => {
    const out = await both(async (t) => {
      const attr = `d${randomBytes(3).toString('hex')}`;
      await t.cip.send(
        new AddCustomAttributesCommand({
          UserPoolId: t.pool,
          CustomAttributes: [{ Name: attr, AttributeDataType: 'String', Mutable: true }],
        }),
      );
      const clientId = await appClient(t);
      const username = await user(t);
      await t.cip.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: t.pool,
          Username: username,
          UserAttributes: [{ Name: `custom:${attr}`, Value: 'blue' }],
        }),
      );
      const got = await t.cip.send(new AdminGetUserCommand({ UserPoolId: t.pool, Username: username }));
      const tokens = (await signIn(t, clientId, username)).AuthenticationResult!;
      const me = await t.cip.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
      return {
        adminGet: got.UserAttributes?.find((a) => a.Name === `custom:${attr}`)?.Value,
        getUser: me.Username === username,
        idToken: decodeJwt(tokens.IdToken!)[`custom:${attr}`],
      };
    });
    expect(out['local stack']).toEqual(out['cognito-local']);
    expect(out['local stack']).toEqual({ adminGet: 'blue', getUser: true, idToken: 'blue' });
  });

  it('SignUp → UNCONFIRMED → AdminConfirmSignUp → signs in; confirming twice is refused the same way', async () => {
    const out = await both(async (t) => {
      const clientId = await appClient(t);
      const username = unique('s');
      const up = await t.cip.send(new SignUpCommand({ ClientId: clientId, Username: username, Password: PASSWORD }));
      await t.cip.send(new AdminConfirmSignUpCommand({ UserPoolId: t.pool, Username: username }));
      const signedIn = !!(await signIn(t, clientId, username)).AuthenticationResult?.AccessToken;
      const twice = await failure(
        t.cip.send(new AdminConfirmSignUpCommand({ UserPoolId: t.pool, Username: username })),
      );
      return { confirmed: up.UserConfirmed, signedIn, twice: [twice.name, twice.message] };
    });
    expect(out['local stack']).toEqual(out['cognito-local']);
    expect(out['local stack'].twice).toEqual([
      'NotAuthorizedException',
      'User cannot be confirmed. Current status is CONFIRMED',
    ]);
  });

  it('VerifySoftwareToken: a right code succeeds on both; a wrong one is refused under different names', async () => {
    const out = await both(async (t) => {
      const clientId = await appClient(t);
      const username = await user(t);
      const access = (await signIn(t, clientId, username)).AuthenticationResult!.AccessToken!;
      const { SecretCode } = await t.cip.send(new AssociateSoftwareTokenCommand({ AccessToken: access }));
      const wrongAt = Date.now() - 10 * 60_000;
      const wrong = TOTP.generate({ secret: Secret.fromBase32(SecretCode!), timestamp: wrongAt });
      const refused = await failure(
        t.cip.send(new VerifySoftwareTokenCommand({ AccessToken: access, UserCode: wrong })),
      );
      const UserCode = TOTP.generate({ secret: Secret.fromBase32(SecretCode!) });
      const ok = await t.cip.send(new VerifySoftwareTokenCommand({ AccessToken: access, UserCode }));
      return { status: ok.Status, refused: refused.name };
    });
    expect(out['local stack'].status).toBe(out['cognito-local'].status);
    // The live service answers EnableSoftwareTokenMFAException "Code mismatch and fail enable Software Token MFA" here
    // (aws-samples/aws-amplify-auth-starters#15); cognito-local answers CodeMismatchException, the sign-in challenge's.
    expect([out['local stack'].refused, out['cognito-local'].refused]).toEqual([
      'EnableSoftwareTokenMFAException',
      'CodeMismatchException',
    ]);
  });

  it('only the local stack follows Cognito: disabled users, revoked refresh tokens, ExplicitAuthFlows', async () => {
    const out = await both(async (t) => {
      const clientId = await appClient(t);
      const disabled = await user(t);
      await t.cip.send(new AdminDisableUserCommand({ UserPoolId: t.pool, Username: disabled }));
      const disabledSignIn = await signIn(t, clientId, disabled).then(
        () => 'signed in',
        (e: Error) => `${e.name}: ${e.message}`,
      );
      const username = await user(t);
      const refresh = (await signIn(t, clientId, username)).AuthenticationResult!.RefreshToken!;
      await t.cip.send(new RevokeTokenCommand({ ClientId: clientId, Token: refresh }));
      const revoked = await failure(
        t.cip.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: refresh },
          }),
        ),
      );
      await t.cip.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: t.pool,
          ClientId: clientId,
          ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      );
      const noPasswordFlow = await signIn(t, clientId, username).then(
        () => 'signed in',
        (e: Error) => `${e.name}: ${e.message}`,
      );
      return { disabledSignIn, revoked: `${revoked.name}: ${revoked.message}`, noPasswordFlow };
    });
    // Cognito refuses a disabled user ("User is disabled.", agentcore-errors.md §7); cognito-local signs them in.
    expect(out['local stack'].disabledSignIn).toBe('NotAuthorizedException: User is disabled.');
    expect(out['cognito-local'].disabledSignIn).toBe('signed in');
    // Both refuse a revoked refresh token; Cognito's words are "Refresh Token has been revoked" (what
    // `login --auth-flow refresh` explains); cognito-local's is its generic "User not authorized".
    expect(out['local stack'].revoked).toBe('NotAuthorizedException: Refresh Token has been revoked');
    expect(out['cognito-local'].revoked).toMatch(/^NotAuthorizedException: /);
    // Cognito enforces ExplicitAuthFlows ("USER_PASSWORD_AUTH flow not enabled for this client", §7); cognito-local
    // stores the list but never checks it (test-counterparts.md §1).
    expect(out['local stack'].noPasswordFlow).toBe(
      'InvalidParameterException: USER_PASSWORD_AUTH flow not enabled for this client',
    );
    expect(out['cognito-local'].noPasswordFlow).toBe('signed in');
  });
});
