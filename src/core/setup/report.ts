/**
 * What `setup` and `teardown` tell the user: the error of a failed step (which step, the AWS error, its fix, and that
 * `teardown --name NAME` removes what was made), the env file `login` reads, and the ready-to-paste next steps.
 */
import { AgentcoreAuthError } from '../errors.js';
import { madeSoFar, type StepFailure, type SetupResult, type TeardownPlan } from './types.js';

/** The env variables `login` reads (src/cli/commands/login/options.ts LOGIN_ENV), written by `setup --write-env`. */
export const SETUP_ENV = {
  userPoolId: 'AGENTCORE_AUTH_USER_POOL_ID',
  clientId: 'AGENTCORE_AUTH_CLIENT_ID',
  clientSecret: 'AGENTCORE_AUTH_CLIENT_SECRET',
  username: 'AGENTCORE_AUTH_USERNAME',
  password: 'AGENTCORE_AUTH_PASSWORD',
} as const;

/** First line of every env file setup writes: setup overwrites only files that start with it. */
export const ENV_FILE_MARKER = '# Written by agentcore-auth setup';

export function setupFailure(
  e: StepFailure,
  command: 'setup' | 'teardown',
  name: string,
  partial?: SetupResult,
): AgentcoreAuthError {
  const err = e.error;
  const made = partial && command === 'setup' ? madeSoFar(partial) : [];
  const cleanup =
    command === 'setup'
      ? made.length
        ? `Made so far: ${made.join(', ')}. \`agentcore-auth teardown --name ${name}\` removes it (or run ` +
          `setup again to complete it).`
        : `Nothing was created before this step; \`agentcore-auth teardown --name ${name}\` finds and ` +
          `removes anything an earlier run left.`
      : `Run \`agentcore-auth teardown --name ${name}\` again once fixed: it finds what is left by name and tag.`;
  return new AgentcoreAuthError(
    err.code,
    `${command} step ${e.step.n} (${e.step.operation}) ` +
      `failed: ${err.message.replace(new RegExp(`^${e.step.operation} failed: `), '')}`,
    {
      hint: [err.hint, cleanup].filter(Boolean).join('\n'),
      details: { ...err.details, step: e.step.n, operation: e.step.operation, ...(made.length ? { made } : {}) },
      cause: err,
      exitCode: err.exitCode,
    },
  );
}

/** The env file (`KEY=value` lines, no quoting needed: ids, base64 secrets and a shell-safe password). */
export function envFileText(r: SetupResult, extra: Record<string, string> = {}): string {
  const lines = [
    `${ENV_FILE_MARKER} --name ${r.name} (region ${r.region}). Secrets: keep this file private (mode 0600).`,
    '# Load it with:  set -a; . ./THIS_FILE; set +a   then: agentcore-auth login',
    `${SETUP_ENV.userPoolId}=${r.userPool.id ?? ''}`,
    `${SETUP_ENV.clientId}=${r.clients.app.clientId ?? ''}`,
    `${SETUP_ENV.clientSecret}=${r.clients.app.clientSecret ?? ''}`,
    `${SETUP_ENV.username}=${r.user.username}`,
    `${SETUP_ENV.password}=${r.user.password ?? ''}`,
    `AWS_REGION=${r.region}`,
    ...Object.entries(extra).map(([k, v]) => `${k}=${v}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The runtime's inbound JWT configuration, as CreateAgentRuntime/UpdateAgentRuntime take it. */
export function authorizerConfiguration(
  r: SetupResult,
): { customJWTAuthorizer: { discoveryUrl: string; allowedClients: string[] } } | undefined {
  return r.customJWTAuthorizer ? { customJWTAuthorizer: r.customJWTAuthorizer } : undefined;
}

export interface NextSteps {
  /**
   * `login` with the env file loaded (no flags); else the command that reads the secrets from the variables in
   * `loginNeeds` (never a masked value in a command: pasted, it would send the mask); with --show-secrets, an
   * `export` of the real values first.
   */
  login: string[];
  /** The variables the login command reads, and where this run's values are (without an env file). */
  loginNeeds?: Record<string, string>;
  m2m: string;
  browser: string;
  invoke: string;
  teardown: string;
}

export function nextSteps(r: SetupResult, o: { envFile?: string; show: boolean }): NextSteps {
  const pool = r.userPool.id ?? '<pool-id>';
  const app = r.clients.app;
  const command =
    `agentcore-auth login --user-pool-id ${pool} --client-id ${app.clientId ?? '<client-id>'} ` +
    `--username ${r.user.username}`;
  const shown = o.show && app.clientSecret && r.user.password;
  const login = o.envFile
    ? [`set -a; . ${o.envFile.includes('/') ? o.envFile : `./${o.envFile}`}; set +a`, 'agentcore-auth login']
    : shown
      ? [`export ${SETUP_ENV.clientSecret}=${app.clientSecret} ${SETUP_ENV.password}=${r.user.password}`, command]
      : [command];
  return {
    login,
    ...(o.envFile || shown
      ? {}
      : {
          loginNeeds: {
            [SETUP_ENV.clientSecret]: 'the app client secret (clients.app.clientSecret)',
            [SETUP_ENV.password]: r.user.password
              ? "the test user's password (user.password)"
              : "the test user's password (set on the run that created or reset it)",
          },
        }),
    m2m:
      `agentcore-auth login --auth-flow client-credentials --user-pool-id ${pool} ` +
      `--client-id ${r.clients.m2m.clientId ?? '<m2m-client-id>'} --client-secret-stdin ` +
      `--scopes ${r.resourceServer.scope} --save-as m2m`,
    browser:
      `agentcore-auth login --auth-flow authorization-code --user-pool-id ${pool} ` +
      `--client-id ${r.clients.public.clientId ?? '<public-client-id>'} --save-as browser`,
    invoke: 'agentcore-auth invoke <agent-arn> --bearer',
    teardown: `agentcore-auth teardown --name ${r.name}`,
  };
}

export function describeItem(i: TeardownPlan['items'][number]): string {
  switch (i.kind) {
    case 'credential-provider':
      return `OAuth2 credential provider ${i.id}`;
    case 'workload-identity':
      return `workload identity ${i.id}`;
    case 'domain':
      return `hosted-UI domain ${i.id} (pool ${i.poolId})`;
    case 'user-pool':
      return `user pool ${i.id}${
        i.contains?.length ? ` with its app clients ${i.contains.join(', ')}` : ''
      }, resource server and users`;
  }
}
