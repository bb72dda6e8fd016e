/**
 * `setup` and `teardown`, as ordered AWS calls through the real SDK clients (the caller passes clients built by
 * core/aws.ts, so endpoint overrides, --verbose tracing and Ctrl-C apply). Each call is one numbered Timeline step.
 *
 * Finding what setup made is by exact name and tag, never by pattern:
 *   user pool            ListUserPools → Name == agentcore-auth-NAME → DescribeUserPool → UserPoolTags[agentcore-auth:setup] == NAME
 *   resource server, app clients, test user, domain   inside that pool, by exact identifier / ClientName / Username
 *   workload identity, OAuth2 credential provider     by exact name agentcore-auth-NAME (AgentCore's ListTagsForResource
 *                        does not cover these resource types, so their tags are written but not read)
 *
 * Cognito does not allow client_credentials on the same app client as the code flow, so the confidential half is two
 * clients: `-app` (secret; USER_PASSWORD_AUTH, refresh, code flow on the login loopback redirect) and `-m2m` (secret;
 * client_credentials with the resource-server scope). `-public` has no secret (code flow + PKCE).
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { fromAwsError } from '../aws.js';
import { classify, isNotFound } from '../classify.js';
import { cognitoSdk, controlSdk } from '../../sdk.js';
import { AgentcoreAuthError } from '../errors.js';
import { fingerprint } from '../redact.js';
import type { TimelineUi } from '../identity/io.js';
import type { StepHandle, Timeline } from '../identity/timeline.js';
import {
  DOMAIN_ATTEMPTS,
  domainSuffix,
  generatePassword,
  IDENTITY_TAG_KEY,
  setupNames,
  type SetupNames,
} from './names.js';

export type ResourceStatus = 'created' | 'existing' | 'planned' | 'updated';

export interface SetupDeps {
  cognito: CognitoIdentityProviderClient;
  /** Needed with --with-identity (setup) and to look for identity resources (teardown). */
  control?: () => Promise<BedrockAgentCoreControlClient>;
  region: string;
  /** The Cognito base URL (override or https://cognito-idp.<region>.amazonaws.com): issuer = base/poolId. */
  cognitoBaseUrl: string;
  timeline: Timeline;
  ui: TimelineUi;
  secrets: { add(...values: Array<string | undefined | null>): void };
  randomId(): string;
  signal: AbortSignal;
}

export interface ClientRecord {
  name: string;
  clientId?: string;
  clientSecret?: string;
  status: ResourceStatus;
  flows: string[];
}

export interface SetupResult {
  name: string;
  region: string;
  dryRun: boolean;
  userPool: {
    id?: string;
    arn?: string;
    name: string;
    tag: Record<string, string>;
    status: ResourceStatus;
    issuer?: string;
    discoveryUrl?: string;
  };
  resourceServer: { identifier: string; scope: string; status: ResourceStatus };
  domain: { prefix?: string; hostedUiUrl?: string; status: ResourceStatus };
  clients: { app: ClientRecord; m2m: ClientRecord; public: ClientRecord };
  user: { username: string; password?: string; status: ResourceStatus; passwordReset: boolean };
  workloadIdentity?: { name: string; arn?: string; returnUrls: string[]; status: ResourceStatus };
  credentialProvider?: {
    name: string;
    arn?: string;
    callbackUrl?: string;
    vendor: 'CustomOauth2';
    clientId?: string;
    status: ResourceStatus;
  };
  customJWTAuthorizer?: { discoveryUrl: string; allowedClients: string[] };
  /** Untagged pools with the same name: never touched. */
  ignoredPools: string[];
}

/** A setup/teardown step failed: carries the step and what exists so far. */
export class StepFailure extends Error {
  constructor(
    readonly step: { n: number; operation: string },
    readonly error: AgentcoreAuthError,
  ) {
    super(error.message);
  }
}

export function isDomainTaken(e: unknown): boolean {
  return classify(e).kind === 'cognito-domain-taken';
}

/** Run one AWS call as a timeline step; failures are recorded on the step and rethrown as StepFailure. */
async function step<T>(
  tl: Timeline,
  operation: string,
  inputs: Record<string, string | undefined>,
  call: () => Promise<T>,
  done: (r: T, s: StepHandle) => void,
  options: { tolerate?: (e: unknown) => boolean; onTolerated?: (e: unknown, s: StepHandle) => void } = {},
): Promise<T | undefined> {
  const s = tl.begin(operation, inputs);
  let out: T;
  try {
    out = await call();
  } catch (e) {
    if (options.tolerate?.(e)) {
      options.onTolerated?.(e, s);
      return undefined;
    }
    const err = fromAwsError(e, operation);
    s.fail(err);
    throw new StepFailure({ n: s.record.n, operation }, err);
  }
  done(out, s);
  return out;
}

export function issuerOf(base: string, poolId: string): string {
  return `${base.replace(/\/+$/, '')}/${poolId}`;
}

export function hostedUiUrl(prefix: string, region: string): string {
  return `https://${prefix}.auth.${region}.amazoncognito.com`;
}

interface FoundPool {
  id: string;
  arn?: string;
  name: string;
  domain?: string;
  customDomain?: string;
  /** The pool carries IDENTITY_TAG_KEY: setup --with-identity ran on it. */
  withIdentity: boolean;
}

/** ListUserPools (every page) → exact name → DescribeUserPool → our tag. */
async function findPools(
  deps: SetupDeps,
  names: SetupNames,
  after: number,
): Promise<{ tagged: FoundPool[]; ignored: string[] }> {
  const sdk = cognitoSdk();
  const candidates: string[] = [];
  await step(
    deps.timeline,
    'ListUserPools',
    { name: names.poolName },
    async () => {
      let pages = 0;
      let token: string | undefined;
      do {
        const out = await deps.cognito.send(
          new sdk.ListUserPoolsCommand({ MaxResults: 60, ...(token ? { NextToken: token } : {}) }),
        );
        pages++;
        for (const p of out.UserPools ?? []) if (p.Name === names.poolName && p.Id) candidates.push(p.Id);
        token = out.NextToken;
      } while (token);
      return pages;
    },
    (pages, s) => {
      deps.timeline.total = deps.timeline.steps.length + candidates.length + after;
      s.ok(
        { pages: String(pages) },
        candidates.length ? `${candidates.length} pool(s) named ${names.poolName}` : `no pool named ${names.poolName}`,
      );
    },
  );
  const tagged: FoundPool[] = [];
  const ignored: string[] = [];
  for (const id of candidates) {
    await step(
      deps.timeline,
      'DescribeUserPool',
      { pool: id },
      () => deps.cognito.send(new sdk.DescribeUserPoolCommand({ UserPoolId: id })),
      (out, s) => {
        const p = out.UserPool;
        const ours = p?.UserPoolTags?.[names.tag.key] === names.tag.value;
        if (ours) {
          tagged.push({
            id,
            name: p?.Name ?? names.poolName,
            withIdentity: p?.UserPoolTags?.[IDENTITY_TAG_KEY] === 'true',
            ...(p?.Arn ? { arn: p.Arn } : {}),
            ...(p?.Domain ? { domain: p.Domain } : {}),
            ...(p?.CustomDomain ? { customDomain: p.CustomDomain } : {}),
          });
          s.ok(
            { tag: `${names.tag.key}=${names.tag.value}`, ...(p?.Domain ? { domain: p.Domain } : {}) },
            'made by setup',
          );
        } else {
          ignored.push(id);
          s.ok({}, `no ${names.tag.key}=${names.tag.value} tag: not made by setup, left alone`);
        }
      },
    );
  }
  return { tagged, ignored };
}

function emptyResult(names: SetupNames, region: string, dryRun: boolean, withIdentity: boolean): SetupResult {
  const client = (name: string, flows: string[]): ClientRecord => ({ name, status: 'planned', flows });
  return {
    name: names.name,
    region,
    dryRun,
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
    ...(withIdentity
      ? {
          workloadIdentity: { name: names.workloadName, returnUrls: names.returnUrls, status: 'planned' as const },
          credentialProvider: { name: names.providerName, vendor: 'CustomOauth2' as const, status: 'planned' as const },
        }
      : {}),
    ignoredPools: [],
  };
}

/** What exists so far (for the partial-failure message and the teardown hint). */
export function madeSoFar(r: SetupResult): string[] {
  const out: string[] = [];
  if (r.userPool.status === 'created' && r.userPool.id) out.push(`user pool ${r.userPool.id}`);
  if (r.domain.status === 'created' && r.domain.prefix) out.push(`domain ${r.domain.prefix}`);
  if (r.workloadIdentity?.status === 'created') out.push(`workload identity ${r.workloadIdentity.name}`);
  if (r.credentialProvider?.status === 'created') out.push(`credential provider ${r.credentialProvider.name}`);
  return out;
}

/**
 * Create (or find and complete) everything `setup --name NAME` owns. With dryRun only read calls are made and the
 * result says what would be created. On failure a StepFailure carries the partial result in `partial`.
 */
export async function runSetup(
  deps: SetupDeps,
  options: { name: string; withIdentity: boolean; dryRun: boolean },
): Promise<SetupResult> {
  const names = setupNames(options.name);
  const result = emptyResult(names, deps.region, options.dryRun, options.withIdentity);
  try {
    await setupSteps(deps, names, result, options);
  } catch (e) {
    if (e instanceof StepFailure) (e as StepFailure & { partial?: SetupResult }).partial = result;
    throw e;
  }
  return result;
}

async function setupSteps(
  deps: SetupDeps,
  names: SetupNames,
  result: SetupResult,
  options: { withIdentity: boolean; dryRun: boolean },
) {
  const sdk = cognitoSdk();
  const { timeline: tl, cognito } = deps;
  const dry = options.dryRun;
  tl.total = 9 + (options.withIdentity ? 4 : 0);

  // ---- the user pool ----
  const found = await findPools(deps, names, tl.total - 1);
  result.ignoredPools = found.ignored;
  if (found.tagged.length > 1) {
    throw new AgentcoreAuthError(
      'ERR_CONFIG',
      `${found.tagged.length} user pools are tagged ${names.tag.key}=${names.tag.value} (${found.tagged.map((p) => p.id).join(', ')})`,
      {
        hint: `Remove them with \`agentcore-auth teardown --name ${names.name}\` and run setup again.`,
      },
    );
  }
  let pool = found.tagged[0];
  if (pool) {
    result.userPool = { ...result.userPool, id: pool.id, ...(pool.arn ? { arn: pool.arn } : {}), status: 'existing' };
  } else if (dry) {
    tl.skip(['CreateUserPool'], 'dry run: would create the user pool');
  } else {
    await step(
      tl,
      'CreateUserPool',
      { name: names.poolName, tag: `${names.tag.key}=${names.tag.value}` },
      () =>
        cognito.send(
          new sdk.CreateUserPoolCommand({
            PoolName: names.poolName,
            UserPoolTags: {
              [names.tag.key]: names.tag.value,
              ...(options.withIdentity ? { [IDENTITY_TAG_KEY]: 'true' } : {}),
            },
            Policies: {
              PasswordPolicy: {
                MinimumLength: 12,
                RequireLowercase: true,
                RequireUppercase: true,
                RequireNumbers: true,
                RequireSymbols: true,
                TemporaryPasswordValidityDays: 1,
              },
            },
            AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
            AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] },
            DeletionProtection: 'INACTIVE',
          }),
        ),
      (out, s) => {
        const p = out.UserPool!;
        pool = {
          id: p.Id!,
          name: p.Name ?? names.poolName,
          withIdentity: options.withIdentity,
          ...(p.Arn ? { arn: p.Arn } : {}),
        };
        result.userPool = { ...result.userPool, id: p.Id!, ...(p.Arn ? { arn: p.Arn } : {}), status: 'created' };
        s.ok({ id: p.Id, arn: p.Arn });
      },
    );
  }
  if (pool) {
    const issuer = issuerOf(deps.cognitoBaseUrl, pool.id);
    result.userPool.issuer = issuer;
    result.userPool.discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  }
  const poolId = pool?.id;
  const existing = result.userPool.status === 'existing';

  // ---- resource server ----
  let rsExists = false;
  if (existing) {
    await step(
      tl,
      'DescribeResourceServer',
      { identifier: names.resourceServer.identifier },
      () =>
        cognito.send(
          new sdk.DescribeResourceServerCommand({ UserPoolId: poolId!, Identifier: names.resourceServer.identifier }),
        ),
      (out, s) => {
        rsExists = !!out.ResourceServer;
        s.ok({ scopes: (out.ResourceServer?.Scopes ?? []).map((x) => x.ScopeName).join(',') }, 'exists');
      },
      { tolerate: isNotFound, onTolerated: (_e, s) => s.ok({}, 'missing') },
    );
  }
  if (rsExists) result.resourceServer.status = 'existing';
  else if (dry)
    tl.skip(
      ['CreateResourceServer'],
      `dry run: would create ${names.resourceServer.identifier} with scope ${names.resourceServer.scope}`,
    );
  else {
    await step(
      tl,
      'CreateResourceServer',
      { identifier: names.resourceServer.identifier, scope: 'invoke' },
      () =>
        cognito.send(
          new sdk.CreateResourceServerCommand({
            UserPoolId: poolId!,
            Identifier: names.resourceServer.identifier,
            Name: names.resourceServer.name,
            Scopes: [{ ScopeName: 'invoke', ScopeDescription: 'Invoke AgentCore agents set up by agentcore-auth' }],
          }),
        ),
      (out, s) => {
        result.resourceServer.status = 'created';
        s.ok({
          scopes: (out.ResourceServer?.Scopes ?? [])
            .map((x) => `${names.resourceServer.identifier}/${x.ScopeName}`)
            .join(','),
        });
      },
    );
  }

  // ---- hosted-UI domain ----
  if (pool?.domain) {
    result.domain = { prefix: pool.domain, hostedUiUrl: hostedUiUrl(pool.domain, deps.region), status: 'existing' };
  } else if (dry) {
    tl.skip(['CreateUserPoolDomain'], `dry run: would create ${names.domainPrefix('xxxxxx')} (random suffix)`);
  } else {
    for (let attempt = 1; ; attempt++) {
      const prefix = names.domainPrefix(domainSuffix(deps.randomId()));
      const taken = { value: false };
      await step(
        tl,
        'CreateUserPoolDomain',
        { domain: prefix, ...(attempt > 1 ? { attempt: `${attempt}/${DOMAIN_ATTEMPTS}` } : {}) },
        () =>
          cognito.send(
            new sdk.CreateUserPoolDomainCommand({ Domain: prefix, UserPoolId: poolId!, ManagedLoginVersion: 1 }),
          ),
        (_out, s) => {
          result.domain = { prefix, hostedUiUrl: hostedUiUrl(prefix, deps.region), status: 'created' };
          if (pool) pool.domain = prefix;
          s.ok({ url: result.domain.hostedUiUrl });
        },
        {
          tolerate: (e) => isDomainTaken(e) && attempt < DOMAIN_ATTEMPTS,
          onTolerated: (e, s) => {
            taken.value = true;
            s.fail(fromAwsError(e, 'CreateUserPoolDomain'));
            deps.ui.note(
              `      ${(e as Error).message} Domain prefixes are unique per region across all accounts: retrying with a new suffix`,
            );
          },
        },
      );
      if (!taken.value) break;
    }
  }

  // ---- app clients ----
  const wanted: Array<{ key: 'app' | 'm2m' | 'public'; input: Record<string, unknown> }> = [
    {
      key: 'app',
      input: {
        ClientName: names.clients.app,
        GenerateSecret: true,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile', names.resourceServer.scope],
        CallbackURLs: [names.redirectUri],
        SupportedIdentityProviders: ['COGNITO'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      },
    },
    {
      key: 'm2m',
      input: {
        ClientName: names.clients.m2m,
        GenerateSecret: true,
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [names.resourceServer.scope],
        PreventUserExistenceErrors: 'ENABLED',
      },
    },
    {
      key: 'public',
      input: {
        ClientName: names.clients.public,
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile', names.resourceServer.scope],
        CallbackURLs: [names.redirectUri],
        SupportedIdentityProviders: ['COGNITO'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      },
    },
  ];
  const existingClients = new Map<string, string>();
  if (existing) {
    await step(
      tl,
      'ListUserPoolClients',
      { pool: poolId },
      async () => {
        let token: string | undefined;
        do {
          const out = await cognito.send(
            new sdk.ListUserPoolClientsCommand({
              UserPoolId: poolId!,
              MaxResults: 60,
              ...(token ? { NextToken: token } : {}),
            }),
          );
          for (const c of out.UserPoolClients ?? [])
            if (c.ClientName && c.ClientId && !existingClients.has(c.ClientName))
              existingClients.set(c.ClientName, c.ClientId);
          token = out.NextToken;
        } while (token);
      },
      (_r, s) => {
        const mine = Object.values(names.clients).filter((n) => existingClients.has(n));
        s.ok({ found: mine.length ? mine.join(', ') : '(none of ours)' });
      },
    );
  }
  for (const w of wanted) {
    const rec = result.clients[w.key];
    const known = existingClients.get(rec.name);
    if (known) {
      rec.clientId = known;
      rec.status = 'existing';
      if (w.input.GenerateSecret) {
        // Cognito returns a client secret on DescribeUserPoolClient (unlike a user's password).
        await step(
          tl,
          'DescribeUserPoolClient',
          { client: rec.name },
          () => cognito.send(new sdk.DescribeUserPoolClientCommand({ UserPoolId: poolId!, ClientId: known })),
          (out, s) => {
            const secret = out.UserPoolClient?.ClientSecret;
            if (secret) {
              deps.secrets.add(secret);
              rec.clientSecret = secret;
            }
            s.ok({ clientId: known, secret: secret ? fingerprint(secret) : 'none' }, 'exists');
          },
        );
      }
      continue;
    }
    if (dry) {
      tl.skip(
        ['CreateUserPoolClient'],
        `dry run: would create ${rec.name} (${rec.flows.join(', ')}${w.input.GenerateSecret ? ', with secret' : ', no secret'})`,
      );
      continue;
    }
    await step(
      tl,
      'CreateUserPoolClient',
      { name: rec.name, flows: rec.flows.join(','), secret: w.input.GenerateSecret ? 'yes' : 'no' },
      () =>
        cognito.send(
          new sdk.CreateUserPoolClientCommand({ UserPoolId: poolId!, ...(w.input as object) } as ConstructorParameters<
            ReturnType<typeof cognitoSdk>['CreateUserPoolClientCommand']
          >[0]),
        ),
      (out, s) => {
        const c = out.UserPoolClient!;
        rec.clientId = c.ClientId!;
        rec.status = 'created';
        if (c.ClientSecret) {
          deps.secrets.add(c.ClientSecret);
          rec.clientSecret = c.ClientSecret;
        }
        s.ok({ clientId: c.ClientId, ...(c.ClientSecret ? { secret: fingerprint(c.ClientSecret) } : {}) });
      },
    );
  }

  // ---- test user ----
  let userExists = false;
  if (existing) {
    await step(
      tl,
      'AdminGetUser',
      { username: names.username },
      () => cognito.send(new sdk.AdminGetUserCommand({ UserPoolId: poolId!, Username: names.username })),
      (out, s) => {
        userExists = true;
        s.ok({ status: out.UserStatus }, 'exists');
      },
      { tolerate: isNotFound, onTolerated: (_e, s) => s.ok({}, 'missing') },
    );
  }
  if (dry) {
    tl.skip(
      userExists ? ['AdminSetUserPassword'] : ['AdminCreateUser', 'AdminSetUserPassword'],
      userExists
        ? 'dry run: would set a new permanent password (Cognito never returns the old one)'
        : `dry run: would create ${names.username} with a generated permanent password`,
    );
  } else {
    if (!userExists) {
      await step(
        tl,
        'AdminCreateUser',
        { username: names.username, messageAction: 'SUPPRESS' },
        () =>
          cognito.send(
            new sdk.AdminCreateUserCommand({
              UserPoolId: poolId!,
              Username: names.username,
              MessageAction: 'SUPPRESS',
            }),
          ),
        (out, s) => {
          result.user.status = 'created';
          s.ok({ status: out.User?.UserStatus });
        },
      );
    } else result.user.status = 'existing';
    const password = generatePassword();
    deps.secrets.add(password);
    await step(
      tl,
      'AdminSetUserPassword',
      { username: names.username, permanent: 'true' },
      () =>
        cognito.send(
          new sdk.AdminSetUserPasswordCommand({
            UserPoolId: poolId!,
            Username: names.username,
            Password: password,
            Permanent: true,
          }),
        ),
      (_out, s) => {
        result.user.password = password;
        result.user.passwordReset = userExists;
        s.ok(
          { password: fingerprint(password) },
          userExists ? 'new password: Cognito never returns the old one' : undefined,
        );
      },
    );
  }
  if (userExists) result.user.status = 'existing';

  const allowedClients = [
    result.clients.app.clientId,
    result.clients.public.clientId,
    result.clients.m2m.clientId,
  ].filter((x): x is string => !!x);
  if (result.userPool.discoveryUrl)
    result.customJWTAuthorizer = { discoveryUrl: result.userPool.discoveryUrl, allowedClients };

  // ---- AgentCore Identity (optional) ----
  if (options.withIdentity && pool && !pool.withIdentity) {
    // Mark the pool first, so that teardown looks for the AgentCore resources even if creating them fails.
    if (dry) tl.skip(['TagResource'], `dry run: would tag the pool ${IDENTITY_TAG_KEY}=true`);
    else {
      const arn = pool.arn ?? `arn:aws:cognito-idp:${deps.region}:?:userpool/${pool.id}`;
      await step(
        tl,
        'TagResource',
        { pool: pool.id, tag: `${IDENTITY_TAG_KEY}=true` },
        () => cognito.send(new sdk.TagResourceCommand({ ResourceArn: arn, Tags: { [IDENTITY_TAG_KEY]: 'true' } })),
        (_o, s) => s.ok({}, 'teardown will look for the AgentCore resources'),
      );
    }
  }
  if (options.withIdentity) await identitySteps(deps, names, result, dry);
}

async function identitySteps(deps: SetupDeps, names: SetupNames, result: SetupResult, dry: boolean) {
  const control = await deps.control!();
  const sdk = controlSdk();
  const tl = deps.timeline;
  const tags = { [names.tag.key]: names.tag.value };
  const wi = result.workloadIdentity!;
  const cp = result.credentialProvider!;

  let wiExists = false;
  await step(
    tl,
    'GetWorkloadIdentity',
    { name: names.workloadName },
    () => control.send(new sdk.GetWorkloadIdentityCommand({ name: names.workloadName })),
    (out, s) => {
      wiExists = true;
      wi.arn = out.workloadIdentityArn;
      wi.returnUrls = out.allowedResourceOauth2ReturnUrls ?? [];
      wi.status = 'existing';
      s.ok({ returnUrls: `[${wi.returnUrls.join(', ')}]` }, 'exists');
    },
    { tolerate: isNotFound, onTolerated: (_e, s) => s.ok({}, 'missing') },
  );
  if (wiExists) {
    const missing = names.returnUrls.filter((u) => !wi.returnUrls.includes(u));
    if (missing.length && !dry) {
      await step(
        tl,
        'UpdateWorkloadIdentity',
        { name: names.workloadName, add: missing.join(',') },
        () =>
          control.send(
            new sdk.UpdateWorkloadIdentityCommand({
              name: names.workloadName,
              allowedResourceOauth2ReturnUrls: [...wi.returnUrls, ...missing],
            }),
          ),
        (out, s) => {
          wi.returnUrls = out.allowedResourceOauth2ReturnUrls ?? [...wi.returnUrls, ...missing];
          wi.status = 'updated';
          s.ok({ returnUrls: `[${wi.returnUrls.join(', ')}]` });
        },
      );
    } else if (missing.length) tl.skip(['UpdateWorkloadIdentity'], `dry run: would add ${missing.join(', ')}`);
  } else if (dry) {
    tl.skip(
      ['CreateWorkloadIdentity'],
      `dry run: would create ${names.workloadName} with return URLs ${names.returnUrls.join(', ')}`,
    );
  } else {
    await step(
      tl,
      'CreateWorkloadIdentity',
      { name: names.workloadName, returnUrls: names.returnUrls.join(',') },
      () =>
        control.send(
          new sdk.CreateWorkloadIdentityCommand({
            name: names.workloadName,
            allowedResourceOauth2ReturnUrls: names.returnUrls,
            tags,
          }),
        ),
      (out, s) => {
        wi.arn = out.workloadIdentityArn;
        wi.returnUrls = out.allowedResourceOauth2ReturnUrls ?? names.returnUrls;
        wi.status = 'created';
        s.ok({ arn: out.workloadIdentityArn });
      },
    );
  }

  let cpExists = false;
  await step(
    tl,
    'GetOauth2CredentialProvider',
    { name: names.providerName },
    () => control.send(new sdk.GetOauth2CredentialProviderCommand({ name: names.providerName })),
    (out, s) => {
      cpExists = true;
      cp.arn = out.credentialProviderArn;
      if (out.callbackUrl) cp.callbackUrl = out.callbackUrl;
      const clientId = out.oauth2ProviderConfigOutput?.customOauth2ProviderConfig?.clientId;
      if (clientId) cp.clientId = clientId;
      cp.status = 'existing';
      s.ok({ vendor: out.credentialProviderVendor, clientId }, 'exists');
    },
    { tolerate: isNotFound, onTolerated: (_e, s) => s.ok({}, 'missing') },
  );
  const m2m = result.clients.m2m;
  if (cpExists) return;
  if (dry || !m2m.clientId || !m2m.clientSecret || !result.userPool.discoveryUrl) {
    tl.skip(
      ['CreateOauth2CredentialProvider'],
      `dry run: would create ${names.providerName} (CustomOauth2, the pool's discovery URL, client ${names.clients.m2m})`,
    );
    return;
  }
  await step(
    tl,
    'CreateOauth2CredentialProvider',
    { name: names.providerName, vendor: 'CustomOauth2', client: m2m.clientId },
    () =>
      control.send(
        new sdk.CreateOauth2CredentialProviderCommand({
          name: names.providerName,
          credentialProviderVendor: 'CustomOauth2',
          oauth2ProviderConfigInput: {
            customOauth2ProviderConfig: {
              oauthDiscovery: { discoveryUrl: result.userPool.discoveryUrl! },
              clientId: m2m.clientId!,
              clientSecret: m2m.clientSecret!,
            },
          },
          tags,
        }),
      ),
    (out, s) => {
      cp.arn = out.credentialProviderArn;
      if (out.callbackUrl) cp.callbackUrl = out.callbackUrl;
      cp.clientId = m2m.clientId!;
      cp.status = 'created';
      s.ok({ arn: out.credentialProviderArn, secretArn: out.clientSecretArn?.secretArn });
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// teardown

export interface TeardownItem {
  kind: 'credential-provider' | 'workload-identity' | 'domain' | 'user-pool';
  id: string;
  /** For the domain: its pool. For the pool: the app clients it holds (deleted with it). */
  poolId?: string;
  contains?: string[];
  status: 'planned' | 'deleted' | 'gone';
}

export interface TeardownPlan {
  name: string;
  region: string;
  items: TeardownItem[];
  ignoredPools: string[];
  /** Identity resources that could not be checked (e.g. no bedrock-agentcore permission). */
  unchecked: string[];
}

/** Find what `setup --name NAME` made, in deletion order (provider → workload identity → domain → pool). */
export async function planTeardown(deps: SetupDeps, name: string): Promise<TeardownPlan> {
  const names = setupNames(name);
  const tl = deps.timeline;
  tl.total = 1;
  const items: TeardownItem[] = [];
  const unchecked: string[] = [];
  const { tagged, ignored } = await findPools(deps, names, 0);
  const checkIdentity = !!deps.control && tagged.some((p) => p.withIdentity);
  tl.total = tl.steps.length + (checkIdentity ? 2 : 0) + tagged.length;

  // AgentCore resources exist only if setup --with-identity ran on one of these pools (it tags the pool first).
  if (checkIdentity && deps.control) {
    const control = await deps.control();
    const sdk = controlSdk();
    const denied = (e: unknown) => fromAwsError(e, 'x').code === 'ERR_AUTH';
    // Look one resource up by its exact name: found → planned for deletion; not found → nothing to do; denied → said.
    const lookUp = (
      operation: string,
      kind: 'credential-provider' | 'workload-identity',
      what: string,
      id: string,
      get: () => Promise<{ arn?: string }>,
    ) =>
      step(
        tl,
        operation,
        { name: id },
        get,
        (out, s) => {
          items.push({ kind, id, status: 'planned' });
          s.ok({ arn: out.arn }, 'found');
        },
        {
          tolerate: (e) => isNotFound(e) || denied(e),
          onTolerated: (e, s) => {
            if (isNotFound(e)) return s.ok({}, 'none');
            unchecked.push(`${what} ${id}`);
            s.ok({}, `not checked: ${(e as Error).name}`);
          },
        },
      );
    await lookUp(
      'GetOauth2CredentialProvider',
      'credential-provider',
      'credential provider',
      names.providerName,
      async () => ({
        arn: (await control.send(new sdk.GetOauth2CredentialProviderCommand({ name: names.providerName })))
          .credentialProviderArn,
      }),
    );
    await lookUp('GetWorkloadIdentity', 'workload-identity', 'workload identity', names.workloadName, async () => ({
      arn: (await control.send(new sdk.GetWorkloadIdentityCommand({ name: names.workloadName }))).workloadIdentityArn,
    }));
  }

  const sdk = cognitoSdk();
  for (const p of tagged) {
    if (p.domain) items.push({ kind: 'domain', id: p.domain, poolId: p.id, status: 'planned' });
    if (p.customDomain) items.push({ kind: 'domain', id: p.customDomain, poolId: p.id, status: 'planned' });
    const clients: string[] = [];
    await step(
      tl,
      'ListUserPoolClients',
      { pool: p.id },
      async () => {
        let token: string | undefined;
        do {
          const out = await deps.cognito.send(
            new sdk.ListUserPoolClientsCommand({
              UserPoolId: p.id,
              MaxResults: 60,
              ...(token ? { NextToken: token } : {}),
            }),
          );
          for (const c of out.UserPoolClients ?? []) clients.push(`${c.ClientName ?? '?'} (${c.ClientId})`);
          token = out.NextToken;
        } while (token);
      },
      (_r, s) => s.ok({ clients: String(clients.length) }),
    );
    items.push({ kind: 'user-pool', id: p.id, contains: clients, status: 'planned' });
  }
  return { name: names.name, region: deps.region, items, ignoredPools: ignored, unchecked };
}

/** Delete the planned items in order; a missing one counts as gone. */
export async function runTeardown(deps: SetupDeps, plan: TeardownPlan): Promise<TeardownPlan> {
  const tl = deps.timeline;
  tl.total = tl.steps.length + plan.items.length;
  const cognito = cognitoSdk();
  for (const item of plan.items) {
    const gone = (_e: unknown, s: StepHandle) => {
      item.status = 'gone';
      s.ok({}, 'already gone');
    };
    const ok = (_o: unknown, s: StepHandle) => {
      item.status = 'deleted';
      s.ok({}, 'deleted');
    };
    if (item.kind === 'credential-provider' || item.kind === 'workload-identity') {
      const control = await deps.control!();
      const sdk = controlSdk();
      if (item.kind === 'credential-provider') {
        await step(
          tl,
          'DeleteOauth2CredentialProvider',
          { name: item.id },
          () => control.send(new sdk.DeleteOauth2CredentialProviderCommand({ name: item.id })),
          ok,
          { tolerate: isNotFound, onTolerated: gone },
        );
      } else {
        await step(
          tl,
          'DeleteWorkloadIdentity',
          { name: item.id },
          () => control.send(new sdk.DeleteWorkloadIdentityCommand({ name: item.id })),
          ok,
          { tolerate: isNotFound, onTolerated: gone },
        );
      }
    } else if (item.kind === 'domain') {
      await step(
        tl,
        'DeleteUserPoolDomain',
        { domain: item.id, pool: item.poolId },
        () => deps.cognito.send(new cognito.DeleteUserPoolDomainCommand({ Domain: item.id, UserPoolId: item.poolId! })),
        ok,
        { tolerate: isNotFound, onTolerated: gone },
      );
    } else {
      await step(
        tl,
        'DeleteUserPool',
        {
          pool: item.id,
          with: item.contains?.length
            ? `${item.contains.length} app client(s), resource server, users`
            : 'resource server, users',
        },
        () => deps.cognito.send(new cognito.DeleteUserPoolCommand({ UserPoolId: item.id })),
        ok,
        { tolerate: isNotFound, onTolerated: gone },
      );
    }
  }
  return plan;
}
