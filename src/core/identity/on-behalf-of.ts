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
import type { PlanStep } from '../plan.js';

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
    return (
      `client-credentials token of ${view.clientId || 'the client'} ` +
      `(scope ${view.actorTokenScopes?.join(' ') || 'none'})`
    );
  if (view.actorTokenContent === 'AWS_IAM_ID_TOKEN_JWT') return "web-identity JWT of the workload's IAM role";
  return 'none';
}

/**
 * The provider's token request as AgentCore builds it (what is shown; mapping of scope/audience/resource UNVERIFIED).
 */
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

/** What the on-behalf-of steps find, on the plan's state. */
export interface OboState {
  /** The provider's configuration, when it could be read. */
  view?: OboProviderView;
  /** The provider's token request as AgentCore makes it (derived: this tool never sees it). */
  call?: Record<string, string>;
  accessToken?: string;
}

/** What a plan running the on-behalf-of steps must hold: the workload token minted before them. */
export interface OboHost {
  workloadToken?: string;
  region?: string;
  obo: OboState;
}

/** The exchange as the steps see it: everything but the workload token and region, which are on the state. */
export type OboSpec = Omit<OnBehalfOfRequest, 'workloadToken' | 'region'>;

function notConfigured(view: OboProviderView): AgentcoreAuthError {
  return new AgentcoreAuthError('ERR_CONFIG', `credential provider ${view.name} is not set up for on-behalf-of`, {
    hint:
      'Give it customOauth2ProviderConfig.onBehalfOfTokenExchangeConfig ({grantType: TOKEN_EXCHANGE, ' +
      'tokenExchangeGrantTypeConfig: {actorTokenContent: M2M|AWS_IAM_ID_TOKEN_JWT|NONE}} or ' +
      '{grantType: JWT_AUTHORIZATION_GRANT}) with UpdateOauth2CredentialProvider; `agentcore-auth doctor --provider ' +
      `${view.name}\` checks the provider against its discovery document.`,
  });
}

const requestOf = (s: OboHost, spec: OboSpec): OnBehalfOfRequest => ({
  ...spec,
  workloadToken: s.workloadToken!,
  ...(s.region ? { region: s.region } : {}),
});

/** GetOauth2CredentialProvider → GetResourceOauth2Token (ON_BEHALF_OF_TOKEN_EXCHANGE) → the provider's call shown. */
export function onBehalfOfSteps<S extends OboHost>(io: IdentityIo, spec: OboSpec): PlanStep<S>[] {
  return [readProviderStep<S>(io, spec), exchangeStep<S>(io, spec), providerCallStep<S>(spec)];
}

/** The provider's configuration (best effort: without control-plane access the exchange still runs). */
function readProviderStep<S extends OboHost>(io: IdentityIo, spec: OboSpec): PlanStep<S> {
  return {
    operation: 'GetOauth2CredentialProvider',
    inputs: () => ({ provider: spec.provider }),
    run: async (s) => {
      let view: OboProviderView;
      try {
        view = await getOboProvider(io, spec.provider, s.region);
      } catch (e) {
        if (isAbortError(e) || (e instanceof AgentcoreAuthError && e.code === 'ERR_INTERRUPTED')) throw e;
        return { note: `not readable (${(e as Error).message}); going on without the provider's configuration` };
      }
      s.obo.view = view;
      return {
        outputs: {
          grant: view.grantType ?? 'not configured',
          actor: view.grantType === 'TOKEN_EXCHANGE' ? (view.actorTokenContent ?? 'NONE') : undefined,
          'client auth': view.clientAuthenticationMethod,
        },
      };
    },
  };
}

function exchangeStep<S extends OboHost>(io: IdentityIo, spec: OboSpec): PlanStep<S> {
  return {
    operation: 'GetResourceOauth2Token',
    inputs: () => ({
      flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE',
      provider: spec.provider,
      scopes: spec.scopes.join(',') || '(none)',
    }),
    run: async (s) => {
      if (s.obo.view && !s.obo.view.grantType) throw notConfigured(s.obo.view);
      let r: Awaited<ReturnType<typeof requestResourceToken>>;
      try {
        r = await requestResourceToken(io, { ...requestOf(s, spec), flow: 'ON_BEHALF_OF_TOKEN_EXCHANGE' });
      } catch (e) {
        throw asAuthFailure(e);
      }
      if (r.kind !== 'token')
        throw new AgentcoreAuthError(
          'ERR_REMOTE',
          'GetResourceOauth2Token (ON_BEHALF_OF_TOKEN_EXCHANGE) returned no token',
        );
      s.obo.accessToken = r.accessToken;
      return { outputs: { 'resource token': describeToken(r.accessToken, io.ctx.now()) } };
    },
  };
}

/** The provider's token endpoint call as AgentCore makes it, and what the issued token says (derived). */
function providerCallStep<S extends OboHost>(spec: OboSpec): PlanStep<S> {
  const callOf = (s: S) => {
    const call = providerCall(
      s.obo.view ?? { name: spec.provider, clientAuthenticationMethod: '(unknown)' },
      requestOf(s, spec),
    );
    return Object.fromEntries(Object.entries(call).filter(([, v]) => v !== undefined)) as Record<string, string>;
  };
  return {
    operation: 'token endpoint (AgentCore → provider)',
    inputs: (s) => callOf(s),
    run: async (s) => {
      s.obo.call = callOf(s);
      const claims = issuedClaims(s.obo.accessToken!);
      const act = claims.act ? String(claims.act.sub ?? JSON.stringify(claims.act)) : 'none';
      return {
        outputs: { sub: claims.sub, act, aud: claims.aud === undefined ? undefined : String(claims.aud) },
        note: 'not observed: derived',
      };
    },
  };
}
