/**
 * `doctor` on control-plane states the local stack never shows (its runtimes are always READY, its config refuses an
 * allow-listed Authorization on a SigV4 agent, its providers are READY): a loopback control-plane double answers
 * GetAgentRuntime / GetWorkloadIdentity / GetOauth2CredentialProvider, read through the real AWS SDK client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlaneDouble, type ControlPlaneDouble } from '../fixtures/control-plane-double.js';
import { runCommand } from '../helpers/context.js';

const ACCOUNT = '123456789012';
const rt = (id: string) => `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:runtime/${id}`;
const wi = (name: string) =>
  `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:workload-identity-directory/default/workload-identity/${name}`;

let cp: ControlPlaneDouble;

beforeAll(async () => {
  cp = await startControlPlaneDouble({
    runtimes: {
      'failed_agent-AbCdEf1234': {
        agentRuntimeArn: rt('failed_agent-AbCdEf1234'),
        agentRuntimeName: 'failed_agent',
        agentRuntimeId: 'failed_agent-AbCdEf1234',
        status: 'CREATE_FAILED',
        failureReason: 'Image not found: 123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest',
        workloadIdentityDetails: { workloadIdentityArn: wi('failed_agent-AbCdEf1234') },
      },
      'updating_agent-AbCdEf1234': {
        agentRuntimeArn: rt('updating_agent-AbCdEf1234'),
        agentRuntimeName: 'updating_agent',
        agentRuntimeId: 'updating_agent-AbCdEf1234',
        status: 'UPDATING',
        requestHeaderConfiguration: { requestHeaderAllowlist: ['Authorization'] },
        workloadIdentityDetails: { workloadIdentityArn: wi('bad-urls') },
      },
    },
    workloads: {
      'failed_agent-AbCdEf1234': {
        name: 'failed_agent-AbCdEf1234',
        workloadIdentityArn: wi('failed_agent-AbCdEf1234'),
        allowedResourceOauth2ReturnUrls: ['http://localhost:8081/cb'],
      },
      'bad-urls': {
        name: 'bad-urls',
        workloadIdentityArn: wi('bad-urls'),
        allowedResourceOauth2ReturnUrls: ['localhost:8081 callback'],
      },
    },
    providers: {
      'failed-provider': {
        name: 'failed-provider',
        credentialProviderArn: 'arn:p1',
        credentialProviderVendor: 'GithubOauth2',
        status: 'CREATE_FAILED',
        failureReason: 'Secret could not be stored',
      },
      'creating-provider': {
        name: 'creating-provider',
        credentialProviderArn: 'arn:p2',
        credentialProviderVendor: 'GoogleOauth2',
        status: 'CREATING',
      },
    },
  });
});
afterAll(async () => {
  await cp.close();
});

const env = () => cp.env;

const lineOf = (stdout: string, label: string) => stdout.split('\n').find((l) => l.slice(2).startsWith(label));

describe('doctor on broken control-plane states', () => {
  it('a runtime that failed to create: ✗ with the failure reason; its workload identity is still checked', async () => {
    const r = await runCommand(['doctor', '--agent-arn', rt('failed_agent-AbCdEf1234')], { env: env() });
    expect(r.code).toBe(4);
    expect(lineOf(r.stdout, 'runtime failed_agent is READY')).toBe(
      '✗ runtime failed_agent is READY — CREATE_FAILED: Image not found: ' +
        '123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest — fix: fix the cause above and update the ' +
        'runtime (UpdateAgentRuntime), or redeploy',
    );
    expect(lineOf(r.stdout, 'return URLs registered')).toBe(
      '✓ return URLs registered (allowedResourceOauth2ReturnUrls) — http://localhost:8081/cb',
    );
  });

  it(
    'UPDATING warns; an allow-listed Authorization on a SigV4 runtime warns; a return URL that is not a URL ' + 'fails',
    async () => {
      const r = await runCommand(['doctor', '--agent-arn', rt('updating_agent-AbCdEf1234')], { env: env() });
      expect(r.code).toBe(4);
      expect(lineOf(r.stdout, 'runtime updating_agent is READY')).toBe(
        '! runtime updating_agent is READY — UPDATING: invocations may fail until it is READY — fix: wait a ' +
          'minute and run doctor again',
      );
      expect(lineOf(r.stdout, 'Authorization is in the request-header allowlist')).toBe(
        '! Authorization is in the request-header allowlist — it is, but the agent uses SigV4 inbound, so the ' +
          'header is never forwarded — fix: remove it, or add a customJWTAuthorizer if the agent needs the ' +
          "caller's JWT",
      );
      expect(lineOf(r.stdout, 'return URLs registered')).toBe(
        '✗ return URLs registered (allowedResourceOauth2ReturnUrls) — not URLs: localhost:8081 callback — fix: ' +
          'register absolute URLs (scheme://host/path)',
      );
    },
  );

  it('a provider that failed (✗) or is still being created (!), and one without a callbackUrl', async () => {
    const f = await runCommand(['doctor', '--provider', 'failed-provider'], { env: env() });
    expect(f.code).toBe(4);
    expect(lineOf(f.stdout, 'credential provider failed-provider is READY')).toBe(
      '✗ credential provider failed-provider is READY — CREATE_FAILED: Secret could not be stored — fix: fix ' +
        'the cause and update the provider (UpdateOauth2CredentialProvider)',
    );
    const c = await runCommand(['doctor', '--provider', 'creating-provider'], { env: env() });
    expect(c.code).toBe(0);
    expect(lineOf(c.stdout, 'credential provider creating-provider is READY')).toBe(
      '! credential provider creating-provider is READY — CREATING — fix: wait, then run doctor again',
    );
    expect(lineOf(c.stdout, 'credential provider creating-provider callbackUrl')).toBe(
      '! credential provider creating-provider callbackUrl — none reported — fix: read it with ' +
        'get-oauth2-credential-provider once the provider is READY',
    );
  });
});
