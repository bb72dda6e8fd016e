import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';

describe('local stack skeleton', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('binds 127.0.0.1 on an ephemeral port and points every endpoint at one origin', () => {
    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE).toBe(stack.url);
    expect(stack.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL).toBe(stack.url);
    expect(stack.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER).toBe(stack.url);
    expect(stack.env.AWS_REGION).toBe('us-east-1');
  });

  it('answers an unknown route with an AWS-style 404', async () => {
    const res = await fetch(`${stack.url}/no/such/operation`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('has an admin switch for faults', async () => {
    const put = await fetch(`${stack.url}/_local/faults`, { method: 'POST', body: JSON.stringify({ kind: 'throttle', count: 1 }) });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { rules: unknown[] }).rules).toEqual([{ kind: 'throttle', count: 1 }]);
    const first = await fetch(`${stack.url}/no/such/operation`, { method: 'POST', body: '{}' });
    expect(first.status).toBe(429);
    expect(first.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
    const second = await fetch(`${stack.url}/no/such/operation`, { method: 'POST', body: '{}' });
    expect(second.status).toBe(404);
    const bad = await fetch(`${stack.url}/_local/faults`, { method: 'POST', body: JSON.stringify({ kind: 'explode' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe('rule.kind: must be throttle, error or drop');
  });
});
