/**
 * `mcp.lambda` targets: the tools of the inline tool schema; a tools/call invokes the user's function (its endpoint
 * from `--lambda ARN=URL`) with the tool's arguments as the event, and the tool in the client context
 * (`context.client_context.custom.bedrockAgentCoreToolName` = `<target>___<tool>`, agentcore-gateway.md §2.4; the
 * other `bedrockAgentCore*` keys as the developer guide's Lambda-target page names them: UNVERIFIED here). The
 * function's return value becomes the tool result's text.
 */
import { GATEWAY } from '../../../wire.js';
import type { Lambdas } from '../../lambda.js';
import { GatewayFailure } from '../data/call.js';
import type { CatalogTool, TargetRecord, ToolDefinition } from '../model.js';
import { type TargetDriver, propagatedHeaders } from './driver.js';

function toolsOf(t: TargetRecord): CatalogTool[] {
  const schema = t.targetConfiguration.mcp!.lambda!.toolSchema;
  const defs: ToolDefinition[] = 'inlinePayload' in schema ? schema.inlinePayload : [];
  return defs.map((d) => ({
    name: d.name,
    description: d.description,
    inputSchema: d.inputSchema as unknown as Record<string, unknown>,
    ...(d.outputSchema ? { outputSchema: d.outputSchema as unknown as Record<string, unknown> } : {}),
  }));
}

export function lambdaDriver(lambdas: () => Lambdas | undefined): TargetDriver {
  return {
    async catalogue(_g, t) {
      return { ok: true, tools: toolsOf(t) };
    },
    async call(g, t, input) {
      const arn = t.targetConfiguration.mcp!.lambda!.lambdaArn;
      const toolName = `${t.name}${GATEWAY.toolSeparator}${input.tool}`;
      const propagated = propagatedHeaders(t, input.call.headers, input.interceptorHeaders).headers;
      const custom: Record<string, string> = {
        bedrockAgentCoreGatewayId: g.gatewayId,
        bedrockAgentCoreTargetId: t.targetId,
        bedrockAgentCoreMessageVersion: '1.0',
        bedrockAgentCoreToolName: toolName,
        bedrockAgentCoreAwsRequestId: input.call.requestId,
        ...(Object.keys(propagated).length ? { bedrockAgentCorePropagatedHeaders: JSON.stringify(propagated) } : {}),
      };
      const step = {
        kind: 'target' as const,
        target: t.name,
        targetType: 'LAMBDA',
        operation: `Invoke ${toolName}`,
        url: arn,
        sent: {},
        headers: Object.keys(propagated).sort(),
      };
      const registry = lambdas();
      if (!registry)
        throw new GatewayFailure(`No endpoint serves ${arn}`, 'start the local stack with --lambda ARN=URL');
      const r = await registry.invoke(arn, input.arguments, { clientContext: { custom } });
      input.call.trace.push({ ...step, outcome: r.ok ? 'ok' : r.failure });
      if (!r.ok) throw new GatewayFailure(`Lambda ${arn}: ${r.message}`);
      const text = typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload);
      return { result: { content: [{ type: 'text', text }], isError: false } };
    },
  };
}
