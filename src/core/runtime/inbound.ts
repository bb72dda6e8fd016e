/**
 * The caller's inbound identity for one run: decided once (from the flags, or the agent's configuration with --auth
 * auto) and carried as this one value to every request of the run — the invocation, the re-invocation after consent,
 * each MCP message, the dry-run curl — and to the 3LO consent, which must be completed by the identity that started it.
 */

/** How a request authenticates: IAM SigV4, or an OAuth bearer JWT. A runtime accepts exactly one of them. */
export type InboundMode = 'sigv4' | 'bearer';

/** What the control plane says about a runtime's (or gateway's) inbound auth (core/runtime/auth-mode.ts reads it). */
export interface RuntimeAuthInfo {
  mode: InboundMode;
  runtimeId: string;
  version?: string;
  jwt?: {
    discoveryUrl?: string;
    allowedAudience?: string[];
    allowedClients?: string[];
    allowedScopes?: string[];
    customClaims?: number;
  };
  serverProtocol?: string;
  status?: string;
  /** requestHeaderConfiguration.requestHeaderAllowlist */
  headerAllowlist?: string[];
}

export interface Inbound {
  mode: InboundMode;
  /** Bearer mode: the JWT sent as `Authorization: Bearer`. */
  token?: string;
  /** Where the token came from: 'flag', 'stdin' or 'cache:<name>' (+ ' (refreshed)'). */
  tokenSource?: string;
  /** X-Amzn-Bedrock-AgentCore-Runtime-User-Id (SigV4; sent but ignored by the service on the bearer path). */
  userId?: string;
  /** Why this mode, in words (narrative). */
  why: string;
  /** The agent's authorizer configuration, when --auth auto read it. */
  authInfo?: RuntimeAuthInfo;
}

/**
 * Who completes a 3LO session this caller started (CompleteResourceTokenAuth's userIdentifier): the very same JWT
 * string on the bearer path, the same user id on the SigV4 path; undefined when the call carried neither.
 */
export function sessionStarter(inbound: Inbound): { userToken: string } | { userId: string } | undefined {
  if (inbound.token) return { userToken: inbound.token };
  if (inbound.mode === 'sigv4' && inbound.userId !== undefined) return { userId: inbound.userId };
  return undefined;
}
