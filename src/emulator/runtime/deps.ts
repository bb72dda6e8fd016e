/**
 * What the runtime and gateway handlers need from the rest of the stack (stack.ts provides it), plus the helpers both
 * share: the agents/gateways in effect, bearer parsing, the 401 envelope, WAT reuse.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { sendAwsError, sendJson } from '../respond.js';
import type { EmuRequest } from '../server.js';
import type { SigV4Result } from '../sigv4.js';
import type { WatInfo } from '../state.js';
import type { AgentConfig, GatewayConfig } from './config.js';
import type { JwtAuthorizer } from './jwt-authorizer.js';
import type { InProcessAgent } from './forward.js';

export type MintInput = { workloadName: string; userId: string } | { workloadName: string; userToken: string };

/**
 * What the runtime half (the runtime and gateway handlers) reads from the stack; stack.ts builds one and hands it to
 * both. The optional fields at the end are the runtime half's own wiring.
 */
export interface RuntimeHalfDeps {
  state: { resolveWat?(token: string): WatInfo | undefined };
  /** The stack's origin, e.g. `http://127.0.0.1:4566`. */
  baseUrl: string;
  region: string;
  accountId: string;
  /** SigV4 check against the stack's credentials (service `bedrock-agentcore` by default). */
  verifySigV4(req: EmuRequest, service?: string): Promise<SigV4Result>;
  /** The stack's credentials (the gateway calls the data plane with them, as a service would with its role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  mintWorkloadAccessToken(input: MintInput): string | Promise<string>;
  /** Agents and gateways in effect (config or seeded); their workload identities exist in the state. */
  agents: AgentConfig[];
  gateways: GatewayConfig[];
  /** The stack's own user pool: a JWT authorizer without discoveryUrl trusts it. */
  userPool: { discoveryUrl: string };
  /** URL of the built-in sample agent (stack.ts starts it with startSampleAgent). */
  sampleAgentUrl?: string;
  /** The built-in sample agent itself: called in-process (same contract headers, no second HTTP exchange). */
  sampleAgent?: InProcessAgent;
  /** Shared authorizer (runtime and gateway share one cache); created when omitted. */
  authorizer?: JwtAuthorizer;
  /** One line per notable event (agent errors), shown by `local` on stderr. */
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

export type InboundCredential = { kind: 'none' } | { kind: 'sigv4' } | { kind: 'bearer'; token: string } | { kind: 'other' };

export function inboundCredential(headers: IncomingHttpHeaders): InboundCredential {
  const auth = header(headers, 'authorization');
  if (auth === undefined) return headers['x-amz-signature'] !== undefined ? { kind: 'sigv4' } : { kind: 'none' };
  if (auth.startsWith('AWS4-HMAC-SHA256')) return { kind: 'sigv4' };
  const m = /^bearer(?:\s+(.*))?$/i.exec(auth.trim());
  if (m) return { kind: 'bearer', token: (m[1] ?? '').trim() };
  return { kind: 'other' };
}

/** The observed 401 body of a JWT-protected runtime/gateway: a JSON-RPC envelope (agentcore-errors.md §1.1). */
export function sendUnauthorized(res: ServerResponse, message: string, wwwAuthenticate: string, id: unknown = 'null'): void {
  sendJson(
    res,
    401,
    { jsonrpc: '2.0', error: { code: -32001, message }, id },
    { 'www-authenticate': wwwAuthenticate, 'x-amzn-errortype': 'UnauthorizedException' },
  );
}

export { sendAwsError, sendJson };

/**
 * Reuse of minted workload access tokens per (workload, caller artifact) until shortly before their expiry, so a busy
 * agent does not grow the stack's token table without bound. Bounded (oldest evicted).
 */
export class WatCache {
  /** workloadName → ('u' + userId | 't' + token) → entry. Nested so a 1 KB token is not copied into a key per call. */
  private readonly byWorkload = new Map<string, Map<string, { wat: string; until: number }>>();
  private size = 0;
  constructor(
    private readonly max = 2000,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A cached WAT, synchronously (undefined when none is fresh). */
  peek(input: MintInput): string | undefined {
    const hit = this.byWorkload.get(input.workloadName)?.get('userId' in input ? `u${input.userId}` : input.userToken);
    return hit && hit.until > this.now() ? hit.wat : undefined;
  }

  async get(input: MintInput, mint: (i: MintInput) => string | Promise<string>, notAfterMs?: number): Promise<string> {
    return this.peek(input) ?? this.store(input, await mint(input), notAfterMs);
  }

  private store(input: MintInput, wat: string, notAfterMs?: number): string {
    let m = this.byWorkload.get(input.workloadName);
    if (!m) this.byWorkload.set(input.workloadName, (m = new Map()));
    if (this.size >= this.max) {
      // Bounded: drop the oldest entry of the largest table.
      let biggest = m;
      for (const t of this.byWorkload.values()) if (t.size > biggest.size) biggest = t;
      const oldest = biggest.keys().next();
      if (!oldest.done) {
        biggest.delete(oldest.value);
        this.size--;
      }
    }
    const key = 'userId' in input ? `u${input.userId}` : input.userToken;
    if (!m.delete(key)) this.size++;
    m.set(key, { wat, until: Math.min(this.now() + this.ttlMs, notAfterMs ?? Number.POSITIVE_INFINITY) });
    return wat;
  }
}
