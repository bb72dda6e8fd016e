#!/usr/bin/env node
/**
 * bench/smoke.mjs: `agentcore-auth smoke` time for 1, 10 and 100 steps (should grow linearly), in-process on the
 * built CLI against the local stack. Each step is a real command over HTTP: `exchange --workload-name local-workload
 * --user-id alice` (one GetWorkloadAccessTokenForUserId through the AWS SDK).
 *
 *   npm run build && node bench/smoke.mjs [--runs 3]
 *
 * Baseline, measured in the same run: the same exchange command run directly (runCli) N times in a loop, so the
 * ratio is the runner's overhead (parsing, interpolation, capture, expectations, report). Per-step times that stay
 * flat from 1 to 100 steps mean linear growth. Also: 100 steps with --concurrency 4.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from '../dist/emulator/stack.js';
import { runCli } from '../dist/cli/run.js';
import { createNodeContext } from '../dist/cli/context.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
console.warn = () => {};
console.info = () => {};

const stack = await startLocalStack({ port: 0 });
const dir = mkdtempSync(join(tmpdir(), 'aca-bench-smoke-'));
const sink = { write: () => true, isTTY: false };
function ctx() {
  const c = createNodeContext(new AbortController().signal, 'bench');
  return { ...c, stdout: sink, stderr: sink, env: { ...process.env, ...stack.env, NO_COLOR: '1' }, cwd: dir };
}

function scenario(n) {
  const file = join(dir, `s${n}.yaml`);
  const steps = Array.from(
    { length: n },
    (_, i) =>
      `  - id: s${i}\n    exchange: { workload-name: local-workload, user-id: alice }\n    expect: { json: { ` +
      `workloadToken.api: GetWorkloadAccessTokenForUserId } }\n`,
  );
  writeFileSync(file, `steps:\n${steps.join('')}`);
  return file;
}

async function timeSmoke(n, extra = []) {
  const file = scenario(n);
  const t0 = performance.now();
  const code = await runCli(['smoke', file, '--json', ...extra], ctx());
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`smoke ${n} steps exited ${code}`);
  return ms;
}

async function timeDirect(n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const code = await runCli(['exchange', '--workload-name', 'local-workload', '--user-id', 'alice', '--json'], ctx());
    if (code !== 0) throw new Error(`exchange exited ${code}`);
  }
  return performance.now() - t0;
}

const best = async (f) => {
  const xs = [];
  for (let i = 0; i < RUNS; i++) xs.push(await f());
  return Math.min(...xs);
};

try {
  await timeSmoke(5); // warm up: module imports, SDK client, JIT
  await timeDirect(5);
  const rows = [];
  for (const n of [1, 10, 100]) {
    const smoke = await best(() => timeSmoke(n));
    const direct = await best(() => timeDirect(n));
    rows.push({ n, smoke, direct });
  }
  const c4 = await best(() => timeSmoke(100, ['--concurrency', '4']));
  console.log(`steps   smoke (best of ${RUNS})   per step   direct loop   ratio smoke/direct`);
  for (const r of rows) {
    console.log(
      `${String(r.n).padStart(5)}   ${r.smoke.toFixed(1).padStart(10)} ` +
        `ms   ${(r.smoke / r.n).toFixed(2).padStart(6)} ms   ${r.direct.toFixed(1).padStart(8)} ` +
        `ms   ${(r.smoke / r.direct).toFixed(2)}x`,
    );
  }
  const per1 = rows[0].smoke / 1;
  const per100 = rows[2].smoke / 100;
  console.log(
    `growth: 100 steps take ${(rows[2].smoke / rows[1].smoke).toFixed(1)}x the time of 10 (linear = 10x); ` +
      `per-step time 100 vs 1: ${(per100 / per1).toFixed(2)}x`,
  );
  console.log(
    `100 steps with --concurrency 4: ${c4.toFixed(1)} ms (${(rows[2].smoke / c4).toFixed(2)}x faster than sequential)`,
  );
} finally {
  await stack.close();
}
