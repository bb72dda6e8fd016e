#!/usr/bin/env node
/**
 * bench/demo.mjs: wall time of `agentcore-auth demo` (target ≤ 2 s), as a user runs it: a fresh Node process on the
 * built CLI (`node bin/agentcore-auth.js demo`), stack start to exit.
 *
 *   npm run build && node bench/demo.mjs [--runs 5]
 *
 * Baseline, measured in the same run: `node bin/agentcore-auth.js --version` (a process start that loads nothing),
 * so the ratio says how many process starts the whole demo costs. The demo's own steps are timed from its --json.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { target } from './target.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const bin = fileURLToPath(new URL('../bin/agentcore-auth.js', import.meta.url));
const env = { ...process.env, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

function time(args, cmd = process.execPath, argv = [bin, ...args]) {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { env, encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`agentcore-auth ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return { ms, stdout: r.stdout };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

time(['--version']); // warm the file system cache
const base = [];
const demo = [];
const npmDemo = [];
let last;
for (let i = 0; i < RUNS; i++) {
  base.push(time(['--version']).ms);
  const r = time(['demo', '--json']);
  demo.push(r.ms);
  last = JSON.parse(r.stdout);
  // As a newcomer types it: npm, the dist/ freshness check (scripts/ensure-built.mjs), then the demo.
  npmDemo.push(time([], 'npm', ['run', 'demo', '--silent', '--', '--json']).ms);
}
const d = median(demo);
const b = median(base);
console.log(
  `demo wall time (median of ${RUNS}): ${d.toFixed(0)} ms   [min ${Math.min(...demo).toFixed(0)}, ` +
    `max ${Math.max(...demo).toFixed(0)}]`,
);
console.log(`baseline --version:                ${b.toFixed(0)} ms   ratio demo/baseline ${(d / b).toFixed(1)}x`);
console.log(
  `inside the demo (its own clock):   ${last.durationMs} ms for ${last.steps.length} steps; slowest: ${[...last.steps]
    .sort((a, c) => c.durationMs - a.durationMs)
    .slice(0, 3)
    .map((s) => `${s.id} ${s.durationMs} ms`)
    .join(', ')}`,
);
const n = median(npmDemo);
console.log(
  `npm run demo (median of ${RUNS}):    ${n.toFixed(0)} ms   [min ${Math.min(...npmDemo).toFixed(0)}, ` +
    `max ${Math.max(...npmDemo).toFixed(0)}] (npm + dist/ check + demo; no compile when dist/ is current)`,
);
console.log(`target ≤ 2000 ms: ${n <= 2000 ? 'met' : 'NOT met'}`);
target(
  'npm run demo wall time (installed checkout, build check included)',
  `${n.toFixed(0)} ms (demo alone ${d.toFixed(0)} ms = ${(d / b).toFixed(1)}× a --version start)`,
  '≤ 2000 ms',
  n <= 2000,
);
