/**
 * Predict what AgentCore's customJWTAuthorizer answers for a token, check by check, in the service's order: the token
 * must parse, then discovery + JWKS are fetched, then iss (before the signature: a token from another pool gets the
 * `iss` message), signature, exp, nbf, aud vs allowedAudience, client_id vs allowedClients, scope / scp vs
 * allowedScopes, and the custom claim rules. Every check is evaluated so that one run shows everything wrong; the
 * verdict is the first failure in that order, i.e. what the service would say.
 */
import { compactVerify, createLocalJWKSet, errors as joseErrors, type JSONWebKeySet } from 'jose';
import { AgentcoreAuthError } from '../errors.js';
import type { FetchLike } from '../http.js';
import { decodeJwtUnverified, looksLikeJwt, relativeTime, tokenScopes, tryDecodeJwt } from '../jwt.js';
import { MESSAGES } from '../../wire.js';
import {
  discoveryUrlIsValid,
  formatCustomClaim,
  suggestedDiscoveryUrl,
  type AuthorizerConfig,
  type CustomClaimRule,
} from './config.js';
import { adviseAud, adviseClientId, adviseIss, adviseScope, profileToken, type TokenProfile } from './idp.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface ServiceResponse {
  status: number;
  /** The exact message AgentCore sends, when known. */
  message?: string;
  /** false when the status/message is this tool's best guess (agentcore-errors.md marks it UNVERIFIED). */
  confirmed: boolean;
}

export interface AuthorizerCheck {
  /** discoveryUrl | discovery | token | iss | signature | exp | nbf | aud | client_id | scope | <custom claim name> */
  claim: string;
  status: CheckStatus;
  /** What the token has (display text, never the token itself). */
  actual?: string;
  /** What the authorizer wants. */
  expected?: string;
  why?: string;
  fix?: string;
  /** What AgentCore answers when this check fails. */
  response?: ServiceResponse;
}

export interface Prediction {
  accepted: boolean;
  /** The first failed check in the service's order: what the service would answer. */
  verdict?: AuthorizerCheck;
  checks: AuthorizerCheck[];
  warnings: string[];
  token?: { profile: TokenProfile; iss?: string; sub?: string; exp?: number };
  discovery: { url: string; fetchedUrl: string; issuer?: string; jwksUri?: string; keys?: number };
}

export interface PredictDeps {
  fetch: FetchLike;
  now: () => number;
  /**
   * Who enforces the authorizer: a Runtime agent (default) or a Gateway, whose answers differ (agentcore-errors.md §2).
   */
  target?: 'runtime' | 'gateway';
}

/** Tokens expiring within this window get a warning: AgentCore rejects a token that expires during the call. */
export const EXPIRY_WARNING_MS = 60_000;

const PARSE_RESPONSE: ServiceResponse = { status: 403, message: MESSAGES.failedToParseToken, confirmed: true };
const claimResponse = (claim: string, confirmed: boolean): ServiceResponse => ({
  status: 401,
  message: MESSAGES.claimMismatch(claim),
  confirmed,
});

export async function predictAuthorizer(
  token: string,
  config: AuthorizerConfig,
  deps: PredictDeps,
): Promise<Prediction> {
  const checks: AuthorizerCheck[] = [];
  const warnings: string[] = [];
  const nowMs = deps.now();

  // 0. The configuration itself: the control plane refuses a discoveryUrl without the suffix.
  let fetchUrl = config.discoveryUrl;
  if (!discoveryUrlIsValid(config.discoveryUrl)) {
    fetchUrl = suggestedDiscoveryUrl(config.discoveryUrl);
    checks.push({
      claim: 'discoveryUrl',
      status: 'fail',
      actual: config.discoveryUrl,
      expected: '…/.well-known/openid-configuration',
      why:
        'the discoveryUrl does not end in /.well-known/openid-configuration, so CreateAgentRuntime / ' +
        'UpdateAgentRuntime refuse it (ValidationException)',
      fix: `use ${fetchUrl} (the checks below used it)`,
    });
  }
  const discovery: Prediction['discovery'] = { url: config.discoveryUrl, fetchedUrl: fetchUrl };

  // 1. The token must be a JWT.
  const decoded = tryDecodeJwt(token);
  if (!decoded) {
    const parts = token.trim().split('.').length;
    const what = /^AgV4/.test(token.trim())
      ? 'a workload access token (AgV4…), which is not a JWT'
      : parts === 5
        ? 'an encrypted JWE (5 parts), which the authorizer cannot read'
        : looksLikeJwt(token)
          ? malformedJwt(token)
          : `not a JWT (${parts} dot-separated part${parts === 1 ? '' : 's'}; an opaque token?)`;
    checks.push({
      claim: 'token',
      status: 'fail',
      actual: what,
      expected: 'a signed JWT (header.payload.signature)',
      why: `the token is ${what}`,
      fix: 'send the IdP-issued JWT (an access or ID token); `agentcore-auth token decode` shows what a value is',
      response: PARSE_RESPONSE,
    });
    return finish(checks, warnings, discovery);
  }
  const p = decoded.payload as Record<string, unknown>;
  const profile = profileToken(p, decoded.header);
  checks.push({
    claim: 'token',
    status: 'pass',
    actual: `${profile.label}, ${String(decoded.header.alg)}${decoded.header.kid ? ` kid ${decoded.header.kid}` : ''}`,
  });
  if (profile.idp === 'okta' && profile.kind === 'access' && typeof p.iss === 'string' && !/\/oauth2\//.test(p.iss)) {
    warnings.push(
      `this access token comes from the Okta org authorization server (${p.iss}), whose tokens are meant for ` +
        `Okta's own APIs; use a custom authorization server (…/oauth2/default) for your agent`,
    );
  }
  const tokenInfo: NonNullable<Prediction['token']> = { profile };
  if (typeof p.iss === 'string') tokenInfo.iss = p.iss;
  if (typeof p.sub === 'string') tokenInfo.sub = p.sub;
  if (typeof p.exp === 'number') tokenInfo.exp = p.exp;

  // 2. Discovery and JWKS.
  const meta = await fetchJson(deps.fetch, fetchUrl, 'discovery document');
  let jwks: JSONWebKeySet | undefined;
  let issuer: string | undefined;
  if (!meta.ok) {
    checks.push({
      claim: 'discovery',
      status: 'fail',
      actual: meta.problem,
      expected: 'an OpenID configuration with issuer and jwks_uri',
      why: `the discovery document at ${fetchUrl} ${meta.problem}; the authorizer can validate no token`,
      fix: "point discoveryUrl at the IdP's /.well-known/openid-configuration (open it in a browser to check)",
      response: { status: 401, confirmed: false },
    });
  } else {
    const doc = meta.value as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof doc.issuer !== 'string' || typeof doc.jwks_uri !== 'string') {
      checks.push({
        claim: 'discovery',
        status: 'fail',
        actual: `missing ${(['issuer', 'jwks_uri'] as const).filter((k) => typeof doc[k] !== 'string').join(' and ')}`,
        expected: 'issuer and jwks_uri',
        why: `the discovery document at ${fetchUrl} has no ${typeof doc.issuer !== 'string' ? 'issuer' : 'jwks_uri'}`,
        fix: "point discoveryUrl at the IdP's OpenID configuration",
        response: { status: 401, confirmed: false },
      });
    } else {
      issuer = doc.issuer;
      discovery.issuer = doc.issuer;
      discovery.jwksUri = doc.jwks_uri;
      const keys = await fetchJson(deps.fetch, doc.jwks_uri, 'JWKS');
      const set = keys.ok ? (keys.value as JSONWebKeySet) : undefined;
      if (!keys.ok || !set || !Array.isArray(set.keys)) {
        checks.push({
          claim: 'discovery',
          status: 'fail',
          actual: keys.ok ? 'JWKS without keys' : keys.problem,
          expected: 'a JWKS with the signing keys',
          why: `the JWKS at ${doc.jwks_uri} ${keys.ok ? 'has no keys array' : keys.problem}`,
          fix: 'check the IdP; the authorizer cannot verify any signature',
          response: { status: 401, confirmed: false },
        });
      } else {
        jwks = set;
        discovery.keys = set.keys.length;
        checks.push({
          claim: 'discovery',
          status: 'pass',
          actual: `issuer ${doc.issuer}, ${set.keys.length} key${set.keys.length === 1 ? '' : 's'}`,
        });
      }
    }
  }

  // 3. iss, before the signature.
  const iss = typeof p.iss === 'string' ? p.iss : undefined;
  if (issuer === undefined) {
    checks.push({
      claim: 'iss',
      status: 'skip',
      actual: iss ?? '(absent)',
      expected: '(no discovery issuer)',
      why: 'not checked: no discovery document',
    });
  } else if (iss === issuer) {
    checks.push({ claim: 'iss', status: 'pass', actual: iss, expected: issuer });
  } else {
    checks.push({
      claim: 'iss',
      status: 'fail',
      actual: iss ?? '(absent)',
      expected: issuer,
      ...adviseIss(iss, issuer, fetchUrl),
      response: claimResponse('iss', true),
    });
  }

  // 4. Signature.
  const alg = String(decoded.header.alg ?? '');
  const kid = decoded.header.kid;
  if (!jwks) {
    checks.push({
      claim: 'signature',
      status: 'skip',
      actual: `${alg}${kid ? ` kid ${kid}` : ''}`,
      why: 'not checked: no JWKS',
    });
  } else if (alg === 'none' || /^HS/.test(alg)) {
    checks.push({
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
    });
  } else {
    try {
      await compactVerify(token.trim(), createLocalJWKSet(jwks));
      checks.push({
        claim: 'signature',
        status: 'pass',
        actual: `${alg}${kid ? ` kid ${kid}` : ''}`,
        expected: 'JWKS',
      });
    } catch (e) {
      const noKey = e instanceof joseErrors.JWKSNoMatchingKey;
      const multi = e instanceof joseErrors.JWKSMultipleMatchingKeys;
      const badSig = e instanceof joseErrors.JWSSignatureVerificationFailed;
      checks.push({
        claim: 'signature',
        status: 'fail',
        actual: `${alg}${kid ? ` kid ${kid}` : ' (no kid)'}`,
        expected: `a key in ${discovery.jwksUri}`,
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
            ? `mint a fresh token from the IdP behind ${fetchUrl}`
            : badSig
              ? 'mint a fresh token; never edit a token by hand'
              : 'check the token header (alg, crit) and the JWKS key types',
        response: { status: 401, confirmed: false },
      });
    }
  }

  // 5. exp (with the 60 s warning) and nbf.
  if (typeof p.exp !== 'number') {
    checks.push({
      claim: 'exp',
      status: 'warn',
      actual: '(absent)',
      why: 'the token has no exp claim; how the authorizer treats that is not documented',
      fix: 'use a token with an expiry',
    });
    warnings.push('the token has no exp claim');
  } else if (p.exp * 1000 <= nowMs) {
    checks.push({
      claim: 'exp',
      status: 'fail',
      actual: `expired ${relativeTime(p.exp, nowMs)} (${iso(p.exp)})`,
      expected: 'in the future',
      why: `the token expired ${relativeTime(p.exp, nowMs)}`,
      fix: 'mint a fresh token (`agentcore-auth login`, or --bearer NAME, which refreshes cached tokens)',
      response: { status: 401, message: MESSAGES.tokenExpired, confirmed: false },
    });
  } else if (p.exp * 1000 - nowMs <= EXPIRY_WARNING_MS) {
    const w =
      `the token expires ${relativeTime(p.exp, nowMs)}: a call that starts now may be rejected with ` +
      `"${MESSAGES.tokenExpired}"`;
    checks.push({
      claim: 'exp',
      status: 'warn',
      actual: `${relativeTime(p.exp, nowMs)} (${iso(p.exp)})`,
      expected: 'in the future',
      why: w,
      fix: 'mint a fresh token before calling',
    });
    warnings.push(w);
  } else {
    checks.push({ claim: 'exp', status: 'pass', actual: `${relativeTime(p.exp, nowMs)} (${iso(p.exp)})` });
  }
  if (typeof p.nbf === 'number' && p.nbf * 1000 > nowMs) {
    checks.push({
      claim: 'nbf',
      status: 'fail',
      actual: `valid ${relativeTime(p.nbf, nowMs)} (${iso(p.nbf)})`,
      expected: 'in the past',
      why: `the token is not valid before ${iso(p.nbf)}`,
      fix: "wait, or check the IdP's clock and yours",
      response: { status: 401, confirmed: false },
    });
  } else {
    checks.push({
      claim: 'nbf',
      status: typeof p.nbf === 'number' ? 'pass' : 'skip',
      actual: typeof p.nbf === 'number' ? iso(p.nbf) : '(absent)',
    });
  }

  // 6. aud, client_id, scope.
  const aud = asList(p.aud);
  if (!config.allowedAudience?.length) {
    checks.push({
      claim: 'aud',
      status: 'skip',
      actual: aud.length ? aud.join(', ') : '(absent)',
      expected: '(allowedAudience not set)',
    });
  } else if (aud.some((a) => config.allowedAudience!.includes(a))) {
    checks.push({ claim: 'aud', status: 'pass', actual: aud.join(', '), expected: config.allowedAudience.join(', ') });
  } else {
    checks.push({
      claim: 'aud',
      status: 'fail',
      actual: aud.length ? aud.join(', ') : '(absent)',
      expected: config.allowedAudience.join(', '),
      ...adviseAud(p, profile, config.allowedAudience),
      response: claimResponse('aud', true),
    });
  }

  const clientId = typeof p.client_id === 'string' ? p.client_id : undefined;
  if (!config.allowedClients?.length) {
    checks.push({
      claim: 'client_id',
      status: 'skip',
      actual: clientId ?? '(absent)',
      expected: '(allowedClients not set)',
    });
  } else if (clientId !== undefined && config.allowedClients.includes(clientId)) {
    checks.push({ claim: 'client_id', status: 'pass', actual: clientId, expected: config.allowedClients.join(', ') });
  } else {
    checks.push({
      claim: 'client_id',
      status: 'fail',
      actual: clientId ?? '(absent)',
      expected: config.allowedClients.join(', '),
      ...adviseClientId(p, profile, config.allowedClients),
      response: claimResponse('client_id', true),
    });
  }

  const scopes = tokenScopes(p);
  if (!config.allowedScopes?.length) {
    checks.push({
      claim: 'scope',
      status: 'skip',
      actual: scopes.length ? scopes.join(' ') : '(absent)',
      expected: '(allowedScopes not set)',
    });
  } else if (scopes.some((s) => config.allowedScopes!.includes(s))) {
    checks.push({
      claim: 'scope',
      status: 'pass',
      actual: scopes.join(' '),
      expected: `any of ${config.allowedScopes.join(', ')}`,
    });
  } else {
    checks.push({
      claim: 'scope',
      status: 'fail',
      actual: scopes.length ? scopes.join(' ') : '(absent)',
      expected: `any of ${config.allowedScopes.join(', ')}`,
      ...adviseScope(p, profile, config.allowedScopes),
      response: claimResponse('scope', false),
    });
  }

  // 7. Custom claims.
  for (const rule of config.customClaims ?? []) checks.push(checkCustomClaim(p, rule));

  // No Cognito token carries both aud (ID tokens) and client_id (access tokens): both lists set is a dead end.
  if (profile.idp === 'cognito' && config.allowedAudience?.length && config.allowedClients?.length) {
    const dead = checks.find((c) => (c.claim === 'aud' || c.claim === 'client_id') && c.status === 'fail');
    if (dead) {
      dead.fix =
        `keep only one of allowedAudience / allowedClients: with both, no Cognito token passes ` +
        `(access tokens have no aud, ID tokens no client_id); then ${dead.fix}`;
    }
  }

  if (deps.target === 'gateway') forGateway(checks);
  const pred = finish(checks, warnings, discovery);
  pred.token = tokenInfo;
  return pred;
}

export function checkCustomClaim(p: Record<string, unknown>, rule: CustomClaimRule): AuthorizerCheck {
  const v = p[rule.name];
  const expected = formatCustomClaim(rule);
  const actual = v === undefined ? '(absent)' : JSON.stringify(v);
  const base = { claim: rule.name, actual, expected, response: claimResponse(rule.name, false) };
  if (v === undefined) {
    return {
      ...base,
      status: 'fail',
      why: `the token has no ${rule.name} claim`,
      fix:
        `add ${rule.name} to the tokens at the IdP (a pre-token-generation trigger, claim mapping or ` +
        `action), or remove the rule`,
    };
  }
  if (rule.valueType === 'STRING') {
    if (typeof v !== 'string') {
      return {
        ...base,
        status: 'fail',
        why: `${rule.name} is ${Array.isArray(v) ? 'an array' : typeof v}, and EQUALS compares a STRING claim`,
        fix: Array.isArray(v)
          ? `use ${rule.name}:CONTAINS:${rule.values[0]} for an array claim`
          : `emit ${rule.name} as a string`,
      };
    }
    return v === rule.values[0]
      ? { ...base, status: 'pass' }
      : {
          ...base,
          status: 'fail',
          why: `${rule.name} is "${v}", not "${rule.values[0]}" (exact, case-sensitive)`,
          fix: `mint the token for a principal whose ${rule.name} is ${rule.values[0]}, or change the rule`,
        };
  }
  if (!Array.isArray(v)) {
    return {
      ...base,
      status: 'fail',
      why: `${rule.name} is a ${typeof v}, and ${rule.operator} needs a STRING_ARRAY claim`,
      fix:
        typeof v === 'string'
          ? `use ${rule.name}:EQUALS:${rule.values[0]} for a string claim`
          : `emit ${rule.name} as an array of strings`,
    };
  }
  const items = v.filter((x): x is string => typeof x === 'string');
  const ok =
    rule.operator === 'CONTAINS' ? items.includes(rule.values[0]!) : rule.values.some((x) => items.includes(x));
  return ok
    ? { ...base, status: 'pass' }
    : {
        ...base,
        status: 'fail',
        why: `${rule.name} [${items.join(', ')}] contains ${
          rule.operator === 'CONTAINS' ? `no "${rule.values[0]}"` : `none of ${rule.values.join(', ')}`
        }`,
        fix: `add the principal to ${
          rule.operator === 'CONTAINS' ? rule.values[0] : `one of ${rule.values.join(', ')}`
        } at the IdP, or change the rule`,
      };
}

/**
 * The Gateway answers a valid token without an allowed scope with 403 insufficient_scope (reported); its other
 * rejection texts were not recorded, so every answer is marked unconfirmed.
 */
function forGateway(checks: AuthorizerCheck[]): void {
  for (const c of checks) {
    if (!c.response) continue;
    c.response =
      c.claim === 'scope'
        ? {
            status: 403,
            message: 'insufficient_scope (WWW-Authenticate: Bearer error="insufficient_scope")',
            confirmed: false,
          }
        : { ...c.response, confirmed: false };
  }
}

function finish(checks: AuthorizerCheck[], warnings: string[], discovery: Prediction['discovery']): Prediction {
  const verdict = checks.find((c) => c.status === 'fail');
  return { accepted: !verdict, ...(verdict ? { verdict } : {}), checks, warnings, discovery };
}

function asList(v: unknown): string[] {
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function iso(sec: number): string {
  return new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
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
