/**
 * AgentCore Policy's Cedar model, the facts only (no Cedar engine here, so `explain` and the control plane can import
 * it without loading WebAssembly): entity and action names, the tool-name separator, the denial text (its words in
 * src/wire.ts), and the types shared by the schema builder, the principal builder and the evaluator.
 * Sources: ../shared/docs/agentcore-gateway.md §3.2, §3.4, §4.3 (UNVERIFIED parts are said where they are used).
 */
import { GATEWAY, GATEWAY_MESSAGES } from '../wire.js';

export const NAMESPACE = 'AgentCore';
export const ENTITY = {
  oauthUser: 'AgentCore::OAuthUser',
  iamEntity: 'AgentCore::IamEntity',
  gateway: 'AgentCore::Gateway',
  action: 'AgentCore::Action',
} as const;
/** Every tool action is in this group, itself in `Mcp`. */
export const CALL_TOOL = 'CallTool';
export const MCP_GROUP = 'Mcp';
/** Gateway tool names are `<target>___<tool>` (three underscores; target names cannot contain `_`). */
export const TOOL_SEPARATOR = GATEWAY.toolSeparator;

/**
 * The whole `isError` text for a denial (ENFORCE): by default, or naming the forbid policies that decided it. The
 * words are the service's, kept once in src/wire.ts (GATEWAY_MESSAGES.policy*).
 */
export function denialText(forbiddenBy: readonly string[]): string {
  // UNVERIFIED: how several determining forbid policies are joined (only single-id captures were found).
  const bracket = forbiddenBy.length
    ? `${GATEWAY_MESSAGES.policyDeniedBy} ${forbiddenBy.join(', ')}`
    : GATEWAY_MESSAGES.policyDefaultDeny;
  return `${GATEWAY_MESSAGES.policyDenied} [${bracket}]`;
}

/** A tool as a gateway target lists it (MCP `tools/list` shape, name without the target prefix). */
export interface ToolSpec {
  name: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
}

export interface TargetSpec {
  /** The target name (no `_`): the prefix of its tools and the action group `AgentCore::Action::"<name>"`. */
  name: string;
  tools: ToolSpec[];
}

/** What the Cedar schema of one gateway is built from. */
export interface GatewayModel {
  arn: string;
  /** CUSTOM_JWT callers are OAuthUser principals, AWS_IAM callers IamEntity (default CUSTOM_JWT). */
  authorizerType?: string;
  /** Overrides the principal types derived from authorizerType (offline tables mixing JWT and IAM callers). */
  principalTypes?: Array<'OAuthUser' | 'IamEntity'>;
  targets: TargetSpec[];
}

/** The caller of a tool: the JWT's claims (a JWT gateway) or the SigV4 caller's ARN (an IAM gateway). */
export type Caller = { kind: 'jwt'; claims: Record<string, unknown> } | { kind: 'iam'; arn: string };

/** One Cedar policy statement with the names it is reported by. */
export interface PolicySource {
  /** Unique in its set: the control plane's policyId, or `<file>#<n>` / the `@id` annotation for files. */
  id: string;
  name: string;
  statement: string;
  /** LOG_ONLY policies are evaluated and reported but never decide (per-policy enforcementMode). */
  enforcementMode?: 'ACTIVE' | 'LOG_ONLY';
  /** Where it was read from (file and 1-based line), for messages. */
  file?: string;
  line?: number;
}

/** A problem with a model input (claims, tool, input, policy text), worded for the user. */
export class PolicyModelError extends Error {
  constructor(
    readonly kind: 'claims' | 'tool' | 'input' | 'policy' | 'schema',
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'PolicyModelError';
  }
}
