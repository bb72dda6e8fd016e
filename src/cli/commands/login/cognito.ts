/**
 * `login --auth-flow user-password | user-srp | admin-user-password`: Cognito InitiateAuth USER_PASSWORD_AUTH or
 * USER_SRP_AUTH (SECRET_HASH when a client secret is given) or AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH (SigV4;
 * --user-pool-id), answering NEW_PASSWORD_REQUIRED and the MFA challenges from flags, the environment or a prompt.
 * Without --auth-flow, an app client that does not allow USER_PASSWORD_AUTH (new clients allow SRP, not plain
 * passwords) is signed in with SRP instead, said on stderr.
 */
import type { PasswordLoginResult } from '../../../core/cognito/auth.js';
import { AgentcoreAuthError, usageError } from '../../../core/errors.js';
import type { Io } from '../../io.js';
import { challengeAnswers } from './challenge-answers.js';
import { LOGIN_ENV, type LoginOptions, type Minted } from './options.js';
import { plainValue, secretValue, parseAttributes } from './prompts.js';

type PasswordFlow = 'user-password' | 'admin-user-password' | 'user-srp';

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

const OPERATION: Record<PasswordFlow, string> = {
  'user-password': 'InitiateAuth USER_PASSWORD_AUTH',
  'user-srp': 'InitiateAuth USER_SRP_AUTH',
  'admin-user-password': 'AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH',
};

const notEnabled = (e: unknown) =>
  e instanceof AgentcoreAuthError && /USER_PASSWORD_AUTH flow not enabled/i.test(e.message);
const flowRefused = (e: unknown) =>
  e instanceof AgentcoreAuthError && /flow not enabled|not enabled for the client/i.test(e.message);

export async function cognitoPasswordLogin(io: Io, opts: LoginOptions, asked: PasswordFlow): Promise<Minted> {
  const s = await signInValues(io, opts, asked);
  const [{ passwordLogin }, client] = await Promise.all([
    import('../../../core/cognito/auth.js'),
    io.aws.cognito(s.region),
  ]);
  const endpoint = io.aws.endpoint('cognito');
  const shownEndpoint = endpoint ?? `https://cognito-idp.${s.region}.amazonaws.com`;
  const run = (flow: PasswordFlow) => {
    const hashed = s.clientSecret ? ', with SECRET_HASH' : '';
    io.ui.info(`${OPERATION[flow]} as ${s.username} (client ${s.clientId}${hashed}) → ${shownEndpoint}`);
    return passwordLogin(client, {
      admin: flow === 'admin-user-password',
      srp: flow === 'user-srp',
      clientId: s.clientId,
      ...(s.clientSecret ? { clientSecret: s.clientSecret } : {}),
      ...(s.userPoolId ? { userPoolId: s.userPoolId } : {}),
      username: s.username,
      password: s.password,
      endpoint: shownEndpoint,
      now: () => io.ctx.now(),
      onChallenge: (name) => io.ui.info(`Cognito asks: ${name}`),
      answer: challengeAnswers(io, opts, s.extraAttributes),
    });
  };
  let flow = asked;
  let result: PasswordLoginResult;
  try {
    result = await run(flow);
  } catch (e) {
    // Only when the user did not choose the flow: new app clients allow SRP, not plain passwords.
    if (opts.authFlow || flow !== 'user-password' || !notEnabled(e)) throw e;
    if (!s.userPoolId) throw srpNeedsPool(e as AgentcoreAuthError);
    io.ui.warn('The app client does not allow USER_PASSWORD_AUTH: signing in with SRP (USER_SRP_AUTH) instead.');
    flow = 'user-srp';
    result = await run(flow).catch((second: unknown) => {
      throw flowRefused(second) ? neitherFlow(e as AgentcoreAuthError) : second;
    });
  }
  return minted(s, flow, result, endpoint);
}

function srpNeedsPool(first: AgentcoreAuthError): AgentcoreAuthError {
  return new AgentcoreAuthError('ERR_USAGE', `${first.message} (and SRP needs the user pool id)`, {
    hint:
      `Pass --user-pool-id (or ${LOGIN_ENV.userPoolId}): login then signs in with SRP (USER_SRP_AUTH), ` +
      'which new app clients allow; or enable ALLOW_USER_PASSWORD_AUTH in the app client.',
    details: first.details,
  });
}

function neitherFlow(first: AgentcoreAuthError): AgentcoreAuthError {
  return new AgentcoreAuthError(
    'ERR_CONFIG',
    `${first.message}, and USER_SRP_AUTH is not enabled either: the app client allows no password sign-in`,
    {
      hint:
        'Enable ALLOW_USER_SRP_AUTH (or ALLOW_USER_PASSWORD_AUTH) in the app client\u2019s ExplicitAuthFlows, ' +
        'or use --auth-flow authorization-code.',
      details: first.details,
    },
  );
}

function minted(s: CognitoSignIn, flow: PasswordFlow, result: PasswordLoginResult, endpoint?: string): Minted {
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
  if (flow !== 'user-password' && !userPoolId) {
    const why = flow === 'user-srp' ? ' (SRP proves the password against the pool\u2019s name)' : '';
    throw usageError(`--auth-flow ${flow} needs --user-pool-id${why}`, `Or set ${LOGIN_ENV.userPoolId}.`);
  }
  const { regionFromPoolId } = await import('../../../core/cognito/secret-hash.js');
  const region = io.globals.region ?? regionFromPoolId(userPoolId) ?? io.aws.region();
  if (!region) {
    throw new AgentcoreAuthError('ERR_CONFIG', 'no AWS region for Cognito', {
      hint: 'Pass --region, --user-pool-id (its prefix is the region, e.g. us-east-1_AbC123) or set AWS_REGION.',
    });
  }
  const poolRegion = regionFromPoolId(userPoolId);
  if (userPoolId && io.globals.region && poolRegion && poolRegion !== io.globals.region) {
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
      'note: --password on the command line stays in the shell history; prefer --password-stdin or ' +
        'AGENTCORE_AUTH_PASSWORD',
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
