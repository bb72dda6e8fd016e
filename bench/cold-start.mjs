#!/usr/bin/env node
// Cold start of the built CLI: median wall time of N runs of `agentcore-auth --version`, `--help`, every command's
// `--help`, every `help <topic>`, `completion bash` and `__complete logins` against `node -e ""` measured in the same
// run, interleaved so that machine noise hits all alike. Prints the ratios (target ≤ 1.3×), plus two reference rows
// (importing commander+chalk, importing jose): what start-up would cost if help were rendered by commander at run time
// or jose were loaded eagerly (bin.cts serves help pre-rendered at build time). Needs dist/ (npm run build).
// Usage: node bench/cold-start.mjs [N=21]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { target } from './target.mjs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = `${root}bin/agentcore-auth.js`;
if (!existsSync(`${root}dist/bin.js`)) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const N = Number(process.argv[2] ?? 15);
const TARGET = 1.3;

const cases = {
  'node -e ""': ['-e', ''],
  '--version': [bin, '--version'],
  '--help': [bin, '--help'],
  // every command's help (dist/help/<command>.txt is pre-rendered for each)
  ...Object.fromEntries(
    readdirSync(`${root}dist/help`)
      .filter((f) => f.endsWith('.txt') && f !== '_root.txt')
      .map((f) => f.slice(0, -4))
      .sort()
      .map((c) => [`${c} --help`, [bin, c, '--help']]),
  ),
  // help topics and completion scripts, pre-rendered too (dist/help/topic/, dist/help/completion/)
  ...Object.fromEntries(
    readdirSync(`${root}dist/help/topic`)
      .map((f) => f.slice(0, -4))
      .sort()
      .map((t) => [`help ${t}`, [bin, 'help', t]]),
  ),
  'completion bash': [bin, 'completion', 'bash'],
  // what bash runs on Tab after --bearer (reads the token cache; no commander)
  '__complete logins': [bin, '__complete', 'logins'],
  // Not a CLI run: the cost of importing the two libraries a run-time commander help screen would need.
  'commander+chalk': ['--input-type=module', '-e', 'await import("commander"); await import("chalk")'],
  // Not a CLI run: jose, which start-up avoids (core/jwt.ts decodes without it; verification loads it lazily).
  jose: ['--input-type=module', '-e', 'await import("jose")'],
};
const REFERENCE = new Set(['node -e ""', 'commander+chalk', 'jose']);
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));

function once(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

// warm the file-system cache
for (const args of Object.values(cases)) once(args);
for (let i = 0; i < N; i++) for (const [name, args] of Object.entries(cases)) times[name].push(once(args));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(times['node -e ""']);
console.log(`cold start, median of ${N} runs (node ${process.version}, ${process.platform}/${process.arch})`);
let worst = 0;
for (const name of Object.keys(cases)) {
  const m = median(times[name]);
  const ratio = m / base;
  if (!REFERENCE.has(name)) worst = Math.max(worst, ratio);
  const verdict =
    name === 'node -e ""'
      ? 'baseline'
      : REFERENCE.has(name)
        ? `reference (import only, +${(m - base).toFixed(1)} ms)`
        : ratio <= TARGET
          ? 'ok'
          : `over target by ${((ratio / TARGET - 1) * 100).toFixed(0)}%`;
  console.log(`  ${name.padEnd(20)} ${m.toFixed(1).padStart(7)} ms   ${ratio.toFixed(2)}×   ${verdict}`);
}
console.log(`worst ratio ${worst.toFixed(2)}× (target ≤ ${TARGET}×)`);
const worstName = Object.keys(cases)
  .filter((n) => !REFERENCE.has(n))
  .sort((a, b) => median(times[b]) - median(times[a]))[0];
target(
  'cold start: --version, --help and every <command> --help vs node -e ""',
  `worst ${worst.toFixed(2)}× (${worstName})`,
  `≤ ${TARGET}×`,
  worst <= TARGET,
);
const floor = median(times['commander+chalk']) / base;
if (worst > TARGET && floor > TARGET) {
  console.log(
    `note: importing commander and chalk alone costs ${floor.toFixed(2)}×, above the target: ` +
      'a help screen built by commander at run time could not meet it.',
  );
}
