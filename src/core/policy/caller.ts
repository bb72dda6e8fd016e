/**
 * The caller of an offline decision: a JWT (its claims, decoded without verifying: a policy sees what the gateway's
 * authorizer already accepted), a claims object, or an IAM principal ARN. Claims that cannot name a principal or
 * become tags are ERR_INPUT (exit 2).
 */
import { principalOf, type Caller, type PrincipalEntity } from '../../policy-model/index.js';
import { inputError } from '../errors.js';
import { decodeJwtUnverified } from '../jwt.js';
import { modelError } from './load.js';

export function callerFromToken(token: string): Caller {
  return { kind: 'jwt', claims: decodeJwtUnverified(token).payload };
}

export function callerFromClaims(v: unknown, what = 'claims'): Caller {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw inputError(`${what} must be a JSON object of claims (the JWT payload)`, '{"sub":"alice","role":"admin"}');
  return { kind: 'jwt', claims: v as Record<string, unknown> };
}

export function callerFromIamArn(arn: string): Caller {
  return { kind: 'iam', arn: arn.trim() };
}

/** The principal a caller is, or ERR_INPUT saying why it cannot be one. */
export function principalFor(caller: Caller): PrincipalEntity {
  try {
    return principalOf(caller);
  } catch (e) {
    throw modelError(e);
  }
}
