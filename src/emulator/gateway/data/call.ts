/**
 * One data-plane request as the gateway handles it: who called (inbound), on which gateway, and the trace of what
 * happened inside (interceptors, Identity calls, what each target received) that the local stack keeps for
 * `--diagram` (GET /_local/gateways/trace/{requestId}; tokens as fingerprints, never values).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GATEWAY_MESSAGES } from '../../../wire.js';
import type { StackCredentials } from '../../sigv4.js';
import type { GatewayRecord, PolicyPrincipal } from '../model.js';

/** A caller authenticated with SigV4. */
export interface IamCaller {
  arn: string;
  accessKeyId: string;
  /** The caller's credentials as the stack knows them (CALLER_IAM_CREDENTIALS signs with them). */
  credentials?: StackCredentials;
}

export interface Inbound {
  /** The caller's bearer token (CUSTOM_JWT: verified; NONE: whatever was sent, if anything). */
  token?: string;
  claims?: Record<string, unknown>;
  iam?: IamCaller;
  principal: PolicyPrincipal;
}

/** What a target was sent, for the trace (never a secret's value). */
export interface SentAuth {
  authorization?: { scheme: string; fingerprint: string; sameAsCaller: boolean };
  apiKey?: { location: 'HEADER' | 'QUERY_PARAMETER'; name: string; fingerprint: string };
  sigv4?: { service: string; region: string; accessKeyId: string; as: 'gateway role' | 'caller' };
}

export type TraceStep =
  | { kind: 'interceptor'; phase: 'REQUEST' | 'RESPONSE'; arn: string; outcome: string; ms: number }
  | { kind: 'identity'; operation: string; provider: string; flow?: string; outcome: string }
  | {
      kind: 'target';
      target: string;
      targetType: string;
      operation: string;
      url: string;
      sent: SentAuth;
      headers: string[];
      status?: number;
      outcome: string;
    }
  | {
      kind: 'policy';
      action: string;
      decision: string;
      mode: string;
      /** The engine's id, the policies that decided (none: denied by default), why it could not evaluate. */
      engine: string;
      determining: Array<{ id: string; name: string; effect: string }>;
      error?: string;
    }
  | { kind: 'policy-list'; mode: string; engine: string; listed: number; of: number };

export interface GatewayCall {
  requestId: string;
  gateway: GatewayRecord;
  inbound: Inbound;
  headers: IncomingHttpHeaders;
  sourceIp?: string;
  trace: TraceStep[];
}

/**
 * A failure inside the gateway (a target, an interceptor, Identity): callers see the opaque internal error unless the
 * gateway has `exceptionLevel: DEBUG`, which shows `detail` (agentcore-gateway.md §1.2, §3.4).
 */
export class GatewayFailure extends Error {
  constructor(
    readonly detail: string,
    readonly hint?: string,
  ) {
    super(detail);
  }
}

/** The text a caller gets for a failure, by the gateway's exceptionLevel. */
export function failureText(g: GatewayRecord, e: unknown): string {
  if (g.exceptionLevel !== 'DEBUG') return GATEWAY_MESSAGES.internalError;
  if (e instanceof GatewayFailure) return e.hint ? `${e.detail} (${e.hint})` : e.detail;
  return (e as Error)?.message ?? String(e);
}

/** The last traces, by request id (bounded). */
export class TraceLog {
  readonly #byId = new Map<string, { gatewayId: string; steps: TraceStep[] }>();
  constructor(private readonly max = 500) {}

  put(call: GatewayCall): void {
    if (!call.trace.length) return;
    this.#byId.set(call.requestId, { gatewayId: call.gateway.gatewayId, steps: call.trace });
    if (this.#byId.size > this.max) this.#byId.delete(this.#byId.keys().next().value!);
  }

  get(requestId: string) {
    return this.#byId.get(requestId);
  }
}
