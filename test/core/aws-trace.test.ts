import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetWorkloadAccessTokenCommand } from '@aws-sdk/client-bedrock-agentcore';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/core/aws.js';
import type { HttpExchange } from '../../src/core/http.js';

describe('AWS clients from io.aws', () => {
  it('honour AWS_ENDPOINT_URL_<SERVICE>, report each attempt to the trace, and retry 5xx', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      if (hits === 1) {
        res
          .writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerException' })
          .end('{"message":"flaky"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"workloadAccessToken":"AgV4-test-token"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const seen: Array<[string, HttpExchange]> = [];
    const aws = createAwsClients({
      env: { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: url, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' },
      settings: { region: 'us-east-1', profile: undefined },
      onExchange: (ex, phase) => seen.push([phase, { ...ex }]),
    });
    const client = await aws.agentcore();
    const out = await client.send(new GetWorkloadAccessTokenCommand({ workloadName: 'demo' }));
    expect(out.workloadAccessToken).toBe('AgV4-test-token');
    expect(hits).toBe(2);
    const responses = seen.filter(([p]) => p === 'response').map(([, e]) => e);
    expect(responses.map((e) => e.status)).toEqual([500, 200]);
    expect(responses[0]!.url).toBe(`${url}/identities/GetWorkloadAccessToken`);
    expect(responses[0]!.label).toBe('GetWorkloadAccessToken');
    expect(responses[0]!.requestHeaders.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/bedrock-agentcore\/aws4_request/,
    );
    server.close();
  });
});
