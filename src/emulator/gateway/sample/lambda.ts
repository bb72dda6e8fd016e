/**
 * The stack's sample interceptor Lambda, behind the seeded gateway's REQUEST interceptor: a loopback endpoint
 * speaking the Lambda Runtime Interface Emulator contract (the same contract a user's `--lambda ARN=URL` serves), so
 * the gateway calls it exactly as it calls a user's function. Its whole logic is `passCallerToken`: "how does my
 * user's token reach the tool behind the Gateway?" — the Gateway does not forward the caller's Authorization header
 * to targets; an interceptor that sees the request headers (`passRequestHeaders: true`) copies it into the
 * transformed request, and the gateway forwards an interceptor's Authorization to the target (DG gateway-headers).
 * This one does so for tools/call requests to the `echo` target only.
 */
import { type SampleServer, startSampleServer } from './serve.js';

export interface InterceptorInput {
  interceptorInputVersion: '1.0';
  mcp: {
    rawGatewayRequest: { body: string };
    gatewayRequest: { path: string; httpMethod: string; headers?: Record<string, string>; body: unknown };
  };
}

export interface InterceptorOutput {
  interceptorOutputVersion: '1.0';
  mcp: { transformedGatewayRequest: { headers?: Record<string, string>; body: unknown } };
}

/** What the sample interceptor Lambda returns for an event (an HTTP target's `http` event passes through as is). */
export function passCallerToken(
  input: InterceptorInput | { interceptorInputVersion: '1.0'; http: unknown },
  targetPrefix = 'echo___',
): InterceptorOutput | { interceptorOutputVersion: '1.0'; http: Record<string, never> } {
  if (!('mcp' in input)) return { interceptorOutputVersion: '1.0', http: {} };
  const { headers, body } = input.mcp.gatewayRequest;
  const auth = headers ? Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1] : undefined;
  const msg = body as { method?: unknown; params?: { name?: unknown } } | undefined;
  const toTarget = msg?.method === 'tools/call' && String(msg.params?.name ?? '').startsWith(targetPrefix);
  return {
    interceptorOutputVersion: '1.0',
    mcp: { transformedGatewayRequest: { ...(auth && toTarget ? { headers: { Authorization: auth } } : {}), body } },
  };
}

export const SAMPLE_INTERCEPTOR_NAME = 'agentcore-local-pass-caller-token';

export function startSampleLambda(): Promise<SampleServer> {
  return startSampleServer((_req, event, res) => {
    let body: string;
    try {
      body = JSON.stringify(passCallerToken(JSON.parse(event.toString('utf8')) as InterceptorInput));
    } catch (e) {
      body = JSON.stringify({ errorType: 'Error', errorMessage: (e as Error).message });
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
}
