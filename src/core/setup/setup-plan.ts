/**
 * `setup` as a plan: one step per AWS operation, in order — find the tagged pool, create what is missing (pool,
 * resource server "invoke", hosted-UI domain, the three app clients, the test user and its password), and with
 * --with-identity the workload identity and the CustomOauth2 credential provider. Which steps exist depends only on
 * the flags (14, or 20 with --with-identity); a step with nothing to do this time (it exists, or a dry run) is
 * skipped with the reason. Cognito does not allow client_credentials on the same app client as the code flow, so the
 * confidential half is two clients: `-app` (secret; USER_PASSWORD_AUTH, refresh, code flow on the login loopback
 * redirect) and `-m2m` (secret; client_credentials with the resource-server scope). `-public` has no secret.
 */
import { AgentcoreAuthError } from '../errors.js';
import { fromAwsError } from '../aws.js';
import { isNotFound } from '../classify.js';
import { runPlan, type Plan, type PlanStep, type StepRecord } from '../plan.js';
import { fingerprint } from '../redact.js';
import { cognitoSdk } from '../../sdk.js';
import { IDENTITY_TAG_KEY, setupNames, type SetupNames } from './names.js';
import {
  allPages,
  awsCall,
  describePoolsStep,
  emptySearch,
  hostedUiUrl,
  issuerOf,
  listPoolsStep,
  type FoundPool,
} from './pools.js';
import { createClientStep, describeClientsStep, domainStep, type ClientKey } from './setup-clients.js';
import { DRY, onlyExisting, type SetupFlags, type SetupState } from './setup-state.js';
import { identitySteps } from './setup-identity.js';
import { StepFailure, type ClientRecord, type SetupDeps, type SetupResult } from './types.js';

function emptyResult(names: SetupNames, region: string, o: SetupFlags): SetupResult {
  const client = (name: string, flows: string[]): ClientRecord => ({ name, status: 'planned', flows });
  return {
    name: names.name,
    region,
    dryRun: o.dryRun,
    userPool: { name: names.poolName, tag: { [names.tag.key]: names.tag.value }, status: 'planned' },
    resourceServer: {
      identifier: names.resourceServer.identifier,
      scope: names.resourceServer.scope,
      status: 'planned',
    },
    domain: { status: 'planned' },
    clients: {
      app: client(names.clients.app, ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH', 'code']),
      m2m: client(names.clients.m2m, ['client_credentials']),
      public: client(names.clients.public, ['code (PKCE)', 'REFRESH_TOKEN_AUTH']),
    },
    user: { username: names.username, status: 'planned', passwordReset: false },
    ...(o.withIdentity
      ? {
          workloadIdentity: { name: names.workloadName, returnUrls: names.returnUrls, status: 'planned' as const },
          credentialProvider: { name: names.providerName, vendor: 'CustomOauth2' as const, status: 'planned' as const },
        }
      : {}),
    ignoredPools: [],
  };
}

/** The steps of `setup`, fixed by the flags. */
export function setupPlan(deps: SetupDeps, names: SetupNames, o: SetupFlags): Plan<SetupState> {
  const clients: ClientKey[] = ['app', 'm2m', 'public'];
  return [
    listPoolsStep<SetupState>(deps, names),
    describePoolsStep<SetupState>(deps, names),
    createPoolStep(deps),
    describeResourceServerStep(deps),
    createResourceServerStep(deps),
    domainStep(deps),
    listClientsStep(deps),
    describeClientsStep(deps),
    ...clients.map((k) => createClientStep(deps, k)),
    getUserStep(deps),
    createUserStep(deps),
    setPasswordStep(deps),
    ...(o.withIdentity ? identitySteps(deps) : []),
  ];
}

/**
 * Create (or find and complete) everything `setup --name NAME` owns. With dryRun only read calls are made and the
 * result says what would be created. A failed step is a StepFailure carrying what exists so far.
 */
export async function runSetup(
  deps: SetupDeps,
  options: { name: string } & SetupFlags,
): Promise<{ result: SetupResult; records: StepRecord[] }> {
  const names = setupNames(options.name);
  const state: SetupState = {
    names,
    options,
    search: emptySearch(),
    result: emptyResult(names, deps.region, options),
    existingClients: new Map(),
  };
  const run = await runPlan(setupPlan(deps, names, options), state, {
    now: deps.now,
    signal: deps.signal,
    ...(deps.emit ? { emit: deps.emit } : {}),
  });
  if (run.failure) {
    const { step, error } = run.failure;
    throw new StepFailure(step, fromAwsError(error, step.operation), state.result, run.records);
  }
  allowedClients(state);
  return { result: state.result, records: run.records };
}

/** The pool is known (found or created): its issuer and discovery URL. */
function poolKnown(deps: SetupDeps, s: SetupState, pool: FoundPool, status: 'existing' | 'created'): void {
  s.pool = pool;
  const issuer = issuerOf(deps.cognitoBaseUrl, pool.id);
  s.result.userPool = {
    ...s.result.userPool,
    id: pool.id,
    ...(pool.arn ? { arn: pool.arn } : {}),
    status,
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
  };
  if (pool.domain) {
    s.result.domain = { prefix: pool.domain, hostedUiUrl: hostedUiUrl(pool.domain, deps.region), status: 'existing' };
  }
}

/** CreateUserPool, unless the search found the tagged one (more than one is a config error). */
function createPoolStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'CreateUserPool',
    skip: (s) => {
      const { tagged, ignored } = s.search;
      s.result.ignoredPools = ignored;
      if (tagged.length > 1) return undefined; // run() refuses
      if (tagged[0]) {
        poolKnown(deps, s, tagged[0], 'existing');
        return `exists: ${tagged[0].id}`;
      }
      return s.options.dryRun ? `${DRY}would create the user pool` : undefined;
    },
    inputs: (s) => ({ name: s.names.poolName, tag: `${s.names.tag.key}=${s.names.tag.value}` }),
    run: async (s) => {
      const { names, search } = s;
      if (search.tagged.length > 1) {
        const ids = search.tagged.map((p) => p.id).join(', ');
        throw new AgentcoreAuthError(
          'ERR_CONFIG',
          `${search.tagged.length} user pools are tagged ${names.tag.key}=${names.tag.value} (${ids})`,
          { hint: `Remove them with \`agentcore-auth teardown --name ${names.name}\` and run setup again.` },
        );
      }
      const sdk = cognitoSdk();
      const out = await deps.cognito.send(
        new sdk.CreateUserPoolCommand({
          PoolName: names.poolName,
          UserPoolTags: {
            [names.tag.key]: names.tag.value,
            ...(s.options.withIdentity ? { [IDENTITY_TAG_KEY]: 'true' } : {}),
          },
          Policies: { PasswordPolicy: PASSWORD_POLICY },
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
          AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] },
          DeletionProtection: 'INACTIVE',
        }),
      );
      const p = out.UserPool!;
      const pool = { id: p.Id!, name: p.Name ?? names.poolName, withIdentity: s.options.withIdentity };
      poolKnown(deps, s, p.Arn ? { ...pool, arn: p.Arn } : pool, 'created');
      return { outputs: { id: p.Id, arn: p.Arn } };
    },
  };
}

const PASSWORD_POLICY = {
  MinimumLength: 12,
  RequireLowercase: true,
  RequireUppercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 1,
};

function describeResourceServerStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'DescribeResourceServer',
    skip: onlyExisting,
    inputs: (s) => ({ identifier: s.names.resourceServer.identifier }),
    run: async (s) => {
      const sdk = cognitoSdk();
      try {
        const out = await deps.cognito.send(
          new sdk.DescribeResourceServerCommand({
            UserPoolId: s.pool!.id,
            Identifier: s.names.resourceServer.identifier,
          }),
        );
        s.rsExists = !!out.ResourceServer;
        return {
          outputs: { scopes: (out.ResourceServer?.Scopes ?? []).map((x) => x.ScopeName).join(',') },
          note: 'exists',
        };
      } catch (e) {
        if (isNotFound(e)) return { note: 'missing' };
        throw e;
      }
    },
  };
}

function createResourceServerStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'CreateResourceServer',
    skip: (s) => {
      const rs = s.names.resourceServer;
      if (s.rsExists) {
        s.result.resourceServer.status = 'existing';
        return 'exists';
      }
      return s.options.dryRun ? `${DRY}would create ${rs.identifier} with scope ${rs.scope}` : undefined;
    },
    inputs: (s) => ({ identifier: s.names.resourceServer.identifier, scope: 'invoke' }),
    run: async (s) => {
      const sdk = cognitoSdk();
      const rs = s.names.resourceServer;
      const out = await deps.cognito.send(
        new sdk.CreateResourceServerCommand({
          UserPoolId: s.pool!.id,
          Identifier: rs.identifier,
          Name: rs.name,
          Scopes: [{ ScopeName: 'invoke', ScopeDescription: 'Invoke AgentCore agents set up by agentcore-auth' }],
        }),
      );
      s.result.resourceServer.status = 'created';
      return {
        outputs: {
          scopes: (out.ResourceServer?.Scopes ?? []).map((x) => `${rs.identifier}/${x.ScopeName}`).join(','),
        },
      };
    },
  };
}

/** ListUserPoolClients of an existing pool: which of our three clients exist. */
function listClientsStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'ListUserPoolClients',
    skip: onlyExisting,
    inputs: (s) => ({ pool: s.pool!.id }),
    run: async (s) => {
      const sdk = cognitoSdk();
      const all = await awsCall('ListUserPoolClients', () =>
        allPages(async (token) => {
          const out = await deps.cognito.send(
            new sdk.ListUserPoolClientsCommand({
              UserPoolId: s.pool!.id,
              MaxResults: 60,
              ...(token ? { NextToken: token } : {}),
            }),
          );
          return { items: out.UserPoolClients ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
        }),
      );
      for (const c of all)
        if (c.ClientName && c.ClientId && !s.existingClients.has(c.ClientName))
          s.existingClients.set(c.ClientName, c.ClientId);
      const mine = Object.values(s.names.clients).filter((n) => s.existingClients.has(n));
      return { outputs: { found: mine.length ? mine.join(', ') : '(none of ours)' } };
    },
  };
}

function getUserStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'AdminGetUser',
    skip: onlyExisting,
    inputs: (s) => ({ username: s.names.username }),
    run: async (s) => {
      const sdk = cognitoSdk();
      try {
        const out = await deps.cognito.send(
          new sdk.AdminGetUserCommand({ UserPoolId: s.pool!.id, Username: s.names.username }),
        );
        s.userExists = true;
        s.result.user.status = 'existing';
        return { outputs: { status: out.UserStatus }, note: 'exists' };
      } catch (e) {
        if (isNotFound(e)) return { note: 'missing' };
        throw e;
      }
    },
  };
}

function createUserStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'AdminCreateUser',
    skip: (s) =>
      s.userExists
        ? 'exists'
        : s.options.dryRun
          ? `${DRY}would create ${s.names.username} with a generated permanent password`
          : undefined,
    inputs: (s) => ({ username: s.names.username, messageAction: 'SUPPRESS' }),
    run: async (s) => {
      const sdk = cognitoSdk();
      const out = await deps.cognito.send(
        new sdk.AdminCreateUserCommand({
          UserPoolId: s.pool!.id,
          Username: s.names.username,
          MessageAction: 'SUPPRESS',
        }),
      );
      s.result.user.status = 'created';
      return { outputs: { status: out.User?.UserStatus } };
    },
  };
}

function setPasswordStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'AdminSetUserPassword',
    skip: (s) =>
      s.options.dryRun
        ? `${DRY}would set ${s.userExists ? 'a new' : 'a generated'} permanent password (Cognito never returns one)`
        : undefined,
    inputs: (s) => ({ username: s.names.username, permanent: 'true' }),
    run: async (s) => {
      const { generatePassword } = await import('./names.js');
      const sdk = cognitoSdk();
      const password = generatePassword();
      deps.secrets.add(password);
      await deps.cognito.send(
        new sdk.AdminSetUserPasswordCommand({
          UserPoolId: s.pool!.id,
          Username: s.names.username,
          Password: password,
          Permanent: true,
        }),
      );
      s.result.user.password = password;
      s.result.user.passwordReset = !!s.userExists;
      return {
        outputs: { password: fingerprint(password) },
        ...(s.userExists ? { note: 'new password: Cognito never returns the old one' } : {}),
      };
    },
  };
}

/** The runtime's customJWTAuthorizer: the pool's discovery URL and every client id known. */
export function allowedClients(s: SetupState): void {
  const r = s.result;
  const ids = [r.clients.app.clientId, r.clients.public.clientId, r.clients.m2m.clientId].filter(
    (x): x is string => !!x,
  );
  if (r.userPool.discoveryUrl) r.customJWTAuthorizer = { discoveryUrl: r.userPool.discoveryUrl, allowedClients: ids };
}
