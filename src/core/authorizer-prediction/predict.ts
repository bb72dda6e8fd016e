/**
 * Predict what AgentCore's customJWTAuthorizer answers for a token, check by check, in the service's order: the token
 * must parse, then discovery + JWKS are fetched, then iss (before the signature: a token from another pool gets the
 * `iss` message), signature, exp, nbf, aud vs allowedAudience, client_id vs allowedClients, scope / scp vs
 * allowedScopes, and the custom claim rules. Every check is evaluated so that one run shows everything wrong; the
 * verdict is the first failure in that order, i.e. what the service would say. The checks themselves are in
 * token-checks.ts and claim-checks.ts; their types in check.ts.
 */
import { tryDecodeJwt } from '../jwt.js';
import { suggestedDiscoveryUrl, type AuthorizerConfig } from './config.js';
import type { AuthorizerCheck, PredictDeps, Prediction } from './check.js';
import {
  audCheck,
  clientIdCheck,
  cognitoDeadEnd,
  checkCustomClaim,
  expCheck,
  nbfCheck,
  scopeCheck,
} from './claim-checks.js';
import { profileToken } from './idp.js';
import {
  discoveryCheck,
  discoveryUrlCheck,
  issCheck,
  oktaOrgWarning,
  signatureCheck,
  tokenCheck,
  unparsedTokenCheck,
} from './token-checks.js';

export * from './check.js';
export { checkCustomClaim } from './claim-checks.js';

export async function predictAuthorizer(
  token: string,
  config: AuthorizerConfig,
  deps: PredictDeps,
): Promise<Prediction> {
  const checks: AuthorizerCheck[] = [];
  const warnings: string[] = [];
  const nowMs = deps.now();
  const configCheck = discoveryUrlCheck(config.discoveryUrl);
  if (configCheck) checks.push(configCheck);
  const fetchUrl = configCheck ? suggestedDiscoveryUrl(config.discoveryUrl) : config.discoveryUrl;
  const discovery: Prediction['discovery'] = { url: config.discoveryUrl, fetchedUrl: fetchUrl };

  const decoded = tryDecodeJwt(token);
  if (!decoded) {
    checks.push(unparsedTokenCheck(token));
    return finish(checks, warnings, discovery);
  }
  const p = decoded.payload as Record<string, unknown>;
  const profile = profileToken(p, decoded.header);
  checks.push(tokenCheck(profile, decoded.header));
  const okta = oktaOrgWarning(profile, p);
  if (okta) warnings.push(okta);

  const keys = await discoveryCheck(deps.fetch, fetchUrl, discovery);
  checks.push(keys.check, issCheck(p, keys.issuer, fetchUrl));
  checks.push(await signatureCheck(token, decoded.header, { ...keys, jwksUri: discovery.jwksUri, fetchUrl }));
  const exp = expCheck(p, nowMs);
  if (exp.warning) warnings.push(exp.warning);
  checks.push(exp.check, nbfCheck(p, nowMs));
  checks.push(
    audCheck(p, profile, config.allowedAudience),
    clientIdCheck(p, profile, config.allowedClients),
    scopeCheck(p, profile, config.allowedScopes),
  );
  for (const rule of config.customClaims ?? []) checks.push(checkCustomClaim(p, rule));
  cognitoDeadEnd(checks, profile, config);

  if (deps.target === 'gateway') forGateway(checks);
  const pred = finish(checks, warnings, discovery);
  pred.token = {
    profile,
    ...(typeof p.iss === 'string' ? { iss: p.iss } : {}),
    ...(typeof p.sub === 'string' ? { sub: p.sub } : {}),
    ...(typeof p.exp === 'number' ? { exp: p.exp } : {}),
  };
  return pred;
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
