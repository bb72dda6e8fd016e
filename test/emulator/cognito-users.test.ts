/**
 * Groups, users and self sign-up on the local user pool, through the real Cognito SDK client: every group operation,
 * `cognito:groups` in both tokens by precedence (config users naming their groups), ListUsers with Cognito's Filter,
 * GetUser, custom attributes in the schema and the ID token, disabling users, SignUp / ConfirmSignUp with the code
 * the stack reports as an event, AdminConfirmSignUp, UpdateUserPool(Client), List/UpdateResourceServer.
 */
import {
  AddCustomAttributesCommand,
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmSignUpCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListResourceServersCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  SignUpCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackEvent } from '../../src/emulator/context.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { MESSAGES } from '../../src/wire.js';
import { clientsFor, failure } from './helpers.js';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
let pool: string;
const CLIENT = 'userstestlocalclient000000';
const events: StackEvent[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    onEvent: (e) => events.push(e),
    config: {
      userPool: {
        clients: [{ name: 'cli', clientId: CLIENT, explicitAuthFlows: ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH'] }],
        groups: [
          { name: 'admins', precedence: 1, roleArn: 'arn:aws:iam::123456789012:role/admins' },
          { name: 'readers', precedence: 5 },
        ],
        users: [
          {
            username: 'alice',
            password: 'Alice-Passw0rd!',
            attributes: { email: 'alice@example.com', name: 'Alice', 'custom:team': 'red' },
            groups: ['readers', 'admins', 'beta'],
          },
          { username: 'carol', password: 'Carol-Passw0rd!', attributes: { email: 'carol@corp.example' } },
        ],
      },
    },
  });
  c = clientsFor(stack);
  pool = stack.userPool.id;
});
afterAll(() => stack.close());

const signIn = async (username: string, password: string) =>
  (
    await c.cognito.send(
      new InitiateAuthCommand({
        ClientId: CLIENT,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    )
  ).AuthenticationResult!;

describe('groups', () => {
  it('config users name their groups: cognito:groups in both tokens by precedence, roles in the ID token', async () => {
    const t = await signIn('alice', 'Alice-Passw0rd!');
    expect(decodeJwt(t.AccessToken!)['cognito:groups']).toEqual(['admins', 'readers', 'beta']);
    expect(decodeJwt(t.IdToken!)).toMatchObject({
      'cognito:groups': ['admins', 'readers', 'beta'],
      'cognito:roles': ['arn:aws:iam::123456789012:role/admins'],
      'cognito:preferred_role': 'arn:aws:iam::123456789012:role/admins',
      'custom:team': 'red',
    });
    const carol = await signIn('carol', 'Carol-Passw0rd!');
    expect(decodeJwt(carol.AccessToken!)['cognito:groups']).toBeUndefined();
  });

  it('Create/Get/List/Delete, add and remove members, list both ways; unknown and duplicate refused', async () => {
    const created = await c.cognito.send(
      new CreateGroupCommand({ UserPoolId: pool, GroupName: 'ops', Description: 'on call', Precedence: 0 }),
    );
    expect(created.Group).toMatchObject({ GroupName: 'ops', UserPoolId: pool, Precedence: 0, Description: 'on call' });
    expect(await failure(c.cognito.send(new CreateGroupCommand({ UserPoolId: pool, GroupName: 'ops' })))).toMatchObject(
      { name: 'GroupExistsException', message: 'A group with the name ops already exists.' },
    );
    expect((await c.cognito.send(new GetGroupCommand({ UserPoolId: pool, GroupName: 'ops' }))).Group?.GroupName).toBe(
      'ops',
    );
    const groups = await c.cognito.send(new ListGroupsCommand({ UserPoolId: pool, Limit: 2 }));
    expect(groups.Groups).toHaveLength(2);
    expect(groups.NextToken).toBeDefined();
    await c.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: 'carol', GroupName: 'ops' }));
    const carolGroups = await c.cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: pool, Username: 'carol' }),
    );
    expect(carolGroups.Groups?.map((g) => g.GroupName)).toEqual(['ops']);
    const members = await c.cognito.send(new ListUsersInGroupCommand({ UserPoolId: pool, GroupName: 'ops' }));
    expect(members.Users?.map((u) => u.Username)).toEqual(['carol']);
    expect(decodeJwt((await signIn('carol', 'Carol-Passw0rd!')).AccessToken!)['cognito:groups']).toEqual(['ops']);
    await c.cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: pool, Username: 'carol', GroupName: 'ops' }),
    );
    expect((await c.cognito.send(new ListUsersInGroupCommand({ UserPoolId: pool, GroupName: 'ops' }))).Users).toEqual(
      [],
    );
    await c.cognito.send(new DeleteGroupCommand({ UserPoolId: pool, GroupName: 'ops' }));
    for (const call of [
      new GetGroupCommand({ UserPoolId: pool, GroupName: 'ops' }),
      new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: 'carol', GroupName: 'nosuch' }),
    ])
      expect(await failure(c.cognito.send(call as never))).toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'Group not found.',
      });
    expect(
      await failure(
        c.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: 'nobody', GroupName: 'admins' })),
      ),
    ).toMatchObject({ name: 'UserNotFoundException', message: MESSAGES.cognitoUserNotFound });
  });
});

describe('users', () => {
  it('ListUsers with Cognito’s Filter (= ^= escapes status), AttributesToGet; a malformed Filter refused', async () => {
    const list = (Filter?: string, extra: Record<string, unknown> = {}) =>
      c.cognito
        .send(new ListUsersCommand({ UserPoolId: pool, ...(Filter !== undefined ? { Filter } : {}), ...extra }))
        .then((r) => r.Users!.map((u) => u.Username));
    expect(await list()).toEqual(['alice', 'carol']);
    expect(await list('')).toEqual(['alice', 'carol']);
    expect(await list('email = "carol@corp.example"')).toEqual(['carol']);
    expect(await list('email ^= "ali"')).toEqual(['alice']);
    expect(await list('name = "Ali\\"ce"')).toEqual([]);
    expect(await list('status = "enabled"')).toEqual(['alice', 'carol']);
    expect(await list('cognito:user_status = "CONFIRMED"')).toEqual(['alice', 'carol']);
    const only = await c.cognito.send(
      new ListUsersCommand({ UserPoolId: pool, Filter: 'username = "alice"', AttributesToGet: ['email'] }),
    );
    expect(only.Users![0]!.Attributes).toEqual([{ Name: 'email', Value: 'alice@example.com' }]);
    for (const bad of ['email = alice', 'custom:team = "red"', 'email ~= "x"', 'email = "a" and name = "b"'])
      expect(await failure(c.cognito.send(new ListUsersCommand({ UserPoolId: pool, Filter: bad })))).toMatchObject({
        name: 'InvalidParameterException',
        message: 'Error while parsing filter.',
      });
  });

  it('GetUser with the access token; custom attributes must be in the schema and reach the ID token', async () => {
    const t = await signIn('carol', 'Carol-Passw0rd!');
    const me = await c.cognito.send(new GetUserCommand({ AccessToken: t.AccessToken }));
    expect(me.Username).toBe('carol');
    expect(me.UserAttributes?.find((a) => a.Name === 'email')?.Value).toBe('carol@corp.example');
    const update = (Name: string) =>
      c.cognito.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: pool,
          Username: 'carol',
          UserAttributes: [{ Name, Value: 'x1' }],
        }),
      );
    expect(await failure(update('custom:level'))).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Attribute does not exist in the schema.',
    });
    await c.cognito.send(
      new AddCustomAttributesCommand({
        UserPoolId: pool,
        CustomAttributes: [{ Name: 'level', AttributeDataType: 'String', Mutable: true }],
      }),
    );
    await update('custom:level');
    const schema = (await c.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool }))).UserPool?.SchemaAttributes;
    expect(schema?.map((a) => a.Name)).toContain('custom:level');
    const id = decodeJwt((await signIn('carol', 'Carol-Passw0rd!')).IdToken!);
    expect(id['custom:level']).toBe('x1');
    expect(decodeJwt(t.AccessToken!)['custom:level']).toBeUndefined();
  });

  it('AdminDisableUser: sign-in and GetUser refused with Cognito’s message; AdminEnableUser restores', async () => {
    const t = await signIn('carol', 'Carol-Passw0rd!');
    await c.cognito.send(new AdminDisableUserCommand({ UserPoolId: pool, Username: 'carol' }));
    expect(await failure(signIn('carol', 'Carol-Passw0rd!'))).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });
    expect((await failure(c.cognito.send(new GetUserCommand({ AccessToken: t.AccessToken })))).message).toBe(
      'User is disabled.',
    );
    expect((await c.cognito.send(new AdminGetUserCommand({ UserPoolId: pool, Username: 'carol' }))).Enabled).toBe(
      false,
    );
    await c.cognito.send(new AdminEnableUserCommand({ UserPoolId: pool, Username: 'carol' }));
    expect((await signIn('carol', 'Carol-Passw0rd!')).AccessToken).toBeTruthy();
  });

  it('SignUp → UNCONFIRMED, the code reported as an event, ConfirmSignUp (wrong code refused) → signs in', async () => {
    const out = await c.cognito.send(
      new SignUpCommand({
        ClientId: CLIENT,
        Username: 'dave',
        Password: 'Dave-Passw0rd!',
        UserAttributes: [{ Name: 'email', Value: 'dave@example.com' }],
      }),
    );
    expect(out).toMatchObject({
      UserConfirmed: false,
      CodeDeliveryDetails: { Destination: 'd***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    });
    expect(await failure(signIn('dave', 'Dave-Passw0rd!'))).toMatchObject({
      name: 'UserNotConfirmedException',
      message: 'User is not confirmed.',
    });
    const event = events.find((e) => e.username === 'dave')!;
    expect(event).toMatchObject({ kind: 'cognito-code', purpose: 'SignUp', userPoolId: pool });
    expect(event.code).toMatch(/^\d{6}$/);
    const wrong = event.code === '000000' ? '111111' : '000000';
    expect(
      await failure(
        c.cognito.send(new ConfirmSignUpCommand({ ClientId: CLIENT, Username: 'dave', ConfirmationCode: wrong })),
      ),
    ).toMatchObject({
      name: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
    await c.cognito.send(
      new ConfirmSignUpCommand({ ClientId: CLIENT, Username: 'dave', ConfirmationCode: event.code }),
    );
    expect((await signIn('dave', 'Dave-Passw0rd!')).AccessToken).toBeTruthy();
    expect(
      await failure(
        c.cognito.send(new SignUpCommand({ ClientId: CLIENT, Username: 'dave', Password: 'Dave-Passw0rd!' })),
      ),
    ).toMatchObject({ name: 'UsernameExistsException', message: 'User already exists' });
    expect(
      await failure(c.cognito.send(new SignUpCommand({ ClientId: CLIENT, Username: 'erin', Password: 'short' }))),
    ).toMatchObject({ name: 'InvalidPasswordException' });
  });

  it('AdminConfirmSignUp confirms an UNCONFIRMED user; twice is refused with the current status', async () => {
    await c.cognito.send(new SignUpCommand({ ClientId: CLIENT, Username: 'frank', Password: 'Frank-Passw0rd!' }));
    await c.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: 'frank' }));
    expect((await signIn('frank', 'Frank-Passw0rd!')).AccessToken).toBeTruthy();
    expect(
      await failure(c.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: 'frank' }))),
    ).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User cannot be confirmed. Current status is CONFIRMED',
    });
  });
});

describe('pool and client updates', () => {
  it('UpdateUserPool sets what it is given and resets the rest, as Cognito documents', async () => {
    await c.cognito.send(
      new UpdateUserPoolCommand({
        UserPoolId: pool,
        Policies: { PasswordPolicy: { MinimumLength: 20 } },
        UserPoolTags: { team: 'red' },
      }),
    );
    const p = (await c.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool }))).UserPool!;
    expect(p.Policies?.PasswordPolicy?.MinimumLength).toBe(20);
    expect(p.UserPoolTags).toEqual({ team: 'red' });
    expect(
      await failure(
        c.cognito.send(
          new AdminCreateUserCommand({ UserPoolId: pool, Username: 'gina', TemporaryPassword: 'Short-1a!' }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidPasswordException' });
    await c.cognito.send(new UpdateUserPoolCommand({ UserPoolId: pool }));
    const reset = (await c.cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool }))).UserPool!;
    expect(reset.Policies?.PasswordPolicy?.MinimumLength).toBe(8);
  });

  it('UpdateUserPoolClient replaces the flows: USER_PASSWORD_AUTH off → Cognito’s sentence', async () => {
    await c.cognito.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: pool,
        ClientId: CLIENT,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const d = await c.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: pool, ClientId: CLIENT }));
    expect(d.UserPoolClient).toMatchObject({
      ClientName: 'cli',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    expect(await failure(signIn('alice', 'Alice-Passw0rd!'))).toMatchObject({
      name: 'InvalidParameterException',
      message: MESSAGES.cognitoUserPasswordNotEnabled,
    });
    await c.cognito.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: pool,
        ClientId: CLIENT,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
      }),
    );
  });

  it('ListResourceServers and UpdateResourceServer (scopes replaced)', async () => {
    const list = await c.cognito.send(new ListResourceServersCommand({ UserPoolId: pool, MaxResults: 10 }));
    expect(list.ResourceServers?.map((r) => r.Identifier)).toEqual(['agentcore']);
    const updated = await c.cognito.send(
      new UpdateResourceServerCommand({
        UserPoolId: pool,
        Identifier: 'agentcore',
        Name: 'AgentCore',
        Scopes: [
          { ScopeName: 'invoke', ScopeDescription: 'invoke agents' },
          { ScopeName: 'admin', ScopeDescription: 'all' },
        ],
      }),
    );
    expect(updated.ResourceServer?.Scopes?.map((s) => s.ScopeName)).toEqual(['invoke', 'admin']);
    expect(
      await failure(c.cognito.send(new ListResourceServersCommand({ UserPoolId: pool, MaxResults: 51 }))),
    ).toMatchObject({
      name: 'InvalidParameterException',
      message:
        "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: " +
        'Member must have value less than or equal to 50',
    });
  });
});
