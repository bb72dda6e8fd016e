/**
 * AgentCore Identity data plane (restJson1, SigV4): GetWorkloadAccessToken[ForJWT|ForUserId], GetResourceOauth2Token
 * (M2M and USER_FEDERATION), CompleteResourceTokenAuth, GetResourceApiKey. Paths, bodies, limits and messages follow
 * @aws-sdk/client-bedrock-agentcore and ../shared/docs/agentcore-{identity,errors}.md. Where AWS's wording is not
 * known (marked UNVERIFIED below) the text is this stack's choice.
 */
import { randomBytes } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { LIMITS, MESSAGES, OAUTH2_FLOW, PATHS, PATTERNS, SESSION_STATUS } from '../../wire.js';
import type { Handler } from '../server.js';
import type { EmuContext } from '../context.js';
import { SESSION_TTL_MS, type OAuthSession, type UserIdentifier, type VaultEntry, type WatInfo } from '../state.js';
import {
  ApiError,
  accessDenied,
  createRouter,
  notFound,
  optBool,
  optMap,
  optString,
  optStringList,
  reqString,
  validation,
  validationMessage,
} from './common.js';
import { clientCredentials, extraParams, ProviderError, refreshToken } from './oauth.js';

export interface DataPlaneDeps {
  /** Verify a user JWT against the issuers the stack trusts (signature, iss, exp); throws a JwtRejection. */
  verifyUserJwt(token: string): Promise<JWTPayload>;
}

export class JwtRejection extends Error {}

const WORKLOAD_NAME = { min: LIMITS.workloadNameMin, max: LIMITS.workloadNameMax, pattern: PATTERNS.workloadName };
const USER_TOKEN = { min: 1, max: LIMITS.tokenMax, pattern: PATTERNS.userToken };
const USER_ID = { min: 1, max: LIMITS.identityUserIdMax };
const PROVIDER_NAME = { min: 1, max: LIMITS.providerNameMax, pattern: PATTERNS.providerName };
const SESSION_URI = { min: 1, max: 1024, pattern: PATTERNS.sessionUri };
const CUSTOM_PARAM_KEY = /^[a-zA-Z0-9\-_.]+$/;
/** Standard authorization-request parameters a customParameter may not replace. */
const STANDARD_PARAMS = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'resource',
  'audience',
]);

export function authorizationUrl(origin: string, sessionUri: string): string {
  return `${origin}${PATHS.authorize}?request_uri=${encodeURIComponent(sessionUri)}`;
}

export function createDataPlaneHandler(ctx: EmuContext, deps: DataPlaneDeps): Handler {
  const { state } = ctx;

  function workloadFor(name: string) {
    const w = state.workloadIdentities.get(name);
    // UNVERIFIED: AWS's text for an unknown workload identity.
    if (!w) throw notFound(`Workload identity '${name}' not found`);
    if (w.linkedTo) throw validationMessage(MESSAGES.workloadLinkedToService);
    return w;
  }

  function watFor(token: string): WatInfo {
    const info = state.resolveWat(token);
    // UNVERIFIED: what AWS answers for an unknown or expired workload access token (the official CLI reads
    // UnauthorizedException as "WAT expired").
    if (!info) throw new ApiError(401, 'UnauthorizedException', 'The workload access token is invalid or has expired');
    if (!state.workloadIdentities.has(info.workloadName))
      throw notFound(`Workload identity '${info.workloadName}' not found`);
    return info;
  }

  function providerFor(name: string) {
    const p = state.oauth2Providers.get(name);
    if (!p) throw notFound(MESSAGES.providerNotFound);
    return p;
  }

  const routes = {
    [PATHS.getWorkloadAccessToken]: async (body: Record<string, unknown>) => {
      const name = reqString(body, 'workloadName', WORKLOAD_NAME);
      workloadFor(name);
      return { body: { workloadAccessToken: state.mintWat({ workloadName: name }) } };
    },

    [PATHS.getWorkloadAccessTokenForUserId]: async (body: Record<string, unknown>) => {
      const name = reqString(body, 'workloadName', WORKLOAD_NAME);
      const userId = reqString(body, 'userId', USER_ID);
      workloadFor(name);
      return { body: { workloadAccessToken: state.mintWat({ workloadName: name, userId, userKey: `id:${userId}` }) } };
    },

    [PATHS.getWorkloadAccessTokenForJwt]: async (body: Record<string, unknown>) => {
      const name = reqString(body, 'workloadName', WORKLOAD_NAME);
      const userToken = reqString(body, 'userToken', USER_TOKEN);
      workloadFor(name);
      let claims: JWTPayload;
      try {
        claims = await deps.verifyUserJwt(userToken);
      } catch (e) {
        // UNVERIFIED: AWS's status and text for a rejected JWT; UnauthorizedException is the model's
        // "JWT bearer token is invalid" error.
        throw new ApiError(
          401,
          'UnauthorizedException',
          e instanceof JwtRejection ? e.message : 'The user token could not be validated',
        );
      }
      // AWS keys the user on iss + sub.
      const userKey = `jwt:${String(claims.iss)}#${String(claims.sub ?? '')}`;
      return { body: { workloadAccessToken: state.mintWat({ workloadName: name, userToken, userKey }) } };
    },

    [PATHS.getResourceOauth2Token]: async (body: Record<string, unknown>) => {
      const watToken = reqString(body, 'workloadIdentityToken', { min: 1, max: LIMITS.tokenMax });
      const providerName = reqString(body, 'resourceCredentialProviderName', PROVIDER_NAME);
      if (body.scopes === undefined || body.scopes === null) throw validation('scopes', 'Member must not be null');
      const scopes = optStringList(body, 'scopes', { min: 1, max: LIMITS.scopeMax }) ?? [];
      const flow = reqString(body, 'oauth2Flow');
      if (!Object.values(OAUTH2_FLOW).includes(flow as never)) {
        throw validation(
          'oauth2Flow',
          `Member must satisfy enum value set: [${Object.values(OAUTH2_FLOW).join(', ')}]`,
        );
      }
      const sessionUri = optString(body, 'sessionUri', SESSION_URI);
      const returnUrl = optString(body, 'resourceOauth2ReturnUrl', {
        min: 1,
        max: LIMITS.returnUrlMax,
        pattern: PATTERNS.returnUrl,
      });
      const force = optBool(body, 'forceAuthentication') ?? false;
      const customState = optString(body, 'customState', { min: 1, max: LIMITS.customStateMax });
      const customParametersRaw = optMap(body, 'customParameters');
      const customParameters: Record<string, string> = {};
      for (const [k, v] of Object.entries(customParametersRaw ?? {})) {
        if (k.length < 1 || k.length > 256 || !CUSTOM_PARAM_KEY.test(k))
          throw validation(
            'customParameters',
            `Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${CUSTOM_PARAM_KEY.source}]`,
          );
        if (typeof v !== 'string' || v.length < 1 || v.length > 2048)
          throw validation(
            'customParameters',
            'Map value must satisfy constraint: [Member must have length between 1 and 2048]',
          );
        customParameters[k] = v;
      }
      const resources = optStringList(body, 'resources', { min: 1, max: 2048 });
      const audiences = optStringList(body, 'audiences', { min: 1, max: 2048 });
      // What reaches the provider beside the scopes (M2M token request, 3LO authorization request).
      const extras = {
        ...(resources ? { resources } : {}),
        ...(audiences ? { audiences } : {}),
        customParameters: Object.fromEntries(Object.entries(customParameters).filter(([k]) => !STANDARD_PARAMS.has(k))),
      };

      const wat = watFor(watToken);
      const provider = providerFor(providerName);
      const now = ctx.now();

      if (flow === OAUTH2_FLOW.M2M) {
        // A token is cached per scopes and extras: one minted for another audience or resource is not reused.
        const key = state.vaultKey(
          wat.workloadName,
          providerName,
          `m2m:${[...scopes].sort().join(' ')}${JSON.stringify(extraParams(extras))}`,
        );
        const cached = state.vault.get(key);
        if (cached && (cached.expiresAt === undefined || cached.expiresAt - 60_000 > now))
          return { body: { accessToken: cached.accessToken } };
        try {
          const entry = await clientCredentials(provider, scopes, now, extras);
          state.vault.set(key, { ...entry, scopes });
          return { body: { accessToken: entry.accessToken } };
        } catch (e) {
          if (e instanceof ProviderError) throw validationMessage(MESSAGES.clientCredentialsParse);
          throw e;
        }
      }
      if (flow === OAUTH2_FLOW.ON_BEHALF_OF_TOKEN_EXCHANGE) {
        throw validationMessage(
          'ON_BEHALF_OF_TOKEN_EXCHANGE is not emulated by the local stack (M2M and USER_FEDERATION are)',
        );
      }

      // USER_FEDERATION
      if (!wat.userKey) {
        // UNVERIFIED: AWS's answer for a 3LO request with a workload token not bound to a user.
        throw validationMessage(
          'USER_FEDERATION needs a workload access token obtained for a user (GetWorkloadAccessTokenForJWT or ForUserId)',
        );
      }
      const workload = state.workloadIdentities.get(wat.workloadName)!;
      const allowed = workload.allowedResourceOauth2ReturnUrls;
      // AWS's message for an empty allow-list is confirmed; for a URL outside a non-empty list it is UNVERIFIED and
      // the same text ("register and use") is sent.
      if (allowed.length === 0) throw validationMessage(MESSAGES.noReturnUrl);
      if (returnUrl !== undefined && !allowed.includes(returnUrl)) throw validationMessage(MESSAGES.noReturnUrl);

      if (sessionUri) {
        const s = state.sessions.get(sessionUri);
        if (!s || s.workloadName !== wat.workloadName || s.providerName !== providerName || s.userKey !== wat.userKey) {
          throw accessDenied(MESSAGES.invalidOrExpiredSession);
        }
        if (s.status === 'COMPLETED') {
          const entry = state.vault.get(state.vaultKey(s.workloadName, s.providerName, s.userKey));
          if (entry) return { body: { accessToken: entry.accessToken } };
        }
        if (s.status === 'FAILED' || s.expiresAt <= now)
          return { body: { sessionUri, sessionStatus: SESSION_STATUS.FAILED } };
        return {
          body: {
            authorizationUrl: authorizationUrl(ctx.origin, sessionUri),
            sessionUri,
            sessionStatus: SESSION_STATUS.IN_PROGRESS,
          },
        };
      }

      const key = state.vaultKey(wat.workloadName, providerName, wat.userKey);
      const entry = state.vault.get(key);
      if (!force && entry && scopes.every((s) => entry.scopes.includes(s))) {
        const fresh = await freshen(entry, key);
        if (fresh) return { body: { accessToken: fresh.accessToken } };
      }

      state.sweep();
      const uri = state.newSessionUri();
      const identifier: UserIdentifier =
        wat.userToken !== undefined ? { userToken: wat.userToken } : { userId: wat.userId! };
      const session: OAuthSession = {
        sessionUri: uri,
        workloadName: wat.workloadName,
        providerName,
        userKey: wat.userKey,
        identifier,
        scopes,
        returnUrl: returnUrl ?? allowed[0]!,
        ...(customState !== undefined ? { customState } : {}),
        customParameters: extras.customParameters,
        ...(resources ? { resources } : {}),
        ...(audiences ? { audiences } : {}),
        state: randomBytes(24).toString('base64url'),
        codeVerifier: randomBytes(48).toString('base64url'),
        createdAt: now,
        expiresAt: now + SESSION_TTL_MS,
        status: 'IN_PROGRESS',
      };
      state.sessions.set(uri, session);
      state.sessionsByState.set(session.state, uri);
      return {
        body: {
          authorizationUrl: authorizationUrl(ctx.origin, uri),
          sessionUri: uri,
          sessionStatus: SESSION_STATUS.IN_PROGRESS,
        },
      };

      async function freshen(e: VaultEntry, k: string): Promise<VaultEntry | undefined> {
        if (e.expiresAt === undefined || e.expiresAt - 60_000 > now) return e;
        if (!e.refreshToken) return undefined;
        try {
          const next = await refreshToken(provider, e.refreshToken, now);
          const merged = { ...next, scopes: e.scopes, ...(next.refreshToken ? {} : { refreshToken: e.refreshToken }) };
          state.vault.set(k, merged);
          return merged;
        } catch {
          state.vault.delete(k);
          return undefined;
        }
      }
    },

    [PATHS.completeResourceTokenAuth]: async (body: Record<string, unknown>) => {
      const sessionUri = reqString(body, 'sessionUri', SESSION_URI);
      if (body.userIdentifier === undefined || body.userIdentifier === null)
        throw validation('userIdentifier', 'Member must not be null');
      const ui = optMap(body, 'userIdentifier')!;
      const keys = Object.keys(ui).filter((k) => ui[k] !== undefined && ui[k] !== null);
      if (keys.length !== 1 || (keys[0] !== 'userId' && keys[0] !== 'userToken')) {
        throw validationMessage('userIdentifier must have exactly one of userId or userToken', 'CannotParse');
      }
      const given: UserIdentifier =
        keys[0] === 'userId'
          ? { userId: reqString(ui, 'userId', USER_ID, 'userIdentifier.userId') }
          : { userToken: reqString(ui, 'userToken', USER_TOKEN, 'userIdentifier.userToken') };
      const s = state.sessions.get(sessionUri);
      const now = ctx.now();
      // The binding rule: the very artifact (user id string, or the same JWT string) that produced the workload token
      // which started the flow. Anything else — another user, a re-minted JWT of the same user, an unknown, expired,
      // refused or already completed session — is "Invalid or expired session".
      const same =
        s &&
        (('userId' in s.identifier && 'userId' in given && s.identifier.userId === given.userId) ||
          ('userToken' in s.identifier && 'userToken' in given && s.identifier.userToken === given.userToken));
      if (!s || !same || s.expiresAt <= now || s.status !== 'AUTHORIZED' || !s.pending)
        throw accessDenied(MESSAGES.invalidOrExpiredSession);
      state.vault.set(state.vaultKey(s.workloadName, s.providerName, s.userKey), { ...s.pending, scopes: s.scopes });
      s.status = 'COMPLETED';
      delete s.pending;
      return { body: {} };
    },

    [PATHS.getResourceApiKey]: async (body: Record<string, unknown>) => {
      const watToken = reqString(body, 'workloadIdentityToken', { min: 1, max: LIMITS.tokenMax });
      const name = reqString(body, 'resourceCredentialProviderName', PROVIDER_NAME);
      watFor(watToken);
      const p = state.apiKeyProviders.get(name);
      if (!p) throw notFound(MESSAGES.providerNotFound);
      return { body: { apiKey: p.apiKey } };
    },
  };
  return createRouter(ctx, routes);
}
