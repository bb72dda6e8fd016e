/**
 * `callback` completing real 3LO sessions on the local stack. The session is started the way a deployed agent does it
 * (the AgentCore SDK: a workload token for a user, then GetResourceOauth2Token USER_FEDERATION with callback's URL as
 * the return URL); a redirect-following test browser plays the user; afterwards the agent's poll gets the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { freePort } from '../fixtures/ports.js';
import { stackLoginArgs } from '../fixtures/stack-users.js';
import { registerReturnUrl, stackDataPlane, threeLoProvider } from '../fixtures/three-lo.js';
import { createTestContext, runCommand } from '../helpers/context.js';
import { untilOutput } from '../helpers/wait.js';
import { browseHeadless } from '../fixtures/headless-browser.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, autoConsent: true });
});
afterAll(async () => {
  await stack?.close();
});

/** What an agent does: start a 3LO session for `userId` with `returnUrl`; returns the poll function too. */
async function startSession(
  user: string | { userToken: string },
  returnUrl: string,
  loginHint = typeof user === 'string' ? user : 'jwt-user',
) {
  const sdk = await import('@aws-sdk/client-bedrock-agentcore');
  const dp = stackDataPlane(stack);
  const workloadName = stack.workloadIdentities[0]!.name;
  const provider = threeLoProvider(stack).name;
  await registerReturnUrl(stack, returnUrl);
  const wat = (
    typeof user === 'string'
      ? await dp.send(new sdk.GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId: user }))
      : await dp.send(new sdk.GetWorkloadAccessTokenForJWTCommand({ workloadName, userToken: user.userToken }))
  ).workloadAccessToken!;
  const req = {
    workloadIdentityToken: wat,
    resourceCredentialProviderName: provider,
    scopes: ['api:read'],
    oauth2Flow: 'USER_FEDERATION' as const,
    resourceOauth2ReturnUrl: returnUrl,
    forceAuthentication: true,
    customParameters: { login_hint: loginHint },
  };
  const first = await dp.send(new sdk.GetResourceOauth2TokenCommand(req));
  const { forceAuthentication: _f, ...again } = req;
  void _f;
  return {
    authorizationUrl: first.authorizationUrl!,
    sessionUri: first.sessionUri!,
    poll: () => dp.send(new sdk.GetResourceOauth2TokenCommand({ ...again, sessionUri: first.sessionUri! })),
  };
}

/** The test browser follows redirects (auto-consent provider: no pages) until the loopback return URL answers. */
const browse = (startUrl: string) => browseHeadless(startUrl);

async function startCallback(args: string[], home?: string) {
  const port = await freePort();
  const ctx = createTestContext({ env: stack.env, ...(home ? { home } : {}) });
  const run = runCommand(['callback', '--port', String(port), ...args], ctx);
  await untilOutput(() => ctx.stderr.text(), 'return URL', run, 3000);
  return { run, ctx, url: `http://localhost:${port}/oauth2/callback` };
}

describe('callback against the local stack', () => {
  it('completes the session with the same user id (--once → 0); the agent’s next poll gets the token', async () => {
    const cb = await startCallback(['--user-id', 'maria', '--once']);
    const s = await startSession('maria', cb.url);
    const page = await browse(s.authorizationUrl);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Authorization complete');
    const r = await cb.run;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/✓ urn:…:\S+ completed with user id "maria" \(sha256:[0-9a-f]{8}\)/);
    const polled = await s.poll();
    expect(polled.accessToken).toBeDefined();
    expect(JSON.parse(Buffer.from(polled.accessToken!.split('.')[1]!, 'base64url').toString()).sub).toBe('maria');
  });

  it(
    'refuses with the binding explained when the identifier differs (--once → 4); the page says why, no ' + 'secrets',
    async () => {
      const cb = await startCallback(['--user-id', 'mallory', '--once', '--json']);
      const s = await startSession('nina', cb.url);
      const page = await browse(s.authorizationUrl);
      expect(page.status).toBe(403);
      expect(page.body).toContain('Authorization not completed');
      expect(page.body).toContain('Invalid or expired session');
      const r = await cb.run;
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(
        new RegExp(
          /✗ urn:…:\S+ refused: session refused \(AccessDeniedException: Invalid or /.source +
            /expired session\): completed with user id "mallory" \(sha256:[0-9a-f]{8}\)/.source,
        ),
      );
      expect(r.stderr).toContain(
        'hint: CompleteResourceTokenAuth needs the exact artifact that minted the workload token',
      );
      expect(JSON.parse(r.stdout.trim())).toEqual({
        at: expect.any(String),
        sessionUri: s.sessionUri,
        status: 'refused',
        message: expect.stringContaining('Invalid or expired session'),
      });
      expect((await s.poll()).accessToken).toBeUndefined();
    },
  );

  it('--bearer: completes a session the agent started with the very same cached JWT', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const home = mkdtempSync(join(tmpdir(), 'aca-cb-'));
    const login = await runCommand(stackLoginArgs(stack), { home, env: stack.env });
    expect(login.code).toBe(0);
    const jwt = (await runCommand(['token', 'print'], { home, env: stack.env })).stdout.trim();
    expect(jwt.split('.')).toHaveLength(3);
    const cb = await startCallback(['--bearer', '--once'], home);
    const s = await startSession({ userToken: jwt }, cb.url, 'alice');
    expect((await browse(s.authorizationUrl)).status).toBe(200);
    const r = await cb.run;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/completed with JWT sha256:[0-9a-f]{8} sub=/);
    expect(r.stderr).not.toContain(jwt);
    expect((await s.poll()).accessToken).toBeDefined();
  });

  it('serves several sessions concurrently without --once, each completed once; Ctrl-C ends it (130)', async () => {
    const ac = new AbortController();
    const port = await freePort();
    const ctx = createTestContext({ env: stack.env, signal: ac.signal });
    const run = runCommand(['callback', '--port', String(port), '--user-id', 'olga'], ctx);
    await untilOutput(() => ctx.stderr.text(), 'return URL', run, 3000);
    const url = `http://localhost:${port}/oauth2/callback`;
    const sessions = await Promise.all([
      startSession('olga', url),
      startSession('olga', url),
      startSession('olga', url),
    ]);
    const pages = await Promise.all(sessions.map((s) => browse(s.authorizationUrl)));
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200]);
    for (const s of sessions) expect((await s.poll()).accessToken).toBeDefined();
    ac.abort();
    const r = await run;
    expect(r.code).toBe(130);
    expect(r.stderr.match(/completed with user id "olga"/g)).toHaveLength(3);
    await expect(fetch(url)).rejects.toThrow();
  });
});
