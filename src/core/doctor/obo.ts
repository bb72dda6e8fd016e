/**
 * doctor --provider, for a provider set up for on-behalf-of (onBehalfOfTokenExchangeConfig, or MicrosoftOauth2): the
 * grant and actor it is configured with; whether the provider's discovery document lists the grant (and
 * client_credentials for an M2M actor) and the client authentication method; and the workload token kind callers
 * must use. RFC 8414 defaults apply when a list is absent (grant types: authorization_code, implicit; auth methods:
 * client_secret_basic). How an IdP advertises AWS_IAM_ID_TOKEN_JWT (a federated client assertion) is UNVERIFIED:
 * private_key_jwt is taken as the sign.
 */
import type { GetOauth2CredentialProviderResponse } from '@aws-sdk/client-bedrock-agentcore-control';
import { isAbortError } from '../errors.js';
import type { FetchLike } from '../http.js';
import { OBO_GRANTS, oboViewOf, type OboProviderView } from '../identity/on-behalf-of.js';
import type { DoctorCheck as Line } from './common.js';

const AUTH_METHOD: Record<string, string> = {
  CLIENT_SECRET_BASIC: 'client_secret_basic',
  CLIENT_SECRET_POST: 'client_secret_post',
  PRIVATE_KEY_JWT: 'private_key_jwt',
  AWS_IAM_ID_TOKEN_JWT: 'private_key_jwt',
};

type Discovery = { url: string; doc: Record<string, unknown> } | { url?: string; problem: string };

async function discovery(view: OboProviderView, fetch: FetchLike): Promise<Discovery> {
  const url = view.discoveryUrl;
  if (!url) return { problem: 'the provider is configured with authorization server metadata, not a discovery URL' };
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    if (!res.ok) return { url, problem: `answered HTTP ${res.status}` };
    const doc = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    return doc && typeof doc === 'object' ? { url, doc } : { url, problem: 'is not a JSON document' };
  } catch (e) {
    if (isAbortError(e)) throw e;
    return { url, problem: (e as Error).message };
  }
}

function listed(doc: Record<string, unknown>, field: string, fallback: string[]): string[] {
  const v = doc[field];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : fallback;
}

function grantLines(view: OboProviderView, doc: Record<string, unknown>, label: string): Line[] {
  const grants = listed(doc, 'grant_types_supported', ['authorization_code', 'implicit']);
  const grant = OBO_GRANTS[view.grantType!];
  const lines: Line[] = [
    grants.includes(grant)
      ? { id: 'provider.obo.grant', status: 'pass', label, detail: `grant_types_supported lists ${grant}` }
      : {
          id: 'provider.obo.grant',
          status: 'fail',
          label,
          detail: `grant_types_supported (${grants.join(', ')}) does not list ${grant}`,
          fix:
            'enable ' +
            (view.grantType === 'TOKEN_EXCHANGE' ? 'token exchange (RFC 8693)' : 'the JWT bearer grant (RFC 7523)') +
            ' for the client at the provider, or choose the grantType it supports',
        },
  ];
  if (view.grantType === 'TOKEN_EXCHANGE' && view.actorTokenContent === 'M2M')
    lines.push(
      grants.includes('client_credentials')
        ? {
            id: 'provider.obo.actor',
            status: 'pass',
            label: `${label}: M2M actor`,
            detail: 'client_credentials listed',
          }
        : {
            id: 'provider.obo.actor',
            status: 'fail',
            label: `${label}: M2M actor`,
            detail: 'client_credentials is not listed: AgentCore cannot get the actor token',
            fix: 'allow client_credentials for the client, or set actorTokenContent NONE / AWS_IAM_ID_TOKEN_JWT',
          },
    );
  return lines;
}

function authLine(view: OboProviderView, doc: Record<string, unknown>, label: string): Line {
  const methods = listed(doc, 'token_endpoint_auth_methods_supported', ['client_secret_basic']);
  const wanted = AUTH_METHOD[view.clientAuthenticationMethod] ?? view.clientAuthenticationMethod;
  const detail =
    `${view.clientAuthenticationMethod} → ${wanted}; ` + `token_endpoint_auth_methods_supported: ${methods.join(', ')}`;
  if (methods.includes(wanted)) return { id: 'provider.obo.client-auth', status: 'pass', label, detail };
  return {
    id: 'provider.obo.client-auth',
    status: 'fail',
    label,
    detail,
    fix:
      `set clientAuthenticationMethod to one the provider supports (${methods.join(', ')}) with ` +
      `UpdateOauth2CredentialProvider`,
  };
}

/** The on-behalf-of lines for a provider (none when it is not set up for on-behalf-of). */
export async function oboChecks(
  name: string,
  p: GetOauth2CredentialProviderResponse,
  fetch: FetchLike,
  add: (c: Line) => unknown,
): Promise<void> {
  const view = oboViewOf(name, p);
  if (!view.grantType) return;
  const label = `credential provider ${name} on-behalf-of`;
  const actor = view.grantType === 'TOKEN_EXCHANGE' ? `, actor ${view.actorTokenContent ?? 'NONE'}` : '';
  add({ id: 'provider.obo.config', status: 'pass', label, detail: `${view.grantType}${actor}` });
  add({
    id: 'provider.obo.workload-token',
    status: 'pass',
    label: `${label}: callers' workload token`,
    detail:
      "GetWorkloadAccessTokenForJWT (the user's JWT is the subject): an agent must be invoked with a bearer token; " +
      'ForUserId tokens (SigV4 + user id) have no JWT to exchange',
  });
  const d = await discovery(view, fetch);
  if ('problem' in d) {
    const detail = `${d.url ? `${d.url} ` : ''}${d.problem}`;
    add({ id: 'provider.obo.grant', status: d.url ? 'warn' : 'skip', label: `${label}: discovery`, detail });
    return;
  }
  for (const line of grantLines(view, d.doc, `${label}: discovery lists the grant`)) add(line);
  add(authLine(view, d.doc, `${label}: client authentication`));
}
