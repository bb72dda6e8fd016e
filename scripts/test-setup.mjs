#!/usr/bin/env node
// `npm run test:setup`: make sure the browser tests (test/browser/) have a Chromium to drive. Does nothing when one is
// found (CHROME_PATH, /usr/bin/chromium, …). Otherwise, as root on a system with apt-get (Debian, Ubuntu, the node:20
// images CI uses), installs Debian's `chromium` package; anywhere else it fails with what to install. Idempotent.
import { execFileSync, spawnSync } from 'node:child_process';
import { CHROMIUM_INSTALL_HINT, findChromium } from './chromium.mjs';

function version(path) {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'version unknown';
  }
}

function run(cmd, args) {
  console.log(`test:setup: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) {
    console.error(
      `test:setup: \`${cmd} ${args.join(' ')}\` failed ` +
        `(${r.error?.message ?? `exit ${r.status}`}). ${CHROMIUM_INSTALL_HINT}`,
    );
    process.exit(1);
  }
}

let found = findChromium();
if (found.path) {
  console.log(`test:setup: Chromium for the browser tests: ${found.path} (${version(found.path)})`);
  process.exit(0);
}
if (process.env.CHROME_PATH?.trim()) {
  console.error(`test:setup: ${found.error}`);
  process.exit(1);
}
const root = process.getuid?.() === 0;
const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
if (!root || !apt) {
  console.error(
    `test:setup: no Chromium found, and ${!apt ? 'this system has no apt-get' : 'not running as root'}, so ` +
      `it is not installed here. ${CHROMIUM_INSTALL_HINT}`,
  );
  process.exit(1);
}
run('apt-get', ['update', '-qq']);
run('apt-get', ['install', '-y', '-qq', 'chromium']);
found = findChromium();
if (!found.path) {
  console.error(`test:setup: apt-get installed chromium but it is still not found. ${found.error}`);
  process.exit(1);
}
console.log(`test:setup: installed ${found.path} (${version(found.path)})`);
