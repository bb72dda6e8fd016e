/**
 * A user's Lambda is the user's own endpoint speaking the Runtime Interface Emulator contract: here a ten-line
 * node:http server, as a user would write one (or `sam local start-lambda`, or the RIE container).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lambdas, parseLambdaMapping } from '../../src/emulator/lambda.js';
import { parseConfig } from '../../src/emulator/config.js';
import { startLocalStack } from '../../src/emulator/stack.js';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:interceptor';
const seen: Array<{ path: string; body: unknown; clientContext: unknown }> = [];
let server: Server;
let url: string;

beforeAll(async () => {
  // The user's function: echoes the event; throws on {"fail": true}; answers text on {"garbage": true}.
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const event = JSON.parse(body) as { fail?: boolean; garbage?: boolean };
      const cc = req.headers['x-amz-client-context'];
      seen.push({
        path: req.url ?? '',
        body: event,
        clientContext: cc ? JSON.parse(Buffer.from(String(cc), 'base64').toString()) : undefined,
      });
      if (event.fail) return res.end(JSON.stringify({ errorType: 'Error', errorMessage: 'boom', stackTrace: [] }));
      if (event.garbage) return res.end('not json');
      res.end(JSON.stringify({ echoed: event }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('Lambdas (the Runtime Interface Emulator contract)', () => {
  it('posts the event to the RIE path with the client context, and returns the payload', async () => {
    const lambdas = new Lambdas({ [ARN]: url });
    const r = await lambdas.invoke(ARN, { a: 1 }, { clientContext: { custom: { GATEWAY_ARN: 'g' } } });
    expect(r).toMatchObject({ ok: true, payload: { echoed: { a: 1 } } });
    expect(seen.at(-1)).toEqual({
      path: '/2015-03-31/functions/function/invocations',
      body: { a: 1 },
      clientContext: { custom: { GATEWAY_ARN: 'g' } },
    });
  });
  it('serves a qualified ARN from its unqualified mapping', async () => {
    const r = await new Lambdas({ [ARN]: url }).invoke(`${ARN}:prod`, { b: 2 });
    expect(r.ok).toBe(true);
  });
  it('names each failure: unmapped (with the flag to use), unreachable, function error, not JSON', async () => {
    const lambdas = new Lambdas({ [ARN]: url, [`${ARN}-down`]: 'http://127.0.0.1:1' });
    const unmapped = await lambdas.invoke(`${ARN}-other`, {});
    expect(unmapped).toMatchObject({ ok: false, failure: 'unmapped' });
    expect(!unmapped.ok && unmapped.message).toContain(`--lambda ${ARN}-other=`);
    expect(await lambdas.invoke(`${ARN}-down`, {})).toMatchObject({ ok: false, failure: 'unreachable' });
    expect(await lambdas.invoke(ARN, { fail: true })).toMatchObject({
      ok: false,
      failure: 'function-error',
      message: 'Error: boom',
    });
    expect(await lambdas.invoke(ARN, { garbage: true })).toMatchObject({ ok: false, failure: 'invalid-response' });
  });
  it('checks mappings: ARN=URL, a Lambda function ARN, an http URL', () => {
    expect(parseLambdaMapping(`${ARN}=${'http://127.0.0.1:9000'}`)).toEqual({ arn: ARN, url: 'http://127.0.0.1:9000' });
    expect(() => parseLambdaMapping(ARN)).toThrow(/ARN=URL/);
    expect(() => parseLambdaMapping('arn:aws:s3:::bucket=http://x')).toThrow(/not a Lambda function ARN/);
    expect(() => parseLambdaMapping(`${ARN}=ftp://x`)).toThrow(/http:\/\//);
  });
  it('`lambdas:` in the config (a mapping or a list) and --lambda both reach the stack', async () => {
    expect(parseConfig({ lambdas: [{ arn: ARN, url }] }).lambdas).toEqual({ [ARN]: url });
    expect(() => parseConfig({ lambdas: { 'not-an-arn': url } })).toThrow(/lambdas\.not-an-arn/);
    // No seeded gateway: its sample interceptor Lambda would be mapped too.
    const config = { lambdas: { [ARN]: url }, gateways: [] };
    const stack = await startLocalStack({ config, lambdas: [`${ARN}-2=${url}`] });
    try {
      expect(stack.lambdas.list().map((l) => l.arn)).toEqual([ARN, `${ARN}-2`]);
    } finally {
      await stack.close();
    }
  });
});
