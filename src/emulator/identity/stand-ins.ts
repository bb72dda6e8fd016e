/**
 * The public side of the KMS and STS stand-ins, what an IdP is pointed at to trust them:
 * - GET /_local/sts/.well-known/openid-configuration and …/jwks.json: the web-identity issuer (AWS_IAM_ID_TOKEN_JWT);
 * - GET /_local/kms/jwks.json[?arn=…]: the public keys (kms:GetPublicKey) of the stack's KMS keys, kid = the key ARN;
 *   with `arn` parameters only those of them that exist, as an IdP registers a client's own keys.
 */
import { sendJson } from '../respond.js';
import type { Handler } from '../server.js';
import type { IdentityCtx } from './context.js';
import { KMS_JWKS_PATH } from './kms.js';
import { STS_ISSUER_PATH } from './sts.js';

export function createStandInsHandler(ctx: IdentityCtx): Handler {
  return async (req, res) => {
    if (req.method !== 'GET') return false;
    const path = req.url.pathname;
    if (path === `${STS_ISSUER_PATH}/.well-known/openid-configuration`) {
      sendJson(res, 200, ctx.sts.discovery());
      return true;
    }
    if (path === `${STS_ISSUER_PATH}/.well-known/jwks.json`) {
      sendJson(res, 200, await ctx.sts.jwks());
      return true;
    }
    if (path === KMS_JWKS_PATH) {
      const arns = req.url.searchParams.getAll('arn');
      sendJson(res, 200, arns.length ? await ctx.kms.publicKeys(arns) : await ctx.kms.jwks());
      return true;
    }
    return false;
  };
}
