/**
 * What a target is sent, by its credential provider configuration (agentcore-gateway.md §2.3–2.4):
 *   none                    nothing
 *   GATEWAY_IAM_ROLE        SigV4 with the gateway's role (here the stack's credentials), iamCredentialProvider's
 *                           service and region (default: the gateway's region)
 *   CALLER_IAM_CREDENTIALS  SigV4 as the caller (the stack signs with the caller's own credentials, standing in for
 *                           forward access sessions)
 *   JWT_PASSTHROUGH         the caller's bearer token, unmodified
 *   API_KEY                 the provider's key from GetResourceApiKey, in a header or query parameter
 *                           (defaults HEADER / `Authorization` / `api_key` for a query: the CDK construct's;
 *                           UNVERIFIED)
 *                           with `credentialPrefix` and one space before the key (UNVERIFIED join)
 *   OAUTH                   `Authorization: Bearer <token>` from GetResourceOauth2Token: CLIENT_CREDENTIALS (M2M, the
 *                           gateway's own workload token), AUTHORIZATION_CODE (USER_FEDERATION for the caller's JWT;
 *                           consent → -32042), TOKEN_EXCHANGE (ON_BEHALF_OF_TOKEN_EXCHANGE for the caller's JWT)
 */
import { fingerprint } from '../../runtime/jwt-authorizer.js';
import type { StackCredentials } from '../../sigv4.js';
import type { GatewayDeps } from '../deps.js';
import { type CredentialProviderConfiguration, type GatewayRecord, providerNameOf } from '../model.js';
import { GatewayFailure, type GatewayCall, type SentAuth } from '../data/call.js';
import type { IdentityClient, OAuthRequest } from './identity.js';

export interface OutboundAuth {
  headers: Record<string, string>;
  query: Record<string, string>;
  sign?: { credentials: StackCredentials; service: string; region: string };
  sent: SentAuth;
}

export type AuthOutcome = { ok: true; auth: OutboundAuth } | { ok: false; consent: { authorizationUrl: string } };

/** Per-call overrides of `params._meta[GATEWAY.credentialMetaKey].oauthCredentialProvider`. */
export interface CallOverrides {
  returnUrl?: string;
  forceAuthentication?: boolean;
}

export interface CredentialEnv {
  deps: Pick<GatewayDeps, 'credentials' | 'region'>;
  identity: IdentityClient;
}

function bearer(token: string, call: GatewayCall | undefined): OutboundAuth {
  return {
    headers: { authorization: `Bearer ${token}` },
    query: {},
    sent: {
      authorization: { scheme: 'Bearer', fingerprint: fingerprint(token), sameAsCaller: token === call?.inbound.token },
    },
  };
}

/**
 * One call to the identity half for a target's credential. A refusal is traced (outcome: the error's name) and ends
 * the tool call as a GatewayFailure naming the operation and `about` (the flow, the provider).
 */
async function fromIdentity<T>(
  call: GatewayCall | undefined,
  operation: 'GetResourceOauth2Token' | 'GetResourceApiKey',
  provider: string,
  about: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const err = e as { name?: string; message?: string };
    call?.trace.push({ kind: 'identity', operation, provider, outcome: err.name ?? 'error' });
    throw new GatewayFailure(`${operation} (${about}) failed: ${err.name}: ${err.message}`);
  }
}

async function oauth(
  env: CredentialEnv,
  g: GatewayRecord,
  c: CredentialProviderConfiguration,
  call: GatewayCall | undefined,
  overrides: CallOverrides,
): Promise<AuthOutcome> {
  const o = c.credentialProvider!.oauthCredentialProvider!;
  const grant = o.grantType ?? 'CLIENT_CREDENTIALS';
  const providerName = providerNameOf(o.providerArn);
  const request: OAuthRequest = {
    providerName,
    scopes: o.scopes,
    flow:
      grant === 'CLIENT_CREDENTIALS'
        ? 'M2M'
        : grant === 'AUTHORIZATION_CODE'
          ? 'USER_FEDERATION'
          : 'ON_BEHALF_OF_TOKEN_EXCHANGE',
    subject: {},
    ...(o.customParameters ? { customParameters: o.customParameters } : {}),
  };
  if (grant !== 'CLIENT_CREDENTIALS') {
    const token = call?.inbound.token;
    if (!token)
      throw new GatewayFailure(`${grant} needs the caller's JWT as the user identity, and this call has none`);
    request.subject = { userToken: token };
  }
  if (grant === 'AUTHORIZATION_CODE') {
    const returnUrl = overrides.returnUrl ?? o.defaultReturnUrl;
    if (returnUrl) request.returnUrl = returnUrl;
    if (overrides.forceAuthentication) request.forceAuthentication = true;
  }
  const outcome = await fromIdentity(
    call,
    'GetResourceOauth2Token',
    providerName,
    `${request.flow}, provider ${providerName}`,
    () => env.identity.oauthToken(g, request),
  );
  call?.trace.push({
    kind: 'identity',
    operation: 'GetResourceOauth2Token',
    provider: providerName,
    flow: request.flow,
    outcome: outcome.kind === 'token' ? 'token' : 'authorization URL',
  });
  if (outcome.kind === 'consent') return { ok: false, consent: { authorizationUrl: outcome.authorizationUrl } };
  return { ok: true, auth: bearer(outcome.accessToken, call) };
}

async function apiKey(
  env: CredentialEnv,
  g: GatewayRecord,
  c: CredentialProviderConfiguration,
  call: GatewayCall | undefined,
): Promise<OutboundAuth> {
  const a = c.credentialProvider!.apiKeyCredentialProvider!;
  const providerName = providerNameOf(a.providerArn);
  const key = await fromIdentity(call, 'GetResourceApiKey', providerName, `provider ${providerName}`, () =>
    env.identity.apiKey(g, providerName),
  );
  call?.trace.push({ kind: 'identity', operation: 'GetResourceApiKey', provider: providerName, outcome: 'api key' });
  const location = a.credentialLocation ?? 'HEADER';
  const name = a.credentialParameterName ?? (location === 'HEADER' ? 'Authorization' : 'api_key');
  const value = a.credentialPrefix ? `${a.credentialPrefix} ${key}` : key;
  const sent: SentAuth = { apiKey: { location, name, fingerprint: fingerprint(key) } };
  return location === 'HEADER'
    ? { headers: { [name.toLowerCase()]: value }, query: {}, sent }
    : { headers: {}, query: { [name]: value }, sent };
}

/** The outbound credential of a target for one call (`call` undefined: the gateway's own catalogue read). */
export async function outboundAuth(
  env: CredentialEnv,
  g: GatewayRecord,
  creds: CredentialProviderConfiguration[],
  call: GatewayCall | undefined,
  overrides: CallOverrides = {},
  defaultService = 'bedrock-agentcore',
): Promise<AuthOutcome> {
  const c = creds[0];
  if (!c) return { ok: true, auth: { headers: {}, query: {}, sent: {} } };
  switch (c.credentialProviderType) {
    case 'GATEWAY_IAM_ROLE': {
      const iam = c.credentialProvider?.iamCredentialProvider;
      const service = iam?.service ?? defaultService;
      const region = iam?.region ?? env.deps.region;
      const credentials = env.deps.credentials;
      const sent: SentAuth = { sigv4: { service, region, accessKeyId: credentials.accessKeyId, as: 'gateway role' } };
      return { ok: true, auth: { headers: {}, query: {}, sign: { credentials, service, region }, sent } };
    }
    case 'CALLER_IAM_CREDENTIALS': {
      const caller = call?.inbound.iam;
      if (!caller?.credentials)
        throw new GatewayFailure('CALLER_IAM_CREDENTIALS needs a SigV4 caller whose credentials the stack knows');
      const service = defaultService;
      const sent: SentAuth = {
        sigv4: { service, region: env.deps.region, accessKeyId: caller.accessKeyId, as: 'caller' },
      };
      return {
        ok: true,
        auth: {
          headers: {},
          query: {},
          sign: { credentials: caller.credentials, service, region: env.deps.region },
          sent,
        },
      };
    }
    case 'JWT_PASSTHROUGH': {
      const token = call?.inbound.token;
      if (!token) throw new GatewayFailure('JWT_PASSTHROUGH: the caller sent no bearer token to pass through');
      return { ok: true, auth: bearer(token, call) };
    }
    case 'API_KEY':
      return { ok: true, auth: await apiKey(env, g, c, call) };
    case 'OAUTH':
      return oauth(env, g, c, call, overrides);
  }
}
