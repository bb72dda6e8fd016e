/**
 * Polling after CompleteResourceTokenAuth, on a fake clock: the real AgentCore SDK client talks to a scripted loopback
 * endpoint that answers GetResourceOauth2Token with a chosen sequence (IN_PROGRESS…, a token, or FAILED). Also the
 * timeline and the binding helpers, which need no server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeIdentifier,
  sameIdentifier,
  validateUserId,
  validateUserToken,
} from '../../src/core/identity/binding.js';
import {
  parseCustomParams,
  pollResourceToken,
  requestResourceToken,
  sessionUriFromAuthorizationUrl,
} from '../../src/core/identity/resource.js';
import { registerCommand } from '../../src/core/identity/return-urls.js';
import { createTestIo } from '../helpers/context.js';

const SESSION = 'urn:ietf:params:oauth:request_uri:poll-session-1';
let server: Server;
let endpoint: string;
let script: Array<Record<string, unknown>> = [];
const bodies: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      bodies.push(JSON.parse(raw || '{}'));
      const next = script.shift() ?? {
        sessionUri: SESSION,
        sessionStatus: 'IN_PROGRESS',
        authorizationUrl: `http://x/authorize?request_uri=${SESSION}`,
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(next));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function fakeIo() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  const { ctx, io } = createTestIo({
    env: {
      AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
    },
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  });
  return { io, ctx, sleeps, advance: (ms: number) => (t += ms), now: () => t };
}

const request = {
  workloadToken: 'wat-token-value',
  provider: 'github',
  scopes: ['repo'],
  flow: 'USER_FEDERATION' as const,
  forceAuthentication: true,
  sessionUri: SESSION,
};

describe('pollResourceToken', () => {
  it(
    'polls until the token arrives, sleeping the interval between attempts and omitting ' + 'forceAuthentication',
    async () => {
      script = [
        { sessionUri: SESSION, sessionStatus: 'IN_PROGRESS' },
        { sessionUri: SESSION, sessionStatus: 'IN_PROGRESS' },
        { accessToken: 'resource-token-abc' },
      ];
      bodies.length = 0;
      const { io, sleeps, now } = fakeIo();
      const got = await pollResourceToken(io, request, { intervalMs: 2000, deadline: now() + 60_000 });
      expect(got).toEqual({ accessToken: 'resource-token-abc', attempts: 3 });
      expect(sleeps).toEqual([2000, 2000]);
      expect(bodies).toHaveLength(3);
      for (const b of bodies) {
        expect(b).toEqual({
          workloadIdentityToken: 'wat-token-value',
          resourceCredentialProviderName: 'github',
          scopes: ['repo'],
          oauth2Flow: 'USER_FEDERATION',
          sessionUri: SESSION,
        });
      }
    },
  );

  it('stops at once on sessionStatus FAILED (ERR_OAUTH, exit 4)', async () => {
    script = [
      { sessionUri: SESSION, sessionStatus: 'IN_PROGRESS' },
      { sessionUri: SESSION, sessionStatus: 'FAILED' },
      { accessToken: 'never' },
    ];
    const { io, sleeps, now } = fakeIo();
    const err = await pollResourceToken(io, request, { intervalMs: 1000, deadline: now() + 60_000 }).catch((e) => e);
    expect(err.code).toBe('ERR_OAUTH');
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe('the authorization session failed (sessionStatus FAILED after 2 polls)');
    expect(sleeps).toEqual([1000]);
    expect(script).toHaveLength(1); // the third answer was never asked for
    script = [];
  });

  it('gives up at the deadline on the injected clock (ERR_TIMEOUT, exit 5), never sleeping past it', async () => {
    script = [];
    const { io, sleeps, now } = fakeIo();
    const err = await pollResourceToken(io, request, { intervalMs: 4000, deadline: now() + 10_000 }).catch((e) => e);
    expect(err.code).toBe('ERR_TIMEOUT');
    expect(err.exitCode).toBe(5);
    expect(err.message).toContain('sessionStatus IN_PROGRESS after 4 polls');
    expect(sleeps).toEqual([4000, 4000, 2000]);
  });

  it('stops with ERR_INTERRUPTED when the run is aborted while sleeping', async () => {
    script = [];
    const ac = new AbortController();
    const { io } = createTestIo({
      env: {
        AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'secret',
      },
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 50);
    const err = await pollResourceToken(io, request, { intervalMs: 10_000, deadline: Date.now() + 60_000 }).catch(
      (e) => e,
    );
    expect(err.code).toBe('ERR_INTERRUPTED');
    expect(err.exitCode).toBe(130);
  });

  it('requestResourceToken derives the sessionUri from the authorization URL when the response omits it', async () => {
    script = [
      {
        authorizationUrl: `${endpoint}/identities/oauth2/authorize?request_uri=${encodeURIComponent(SESSION)}`,
        sessionStatus: 'IN_PROGRESS',
      },
    ];
    const { io } = fakeIo();
    const r = await requestResourceToken(io, {
      workloadToken: 'w',
      provider: 'p',
      scopes: [],
      flow: 'USER_FEDERATION',
      returnUrl: 'http://localhost:9090/oauth2/callback',
    });
    expect(r).toEqual({
      kind: 'authorize',
      authorizationUrl: expect.stringContaining('request_uri='),
      sessionUri: SESSION,
      sessionStatus: 'IN_PROGRESS',
    });
    expect(sessionUriFromAuthorizationUrl('not a url')).toBeUndefined();
  });
});

describe('binding helpers', () => {
  it('describes identifiers by fingerprint, never by token, and compares them byte for byte', () => {
    const jwt = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMH0.sig';
    const d = describeIdentifier({ userToken: jwt }, Date.UTC(2026, 0, 1));
    expect(d).toMatch(/^JWT sha256:[0-9a-f]{8} sub=alice expires in \d+ d$/);
    expect(d).not.toContain(jwt);
    expect(describeIdentifier({ userId: 'alice' }, 0)).toMatch(/^user id "alice" \(sha256:[0-9a-f]{8}\)$/);
    expect(sameIdentifier({ userId: 'alice' }, { userId: 'alice' })).toBe(true);
    expect(sameIdentifier({ userId: 'alice' }, { userId: 'alice ' })).toBe(false);
    expect(sameIdentifier({ userId: jwt }, { userToken: jwt })).toBe(false);
  });

  it('validates user ids and tokens with the service limits', () => {
    expect(() => validateUserId('')).toThrow('--user-id must be 1–128 characters, got 0');
    expect(() => validateUserId('x'.repeat(129))).toThrow(', got 129');
    expect(validateUserId('x'.repeat(128))).toHaveLength(128);
    expect(() => validateUserToken('AgV4opaque-workload-token')).toThrow('--user-token is not a JWT');
    expect(validateUserToken(' a.b.c\n')).toBe('a.b.c');
  });

  it('parses --custom-param pairs and rejects malformed ones', () => {
    expect(parseCustomParams(['prompt=consent', 'access_type=offline', 'x=a=b'])).toEqual({
      prompt: 'consent',
      access_type: 'offline',
      x: 'a=b',
    });
    expect(() => parseCustomParams(['novalue'])).toThrow('--custom-param expects key=value');
    expect(() => parseCustomParams(['bad key=v'])).toThrow('1–256 characters');
  });

  it('prints the exact AWS CLI fix, keeping existing return URLs and quoting for the shell', () => {
    expect(
      registerCommand('my-agent', ['https://app.example.com/cb'], 'http://localhost:9090/oauth2/callback', 'us-east-1'),
    ).toBe(
      'aws bedrock-agentcore-control update-workload-identity --region us-east-1 --name my-agent ' +
        '--allowed-resource-oauth2-return-urls https://app.example.com/cb ' +
        'http://localhost:9090/oauth2/callback',
    );
    expect(registerCommand('w', [], "http://localhost:1/a b'c")).toBe(
      `aws bedrock-agentcore-control update-workload-identity --name w --allowed-resource-oauth2-return-urls ` +
        `'http://localhost:1/a b'\\''c'`,
    );
  });
});
