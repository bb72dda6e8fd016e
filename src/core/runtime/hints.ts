/**
 * The hint table's entries for invoking a runtime (InvokeAgentRuntime, its MCP protocol) and what the agent behind it
 * answers: where each comes from, its cause and its fix. How each is recognised is in src/wire.ts (SERVICE_ERRORS).
 */
export const RUNTIME_HINTS = [
  {
    id: 'wat-not-set',
    source: 'the agent (bedrock-agentcore SDK inside the container)',
    cause: 'The agent was invoked with SigV4 but without a user id, so the runtime minted no workload access token.',
    fix:
      'Invoke with --user-id <id> (needs bedrock-agentcore:InvokeAgentRuntimeForUser), or call a ' +
      'JWT-configured agent with a bearer token.',
    example:
      'Workload access token has not been set. If invoking agent runtime via SIGV4 inbound auth, please ' +
      'specify the X-Amzn-Bedrock-AgentCore-Runtime-User-Id header and retry.',
  },
  {
    id: 'session-id-too-short',
    source: 'AgentCore Runtime (400 ValidationException)',
    cause: 'Runtime session ids must be 33 to 256 characters long.',
    fix: 'Use a longer --session-id, or omit it to let agentcore-auth generate one.',
    example:
      "Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length greater than or equal to 33",
  },
  {
    id: 'invoke-for-user-denied',
    source: 'AgentCore Runtime (403 AccessDeniedException)',
    cause: 'Sending X-Amzn-Bedrock-AgentCore-Runtime-User-Id needs an extra IAM permission.',
    fix:
      'Allow bedrock-agentcore:InvokeAgentRuntimeForUser on the runtime for the calling principal, or ' +
      'invoke without --user-id.',
    example:
      'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/dev/x is not authorized to perform: ' +
      'bedrock-agentcore:InvokeAgentRuntimeForUser',
  },
  {
    id: 'runtime-client-error',
    source: 'AgentCore Runtime (424)',
    cause: 'The agent container failed to answer (crashed, timed out, or broke the HTTP contract).',
    fix:
      "Read the agent's message above and its CloudWatch logs; check that it serves POST /invocations and " +
      'GET /ping on port 8080.',
    example:
      'RuntimeClientError: Received error (500) from runtime. Please check your CloudWatch logs for more information.',
  },
  {
    id: 'payload-too-large',
    source: 'AgentCore Runtime (413 ValidationException)',
    cause: "The request payload is over InvokeAgentRuntime's limit: 100 MB, not adjustable (AgentCore quotas).",
    fix:
      'InvokeAgentRuntime takes at most 100 MB and the limit is not adjustable: send the agent a reference ' +
      'to the data instead (an S3 URI or a URL it fetches), or split it over several calls in one session ' +
      '(--session-id).',
    example: 'ValidationException: Request payload exceeds the maximum allowed size of 100000000 bytes (100 MB)',
  },
  {
    id: 'mcp-generic-unauthorized',
    source: 'AgentCore Runtime (401, MCP -32001 / AG-UI UNAUTHORIZED)',
    cause:
      'The runtime refused the caller: no bearer token, or one the customJWTAuthorizer rejected. The generic ' +
      'text hides which check failed.',
    fix:
      'Check the token against the agent with `agentcore-auth verify --bearer --agent-arn <arn>`; it names ' +
      'the failing claim.',
    example: 'data: {"type":"RUN_ERROR","code":"UNAUTHORIZED","message":"Authentication required"}',
  },
  {
    id: 'mcp-accept-header',
    source: 'AgentCore Runtime, MCP protocol (406 McpRequestUnacceptableException)',
    cause: 'MCP over InvokeAgentRuntime needs Accept: application/json, text/event-stream.',
    fix: 'Send both media types in Accept (`agentcore-auth invoke --mcp` and `agentcore-auth mcp` do).',
    example: 'Accept Header Error - MCP protocol requires Accept header: application/json, text/event-stream',
  },
  {
    id: 'mcp-url-elicitation',
    source: 'AgentCore Gateway, tools/call (JSON-RPC -32042, MCP URL-mode elicitation)',
    cause:
      "The tool's target uses OAuth 3LO and the user has not consented yet; data.elicitations[].url is the " +
      'AgentCore authorization URL (valid 10 minutes).',
    fix:
      'Open the URL and consent, then call again; or `agentcore-auth mcp --gateway-url … --call TOOL ' +
      '--complete-auth`, which opens it, serves the return URL, binds the session with the same JWT ' +
      '(CompleteResourceTokenAuth) and retries.',
    example:
      '{"jsonrpc":"2.0","id":3,"error":{"code":-32042,"message":"This request requires more ' +
      'information.","data":{"elicitations":[{"mode":"url"}]}}}',
  },
  {
    id: 'local-agent-unreachable',
    source: 'agentcore-auth local stack, runtime (424 RuntimeClientError)',
    cause: 'The agent container behind --agent-url / agentUrl is not listening at that URL.',
    fix:
      'Start your agent (it must serve POST /invocations and GET /ping on that port), fix the URL, or drop ' +
      '--agent-url to use the built-in sample agent.',
    example:
      'RuntimeClientError: The local stack could not reach agent sigv4_agent at ' +
      'http://127.0.0.1:8080/invocations (ECONNREFUSED). Is your agent running and serving POST ' +
      '/invocations on that port?',
  },
] as const;
