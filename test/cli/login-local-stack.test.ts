/**
 * `login` against the project's own local stack (src/emulator), whose Cognito-compatible IdP checks what cognito-local
 * does not: SECRET_HASH, ExplicitAuthFlows, NotAuthorizedException messages, SigV4 on AdminInitiateAuth, and the
 * hosted-UI token endpoint (client_credentials via --domain).
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { freePort } from '../fixtures/ports.js';
import { hostedUiSignIn } from '../fixtures/stack-users.js';
import { runCommand } from '../helpers/context.js';

// Cognito (and the stack's IdP) match callback URLs exactly, port included: a port the OS picked for this run,
// registered below and then bound by login.
let REDIRECT: string;
const DASH_SECRET = '-vq-dash-secret-0123456789';
const DASH_PASSWORD = '-qCarol-Passw0rd!';
let stack: LocalStack;
beforeAll(async () => {
  REDIRECT = `http://127.0.0.1:${await freePort()}/callback`;
  stack = await startLocalStack({
    config: {
      userPool: {
        clients: [
          {
            name: 'app-client',
            clientId: 'secretclientlocal000000000',
            clientSecret: 'local-client-secret-0123456789',
            allowedOAuthFlows: ['client_credentials'],
            allowedOAuthScopes: ['agentcore/invoke'],
          },
          { name: 'public-client', clientId: 'publicclientlocal000000000', callbackUrls: [REDIRECT] },
          { name: 'srp-only', clientId: 'srponlyclientlocal00000000', explicitAuthFlows: ['REFRESH_TOKEN_AUTH'] },
          // A secret that reads like global flags (-v, -q): the local stack's random base64url secrets can start so.
          { name: 'dash-secret', clientId: 'dashsecretclientlocal00000', clientSecret: DASH_SECRET },
        ],
        users: [
          { username: 'alice', password: 'Alice-Passw0rd!' },
          { username: 'carol', password: DASH_PASSWORD },
          {
            username: 'bob',
            password: 'Bob-Temp-Passw0rd!',
            temporaryPassword: true,
            attributes: { email: 'bob@example.com' },
          },
        ],
      },
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

const env = () => stack.env;
const pool = () => stack.userPool.id;

/** `login` with the stack's pool and an app client; the rest follows. */
const poolLogin = (clientId: string) => ['login', '--user-pool-id', pool(), '--client-id', clientId];

/** `login --auth-flow FLOW` at the stack's hosted UI (--domain + --user-pool-id) with an app client. */
const hostedUiLogin = (flow: string, clientId: string) => [
  ...['login', '--auth-flow', flow, '--domain', stack.url],
  ...['--user-pool-id', pool(), '--client-id', clientId],
];

describe('login against the local stack IdP', () => {
  it(
    'a client with a secret and no secret given: SECRET_HASH error, exit 4, with the hint to ' + 'pass the secret',
    async () => {
      const r = await runCommand(
        [...poolLogin('secretclientlocal000000000'), '--username', 'alice', '--password', 'Alice-Passw0rd!'],
        { env: env() },
      );
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('SECRET_HASH was not received');
      expect(r.stderr).toContain('hint: Pass the client secret');
    },
  );

  it('with the secret: SECRET_HASH verifies and the user signs in', async () => {
    const r = await runCommand(
      [
        ...poolLogin('secretclientlocal000000000'),
        '--client-secret-stdin',
        '--username',
        'alice',
        '--print',
        'access-token',
      ],
      { env: { ...env(), AGENTCORE_AUTH_PASSWORD: 'Alice-Passw0rd!' }, stdin: 'local-client-secret-0123456789\n' },
    );
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    expect(decodeJwt(r.stdout.trim())).toMatchObject({
      token_use: 'access',
      client_id: 'secretclientlocal000000000',
      username: 'alice',
      iss: stack.userPool.issuer,
    });
  });

  it('values that look like global flags stay the option values (--client-secret -vq…, --password -q…)', async () => {
    const argv = [
      ...poolLogin('dashsecretclientlocal00000'),
      '--client-secret',
      DASH_SECRET,
      '--username',
      'carol',
      '--password',
      DASH_PASSWORD,
      '--print',
      'access-token',
      '--no-cache',
    ];
    const r = await runCommand(argv, { env: env() });
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    expect(decodeJwt(r.stdout.trim())).toMatchObject({ client_id: 'dashsecretclientlocal00000', username: 'carol' });
    // neither value turned on --verbose or --quiet: no HTTP trace, and the sign-in line is there
    expect(r.stderr).not.toContain('→ POST');
    expect(r.stderr).toContain('InitiateAuth USER_PASSWORD_AUTH as carol');
    // a global flag after them still applies
    const verbose = await runCommand([...argv, '-v'], { env: env() });
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stderr).toContain('→ POST');
  });

  it('a wrong secret: "Unable to verify secret hash", exit 4', async () => {
    const r = await runCommand(
      [
        ...poolLogin('secretclientlocal000000000'),
        '--client-secret',
        'not-the-secret',
        '--username',
        'alice',
        '--password',
        'Alice-Passw0rd!',
      ],
      { env: env() },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Unable to verify secret hash/);
    expect(r.stderr).not.toContain('not-the-secret');
  });

  it('a wrong password: NotAuthorizedException, exit 4', async () => {
    const r = await runCommand(
      [...poolLogin('publicclientlocal000000000'), '--username', 'alice', '--password', 'nope-nope'],
      { env: env() },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('NotAuthorizedException: Incorrect username or password.');
  });

  it('USER_PASSWORD_AUTH not enabled on the client: the hint names ALLOW_USER_PASSWORD_AUTH', async () => {
    const r = await runCommand(
      [...poolLogin('srponlyclientlocal00000000'), '--username', 'alice', '--password', 'Alice-Passw0rd!'],
      { env: env() },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('USER_PASSWORD_AUTH flow not enabled');
    expect(r.stderr).toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  it(
    'admin-user-password is SigV4-signed with the stack credentials; NEW_PASSWORD_REQUIRED answered with ' +
      '--new-password',
    async () => {
      const r = await runCommand(
        [
          ...poolLogin('publicclientlocal000000000'),
          '--auth-flow',
          'admin-user-password',
          '--username',
          'bob',
          '--password',
          'Bob-Temp-Passw0rd!',
          '--new-password',
          'Bob-New-Passw0rd!',
          '--print',
          'id-token',
        ],
        { env: env() },
      );
      expect(r.stderr).not.toContain('error:');
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('answered: NEW_PASSWORD_REQUIRED');
      expect(decodeJwt(r.stdout.trim())).toMatchObject({
        token_use: 'id',
        aud: 'publicclientlocal000000000',
        'cognito:username': 'bob',
      });
    },
  );

  it('admin-user-password with wrong AWS credentials is refused (exit 4)', async () => {
    const r = await runCommand(
      [
        ...poolLogin('publicclientlocal000000000'),
        '--auth-flow',
        'admin-user-password',
        '--username',
        'alice',
        '--password',
        'Alice-Passw0rd!',
      ],
      { env: { ...env(), AWS_SECRET_ACCESS_KEY: 'wrong-secret-key' } },
    );
    expect(r.code).toBe(4);
  });

  it(
    'client-credentials at the hosted-UI token endpoint (--domain + --user-pool-id), cached, reused by ' + '--bearer',
    async () => {
      const r = await runCommand(
        [
          ...hostedUiLogin('client-credentials', 'secretclientlocal000000000'),
          '--client-secret',
          'local-client-secret-0123456789',
          '--scopes',
          'agentcore/invoke',
          '--print',
          'access-token',
        ],
        { env: env() },
      );
      expect(r.stderr).not.toContain('error:');
      expect(r.code).toBe(0);
      expect(decodeJwt(r.stdout.trim())).toMatchObject({
        client_id: 'secretclientlocal000000000',
        scope: 'agentcore/invoke',
      });
      expect(r.stderr).toContain(`${stack.url}/oauth2/token`);
      const p = await runCommand(['token', 'print'], { home: r.ctx.homedir });
      expect(p.stdout).toBe(r.stdout);
    },
  );

  it(
    'authorization-code on the Cognito-style hosted UI (--domain + --user-pool-id): ID token issuer and nonce ' +
      'checked',
    async () => {
      const signIn = async (url: string) => {
        // the hosted UI: GET /oauth2/authorize → login form (hidden fields) → POST /login → 302 to our loopback
        // redirect
        const { login, back } = await hostedUiSignIn(url, 'alice', 'Alice-Passw0rd!');
        expect(login).toBe(302);
        expect(back).toBe(200);
      };
      const r = await runCommand(
        [
          ...hostedUiLogin('authorization-code', 'publicclientlocal000000000'),
          '--redirect-uri',
          REDIRECT,
          '--scopes',
          'openid,email',
          '--print',
          'id-token',
        ],
        { env: env(), openBrowser: signIn },
      );
      expect(r.stderr).not.toContain('error:');
      expect(r.code).toBe(0);
      expect(r.ctx.opened[0]).toMatch(new RegExp(`^${stack.url}/oauth2/authorize\\?`));
      expect(decodeJwt(r.stdout.trim())).toMatchObject({
        token_use: 'id',
        aud: 'publicclientlocal000000000',
        'cognito:username': 'alice',
        iss: stack.userPool.issuer,
      });
    },
  );
});
