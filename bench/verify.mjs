#!/usr/bin/env node
/**
 * bench/verify.mjs: what `agentcore-auth verify` costs over a bare signature check.
 *
 *   npm run build && node bench/verify.mjs [--runs 200] [--warmup 20] [--spawns 15]
 *
 * A loopback IdP (discovery + JWKS, jose RS256 key) serves both sides. Each CLI run is the whole command in-process
 * (dist/: argv parsing, discovery + JWKS fetch, the nine checks, the table on a discarded stdout). The baseline,
 * measured in the same run, is the minimum any verifier must do for one token: fetch discovery, fetch the JWKS and
 * jose.jwtVerify with the issuer. The ratio says what the claim-by-claim report and the CLI cost on top.
 * Last, the cold start: the real binary (bin/agentcore-auth.js verify …) in a new process against `node -e 0`.
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { runCli } from '../dist/cli/run.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    spawns: { type: 'string', default: '15' },
  },
});
const SPAWNS = Number(values.spawns);
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { privateKey, publicKey } = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
let origin = '';
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url === '/.well-known/openid-configuration')
    return void res.end(JSON.stringify({ issuer: origin, jwks_uri: `${origin}/jwks` }));
  if (req.url === '/jwks') return void res.end(JSON.stringify({ keys: [jwk] }));
  res.statusCode = 404;
  res.end('{}');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
origin = `http://127.0.0.1:${server.address().port}`;
const discoveryUrl = `${origin}/.well-known/openid-configuration`;
const token = await new SignJWT({ client_id: 'bench-client', scope: 'api:read', sub: 'alice' })
  .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
  .setIssuer(origin)
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);

const sink = { write: () => true, isTTY: false };
const ctx = () => ({
  stdout: sink,
  stderr: sink,
  stdin: (async function* () {})(),
  env: { ...process.env, NO_COLOR: '1' },
  cwd: process.cwd(),
  homedir: process.env.HOME ?? '/tmp',
  fetch: globalThis.fetch.bind(globalThis),
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  randomId: () => 'bench',
  openBrowser: async () => {},
  prompt: async () => '',
  signal: new AbortController().signal,
  version: 'bench',
  platform: process.platform,
});

const argv = [
  'verify',
  token,
  '--discovery-url',
  discoveryUrl,
  '--allowed-clients',
  'bench-client',
  '--allowed-scopes',
  'api:read',
  '--custom-claim',
  'sub:EQUALS:alice',
];
async function cliOnce() {
  const code = await runCli(argv, ctx());
  if (code !== 0) throw new Error(`verify exited ${code}`);
}
async function baselineOnce() {
  const meta = await (await fetch(discoveryUrl)).json();
  const keys = await (await fetch(meta.jwks_uri)).json();
  await jwtVerify(token, createLocalJWKSet(keys), { issuer: meta.issuer });
}

async function measure(fn) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], p95: ms[Math.floor(ms.length * 0.95)] };
}

// Interleave the two so that machine noise hits both alike.
const base = await measure(baselineOnce);
const cli = await measure(cliOnce);
const base2 = await measure(baselineOnce);
const baseline = { median: (base.median + base2.median) / 2, p95: (base.p95 + base2.p95) / 2 };

// Cold start: the real binary in a fresh process, against `node -e 0` (the floor of any Node CLI), same machine, same
// run.
const bin = fileURLToPath(new URL('../bin/agentcore-auth.js', import.meta.url));
function spawnOnce(args) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      args[0] === bin && code !== 0 ? reject(new Error(`exit ${code}`)) : resolve(performance.now() - t),
    );
  });
}
async function spawnMedian(args) {
  await spawnOnce(args);
  const ms = [];
  for (let i = 0; i < SPAWNS; i++) ms.push(await spawnOnce(args));
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}
const nodeFloor = await spawnMedian(['-e', '0']);
const cold = await spawnMedian([bin, ...argv]);
server.close();
const f = (n) => `${n.toFixed(2)} ms`;
console.log(`verify (in-process CLI, 9 checks)   median ${f(cli.median)}  p95 ${f(cli.p95)}`);
console.log(`baseline (discovery + JWKS + jose)  median ${f(baseline.median)}  p95 ${f(baseline.p95)}`);
console.log(`ratio (median): ${(cli.median / baseline.median).toFixed(2)}x  over ${RUNS} runs after ${WARMUP} warm-up`);
console.log(
  `cold start: agentcore-auth verify in a new process  median ${f(cold)}  vs node -e 0  ${f(nodeFloor)}  ` +
    `ratio ${(cold / nodeFloor).toFixed(2)}x  (${SPAWNS} spawns each)`,
);
