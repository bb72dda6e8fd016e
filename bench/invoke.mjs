#!/usr/bin/env node
// invoke overhead: the CLI's bearer invoke (in-process runCli, the same code the binary runs, minus process start-up)
// against the local stack, versus the identical request sent with bare fetch (same URL, headers and body; body read to
// the end), interleaved in the same run so machine noise hits both alike. Also the SigV4 path (in-process runCli vs the
// SDK's InvokeAgentRuntimeCommand called directly), and one cold-start row (the built binary spawned per call) for
// scale. Needs dist/ (npm run build). Usage: node bench/invoke.mjs [RUNS=60]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}dist/cli/run.js`)) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const RUNS = Number(process.argv[2] ?? 60);
const WARMUP = 8;
const SPAWNS = 7;

const { startLocalStack } = await import(`${root}dist/emulator/stack.js`);
const { runCli } = await import(`${root}dist/cli/run.js`);
const { sleep } = await import(`${root}dist/cli/context.js`);
const { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } = await import('@aws-sdk/client-bedrock-agentcore');

const stack = await startLocalStack({ port: 0 });
const jwtAgent = stack.agents.find((a) => a.authorizerConfiguration);
const iamAgent = stack.agents.find((a) => !a.authorizerConfiguration);
const arnOf = (a) => `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:runtime/${a.id}`;

// A user token from the stack's own user pool, for an app client the JWT agent allows (SECRET_HASH if it has a secret).
const allowed =
  jwtAgent.authorizerConfiguration.customJWTAuthorizer.allowedClients ?? stack.userPool.clients.map((c) => c.clientId);
const client = stack.userPool.clients.find((c) => allowed.includes(c.clientId));
const user = stack.userPool.users.find((u) => !u.temporaryPassword);
const { createHmac } = await import('node:crypto');
const secretHash = client.clientSecret
  ? {
      SECRET_HASH: createHmac('sha256', client.clientSecret)
        .update(user.username + client.clientId)
        .digest('base64'),
    }
  : {};
const auth = await fetch(stack.endpoints.cognito, {
  method: 'POST',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
  },
  body: JSON.stringify({
    ClientId: client.clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: user.username, PASSWORD: user.password, ...secretHash },
  }),
});
const token = (await auth.json()).AuthenticationResult.AccessToken;

const sink = { write() {}, isTTY: false };
const ctx = () => ({
  stdout: sink,
  stderr: sink,
  stdin: (async function* () {})(),
  env: {
    ...stack.env,
    HOME: '/nonexistent',
    NO_COLOR: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
  },
  cwd: root,
  homedir: '/nonexistent',
  fetch: globalThis.fetch.bind(globalThis),
  now: () => Date.now(),
  sleep,
  randomId: () => crypto.randomUUID(),
  openBrowser: async () => {},
  prompt: async () => '',
  signal: new AbortController().signal,
  version: 'bench',
  platform: process.platform,
});

const payload = '{"prompt":"hi"}';
const bearerArgv = [
  'invoke',
  arnOf(jwtAgent),
  payload,
  '--bearer-token',
  token,
  '--accept',
  'application/json',
  '--quiet',
];
const sigv4Argv = ['invoke', arnOf(iamAgent), payload, '--user-id', 'bench', '--accept', 'application/json', '--quiet'];

async function cli(argv) {
  const code = await runCli(argv, ctx());
  if (code !== 0) throw new Error(`invoke exited ${code}`);
}
async function bareFetch() {
  const res = await fetch(
    `${stack.endpoints.agentcore}/runtimes/${encodeURIComponent(arnOf(jwtAgent))}/invocations?qualifier=DEFAULT`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-amzn-bedrock-agentcore-runtime-session-id': `bench-${crypto.randomUUID()}`,
        authorization: `Bearer ${token}`,
      },
      body: payload,
    },
  );
  if (!res.ok) throw new Error(`bare fetch got ${res.status}`);
  await res.text();
}
const sdk = new BedrockAgentCoreClient({
  region: stack.region,
  endpoint: stack.endpoints.agentcore,
  credentials: stack.credentials,
});
async function bareSdk() {
  const out = await sdk.send(
    new InvokeAgentRuntimeCommand({
      agentRuntimeArn: arnOf(iamAgent),
      qualifier: 'DEFAULT',
      payload: new TextEncoder().encode(payload),
      contentType: 'application/json',
      accept: 'application/json',
      runtimeUserId: 'bench',
    }),
  );
  await out.response.transformToString();
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];

async function pair(a, b) {
  for (let i = 0; i < WARMUP; i++) {
    await a();
    await b();
  }
  const ta = [];
  const tb = [];
  for (let i = 0; i < RUNS; i++) {
    // alternate the order so neither always runs on a warmer connection
    for (const [fn, into] of i % 2
      ? [
          [a, ta],
          [b, tb],
        ]
      : [
          [b, tb],
          [a, ta],
        ]) {
      const t = performance.now();
      await fn();
      into.push(performance.now() - t);
    }
  }
  return { a: { median: median(ta), p95: p95(ta) }, b: { median: median(tb), p95: p95(tb) } };
}

const bearer = await pair(() => cli(bearerArgv), bareFetch);
const sigv4 = await pair(() => cli(sigv4Argv), bareSdk);

const bin = `${root}bin/agentcore-auth.js`;
function spawnOnce(args, env) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, ...env } });
    child.once('error', reject);
    child.once('exit', (code) =>
      code !== 0 && args[0] === bin ? reject(new Error(`exit ${code}`)) : resolve(performance.now() - t),
    );
  });
}
async function spawnMedian(args, env = {}) {
  await spawnOnce(args, env);
  const ms = [];
  for (let i = 0; i < SPAWNS; i++) ms.push(await spawnOnce(args, env));
  return median(ms);
}
const nodeFloor = await spawnMedian(['-e', '0']);
const cold = await spawnMedian([bin, ...bearerArgv], stack.env);

sdk.destroy();
await stack.close();

const f = (n) => `${n.toFixed(2)} ms`;
console.log(
  `invoke overhead against the local stack (node ${process.version}, ${RUNS} runs each after ${WARMUP} ` +
    `warm-up, interleaved)`,
);
console.log(`bearer  CLI in-process (runCli)     median ${f(bearer.a.median)}  p95 ${f(bearer.a.p95)}`);
console.log(`        bare fetch, same request    median ${f(bearer.b.median)}  p95 ${f(bearer.b.p95)}`);
console.log(
  `        overhead ratio (median)     ${(bearer.a.median / bearer.b.median).toFixed(2)}x  ` +
    `(+${(bearer.a.median - bearer.b.median).toFixed(2)} ms)`,
);
console.log(`sigv4   CLI in-process (runCli)     median ${f(sigv4.a.median)}  p95 ${f(sigv4.a.p95)}`);
console.log(`        SDK InvokeAgentRuntime      median ${f(sigv4.b.median)}  p95 ${f(sigv4.b.p95)}`);
console.log(
  `        overhead ratio (median)     ${(sigv4.a.median / sigv4.b.median).toFixed(2)}x  ` +
    `(+${(sigv4.a.median - sigv4.b.median).toFixed(2)} ms)`,
);
console.log(
  `cold    spawned binary, bearer      median ${f(cold)}  vs node -e 0 ${f(nodeFloor)}  (${SPAWNS} spawns ` +
    `each; process start-up dominates)`,
);
