/**
 * Service refusals the local stack cannot produce on demand (402, 403 for the user-id header, 424 with the agent's
 * message, 429 with Retry-After, 401 expired, a stalled stream), sent in the documented wire form by a recording
 * loopback server that stands in for the AgentCore data plane. Both paths: SigV4 (real SDK) and bearer (raw).
 */
import type { ServerResponse } from 'node:http';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, runCommand } from '../helpers/context.js';
import {
  header,
  startRecorder,
  type Recorder,
  STAND_IN_ACCESS_TOKEN,
  recorderEnv,
} from '../fixtures/runtime-recorder.js';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abcDEF1234';
const TOKEN = STAND_IN_ACCESS_TOKEN;

let rec: Recorder;
let env: Record<string, string>;

beforeAll(async () => {
  rec = await startRecorder();
  env = recorderEnv(rec.url);
});
afterAll(async () => {
  await rec.close();
});
beforeEach(() => {
  rec.requests.length = 0;
});

function awsError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'x-amzn-requestid': 'req-123',
    ...headers,
  });
  res.end(JSON.stringify({ message }));
}

const modes: Array<[string, string[]]> = [
  ['sigv4', ['--user-id', 'alice']],
  ['bearer', ['--bearer-token', TOKEN]],
];

describe.each(modes)('%s path', (_mode, flags) => {
  it('424 RuntimeClientError shows the agent message, exit 3', async () => {
    rec.respond((_q, res) =>
      awsError(
        res,
        424,
        'RuntimeClientError',
        'Received error (500) from runtime. Please check your CloudWatch logs for more information.',
      ),
    );
    const r = await runCommand(['invoke', ARN, '{}', ...flags], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error: the agent failed (424 RuntimeClientError): Received error (500) from runtime.');
    expect(r.stderr).toContain('hint:');
    expect(rec.requests).toHaveLength(1);
  });

  it('402 ServiceQuotaExceeded, exit 3 with the quota hint', async () => {
    rec.respond((_q, res) =>
      awsError(res, 402, 'ServiceQuotaExceededException', 'Maximum number of concurrent sessions reached'),
    );
    const r = await runCommand(['invoke', ARN, '{}', ...flags], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('service quota exceeded (402): Maximum number of concurrent sessions reached');
    expect(r.stderr).toMatch(/hint: .*StopRuntimeSession|hint: .*quota/);
  });

  it('429 until retries are exhausted → ERR_THROTTLED, exit 3, 3 attempts', async () => {
    rec.respond((_q, res) => awsError(res, 429, 'ThrottlingException', 'Rate exceeded', { 'retry-after': '0' }));
    // Attempts, not waits: no backoff sleeps on either path (the SDK's own strategy with a 0 ms delay).
    const ctx = createTestContext({ env, sleep: async () => undefined });
    ctx.awsRetryStrategy = (maxAttempts) => new ConfiguredRetryStrategy(maxAttempts, 0);
    const r = await runCommand(['invoke', ARN, '{}', ...flags, '--json'], ctx);
    expect(r.code).toBe(3);
    expect(rec.requests).toHaveLength(3);
    const err = JSON.parse(r.stderr.trim().split('\n').pop()!) as {
      error: { code: string; message: string; details: { attempts: number } };
    };
    expect(err.error.code).toBe('ERR_THROTTLED');
    expect(err.error.message).toContain('gave up after 3 attempts');
  });

  it('404 ResourceNotFound names region, qualifier and ARN', async () => {
    rec.respond((_q, res) =>
      awsError(res, 404, 'ResourceNotFoundException', "No endpoint or agent found with qualifier 'prod'"),
    );
    const r = await runCommand(['invoke', ARN, '{}', ...flags, '--qualifier', 'prod'], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`not found: ${ARN} (qualifier prod, region us-east-1)`);
    expect(r.stderr).toContain('it must name an endpoint of this runtime');
  });

  it('--timeout bounds the whole call: partial stream shown, then exit 5', async () => {
    rec.respond((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: "first"\n\n');
      // never ends
    });
    const r = await runCommand(['invoke', ARN, '{}', ...flags, '--timeout', '0.5'], { env });
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('first');
    expect(r.stderr).toMatch(/did not finish within 500 ms \(--timeout\)/);
  });
});

describe('Ctrl-C', () => {
  it.each(modes)(
    '%s: interrupting a stream stops at once with exit 130, what arrived stays on stdout',
    async (_mode, flags) => {
      rec.respond((_q, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: "partial"\n\n');
      });
      const ac = new AbortController();
      const ctx = createTestContext({ env, signal: ac.signal });
      const run = runCommand(['invoke', ARN, '{}', ...flags], ctx);
      await vi.waitFor(() => expect(ctx.stdout.text()).toContain('partial'), { timeout: 5000, interval: 10 });
      ac.abort(Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' }));
      const r = await run;
      expect(r.code).toBe(130);
      expect(r.stdout).toContain('partial');
      expect(r.stderr).toContain('error: interrupted');
    },
  );
});

describe('SigV4 specifics', () => {
  it('403 on the user-id header names bedrock-agentcore:InvokeAgentRuntimeForUser', async () => {
    rec.respond((_q, res) =>
      awsError(
        res,
        403,
        'AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/dev/x is not authorized to perform: ' +
          'bedrock-agentcore:InvokeAgentRuntimeForUser on resource: ' +
          ARN,
      ),
    );
    const r = await runCommand(['invoke', ARN, '{}', '--user-id', 'alice'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('access denied for the user-id header');
    expect(r.stderr).toMatch(
      /hint: .*bedrock-agentcore:InvokeAgentRuntimeForUser in addition to bedrock-agentcore:InvokeAgentRuntime/,
    );
  });

  // Bad AWS credentials get the credentials fix whether or not --user-id was sent (issue 28 item 2); the
  // InvokeAgentRuntimeForUser fix is for an AccessDenied about that permission only.
  it.each([
    [
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided.',
      /aws sts get-caller-identity/,
    ],
    [
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      /aws sts get-caller-identity/,
    ],
    ['ExpiredTokenException', 'The security token included in the request is expired', /aws sso login/],
  ])('403 %s: the credentials hint, with and without --user-id', async (name, message, fix) => {
    rec.respond((_q, res) => awsError(res, 403, name, message));
    for (const flags of [['--user-id', 'alice'], []]) {
      const r = await runCommand(['invoke', ARN, '{}', ...flags], { env });
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toContain(`error: the AWS credentials were refused: ${name}: ${message}`);
      expect(r.stderr).toMatch(new RegExp(`hint: .*${fix.source}`));
      expect(r.stderr).not.toContain('InvokeAgentRuntimeForUser');
    }
  });

  it('403 AccessDenied about another permission, with --user-id: the IAM hint, not the user-id one', async () => {
    rec.respond((_q, res) =>
      awsError(
        res,
        403,
        'AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/dev/x is not authorized to perform: ' +
          `bedrock-agentcore:InvokeAgentRuntime on resource: ${ARN}`,
      ),
    );
    const r = await runCommand(['invoke', ARN, '{}', '--user-id', 'alice'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('error: access denied: AccessDeniedException: User:');
    expect(r.stderr).not.toContain('access denied for the user-id header');
    expect(r.stderr).toMatch(/hint: Allow that action on that resource in the caller's IAM policy/);
  });

  it('the request carries exactly what was asked: user id, custom header signed, trace headers', async () => {
    rec.respond((_q, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-amzn-bedrock-agentcore-runtime-session-id': 'svc-session',
      });
      res.end('{"ok":true}');
    });
    const r = await runCommand(
      [
        'invoke',
        ARN,
        '{"x":1}',
        '--user-id',
        'alice',
        '-H',
        'tenant:acme',
        '--trace-id',
        'Root=1-5759e988-bd862e3fe1be46a994272793',
        '--traceparent',
        '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        '--json',
      ],
      { env },
    );
    expect(r.code).toBe(0);
    const q = rec.requests[0]!;
    expect(header(q, 'x-amzn-bedrock-agentcore-runtime-user-id')).toBe('alice');
    expect(header(q, 'x-amzn-bedrock-agentcore-runtime-custom-tenant')).toBe('acme');
    expect(header(q, 'x-amzn-trace-id')).toBe('Root=1-5759e988-bd862e3fe1be46a994272793');
    expect(header(q, 'authorization')).toMatch(/SignedHeaders=.*x-amzn-bedrock-agentcore-runtime-custom-tenant/);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out[0]).toEqual({ type: 'body', data: { ok: true } });
    // The service's session id is reported, the one we sent too.
    expect(out[1]).toMatchObject({
      type: 'summary',
      sessionId: 'svc-session',
      requestSessionId: expect.stringMatching(/^agentcore-auth-/),
    });
  });
});

describe('--auth auto without control-plane access', () => {
  it('the lookup failure says how to choose the mode by hand', async () => {
    rec.respond((q, res) => {
      if (q.method === 'GET')
        return awsError(
          res,
          403,
          'AccessDeniedException',
          'User is not authorized to perform: bedrock-agentcore:GetAgentRuntime',
        );
      res.writeHead(500).end();
    });
    const r = await runCommand(['invoke', ARN, '{}', '--auth', 'auto'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('GetAgentRuntime (my_agent-abcDEF1234) failed: AccessDeniedException');
    expect(r.stderr).toMatch(
      /hint: --auth auto reads the configuration with the control plane .* --user-id ID or --auth sigv4/,
    );
    expect(rec.requests.every((q) => q.method === 'GET')).toBe(true);
  });
});

describe('bearer specifics', () => {
  it('429 twice then 200: retried with the Retry-After delay, answer printed', async () => {
    let n = 0;
    rec.respond((_q, res) => {
      if (++n <= 2) return awsError(res, 429, 'ThrottlingException', 'Rate exceeded', { 'retry-after': '2' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"answer":42}');
    });
    const slept: number[] = [];
    const r = await runCommand(['invoke', ARN, '{}', '--bearer-token', TOKEN], {
      env,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(r.code).toBe(0);
    expect(slept).toEqual([2000, 2000]);
    expect(r.stdout).toContain('"answer":42');
    expect(r.stderr).toContain('retrying in 2000 ms');
  });

  it('401 Token has expired → ERR_TOKEN_EXPIRED, exit 4', async () => {
    rec.respond((_q, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer resource_metadata="x"' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Token has expired' }, id: 'null' }));
    });
    const r = await runCommand(['invoke', ARN, '{}', '--bearer-token', TOKEN, '--json'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('"code":"ERR_TOKEN_EXPIRED"');
    expect(r.stderr).not.toContain(TOKEN);
  });

  it('an authorization URL in the answer is announced with the way to complete it', async () => {
    const url = `${rec.url}/identities/oauth2/authorize?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3AYWJj`;
    rec.respond((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify({ type: 'authorizationUrl', authorizationUrl: url })}\n\n`);
    });
    const r = await runCommand(['invoke', ARN, '{}', '--bearer-token', TOKEN, '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("the agent needs the user's consent (3LO)");
    expect(r.stderr).toContain(url);
    expect(r.stderr).toContain('--complete-auth');
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { authorizationUrl: string };
    expect(summary.authorizationUrl).toBe(url);
  });
});
