/**
 * Identity-provider conventions that decide whether a token can ever pass an AgentCore customJWTAuthorizer: which
 * claim carries the client (AgentCore reads only a claim literally named `client_id`), whether there is an `aud`,
 * where the scopes are, and the issuer forms. Each advice function says, in words, why a check failed and which
 * token or which authorizer field to use instead.
 */
import { tokenScopes } from '../jwt.js';

export type Idp = 'cognito' | 'entra' | 'okta' | 'auth0' | 'generic';

export interface TokenProfile {
  idp: Idp;
  /** 'access' | 'id' | 'app' (Entra app-only) | 'unknown' */
  kind: 'access' | 'id' | 'app' | 'unknown';
  /** Entra token version. */
  version?: '1.0' | '2.0';
  /** "Cognito access token (token_use=access)" */
  label: string;
}

export interface Advice {
  why: string;
  fix: string;
}

type Claims = Record<string, unknown>;

const COGNITO_ISS = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/([A-Za-z0-9-]+_[A-Za-z0-9]+)$/;
/** A pool id at the end of any issuer (cognito-local and the local stack serve pools under their own origin). */
const POOL_AT_END = /\/([a-z]{2}(?:-gov)?-[a-z]+-\d_[A-Za-z0-9]+)$/;
const ENTRA_V1_ISS = /^https:\/\/sts\.windows\.net\/([^/]+)\/$/;
const ENTRA_V2_ISS = /^https:\/\/login\.microsoftonline\.(?:com|us)\/([^/]+)\/v2\.0\/?$/;
const OKTA_ISS = /^https:\/\/[^/]+\.(?:okta|oktapreview|okta-emea)\.com(?:\/|$)/;
const AUTH0_ISS = /^https:\/\/[^/]+\.auth0\.com\/$/;
/** Microsoft Graph's application id: tokens for Graph are not for your API. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const fmt = (values: readonly string[]): string => `[${values.join(', ')}]`;

export function cognitoPoolId(iss: string | undefined): string | undefined {
  if (!iss) return undefined;
  return COGNITO_ISS.exec(iss)?.[1] ?? POOL_AT_END.exec(iss)?.[1];
}

export function profileToken(p: Claims, header: { typ?: unknown } = {}): TokenProfile {
  const iss = str(p.iss) ?? '';
  const tokenUse = str(p.token_use);
  if (tokenUse && cognitoPoolId(iss)) {
    const kind = tokenUse === 'access' ? 'access' : tokenUse === 'id' ? 'id' : 'unknown';
    return {
      idp: 'cognito',
      kind,
      label:
        `Cognito ${kind === 'unknown' ? tokenUse : kind === 'access' ? 'access' : 'ID'} token ` +
        `(token_use=${tokenUse})`,
    };
  }
  const v1 = ENTRA_V1_ISS.test(iss);
  const v2 = ENTRA_V2_ISS.test(iss);
  if (v1 || v2 || (str(p.tid) && (str(p.appid) || str(p.azp)) && str(p.ver))) {
    const version: '1.0' | '2.0' = str(p.ver) === '2.0' || (!str(p.ver) && v2) ? '2.0' : '1.0';
    const app = str(p.idtyp) === 'app' || (list(p.roles).length > 0 && p.scp === undefined);
    const id =
      !app &&
      p.scp === undefined &&
      (p.nonce !== undefined || str(p.aud) === str(p.azp) || str(p.aud) === str(p.appid));
    const kind = app ? 'app' : id ? 'id' : 'access';
    const what =
      kind === 'app' ? 'app-only access token (client credentials)' : kind === 'id' ? 'ID token' : 'access token';
    return { idp: 'entra', kind, version, label: `Entra ID v${version} ${what}` };
  }
  if (str(p.cid) || OKTA_ISS.test(iss)) {
    return {
      idp: 'okta',
      kind: str(p.cid) ? 'access' : 'id',
      label: str(p.cid) ? 'Okta access token (cid claim)' : 'Okta ID token',
    };
  }
  if (AUTH0_ISS.test(iss) || (str(p.gty) && str(p.azp))) {
    const m2m = str(p.gty) === 'client-credentials';
    return {
      idp: 'auth0',
      kind: 'access',
      label: m2m ? 'Auth0 access token (client credentials)' : 'Auth0 access token',
    };
  }
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ === 'at+jwt' || typ === 'application/at+jwt')
    return { idp: 'generic', kind: 'access', label: 'OAuth access token (RFC 9068 at+jwt)' };
  if (p.client_id !== undefined || p.scope !== undefined || p.scp !== undefined)
    return { idp: 'generic', kind: 'access', label: 'access token' };
  if (p.nonce !== undefined || p.at_hash !== undefined) return { idp: 'generic', kind: 'id', label: 'ID token' };
  return { idp: 'generic', kind: 'unknown', label: 'JWT' };
}

/** Why `iss` differs from the discovery document's issuer, and what to do. */
export function adviseIss(tokenIss: string | undefined, discoveryIss: string, discoveryUrl: string): Advice {
  if (!tokenIss) {
    return { why: 'the token has no iss claim', fix: `mint the token from the IdP behind ${discoveryUrl}` };
  }
  if (/\{tenant(id)?\}/i.test(discoveryIss)) {
    return {
      why:
        `the discovery document is Entra's multi-tenant one: its issuer ${discoveryIss} is a template ` +
        `that no token's iss equals`,
      fix:
        'use the tenant-specific discoveryUrl ' +
        'https://login.microsoftonline.com/<tenant-id>/v2.0/.well-known/openid-configuration',
    };
  }
  if (tokenIss.replace(/\/+$/, '') === discoveryIss.replace(/\/+$/, '')) {
    return {
      why:
        `iss ${tokenIss} and the discovery issuer ${discoveryIss} differ only by the trailing slash (the ` +
        `comparison is exact)`,
      fix: 'point discoveryUrl at the IdP whose issuer string is exactly the token iss (Auth0 issuers end in "/")',
    };
  }
  const e1 = ENTRA_V1_ISS.exec(tokenIss);
  const e2d = ENTRA_V2_ISS.exec(discoveryIss);
  if (e1 && e2d) {
    return {
      why:
        `this is an Entra v1 token (iss ${tokenIss}) and the discoveryUrl is the v2.0 endpoint ` +
        `(issuer ${discoveryIss})`,
      fix:
        'set "accessTokenAcceptedVersion": 2 in the API app registration\'s manifest and mint a new token, or ' +
        'use the v1 discoveryUrl https://login.microsoftonline.com/' +
        `${e1[1]}/.well-known/openid-configuration`,
    };
  }
  const e2 = ENTRA_V2_ISS.exec(tokenIss);
  const e1d = ENTRA_V1_ISS.exec(discoveryIss);
  if (e2 && e1d) {
    return {
      why:
        `this is an Entra v2.0 token (iss ${tokenIss}) and the discoveryUrl is the v1 endpoint ` +
        `(issuer ${discoveryIss})`,
      fix: `use discoveryUrl https://login.microsoftonline.com/${e2[1]}/v2.0/.well-known/openid-configuration`,
    };
  }
  const tp = cognitoPoolId(tokenIss);
  const dp = cognitoPoolId(discoveryIss);
  if (tp && dp && tp !== dp) {
    return {
      why: `the token comes from user pool ${tp}; the authorizer trusts user pool ${dp}`,
      fix: `log in against ${dp}, or set discoveryUrl to ${tokenIss}/.well-known/openid-configuration`,
    };
  }
  return {
    why: `iss ${tokenIss} is not the discovery issuer ${discoveryIss}`,
    fix:
      `mint the token from the IdP behind ${discoveryUrl}, or set discoveryUrl ` +
      `to ${tokenIss.replace(/\/+$/, '')}/.well-known/openid-configuration`,
  };
}

/** Why `aud` is not in allowedAudience. */
export function adviseAud(p: Claims, t: TokenProfile, allowed: readonly string[]): Advice {
  const aud = list(p.aud);
  if (t.idp === 'cognito' && t.kind === 'access' && aud.length === 0) {
    const cid = str(p.client_id);
    return {
      why: 'Cognito access tokens carry no aud claim',
      fix:
        `configure allowedClients=[${cid ?? '<app client id>'}] instead of allowedAudience, or send the ` +
        `ID token (its aud is the app client id)`,
    };
  }
  if (t.idp === 'cognito' && t.kind === 'id') {
    return {
      why: `this ID token was issued to app client ${aud.join(', ') || '?'}, not one of ${fmt(allowed)}`,
      fix:
        `log in with --client-id ${allowed[0] ?? '<allowed client>'}, or add ${aud[0] ?? 'the client id'} ` +
        `to allowedAudience`,
    };
  }
  if (t.idp === 'entra') {
    const advice = adviseEntraAud(t, aud, allowed);
    if (advice) return advice;
  }
  if (t.idp === 'auth0' && aud.length > 0 && aud.every((a) => /\/userinfo$/.test(a))) {
    return {
      why: 'the token is only for Auth0 /userinfo: it was requested without an audience',
      fix: `request it with audience=${allowed[0] ?? '<your API identifier>'} (the API identifier in Auth0)`,
    };
  }
  if (aud.length === 0) {
    return {
      why: 'the token has no aud claim',
      fix:
        `mint it for an audience (resource / audience parameter) in ${fmt(allowed)}, or drop ` +
        `allowedAudience and use allowedClients`,
    };
  }
  return {
    why: `aud ${fmt(aud)} is not in allowedAudience ${fmt(allowed)}`,
    fix: `mint the token for ${allowed[0]} (resource / audience parameter), or add ${aud[0]} to allowedAudience`,
  };
}

/** Entra: a Microsoft Graph token, or the other of the two aud forms (client id GUID, api://… URI). */
function adviseEntraAud(t: TokenProfile, aud: string[], allowed: readonly string[]): Advice | undefined {
  if (aud.includes(GRAPH_APP_ID) || aud.includes('https://graph.microsoft.com')) {
    return {
      why:
        'this token is for Microsoft Graph (aud 00000003-…), not for your API; Graph tokens are not meant ' +
        'to be validated by anyone else',
      fix:
        'request a token for your API: scope api://<your-api-app-id>/.default (client credentials) or ' +
        'api://<your-api-app-id>/<scope> (user)',
    };
  }
  const alt = aud
    .flatMap((a) => (a.startsWith('api://') ? [a.slice('api://'.length)] : [`api://${a}`]))
    .find((a) => allowed.includes(a));
  if (alt) {
    return {
      why:
        `Entra v${t.version} tokens ` +
        `carry ${t.version === '2.0' ? 'the API client id (a GUID)' : 'the Application ID URI (api://…)'} ` +
        `as aud (${aud.join(', ')}); allowedAudience has the other form ${alt}`,
      fix: `add ${aud[0]} to allowedAudience (keeping both forms accepts v1 and v2 tokens)`,
    };
  }
  return undefined;
}

/** Why `client_id` is not in allowedClients. AgentCore reads only a claim literally named client_id. */
export function adviseClientId(p: Claims, t: TokenProfile, allowed: readonly string[]): Advice {
  const cid = str(p.client_id);
  if (cid !== undefined) {
    return {
      why: `client_id ${cid} is not in allowedClients ${fmt(allowed)}`,
      fix: `mint the token with client ${allowed[0]}, or add ${cid} to allowedClients`,
    };
  }
  const aud = list(p.aud);
  switch (t.idp) {
    case 'cognito':
      if (t.kind === 'id') {
        return {
          why: 'this is a Cognito ID token: it names the app client in aud and has no client_id claim',
          fix:
            `send the access token (login --print access-token), or configure ` +
            `allowedAudience=[${aud[0] ?? '<app client id>'}] instead of allowedClients`,
        };
      }
      break;
    case 'entra': {
      const who = str(p.azp) ?? str(p.appid);
      return {
        why: `Entra tokens name the client in ${t.version === '2.0' ? 'azp' : 'appid'}${
          who ? ` (${who})` : ''
        }, never in client_id`,
        fix:
          `configure allowedAudience=[${aud[0] ?? '<your API>'}] instead of allowedClients, or a custom ` +
          `claim rule ${t.version === '2.0' ? 'azp' : 'appid'}:EQUALS:${who ?? '<client id>'}`,
      };
    }
    case 'okta':
      return {
        why: `Okta access tokens name the client in cid${str(p.cid) ? ` (${str(p.cid)})` : ''}, not client_id`,
        fix:
          `configure allowedAudience=[${aud[0] ?? 'api://default'}] instead of allowedClients, or a ` +
          `custom claim rule cid:EQUALS:${str(p.cid) ?? '<client id>'}`,
      };
    case 'auth0':
      return {
        why:
          `Auth0 access tokens name the client in azp${str(p.azp) ? ` (${str(p.azp)})` : ''}; client_id ` +
          `appears only with the RFC 9068 token profile`,
        fix:
          `set the API's token dialect to rfc9068_profile in Auth0, or configure ` +
          `allowedAudience=[${aud.find((a) => !/\/userinfo$/.test(a)) ?? '<API identifier>'}] instead of ` +
          `allowedClients`,
      };
    default:
      break;
  }
  const azp = str(p.azp);
  return {
    why: `the token has no client_id claim${azp ? ` (it names the client in azp: ${azp})` : ''}`,
    fix:
      `send an access token that carries client_id, or configure ` +
      `allowedAudience${aud.length ? `=[${aud[0]}]` : ''} instead of allowedClients`,
  };
}

/** Why none of the token's scopes is in allowedScopes. */
export function adviseScope(p: Claims, t: TokenProfile, allowed: readonly string[]): Advice {
  const scopes = tokenScopes(p);
  if (t.idp === 'cognito' && t.kind === 'id') {
    return { why: 'Cognito ID tokens carry no scope claim', fix: 'send the access token (login --print access-token)' };
  }
  if (t.idp === 'cognito' && scopes.length === 1 && scopes[0] === 'aws.cognito.signin.user.admin') {
    return {
      why: 'tokens from InitiateAuth (USER_PASSWORD_AUTH, SRP, refresh) carry only aws.cognito.signin.user.admin',
      fix:
        `custom scopes come from the hosted UI: log in with --auth-flow authorization-code ` +
        `--scopes ${allowed[0]} (or client-credentials for M2M), or drop allowedScopes`,
    };
  }
  if (t.idp === 'entra') {
    if (scopes.length === 0 && list(p.roles).length > 0) {
      return {
        why: `Entra app-only tokens carry app roles in roles (${list(p.roles).join(', ')}) and no scp`,
        fix: `use a custom claim rule roles:CONTAINS:${list(p.roles)[0]} instead of allowedScopes`,
      };
    }
    const bare = allowed
      .map((a) => a.replace(/^api:\/\/[^/]+\//, ''))
      .filter((a, i) => a !== allowed[i] && scopes.includes(a));
    if (bare.length) {
      return {
        why: `Entra puts the bare scope name in scp (${scopes.join(' ')}), not the api://… URI used to request it`,
        fix: `list ${bare[0]} in allowedScopes`,
      };
    }
  }
  if (scopes.length === 0) {
    return {
      why: 'the token has no scope / scp claim',
      fix: `request one of ${fmt(allowed)} when minting the token (--scopes ${allowed[0]})`,
    };
  }
  return {
    why: `none of the token's scopes [${scopes.join(' ')}] is in allowedScopes ${fmt(allowed)}`,
    fix:
      `request one of them when minting the token (--scopes ${allowed[0]}), or add one of the token's ` +
      `scopes to allowedScopes`,
  };
}
