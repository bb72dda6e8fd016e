/**
 * Every entry of the hint table: its `example` (a real message) is matched to that very entry by findHint, and
 * `agentcore-auth explain <example>` prints its cause and fix (exit 0).
 */
import { describe, expect, it } from 'vitest';
import { errorNameOf } from '../../src/core/classify.js';
import { findHint, HINTS } from '../../src/core/hints.js';
import { MESSAGES } from '../../src/wire.js';
import { runCommand } from '../helpers/context.js';

describe('hint table', () => {
  it('has unique ids, and every entry can be matched (message, name or status)', () => {
    expect(new Set(HINTS.map((h) => h.id)).size).toBe(HINTS.length);
    for (const h of HINTS) expect(h.message || h.name || h.status, h.id).toBeTruthy();
  });

  for (const h of HINTS) {
    it(`${h.id}: its example matches it, and explain prints cause and fix`, async () => {
      expect(findHint({ message: h.example })?.id).toBe(h.id);
      const r = await runCommand(['explain', h.example]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${h.id} — ${h.source}\n  cause  ${h.cause}\n  fix    ${h.fix}\n`);
    });
  }

  it('the exact service messages in wire.ts each find their entry', () => {
    const expected: Array<[string, string]> = [
      [MESSAGES.methodMismatch, 'method-mismatch'],
      [MESSAGES.missingAuthToken, 'missing-auth-token'],
      [MESSAGES.failedToParseToken, 'failed-to-parse-token'],
      [MESSAGES.tokenExpired, 'token-expired'],
      [MESSAGES.claimMismatch('client_id'), 'claim-client-id'],
      [MESSAGES.claimMismatch('aud'), 'claim-aud'],
      [MESSAGES.claimMismatch('iss'), 'claim-iss'],
      [MESSAGES.claimMismatch('scope'), 'claim-scope'],
      [MESSAGES.claimMismatch('groups'), 'claim-generic'],
      [MESSAGES.noReturnUrl, 'no-return-url'],
      [MESSAGES.invalidOrExpiredSession, 'invalid-or-expired-session'],
      [MESSAGES.watNotSet, 'wat-not-set'],
      [MESSAGES.providerNotFound, 'provider-not-found'],
      [MESSAGES.clientCredentialsParse, 'client-credentials-parse'],
      [MESSAGES.workloadLinkedToService, 'workload-linked'],
      [MESSAGES.sessionIdTooShort, 'session-id-too-short'],
      [MESSAGES.cognitoIncorrectPassword, 'cognito-incorrect-password'],
      [MESSAGES.cognitoSecretHashMissing('abc'), 'cognito-secret-hash-missing'],
      [MESSAGES.cognitoSecretHashWrong('abc'), 'cognito-secret-hash-wrong'],
      [MESSAGES.cognitoUserPasswordNotEnabled, 'cognito-user-password-not-enabled'],
      [MESSAGES.cognitoUserNotFound, 'cognito-user-not-found'],
    ];
    for (const [msg, id] of expected) expect(findHint({ message: msg })?.id, msg).toBe(id);
  });

  it('the pre-2026 403 form of claim failures still finds the claim entry', () => {
    expect(
      findHint({ message: "OAuth authorization failed: Claim 'client_id' value mismatch with configuration" })?.id,
    ).toBe('claim-client-id');
  });

  it('a refresh-token expiry is not an access-token expiry', () => {
    expect(findHint({ message: 'NotAuthorizedException: Refresh Token has expired' })?.id).toBe(
      'cognito-refresh-expired',
    );
    expect(findHint({ message: 'NotAuthorizedException: Access Token has expired' })?.id).toBe('token-expired');
  });

  it('errorNameOf reads a leading error name or a JSON __type', () => {
    expect(errorNameOf('ThrottlingException: Rate exceeded')).toBe('ThrottlingException');
    expect(
      errorNameOf('An error occurred (ResourceNotFoundException) when calling the GetAgentRuntime operation'),
    ).toBe('ResourceNotFoundException');
    expect(errorNameOf('{"__type":"com.amazonaws#ServiceQuotaExceededException","message":"x"}')).toBe(
      'ServiceQuotaExceededException',
    );
    expect(errorNameOf('invalid_grant: code expired')).toBe('invalid_grant');
    expect(errorNameOf('Token has expired')).toBeUndefined();
  });
});
