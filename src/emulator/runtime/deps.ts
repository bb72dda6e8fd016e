/**
 * What the runtime and gateway handlers need from the rest of the stack (stack.ts provides it), plus the helpers both
 * share: the agents/gateways in effect, bearer parsing, the 401 envelope, WAT reuse.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { sendAwsError, sendJson } from '../respond.js';
import type { EmuRequest } from '../server.js';
import type { SigV4Result } from '../sigv4.js';
import type { WatInfo } from '../state.js';
import type { AgentConfig, RuntimeDefaultsContext } from './config.js';
import type { JwtAuthorizer } from './jwt-authorizer.js';
import type { InProcessAgent } from './forward.js';
import { TokenMap } from '../token-map.js';
import type { Lambdas } from '../lambda.js';

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
  /** Agents in effect (config or seeded); their workload identities exist in the state. */
  agents: AgentConfig[];
  /** The gateways in effect, live (the gateway's store: config, seeded or CreateGateway), by id and workload. */
  readonly gateways: ReadonlyArray<{ id: string; workloadName: string }>;
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
  /** The user's Lambda endpoints (`--lambda ARN=URL`): gateway interceptors and Lambda targets. */
  lambdas?: Lambdas;
  /**
   * The workload identity AgentCore links to a runtime: created by CreateAgentRuntime (with these return URLs), removed
   * by DeleteAgentRuntime. Without it, runtimes made through the control plane get no workload identity record.
   */
  workloadIdentities?: { link(name: string, returnUrls: string[]): void; unlink(name: string): void };
  /** Starts the built-in sample agent when a runtime made by CreateAgentRuntime first needs it (once). */
  startSampleAgent?: () => Promise<{ url: string; agent: InProcessAgent }>;
  /** The seeded defaults (return URL) that runtimes made by CreateAgentRuntime get, as config agents do. */
  defaults?: RuntimeDefaultsContext;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

export type InboundCredential =
  | { kind: 'none' }
  | { kind: 'sigv4' }
  | { kind: 'bearer'; token: string }
  | { kind: 'other' };

export function inboundCredential(headers: IncomingHttpHeaders): InboundCredential {
  const auth = header(headers, 'authorization');
  if (auth === undefined) return headers['x-amz-signature'] !== undefined ? { kind: 'sigv4' } : { kind: 'none' };
  if (auth.startsWith('AWS4-HMAC-SHA256')) return { kind: 'sigv4' };
  const m = /^bearer(?:\s+(.*))?$/i.exec(auth.trim());
  if (m) return { kind: 'bearer', token: (m[1] ?? '').trim() };
  return { kind: 'other' };
}

/** The observed 401 body of a JWT-protected runtime/gateway: a JSON-RPC envelope (agentcore-errors.md §1.1). */
export function sendUnauthorized(
  res: ServerResponse,
  message: string,
  wwwAuthenticate: string,
  id: unknown = 'null',
): void {
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
  /** workloadName → user ids and user tokens (TokenMap: a 1 KB token is not copied into a key nor hashed per call). */
  private readonly byWorkload = new Map<string, { users: Map<string, WatEntry>; tokens: TokenMap<WatEntry> }>();
  private size = 0;
  constructor(
    private readonly max = 2000,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A cached WAT, synchronously (undefined when none is fresh). */
  peek(input: MintInput): string | undefined {
    const tables = this.byWorkload.get(input.workloadName);
    const hit = tables && ('userId' in input ? tables.users.get(input.userId) : tables.tokens.get(input.userToken));
    return hit && hit.until > this.now() ? hit.wat : undefined;
  }

  async get(input: MintInput, mint: (i: MintInput) => string | Promise<string>, notAfterMs?: number): Promise<string> {
    return this.peek(input) ?? this.store(input, await mint(input), notAfterMs);
  }

  private store(input: MintInput, wat: string, notAfterMs?: number): string {
    let tables = this.byWorkload.get(input.workloadName);
    if (!tables) {
      tables = { users: new Map(), tokens: new TokenMap() };
      this.byWorkload.set(input.workloadName, tables);
    }
    if (this.size >= this.max) {
      // Bounded: drop the oldest entry of the largest table.
      let biggest: Map<string, WatEntry> | TokenMap<WatEntry> = tables.users;
      for (const t of this.byWorkload.values())
        for (const table of [t.users, t.tokens]) if (table.size > biggest.size) biggest = table;
      if (biggest.size > 0) {
        if (biggest instanceof TokenMap) biggest.deleteOldest();
        else biggest.delete(biggest.keys().next().value!);
        this.size--;
      }
    }
    const entry = { wat, until: Math.min(this.now() + this.ttlMs, notAfterMs ?? Number.POSITIVE_INFINITY) };
    const before = tables.users.size + tables.tokens.size;
    if ('userId' in input) {
      tables.users.delete(input.userId);
      tables.users.set(input.userId, entry);
    } else {
      tables.tokens.delete(input.userToken);
      tables.tokens.set(input.userToken, entry);
    }
    this.size += tables.users.size + tables.tokens.size - before;
    return wat;
  }
}

interface WatEntry {
  wat: string;
  until: number;
}
