// Where the browser tests find Chromium, and what to tell someone who has none. Shared by scripts/test-setup.mjs
// (which installs Debian's `chromium` package when it can) and test/fixtures/browser.ts (which launches it).
import { accessSync, constants } from 'node:fs';

/** Checked in order after CHROME_PATH: Debian/Ubuntu's chromium, other distributions' names, Google Chrome. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export const CHROMIUM_INSTALL_HINT =
  'The browser tests (test/browser/) need Chromium. Run `npm run test:setup` as root (it runs `apt-get install ' +
  '-y chromium` on Debian/Ubuntu), ' +
  'or install Chromium or Chrome yourself and point CHROME_PATH at its executable.';

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium executable: CHROME_PATH when set (it must exist; it is never second-guessed), otherwise the first
 * candidate that exists. `{ path }` or `{ error }` with the reason and how to fix it.
 */
export function findChromium(env = process.env) {
  const override = env.CHROME_PATH?.trim();
  if (override) {
    return executable(override)
      ? { path: override }
      : { error: `CHROME_PATH=${override} is not an executable file. ${CHROMIUM_INSTALL_HINT}` };
  }
  const found = CHROMIUM_CANDIDATES.find(executable);
  return found
    ? { path: found }
    : { error: `No Chromium found (looked for ${CHROMIUM_CANDIDATES.join(', ')}). ${CHROMIUM_INSTALL_HINT}` };
}
