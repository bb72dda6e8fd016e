#!/usr/bin/env node
// Before `npm run demo|local|bench`: rebuild only when dist/ is older than what it is built from. `npm ci` / `npm
// install` build once (the `prepare` script), so an installed checkout starts the demo without compiling anything;
// after an edit under src/ the next run rebuilds first. The check is a few dozen stat calls (about 5 ms).
//
//   node scripts/ensure-built.mjs                  check (and build) only
//   node scripts/ensure-built.mjs -- ARGS…         then run `agentcore-auth ARGS…` in this same process (one Node
//                                                  start instead of two: `npm run demo` is `… -- demo`)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs; // a deleted file changes its directory
  for (const e of readdirSync(path)) max = Math.max(max, newest(join(path, e)));
  return max;
}

/** The build's last output: the pre-rendered help, written after tsc (scripts/render-help.mjs). */
function builtAt() {
  const st = statSync(join(root, 'dist/help/_root.txt'), { throwIfNoEntry: false });
  return st?.mtimeMs ?? 0;
}

const inputs = [
  'src',
  'scripts/render-help.mjs',
  'scripts/build-context.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
];
const stale = builtAt() < Math.max(...inputs.map((p) => newest(join(root, p))));
let built = true;
if (stale) {
  process.stderr.write('agentcore-auth: dist/ is older than src/ — building first (npm run build)\n');
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exitCode = r.status ?? 1;
  built = r.status === 0;
}
const then = process.argv.indexOf('--');
if (then !== -1 && built) {
  // The CLI reads process.argv.slice(2), exactly as when started as `node bin/agentcore-auth.js ARGS…`.
  process.argv = [process.argv[0], join(root, 'bin/agentcore-auth.js'), ...process.argv.slice(then + 1)];
  await import('../bin/agentcore-auth.js');
}
