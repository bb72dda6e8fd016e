/**
 * completeConsent (core/identity/user-federation.ts), the consent leg of the 3LO flow for a session someone else
 * started (`invoke|mcp --complete-auth`; exchange's runUserFederation runs the same leg), against the local stack: the
 * session is started as an agent would start it, the API serves the return URL, "opens the browser" (a
 * redirect-following test browser) and completes with the given identifier. A timeout names the state reached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeConsent } from '../../src/core/identity/index.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { freeReturnUrl, registerReturnUrl, stackDataPlane, threeLoProvider } from '../fixtures/three-lo.js';
import { createTestIo } from '../helpers/context.js';
import { fakeClock } from '../helpers/wait.js';
import { browseHeadless } from '../fixtures/headless-browser.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, autoConsent: true });
});
afterAll(async () => {
  await stack?.close();
});

/** The test browser follows the auto-consent flow into the loopback return URL; the page's status. */
const follow = async (startUrl: string): Promise<number> => (await browseHeadless(startUrl)).status;

/** An Io on the stack whose browser follows redirects; `pages` collects the status of the return-URL page. */
function stackIo() {
  const pages: number[] = [];
  const { ctx, io } = createTestIo({ env: stack.env, openBrowser: async (u) => void pages.push(await follow(u)) });
  return { io, ctx, pages };
}

/** What an agent does: a workload token for `userId`, then GetResourceOauth2Token USER_FEDERATION. */
async function agentStarts(userId: string, returnUrl: string) {
  const sdk = await import('@aws-sdk/client-bedrock-agentcore');
  const dp = stackDataPlane(stack);
  const workloadName = stack.workloadIdentities[0]!.name;
  await registerReturnUrl(stack, returnUrl);
  const wat = (await dp.send(new sdk.GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId })))
    .workloadAccessToken!;
  const provider = threeLoProvider(stack).name;
  const request = {
    workloadToken: wat,
    provider,
    scopes: ['api:read'],
    flow: 'USER_FEDERATION' as const,
    returnUrl,
    customParameters: { login_hint: userId },
  };
  const first = await dp.send(
    new sdk.GetResourceOauth2TokenCommand({
      workloadIdentityToken: wat,
      resourceCredentialProviderName: provider,
      scopes: ['api:read'],
      oauth2Flow: 'USER_FEDERATION',
      resourceOauth2ReturnUrl: returnUrl,
      forceAuthentication: true,
      customParameters: { login_hint: userId },
    }),
  );
  return { authorizationUrl: first.authorizationUrl!, sessionUri: first.sessionUri!, request };
}

/** agentStarts with a loopback return URL on a free port. */
async function agentStartsOnFreePort(userId: string) {
  const returnUrl = await freeReturnUrl();
  return { returnUrl, s: await agentStarts(userId, returnUrl) };
}

describe('completeConsent', () => {
  it(
    'serves the return URL, completes with the identifier and returns (no polling: the agent ' + 'polls itself)',
    async () => {
      const { returnUrl, s } = await agentStartsOnFreePort('paula');
      const { io, pages, ctx } = stackIo();
      const r = await completeConsent(
        io,
        {
          authorizationUrl: s.authorizationUrl,
          userIdentifier: { userId: 'paula' },
          returnUrl,
          timeoutMs: 10_000,
        },
        io.steps,
      );
      expect(r).toEqual({ sessionUri: s.sessionUri, completed: true });
      expect(pages).toEqual([200]);
      expect(ctx.stderr.text()).toContain('[1/2] authorize in the browser');
      expect(ctx.stderr.text()).toContain('[2/2] CompleteResourceTokenAuth');
      await expect(fetch(returnUrl)).rejects.toThrow(); // closed on return
    },
  );

  it(
    'answers 409 to a redirect for a session it did not start (an old tab) and keeps waiting ' + 'for its own',
    async () => {
      const { returnUrl, s } = await agentStartsOnFreePort('olive');
      // The consent does not wait for the browser: the test waits for both of its requests itself.
      let browsing: Promise<number[]> | undefined;
      const { ctx, io } = createTestIo({
        env: stack.env,
        openBrowser: async (u) => {
          browsing = (async () => {
            const old = encodeURIComponent('urn:ietf:params:oauth:request_uri:old-tab-session');
            const stale = (await fetch(`${returnUrl}?session_id=${old}`)).status;
            return [stale, await follow(u)];
          })();
          await browsing;
        },
      });
      const r = await completeConsent(
        io,
        {
          authorizationUrl: s.authorizationUrl,
          userIdentifier: { userId: 'olive' },
          returnUrl,
          timeoutMs: 10_000,
        },
        io.steps,
      );
      expect(r.completed).toBe(true);
      expect(await browsing).toEqual([409, 200]);
      expect(ctx.stderr.text()).toContain(
        'warning: a redirect arrived for a session this run did not start; it was ignored',
      );
    },
  );

  it(
    'nobody opens the printed URL: ERR_TIMEOUT (exit 5) says no browser came back, on the injected clock; the ' +
      'port is freed (#12)',
    async () => {
      const { returnUrl, s } = await agentStartsOnFreePort('quinn');
      const { ctx, io } = createTestIo({
        env: stack.env,
        ...fakeClock(0),
      });
      const err = await completeConsent(
        io,
        {
          authorizationUrl: s.authorizationUrl,
          userIdentifier: { userId: 'quinn' },
          returnUrl,
          browser: false,
          timeoutMs: 4000,
        },
        io.steps,
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_TIMEOUT', exitCode: 5, details: { consentState: 'waiting-for-browser' } });
      expect((err as Error).message).toContain(`nothing reached ${returnUrl} within 4 s`);
      expect((err as { hint: string }).hint).toContain('Nobody opened the printed authorization URL');
      expect((err as { hint: string }).hint).not.toContain('was completed');
      expect(ctx.opened).toEqual([]);
      await expect(fetch(returnUrl)).rejects.toThrow();
    },
  );

  it('a browser that could not be opened: the timeout does not speak of a browser tab that opened', async () => {
    const { returnUrl, s } = await agentStartsOnFreePort('rosa');
    const { ctx, io } = createTestIo({
      env: stack.env,
      ...fakeClock(0),
      openBrowser: async () => {
        throw new Error('no graphical session here');
      },
    });
    const err = await completeConsent(
      io,
      { authorizationUrl: s.authorizationUrl, userIdentifier: { userId: 'rosa' }, returnUrl, timeoutMs: 4000 },
      io.steps,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_TIMEOUT', details: { consentState: 'waiting-for-browser' } });
    expect(ctx.stderr.text()).toContain('could not open a browser (no graphical session here); open this URL yourself');
    expect((err as { hint: string }).hint).toContain('Nobody opened the printed authorization URL');
    expect((err as { hint: string }).hint).not.toContain('browser tab that opened');
  });

  it(
    'a mismatch is ERR_AUTH (exit 4) with "started by A, completed with B"; the browser page says it was not ' +
      'completed',
    async () => {
      const { returnUrl, s } = await agentStartsOnFreePort('rita');
      const { io, pages } = stackIo();
      const err = await completeConsent(
        io,
        {
          authorizationUrl: s.authorizationUrl,
          userIdentifier: { userId: 'rita2' },
          startedBy: { userId: 'rita' },
          returnUrl,
          timeoutMs: 10_000,
        },
        io.steps,
      ).catch((e) => e);
      expect(err.code).toBe('ERR_AUTH');
      expect(err.exitCode).toBe(4);
      expect(err.message).toMatch(
        new RegExp(
          /^session refused \(AccessDeniedException: Invalid or expired session\): started /.source +
            /by user id "rita" \(sha256:[0-9a-f]{8}\), completed with user id "rita2" /.source +
            /\(sha256:[0-9a-f]{8}\)$/.source,
        ),
      );
      expect(err.details.binding).toEqual({
        startedBy: expect.stringContaining('"rita"'),
        completedWith: expect.stringContaining('"rita2"'),
      });
      expect(pages).toEqual([403]);
    },
  );

  it('with the same identifier but a stale session, says the session itself is stale', async () => {
    const { returnUrl, s } = await agentStartsOnFreePort('sam');
    const first = stackIo();
    await completeConsent(first.io, {
      authorizationUrl: s.authorizationUrl,
      userIdentifier: { userId: 'sam' },
      returnUrl,
      timeoutMs: 10_000,
    });
    // The same authorization URL again: the stack refuses a used link before the return URL is ever reached.
    const { io } = stackIo();
    const { completeSession } = await import('../../src/core/identity/index.js');
    const err = await completeSession(io, {
      sessionUri: s.sessionUri,
      userIdentifier: { userId: 'sam' },
      startedBy: { userId: 'sam' },
    }).catch((e) => e);
    expect(err.code).toBe('ERR_AUTH');
    expect(err.message).toMatch(/started by user id "sam" .*, completed with user id "sam"/);
    expect(err.hint).toContain('the session itself is stale');
  });
});
