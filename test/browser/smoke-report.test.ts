/**
 * The `smoke --html` report in a real browser (headless Chromium via playwright-core, test/fixtures/browser.ts): the
 * report of examples/inbound.yaml --negative and examples/outbound.yaml, run in-process against the local stack, opened
 * from its file:// URL. It renders every step, each step's sequence diagram is a visible SVG (a non-zero box with its
 * arrows drawn), the page logs no console error, and it requests nothing but the file itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { BROWSER_TEST_TIMEOUT, launchBrowser, screenshot, watchPage, type Browser } from '../fixtures/browser.js';
import { runCommand } from '../helpers/context.js';

let browser: Browser;
let stack: LocalStack;
beforeAll(async () => {
  // Both at once; when one fails (no Chromium), the other is still kept for afterAll to close.
  const [b, s] = await Promise.allSettled([
    launchBrowser(),
    startLocalStack({ port: 0, configFile: 'examples/local-stack.yaml' }),
  ]);
  if (s.status === 'fulfilled') stack = s.value;
  if (b.status === 'rejected') throw b.reason;
  if (s.status === 'rejected') throw s.reason;
  browser = b.value;
});
afterAll(async () => {
  await Promise.all([browser?.close(), stack?.close()]);
});

describe('smoke --html in a real browser', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  it(
    'renders every step with a visible SVG diagram, no console error, and no request but the ' + 'file itself',
    async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'aca-report-')), 'smoke.html');
      const r = await runCommand(
        ['smoke', 'examples/inbound.yaml', 'examples/outbound.yaml', '--negative', '--html', file],
        { env: stack.env, cwd: process.cwd() },
      );
      expect(r.stderr).toContain(`HTML report: ${file}`);
      expect(r.code).toBe(0);

      const context = await browser.newContext();
      try {
        // Anything but the file is refused before it leaves the browser, and recorded: the test fails on any of them.
        const refused: string[] = [];
        await context.route(/^(?!file:)/, (route) => {
          refused.push(route.request().url());
          return route.abort('blockedbyclient');
        });
        const page = await context.newPage();
        const watch = watchPage(page);
        const url = pathToFileURL(file).href;
        const response = await page.goto(url, { waitUntil: 'load' });
        expect(response?.ok()).toBe(true);

        expect(await page.locator('h1').textContent()).toBe('agentcore-auth smoke: 2 scenarios');
        expect(await page.locator('.verdict').textContent()).toBe('all expectations met');
        const steps = page.locator('section.step');
        const count = await steps.count();
        expect(count).toBeGreaterThanOrEqual(15);
        expect(await page.locator('section.step.s-pass').count()).toBe(count);

        // One diagram per step, drawn: visible, the SVG box not empty, and neither are its lines and labels (measured
        // in the page in one round trip: the machine running the suite is busy).
        const svgs = page.locator('section.step figure svg');
        const diagrams = await svgs.evaluateAll((els) =>
          els.map((el) => {
            const box = el.getBoundingClientRect();
            const drawn = (sel: string) =>
              [...el.querySelectorAll(sel)].filter((n) => {
                const b = (n as unknown as { getBBox(): { width: number; height: number } }).getBBox();
                return b.width > 0 || b.height > 0;
              }).length;
            const visible = (el as unknown as { checkVisibility(o: object): boolean }).checkVisibility({
              checkOpacity: true,
              checkVisibilityCSS: true,
            });
            return {
              visible,
              width: Math.round(box.width),
              height: Math.round(box.height),
              lines: drawn('line, path, polyline'),
              labels: drawn('text'),
            };
          }),
        );
        expect(diagrams).toHaveLength(count);
        for (const [i, d] of diagrams.entries()) {
          expect(
            d.visible && d.width > 100 && d.height > 50 && d.lines > 0 && d.labels > 1,
            `diagram ${i + 1}: ${JSON.stringify(d)}`,
          ).toBe(true);
        }
        await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
        await screenshot(page, 'smoke-report-top');
        await svgs.nth(0).scrollIntoViewIfNeeded();
        await screenshot(page, 'smoke-report-diagram');

        expect(watch.consoleErrors).toEqual([]);
        expect(watch.pageErrors).toEqual([]);
        expect(refused).toEqual([]);
        expect(watch.requests).toEqual([url]);
      } finally {
        await context.close();
      }
    },
  );
});
