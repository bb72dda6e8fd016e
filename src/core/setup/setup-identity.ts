/**
 * `setup --with-identity`'s steps (core/setup/setup-plan.ts): tag the pool first (so teardown looks for the AgentCore
 * resources even if creating them fails), then the workload identity with the default return URLs and a CustomOauth2
 * credential provider on the pool's discovery URL and the -m2m client. AgentCore's ListTagsForResource does not cover
 * these resource types, so they are tagged on create but found by exact name.
 */
import { isNotFound } from '../classify.js';
import type { PlanStep } from '../plan.js';
import { cognitoSdk, controlSdk } from '../../sdk.js';
import { IDENTITY_TAG_KEY } from './names.js';
import { DRY, type SetupState } from './setup-state.js';
import type { SetupDeps } from './types.js';

const fmt = (urls: string[]) => `[${urls.join(', ')}]`;

export function identitySteps(deps: SetupDeps): PlanStep<SetupState>[] {
  return [
    tagPoolStep(deps),
    getWorkloadStep(deps),
    createWorkloadStep(deps),
    updateWorkloadStep(deps),
    getProviderStep(deps),
    createProviderStep(deps),
  ];
}

async function control(deps: SetupDeps) {
  if (!deps.control) throw new Error('setup --with-identity needs the control-plane client');
  return deps.control();
}

/** The workload identity's return URLs that are not registered yet. */
const missingUrls = (s: SetupState) =>
  s.names.returnUrls.filter((u) => !s.result.workloadIdentity!.returnUrls.includes(u));

function tagPoolStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'TagResource',
    skip: (s) =>
      !s.pool
        ? `${DRY}the new pool is created with ${IDENTITY_TAG_KEY}=true`
        : s.pool.withIdentity
          ? `the pool already carries ${IDENTITY_TAG_KEY}=true`
          : s.options.dryRun
            ? `${DRY}would tag the pool ${IDENTITY_TAG_KEY}=true`
            : undefined,
    inputs: (s) => ({ pool: s.pool!.id, tag: `${IDENTITY_TAG_KEY}=true` }),
    run: async (s) => {
      const pool = s.pool!;
      const arn = pool.arn ?? `arn:aws:cognito-idp:${deps.region}:?:userpool/${pool.id}`;
      const sdk = cognitoSdk();
      await deps.cognito.send(new sdk.TagResourceCommand({ ResourceArn: arn, Tags: { [IDENTITY_TAG_KEY]: 'true' } }));
      return { note: 'teardown will look for the AgentCore resources' };
    },
  };
}

function getWorkloadStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'GetWorkloadIdentity',
    inputs: (s) => ({ name: s.names.workloadName }),
    run: async (s) => {
      const wi = s.result.workloadIdentity!;
      try {
        const out = await (await control(deps)).send(
          new (controlSdk().GetWorkloadIdentityCommand)({ name: s.names.workloadName }),
        );
        s.wiExists = true;
        if (out.workloadIdentityArn) wi.arn = out.workloadIdentityArn;
        wi.returnUrls = out.allowedResourceOauth2ReturnUrls ?? [];
        wi.status = 'existing';
        return { outputs: { returnUrls: fmt(wi.returnUrls) }, note: 'exists' };
      } catch (e) {
        if (isNotFound(e)) return { note: 'missing' };
        throw e;
      }
    },
  };
}

function createWorkloadStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'CreateWorkloadIdentity',
    skip: (s) =>
      s.wiExists
        ? 'exists'
        : s.options.dryRun
          ? `${DRY}would create ${s.names.workloadName} with return URLs ${s.names.returnUrls.join(', ')}`
          : undefined,
    inputs: (s) => ({ name: s.names.workloadName, returnUrls: s.names.returnUrls.join(',') }),
    run: async (s) => {
      const { names } = s;
      const wi = s.result.workloadIdentity!;
      const out = await (await control(deps)).send(
        new (controlSdk().CreateWorkloadIdentityCommand)({
          name: names.workloadName,
          allowedResourceOauth2ReturnUrls: names.returnUrls,
          tags: { [names.tag.key]: names.tag.value },
        }),
      );
      if (out.workloadIdentityArn) wi.arn = out.workloadIdentityArn;
      wi.returnUrls = out.allowedResourceOauth2ReturnUrls ?? names.returnUrls;
      wi.status = 'created';
      return { outputs: { arn: out.workloadIdentityArn } };
    },
  };
}

/** UpdateWorkloadIdentity: add the return URLs an existing workload identity lacks. */
function updateWorkloadStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'UpdateWorkloadIdentity',
    skip: (s) => {
      if (!s.wiExists) return 'the workload identity is new: it is created with the return URLs';
      const missing = missingUrls(s);
      if (!missing.length) return 'every return URL is registered';
      return s.options.dryRun ? `${DRY}would add ${missing.join(', ')}` : undefined;
    },
    inputs: (s) => ({ name: s.names.workloadName, add: missingUrls(s).join(',') }),
    run: async (s) => {
      const wi = s.result.workloadIdentity!;
      const urls = [...wi.returnUrls, ...missingUrls(s)];
      const out = await (await control(deps)).send(
        new (controlSdk().UpdateWorkloadIdentityCommand)({
          name: s.names.workloadName,
          allowedResourceOauth2ReturnUrls: urls,
        }),
      );
      wi.returnUrls = out.allowedResourceOauth2ReturnUrls ?? urls;
      wi.status = 'updated';
      return { outputs: { returnUrls: fmt(wi.returnUrls) } };
    },
  };
}

function getProviderStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'GetOauth2CredentialProvider',
    inputs: (s) => ({ name: s.names.providerName }),
    run: async (s) => {
      const cp = s.result.credentialProvider!;
      try {
        const out = await (await control(deps)).send(
          new (controlSdk().GetOauth2CredentialProviderCommand)({ name: s.names.providerName }),
        );
        s.cpExists = true;
        if (out.credentialProviderArn) cp.arn = out.credentialProviderArn;
        if (out.callbackUrl) cp.callbackUrl = out.callbackUrl;
        const clientId = out.oauth2ProviderConfigOutput?.customOauth2ProviderConfig?.clientId;
        if (clientId) cp.clientId = clientId;
        cp.status = 'existing';
        return { outputs: { vendor: out.credentialProviderVendor, clientId }, note: 'exists' };
      } catch (e) {
        if (isNotFound(e)) return { note: 'missing' };
        throw e;
      }
    },
  };
}

function createProviderStep(deps: SetupDeps): PlanStep<SetupState> {
  return {
    operation: 'CreateOauth2CredentialProvider',
    skip: (s) => {
      const m2m = s.result.clients.m2m;
      if (s.cpExists) return 'exists';
      if (s.options.dryRun || !m2m.clientId || !m2m.clientSecret || !s.result.userPool.discoveryUrl)
        return (
          `${DRY}would create ${s.names.providerName} (CustomOauth2, the pool's discovery URL, ` +
          `client ${s.names.clients.m2m})`
        );
      return undefined;
    },
    inputs: (s) => ({ name: s.names.providerName, vendor: 'CustomOauth2', client: s.result.clients.m2m.clientId }),
    run: async (s) => {
      const { names, result } = s;
      const m2m = result.clients.m2m;
      const cp = result.credentialProvider!;
      const out = await (await control(deps)).send(
        new (controlSdk().CreateOauth2CredentialProviderCommand)({
          name: names.providerName,
          credentialProviderVendor: 'CustomOauth2',
          oauth2ProviderConfigInput: {
            customOauth2ProviderConfig: {
              oauthDiscovery: { discoveryUrl: result.userPool.discoveryUrl! },
              clientId: m2m.clientId!,
              clientSecret: m2m.clientSecret!,
            },
          },
          tags: { [names.tag.key]: names.tag.value },
        }),
      );
      if (out.credentialProviderArn) cp.arn = out.credentialProviderArn;
      if (out.callbackUrl) cp.callbackUrl = out.callbackUrl;
      cp.clientId = m2m.clientId!;
      cp.status = 'created';
      return { outputs: { arn: out.credentialProviderArn, secretArn: out.clientSecretArn?.secretArn } };
    },
  };
}
