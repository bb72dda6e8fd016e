/**
 * ON_BEHALF_OF_TOKEN_EXCHANGE, the client side (agentcore-gateway.md §5): the user's JWT is bound in a workload token
 * (GetWorkloadAccessTokenForJWT, by the caller), the provider's on-behalf-of configuration is read
 * (GetOauth2CredentialProvider), GetResourceOauth2Token runs the exchange, and the provider's token endpoint call —
 * made by AgentCore, never seen by this tool — is shown as the service makes it: grant type, the subject by its
 * fingerprint, the actor, the client authentication. The issued token's `sub` and `act` confirm who it is for and who
 * acts. How scopes, audiences and resources map to token-endpoint parameters is UNVERIFIED (shown as assumed).
 */
import type { GetOauth2CredentialProviderResponse } from '@aws-sdk/client-bedrock-agentcore-control';
import { fromAwsError } from '../aws.js';
import { AgentcoreAuthError, isAbortError } from '../errors.js';
import { describeToken, tryDecodeJwt } from '../jwt.js';
import { fingerprint } from '../redact.js';
import { controlSdk } from '../../sdk.js';
import type { IdentityIo } from './io.js';
import { requestResourceToken } from './resource.js';
import type { Timeline } from './timeline.js';

export const OBO_GRANTS = {
  TOKEN_EXCHANGE: 'urn:ietf:params:oauth:grant-type:token-exchange',
  JWT_AUTHORIZATION_GRANT: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
} as const;
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/** What GetOauth2CredentialProvider says about a provider's on-behalf-of setup. */
export interface OboProviderView {
  name: string;
  vendor?: string;
  /** undefined: the provider has no onBehalfOfTokenExchangeConfig (MicrosoftOauth2 has the JWT grant built in). */
  grantType?: 'TOKEN_EXCHANGE' | 'JWT_AUTHORIZATION_GRANT';
  actorTokenContent?: string;
  actorTokenScopes?: string[];
  /** clientAuthenticationMethod (default CLIENT_SECRET_BASIC). */
  clientAuthenticationMethod: string;
  discoveryUrl?: string;
  tokenEndpoint?: string;
  clientId?: string;
}

type Json = Record<string, unknown>;

export function oboViewOf(name: string, p: GetOauth2CredentialProviderResponse): OboProviderView {
  const out = (p.oauth2ProviderConfigOutput ?? {}) as Json;
  const cfg = (Object.values(out).find((v) => v && typeof v === 'object') ?? {}) as Json;
  const obo = cfg.onBehalfOfTokenExchangeConfig as Json | undefined;
  const tx = obo?.tokenExchangeGrantTypeConfig as Json | undefined;
  const discovery = (cfg.oauthDiscovery ?? {}) as Json;
  const metadata = discovery.authorizationServerMetadata as Json | undefined;
  const microsoft = p.credentialProviderVendor === 'MicrosoftOauth2';
  const grantType =
    (obo?.grantType as OboProviderView['grantType']) ?? (microsoft ? 'JWT_AUTHORIZATION_GRANT' : undefined);
  return {
    name,
    ...(p.credentialProviderVendor ? { vendor: p.credentialProviderVendor } : {}),
    ...(grantType ? { grantType } : {}),
    ...(typeof tx?.actorTokenContent === 'string' ? { actorTokenContent: tx.actorTokenContent } : {}),
    ...(Array.isArray(tx?.actorTokenScopes) ? { actorTokenScopes: tx.actorTokenScopes as string[] } : {}),
    clientAuthenticationMethod: (cfg.clientAuthenticationMethod as string | undefined) ?? 'CLIENT_SECRET_BASIC',
    ...(typeof discovery.discoveryUrl === 'string' ? { discoveryUrl: discovery.discoveryUrl } : {}),
    ...(typeof metadata?.tokenEndpoint === 'string' ? { tokenEndpoint: metadata.tokenEndpoint } : {}),
    ...(typeof cfg.clientId === 'string' ? { clientId: cfg.clientId } : {}),
  };
}

export async function getOboProvider(io: IdentityIo, name: string, region?: string): Promise<OboProviderView> {
  const cp = await io.aws.control(region);
  try {
    const sdk = controlSdk();
    const p = await cp.send(new sdk.GetOauth2CredentialProviderCommand({ name }), { abortSignal: io.ctx.signal });
    return oboViewOf(name, p);
  } catch (e) {
    throw fromAwsError(e, 'GetOauth2CredentialProvider');
  }
}

export interface OnBehalfOfRequest {
  workloadToken: string;
  /** The user's JWT bound in the workload token (the subject). */
  userToken: string;
  provider: string;
  scopes: string[];
  customParameters?: Record<string, string>;
  resources?: string[];
  audiences?: string[];
  region?: string;
}

/** The actor AgentCore sends, in words. */
function actorText(view: OboProviderView): string {
  if (view.grantType === 'JWT_AUTHORIZATION_GRANT') return 'none (JWT bearer grant)';
  if (view.actorTokenContent === 'M2M')
    return `client-credentials token of ${view.clientId || 'the client'} (scope ${view.actorTokenScopes?.join(' ') || 'none'})`;
  if (view.actorTokenContent === 'AWS_IAM_ID_TOKEN_JWT') return "web-identity JWT of the workload's IAM role";
  return 'none';
}

/** The provider's token request as AgentCore builds it (what is shown; mapping of scope/audience/resource UNVERIFIED). */
export function providerCall(view: OboProviderView, req: OnBehalfOfRequest): Record<string, string | undefined> {
  const jwtGrant = view.grantType === 'JWT_AUTHORIZATION_GRANT';
  return {
    endpoint: view.tokenEndpoint ?? (view.discoveryUrl ? `token_endpoint of ${view.discoveryUrl}` : undefined),
    grant: jwtGrant ? 'jwt-bearer (RFC 7523)' : 'token-exchange (RFC 8693)',
    [jwtGrant ? 'assertion' : 'subject']: fingerprint(req.userToken),
    ...(jwtGrant ? {} : { subject_token_type: req.customParameters?.subject_token_type ?? JWT_TYPE }),
    actor: actorText(view),
    'client auth': view.clientAuthenticationMethod,
    scope: req.scopes.join(' ') || undefined,
    audience: req.audiences?.join(' '),
    resource: req.resources?.join(' '),
  };
}

/** What the issued token says: for whom (sub) and who acts (act). */
export function issuedClaims(token: string): { sub?: string; act?: Json; aud?: unknown; clientId?: string } {
  const d = tryDecodeJwt(token);
  if (!d) return {};
  const p = d.payload as Json;
  return {
    ...(typeof p.sub === 'string' ? { sub: p.sub } : {}),
    ...(p.act && typeof p.act === 'object' ? { act: p.act as Json } : {}),
    ...(p.aud !== undefined ? { aud: p.aud } : {}),
    ...(typeof p.client_id === 'string' ? { clientId: p.client_id } : {}),
  };
}

/** A refusal by the provider (invalid_grant, invalid_client, …) is an authentication failure (exit 4). */
function asAuthFailure(e: unknown): unknown {
  if (!(e instanceof AgentcoreAuthError) || e.code !== 'ERR_REMOTE') return e;
  if (!/\binvalid_(grant|client|request|target|scope)\b|unauthorized_client/.test(e.message)) return e;
  return new AgentcoreAuthError('ERR_OAUTH', e.message, {
    ...(e.hint ? { hint: e.hint } : {}),
    details: e.details,
    cause: e,
  });
}

export interface OnBehalfOfResult {
  accessToken: string;
  provider?: OboProviderView;
  call: Record<string, string>;
}

/** The provider's configuration (best effort: without control-plane access the exchange still runs). */
async function readProvider(io: IdentityIo, req: OnBehalfOfRequest, tl: Timeline) {
  const s = tl.begin('GetOauth2CredentialProvider', { provider: req.provider });
  try {
    const view = await getOboProvider(io, req.provider, req.region);
    s.ok({
      grant: view.grantType ?? 'not configured',
      actor: view.grantType === 'TOKEN_EXCHANGE' ? (view.actorTokenContent ?? 'NONE') : undefined,
      'client auth': view.clientAuthenticationMethod,
    });
    return view;
  } catch (e) {
    if (isAbortError(e) || (e instanceof AgentcoreAuthError && e.code === 'ERR_INTERRUPTED')) throw e;
    s.ok({}, `not readable (${(e as Error).message}); going on without the provider's configuration`);
    return undefined;
  }
}

function notConfigured(view: OboProviderView): AgentcoreAuthError {
  return new AgentcoreAuthError('ERR_CONFIG', `credential provider ${view.name} is not set up for on-behalf-of`, {
    hint:
      'Give it customOauth2ProviderConfig.onBehalfOfTokenExchangeConfig ({grantType: TOKEN_EXCHANGE, ' +
      'tokenExchangeGrantTypeConfig: {actorTokenContent: M2M|AWS_IAM_ID_TOKEN_JWT|NONE}} or ' +
      '{grantType: JWT_AUTHORIZATION_GRANT}) with UpdateOauth2CredentialProvider; `agentcore-auth doctor --provider ' +
      `${view.name}\` checks the provider against its discovery document.`,
  });
}

/** GetOauth2CredentialProvider → GetResourceOauth2Token (ON_BEHALF_OF_TOKEN_EXCHANGE) → the provider's call shown. */
export async function runOnBehalfOf(io: IdentityIo, req: OnBehalfOfRequest, tl: Timeline): Promise<OnBehalfOfResult> {
  const view = await readProvider(io, req, tl);
  if (view && !view.grantType) throw notConfigured(view);
  const s = tl.begin('GetResourceOauth2Token', {
    flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
    provider: req.provider,
    scopes: req.scopes.join(',') || '(none)',
  });
  let accessToken: string;
  try {
    const r = await requestResourceToken(io, { ...req, flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE' });
    if (r.kind !== 'token')
      throw new AgentcoreAuthError(
        'ERR_REMOTE',
        'GetResourceOauth2Token (ON_BEHALF_OF_TOKEN_EXCHANGE) returned no token',
      );
    accessToken = r.accessToken;
    s.ok({ 'resource token': describeToken(accessToken, io.ctx.now()) });
  } catch (e) {
    const failure = asAuthFailure(e);
    s.fail(failure);
    throw failure;
  }
  const call = providerCall(view ?? { name: req.provider, clientAuthenticationMethod: '(unknown)' }, req);
  const shown = Object.fromEntries(Object.entries(call).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const p = tl.begin('token endpoint (AgentCore → provider)', shown);
  const claims = issuedClaims(accessToken);
  const act = claims.act ? String(claims.act.sub ?? JSON.stringify(claims.act)) : 'none';
  p.ok(
    { sub: claims.sub, act, aud: claims.aud === undefined ? undefined : String(claims.aud) },
    'not observed: derived',
  );
  return { accessToken, ...(view ? { provider: view } : {}), call: shown };
}
