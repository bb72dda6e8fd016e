#!/usr/bin/env node
/**
 * Throughput of the local stack's identity half, next to a bare node:http server measured in the same run.
 *
 *   npm run build && node bench/emulator-identity.mjs [--seconds 3] [--concurrency 16]
 *
 * 1. GetWorkloadAccessTokenForJWT: one SigV4-signed request (signed once with @smithy/signature-v4, replayed — the
 *    signature stays valid for 5 minutes) sent by `fetch` workers; the stack verifies SigV4 and the JWT (RS256) and
 *    mints a token each time. Baseline: the same fetch workers POSTing the same body to a bare server answering {}. 2.
 *    The full 3LO round trip with the real SDK clients and a redirect-following fetch: ForUserId →
 *    GetResourceOauth2Token
 *    → authorize → 3LO provider (oidc-provider, auto-consent) → callback → return URL → CompleteResourceTokenAuth →
 *    GetResourceOauth2Token. Baseline: a bare-server "round trip" of the same number of sequential HTTP requests.
 * Prints requests (or round trips) per second and the ratio stack/bare.
 */
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '16' } },
});
const SECONDS = Number(values.seconds);
const CONC = Number(values.concurrency);

const { startLocalStack } = await import('../dist/emulator/stack.js');
const { SignatureV4 } = await import('@smithy/signature-v4');
const { HttpRequest } = await import('@smithy/protocol-http');
const {
  BedrockAgentCoreClient,
  GetWorkloadAccessTokenForUserIdCommand,
  GetResourceOauth2TokenCommand,
  CompleteResourceTokenAuthCommand,
} = await import('@aws-sdk/client-bedrock-agentcore');
const { CognitoIdentityProviderClient, InitiateAuthCommand } = await import(
  '@aws-sdk/client-cognito-identity-provider'
);
const { createHash, createHmac: hmac } = await import('node:crypto');

class Sha256 {
  constructor(secret) {
    this.h = secret === undefined ? createHash('sha256') : hmac('sha256', secret);
  }
  update(d) {
    this.h.update(d);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {}
}

async function run(workers, fn) {
  let count = 0;
  let errors = 0;
  const end = Date.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (Date.now() < end) {
        try {
          await fn(w, count);
          count++;
        } catch (e) {
          errors++;
          if (errors === 1) console.error('  first error:', e.message);
        }
      }
    }),
  );
  return { perSecond: count / ((performance.now() - t0) / 1000), count, errors };
}

const bare = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
  });
});
await new Promise((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${bare.address().port}`;

const stack = await startLocalStack({ port: 0, autoConsent: true });
const app = stack.userPool.clients[0];
const cognito = new CognitoIdentityProviderClient({
  region: stack.region,
  endpoint: stack.url,
  credentials: stack.credentials,
});
const login = await cognito.send(
  new InitiateAuthCommand({
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: app.clientId,
    AuthParameters: {
      USERNAME: 'alice',
      PASSWORD: 'Alice-Passw0rd!',
      SECRET_HASH: createHmac('sha256', app.clientSecret).update(`alice${app.clientId}`).digest('base64'),
    },
  }),
);
const body = JSON.stringify({ workloadName: 'local-workload', userToken: login.AuthenticationResult.AccessToken });
const url = new URL(`${stack.url}/identities/GetWorkloadAccessTokenForJWT`);
const signer = new SignatureV4({
  service: 'bedrock-agentcore',
  region: stack.region,
  credentials: stack.credentials,
  sha256: Sha256,
});
const signed = await signer.sign(
  new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  }),
);
const { host: _host, ...headers } = signed.headers;

console.log(
  `agentcore-auth local stack, identity half — ${SECONDS}s per measurement, ${CONC} concurrent workers, ` +
    `node ${process.version}`,
);
const b1 = await run(CONC, async () => {
  const r = await fetch(`${bareUrl}/identities/GetWorkloadAccessTokenForJWT`, { method: 'POST', headers, body });
  await r.arrayBuffer();
});
const s1 = await run(CONC, async () => {
  const r = await fetch(url, { method: 'POST', headers, body });
  const j = await r.json();
  if (!j.workloadAccessToken) throw new Error(`unexpected ${r.status} ${JSON.stringify(j)}`);
});
console.log(
  `GetWorkloadAccessTokenForJWT   stack ${s1.perSecond.toFixed(0).padStart(6)} req/s   bare node ` +
    `http ${b1.perSecond.toFixed(0).padStart(6)} req/s   ratio ${(s1.perSecond / b1.perSecond).toFixed(3)}   ` +
    `(errors ${s1.errors}/${b1.errors})`,
);

const data = new BedrockAgentCoreClient({
  region: stack.region,
  endpoint: stack.url,
  credentials: stack.credentials,
  maxAttempts: 1,
});
let hops = 0;
async function follow(start) {
  let u = start;
  const jar = new Map();
  let n = 0;
  for (;;) {
    const res = await fetch(u, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    n++;
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';');
      const i = pair.indexOf('=');
      if (
        !pair.slice(i + 1) ||
        attrs.some((a) => /max-age=0/i.test(a) || (/expires=/i.test(a) && new Date(a.split('=')[1]) < new Date()))
      )
        jar.delete(pair.slice(0, i).trim());
      else jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    await res.arrayBuffer();
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`stopped at ${u} (${res.status})`);
    u = new URL(loc, u).href;
    if (u.includes('session_id=')) return { url: new URL(u), requests: n };
  }
}
const roundTrip = async (w, i) => {
  const user = `bench-${w}-${i}`;
  const { workloadAccessToken } = await data.send(
    new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'local-workload', userId: user }),
  );
  const req = {
    workloadIdentityToken: workloadAccessToken,
    resourceCredentialProviderName: 'local-3lo',
    scopes: ['api:read'],
    oauth2Flow: 'USER_FEDERATION',
    customParameters: { login_hint: user },
  };
  const start = await data.send(new GetResourceOauth2TokenCommand(req));
  const back = await follow(start.authorizationUrl);
  await data.send(
    new CompleteResourceTokenAuthCommand({
      sessionUri: back.url.searchParams.get('session_id'),
      userIdentifier: { userId: user },
    }),
  );
  const done = await data.send(new GetResourceOauth2TokenCommand({ ...req, sessionUri: start.sessionUri }));
  if (!done.accessToken) throw new Error('no token');
  hops = back.requests + 4;
};
await roundTrip(0, -1); // warm-up, and counts the HTTP requests of one round trip
const perTrip = hops;
const s2 = await run(CONC, roundTrip);
const b2 = await run(CONC, async () => {
  for (let k = 0; k < perTrip; k++) {
    const r = await fetch(`${bareUrl}/step${k}`, { method: 'POST', body: '{}' });
    await r.arrayBuffer();
  }
});
console.log(
  `3LO round trip (${perTrip} requests)  stack ${s2.perSecond.toFixed(1).padStart(6)} flows/s  bare node ` +
    `http ${b2.perSecond.toFixed(1).padStart(6)} flows/s  ` +
    `ratio ${(s2.perSecond / b2.perSecond).toFixed(3)}   (errors ${s2.errors}/${b2.errors})`,
);

await stack.close();
await new Promise((r) => bare.close(r));
