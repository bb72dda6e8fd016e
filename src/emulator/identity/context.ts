/**
 * What the identity handlers share: the stack's EmuContext plus the identity half's own services — the user-JWT check
 * of GetWorkloadAccessTokenForJWT and the KMS and STS stand-ins the stack signs client assertions and actor tokens
 * with.
 */
import type { JWTPayload } from 'jose';
import type { EmuContext } from '../context.js';
import type { LocalKms } from './kms.js';
import type { LocalSts } from './sts.js';

export interface IdentityCtx extends EmuContext {
  /** Verify a user JWT against the issuers the stack trusts (signature, iss, exp); throws a JwtRejection. */
  verifyUserJwt(token: string): Promise<JWTPayload>;
  kms: LocalKms;
  sts: LocalSts;
}

export class JwtRejection extends Error {}
