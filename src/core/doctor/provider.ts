/**
 * The credential provider's lines (--provider): it exists (an OAuth2 provider, or else an API key provider), is
 * READY, its callbackUrl to register at the IdP, and, for an on-behalf-of provider, obo.ts's checks.
 */
import type { GetOauth2CredentialProviderResponse } from '@aws-sdk/client-bedrock-agentcore-control';
import { isNotFound } from '../classify.js';
import { controlSdk } from '../../sdk.js';
import { oboChecks } from './obo.js';
import { aborting, failLine, type AddCheck, type DoctorDeps } from './common.js';

export async function providerChecks(
  name: string,
  region: string | undefined,
  why: string,
  deps: DoctorDeps,
  add: AddCheck,
): Promise<void> {
  const label = `credential provider ${name}`;
  if (!region) {
    add({ id: 'provider.exists', status: 'skip', label: `${label} exists`, detail: `not checked: ${why}` });
    return;
  }
  const sdk = controlSdk();
  const client = await deps.aws.control(region);
  try {
    const p = await client.send(new sdk.GetOauth2CredentialProviderCommand({ name }));
    add({
      id: 'provider.exists',
      status: 'pass',
      label: `${label} exists`,
      detail: `OAuth2, vendor ${p.credentialProviderVendor ?? '?'}`,
    });
    statusCheck(label, p, add);
    callbackUrlCheck(label, p, add);
    await oboChecks(name, p, deps.fetch, add);
  } catch (e) {
    if (aborting(e)) throw e;
    if (isNotFound(e)) {
      try {
        const k = await client.send(new sdk.GetApiKeyCredentialProviderCommand({ name }));
        add({
          id: 'provider.exists',
          status: 'pass',
          label: `${label} exists`,
          detail: `API key provider ${k.credentialProviderArn ?? name}`,
        });
        return;
      } catch (e2) {
        if (aborting(e2)) throw e2;
      }
    }
    add(
      failLine(
        'provider.exists',
        `${label} exists`,
        e,
        'GetOauth2CredentialProvider',
        `check the name and the region (${region}); list them: aws bedrock-agentcore-control ` +
          `list-oauth2-credential-providers --region ${region} (and list-api-key-credential-providers)`,
      ),
    );
  }
}

function statusCheck(label: string, p: GetOauth2CredentialProviderResponse, add: AddCheck): void {
  const status = p.status;
  if (!status || status === 'READY') {
    add({ id: 'provider.status', status: 'pass', label: `${label} is READY`, detail: status ?? 'no status reported' });
    return;
  }
  add({
    id: 'provider.status',
    status: status.endsWith('FAILED') ? 'fail' : 'warn',
    label: `${label} is READY`,
    detail: `${status}${p.failureReason ? `: ${p.failureReason}` : ''}`,
    fix: status.endsWith('FAILED')
      ? 'fix the cause and update the provider (UpdateOauth2CredentialProvider)'
      : 'wait, then run doctor again',
  });
}

function callbackUrlCheck(label: string, p: GetOauth2CredentialProviderResponse, add: AddCheck): void {
  const out = p.oauth2ProviderConfigOutput as Record<string, { clientId?: string } | undefined> | undefined;
  const clientId = out
    ? Object.values(out).find((v) => v && typeof v === 'object' && 'clientId' in v)?.clientId
    : undefined;
  if (p.callbackUrl) {
    add({
      id: 'provider.callback-url',
      status: 'pass',
      label: `${label} callbackUrl`,
      detail:
        `${p.callbackUrl} — register it as a redirect URI ` +
        `of ${clientId ? `client ${clientId}` : 'the OAuth client'} at the IdP (3LO fails with ` +
        `redirect_uri errors otherwise)`,
    });
    return;
  }
  add({
    id: 'provider.callback-url',
    status: 'warn',
    label: `${label} callbackUrl`,
    detail: 'none reported',
    fix: 'read it with get-oauth2-credential-provider once the provider is READY',
  });
}
