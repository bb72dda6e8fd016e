/**
 * What happened inside a gateway during one call, as the local stack reports it (GET /_local/gateways/trace/{id},
 * keyed by the x-amzn-requestid of the answer): the interceptor Lambdas, the Identity calls for outbound
 * credentials, the policy decision, and what each target received — tokens as fingerprints, API keys by their
 * fingerprint and where they went, SigV4 by whose keys and for which service. The real service reports none of
 * this, so against AWS the diagram shows the gateway's answer only.
 */
export type InsideStep =
  | { kind: 'interceptor'; phase: 'REQUEST' | 'RESPONSE'; arn: string; outcome: string; ms?: number }
  | { kind: 'identity'; operation: string; provider: string; flow?: string; outcome: string }
  | {
      kind: 'policy';
      action: string;
      decision: string;
      mode: string;
      engine?: string;
      determining?: ReadonlyArray<{ id: string; name: string; effect: string }>;
      error?: string;
    }
  | { kind: 'policy-list'; mode: string; engine?: string; listed: number; of: number }
  | {
      kind: 'target';
      target: string;
      targetType: string;
      operation: string;
      url?: string;
      sent: {
        authorization?: { scheme: string; fingerprint: string; sameAsCaller: boolean };
        apiKey?: { location: string; name: string; fingerprint: string };
        sigv4?: { service: string; region: string; accessKeyId: string; as: string };
      };
      status?: number;
      outcome: string;
    };

import type { HttpExchange } from '../http.js';

type Party = 'gateway' | 'interceptor' | 'identity' | 'policy' | 'target';
type Msg = (from: Party, to: Party, parts: string[], line: 'solid' | 'dotted', end?: 'arrow' | 'cross') => void;
type NoteFn = (over: [Party] | [Party, Party], text: string) => void;

/** What a target was sent, in words (never a secret). */
export function sentFacts(sent: Extract<InsideStep, { kind: 'target' }>['sent']): string[] {
  const out: string[] = [];
  const a = sent.authorization;
  if (a) out.push(`${a.scheme} ${a.fingerprint}${a.sameAsCaller ? " (the caller's token)" : ''}`);
  if (sent.apiKey)
    out.push(
      `API key ${sent.apiKey.fingerprint} ` +
        `in ${sent.apiKey.location === 'HEADER' ? 'header' : 'query'} ${sent.apiKey.name}`,
    );
  if (sent.sigv4)
    out.push(
      `SigV4 as ${sent.sigv4.as} (${sent.sigv4.service}, ${sent.sigv4.region}, key ` +
        `…${sent.sigv4.accessKeyId.slice(-4)})`,
    );
  if (!out.length) out.push('no credential');
  return out;
}

const lambdaName = (arn: string) => arn.split(':')[6] ?? arn;

/** Why a decision went the way it did: the determining policies, or the default deny. */
export function decidedBy(s: Extract<InsideStep, { kind: 'policy' }>): string {
  if (s.error) return s.error;
  const by = (s.determining ?? []).map((d) => `${d.effect} ${d.name}`);
  if (by.length) return by.join(', ');
  return s.decision === 'allow' ? 'allowed' : 'no policy applies: denied by default';
}

/**
 * The tools/call decision (AuthorizeAction): the engine's answer with the policies that determined it. An enforced
 * deny ends the call at the gateway (the target is never reached); under LOG_ONLY the call goes on.
 */
function drawPolicyDecision(s: Extract<InsideStep, { kind: 'policy' }>, msg: Msg, note: NoteFn): void {
  msg('gateway', 'policy', [`AuthorizeAction ${s.action} (${s.mode})`], 'solid');
  const enforcedDeny = s.decision !== 'allow' && s.mode !== 'LOG_ONLY';
  msg(
    'policy',
    'gateway',
    [`${s.decision.toUpperCase()}: ${decidedBy(s)}`],
    'dotted',
    enforcedDeny ? 'cross' : 'arrow',
  );
  if (enforcedDeny) note(['gateway'], 'denied: the target is not called (isError result: AuthorizeActionException)');
  else if (s.decision !== 'allow') note(['gateway'], 'LOG_ONLY: the deny is only logged, the call goes on');
}

/** Draws the steps between the gateway's arrow in and its answer out. */
export function drawInside(steps: readonly InsideStep[], msg: Msg, note: NoteFn): void {
  for (const s of steps) {
    switch (s.kind) {
      case 'interceptor':
        msg('gateway', 'interceptor', [`${s.phase} interceptor ${lambdaName(s.arn)}`], 'solid');
        msg('interceptor', 'gateway', [s.outcome], 'dotted', s.outcome === 'ok' ? 'arrow' : 'cross');
        break;
      case 'identity':
        msg('gateway', 'identity', [`${s.operation} (${s.flow ?? s.provider})`], 'solid');
        msg(
          'identity',
          'gateway',
          [s.outcome === 'authorization URL' ? 'authorizationUrl (no token in the vault yet)' : s.outcome],
          'dotted',
        );
        break;
      case 'policy':
        drawPolicyDecision(s, msg, note);
        break;
      case 'policy-list':
        msg('gateway', 'policy', [`PartiallyAuthorizeActions: tools/list (${s.mode})`], 'solid');
        msg('policy', 'gateway', [`${s.listed} of ${s.of} tools listable for this caller`], 'dotted');
        break;
      case 'target': {
        msg('gateway', 'target', [`${s.target}: ${s.operation}`, ...sentFacts(s.sent)], 'solid');
        // An MCP target's answer: a result or a JSON-RPC error; an HTTP target's: its status.
        const answer = s.status !== undefined ? String(s.status) : s.outcome === 'ok' ? 'result' : s.outcome;
        msg('target', 'gateway', [answer], 'dotted', /^(result|[23]\d\d)$/.test(answer) ? 'arrow' : 'cross');
        break;
      }
    }
  }
}

/**
 * Behind a gateway call: its inside when the local stack's trace says it, else what can be inferred of a tools/call.
 */
export function drawGateway(
  call: {
    inside: readonly InsideStep[] | undefined;
    operation: string;
    ok: boolean;
    ask: boolean;
    rpcError: number | undefined;
  },
  msg: Msg,
  note: NoteFn,
): void {
  if (call.inside?.length) {
    drawInside(call.inside, msg, note);
    return;
  }
  if (!call.ok || !/tools\/call /.test(call.operation)) return;
  if (call.ask) {
    // The 3LO start out of our sight: the gateway asks Identity for the user's token and gets an authorization URL.
    msg('gateway', 'identity', ['GetResourceOauth2Token (USER_FEDERATION)'], 'solid');
    msg('identity', 'gateway', ['authorizationUrl (no token in the vault yet)'], 'dotted');
    return;
  }
  msg('gateway', 'target', [call.operation.replace(/^\S+ /, '')], 'solid');
  if (call.rpcError === undefined) msg('target', 'gateway', ['result'], 'dotted');
  else msg('target', 'gateway', [`JSON-RPC ${call.rpcError}`], 'dotted', 'cross');
}

/**
 * The recorder's reads of the local stack's gateway traces: `look` (set by the CLI) is asked once per gateway answer;
 * `inside` holds what came back by exchange id; `settled()` waits for the reads in flight.
 */
export class GatewayLookups {
  readonly inside = new Map<number, readonly InsideStep[]>();
  readonly #pending = new Set<Promise<void>>();
  look?: (exchange: HttpExchange) => Promise<readonly InsideStep[] | undefined>;

  observe(exchange: HttpExchange): void {
    if (!this.look) return;
    const tracked: Promise<void> = this.look(exchange)
      .then((steps) => {
        if (steps?.length) this.inside.set(exchange.id, steps);
      })
      .catch(() => undefined)
      .finally(() => {
        this.#pending.delete(tracked);
      });
    this.#pending.add(tracked);
  }

  /** Resolves once every gateway trace being read has arrived (or failed). */
  async settled(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }
}
