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
import { launchBrowser, screenshot, watchPage, type Browser, type Page, type PageWatch } from '../fixtures/browser.js';
import { freePort } from '../fixtures/ports.js';
import { createTestContext, runCommand } from '../helpers/context.js';

let browser: Browser;
let stack: LocalStack;
let redirect: string;

beforeAll(async () => {
  // The hosted UI accepts only registered callback URLs: register a loopback redirect on a free port.
  redirect = `http://127.0.0.1:${await freePort()}/callback`;
  const config = parseConfig({});
  config.userPool.clients.find((c) => c.name === 'public-client')!.callbackUrls.push(redirect);
  [browser, stack] = await Promise.all([launchBrowser(), startLocalStack({ port: 0, config, autoConsent: false })]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), stack?.close()]);
});

/** A fresh browser context (no cookies from another test) with one watched page; close it when done. */
async function openPage(): Promise<{ page: Page; watch: PageWatch; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  return { page, watch: watchPage(page), close: () => context.close() };
}

const publicClient = () => stack.userPool.clients.find((c) => c.name === 'public-client')!;

describe('login --auth-flow authorization-code through the local user pool’s hosted UI', () => {
  it('the user types name and password into the form, comes back to the loopback redirect; login caches the token', async () => {
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
          await Promise.all([page.waitForURL((u) => u.href.startsWith(redirect)), page.getByRole('button', { name: 'Sign in' }).click()]);
          landed = page.url();
          await screenshot(page, 'login-redirect-success');
        },
      });
      const r = await runCommand(
        ['login', '--auth-flow', 'authorization-code', '--domain', stack.url, '--user-pool-id', stack.userPool.id, '--client-id', publicClient().clientId, '--redirect-uri', redirect, '--scopes', 'openid,email'],
        ctx,
      );
      expect(r.stderr).not.toContain('error:');
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('✓ Logged in');
      expect(landed.startsWith(`${redirect}?code=`)).toBe(true);
      expect(await page.locator('h1').textContent()).toBe('✓ Signed in');
      expect(await page.locator('body').innerText()).toContain('You can close this tab');
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      // The token is cached: `token print` gives alice's access token back.
      const printed = await runCommand(['token', 'print'], { home: ctx.homedir, env: stack.env });
      expect(printed.code).toBe(0);
      expect(decodeJwt(printed.stdout.trim())).toMatchObject({ token_use: 'access', username: 'alice', client_id: publicClient().clientId });
    } finally {
      await close();
    }
  });
});
