/**
 * Every page we serve, in a real browser (headless Chromium via playwright-core, test/fixtures/browser.ts): the local
 * user pool's hosted UI, the login redirect page, the local 3LO provider's login and consent pages and the AgentCore
 * return-URL page. The CLI runs in-process; its "open the browser" (ctx.openBrowser) hands the URL to a Chromium page,
 * where the test types and clicks as a user would. The fast redirect follower (test/fixtures/headless-browser.ts)
 * stays for the other tests; these check what only a browser sees: forms that submit, scripts that (do not) run.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/emulator/config.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import {
  BROWSER_TEST_TIMEOUT,
  launchBrowser,
  offLoopback,
  screenshot,
  watchPage,
  type Browser,
  type BrowserContext,
  type Page,
  type PageWatch,
} from '../fixtures/browser.js';
import { freePort } from '../fixtures/ports.js';
import {
  ephemeralReturnUrl,
  freeReturnUrl,
  registerReturnUrl,
  stackDataPlane,
  threeLoArgs,
  threeLoProvider,
} from '../fixtures/three-lo.js';
import { createTestContext, runCommand, type TestContext } from '../helpers/context.js';

let browser: Browser;
let context: BrowserContext;
let stack: LocalStack;
let redirect: string;

beforeAll(async () => {
  // The hosted UI accepts only registered callback URLs: register a loopback redirect on a free port.
  redirect = `http://127.0.0.1:${await freePort()}/callback`;
  const config = parseConfig({});
  config.userPool.clients.find((c) => c.name === 'public-client')!.callbackUrls.push(redirect);
  // Both at once; when one fails (no Chromium), the other is still kept for afterAll to close.
  const [b, s] = await Promise.allSettled([launchBrowser(), startLocalStack({ port: 0, config, autoConsent: false })]);
  if (s.status === 'fulfilled') stack = s.value;
  if (b.status === 'rejected') throw b.reason;
  if (s.status === 'rejected') throw s.reason;
  browser = b.value;
  context = await browser.newContext();
});
afterAll(async () => {
  await Promise.all([browser?.close(), stack?.close()]);
});

/**
 * A watched page with no cookies from another test (the provider's session would skip its sign-in); close it when
 * done. One context for the file: a page in it opens faster than a page in a new context.
 */
async function openPage(): Promise<{ page: Page; watch: PageWatch; close: () => Promise<void> }> {
  await context.clearCookies();
  const page = await context.newPage();
  return { page, watch: watchPage(page), close: () => page.close() };
}

const publicClient = () => stack.userPool.clients.find((c) => c.name === 'public-client')!;

/** `login --auth-flow authorization-code` through the hosted UI with the public client and the registered redirect. */
const hostedUiLogin = (scopes: string) => [
  ...['login', '--auth-flow', 'authorization-code', '--domain', stack.url, '--user-pool-id', stack.userPool.id],
  ...['--client-id', publicClient().clientId, '--redirect-uri', redirect, '--scopes', scopes],
];

describe('login --auth-flow authorization-code through the local user pool’s hosted UI', {
  timeout: BROWSER_TEST_TIMEOUT,
}, () => {
  it(
    'the user types name and password into the form, comes back to the loopback redirect; login caches the ' + 'token',
    async () => {
      const { page, watch, close } = await openPage();
      let landed = '';
      try {
        const ctx = createTestContext({
          env: stack.env,
          openBrowser: async (url) => {
            await page.goto(url);
            await screenshot(page, 'hosted-ui-sign-in');
            await page.getByLabel('Username').fill('alice');
            await page.getByLabel('Password').fill('Alice-Passw0rd!');
            await Promise.all([
              page.waitForURL((u) => u.href.startsWith(redirect)),
              page.getByRole('button', { name: 'Sign in' }).click(),
            ]);
            landed = page.url();
            await screenshot(page, 'login-redirect-success');
          },
        });
        const r = await runCommand(hostedUiLogin('openid,email'), ctx);
        expect(r.stderr).not.toContain('error:');
        expect(r.code).toBe(0);
        expect(r.stderr).toContain('✓ Logged in');
        expect(landed.startsWith(`${redirect}?code=`)).toBe(true);
        expect(await page.locator('h1').textContent()).toBe('✓ Signed in');
        expect(await page.locator('body').textContent()).toContain('You can close this tab');
        expect(watch.consoleErrors).toEqual([]);
        expect(watch.pageErrors).toEqual([]);
        expect(offLoopback(watch)).toEqual([]);
        // The token is cached: `token print` gives alice's access token back.
        const printed = await runCommand(['token', 'print'], { home: ctx.homedir, env: stack.env });
        expect(printed.code).toBe(0);
        expect(decodeJwt(printed.stdout.trim())).toMatchObject({
          token_use: 'access',
          username: 'alice',
          client_id: publicClient().clientId,
        });
      } finally {
        await close();
      }
    },
  );
});

/** Resolves once the CLI has written `text` on stderr (a server announcing its URL): no polling, no sleeps. */
function stderrSays(ctx: TestContext, text: string): Promise<void> {
  return new Promise((resolve) => {
    const write = ctx.stderr.write.bind(ctx.stderr);
    ctx.stderr.write = (chunk: string) => {
      const r = write(chunk);
      if (ctx.stderr.text().includes(text)) resolve();
      return r;
    };
  });
}

const threeLo = () => threeLoProvider(stack);
const workload = () => stack.workloadIdentities[0]!.name;

/** `exchange --flow user-federation` for userId, returning to returnUrl (registered for this run only). */
const exchange3lo = (userId: string, returnUrl: string) => [
  ...['exchange', ...threeLoArgs(stack, '--user-id', userId), '--flow', 'user-federation'],
  ...ephemeralReturnUrl(returnUrl),
];

/**
 * The user at the local 3LO provider: sign in as `login`, then Allow (or Deny) on the consent page, back to the
 * return URL. Screenshots (about a second each on a busy machine) of the provider's pages only when `shots` says so.
 */
async function consent(
  page: Page,
  url: string,
  o: { login: string; shots: string; answer?: 'Allow' | 'Deny'; providerShots?: boolean },
): Promise<void> {
  await page.goto(url);
  await page.getByLabel('User name').fill(o.login);
  await page.getByLabel('Password').fill('any-password');
  if (o.providerShots) await screenshot(page, `${o.shots}-3lo-sign-in`);
  await Promise.all([page.waitForURL(/\/interaction\/[^/]+$/), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.getByRole('heading', { name: 'Authorize access' }).waitFor();
  expect(await page.locator('main').textContent()).toContain(`signed in as ${o.login}`);
  if (o.providerShots) await screenshot(page, `${o.shots}-3lo-consent`);
  const back = page.waitForURL((u) => u.pathname === '/oauth2/callback');
  if ((o.answer ?? 'Allow') === 'Allow') await page.getByRole('button', { name: 'Allow' }).click();
  else await page.getByRole('link', { name: 'Deny' }).click();
  await back;
  await page.locator('h1').waitFor();
  await screenshot(page, `${o.shots}-return-url`);
}

describe('the 3LO consent through the local provider’s sign-in and consent pages', {
  timeout: BROWSER_TEST_TIMEOUT,
}, () => {
  it(
    'to `callback`: the agent starts a session for maria, the user signs in and allows, the return-URL page ' +
      'says so, the agent gets the token',
    async () => {
      const { page, watch, close } = await openPage();
      try {
        const returnUrl = await freeReturnUrl();
        const sdk = await import('@aws-sdk/client-bedrock-agentcore');
        const dp = stackDataPlane(stack);
        await registerReturnUrl(stack, returnUrl);

        const ctx = createTestContext({ env: stack.env });
        const listening = stderrSays(ctx, 'return URL');
        const run = runCommand(['callback', '--port', new URL(returnUrl).port, '--user-id', 'maria', '--once'], ctx);
        await listening;
        // What a deployed agent does: a workload token for maria, then USER_FEDERATION with callback's return URL.
        const wat = (
          await dp.send(new sdk.GetWorkloadAccessTokenForUserIdCommand({ workloadName: workload(), userId: 'maria' }))
        ).workloadAccessToken!;
        const req = {
          workloadIdentityToken: wat,
          resourceCredentialProviderName: threeLo().name,
          scopes: ['api:read'],
          oauth2Flow: 'USER_FEDERATION' as const,
          resourceOauth2ReturnUrl: returnUrl,
        };
        const started = await dp.send(new sdk.GetResourceOauth2TokenCommand(req));
        expect(started.authorizationUrl).toBeDefined();

        await consent(page, started.authorizationUrl!, { login: 'maria-at-provider', shots: 'callback' });
        expect(await page.locator('h1').textContent()).toBe('✓ Authorization complete');
        const r = await run;
        expect(r.stderr).not.toContain('error:');
        expect(r.code).toBe(0);
        const polled = await dp.send(
          new sdk.GetResourceOauth2TokenCommand({ ...req, sessionUri: started.sessionUri! }),
        );
        expect(decodeJwt(polled.accessToken!).sub).toBe('maria-at-provider');
        expect(watch.consoleErrors).toEqual([]);
        expect(watch.pageErrors).toEqual([]);
        expect(offLoopback(watch)).toEqual([]);
      } finally {
        await close();
      }
    },
  );

  it(
    'to `exchange --flow user-federation`: sign in, click Allow; exchange completes with the same user id and ' +
      'prints the token',
    async () => {
      const { page, watch, close } = await openPage();
      try {
        const returnUrl = await freeReturnUrl();
        const r = await runCommand([...exchange3lo('oscar', returnUrl), '--print', 'resource-token'], {
          env: stack.env,
          openBrowser: (url) =>
            consent(page, url, { login: 'oscar-at-provider', shots: 'exchange', providerShots: true }),
        });
        expect(r.stderr).not.toContain('error:');
        expect(r.code).toBe(0);
        expect(await page.locator('h1').textContent()).toBe('✓ Authorization complete');
        expect(decodeJwt(r.stdout.trim()).sub).toBe('oscar-at-provider');
        expect(r.stderr).toContain('[6/8] CompleteResourceTokenAuth');
        expect(watch.consoleErrors).toEqual([]);
        expect(watch.pageErrors).toEqual([]);
        expect(offLoopback(watch)).toEqual([]);
      } finally {
        await close();
      }
    },
  );

  it('Deny on the consent page: the return-URL page says the provider refused, exchange exits 4', async () => {
    const { page, watch, close } = await openPage();
    try {
      const returnUrl = await freeReturnUrl();
      const r = await runCommand(exchange3lo('petra', returnUrl), {
        env: stack.env,
        openBrowser: (url) => consent(page, url, { login: 'petra-at-provider', shots: 'deny', answer: 'Deny' }),
      });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('error: the provider refused the authorization: access_denied');
      expect(await page.locator('h1').textContent()).toBe('✗ Authorization failed');
      expect(await page.locator('h1 + p').textContent()).toContain('access_denied');
      expect(watch.pageErrors).toEqual([]);
      expect(offLoopback(watch)).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('the success and error pages show hostile values as text', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  // Markup that would run script or fetch /x if a page interpolated it unescaped; quotes and a backtick as well.
  const PAYLOAD =
    `<script>window.__xss=1</script><img src=x onerror="window.__xss=2;alert(2)"><svg ` +
    `onload=alert(3)></svg>"'\`&amp;`;

  it('login’s redirect page: error_description renders as text, nothing runs, nothing is fetched', async () => {
    const { page, watch, close } = await openPage();
    try {
      let landed = '';
      const r = await runCommand(hostedUiLogin('openid'), {
        env: stack.env,
        openBrowser: async () => {
          landed = `${redirect}?${new URLSearchParams({ error: 'access_denied', error_description: PAYLOAD })}`;
          await page.goto(landed);
          await screenshot(page, 'login-redirect-error');
        },
      });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('error: the identity provider refused the sign-in: access_denied');
      expect(await page.locator('h1').textContent()).toBe('✗ Sign-in failed');
      expect(await page.locator('p.detail').first().textContent()).toBe(PAYLOAD);
      expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator('script, img, svg').count()).toBe(0);
      expect(watch.dialogs).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.requests).toEqual([landed]); // the <img> would have asked for /x
    } finally {
      await close();
    }
  });

  it('the 3LO return-URL page: error_description renders as text, nothing runs, nothing is fetched', async () => {
    const { page, watch, close } = await openPage();
    try {
      const returnUrl = await freeReturnUrl();
      let landed = '';
      const r = await runCommand(exchange3lo('quinn', returnUrl), {
        env: stack.env,
        openBrowser: async () => {
          landed = `${returnUrl}?${new URLSearchParams({ error: 'invalid_scope', error_description: PAYLOAD })}`;
          await page.goto(landed);
          await screenshot(page, 'return-url-error');
        },
      });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('error: the provider refused the authorization: invalid_scope');
      expect(await page.locator('h1').textContent()).toBe('✗ Authorization failed');
      expect(await page.locator('h1 + p').textContent()).toBe(`The provider answered: invalid_scope — ${PAYLOAD}`);
      expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator('script, img, svg').count()).toBe(0);
      expect(watch.dialogs).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.requests).toEqual([landed]); // the <img> would have asked for /x
    } finally {
      await close();
    }
  });
});
