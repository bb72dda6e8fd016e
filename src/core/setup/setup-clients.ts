/**
 * The setup steps for the hosted-UI domain and the three app clients (core/setup/setup-plan.ts): a domain prefix is
 * unique per region across every account, so a taken one is retried with a new random suffix; an existing client's
 * secret is read back (Cognito returns it, unlike a user's password).
 */
import type { PlanStep } from '../plan.js';
import { fingerprint } from '../redact.js';
import { cognitoSdk } from '../../sdk.js';
import { DOMAIN_ATTEMPTS, domainSuffix, type SetupNames } from './names.js';
import { awsCall, hostedUiUrl, isDomainTaken } from './pools.js';
import { DRY, existingPool, type SetupState } from './setup-state.js';
import type { SetupDeps } from './types.js';

export type ClientKey = 'app' | 'm2m' | 'public';

/** What CreateUserPoolClient gets for each of the three clients. */
function clientInput(names: SetupNames, key: ClientKey): Record<string, unknown> {
  const codeFlow = {
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile', names.resourceServer.scope],
    CallbackURLs: [names.redirectUri],
    SupportedIdentityProviders: ['COGNITO'],
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
  };
  if (key === 'app') {
    return {
      ClientName: names.clients.app,
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      ...codeFlow,
    };
  }
  if (key === 'public') {
    return {
      ClientName: names.clients.public,
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      ...codeFlow,
    };
  }
  return {
    ClientName: names.clients.m2m,
    GenerateSecret: true,
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['client_credentials'],
    AllowedOAuthScopes: [names.resourceServer.scope],
    PreventUserExistenceErrors: 'ENABLED',
  };
}

/** CreateUserPoolDomain with a random suffix; a prefix taken by any account is retried (DOMAIN_ATTEMPTS). */
export function domainStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'CreateUserPoolDomain',
    skip: (s) =>
      s.result.domain.status === 'existing'
        ? `exists: ${s.result.domain.prefix}`
        : s.options.dryRun
          ? `${DRY}would create ${s.names.domainPrefix('xxxxxx')} (random suffix)`
          : undefined,
    inputs: (s) => ({ domain: s.names.domainPrefix('…') }),
    run: async (s, step) => {
      const sdk = cognitoSdk();
      for (let attempt = 1; ; attempt++) {
        const prefix = s.names.domainPrefix(domainSuffix(deps.randomId()));
        try {
          await deps.cognito.send(
            new sdk.CreateUserPoolDomainCommand({ Domain: prefix, UserPoolId: s.pool!.id, ManagedLoginVersion: 1 }),
          );
        } catch (e) {
          if (!isDomainTaken(e) || attempt >= DOMAIN_ATTEMPTS) throw e;
          step.call('CreateUserPoolDomain', { domain: prefix, attempt: `${attempt}/${DOMAIN_ATTEMPTS}`, got: 'taken' });
          step.note(
            `${(e as Error).message} Domain prefixes are unique per region across all accounts: retrying with a new ` +
              'suffix',
          );
          continue;
        }
        s.result.domain = { prefix, hostedUiUrl: hostedUiUrl(prefix, deps.region), status: 'created' };
        if (s.pool) s.pool.domain = prefix;
        return { outputs: { domain: prefix, url: s.result.domain.hostedUiUrl } };
      }
    },
  };
}

/** DescribeUserPoolClient for each existing client with a secret: the secret is read back. */
export function describeClientsStep(deps: SetupDeps): PlanStep<SetupState> {
  const known = (s: SetupState) =>
    (['app', 'm2m'] as const).filter((k) => s.existingClients.has(s.result.clients[k].name));
  return {
    operation: 'DescribeUserPoolClient',
    skip: (s) =>
      !existingPool(s)
        ? 'the pool is new: nothing to look up'
        : known(s).length
          ? undefined
          : 'no client with a secret exists yet',
    inputs: (s) => ({
      clients: known(s)
        .map((k) => s.result.clients[k].name)
        .join(', '),
    }),
    run: async (s, step) => {
      const sdk = cognitoSdk();
      for (const k of known(s)) {
        const rec = s.result.clients[k];
        const clientId = s.existingClients.get(rec.name)!;
        const out = await awsCall('DescribeUserPoolClient', () =>
          deps.cognito.send(new sdk.DescribeUserPoolClientCommand({ UserPoolId: s.pool!.id, ClientId: clientId })),
        );
        const secret = out.UserPoolClient?.ClientSecret;
        if (secret) {
          deps.secrets.add(secret);
          rec.clientSecret = secret;
        }
        step.call('DescribeUserPoolClient', {
          client: rec.name,
          clientId,
          secret: secret ? fingerprint(secret) : 'none',
        });
      }
      return {};
    },
  };
}

/** CreateUserPoolClient for one of the three, unless it exists. */
export function createClientStep(deps: SetupDeps, key: ClientKey): PlanStep<SetupState> {
  return {
    id: `CreateUserPoolClient-${key}`,
    operation: 'CreateUserPoolClient',
    skip: (s) => {
      const rec = s.result.clients[key];
      const known = s.existingClients.get(rec.name);
      if (known) {
        rec.clientId = known;
        rec.status = 'existing';
        return `exists: ${rec.name} ${known}`;
      }
      const secret = clientInput(s.names, key).GenerateSecret ? ', with secret' : ', no secret';
      return s.options.dryRun ? `${DRY}would create ${rec.name} (${rec.flows.join(', ')}${secret})` : undefined;
    },
    inputs: (s) => {
      const rec = s.result.clients[key];
      return {
        name: rec.name,
        flows: rec.flows.join(','),
        secret: clientInput(s.names, key).GenerateSecret ? 'yes' : 'no',
      };
    },
    run: async (s) => {
      const sdk = cognitoSdk();
      const rec = s.result.clients[key];
      type Input = ConstructorParameters<ReturnType<typeof cognitoSdk>['CreateUserPoolClientCommand']>[0];
      const out = await awsCall('CreateUserPoolClient', () =>
        deps.cognito.send(
          new sdk.CreateUserPoolClientCommand({ UserPoolId: s.pool!.id, ...clientInput(s.names, key) } as Input),
        ),
      );
      const c = out.UserPoolClient!;
      rec.clientId = c.ClientId!;
      rec.status = 'created';
      if (c.ClientSecret) {
        deps.secrets.add(c.ClientSecret);
        rec.clientSecret = c.ClientSecret;
      }
      return { outputs: { clientId: c.ClientId, ...(c.ClientSecret ? { secret: fingerprint(c.ClientSecret) } : {}) } };
    },
  };
}
