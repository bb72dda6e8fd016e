#!/usr/bin/env node
/**
 * bench/suite.mjs: wall time of `npm test` on a fresh clone after `npm ci` (target ≤ 60 s): the dist/ freshness check,
 * the (incremental) type check and vitest.
 *
 *   node bench/suite.mjs [--runs 1] [--beside]
 *
 * The clone is `git clone` of this checkout's HEAD into a temp dir, with node_modules hard-linked from this checkout
 * (what `npm ci` would install, without the network), then the build and type check `npm ci` runs (the prepare
 * script), timed apart. `--beside` runs a second fresh clone's `npm test` at the same time (two suites side by side
 * must not collide: no fixed ports, own temp dirs). Set BENCH_SUITE=0 to skip (run-all).
 * The time is absolute, so the machine's load average is printed with it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { target } from './target.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '1' }, beside: { type: 'boolean', default: false } },
});
if (process.env.BENCH_SUITE === '0') {
  console.log('skipped (BENCH_SUITE=0)');
  process.exit(0);
}
const root = fileURLToPath(new URL('..', import.meta.url));

function freshClone() {
  const dir = mkdtempSync(join(tmpdir(), 'aca-bench-suite-'));
  const run = (cmd, args, cwd = dir) => {
    const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  };
  run('git', ['clone', '--quiet', root, 'repo']);
  run('cp', ['-al', join(root, 'node_modules'), join(dir, 'repo', 'node_modules')]);
  // `npm ci` starts without node_modules/.cache (tsc's build info lives there): a hard-linked copy would both
  // pretend an earlier check and let the clone's tsc overwrite this checkout's files through the shared inodes.
  // Nor vitest's results cache (node_modules/.vite): it orders the files by their last durations, which a fresh
  // clone has not got.
  run('rm', ['-rf', join(dir, 'repo', 'node_modules', '.cache'), join(dir, 'repo', 'node_modules', '.vite')]);
  // …and then runs the prepare script (build and type check): install time, not test time, reported on its own.
  const t0 = performance.now();
  run('npm', ['run', 'prepare', '--silent'], join(dir, 'repo'));
  return { dir, repo: join(dir, 'repo'), prepareMs: performance.now() - t0 };
}

function npmTest(repo) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let out = '';
    const child = spawn('npm', ['test', '--silent'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const summary = out.match(/^\s*Tests\s+(.*)$/m)?.[1]?.trim() ?? '(no summary)';
      resolve({
        code,
        ms: performance.now() - t0,
        out,
        summary,
        failed: [...out.matchAll(/FAIL\s+(\S+.*)/g)].map((m) => m[1]),
      });
    });
  });
}

const results = [];
for (let i = 0; i < Number(values.runs); i++) {
  const a = freshClone();
  const b = values.beside ? freshClone() : undefined;
  const before = loadavg()[0];
  try {
    const [ra, rb] = await Promise.all([npmTest(a.repo), b ? npmTest(b.repo) : undefined]);
    results.push(ra);
    console.log(
      `run ${i + 1}: ${(ra.ms / 1000).toFixed(1)} s (after ${(a.prepareMs / 1000).toFixed(1)} s of npm ci's ` +
        `prepare), exit ${ra.code}, ${ra.summary}${
          rb ? ` | beside it: ${(rb.ms / 1000).toFixed(1)} s, ` + `exit ${rb.code}, ${rb.summary}` : ''
        } (load ${before.toFixed(1)} → ${loadavg()[0].toFixed(1)})`,
    );
    for (const [r, name] of [
      [ra, 'a'],
      [rb, 'b'],
    ]) {
      if (!r || r.code === 0) continue;
      // the whole output of a failing suite is kept: a side-by-side failure is rare and needs its error message
      const log = join(tmpdir(), `aca-bench-suite-run${i + 1}${name}-${process.pid}.log`);
      writeFileSync(log, r.out);
      for (const f of r.failed) console.log(`  FAIL ${f}`);
      console.log(`  output: ${log}`);
    }
    if (rb) results.push(rb);
  } finally {
    rmSync(a.dir, { recursive: true, force: true });
    if (b) rmSync(b.dir, { recursive: true, force: true });
  }
}
const ms = results.map((r) => r.ms).sort((x, y) => x - y);
const median = ms[Math.floor(ms.length / 2)];
const failures = results.filter((r) => r.code !== 0).length;
if (values.beside) {
  // Two suites on two cores take about twice as long: the time target is for one suite on its own (run without
  // --beside).
  console.log(
    `two suites side by side: ${(median / 1000).toFixed(1)} s median of ${ms.length} (not the ≤ 60 s target, ` +
      `which is for one suite alone)`,
  );
  target(
    `npm test failures, ${values.runs} fresh-clone run(s) with a second npm test beside each`,
    `${failures} failing suite(s) of ${results.length}`,
    '0',
    failures === 0,
  );
} else {
  target(
    'npm test on a fresh clone (build check + typecheck + vitest)',
    `${(median / 1000).toFixed(1)} s median of ${ms.length}, load average ${loadavg()[0].toFixed(1)}`,
    '≤ 60 s',
    median <= 60_000,
  );
  target('npm test failures', `${failures} failing run(s) of ${results.length}`, '0', failures === 0);
}
