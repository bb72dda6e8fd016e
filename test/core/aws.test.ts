/** core/aws.ts: endpoint resolution, and SDK errors turned into AgentcoreAuthError (code, exit code, details, hint). */
import { describe, expect, it } from 'vitest';
import { fromAwsError, resolveEndpointOverride, serviceBaseUrl } from '../../src/core/aws.js';
import { AgentcoreAuthError, EXIT } from '../../src/core/errors.js';

describe('endpoint resolution', () => {
  it('service variable > --endpoint-url > AWS_ENDPOINT_URL > real host', () => {
    const env = { AWS_ENDPOINT_URL: 'http://global:1', AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: 'http://dp:2' };
    expect(resolveEndpointOverride(env, 'agentcore', 'http://flag:3')).toBe('http://dp:2');
    expect(resolveEndpointOverride(env, 'control', 'http://flag:3')).toBe('http://flag:3');
    expect(resolveEndpointOverride(env, 'control')).toBe('http://global:1');
    expect(resolveEndpointOverride({}, 'cognito')).toBeUndefined();
    expect(serviceBaseUrl({}, 'agentcore', 'eu-west-1')).toBe('https://bedrock-agentcore.eu-west-1.amazonaws.com');
    expect(serviceBaseUrl({ AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9/' }, 'cognito', 'x')).toBe(
      'http://127.0.0.1:9',
    );
  });
});

describe('fromAwsError', () => {
  const sdkError = (name: string, status: number, message: string) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, requestId: 'req-1' } });

  it.each([
    [
      'AccessDeniedException',
      403,
      'Authorization method mismatch. The agent is configured…',
      'ERR_AUTH',
      EXIT.AUTH,
      /customJWTAuthorizer|bearer/,
    ],
    ['ThrottlingException', 429, 'Rate exceeded', 'ERR_THROTTLED', EXIT.REMOTE, /Slow down/],
    ['InternalServerException', 500, 'boom', 'ERR_SERVER', EXIT.REMOTE, undefined],
    ['ResourceNotFoundException', 404, 'not found', 'ERR_REMOTE', EXIT.REMOTE, /--region/],
    ['NotAuthorizedException', 400, 'Incorrect username or password.', 'ERR_AUTH', EXIT.AUTH, /password/],
  ] as const)('%s %i → %s', (name, status, message, code, exit, hint) => {
    const e = fromAwsError(sdkError(name, status, message), 'Op');
    expect(e).toBeInstanceOf(AgentcoreAuthError);
    expect({ code: e.code, exitCode: e.exitCode }).toEqual({ code, exitCode: exit });
    expect(e.details).toMatchObject({ status, errorName: name, requestId: 'req-1', operation: 'Op' });
    if (hint) expect(e.hint).toMatch(hint);
  });

  it('connection refused becomes ERR_NETWORK naming the endpoint', () => {
    const e = fromAwsError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'Op',
      'http://127.0.0.1:9',
    );
    expect({ code: e.code, exitCode: e.exitCode }).toEqual({ code: 'ERR_NETWORK', exitCode: EXIT.REMOTE });
    expect(e.message).toContain('http://127.0.0.1:9');
  });
});
