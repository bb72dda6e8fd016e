/**
 * `login --auth-flow user-password | admin-user-password`: Cognito InitiateAuth USER_PASSWORD_AUTH (SECRET_HASH when a
 * client secret is given) or AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH (SigV4; --user-pool-id), answering
 * NEW_PASSWORD_REQUIRED and the MFA challenges from flags, the environment or a prompt.
 */
import type { ChallengeAnswerer } from '../../../core/cognito/auth.js';
import { AgentcoreAuthError, usageError } from '../../../core/errors.js';
import type { Io } from '../../io.js';
import { LOGIN_ENV, type LoginOptions, type Minted } from './options.js';
import { canPrompt, parseAttributes, plainValue, secretValue } from './prompts.js';

type PasswordFlow = 'user-password' | 'admin-user-password';

/** Who signs in where: every value asked for (in this order) before Cognito is called. */
interface CognitoSignIn {
  clientId: string;
  userPoolId: string | undefined;
  region: string;
  username: string;
  clientSecret: string | undefined;
  password: string;
  extraAttributes: Record<string, string>;
}

export async function cognitoPasswordLogin(io: Io, opts: LoginOptions, flow: PasswordFlow): Promise<Minted> {
  const s = await signInValues(io, opts, flow);
  const [{ passwordLogin }, client] = await Promise.all([
    import('../../../core/cognito/auth.js'),
    io.aws.cognito(s.region),
  ]);
  const endpoint = io.aws.endpoint('cognito');
  const shownEndpoint = endpoint ?? `https://cognito-idp.${s.region}.amazonaws.com`;
  io.ui.info(
    `${flow === 'admin-user-password' ? 'AdminInitiateAuth' : 'InitiateAuth'} ${flow === 'admin-user-password' ? 'ADMIN_USER_PASSWORD_AUTH' : 'USER_PASSWORD_AUTH'} as ${s.username} (client ${s.clientId}${s.clientSecret ? ', with SECRET_HASH' : ''}) → ${shownEndpoint}`,
  );
  const result = await passwordLogin(client, {
    admin: flow === 'admin-user-password',
    clientId: s.clientId,
    ...(s.clientSecret ? { clientSecret: s.clientSecret } : {}),
    ...(s.userPoolId ? { userPoolId: s.userPoolId } : {}),
    username: s.username,
    password: s.password,
    endpoint: shownEndpoint,
    onChallenge: (name) => io.ui.info(`Cognito asks: ${name}`),
    answer: challengeAnswers(io, opts, s.extraAttributes),
  });
  const t = result.tokens;
  return {
    flow,
    tokens: {
      accessToken: t.accessToken,
      ...(t.idToken ? { idToken: t.idToken } : {}),
      ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}),
      tokenType: t.tokenType ?? 'Bearer',
    },
    ...(t.expiresIn !== undefined ? { expiresIn: t.expiresIn } : {}),
    provider: `Cognito ${s.region}${s.userPoolId ? ` ${s.userPoolId}` : ''}`,
    clientId: s.clientId,
    username: s.username,
    challenges: result.challenges,
    refresh: {
      kind: 'cognito',
      region: s.region,
      clientId: s.clientId,
      ...(s.userPoolId ? { userPoolId: s.userPoolId } : {}),
      ...(s.clientSecret ? { clientSecret: s.clientSecret } : {}),
      ...(endpoint ? { endpoint } : {}),
    },
  };
}

async function signInValues(io: Io, opts: LoginOptions, flow: PasswordFlow): Promise<CognitoSignIn> {
  const clientId = await plainValue(io, opts.clientId, LOGIN_ENV.clientId, 'App client id: ', '--client-id');
  const userPoolId = opts.userPoolId ?? io.ctx.env[LOGIN_ENV.userPoolId];
  if (flow === 'admin-user-password' && !userPoolId) {
    throw usageError('--auth-flow admin-user-password needs --user-pool-id', `Or set ${LOGIN_ENV.userPoolId}.`);
  }
  const { regionFromPoolId } = await import('../../../core/cognito/secret-hash.js');
  const region = io.globals.region ?? regionFromPoolId(userPoolId) ?? io.aws.region();
  if (!region) {
    throw new AgentcoreAuthError('ERR_CONFIG', 'no AWS region for Cognito', {
      hint: 'Pass --region, --user-pool-id (its prefix is the region, e.g. us-east-1_AbC123) or set AWS_REGION.',
    });
  }
  if (
    userPoolId &&
    io.globals.region &&
    regionFromPoolId(userPoolId) &&
    regionFromPoolId(userPoolId) !== io.globals.region
  ) {
    io.ui.warn(`--region ${io.globals.region} differs from the region of user pool ${userPoolId}`);
  }
  const username = await plainValue(io, opts.username, LOGIN_ENV.username, 'Username: ', '--username');
  const clientSecret = await secretValue(io, {
    flag: opts.clientSecret,
    stdin: !!opts.clientSecretStdin,
    stdinFlag: '--client-secret-stdin',
    env: LOGIN_ENV.clientSecret,
    prompt: 'Client secret: ',
    flagName: '--client-secret',
    required: false,
  });
  const password = (await secretValue(io, {
    flag: opts.password,
    stdin: !!opts.passwordStdin,
    stdinFlag: '--password-stdin',
    env: LOGIN_ENV.password,
    prompt: `Password for ${username}: `,
    flagName: '--password',
    required: true,
  }))!;
  if (opts.password !== undefined && io.ctx.stderr.isTTY) {
    io.ui.note(
      'note: --password on the command line stays in the shell history; prefer --password-stdin or AGENTCORE_AUTH_PASSWORD',
    );
  }
  return {
    clientId,
    userPoolId,
    region,
    username,
    clientSecret,
    password,
    extraAttributes: parseAttributes(opts.attribute),
  };
}

/** NEW_PASSWORD_REQUIRED (new password twice on a prompt, required attributes) and the MFA codes. */
function challengeAnswers(io: Io, opts: LoginOptions, extraAttributes: Record<string, string>): ChallengeAnswerer {
  return {
    async newPassword({ requiredAttributes }) {
      const newPassword = (await secretValue(io, {
        flag: opts.newPassword,
        env: LOGIN_ENV.newPassword,
        prompt: 'New password: ',
        flagName: '--new-password',
        required: true,
      }))!;
      if (opts.newPassword === undefined && !io.ctx.env[LOGIN_ENV.newPassword]) {
        const again = await io.ctx.prompt('New password again: ', { hidden: true });
        if (again !== newPassword) throw usageError('the new passwords do not match');
      }
      const attributes: Record<string, string> = {};
      for (const name of requiredAttributes) {
        if (extraAttributes[name] !== undefined) attributes[name] = extraAttributes[name];
        else if (canPrompt(io)) attributes[name] = await io.ctx.prompt(`${name}: `, { hidden: false });
        else
          throw usageError(`NEW_PASSWORD_REQUIRED needs the attribute '${name}'`, `Pass --attribute ${name}=<value>.`);
      }
      for (const [k, v] of Object.entries(extraAttributes)) if (!(k in attributes)) attributes[k] = v;
      return { newPassword, attributes };
    },
    async mfaCode({ kind, destination }) {
      if (opts.mfaCode) {
        io.secrets.add(opts.mfaCode);
        return opts.mfaCode;
      }
      if (!canPrompt(io)) {
        throw usageError(
          `Cognito asks for an MFA code (${kind}${destination ? `, sent to ${destination}` : ''})`,
          'Pass --mfa-code <code> (no prompt: stdin or stderr is not a terminal).',
        );
      }
      const label =
        kind === 'SOFTWARE_TOKEN_MFA'
          ? 'Authenticator app code'
          : `Code sent to ${destination ?? (kind === 'EMAIL_OTP' ? 'your email' : 'your phone')}`;
      const code = (await io.ctx.prompt(`${label}: `, { hidden: true })).trim();
      io.secrets.add(code);
      return code;
    },
  };
}
