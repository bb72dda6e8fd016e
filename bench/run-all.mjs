#!/usr/bin/env node
// Runs every benchmark in bench/ one after another (never in parallel: they measure wall time on a shared machine)
// and prints each one's own report. Each script measures its baseline in the same run and prints a ratio.
// Usage: npm run bench            (builds first)
//        node bench/run-all.mjs cold-start invoke    (a subset, by file name without .mjs)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = new Set(process.argv.slice(2));
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs' && f !== 'target.mjs')
  .filter((f) => wanted.size === 0 || wanted.has(f.replace(/\.mjs$/, '')))
  .sort();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const started = `load average ${load()} (1/5/15 min) on ${cpus().length} cores`;
let failed = 0;
const targets = [];
for (const script of scripts) {
  process.stdout.write(`\n=== bench/${script} ===\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [`${dir}${script}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.startsWith('BENCH-TARGET ')) targets.push(JSON.parse(line.slice('BENCH-TARGET '.length)));
    else if (line) process.stdout.write(`${line}\n`);
  }
  process.stdout.write(`--- ${script}: exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  if (r.status !== 0) failed++;
}
process.stdout.write(`\n=== targets (issue 14) ===\nmachine: at start ${started}; at end ${load()}\n`);
for (const t of targets)
  process.stdout.write(`  ${t.met ? 'met    ' : 'NOT met'}  ${t.name}: ${t.measured} (target ${t.goal})\n`);
process.exitCode = failed ? 1 : 0;
