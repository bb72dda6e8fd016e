/**
 * The one error classifier (core/classify.ts) over the recognition table of src/wire.ts: facts from every shape an
 * error arrives in, the kind by message > name > status, the kinds the hint table explains, and the cases where two
 * readers used to disagree (a refresh-token expiry is not an access-token expiry).
 */
import { CredentialsProviderError } from '@smithy/core/config';
import { describe, expect, it } from 'vitest';
import { fromAwsError } from '../../src/core/aws.js';
import { classify, errorFacts, isNotFound } from '../../src/core/classify.js';
import { AgentcoreAuthError, interruptedError } from '../../src/core/errors.js';
import { HINTS } from '../../src/core/hints.js';
import { networkError } from '../../src/core/http.js';
import { MESSAGES, SERVICE_ERRORS } from '../../src/wire.js';

/** An AWS SDK service exception as the SDK raises it: a named Error with $metadata. */
function sdkError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, requestId: 'req-1' } });
}

describe('classify', () => {
  it('every recognised kind has a hint, and every hint is a recognised kind', () => {
    const kinds = SERVICE_ERRORS.map((s) => s.kind as string);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(HINTS.map((h) => h.id as string).sort()).toEqual([...kinds].sort());
  });

  it('the texts the local stack sends are recognised as their kinds', () => {
    expect(classify(MESSAGES.methodMismatch).kind).toBe('method-mismatch');
    expect(classify(MESSAGES.tokenExpired).kind).toBe('token-expired');
    expect(classify(MESSAGES.payloadTooLarge).kind).toBe('payload-too-large');
    expect(classify(MESSAGES.invalidOrExpiredSession).kind).toBe('invalid-or-expired-session');
    expect(classify(MESSAGES.claimMismatch('department'))).toMatchObject({
      kind: 'claim-generic',
      claim: 'department',
    });
    expect(classify(MESSAGES.claimMismatch('client_id'))).toMatchObject({
      kind: 'claim-client-id',
      claim: 'client_id',
    });
  });

  it('a refresh-token expiry is not an access-token expiry, wherever it is read', () => {
    expect(classify('NotAuthorizedException: Refresh Token has expired').kind).toBe('cognito-refresh-expired');
    // A revocation is its own kind: `login --auth-flow refresh` explains what revokes a refresh token (issue 24.4).
    expect(classify('Refresh Token has been revoked').kind).toBe('cognito-refresh-revoked');
    expect(classify('Invalid Refresh Token').kind).toBe('cognito-refresh-expired');
    expect(classify('Token has expired').kind).toBe('token-expired');
    expect(classify('Access Token has expired').kind).toBe('token-expired');
  });

  it('facts from an SDK exception, our error, failure facts and pasted text', () => {
    expect(errorFacts(sdkError('ThrottlingException', 'Rate exceeded', 429))).toEqual({
      name: 'ThrottlingException',
      status: 429,
      message: 'Rate exceeded',
      requestId: 'req-1',
    });
    const ours = new AgentcoreAuthError('ERR_AUTH', 'x failed', {
      details: { errorName: 'AccessDeniedException', status: 403 },
    });
    expect(errorFacts(ours)).toEqual({ name: 'AccessDeniedException', status: 403, message: 'x failed' });
    expect(errorFacts({ status: 401, errorName: 'UnauthorizedException', message: 'no' })).toEqual({
      name: 'UnauthorizedException',
      status: 401,
      message: 'no',
    });
    expect(errorFacts('ResourceNotFoundException: gone')).toEqual({
      name: 'ResourceNotFoundException',
      message: 'ResourceNotFoundException: gone',
    });
  });

  it('a message match wins over a name match, which wins over a status match', () => {
    expect(classify(sdkError('AccessDeniedException', MESSAGES.methodMismatch, 403)).kind).toBe('method-mismatch');
    expect(classify(sdkError('ThrottlingException', 'slow down', 400)).kind).toBe('throttled');
    expect(classify({ status: 404, message: 'nothing here' }).kind).toBe('not-found');
    expect(classify({ status: 418, message: 'teapot' }).kind).toBe('unknown');
  });

  it('a 5xx the SDK gave up retrying has its kind, so the error carries a hint', () => {
    expect(classify(sdkError('ServiceUnavailableException', 'Service Unavailable', 503)).kind).toBe(
      'service-unavailable',
    );
    expect(classify(sdkError('InternalServerException', 'oops', 500)).kind).toBe('service-unavailable');
    expect(classify({ status: 502, message: 'Bad Gateway' }).kind).toBe('service-unavailable');
  });

  it("an unknown workload identity is its own kind, not a runtime's not-found (no qualifier in its fix)", () => {
    const e = sdkError('ResourceNotFoundException', "Workload identity 'nosuch' not found", 404);
    expect(classify(e).kind).toBe('workload-not-found');
    expect(isNotFound(e)).toBe(true);
  });

  it('bad AWS credentials are their own kinds', () => {
    expect(classify(sdkError('InvalidSignatureException', 'signature', 403)).kind).toBe('signature-mismatch');
    expect(
      classify(sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403))
        .kind,
    ).toBe('signature-mismatch');
    expect(classify(sdkError('ExpiredTokenException', 'expired', 403)).kind).toBe('expired-credentials');
  });

  it('an expired or invalid SSO session, as the SDK credential providers say it', () => {
    const refresh = 'To refresh this SSO session run aws sso login with the corresponding profile.';
    for (const message of [
      `The SSO session associated with this profile has expired. ${refresh}`,
      `The SSO session associated with this profile is invalid. ${refresh}`,
      "Token is expired. To refresh this SSO session run 'aws sso login' with the corresponding profile.",
    ]) {
      const e = new CredentialsProviderError(message);
      expect(classify(e).kind, message).toBe('sso-session-expired');
      const err = fromAwsError(e, 'InvokeAgentRuntime');
      expect(err.code).toBe('ERR_CONFIG');
      expect(err.hint).toContain('aws sso login');
    }
  });

  it('our own network, timeout and interruption errors', () => {
    expect(classify(networkError('http://127.0.0.1:9', new Error('ECONNREFUSED'))).kind).toBe('network');
    expect(classify(new AgentcoreAuthError('ERR_TIMEOUT', 'slow')).kind).toBe('timeout');
    expect(classify(interruptedError()).kind).toBe('interrupted');
    expect(classify(Object.assign(new Error('x'), { name: 'AbortError' })).kind).toBe('interrupted');
  });

  it('isNotFound: any missing resource', () => {
    expect(isNotFound(sdkError('ResourceNotFoundException', 'Resource Credential Provider not found', 404))).toBe(true);
    expect(isNotFound(sdkError('UserNotFoundException', 'User does not exist.', 400))).toBe(true);
    expect(isNotFound(sdkError('ValidationException', 'bad', 400))).toBe(false);
  });
});
