/**
 * How the browser tests find Chromium (scripts/chromium.mjs) and what `npm run test:setup` says when it cannot: the
 * message names the fix, and a wrong CHROME_PATH is never silently replaced by another browser.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../scripts/chromium.mjs';

const SETUP = new URL('../../scripts/test-setup.mjs', import.meta.url).pathname;

describe('finding Chromium for the browser tests', () => {
  it('CHROME_PATH wins when it is an executable', () => {
    expect(findChromium({ CHROME_PATH: process.execPath })).toEqual({ path: process.execPath });
  });

  it('a CHROME_PATH that is not executable is an error naming it and the fix, not a fallback', () => {
    const found = findChromium({ CHROME_PATH: '/nonexistent/chromium' });
    expect(found.path).toBeUndefined();
    expect(found.error).toContain('CHROME_PATH=/nonexistent/chromium is not an executable file');
    expect(found.error).toContain('npm run test:setup');
    expect(found.error).toContain('apt-get install -y chromium');
  });

  it('test:setup with a wrong CHROME_PATH fails (exit 1) with that message, installing nothing', () => {
    const r = spawnSync(process.execPath, [SETUP], {
      env: { PATH: process.env.PATH ?? '', CHROME_PATH: '/nonexistent/chromium' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('test:setup: CHROME_PATH=/nonexistent/chromium is not an executable file');
    expect(r.stdout).not.toContain('apt-get');
  });

  it('test:setup reports the browser it found', () => {
    const r = spawnSync(process.execPath, [SETUP], {
      env: { PATH: process.env.PATH ?? '', CHROME_PATH: process.execPath },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`test:setup: Chromium for the browser tests: ${process.execPath}`);
  });
});
