/**
 * The user binding of a workload access token, and the binding rule of 3LO: CompleteResourceTokenAuth accepts only
 * the exact artifact that minted the workload token which started the session (the same user id string, or the very
 * same JWT string; a fresh JWT for the same human is refused with "Invalid or expired session").
 */
import { inputError } from '../errors.js';
import { describeToken } from '../jwt.js';
import { fingerprint } from '../redact.js';
import { checkUserId } from '../wire-values.js';
import { LIMITS, PATTERNS } from '../../wire.js';

/** How the workload access token was (or will be) minted. */
export type UserBinding =
  | { kind: 'none' }
  | { kind: 'userId'; userId: string }
  | {
      kind: 'userToken';
      userToken: string /** where the JWT came from, for the timeline: "--user-token", "cached login 'alice'" */;
      source?: string;
    };

/** The union CompleteResourceTokenAuth takes (exactly one member). */
export type UserIdentifier = { userId: string } | { userToken: string };

export function userIdentifierOf(binding: UserBinding): UserIdentifier | undefined {
  if (binding.kind === 'userId') return { userId: binding.userId };
  if (binding.kind === 'userToken') return { userToken: binding.userToken };
  return undefined;
}

export function bindingOf(identifier: UserIdentifier, source?: string): UserBinding {
  return 'userId' in identifier
    ? { kind: 'userId', userId: identifier.userId }
    : { kind: 'userToken', userToken: identifier.userToken, ...(source ? { source } : {}) };
}

/**
 * A printable fingerprint of a user identifier: `user id "alice" (sha256:1a2b3c4d)` or
 * `JWT sha256:1a2b3c4d sub=… expires in 54 min`. Never the token itself.
 */
export function describeIdentifier(identifier: UserIdentifier, nowMs: number): string {
  if ('userId' in identifier) return `user id ${JSON.stringify(identifier.userId)} (${fingerprint(identifier.userId)})`;
  return `JWT ${describeToken(identifier.userToken, nowMs)}`;
}

/** True when two identifiers are the same artifact (same member, byte-identical value). */
export function sameIdentifier(a: UserIdentifier, b: UserIdentifier): boolean {
  if ('userId' in a && 'userId' in b) return a.userId === b.userId;
  if ('userToken' in a && 'userToken' in b) return a.userToken === b.userToken;
  return false;
}

/** A user id for AgentCore Identity (GetWorkloadAccessTokenForUserId, CompleteResourceTokenAuth): 1–128 characters. */
export function validateUserId(userId: string, flag = '--user-id'): string {
  return checkUserId(userId, { max: LIMITS.identityUserIdMax, flag });
}

export function validateUserToken(token: string, flag = '--user-token'): string {
  const t = token.trim();
  if (!t) throw inputError(`${flag} is empty`, 'Pass the JWT itself, or - to read it from stdin.');
  if (t.length > LIMITS.tokenMax || !PATTERNS.userToken.test(t) || t.split('.').length !== 3) {
    throw inputError(
      `${flag} is not a JWT (three base64url parts separated by dots)`,
      'GetWorkloadAccessTokenForJWT and CompleteResourceTokenAuth take the IdP-issued JWT the user signed in ' +
        'with (for Cognito, usually the access token), not a workload access token.',
    );
  }
  return t;
}
