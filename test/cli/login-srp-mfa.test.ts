/**
 * `login` as AgentCore users meet Cognito: SRP (asked for, and chosen by itself when the app client refuses
 * USER_PASSWORD_AUTH), TOTP MFA answered from --mfa-code or computed from the authenticator's secret (environment or
 * stdin, for CI), and a refresh after a global sign-out explained. Against the local stack, through the real SDK.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminSetUserMFAPreferenceCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { clientsFor } from '../emulator/helpers.js';
import { runCommand } from '../helpers/context.js';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;
const SRP_ONLY = 'srponlylocalclient00000000';
const SECRET_SRP = 'srpsecretonlylocalclient00';
const PASSWORD = 'passwordlocalclient0000000';
let totpSecret: string;

beforeAll(async () => {
  stack = await startLocalStack({
    config: {
      userPool: {
        clients: [
          // What a new app client allows by default: SRP and refresh, not plain passwords.
          { name: 'srp-only', clientId: SRP_ONLY, explicitAuthFlows: ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'] },
          {
            name: 'srp-secret',
            clientId: SECRET_SRP,
            generateSecret: true,
            explicitAuthFlows: ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'],
          },
          { name: 'password', clientId: PASSWORD, explicitAuthFlows: ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH'] },
        ],
        users: [
          { username: 'alice', password: 'Alice-Passw0rd!' },
          { username: 'tom', password: 'Tom-Passw0rd!1' },
        ],
      },
    },
  });
  c = clientsFor(stack);
  // tom has an authenticator app, and the pool asks for it.
  await c.cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: stack.userPool.id,
      SoftwareTokenMfaConfiguration: { Enabled: true },
      MfaConfiguration: 'OPTIONAL',
    }),
  );
  const t = await c.cognito.send(
    new InitiateAuthCommand({
      ClientId: PASSWORD,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'tom', PASSWORD: 'Tom-Passw0rd!1' },
    }),
  );
  const access = t.AuthenticationResult!.AccessToken!;
  totpSecret = (await c.cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: access }))).SecretCode!;
  const UserCode = TOTP.generate({ secret: Secret.fromBase32(totpSecret) });
  await c.cognito.send(new VerifySoftwareTokenCommand({ AccessToken: access, UserCode }));
  await c.cognito.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: stack.userPool.id,
      Username: 'tom',
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
});
afterAll(() => stack.close());

const base = (clientId: string, username = 'alice', password = 'Alice-Passw0rd!') => [
  'login',
  '--user-pool-id',
  stack.userPool.id,
  '--client-id',
  clientId,
  '--username',
  username,
  '--password',
  password,
];

describe('login with SRP', () => {
  it('--auth-flow user-srp signs in (SECRET_HASH with a secret); the JSON says which flow ran', async () => {
    const secret = stack.userPool.clients.find((x) => x.clientId === SECRET_SRP)!.clientSecret!;
    const r = await runCommand(
      [...base(SECRET_SRP), '--auth-flow', 'user-srp', '--client-secret', secret, '--json', '--no-cache'],
      { env: stack.env },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.flow).toBe('user-srp');
    expect(decodeJwt(out.tokens.accessToken)).toMatchObject({ client_id: SECRET_SRP, username: 'alice' });
    expect(r.stderr).toContain('InitiateAuth USER_SRP_AUTH as alice');
  });

  it('chosen by itself when the client refuses USER_PASSWORD_AUTH, and said so on stderr', async () => {
    const r = await runCommand([...base(SRP_ONLY), '--print', 'access-token', '--no-cache'], { env: stack.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('does not allow USER_PASSWORD_AUTH: signing in with SRP (USER_SRP_AUTH) instead');
    expect(decodeJwt(r.stdout.trim())).toMatchObject({ client_id: SRP_ONLY, username: 'alice' });
  });

  it('without --user-pool-id SRP cannot run: exit 2 naming the flag (asked for, or as the fallback)', async () => {
    const noPool = (args: string[]) =>
      args.filter((a, i) => a !== '--user-pool-id' && args[i - 1] !== '--user-pool-id');
    const asked = await runCommand([...noPool(base(SRP_ONLY)), '--auth-flow', 'user-srp'], { env: stack.env });
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('--auth-flow user-srp needs --user-pool-id');
    const fallback = await runCommand(noPool(base(SRP_ONLY)), { env: stack.env });
    expect(fallback.code).toBe(2);
    expect(fallback.stderr).toContain('USER_PASSWORD_AUTH flow not enabled');
    expect(fallback.stderr).toContain('Pass --user-pool-id');
  });

  it('a wrong password over SRP: exit 4 with Cognito’s message', async () => {
    const r = await runCommand([...base(SRP_ONLY, 'alice', 'Wrong-Passw0rd!'), '--auth-flow', 'user-srp'], {
      env: stack.env,
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('NotAuthorizedException: Incorrect username or password.');
  });
});

describe('login with TOTP MFA', () => {
  const tom = () => base(PASSWORD, 'tom', 'Tom-Passw0rd!1');
  const now = () => TOTP.generate({ secret: Secret.fromBase32(totpSecret) });

  it('--mfa-code answers SOFTWARE_TOKEN_MFA', async () => {
    const r = await runCommand([...tom(), '--mfa-code', now(), '--json', '--no-cache'], { env: stack.env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).challenges).toEqual(['SOFTWARE_TOKEN_MFA']);
  });

  it('CI: the code computed from AGENTCORE_AUTH_TOTP_SECRET, or from the secret on stdin (over SRP)', async () => {
    const fromEnv = await runCommand([...tom(), '--json', '--no-cache'], {
      env: { ...stack.env, AGENTCORE_AUTH_TOTP_SECRET: totpSecret },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stderr).toContain('computed from the TOTP secret (AGENTCORE_AUTH_TOTP_SECRET)');
    expect(fromEnv.stderr).not.toContain(totpSecret);
    const uri = `otpauth://totp/local:tom?secret=${totpSecret}&issuer=local`;
    const fromStdin = await runCommand(
      [...base(SRP_ONLY, 'tom', 'Tom-Passw0rd!1'), '--totp-secret-stdin', '--json', '--no-cache'],
      { env: stack.env, stdin: `${uri}\n` },
    );
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ flow: 'user-srp', challenges: ['SOFTWARE_TOKEN_MFA'] });
  });

  it('a wrong code: exit 4 with the fix; no code off a terminal: exit 2 naming the ways to give one', async () => {
    const current = now();
    const wrong = current === '000000' ? '111111' : '000000';
    const r = await runCommand([...tom(), '--mfa-code', wrong], { env: stack.env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('CodeMismatchException: Invalid code or auth state for the user.');
    expect(r.stderr).toContain('AGENTCORE_AUTH_TOTP_SECRET');
    const none = await runCommand(tom(), { env: stack.env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--mfa-code');
    expect(none.stderr).toContain('--totp-secret-stdin');
    const bad = await runCommand(tom(), { env: { ...stack.env, AGENTCORE_AUTH_TOTP_SECRET: 'not base32!' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a base32 authenticator secret');
    const twoStdin = await runCommand([...tom(), '--password-stdin', '--totp-secret-stdin'], { env: stack.env });
    expect(twoStdin.code).toBe(2);
    expect(twoStdin.stderr).toContain('cannot all read stdin');
  });
});

describe('login --auth-flow refresh after a sign-out', () => {
  it('explains the revoked refresh token and how to log in again (exit 4)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aca-home-'));
    const first = await runCommand([...base(PASSWORD), '--save-as', 'dev'], { env: stack.env, home });
    expect(first.code, first.stderr).toBe(0);
    const ok = await runCommand(['login', '--auth-flow', 'refresh', '--save-as', 'dev'], { env: stack.env, home });
    expect(ok.code, ok.stderr).toBe(0);
    await c.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: stack.userPool.id, Username: 'alice' }));
    const r = await runCommand(['login', '--auth-flow', 'refresh', '--save-as', 'dev'], { env: stack.env, home });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("cannot refresh 'dev': Cognito says the refresh token was revoked");
    expect(r.stderr).toContain('GlobalSignOut');
    expect(r.stderr).toContain('--save-as dev');
  });
});
