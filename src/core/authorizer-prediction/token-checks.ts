/**
 * The authorizer's first checks, in its order: the configuration's discoveryUrl, the token's form, discovery + JWKS,
 * iss (before the signature: a token from another pool gets the `iss` message), then the signature.
 */
import { compactVerify, createLocalJWKSet, errors as joseErrors, type JSONWebKeySet } from 'jose';
import { AgentcoreAuthError } from '../errors.js';
import type { FetchLike } from '../http.js';
import { decodeJwtUnverified, looksLikeJwt } from '../jwt.js';
import { discoveryUrlIsValid, suggestedDiscoveryUrl } from './config.js';
import { claimResponse, PARSE_RESPONSE, type AuthorizerCheck, type Prediction } from './check.js';
import { adviseIss, type TokenProfile } from './idp.js';

/** The control plane refuses a discoveryUrl without the suffix: a failed check naming the URL the checks used. */
export function discoveryUrlCheck(discoveryUrl: string): AuthorizerCheck | undefined {
  if (discoveryUrlIsValid(discoveryUrl)) return undefined;
  return {
    claim: 'discoveryUrl',
    status: 'fail',
    actual: discoveryUrl,
    expected: '…/.well-known/openid-configuration',
    why:
      'the discoveryUrl does not end in /.well-known/openid-configuration, so CreateAgentRuntime / ' +
      'UpdateAgentRuntime refuse it (ValidationException)',
    fix: `use ${suggestedDiscoveryUrl(discoveryUrl)} (the checks below used it)`,
  };
}

/** A token that does not decode as a JWT: what it is instead (the service answers "Failed to parse token"). */
export function unparsedTokenCheck(token: string): AuthorizerCheck {
  const parts = token.trim().split('.').length;
  const what = /^AgV4/.test(token.trim())
    ? 'a workload access token (AgV4…), which is not a JWT'
    : parts === 5
      ? 'an encrypted JWE (5 parts), which the authorizer cannot read'
      : looksLikeJwt(token)
        ? malformedJwt(token)
        : `not a JWT (${parts} dot-separated part${parts === 1 ? '' : 's'}; an opaque token?)`;
  return {
    claim: 'token',
    status: 'fail',
    actual: what,
    expected: 'a signed JWT (header.payload.signature)',
    why: `the token is ${what}`,
    fix: 'send the IdP-issued JWT (an access or ID token); `agentcore-auth token decode` shows what a value is',
    response: PARSE_RESPONSE,
  };
}

export function tokenCheck(profile: TokenProfile, header: { alg?: unknown; kid?: unknown }): AuthorizerCheck {
  return {
    claim: 'token',
    status: 'pass',
    actual: `${profile.label}, ${String(header.alg)}${header.kid ? ` kid ${String(header.kid)}` : ''}`,
  };
}

/** An access token from Okta's org authorization server is meant for Okta's own APIs. */
export function oktaOrgWarning(profile: TokenProfile, p: Record<string, unknown>): string | undefined {
  if (profile.idp !== 'okta' || profile.kind !== 'access' || typeof p.iss !== 'string' || /\/oauth2\//.test(p.iss))
    return undefined;
  return (
    `this access token comes from the Okta org authorization server (${p.iss}), whose tokens are meant for ` +
    `Okta's own APIs; use a custom authorization server (…/oauth2/default) for your agent`
  );
}

export interface KeysFound {
  check: AuthorizerCheck;
  issuer?: string;
  jwks?: JSONWebKeySet;
}

/** Discovery, then the JWKS it names; fills `discovery` with what was found. */
export async function discoveryCheck(
  fetch: FetchLike,
  fetchUrl: string,
  discovery: Prediction['discovery'],
): Promise<KeysFound> {
  const fail = (actual: string, expected: string, why: string, fix: string): KeysFound => ({
    check: {
      claim: 'discovery',
      status: 'fail',
      actual,
      expected,
      why,
      fix,
      response: { status: 401, confirmed: false },
    },
  });
  const meta = await fetchJson(fetch, fetchUrl, 'discovery document');
  if (!meta.ok) {
    return fail(
      meta.problem,
      'an OpenID configuration with issuer and jwks_uri',
      `the discovery document at ${fetchUrl} ${meta.problem}; the authorizer can validate no token`,
      "point discoveryUrl at the IdP's /.well-known/openid-configuration (open it in a browser to check)",
    );
  }
  const doc = meta.value as { issuer?: unknown; jwks_uri?: unknown };
  if (typeof doc.issuer !== 'string' || typeof doc.jwks_uri !== 'string') {
    return fail(
      `missing ${(['issuer', 'jwks_uri'] as const).filter((k) => typeof doc[k] !== 'string').join(' and ')}`,
      'issuer and jwks_uri',
      `the discovery document at ${fetchUrl} has no ${typeof doc.issuer !== 'string' ? 'issuer' : 'jwks_uri'}`,
      "point discoveryUrl at the IdP's OpenID configuration",
    );
  }
  discovery.issuer = doc.issuer;
  discovery.jwksUri = doc.jwks_uri;
  const keys = await fetchJson(fetch, doc.jwks_uri, 'JWKS');
  const set = keys.ok ? (keys.value as JSONWebKeySet) : undefined;
  if (!keys.ok || !set || !Array.isArray(set.keys)) {
    return {
      issuer: doc.issuer,
      ...fail(
        keys.ok ? 'JWKS without keys' : keys.problem,
        'a JWKS with the signing keys',
        `the JWKS at ${doc.jwks_uri} ${keys.ok ? 'has no keys array' : keys.problem}`,
        'check the IdP; the authorizer cannot verify any signature',
      ),
    };
  }
  discovery.keys = set.keys.length;
  return {
    issuer: doc.issuer,
    jwks: set,
    check: {
      claim: 'discovery',
      status: 'pass',
      actual: `issuer ${doc.issuer}, ${set.keys.length} key${set.keys.length === 1 ? '' : 's'}`,
    },
  };
}

export function issCheck(p: Record<string, unknown>, issuer: string | undefined, fetchUrl: string): AuthorizerCheck {
  const iss = typeof p.iss === 'string' ? p.iss : undefined;
  if (issuer === undefined) {
    return {
      claim: 'iss',
      status: 'skip',
      actual: iss ?? '(absent)',
      expected: '(no discovery issuer)',
      why: 'not checked: no discovery document',
    };
  }
  if (iss === issuer) return { claim: 'iss', status: 'pass', actual: iss, expected: issuer };
  return {
    claim: 'iss',
    status: 'fail',
    actual: iss ?? '(absent)',
    expected: issuer,
    ...adviseIss(iss, issuer, fetchUrl),
    response: claimResponse('iss', true),
  };
}

export async function signatureCheck(
  token: string,
  header: { alg?: unknown; kid?: string },
  keys: { jwks?: JSONWebKeySet; jwksUri?: string; fetchUrl: string },
): Promise<AuthorizerCheck> {
  const alg = String(header.alg ?? '');
  const kid = header.kid;
  if (!keys.jwks) {
    return {
      claim: 'signature',
      status: 'skip',
      actual: `${alg}${kid ? ` kid ${kid}` : ''}`,
      why: 'not checked: no JWKS',
    };
  }
  if (alg === 'none' || /^HS/.test(alg)) {
    return {
      claim: 'signature',
      status: 'fail',
      actual: alg,
      expected: 'an asymmetric signature (RS256, ES256, …) from the JWKS',
      why:
        alg === 'none'
          ? 'the token is unsigned (alg none)'
          : `${alg} is a shared-secret signature, which a JWKS cannot verify`,
      fix: 'configure the IdP to sign access tokens with an asymmetric key (RS256)',
      response: { status: 401, confirmed: false },
    };
  }
  try {
    await compactVerify(token.trim(), createLocalJWKSet(keys.jwks));
    return { claim: 'signature', status: 'pass', actual: `${alg}${kid ? ` kid ${kid}` : ''}`, expected: 'JWKS' };
  } catch (e) {
    return signatureFailure(e, alg, kid, keys);
  }
}

function signatureFailure(
  e: unknown,
  alg: string,
  kid: string | undefined,
  keys: { jwksUri?: string; fetchUrl: string },
): AuthorizerCheck {
  const noKey = e instanceof joseErrors.JWKSNoMatchingKey;
  const multi = e instanceof joseErrors.JWKSMultipleMatchingKeys;
  const badSig = e instanceof joseErrors.JWSSignatureVerificationFailed;
  return {
    claim: 'signature',
    status: 'fail',
    actual: `${alg}${kid ? ` kid ${kid}` : ' (no kid)'}`,
    expected: `a key in ${keys.jwksUri}`,
    why: noKey
      ? `no key in the JWKS matches ${kid ? `kid ${kid}` : 'the token (it has no kid)'} and alg ${alg}: ` +
        `the token was signed by another IdP, pool or tenant, or by a key that was rotated out`
      : multi
        ? 'several JWKS keys match and the token has no kid'
        : badSig
          ? `the signature does not verify with key ${kid ?? '(no kid)'}: the token was altered, or ` +
            `signed by another key`
          : `the token cannot be verified: ${(e as Error).message}`,
    fix:
      noKey || multi
        ? `mint a fresh token from the IdP behind ${keys.fetchUrl}`
        : badSig
          ? 'mint a fresh token; never edit a token by hand'
          : 'check the token header (alg, crit) and the JWKS key types',
    response: { status: 401, confirmed: false },
  };
}

type Fetched = { ok: true; value: unknown } | { ok: false; problem: string };

/** GET a JSON document. Network failures propagate (exit 3: we cannot tell what the service would see). */
async function fetchJson(fetch: FetchLike, url: string, what: string): Promise<Fetched> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (e) {
    if (e instanceof AgentcoreAuthError && e.code === 'ERR_NETWORK') {
      e.hint = `The ${what} at ${url} must be reachable (AgentCore fetches it too). Check the URL and your network.`;
    }
    throw e;
  }
  if (!res.ok) return { ok: false, problem: `answered HTTP ${res.status}` };
  const text = await res.text();
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object') return { ok: false, problem: 'is not a JSON object' };
    return { ok: true, value };
  } catch {
    return { ok: false, problem: 'is not JSON' };
  }
}

/** What is wrong with a three-part token that does not decode, in token decode's words ("a malformed JWT: …"). */
function malformedJwt(token: string): string {
  try {
    decodeJwtUnverified(token);
  } catch (e) {
    return `a ${(e as Error).message}`;
  }
  return 'a malformed JWT';
}
