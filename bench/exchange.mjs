#!/usr/bin/env node
/**
 * bench/exchange.mjs: the full headless 3LO exchange against the local stack, end to end, with its per-step split.
 *
 *   npm run build && node bench/exchange.mjs [--runs 20] [--warmup 3]
 *
 * Each run is `agentcore-auth exchange … --flow user-federation --force-auth --json` in-process (dist/), with a
 * headless "browser" that follows the redirects (stack authorize → 3LO provider with auto-consent → stack callback →
 * our loopback return URL). The baseline, measured in the same run on the same stack, is the M2M exchange (workload
 * token + one GetResourceOauth2Token): the ratio says what the browser round trip, the completion and the polling cost
 * on top of two plain calls. Steps come from the `steps` array of --json (durations measured by the CLI itself).
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { startLocalStack } from '../dist/emulator/stack.js';
import { runCli } from '../dist/cli/run.js';
import { createNodeContext } from '../dist/cli/context.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, warmup: { type: 'string', default: '3' } },
});
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const quiet = { warn: console.warn, info: console.info, log: console.log };
console.warn = () => {}; // oidc-provider's WARNING/NOTICE lines
console.info = () => {};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net
      .createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
  });
}

/** Follow redirects with a cookie jar until the loopback return URL has answered. */
async function headless(startUrl) {
  const jar = new Map();
  let url = startUrl;
  for (let hop = 0; hop < 25; hop++) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      url = new URL(loc, url).href;
      continue;
    }
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`headless browser stopped at ${url} with ${res.status}`);
    return;
  }
  throw new Error('too many redirects');
}

function sink() {
  const chunks = [];
  const write = (c) => {
    chunks.push(String(c));
    return true;
  };
  return { isTTY: false, write, text: () => chunks.join('') };
}

async function exchange(stack, argv) {
  const stdout = sink();
  const stderr = sink();
  const ctx = {
    ...createNodeContext(new AbortController().signal, 'bench'),
    stdout,
    stderr,
    env: { ...process.env, ...stack.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    openBrowser: (url) => headless(url),
  };
  const t0 = performance.now();
  const code = await runCli(['exchange', ...argv, '--json'], ctx);
  const wall = performance.now() - t0;
  if (code !== 0) throw new Error(`exchange exited ${code}:\n${stderr.text()}`);
  return { wall, doc: JSON.parse(stdout.text()) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const fmt = (ms) => `${ms.toFixed(1).padStart(7)} ms`;

const stack = await startLocalStack({ port: 0, autoConsent: true });
try {
  const workload = stack.workloadIdentities[0].name;
  const m2m = stack.credentialProviders.oauth2.find((p) => p.flow === 'M2M');
  const threeLo = stack.credentialProviders.oauth2.find((p) => p.flow === 'USER_FEDERATION');
  const returnUrl = `http://localhost:${await freePort()}/oauth2/callback`;
  const m2mArgs = [
    '--workload-name',
    workload,
    '--provider',
    m2m.name,
    '--flow',
    'm2m',
    '--scopes',
    m2m.scopes.join(','),
  ];
  const threeLoArgs = [
    '--workload-name',
    workload,
    '--user-id',
    'bench-user',
    '--provider',
    threeLo.name,
    '--scopes',
    threeLo.scopes.join(','),
    '--flow',
    'user-federation',
    '--return-url',
    returnUrl,
    '--register-return-url',
    '--force-auth',
    '--poll-interval',
    '50',
  ];

  for (let i = 0; i < WARMUP; i++) {
    await exchange(stack, m2mArgs);
    await exchange(stack, threeLoArgs);
  }
  const base = [];
  const full = [];
  const perStep = new Map();
  for (let i = 0; i < RUNS; i++) {
    base.push((await exchange(stack, m2mArgs)).wall);
    const r = await exchange(stack, threeLoArgs);
    full.push(r.wall);
    for (const s of r.doc.steps) {
      const key = `${s.n}. ${s.operation}`;
      if (!perStep.has(key)) perStep.set(key, []);
      perStep.get(key).push(s.durationMs ?? 0);
    }
  }

  console.log = quiet.log;
  console.log(
    `agentcore-auth exchange, local stack, ${RUNS} runs after ${WARMUP} warm-up ` +
      `(Node ${process.version}, ${process.platform})`,
  );
  console.log('');
  console.log(`baseline  M2M exchange (2 calls)           median ${fmt(median(base))}   p95 ${fmt(p95(base))}`);
  console.log(`full      3LO exchange (headless browser)  median ${fmt(median(full))}   p95 ${fmt(p95(full))}`);
  console.log(`ratio     3LO / M2M                        ${(median(full) / median(base)).toFixed(2)}×`);
  console.log('');
  console.log('3LO per-step split (CLI-measured, median / p95):');
  for (const [k, xs] of perStep) console.log(`  ${k.padEnd(44)} ${fmt(median(xs))} / ${fmt(p95(xs))}`);
  const sum = [...perStep.values()].reduce((a, xs) => a + median(xs), 0);
  console.log(
    `  ${'(sum of step medians)'.padEnd(44)} ${fmt(sum)}; the rest of the wall time is CLI start-up and output`,
  );
} finally {
  await stack.close();
}
