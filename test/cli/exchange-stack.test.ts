/**
 * `exchange` end to end against the local stack (src/emulator/stack.ts): M2M, API key, 3LO through a headless
 * browser (auto-consent, and the real login/consent pages posted by the test), the binding rule, the return-URL guard
 * and --register-return-url --ephemeral, a refused consent, a FAILED session seen by polling, timeout on a fake
 * clock, state mismatch, hostile query strings, concurrent redirects, and Ctrl-C while waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { browseHeadless } from '../fixtures/headless-browser.js';
import { stackLoginArgs, stackUserTokens } from '../fixtures/stack-users.js';
import { ephemeralReturnUrl, freeReturnUrl, threeLoArgs, threeLoProvider } from '../fixtures/three-lo.js';
import { createTestContext, runCommand, type TestContextOptions } from '../helpers/context.js';
import { fakeClock, untilMatch } from '../helpers/wait.js';

let auto: LocalStack;
let pages: LocalStack;

beforeAll(async () => {
  [auto, pages] = await Promise.all([
    startLocalStack({ port: 0, autoConsent: true }),
    startLocalStack({ port: 0, autoConsent: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([auto?.close(), pages?.close()]);
});

const names = (stack: LocalStack) => {
  const m2m = stack.credentialProviders.oauth2.find((p) => p.flow === 'M2M')!;
  const threeLo = threeLoProvider(stack);
  return {
    workload: stack.workloadIdentities[0]!.name,
    m2m,
    threeLo,
    apiKey: stack.credentialProviders.apiKey[0]!.name,
  };
};

/** The M2M provider's arguments: workload, provider, --flow m2m and its scopes. */
function m2m(n: ReturnType<typeof names>): string[] {
  return ['--workload-name', n.workload, '--provider', n.m2m.name, '--flow', 'm2m', '--scopes', n.m2m.scopes.join(',')];
}

function exchange(stack: LocalStack, args: string[], opts: TestContextOptions = {}) {
  return runCommand(['exchange', ...args], { ...opts, env: { ...stack.env, ...opts.env } });
}

async function returnUrls(stack: LocalStack, name: string): Promise<string[]> {
  const { BedrockAgentCoreControlClient, GetWorkloadIdentityCommand } = await import(
    '@aws-sdk/client-bedrock-agentcore-control'
  );
  const cp = new BedrockAgentCoreControlClient({
    region: stack.region,
    endpoint: stack.endpoints.control,
    credentials: stack.credentials,
  });
  return (await cp.send(new GetWorkloadIdentityCommand({ name }))).allowedResourceOauth2ReturnUrls ?? [];
}

/** A user JWT (access token) from the stack's Cognito-compatible user pool. */
const userJwt = async (stack: LocalStack, username = 'alice') => (await stackUserTokens(stack, username)).accessToken;

/**
 * The test browser (test/fixtures/headless-browser.ts); returns the URL it stopped at (before `stopAt`, or a 200 page).
 */
async function follow(startUrl: string, options: { stopAt?: string; cancel?: boolean } = {}): Promise<string> {
  const end = await browseHeadless(startUrl, options);
  if (end.status !== 0 && end.status !== 200)
    throw new Error(`browser stopped at ${end.url} with ${end.status}: ${end.body.slice(0, 200)}`);
  return end.url;
}

const noFullToken = (stderr: string, token: string) => {
  expect(token.length).toBeGreaterThan(20);
  expect(stderr).not.toContain(token);
};

describe('exchange against the local stack: M2M, API key, workload token', () => {
  it('M2M: workload token then GetResourceOauth2Token, raw token on stdout, fingerprints on stderr', async () => {
    const n = names(auto);
    const r = await exchange(auto, [...m2m(n), '--print', 'resource-token']);
    expect(r.stderr).toContain(`[1/2] GetWorkloadAccessToken  workload=${n.workload}`);
    expect(r.stderr).toContain(
      `[2/2] GetResourceOauth2Token  flow=M2M provider=${n.m2m.name} scopes=${n.m2m.scopes.join(',')}`,
    );
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect(r.stderr).toMatch(/✓ \d+ ms · resource token sha256:[0-9a-f]{8}/);
    noFullToken(r.stderr, token);
    const quiet = await exchange(auto, [...m2m(n), '--print', 'resource-token', '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout.trim().split('.')).toHaveLength(3);
  });

  it(
    '--resource, --audience and --custom-param reach GetResourceOauth2Token as sent (seen with ' + '--verbose)',
    async () => {
      const n = names(auto);
      const r = await exchange(auto, [
        ...m2m(n),
        '--resource',
        'urn:example:api',
        '--audience',
        'aud-1',
        '--audience',
        'aud-2',
        '--custom-param',
        'tenant=t1',
        '--verbose',
      ]);
      expect(r.code).toBe(0);
      const body = r.stderr.split('\n').find((l) => l.includes('"oauth2Flow":"M2M"'))!;
      const sent = JSON.parse(body.trim());
      expect(sent).toEqual(
        expect.objectContaining({
          resources: ['urn:example:api'],
          audiences: ['aud-1', 'aud-2'],
          customParameters: { tenant: 't1' },
          scopes: n.m2m.scopes,
        }),
      );
      expect(sent.workloadIdentityToken).toMatch(/…\[\d+ chars\]$/);
    },
  );

  it('as a real process (bin/, dist/): no library noise on the terminal, the token on stdout', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const bin = fileURLToPath(new URL('../../bin/agentcore-auth.js', import.meta.url));
    const n = names(auto);
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...auto.env };
    const child = spawn(
      process.execPath,
      [bin, 'exchange', '--workload-name', n.workload, '--user-id', 'alice', '--print', 'workload-token'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^\S{20,}$/);
    expect(err.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^\[1\/1\] GetWorkloadAccessTokenForUserId {2}workload=\S+ userId="alice"$/),
      expect.stringMatching(/^ {6}✓ \d+ ms · workload token sha256:[0-9a-f]{8}$/),
      expect.stringMatching(/^✓ workload token sha256:[0-9a-f]{8}$/),
    ]);
  });

  it('API key: GetResourceApiKey, the provider’s key on stdout', async () => {
    const n = names(auto);
    const r = await exchange(auto, [
      '--workload-name',
      n.workload,
      '--user-id',
      'alice',
      '--api-key-provider',
      n.apiKey,
      '--print',
      'api-key',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(auto.config.apiKeyProviders[0]!.apiKey);
    expect(r.stderr).toContain('[1/2] GetWorkloadAccessTokenForUserId');
    expect(r.stderr).toContain(`[2/2] GetResourceApiKey  provider=${n.apiKey}`);
    noFullToken(r.stderr, r.stdout.trim());
  });

  it(
    '--user-token - (stdin) uses GetWorkloadAccessTokenForJWT; --json gives the structured exchange without ' +
      'raw tokens',
    async () => {
      const n = names(auto);
      const jwt = await userJwt(auto);
      const r = await exchange(auto, ['--workload-name', n.workload, '--user-token', '-', '--json'], {
        stdin: `${jwt}\n`,
      });
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.workloadName).toBe(n.workload);
      expect(doc.binding).toEqual({
        kind: 'userToken',
        token: expect.stringMatching(/^sha256:[0-9a-f]{8} sub=\S+ expires in/),
        source: '--user-token (stdin)',
      });
      expect(doc.workloadToken).toEqual({
        api: 'GetWorkloadAccessTokenForJWT',
        fingerprint: expect.stringMatching(/^sha256:/),
        masked: expect.stringContaining('chars]'),
      });
      expect(doc.steps).toEqual([
        expect.objectContaining({
          n: 1,
          operation: 'GetWorkloadAccessTokenForJWT',
          status: 'ok',
          durationMs: expect.any(Number),
        }),
      ]);
      expect(r.stdout).not.toContain(jwt);
      noFullToken(r.stderr, jwt);
    },
  );

  it(
    '--agent-arn resolves the runtime’s workload identity; minting for it outside the service is refused with ' +
      'the cause',
    async () => {
      const agent = auto.agents[0]!;
      const arn = `arn:aws:bedrock-agentcore:${auto.region}:${auto.accountId}:runtime/${agent.id}`;
      const r = await exchange(auto, ['--agent-arn', arn, '--user-id', 'alice']);
      expect(r.stderr).toContain(`[1/2] GetAgentRuntime  runtime=${agent.id} region=${auto.region}`);
      expect(r.stderr).toContain(`workload identity ${agent.workloadName}`);
      expect(r.stderr).toContain(
        `[2/2] GetWorkloadAccessTokenForUserId  workload=${agent.workloadName} userId="alice"`,
      );
      expect(r.stderr).toContain(
        'WorkloadIdentity is linked to a service and cannot retrieve an access token by the caller',
      );
      expect(r.stderr).toContain('hint: Use a workload identity you created yourself');
      expect(r.code).toBe(3);
    },
  );

  it('an unknown provider is a remote error with the service message (exit 3)', async () => {
    const n = names(auto);
    const r = await exchange(auto, ['--workload-name', n.workload, '--provider', 'no-such-provider', '--flow', 'm2m']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('[2/2] GetResourceOauth2Token');
    expect(r.stderr).toContain('Resource Credential Provider not found');
    const json = await exchange(auto, [
      '--workload-name',
      n.workload,
      '--provider',
      'no-such-provider',
      '--flow',
      'm2m',
      '--json',
    ]);
    expect(json.code).toBe(3);
    expect(json.stdout).toBe('');
    const err = JSON.parse(json.stderr.trim().split('\n').pop()!).error;
    expect(err.code).toBe('ERR_REMOTE');
    expect(err.details.steps.map((s: { operation: string; status: string }) => `${s.operation}:${s.status}`)).toEqual([
      'GetWorkloadAccessToken:ok',
      'GetResourceOauth2Token:failed',
    ]);
  });
});

describe('exchange against the local stack: 3LO (USER_FEDERATION)', () => {
  it('stops before the flow when the return URL is not registered, with the exact fix (exit 2)', async () => {
    const n = names(auto);
    const url = await freeReturnUrl();
    const r = await exchange(auto, [...threeLoArgs(auto, '--user-id', 'alice'), '--return-url', url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: the return URL ${url} is not registered on workload identity ${n.workload}`);
    expect(r.stderr).toContain(
      'hint: Rerun with --register-return-url (add --ephemeral to remove it afterwards), or register it yourself:',
    );
    expect(r.stderr).toContain(
      `aws bedrock-agentcore-control update-workload-identity --region ${auto.region} --name ${n.workload} ` +
        `--allowed-resource-oauth2-return-urls`,
    );
    // Nothing after the check ran: the later steps are counted and reported as not run.
    expect(r.stderr).not.toMatch(/^\[\d+\/\d+\] GetResourceOauth2Token {2}/m);
    expect(r.stderr).toMatch(
      /^\[3\/6\] GetResourceOauth2Token — skipped: not run: step 2 \(GetWorkloadIdentity\) failed$/m,
    );
    expect(r.ctx.opened).toEqual([]);
  });

  it(
    'headless with auto-consent: register (ephemeral) → start → browser → complete with the same user id → ' +
      'poll → token',
    async () => {
      const n = names(auto);
      const before = await returnUrls(auto, n.workload);
      const url = await freeReturnUrl();
      const r = await exchange(
        auto,
        [
          ...threeLoArgs(auto, '--user-id', 'carol'),
          ...ephemeralReturnUrl(url),
          '--custom-param',
          'login_hint=carol',
          '--print',
          'resource-token',
          '--poll-interval',
          '20',
        ],
        { openBrowser: async (u) => void (await follow(u)) },
      );
      expect(r.stderr).toContain(`[1/8] GetWorkloadAccessTokenForUserId  workload=${n.workload} userId="carol"`);
      expect(r.code).toBe(0);
      const lines = r.stderr
        .split('\n')
        .filter((l) => /^\[\d\/8\]/.test(l))
        .map((l) => l.split('  ')[0]);
      expect(lines).toEqual([
        '[1/8] GetWorkloadAccessTokenForUserId',
        '[2/8] GetWorkloadIdentity',
        '[3/8] UpdateWorkloadIdentity',
        '[4/8] GetResourceOauth2Token',
        '[5/8] authorize in the browser',
        '[6/8] CompleteResourceTokenAuth',
        '[7/8] GetResourceOauth2Token',
        '[8/8] UpdateWorkloadIdentity',
      ]);
      expect(r.stderr).toContain(`before [${before.join(', ')}] · after [${[...before, url].join(', ')}] (added)`);
      expect(r.stderr).toContain('removed: --ephemeral');
      expect(r.stderr).toMatch(/userIdentifier=user id "carol" \(sha256:[0-9a-f]{8}\)/);
      expect(r.stderr).toContain('(the identifier that minted the workload token)');
      const token = r.stdout.trim();
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      expect(claims.sub).toBe('carol');
      noFullToken(r.stderr, token);
      expect(r.ctx.opened).toHaveLength(1);
      expect(r.ctx.opened[0]).toContain('/identities/oauth2/authorize?request_uri=');
      expect(await returnUrls(auto, n.workload)).toEqual(before);
      await expect(fetch(url)).rejects.toThrow(); // the return-URL server is closed

      // The vault now holds carol's token: the next exchange skips the consent.
      const again = await exchange(auto, [
        ...threeLoArgs(auto, '--user-id', 'carol'),
        ...ephemeralReturnUrl(url),
        '--print',
        'resource-token',
      ]);
      expect(again.code).toBe(0);
      expect(again.stdout.trim()).toBe(token);
      expect(again.stderr).toContain('already in the token vault; no consent needed');
      expect(again.stderr).toMatch(/^\[5\/8\] authorize in the browser — skipped: the vault already held a token$/m);
      expect(again.stderr).toMatch(/^\[6\/8\] CompleteResourceTokenAuth — skipped$/m);
      expect(again.stderr).toMatch(/^\[7\/8\] GetResourceOauth2Token — skipped$/m);
      expect(again.ctx.opened).toEqual([]);
    },
  );

  it('real login and consent pages posted by the test, JWT binding, --json', async () => {
    const n = names(pages);
    const jwt = await userJwt(pages);
    const url = await freeReturnUrl();
    const r = await exchange(
      pages,
      [...threeLoArgs(pages, '--user-token', jwt), ...ephemeralReturnUrl(url), '--json', '--poll-interval', '20'],
      { openBrowser: async (u) => void (await browseHeadless(u, { login: 'dave' })) },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.steps.map((s: { operation: string; status: string }) => `${s.operation}:${s.status}`)).toEqual([
      'GetWorkloadAccessTokenForJWT:ok',
      'GetWorkloadIdentity:ok',
      'UpdateWorkloadIdentity:ok',
      'GetResourceOauth2Token:ok',
      'authorize in the browser:ok',
      'CompleteResourceTokenAuth:ok',
      'GetResourceOauth2Token:ok',
      'UpdateWorkloadIdentity:ok',
    ]);
    expect(doc.resourceToken).toEqual(
      expect.objectContaining({
        provider: n.threeLo.name,
        flow: 'USER_FEDERATION',
        sub: 'dave',
        fingerprint: expect.stringMatching(/^sha256:/),
      }),
    );
    expect(doc.resourceToken.value).toBeUndefined();
    expect(doc.session.completedWith).toMatch(/^JWT sha256:[0-9a-f]{8} sub=/);
    expect(doc.returnUrl).toEqual(expect.objectContaining({ url, added: true, removed: true }));
    expect(r.stdout).not.toContain(jwt);
  });

  it('--bearer: a cached login’s access token mints the workload token and completes the session', async () => {
    const home = (await import('node:fs')).mkdtempSync(
      (await import('node:path')).join((await import('node:os')).tmpdir(), 'aca-bearer-'),
    );
    const login = await runCommand(stackLoginArgs(auto), { home, env: auto.env });
    expect(login.code).toBe(0);
    const url = await freeReturnUrl();
    const r = await exchange(
      auto,
      [...threeLoArgs(auto, '--bearer'), '--force-auth', ...ephemeralReturnUrl(url), '--json', '--poll-interval', '20'],
      { home, openBrowser: async (u) => void (await follow(u)) },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        /\[1\/8\] GetWorkloadAccessTokenForJWT {2}workload=\S+ userToken=sha256:/.source +
          /[0-9a-f]{8} sub=\S+ expires in \d+ min \(--bearer cache:default\)/.source,
      ),
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.binding.source).toBe('--bearer cache:default');
    expect(doc.session.completedWith).toBe(`JWT ${doc.binding.token}`);
  });

  it(
    'binding mismatch: completing with another identifier is refused, "started by A, completed with B" (exit ' + '4)',
    async () => {
      const url = await freeReturnUrl();
      const r = await exchange(
        auto,
        [
          ...threeLoArgs(auto, '--user-id', 'alice'),
          '--force-auth',
          ...ephemeralReturnUrl(url),
          '--complete-as-user-id',
          'bob',
        ],
        { openBrowser: async (u) => void (await follow(u)) },
      );
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(
        new RegExp(
          /error: session refused \(AccessDeniedException: Invalid or expired session\): /.source +
            /started by user id "alice" \(sha256:[0-9a-f]{8}\), completed with user id "bob" /.source +
            /\(sha256:[0-9a-f]{8}\)/.source,
        ),
      );
      expect(r.stderr).toContain(
        'hint: CompleteResourceTokenAuth needs the exact artifact that minted the workload token',
      );
      expect(r.stderr).toContain('removed: --ephemeral');
    },
  );

  it('binding mismatch with a fresh JWT of the same user (exit 4, both fingerprints differ)', async () => {
    const first = await userJwt(auto);
    const fresh = await userJwt(auto); // a different JWT string for the same user: each carries its own jti
    expect(fresh).not.toBe(first);
    const url = await freeReturnUrl();
    const r = await exchange(
      auto,
      [
        ...threeLoArgs(auto, '--user-token', first),
        '--force-auth',
        ...ephemeralReturnUrl(url),
        '--complete-as-user-token',
        fresh,
      ],
      { openBrowser: async (u) => void (await follow(u)) },
    );
    expect(r.code).toBe(4);
    const m = r.stderr.match(
      /started by JWT (sha256:[0-9a-f]{8}) sub=\S+ .*?, completed with JWT (sha256:[0-9a-f]{8}) sub=/,
    );
    expect(m).not.toBeNull();
    expect(m![1]).not.toBe(m![2]);
    noFullToken(r.stderr, first);
    noFullToken(r.stderr, fresh);
  });

  it('a refused consent comes back as the provider error, reported without markup (exit 4)', async () => {
    const url = await freeReturnUrl();
    const r = await exchange(pages, [...threeLoArgs(pages, '--user-id', 'erin'), ...ephemeralReturnUrl(url)], {
      openBrowser: async (u) => void (await follow(u, { cancel: true })),
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('error: the provider refused the authorization: access_denied');
    expect(r.stderr).toContain('removed: --ephemeral');
  });

  it('FAILED session seen by polling when the return URL is served elsewhere (exit 4, stops at once)', async () => {
    const url = 'https://app.example.com/oauth2/callback';
    const r = await exchange(
      pages,
      [...threeLoArgs(pages, '--user-id', 'frank'), ...ephemeralReturnUrl(url), '--poll-interval', '20'],
      {
        openBrowser: async (u) => void (await follow(u, { cancel: true, stopAt: url })),
      },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('(not served here)');
    expect(r.stderr).toMatch(/error: the authorization session failed \(sessionStatus FAILED after 1 poll\)/);
    expect(r.stderr).toContain('removed: --ephemeral');
  });

  it('times out on the injected clock when the browser never comes back (exit 5), cleaning up', async () => {
    const n = names(auto);
    const url = await freeReturnUrl();
    const r = await exchange(
      auto,
      [...threeLoArgs(auto, '--user-id', 'gina'), ...ephemeralReturnUrl(url), '--timeout', '30'],
      fakeClock(),
    );
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('error: timed out waiting for the browser to come back to the return URL');
    expect(r.stderr).toContain('removed: --ephemeral');
    await expect(fetch(url)).rejects.toThrow();
    expect(await returnUrls(auto, n.workload)).not.toContain(url);
  });

  it(
    'a timeout names the state reached (#12): --no-browser and nobody opens the URL → no browser came back, ' +
      'not "completed"',
    async () => {
      const url = await freeReturnUrl();
      const clock = fakeClock();
      const served = await exchange(
        auto,
        [
          ...threeLoArgs(auto, '--user-id', 'gail'),
          '--force-auth',
          '--flow',
          'user-federation',
          '--no-browser',
          '--timeout',
          '4',
          ...ephemeralReturnUrl(url),
        ],
        clock,
      );
      expect(served.code).toBe(5);
      expect(served.stderr).toContain(`nothing reached ${url} within 4 s`);
      expect(served.stderr).toContain('hint: Nobody opened the printed authorization URL');
      expect(served.stderr).not.toContain('The session was completed');

      // Served elsewhere: exchange only polls; the session stays IN_PROGRESS because nobody completes it.
      const elsewhere = 'https://app.example.com/oauth2/callback';
      const r = await exchange(
        auto,
        [
          ...threeLoArgs(auto, '--user-id', 'gail'),
          '--force-auth',
          '--no-browser',
          '--timeout',
          '4',
          '--poll-interval',
          '1000',
          ...ephemeralReturnUrl(elsewhere),
        ],
        clock,
      );
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(
        /error: timed out: the session was not completed within 4 s \(sessionStatus IN_PROGRESS after \d+ polls\)/,
      );
      expect(r.stderr).toContain(`hint: The return URL ${elsewhere} is served elsewhere`);
      expect(r.stderr).not.toContain('The session was completed');
      expect(r.stderr).toContain('removed: --ephemeral');
    },
  );

  it('--no-browser and the other 3LO flags are refused up front for M2M (exit 2, nothing called)', async () => {
    const n = names(auto);
    const r = await exchange(auto, [
      '--workload-name',
      n.workload,
      '--provider',
      n.threeLo.name,
      '--flow',
      'm2m',
      '--no-browser',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--no-browser apply to --flow user-federation');
    expect(r.stderr).not.toContain('GetWorkloadAccessToken');
  });

  it('state mismatch: a redirect with another state is refused and nothing is completed (exit 4)', async () => {
    const url = await freeReturnUrl();
    const r = await exchange(
      auto,
      [
        ...threeLoArgs(auto, '--user-id', 'hank'),
        '--force-auth',
        '--custom-state',
        'expected-state-1',
        ...ephemeralReturnUrl(url),
      ],
      {
        openBrowser: async (u) => {
          const back = new URL(await follow(u, { stopAt: url }));
          expect(back.searchParams.get('state')).toBe('expected-state-1');
          back.searchParams.set('state', 'forged');
          await fetch(back);
        },
      },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'error: the return URL carried a state that does not match --custom-state; the session was not completed',
    );
    expect(r.stderr).not.toContain('CompleteResourceTokenAuth  ');
    expect(r.stderr).not.toContain('expected-state-1');
  });

  it(
    'hostile query strings: error_description with markup and control characters reaches neither page nor ' +
      'terminal raw',
    async () => {
      const url = await freeReturnUrl();
      // The command does not wait for the browser: the test waits for the page it was sent.
      let browsing: Promise<string> | undefined;
      const r = await exchange(
        auto,
        [...threeLoArgs(auto, '--user-id', 'ivy'), '--force-auth', ...ephemeralReturnUrl(url)],
        {
          openBrowser: async () => {
            const hostile = '<img src=x onerror=alert(1)>\u001b[31mRED\u001b[0m\nforged line';
            browsing = fetch(`${url}?error=invalid_scope&error_description=${encodeURIComponent(hostile)}`).then(
              (res) => res.text(),
            );
            await browsing;
          },
        },
      );
      expect(r.code).toBe(4);
      const page = await browsing;
      expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(page).not.toContain('<img');
      expect(r.stderr).toContain(
        'error: the provider refused the authorization: invalid_scope — <img src=x onerror=alert(1)> [31mRED [0m ' +
          'forged line',
      );
      expect(r.stderr).not.toContain('\u001b[31m');
    },
  );

  it(
    'concurrent redirects for the session: every request answered, CompleteResourceTokenAuth ' + 'called once',
    async () => {
      const url = await freeReturnUrl();
      // The command does not wait for the browser (a real one lives on): the test waits for its six requests itself.
      let browsing: Promise<number[]> | undefined;
      const r = await exchange(
        auto,
        [
          ...threeLoArgs(auto, '--user-id', 'jack'),
          '--force-auth',
          '--custom-param',
          'login_hint=jack',
          ...ephemeralReturnUrl(url),
          '--poll-interval',
          '20',
          '--json',
        ],
        {
          openBrowser: async (u) => {
            browsing = follow(u, { stopAt: url }).then((back) =>
              Promise.all([...Array(6)].map(async () => (await fetch(back)).status)),
            );
            await browsing;
          },
        },
      );
      expect(r.code).toBe(0);
      expect(await browsing).toEqual(Array(6).fill(200));
      const doc = JSON.parse(r.stdout);
      expect(doc.steps.filter((s: { operation: string }) => s.operation === 'CompleteResourceTokenAuth')).toHaveLength(
        1,
      );
      expect(doc.resourceToken.sub).toBe('jack');
    },
  );

  it('Ctrl-C while waiting for the browser: server closed, return URL removed, exit 130', async () => {
    const n = names(auto);
    const url = await freeReturnUrl();
    const ac = new AbortController();
    const r = await exchange(
      auto,
      [...threeLoArgs(auto, '--user-id', 'kim'), '--force-auth', ...ephemeralReturnUrl(url)],
      {
        signal: ac.signal,
        openBrowser: async () => void setTimeout(() => ac.abort(), 50),
      },
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('error: interrupted');
    expect(r.stderr).toContain('removed: --ephemeral');
    await expect(fetch(url)).rejects.toThrow();
    expect(await returnUrls(auto, n.workload)).not.toContain(url);
  });

  it('--no-browser prints the authorization URL for the user to open', async () => {
    const url = await freeReturnUrl();
    const ctx = createTestContext({ env: auto.env });
    const running = runCommand(
      [
        'exchange',
        ...threeLoArgs(auto, '--user-id', 'lena'),
        '--force-auth',
        '--no-browser',
        ...ephemeralReturnUrl(url),
        '--poll-interval',
        '20',
      ],
      ctx,
    );
    const authUrl = await untilMatch(
      () => ctx.stderr.text(),
      /(http:\/\/\S+\/identities\/oauth2\/authorize\?request_uri=\S+)/,
    );
    await follow(authUrl); // the user opens it
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('open this URL in a browser to authorize:');
    expect(ctx.opened).toEqual([]);
  });
});
