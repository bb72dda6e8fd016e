#!/usr/bin/env node
/**
 * bench/soak.mjs: the local stack under 50 concurrent users for a bounded run — is memory flat, and does any token
 * reach the wrong user?
 *
 *   npm run build && node bench/soak.mjs [--users 50] [--rounds 40] [--warmup 8]
 *
 * The stack runs as `agentcore-auth local --config … --json` in a child process (as a developer runs it); this
 * process runs the CLI in-process (dist/cli/run.js, output captured), so each side's memory is measured on its own.
 * Each round, every user at once: `login` (Cognito user-password, --print access-token), `invoke` a JWT agent with
 * their bearer token and a SigV4 agent with their user id (the sample agent reports whom its workload token is for),
 * `exchange` an API key, and `exchange` a 3LO resource token from the token vault (consented once, with login_hint,
 * during warm-up). Every answer is checked against the user who asked; a mismatch is a cross-user delivery.
 *
 * Memory, baseline measured in the same run after the warm-up rounds (8 by default: the first rounds of a process
 * fill V8's compiled code and the libraries' lazy state; a heap snapshot diff between round 5 and round 40 holds only
 * compiled code and in-flight strings, no retained objects):
 *   - the CLI process: heapUsed after a forced GC at the end of each round → last/baseline and the least-squares
 *     slope (KiB per round) over the whole run and over its second half;
 *   - the stack process: its RSS (no GC can be forced from outside). The stack keeps, by design, bounded caches that
 *     fill during a run (verified JWTs ≤ 1000, workload tokens per caller ≤ 2000, runtime sessions ≤ 10 000, refresh
 *     tokens ≤ 20 000) and every workload access token for its 1 h lifetime (≤ 200 000): its RSS rises until those
 *     fill, so its figure is reported, not judged.
 * Exit 1 on any cross-user delivery.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

if (typeof globalThis.gc !== 'function') {
  // Re-run with --expose-gc: the heap figures are meaningless without a forced collection.
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '8' },
  },
});
const USERS = Number(values.users);
const ROUNDS = Number(values.rounds);
const WARMUP = Math.max(1, Number(values.warmup));
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Library noise is not bench output (bin.ts does the same for the CLI).
console.warn = () => undefined;
process.emitWarning = () => undefined;

const { runCli } = await import('../dist/cli/run.js');

// Return-URL ports below the ephemeral range (32768+ on Linux), so that outgoing connections cannot take them.
const canBind = (port) =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
const ports = [];
while (ports.length < USERS) {
  const p = 20000 + Math.floor(Math.random() * 10000);
  if (!ports.includes(p) && (await canBind(p))) ports.push(p);
}
const name = (i) => `user${String(i).padStart(3, '0')}`;
const password = (i) => `Pw-${name(i)}-Aa1!x`;

// ---- the stack, in its own process
const work = mkdtempSync(join(tmpdir(), 'aca-soak-'));
const configFile = join(work, 'stack.json');
writeFileSync(
  configFile,
  JSON.stringify({
    autoConsent: true,
    userPool: { users: Array.from({ length: USERS }, (_, i) => ({ username: name(i), password: password(i) })) },
    workloadIdentities: [
      {
        name: 'local-workload',
        allowedResourceOauth2ReturnUrls: ports.map((p) => `http://127.0.0.1:${p}/oauth2/callback`),
      },
    ],
  }),
);
const bin = fileURLToPath(new URL('../bin/agentcore-auth.js', import.meta.url));
const child = spawn(process.execPath, [bin, 'local', '--config', configFile, '--json'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, NO_COLOR: '1' },
});
let childErr = '';
child.stderr.on('data', (d) => (childErr += String(d)));
const info = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += String(d);
    const nl = out.indexOf('\n');
    if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
  });
  child.once('exit', (code) => reject(new Error(`local exited ${code}: ${childErr}`)));
});
const stackRss = () => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return NaN; // not Linux
  }
};
const app = info.userPool.clients.find((c) => c.clientSecret);
const JWT_AGENT = info.agents.find((a) => a.name === 'jwt_agent').arn;
const SIGV4_AGENT = info.agents.find((a) => a.name === 'sigv4_agent').arn;

// ---- the CLI, in this process
function capture() {
  const chunks = [];
  const write = (c) => {
    chunks.push(String(c));
    return true;
  };
  return { write, isTTY: false, text: () => chunks.join('') };
}
async function cli(argv, openBrowser = async () => {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(argv, {
    stdout,
    stderr,
    stdin: (async function* () {})(),
    env: {
      ...info.env,
      HOME: work,
      XDG_CACHE_HOME: join(work, '.cache'),
      NO_COLOR: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    cwd: work,
    homedir: work,
    fetch: globalThis.fetch.bind(globalThis),
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    randomId: () => crypto.randomUUID(),
    openBrowser,
    prompt: async () => '',
    signal: new AbortController().signal,
    version: 'soak',
    platform: process.platform,
  });
  if (code !== 0) throw new Error(`${argv.slice(0, 2).join(' ')} exited ${code}: ${stderr.text().slice(0, 400)}`);
  return stdout.text();
}

/** Follow the 3LO redirects with a cookie jar (auto-consent) and request the return URL. */
async function browser(url) {
  const jar = new Map();
  for (let hop = 0; hop < 25; hop++) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const sc of res.headers.getSetCookie()) {
      const pair = sc.split(';')[0];
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    await res.arrayBuffer();
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !loc) return;
    url = new URL(loc, url).href;
  }
}

const sub = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).sub;
let crossings = 0;
let checked = 0;
const crossingNotes = [];
function check(ok, note) {
  checked++;
  if (!ok) {
    crossings++;
    if (crossingNotes.length < 5) crossingNotes.push(note);
  }
}

async function oneUser(i) {
  const user = name(i);
  const access = (
    await cli([
      'login',
      '--user-pool-id',
      info.userPool.id,
      '--client-id',
      app.clientId,
      '--client-secret',
      app.clientSecret,
      '--username',
      user,
      '--password',
      password(i),
      '--print',
      'access-token',
      '--no-cache',
    ])
  ).trim();
  const mySub = sub(access);
  const [bearer, sigv4, apiKey, resource] = await Promise.all([
    cli(['invoke', JWT_AGENT, '{"action":"whoami"}', '--bearer-token', access, '--accept', 'application/json']),
    cli(['invoke', SIGV4_AGENT, '{"action":"whoami"}', '--user-id', user, '--accept', 'application/json']),
    cli([
      'exchange',
      '--workload-name',
      'local-workload',
      '--user-id',
      user,
      '--api-key-provider',
      'local-api-key',
      '--print',
      'api-key',
    ]),
    cli(
      [
        'exchange',
        '--workload-name',
        'local-workload',
        '--user-id',
        user,
        '--provider',
        'local-3lo',
        '--scopes',
        'api:read',
        '--return-url',
        `http://127.0.0.1:${ports[i]}/oauth2/callback`,
        '--custom-param',
        `login_hint=${user}`,
        '--print',
        'resource-token',
        '--timeout',
        '30',
      ],
      browser,
    ),
  ]);
  const b = JSON.parse(bearer);
  const s = JSON.parse(sigv4);
  check(
    b.caller?.sub === mySub && b.workloadAccessToken?.forUser?.endsWith(`#${mySub}`),
    `${user}: bearer whoami ${JSON.stringify(b.caller)}`,
  );
  check(
    s.caller?.userId === user && s.workloadAccessToken?.forUser === user,
    `${user}: sigv4 whoami ${JSON.stringify(s.caller)}`,
  );
  check(sub(resource.trim()) === user, `${user}: resource token for ${sub(resource.trim())}`);
  check(apiKey.trim().length > 0, `${user}: empty api key`);
}

async function round() {
  const t = performance.now();
  await Promise.all(Array.from({ length: USERS }, (_, i) => oneUser(i)));
  const ms = performance.now() - t;
  for (let k = 0; k < 3; k++) globalThis.gc();
  await new Promise((r) => setTimeout(r, 20));
  globalThis.gc();
  return { ms, heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, stack: stackRss() };
}

/** Least-squares slope of heapUsed, bytes per round. */
function slopeOf(rs) {
  const k = rs.length;
  const mx = (k - 1) / 2;
  const my = rs.reduce((a, r) => a + r.heap, 0) / k;
  return rs.reduce((a, r, i) => a + (i - mx) * (r.heap - my), 0) / rs.reduce((a, _, i) => a + (i - mx) ** 2, 0);
}

let rows;
try {
  for (let w = 0; w < WARMUP; w++) await round();
  rows = [await round()];
  for (let r = 1; r < ROUNDS; r++) rows.push(await round());
} finally {
  child.kill('SIGINT');
}
const stackExit = await new Promise((r) =>
  child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
);

const MiB = (b) => `${(b / 1048576).toFixed(1)} MiB`;
const n = rows.length;
const base = rows[0];
const last = rows[n - 1];
const runs = USERS * 5 * n;
const totalMs = rows.reduce((a, r) => a + r.ms, 0);
console.log(
  `soak: ${USERS} concurrent users × ${n} rounds (after ${WARMUP} warm-up), 5 CLI runs per user per round ` +
    `= ${runs} CLI runs`,
);
console.log(
  `  rounds: median ${rows
    .map((r) => r.ms)
    .sort((a, b) => a - b)
    [Math.floor(n / 2)].toFixed(0)} ms, ${((runs / totalMs) * 1000).toFixed(0)} CLI runs/s`,
);
console.log(
  `  CLI process heapUsed after GC: baseline ${MiB(base.heap)} → last ${MiB(last.heap)}  ` +
    `ratio ${(last.heap / base.heap).toFixed(3)}x  slope ${(slopeOf(rows) / 1024).toFixed(1)} KiB/round ` +
    `(second half ${(slopeOf(rows.slice(Math.floor(n / 2))) / 1024).toFixed(1)})`,
);
console.log(
  `  CLI process rss: baseline ${MiB(base.rss)} → last ${MiB(last.rss)}  ratio ${(last.rss / base.rss).toFixed(3)}x`,
);
console.log(
  `  stack process rss: baseline ${MiB(base.stack)} → last ${MiB(last.stack)}  ` +
    `ratio ${(last.stack / base.stack).toFixed(3)}x  (bounded caches filling; see the header)`,
);
console.log(`  heapUsed per round (MiB): ${rows.map((r) => (r.heap / 1048576).toFixed(1)).join(' ')}`);
console.log(`  stack: ended by SIGINT with exit ${stackExit}`);
console.log(
  `  cross-user deliveries: ${crossings} of ${checked} checked ` +
    `answers${crossingNotes.length ? `\n    ${crossingNotes.join('\n    ')}` : ''}`,
);
process.exit(crossings ? 1 : 0);
