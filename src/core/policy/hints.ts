/**
 * The hint table's entries for AgentCore Policy's answers at the Gateway (agentcore-gateway.md §1.7, §3.4): the
 * denial texts of a tools/call (an `isError` result, not an error) and the list-tools failure. Kept beside the
 * policy code; how each is recognised is in src/wire.ts (SERVICE_ERRORS, first: their patterns are specific).
 */
import { GATEWAY, GATEWAY_MESSAGES as M } from '../../wire.js';

export const POLICY_HINTS = [
  {
    id: 'policy-denied-by-default',
    source: 'AgentCore Gateway policy engine (tools/call result, isError)',
    cause:
      'No permit policy matched the call, so Cedar denied by default. Common reasons: a claim read with getTag that ' +
      'the token lacks (the error skips the policy), an array claim compared with == or .contains (every claim is a ' +
      'string tag; arrays are JSON text), or an input field the policy reads that the call did not send.',
    fix:
      'Replay the call: `agentcore-auth policy check --gateway-id ID --bearer --tool TARGET___TOOL --input JSON` ' +
      "(the gateway's own policies and tools; or --policy-file FILE offline) shows the principal's tags and the " +
      'errors met. Guard with principal.hasTag("k") && …, and match lists with like "*\\"value\\"*".',
    example: `${M.policyDenied} [${M.policyDefaultDeny}]`,
  },
  {
    id: 'policy-denied-by-forbid',
    source: 'AgentCore Gateway policy engine (tools/call result, isError)',
    cause: 'A forbid policy matched the call (the id in brackets); a matching forbid wins over every permit.',
    fix:
      'Read that policy (GetPolicy) and its when/unless conditions; `agentcore-auth policy check` names the ' +
      'determining policies for a caller, tool and input.',
    example: `${M.policyDenied} [${M.policyDeniedBy} no_refunds_over_limit-a1b2c3d4e5]`,
  },
  {
    id: 'policy-list-tools-failed',
    source: 'AgentCore Gateway policy engine (tools/list)',
    cause:
      "The gateway's service role cannot evaluate policies: attaching a policy engine to an existing gateway does " +
      `not add ${GATEWAY.policyRoleActions.join(', ')} to its role.`,
    fix:
      "Add those three actions (on the policy engine's ARN) to the gateway's role, then list tools again " +
      '(`agentcore-auth doctor --gateway-id ID` lists what the role needs).',
    example: M.policyListToolsFailed,
  },
  {
    id: 'policy-tool-denied',
    source: 'AgentCore Gateway policy engine (tools/call result, isError)',
    cause: 'The policy engine (ENFORCE mode) denied the tool call before it reached the target.',
    fix:
      'The text in brackets says which policy decided, or that none applied; `agentcore-auth policy check` replays ' +
      'the decision offline. In LOG_ONLY mode the call would have gone through.',
    example: 'AuthorizeActionException - Tool Execution Denied',
  },
] as const;
