#!/usr/bin/env node
/**
 * bench/emulator-runtime.mjs: JWT-agent invocations per second on the local stack, next to a bare node:http server
 * measured in the same run, and the stack's memory over 10,000 invocations.
 *
 *   npm run build && node bench/emulator-runtime.mjs [--seconds 2] [--rounds 3] [--max 20000] [--memory 10000]
 *
 * Each server runs in its own child process (the stack: runtime + JWT authorizer + WAT minting + forwarding to the
 * built-in sample agent on its own port; the bare server: read the body, answer a JSON document of the same size).
 * The load generator (this process) runs N concurrent users, each a keep-alive loop of sequential requests with its own
 * Cognito access token (signed in at the stack's user pool) and session id, for --seconds or --max requests per level,
 * whichever ends first. Loopback only; every loop is bounded and everything is closed at the end.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { load as loadOn, signIn } from './http-load.mjs';
import { target } from './target.mjs';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    max: { type: 'string', default: '20000' },
    memory: { type: 'string', default: '10000' },
  },
});

const USERS = 50;
const PASSWORD = 'Bench-Passw0rd!';

// ------------------------------------------------------------------------------------------------------------------
// Child processes: the servers.

/** Milliseconds spent in GC pauses so far in this process (both servers report it with their CPU time). */
const gcMs = { total: 0 };
if (values.serve)
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs.total += e.duration;
  }).observe({ entryTypes: ['gc'] });

if (values.serve === 'stack') {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.warn = () => undefined;
  const { startLocalStack } = await import('../dist/emulator/stack.js');
  const users = Array.from({ length: USERS }, (_, i) => ({
    username: `user${String(i + 1).padStart(2, '0')}`,
    password: PASSWORD,
  }));
  const stack = await startLocalStack({ config: { userPool: { users } } });
  const jwt = stack.agents.find((a) => a.name === 'jwt_agent');
  const app = stack.userPool.clients.find((c) => c.name === 'app-client');
  process.send({
    url: stack.url,
    invokePath: `/runtimes/${encodeURIComponent(
      `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${jwt.id}`,
    )}/invocations?qualifier=DEFAULT`,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    users: users.map((u) => u.username),
  });
  process.on('message', async (m) => {
    if (m === 'mem') {
      globalThis.gc?.();
      await new Promise((r) => setTimeout(r, 50));
      globalThis.gc?.();
      const mem = process.memoryUsage();
      process.send({
        mem: { rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external },
        wats: stack.state.wats.size,
      });
    }
    if (m === 'cpu') process.send({ cpu: process.cpuUsage(), gcMs: gcMs.total });
    if (m === 'exit') await stack.close().then(() => process.exit(0));
  });
} else if (values.serve === 'bare') {
  // The same shape of answer as the sample agent's whoami (about the same size).
  const answer = JSON.stringify({
    type: 'whoami',
    agent: 'bare node:http baseline',
    prompt: 'hello',
    caller: { sub: '00000000-0000-0000-0000-000000000000', source: 'workload access token' },
    sessionId: 'x'.repeat(44),
    requestId: randomUUID(),
    workloadAccessToken: {
      received: true,
      fingerprint: 'sha256:00000000',
      workload: 'jwt_agent-local00002',
      forUser: 'jwt:http://127.0.0.1/pool#sub',
    },
    authorizationHeader: { received: true, fingerprint: 'sha256:00000000' },
    customHeaders: {},
    oauth2CallbackUrl: 'http://localhost:8081/oauth2/callback',
  });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1', () =>
    process.send({ url: `http://127.0.0.1:${server.address().port}`, invokePath: '/invocations' }),
  );
  process.on('message', (m) => {
    if (m === 'cpu') process.send({ cpu: process.cpuUsage(), gcMs: gcMs.total });
    if (m === 'exit') server.close(() => process.exit(0));
  });
} else {
  await main();
}

// ------------------------------------------------------------------------------------------------------------------
// The load generator.

function spawn(kind) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind], {
    execArgv: [
      '--expose-gc',
      ...(process.env.BENCH_PROF && kind === 'stack' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
    ],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const first = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  const ask = (msg) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send(msg);
    });
  return first.then((info) => ({
    info,
    child,
    ask,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.send('exit');
      }),
  }));
}

/** `users` concurrent loops of invocations, each user with its own token and session id. */
function load(info, users, tokens, { seconds, max }) {
  const body = JSON.stringify({ prompt: 'hello' });
  return loadOn({
    url: `${info.url}${info.invokePath}`,
    users,
    seconds,
    max,
    headers: (u) => ({
      'content-type': 'application/json',
      authorization: `Bearer ${tokens[u % tokens.length]}`,
      'x-amzn-bedrock-agentcore-runtime-session-id': `bench-session-${String(u).padStart(3, '0')}-${'x'.repeat(24)}`,
    }),
    body: () => body,
  });
}

async function main() {
  const seconds = Number(values.seconds);
  const max = Number(values.max);
  const memN = Number(values.memory);
  const [stack, bare] = await Promise.all([spawn('stack'), spawn('bare')]);
  try {
    const tokens = await signIn(stack.info.url, stack.info, PASSWORD);
    // Warm both (JIT, discovery + JWKS fetch and cache, keep-alive sockets to the sample agent).
    await load(stack.info, 8, tokens, { seconds: 1, max: 500 });
    await load(bare.info, 8, tokens, { seconds: 1, max: 500 });

    console.log(
      `JWT-agent invocations per second (loopback, keep-alive; stack and bare server each in its own ` +
        `process; median of ${values.rounds} alternating rounds)`,
    );
    console.log(
      'users  stack req/s  p50 ms  p99 ms  CPU µs/req  GC µs/req | bare req/s  p50 ms  p99 ms  CPU µs/req  GC ' +
        'µs/req | stack/bare',
    );
    const cpuPerReq = async (server, fn) => {
      const a = await server.ask('cpu');
      const r = await fn();
      const b = await server.ask('cpu');
      return {
        ...r,
        cpuUs: (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / r.requests,
        gcUs: (1000 * (b.gcMs - a.gcMs)) / r.requests,
      };
    };
    // Rounds alternate stack and bare so that load from other processes on the machine hits both alike; each line shows
    // the round with the median ratio.
    const rounds = Math.max(1, Number(values.rounds));
    for (const users of [1, 8, 50]) {
      const results = [];
      for (let r = 0; r < rounds; r++) {
        const s = await cpuPerReq(stack, () => load(stack.info, users, tokens, { seconds, max }));
        const b = await cpuPerReq(bare, () => load(bare.info, users, tokens, { seconds, max }));
        if (s.failures || b.failures) console.log(`  (non-200 answers: stack ${s.failures}, bare ${b.failures})`);
        results.push({ s, b, ratio: s.perSecond / b.perSecond });
      }
      results.sort((x, y) => x.ratio - y.ratio);
      const { s, b } = results[Math.floor(results.length / 2)];
      const pct = (100 * s.perSecond) / b.perSecond;
      target(
        `stack JWT invocations, ${users} user${users > 1 ? 's' : ''}: req/s vs bare node:http`,
        `${pct.toFixed(0)} % (${s.perSecond.toFixed(0)} vs ${b.perSecond.toFixed(0)} req/s)`,
        '≥ 60 %',
        pct >= 60,
      );
      if (users === 50)
        target(
          'stack p99 latency at 50 users vs bare',
          `${(s.p99 / b.p99).toFixed(1)}× (${s.p99.toFixed(1)} vs ${b.p99.toFixed(1)} ms)`,
          '≤ 2×',
          s.p99 <= 2 * b.p99,
        );
      /** One server's columns: requests/s, p50, p99, CPU µs and GC µs per request. */
      const columns = (r, width) =>
        `${r.perSecond.toFixed(0).padStart(width)}  ${r.p50.toFixed(2).padStart(6)}  ` +
        `${r.p99.toFixed(2).padStart(6)}  ${r.cpuUs.toFixed(0).padStart(10)}  ${r.gcUs.toFixed(1).padStart(9)}`;
      const verdict = pct >= 60 ? '(target ≥ 60 %: met)' : '(target ≥ 60 %: NOT met)';
      console.log(
        `${String(users).padStart(5)}  ${columns(s, 11)} | ${columns(b, 10)} | ` +
          `${pct.toFixed(0).padStart(4)} % ${verdict}`,
      );
    }

    // Memory over memN invocations (8 users), heap measured after GC in the stack process.
    const mb = (n) => (n / 1024 / 1024).toFixed(1);
    const before = await stack.ask('mem');
    const points = [before];
    const step = Math.ceil(memN / 4);
    let done = 0;
    while (done < memN) {
      const n = Math.min(step, memN - done);
      const r = await load(stack.info, 8, tokens, { seconds: 600, max: n });
      done += r.requests;
      points.push(await stack.ask('mem'));
    }
    console.log(
      `\nstack memory over ${done} invocations (8 users; after GC): ` +
        `heapUsed ${points.map((p) => mb(p.mem.heapUsed)).join(' → ')} MB; ` +
        `rss ${points.map((p) => mb(p.mem.rss)).join(' → ')} MB; WATs held ${points.map((p) => p.wats).join(' → ')}`,
    );
    const growth = points.at(-1).mem.heapUsed - points[1].mem.heapUsed;
    console.log(
      `heap growth from the first to the last quarter: ${mb(growth)} MB ` +
        `(${growth < 5 * 1024 * 1024 ? 'flat' : 'GROWING'})`,
    );
  } finally {
    await Promise.allSettled([stack.stop(), bare.stop()]);
  }
}
