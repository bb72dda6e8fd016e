/**
 * The local OAuth provider's user-facing side: the sign-in and consent pages (threelo/pages.ts, served at
 * oidc-provider's default interaction URL /interaction/<uid>: GET shows the page for the pending prompt, POST submits
 * it, GET …/abort is "Cancel" / "Deny"), and auto-consent, which logs the user named by `login_hint` (or the default
 * user) in and consents without pages — answering the authorization request at once, so any redirect-following
 * client (curl -L) completes it. Users in `refuse` end the flow with access_denied.
 */
import type http from 'node:http';
import { THREELO_API_SCOPES, THREELO_RESOURCE } from './configuration.js';
import type { OidcGrant, OidcInteraction, OidcProvider } from './oidc-types.js';
import { consentPage, errorPage, loginPage } from './pages.js';

export interface InteractionSetup {
  provider: OidcProvider;
  issuer: string;
  defaultUser: string;
  refuse: ReadonlySet<string>;
}

type Req = http.IncomingMessage;
type Res = http.ServerResponse;
const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
const REFUSED = { error: 'access_denied', error_description: 'The user refused access' };

/** Adds to the interaction's grant what the prompt says is missing, saves it, finishes the consent. */
async function consent(
  setup: InteractionSetup,
  req: Req,
  res: Res,
  details: OidcInteraction,
  accountId: string,
): Promise<void> {
  const { provider } = setup;
  // A grant that has expired since (find: undefined) fails below with a TypeError, which ends the interaction (400).
  const grant: OidcGrant = details.grantId
    ? (await provider.Grant.find(details.grantId))!
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

/** With auto-consent: an interaction (when one is still needed) is finished at once for the hinted user. */
export async function autoInteraction(setup: InteractionSetup, req: Req, res: Res): Promise<void> {
  const { provider } = setup;
  try {
    const details = await provider.interactionDetails(req, res);
    const account = details.session?.accountId ?? details.params.login_hint ?? setup.defaultUser;
    if (setup.refuse.has(account)) {
      await provider.interactionFinished(req, res, REFUSED, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: account } });
      return;
    }
    await consent(setup, req, res, details, account);
  } catch (e) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`interaction failed: ${(e as Error).message}`);
  }
}

function readBody(req: Req): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 64 * 1024) req.destroy(new Error('request body too large'));
    });
    req.once('end', () => resolve(body));
    req.once('error', reject);
  });
}

function showPage(res: Res, details: OidcInteraction, base: string, error?: string): void {
  const common = { action: base, abort: `${base}/abort`, clientId: details.params.client_id };
  const html =
    details.prompt.name === 'login'
      ? loginPage({ ...common, loginHint: details.params.login_hint, ...(error ? { error } : {}) })
      : consentPage({
          ...common,
          account: details.session?.accountId ?? '',
          scopes: String(details.params.scope ?? '')
            .split(' ')
            .filter(Boolean),
        });
  res.writeHead(200, HTML).end(html);
}

/** A submitted form: the login (any name becomes `sub`) or the consent. */
async function submitted(
  setup: InteractionSetup,
  req: Req,
  res: Res,
  details: OidcInteraction,
  base: string,
): Promise<void> {
  const { provider } = setup;
  const form = new URLSearchParams(await readBody(req));
  const prompt = details.prompt.name;
  if (form.get('prompt') === 'login' && prompt === 'login') {
    const account = form.get('login')?.trim() ?? '';
    if (!account) return showPage(res, details, base, 'Enter a user name (any name: it becomes the token’s sub).');
    const result = setup.refuse.has(account) ? REFUSED : { login: { accountId: account } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  if (form.get('prompt') === 'consent' && prompt === 'consent')
    return consent(setup, req, res, details, details.session!.accountId);
  res.writeHead(400, HTML).end(errorPage('invalid_request', `this page expects the ${prompt} form`));
}

/** The sign-in and consent pages. */
export async function interactionPages(setup: InteractionSetup, req: Req, res: Res): Promise<void> {
  const { provider } = setup;
  try {
    const details = await provider.interactionDetails(req, res);
    const base = `/interaction/${details.uid}`;
    if (new URL(req.url!, setup.issuer).pathname.endsWith('/abort')) {
      const aborted = { error: 'access_denied', error_description: 'End-User aborted interaction' };
      await provider.interactionFinished(req, res, aborted, { mergeWithLastSubmission: false });
      return;
    }
    if (req.method === 'GET') return showPage(res, details, base);
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    await submitted(setup, req, res, details, base);
  } catch (e) {
    // An expired or unknown interaction (no cookie, a stale tab): oidc-provider's SessionNotFound and the like.
    res.writeHead(400, HTML).end(errorPage('interaction failed', (e as Error).message));
  }
}

/** Is this authorization request one auto-consent answers itself (anything unusual goes to oidc-provider)? */
async function plainRequest(setup: InteractionSetup, p: URLSearchParams) {
  const client = await setup.provider.Client.find(p.get('client_id') ?? '');
  const redirectUri = p.get('redirect_uri') ?? '';
  if (!client?.redirectUriAllowed(redirectUri) || p.get('response_type') !== 'code') return undefined;
  if (!p.get('code_challenge') || p.get('code_challenge_method') !== 'S256') return undefined;
  const scopes = (p.get('scope') ?? 'openid').split(' ').filter(Boolean);
  const known = ['openid', 'offline_access', 'profile', 'email', ...THREELO_API_SCOPES.split(' ')];
  if (scopes.some((x) => !known.includes(x))) return undefined;
  return { client, redirectUri, scopes };
}

/** A real oidc-provider AuthorizationCode for the request, redeemed later by its own token endpoint. */
async function issueCode(
  setup: InteractionSetup,
  p: URLSearchParams,
  plain: NonNullable<Awaited<ReturnType<typeof plainRequest>>>,
  account: string,
) {
  const { provider } = setup;
  const { client, redirectUri, scopes } = plain;
  const api = THREELO_API_SCOPES.split(' ');
  const grant = new provider.Grant({ accountId: account, clientId: client.clientId });
  grant.addOIDCScope(scopes.filter((x) => !api.includes(x)).join(' ') || 'openid');
  grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name']);
  const apiScopes = scopes.filter((x) => api.includes(x));
  if (apiScopes.length) grant.addResourceScope(THREELO_RESOURCE, apiScopes.join(' '));
  const grantId = await grant.save();
  const code = new provider.AuthorizationCode({
    accountId: account,
    authTime: Math.floor(Date.now() / 1000),
    client,
    grantId,
    redirectUri,
    scope: scopes.join(' '),
    codeChallenge: p.get('code_challenge'),
    codeChallengeMethod: 'S256',
    expiresWithSession: false,
    ...(apiScopes.length ? { resource: THREELO_RESOURCE } : {}),
    ...(p.get('nonce') ? { nonce: p.get('nonce') } : {}),
  });
  return code.save();
}

/** Auto-consent: answers `GET /auth?…` with the redirect carrying a code (or access_denied); false = not handled. */
export async function autoAuthorize(setup: InteractionSetup, req: Req, res: Res): Promise<boolean> {
  const p = new URL(req.url!, setup.issuer).searchParams;
  const plain = await plainRequest(setup, p);
  if (!plain) return false;
  const back = new URL(plain.redirectUri);
  if (p.get('state')) back.searchParams.set('state', p.get('state')!);
  back.searchParams.set('iss', setup.issuer);
  const account = p.get('login_hint') || setup.defaultUser;
  if (setup.refuse.has(account)) {
    back.searchParams.set('error', REFUSED.error);
    back.searchParams.set('error_description', REFUSED.error_description);
  } else back.searchParams.set('code', await issueCode(setup, p, plain, account));
  res.writeHead(303, { location: back.href, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
  return true;
}
