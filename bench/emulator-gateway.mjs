#!/usr/bin/env node
/**
 * bench/emulator-gateway.mjs: MCP tools/call per second through a CUSTOM_JWT gateway of the local stack to a local
 * MCP server, next to a bare node:http reverse proxy in front of the same server, measured in the same run with the
 * same client (8 users by default).
 *
 *   npm run build && node bench/emulator-gateway.mjs [--users 8] [--seconds 2] [--rounds 3] [--max 20000]
 *
 * Four processes: the MCP server (node:http, JSON-RPC answered as JSON: the cheapest target, so the gateway's own
 * cost shows), the stack (JWT authorizer, gateway data plane, its MCP client to the server), the reverse proxy (pipes
 * each request to the server on a keep-alive pool and the answer back), and this load generator: N concurrent users,
 * each a keep-alive loop of sequential tools/call requests with its own Cognito access token. Rounds alternate gateway
 * and proxy so that load from elsewhere on the machine hits both alike; the median ratio is reported.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { load as loadOn, signIn } from './http-load.mjs';
import { target } from './target.mjs';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    upstream: { type: 'string' },
    users: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    max: { type: 'string', default: '20000' },
  },
});

const PASSWORD = 'Bench-Passw0rd!';
const USERS = Number(values.users);

if (values.serve === 'mcp') {
  // The target: tools `add` and `echo`, one JSON answer per request (no SSE, no session).
  const tools = [
    {
      name: 'add',
      description: 'adds',
      inputSchema: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } } },
    },
  ];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (msg.id === undefined) return res.writeHead(202, { 'content-length': 0 }).end();
      const result =
        msg.method === 'initialize'
          ? {
              protocolVersion: msg.params?.protocolVersion ?? '2025-06-18',
              capabilities: { tools: {} },
              serverInfo: { name: 'bench', version: '1' },
            }
          : msg.method === 'tools/list'
            ? { tools }
            : {
                content: [
                  { type: 'text', text: String((msg.params?.arguments?.a ?? 0) + (msg.params?.arguments?.b ?? 0)) },
                ],
                isError: false,
              };
      const body = JSON.stringify({ jsonrpc: '2.0', id: msg.id, result });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}/mcp` }));
  process.on('message', (m) => m === 'exit' && server.close(() => process.exit(0)));
} else if (values.serve === 'proxy') {
  // The baseline: a bare reverse proxy, piping the request to the server and its answer back.
  const upstream = new URL(values.upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const out = http.request(
      upstream,
      { method: req.method, headers: { ...req.headers, host: upstream.host }, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1', () =>
    process.send({ url: `http://127.0.0.1:${server.address().port}/mcp`, tool: 'add' }),
  );
  process.on('message', (m) => {
    if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
    if (m === 'exit') server.close(() => process.exit(0));
  });
} else if (values.serve === 'stack') {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.warn = () => undefined;
  const { startLocalStack } = await import('../dist/emulator/stack.js');
  const users = Array.from({ length: USERS }, (_, i) => ({ username: `user${i + 1}`, password: PASSWORD }));
  const stack = await startLocalStack({
    config: {
      userPool: { users },
      gateways: [
        {
          name: 'bench',
          targets: [{ name: 'calc', targetConfiguration: { mcp: { mcpServer: { endpoint: values.upstream } } } }],
        },
      ],
    },
  });
  const app = stack.userPool.clients.find((c) => c.name === 'app-client');
  process.send({
    url: stack.gateways[0].gatewayUrl,
    tool: 'calc___add',
    cognito: stack.url,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    users: users.map((u) => u.username),
  });
  process.on('message', async (m) => {
    if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
    if (m === 'exit') await stack.close().then(() => process.exit(0));
  });
} else {
  await main();
}

function spawn(kind, upstream) {
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--serve', kind, ...(upstream ? ['--upstream', upstream] : []), '--users', String(USERS)],
    {
      execArgv: process.env.BENCH_PROF && kind === 'stack' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/gwprof'] : [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (info) =>
      resolve({
        info,
        cpu: () =>
          new Promise((r) => {
            child.once('message', (m) => r(m.cpu.user + m.cpu.system));
            child.send('cpu');
          }),
        stop: () =>
          new Promise((r) => {
            child.once('exit', r);
            child.send('exit');
          }),
      }),
    );
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

/** USERS concurrent loops of tools/call (calc___add of u and i, whose sum the answer must hold). */
function load(info, tokens, { seconds, max }) {
  return loadOn({
    url: info.url,
    users: USERS,
    seconds,
    max,
    headers: (u) => ({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${tokens[u % tokens.length]}`,
    }),
    body: (u, i) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: i,
        method: 'tools/call',
        params: { name: info.tool, arguments: { a: u, b: i } },
      }),
    ok: (r, u, i) => r.status === 200 && r.body.includes(`"text":"${u + i}"`),
  });
}

async function main() {
  const seconds = Number(values.seconds);
  const max = Number(values.max);
  const mcp = await spawn('mcp');
  const [gateway, proxy] = await Promise.all([spawn('stack', mcp.info.url), spawn('proxy', mcp.info.url)]);
  try {
    const tokens = await signIn(gateway.info.cognito, gateway.info, PASSWORD);
    // Warm both (JIT, the authorizer's discovery + JWKS, the gateway's MCP session, keep-alive sockets).
    await load(gateway.info, tokens, { seconds: 1, max: 500 });
    await load(proxy.info, tokens, { seconds: 1, max: 500 });
    console.log(
      `tools/call per second, ${USERS} users (loopback, keep-alive; median of ${values.rounds} alternating rounds)`,
    );
    console.log(
      'round  gateway req/s  p50 ms  p99 ms  CPU µs/req | proxy req/s  p50 ms  p99 ms  CPU µs/req | gateway/proxy',
    );
    const ratios = [];
    const measured = async (server, info) => {
      const before = await server.cpu();
      const r = await load(info, tokens, { seconds, max });
      return { ...r, cpuUs: ((await server.cpu()) - before) / r.requests };
    };
    for (let r = 0; r < Math.max(1, Number(values.rounds)); r++) {
      const g = await measured(gateway, gateway.info);
      const p = await measured(proxy, proxy.info);
      if (g.failures || p.failures) console.log(`  (failed answers: gateway ${g.failures}, proxy ${p.failures})`);
      const ratio = g.perSecond / p.perSecond;
      ratios.push(ratio);
      const cols = (x, w) => [
        x.perSecond.toFixed(0).padStart(w),
        x.p50.toFixed(2).padStart(6),
        x.p99.toFixed(2).padStart(6),
        x.cpuUs.toFixed(0).padStart(10),
      ];
      console.log(
        `${String(r + 1).padStart(5)}  ${cols(g, 13).join('  ')} | ${cols(p, 11).join('  ')} | ` +
          `${(100 * ratio).toFixed(0)} %`,
      );
    }
    ratios.sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)];
    console.log(`median: the gateway serves ${(100 * median).toFixed(0)} % of the bare reverse proxy's rate`);
    target(
      `gateway tools/call, ${USERS} users, vs a bare node:http reverse proxy`,
      `${(100 * median).toFixed(0)} %`,
      '≥ 60 %',
      median >= 0.6,
    );
  } finally {
    await Promise.all([gateway.stop(), proxy.stop()]);
    await mcp.stop();
  }
}
