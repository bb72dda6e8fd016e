/**
 * USER_FEDERATION (3LO) on the data plane: a vault token for the user when there is one (refreshed when about to
 * expire), otherwise a new authorization session (authorizationUrl + sessionUri, IN_PROGRESS); polling with the
 * sessionUri; and CompleteResourceTokenAuth, which releases the provider's token to the vault only for the very
 * identifier (user id, or the same JWT string) that minted the workload token that started the flow. The browser leg
 * (authorize → provider → callback) is threelo/flow.ts.
 */
import { randomBytes } from 'node:crypto';
import type {
  CompleteResourceTokenAuthRequest,
  GetResourceOauth2TokenRequest,
} from '@aws-sdk/client-bedrock-agentcore';
import { MESSAGES, PATHS, SESSION_STATUS } from '../../../wire.js';
import { accessDenied, validationMessage } from '../../api/errors.js';
import { op } from '../../api/rest.js';
import {
  SESSION_TTL_MS,
  type OAuth2Provider,
  type OAuthSession,
  type UserIdentifier,
  type VaultEntry,
  type WatInfo,
} from '../../state.js';
import type { IdentityCtx } from '../context.js';
import { refreshToken } from '../oauth/token-endpoint.js';
import { DATA } from '../shapes.js';
import { VAULT_MARGIN_MS } from './m2m.js';

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

function inProgress(ctx: IdentityCtx, sessionUri: string) {
  return {
    authorizationUrl: authorizationUrl(ctx.origin, sessionUri),
    sessionUri,
    sessionStatus: SESSION_STATUS.IN_PROGRESS,
  };
}

/** The vault's token, refreshed when it is about to expire; undefined when there is none usable. */
async function freshen(ctx: IdentityCtx, provider: OAuth2Provider, key: string, e: VaultEntry) {
  if (e.expiresAt === undefined || e.expiresAt - VAULT_MARGIN_MS > ctx.now()) return e;
  if (!e.refreshToken) return undefined;
  try {
    const next = await refreshToken(ctx, provider, e.refreshToken);
    const merged = { ...next, scopes: e.scopes, ...(next.refreshToken ? {} : { refreshToken: e.refreshToken }) };
    ctx.state.vault.set(key, merged);
    return merged;
  } catch {
    ctx.state.vault.delete(key);
    return undefined;
  }
}

/** A poll with the sessionUri: the token once completed, FAILED, or still IN_PROGRESS. */
function poll(ctx: IdentityCtx, wat: WatInfo & { userKey: string }, providerName: string, sessionUri: string) {
  const s = ctx.state.sessions.get(sessionUri);
  if (!s || s.workloadName !== wat.workloadName || s.providerName !== providerName || s.userKey !== wat.userKey)
    throw accessDenied(MESSAGES.invalidOrExpiredSession);
  if (s.status === 'COMPLETED') {
    const entry = ctx.state.vault.get(ctx.state.vaultKey(s.workloadName, s.providerName, s.userKey));
    if (entry) return { accessToken: entry.accessToken };
  }
  if (s.status === 'FAILED' || s.expiresAt <= ctx.now()) return { sessionUri, sessionStatus: SESSION_STATUS.FAILED };
  return inProgress(ctx, sessionUri);
}

function newSession(
  ctx: IdentityCtx,
  wat: WatInfo & { userKey: string },
  provider: OAuth2Provider,
  body: GetResourceOauth2TokenRequest,
  returnUrl: string,
): OAuthSession {
  const now = ctx.now();
  const identifier: UserIdentifier =
    wat.userToken !== undefined ? { userToken: wat.userToken } : { userId: wat.userId! };
  const custom = Object.entries(body.customParameters ?? {}).filter(([k]) => !STANDARD_PARAMS.has(k));
  return {
    sessionUri: ctx.state.newSessionUri(),
    workloadName: wat.workloadName,
    providerName: provider.name,
    userKey: wat.userKey,
    identifier,
    scopes: body.scopes ?? [],
    returnUrl,
    ...(body.customState !== undefined ? { customState: body.customState } : {}),
    customParameters: Object.fromEntries(custom),
    ...(body.resources ? { resources: body.resources } : {}),
    ...(body.audiences ? { audiences: body.audiences } : {}),
    state: randomBytes(24).toString('base64url'),
    codeVerifier: randomBytes(48).toString('base64url'),
    createdAt: now,
    expiresAt: now + SESSION_TTL_MS,
    status: 'IN_PROGRESS',
  };
}

export async function userFederationToken(
  ctx: IdentityCtx,
  wat: WatInfo,
  provider: OAuth2Provider,
  body: GetResourceOauth2TokenRequest,
) {
  const { userKey } = wat;
  // UNVERIFIED: AWS's answer for a 3LO request with a workload token not bound to a user.
  if (!userKey)
    throw validationMessage(
      'USER_FEDERATION needs a workload access token obtained for a user (GetWorkloadAccessTokenForJWT or ForUserId)',
    );
  const bound = { ...wat, userKey };
  const allowed = ctx.state.workloadIdentities.get(wat.workloadName)!.allowedResourceOauth2ReturnUrls;
  const returnUrl = body.resourceOauth2ReturnUrl;
  // AWS's message for an empty allow-list is confirmed; for a URL outside a non-empty list it is UNVERIFIED and the
  // same text ("register and use") is sent.
  if (allowed.length === 0 || (returnUrl !== undefined && !allowed.includes(returnUrl)))
    throw validationMessage(MESSAGES.noReturnUrl);
  if (body.sessionUri) return poll(ctx, bound, provider.name, body.sessionUri);

  const key = ctx.state.vaultKey(wat.workloadName, provider.name, userKey);
  const entry = ctx.state.vault.get(key);
  const scopes = body.scopes ?? [];
  if (!body.forceAuthentication && entry && scopes.every((s) => entry.scopes.includes(s))) {
    const fresh = await freshen(ctx, provider, key, entry);
    if (fresh) return { accessToken: fresh.accessToken };
  }
  ctx.state.sweep();
  const session = newSession(ctx, bound, provider, body, returnUrl ?? allowed[0]!);
  ctx.state.sessions.set(session.sessionUri, session);
  ctx.state.sessionsByState.set(session.state, session.sessionUri);
  return inProgress(ctx, session.sessionUri);
}

function sameIdentifier(a: UserIdentifier, b: UserIdentifier): boolean {
  if ('userId' in a && 'userId' in b) return a.userId === b.userId;
  return 'userToken' in a && 'userToken' in b && a.userToken === b.userToken;
}

export const completeResourceTokenAuth = op<IdentityCtx, CompleteResourceTokenAuthRequest>({
  name: 'CompleteResourceTokenAuth',
  method: 'POST',
  path: PATHS.completeResourceTokenAuth,
  input: DATA.CompleteResourceTokenAuth,
  handle: ({ ctx, body }) => {
    const ui = body.userIdentifier as { userId?: string; userToken?: string };
    const given: UserIdentifier = ui.userId !== undefined ? { userId: ui.userId } : { userToken: ui.userToken! };
    const s = ctx.state.sessions.get(body.sessionUri!);
    // The binding rule: the very artifact (user id string, or the same JWT string) that produced the workload token
    // which started the flow. Anything else — another user, a re-minted JWT of the same user, an unknown, expired,
    // refused or already completed session — is "Invalid or expired session".
    if (
      !s ||
      !sameIdentifier(s.identifier, given) ||
      s.expiresAt <= ctx.now() ||
      s.status !== 'AUTHORIZED' ||
      !s.pending
    )
      throw accessDenied(MESSAGES.invalidOrExpiredSession);
    ctx.state.vault.set(ctx.state.vaultKey(s.workloadName, s.providerName, s.userKey), {
      ...s.pending,
      scopes: s.scopes,
    });
    s.status = 'COMPLETED';
    delete s.pending;
    return {};
  },
});
