/**
 * The authorizer's claim checks after the signature, in its order: exp (with the 60 s warning), nbf, aud vs
 * allowedAudience, client_id vs allowedClients, scope / scp vs allowedScopes, then each custom claim rule.
 */
import { relativeTime, tokenScopes } from '../jwt.js';
import { MESSAGES } from '../../wire.js';
import { formatCustomClaim, type AuthorizerConfig, type CustomClaimRule } from './config.js';
import { claimResponse, EXPIRY_WARNING_MS, type AuthorizerCheck } from './check.js';
import { adviseAud, adviseClientId, adviseScope, type TokenProfile } from './idp.js';

type Claims = Record<string, unknown>;

/** exp: absent (a warning), expired, expiring within the warning window, or fine; and the warning it raises. */
export function expCheck(p: Claims, nowMs: number): { check: AuthorizerCheck; warning?: string } {
  if (typeof p.exp !== 'number') {
    return {
      check: {
        claim: 'exp',
        status: 'warn',
        actual: '(absent)',
        why: 'the token has no exp claim; how the authorizer treats that is not documented',
        fix: 'use a token with an expiry',
      },
      warning: 'the token has no exp claim',
    };
  }
  if (p.exp * 1000 <= nowMs) {
    return {
      check: {
        claim: 'exp',
        status: 'fail',
        actual: `expired ${relativeTime(p.exp, nowMs)} (${iso(p.exp)})`,
        expected: 'in the future',
        why: `the token expired ${relativeTime(p.exp, nowMs)}`,
        fix: 'mint a fresh token (`agentcore-auth login`, or --bearer NAME, which refreshes cached tokens)',
        response: { status: 401, message: MESSAGES.tokenExpired, confirmed: false },
      },
    };
  }
  const when = `${relativeTime(p.exp, nowMs)} (${iso(p.exp)})`;
  if (p.exp * 1000 - nowMs > EXPIRY_WARNING_MS) return { check: { claim: 'exp', status: 'pass', actual: when } };
  const warning =
    `the token expires ${relativeTime(p.exp, nowMs)}: a call that starts now may be rejected with ` +
    `"${MESSAGES.tokenExpired}"`;
  return {
    check: {
      claim: 'exp',
      status: 'warn',
      actual: when,
      expected: 'in the future',
      why: warning,
      fix: 'mint a fresh token before calling',
    },
    warning,
  };
}

export function nbfCheck(p: Claims, nowMs: number): AuthorizerCheck {
  if (typeof p.nbf === 'number' && p.nbf * 1000 > nowMs) {
    return {
      claim: 'nbf',
      status: 'fail',
      actual: `valid ${relativeTime(p.nbf, nowMs)} (${iso(p.nbf)})`,
      expected: 'in the past',
      why: `the token is not valid before ${iso(p.nbf)}`,
      fix: "wait, or check the IdP's clock and yours",
      response: { status: 401, confirmed: false },
    };
  }
  return {
    claim: 'nbf',
    status: typeof p.nbf === 'number' ? 'pass' : 'skip',
    actual: typeof p.nbf === 'number' ? iso(p.nbf) : '(absent)',
  };
}

export function audCheck(p: Claims, profile: TokenProfile, allowed: string[] | undefined): AuthorizerCheck {
  const aud = asList(p.aud);
  const actual = aud.length ? aud.join(', ') : '(absent)';
  if (!allowed?.length) return { claim: 'aud', status: 'skip', actual, expected: '(allowedAudience not set)' };
  if (aud.some((a) => allowed.includes(a)))
    return { claim: 'aud', status: 'pass', actual: aud.join(', '), expected: allowed.join(', ') };
  return {
    claim: 'aud',
    status: 'fail',
    actual,
    expected: allowed.join(', '),
    ...adviseAud(p, profile, allowed),
    response: claimResponse('aud', true),
  };
}

export function clientIdCheck(p: Claims, profile: TokenProfile, allowed: string[] | undefined): AuthorizerCheck {
  const clientId = typeof p.client_id === 'string' ? p.client_id : undefined;
  const actual = clientId ?? '(absent)';
  if (!allowed?.length) return { claim: 'client_id', status: 'skip', actual, expected: '(allowedClients not set)' };
  if (clientId !== undefined && allowed.includes(clientId))
    return { claim: 'client_id', status: 'pass', actual: clientId, expected: allowed.join(', ') };
  return {
    claim: 'client_id',
    status: 'fail',
    actual,
    expected: allowed.join(', '),
    ...adviseClientId(p, profile, allowed),
    response: claimResponse('client_id', true),
  };
}

export function scopeCheck(p: Claims, profile: TokenProfile, allowed: string[] | undefined): AuthorizerCheck {
  const scopes = tokenScopes(p);
  const actual = scopes.length ? scopes.join(' ') : '(absent)';
  if (!allowed?.length) return { claim: 'scope', status: 'skip', actual, expected: '(allowedScopes not set)' };
  const expected = `any of ${allowed.join(', ')}`;
  if (scopes.some((s) => allowed.includes(s)))
    return { claim: 'scope', status: 'pass', actual: scopes.join(' '), expected };
  return {
    claim: 'scope',
    status: 'fail',
    actual,
    expected,
    ...adviseScope(p, profile, allowed),
    response: claimResponse('scope', false),
  };
}

/** No Cognito token carries both aud (ID tokens) and client_id (access tokens): both lists set is a dead end. */
export function cognitoDeadEnd(checks: AuthorizerCheck[], profile: TokenProfile, config: AuthorizerConfig): void {
  if (profile.idp !== 'cognito' || !config.allowedAudience?.length || !config.allowedClients?.length) return;
  const dead = checks.find((c) => (c.claim === 'aud' || c.claim === 'client_id') && c.status === 'fail');
  if (dead) {
    dead.fix =
      `keep only one of allowedAudience / allowedClients: with both, no Cognito token passes ` +
      `(access tokens have no aud, ID tokens no client_id); then ${dead.fix}`;
  }
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
  if (rule.valueType === 'STRING') return stringClaim(v, rule, base);
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

/** An EQUALS rule on a STRING claim: exact and case-sensitive. */
function stringClaim(
  v: unknown,
  rule: CustomClaimRule,
  base: Pick<AuthorizerCheck, 'claim' | 'actual' | 'expected' | 'response'>,
): AuthorizerCheck {
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

function asList(v: unknown): string[] {
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function iso(sec: number): string {
  return new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
