// The load generator the emulator benchmarks share (emulator-runtime.mjs, emulator-gateway.mjs): keep-alive POSTs,
// sign-in at the local stack's user pool, and N concurrent users each looping over sequential requests.
import { createHmac } from 'node:crypto';
import http from 'node:http';

/** One POST on `agent`; resolves { status, body }. */
export function post(agent, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** An access token for each of `users` from the stack's user pool at `poolUrl` (USER_PASSWORD_AUTH, SECRET_HASH). */
export async function signIn(poolUrl, { clientId, clientSecret, users }, password) {
  const agent = new http.Agent({ keepAlive: true });
  const tokens = [];
  for (const username of users) {
    const hash = createHmac('sha256', clientSecret)
      .update(username + clientId)
      .digest('base64');
    const r = await post(
      agent,
      `${poolUrl}/`,
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      JSON.stringify({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: hash },
      }),
    );
    if (r.status !== 200) throw new Error(`sign-in failed for ${username}: ${r.status} ${r.body}`);
    tokens.push(JSON.parse(r.body).AuthenticationResult.AccessToken);
  }
  agent.destroy();
  return tokens;
}

/**
 * `users` concurrent keep-alive loops of sequential POSTs to `url`, bounded by `seconds` and a total of `max`
 * requests. User u sends `headers(u)` (built once per user) and, as its i-th request (from 1), `body(u, i)`; an answer
 * counts as a failure unless `ok(answer, u, i)` (default: status 200). Returns the rate and the latency quantiles.
 */
export async function load({ url, users, seconds, max, headers, body, ok = (r) => r.status === 200 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: users });
  const deadline = performance.now() + seconds * 1000;
  const latencies = [];
  let sent = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: users }, async (_, u) => {
      const h = headers(u);
      let i = 0;
      while (sent < max && performance.now() < deadline) {
        sent++;
        const b = body(u, ++i);
        const s = performance.now();
        const r = await post(agent, url, h, b);
        latencies.push(performance.now() - s);
        if (!ok(r, u, i)) failures++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { requests: latencies.length, failures, perSecond: latencies.length / elapsed, p50: q(0.5), p99: q(0.99) };
}
