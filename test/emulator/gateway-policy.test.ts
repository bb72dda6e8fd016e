/**
 * A gateway's policy engine on the data plane (the shared Cedar model through the stack's PolicyStore): tools/list
 * keeps what the caller could call, tools/call is decided after the REQUEST interceptor — ENFORCE answers the
 * AuthorizeActionException text, LOG_ONLY lets it through — and the engine a gateway names must exist.
 */
import {
  CreateGatewayCommand,
  CreateGatewayTargetCommand,
  CreatePolicyCommand,
  CreatePolicyEngineCommand,
  UpdateGatewayCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { startMcpToolServer, startUserLambda, type McpToolServer, type UserLambda } from '../fixtures/gateway.js';
import { clientsFor, failure } from './helpers.js';
import { stackUserTokens } from '../fixtures/stack-users.js';

const INTERCEPTOR = 'arn:aws:lambda:us-east-1:123456789012:function:guard';
let stack: LocalStack;
let tools: McpToolServer;
let guard: UserLambda;
let control: ReturnType<typeof clientsFor>['control'];
let token: string;
let gatewayId: string;
let gatewayUrl: string;
let engineArn: string;

const ROLE = 'arn:aws:iam::123456789012:role/GatewayRole';

beforeAll(async () => {
  tools = await startMcpToolServer();
  // The user's REQUEST interceptor: answers tools/call of calc___whoami itself when the caller asks for "intercept".
  guard = await startUserLambda((event) => {
    const body = event.mcp.gatewayRequest.body;
    if (body.params?.arguments?.intercept)
      return {
        interceptorOutputVersion: '1.0',
        mcp: {
          transformedGatewayResponse: {
            statusCode: 200,
            body: { jsonrpc: '2.0', id: body.id, result: { content: [], isError: false } },
          },
        },
      };
    return { interceptorOutputVersion: '1.0', mcp: { transformedGatewayRequest: { body } } };
  });
  stack = await startLocalStack({ config: { gateways: [], lambdas: { [INTERCEPTOR]: guard.url } } });
  control = clientsFor(stack).control;
  token = (await stackUserTokens(stack, 'alice')).accessToken;
  const engine = await control.send(new CreatePolicyEngineCommand({ name: 'shop_engine' }));
  engineArn = engine.policyEngineArn!;
  const missing = await failure(
    control.send(
      new CreateGatewayCommand({
        name: 'nope',
        roleArn: ROLE,
        authorizerType: 'NONE',
        policyEngineConfiguration: { arn: `${engineArn.slice(0, -10)}zzzzzzzzzz`, mode: 'ENFORCE' },
      }),
    ),
  );
  expect(missing.name).toBe('ResourceNotFoundException');
  const g = await control.send(
    new CreateGatewayCommand({
      name: 'shop',
      roleArn: ROLE,
      authorizerType: 'CUSTOM_JWT',
      authorizerConfiguration: {
        customJWTAuthorizer: {
          discoveryUrl: stack.userPool.discoveryUrl,
          allowedClients: stack.userPool.clients.map((c) => c.clientId),
        },
      },
      policyEngineConfiguration: { arn: engineArn, mode: 'ENFORCE' },
      interceptorConfigurations: [{ interceptor: { lambda: { arn: INTERCEPTOR } }, interceptionPoints: ['REQUEST'] }],
    }),
  );
  gatewayId = g.gatewayId!;
  gatewayUrl = g.gatewayUrl!;
  const t = await control.send(
    new CreateGatewayTargetCommand({
      gatewayIdentifier: gatewayId,
      name: 'calc',
      targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url } } },
    }),
  );
  await vi.waitFor(() =>
    expect(stack.gateways.find((x) => x.gatewayId === gatewayId)!.targets[0]!.status).toBe('READY'),
  );
  expect(t.status).toBe('CREATING');
  // alice may add small numbers; nobody may call whoami (no permit: denied by default)
  const policy = await control.send(
    new CreatePolicyCommand({
      policyEngineId: engine.policyEngineId,
      name: 'small_adds',
      definition: {
        cedar: {
          statement:
            `permit(principal, action == AgentCore::Action::"calc___add", resource == ` +
            `AgentCore::Gateway::"${g.gatewayArn}") ` +
            'when { principal.hasTag("username") && principal.getTag("username") == "alice" && context.input.a < 10 };',
        },
      },
    }),
  );
  expect(policy.status).toBe('CREATING');
});

afterAll(async () => {
  control?.destroy();
  await stack?.close();
  await tools?.close();
  await guard?.close();
});

async function rpc(method: string, params: Record<string, unknown> = {}) {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as Record<string, any>;
}

describe('a gateway with a policy engine', () => {
  it('ENFORCE: tools/list keeps what alice could call; a permitted call runs, others get the denial text', async () => {
    expect((await rpc('tools/list')).result.tools.map((t: { name: string }) => t.name)).toEqual(['calc___add']);
    expect((await rpc('tools/call', { name: 'calc___add', arguments: { a: 1, b: 2 } })).result.content).toEqual([
      { type: 'text', text: '3' },
    ]);
    const big = await rpc('tools/call', { name: 'calc___add', arguments: { a: 50, b: 2 } });
    expect(big.result).toEqual({
      isError: true,
      content: [
        {
          type: 'text',
          text:
            'AuthorizeActionException - Tool Execution Denied: Tool call not allowed due to policy enforcement ' +
            '[No policy applies to the request (denied by default).]',
        },
      ],
    });
  });

  it("the call's trace (GET /_local/gateways/trace/{id}) has the decision and its determining policy", async () => {
    const call = async (args: Record<string, unknown>) => {
      const res = await fetch(gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'calc___add', arguments: args },
        }),
      });
      await res.text();
      const rid = res.headers.get('x-amzn-requestid')!;
      const trace = await fetch(`${stack.url}/_local/gateways/trace/${encodeURIComponent(rid)}`);
      return ((await trace.json()) as { steps: Array<Record<string, unknown>> }).steps.filter(
        (s) => s.kind === 'policy',
      );
    };
    const engineId = engineArn.slice(engineArn.lastIndexOf('/') + 1);
    expect(await call({ a: 1, b: 2 })).toEqual([
      {
        kind: 'policy',
        action: 'calc___add',
        decision: 'allow',
        mode: 'ENFORCE',
        engine: engineId,
        determining: [{ id: expect.stringMatching(/^small_adds-/), name: 'small_adds', effect: 'permit' }],
      },
    ]);
    expect(await call({ a: 50, b: 2 })).toEqual([
      expect.objectContaining({ decision: 'deny', determining: [], engine: engineId }),
    ]);
  });

  it('a NONE gateway: a caller without a token is no principal, so it is denied (UNVERIFIED)', async () => {
    const open = await control.send(
      new CreateGatewayCommand({
        name: 'open',
        roleArn: ROLE,
        authorizerType: 'NONE',
        policyEngineConfiguration: { arn: engineArn, mode: 'ENFORCE' },
      }),
    );
    await control.send(
      new CreateGatewayTargetCommand({
        gatewayIdentifier: open.gatewayId,
        name: 'calc',
        targetConfiguration: { mcp: { mcpServer: { endpoint: tools.url } } },
      }),
    );
    await vi.waitFor(() =>
      expect(stack.gateways.find((x) => x.gatewayId === open.gatewayId)!.targets[0]!.status).toBe('READY'),
    );
    const res = await fetch(open.gatewayUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'calc___add', arguments: { a: 1, b: 2 } },
      }),
    });
    const out = (await res.json()) as { result: { isError?: boolean; content: Array<{ text: string }> } };
    expect(out.result.isError).toBe(true);
    expect(out.result.content[0]!.text).toMatch(/\[No policy applies to the request \(denied by default\)\.\]$/);
  });

  it('the REQUEST interceptor runs first: its short-circuit answers even a call the policy would deny', async () => {
    const calls = tools.seen.length;
    const out = await rpc('tools/call', { name: 'calc___whoami', arguments: { intercept: true } });
    expect(out.result).toEqual({ content: [], isError: false });
    expect((await rpc('tools/call', { name: 'calc___whoami', arguments: {} })).result.isError).toBe(true);
    expect(tools.seen.length).toBe(calls);
  });

  it('LOG_ONLY: evaluated, never enforced', async () => {
    await control.send(
      new UpdateGatewayCommand({
        gatewayIdentifier: gatewayId,
        name: 'shop',
        roleArn: ROLE,
        authorizerType: 'CUSTOM_JWT',
        authorizerConfiguration: {
          customJWTAuthorizer: {
            discoveryUrl: stack.userPool.discoveryUrl,
            allowedClients: stack.userPool.clients.map((c) => c.clientId),
          },
        },
        policyEngineConfiguration: { arn: engineArn, mode: 'LOG_ONLY' },
      }),
    );
    expect((await rpc('tools/list')).result.tools).toHaveLength(2);
    expect((await rpc('tools/call', { name: 'calc___add', arguments: { a: 50, b: 2 } })).result.content[0].text).toBe(
      '52',
    );
  });
});
