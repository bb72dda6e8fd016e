/**
 * The built-in REQUEST interceptor, with the real Lambda payload shapes (agentcore-identity.md §6.1): it receives
 * `{interceptorInputVersion, mcp: {rawGatewayRequest, gatewayRequest: {path, httpMethod, headers?, body}}}` and
 * answers `{interceptorOutputVersion, mcp: {transformedGatewayRequest: {headers?, body}}}`.
 *
 * `pass-caller-token` is the answer to "how does my user's token reach the tool behind the Gateway?": the Gateway
 * does not forward the caller's Authorization header to targets; an interceptor that sees the request headers
 * (`passRequestHeaders: true`) copies it into the transformed request. A real deployment does this in a Lambda — the
 * function below is the whole of that Lambda's logic.
 */

export interface InterceptorInput {
  interceptorInputVersion: '1.0';
  mcp: {
    rawGatewayRequest: { body: string };
    gatewayRequest: { path: string; httpMethod: string; headers?: Record<string, string>; body: unknown };
  };
}

export interface InterceptorOutput {
  interceptorOutputVersion: '1.0';
  mcp: {
    transformedGatewayRequest: { headers?: Record<string, string>; body: unknown };
    transformedGatewayResponse?: { statusCode: number; body: unknown };
  };
}

export function buildInterceptorInput(
  rawBody: string,
  body: unknown,
  headers: Record<string, string> | undefined,
): InterceptorInput {
  return {
    interceptorInputVersion: '1.0',
    mcp: {
      rawGatewayRequest: { body: rawBody },
      gatewayRequest: { path: '/mcp', httpMethod: 'POST', ...(headers ? { headers } : {}), body },
    },
  };
}

/** The pass-caller-token interceptor (what its Lambda would return). */
export function passCallerToken(input: InterceptorInput): InterceptorOutput {
  const { headers, body } = input.mcp.gatewayRequest;
  const auth = headers ? Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1] : undefined;
  return {
    interceptorOutputVersion: '1.0',
    mcp: { transformedGatewayRequest: { ...(auth ? { headers: { Authorization: auth } } : {}), body } },
  };
}
