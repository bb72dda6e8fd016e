/**
 * From a run's step trace to a sequence diagram. The trace is the run's HttpExchange records (the very records the
 * --verbose view prints: raw fetches and AWS SDK calls alike) plus the moments a browser was opened; nothing else is
 * booked. Each exchange becomes a request arrow labelled with the operation (and the tokens it carried, as
 * fingerprints) and an answer arrow labelled with the outcome (status, error code, tokens received as fingerprints).
 * Refusals (401/403, auth errors) end in a cross and get a note saying why, e.g. the SigV4-to-JWT method mismatch or
 * a CompleteResourceTokenAuth by another user than the one who started the session.
 *
 * Raw secrets never reach the diagram: tokens become `sha256:xxxxxxxx` (redact.ts fingerprint), other secret fields
 * are named but not shown, URLs lose their query, and free text (error messages) passes through the caller's scrub.
 */
import { classify } from '../classify.js';
import { METHOD_MISMATCH } from '../../wire.js';
import type { ExchangeListener, HttpExchange } from '../http.js';
import { maskJwtsInText } from '../redact.js';
import {
  bodyFacts,
  classifyExchange,
  errorMessage,
  isRefusal,
  jsonRpcError,
  MCP_URL_ELICITATION,
  ORDER,
  outcome,
  PARTICIPANTS,
  path,
  requestFacts,
  type CallTarget,
  type Party,
} from './exchange-facts.js';
import { drawGateway, GatewayLookups, type InsideStep } from './gateway-inside.js';

export { classifyExchange, errorCode, isRefusal, PARTICIPANTS, type CallTarget, type Party } from './exchange-facts.js';
import { wrap, type Message, type Note, type SequenceDiagram, type SequenceEvent } from './sequence.js';

export type TraceEntry =
  | { kind: 'http'; exchange: HttpExchange }
  | { kind: 'browser'; url: string }
  /** The last runtime or gateway answer asked for the user's consent (an authorization URL, a -32042 elicitation). */
  | { kind: 'consent'; how: ConsentAsk };

/** How an agent or a gateway asked for consent: an authorization URL in its answer, or MCP's -32042 URL elicitation. */
export type ConsentAsk = 'authorization-url' | 'elicitation';

/** Collects a run's trace: pass `onExchange` wherever an ExchangeListener goes; call `browserOpened` on each open. */
export class TraceRecorder {
  readonly entries: TraceEntry[] = [];
  /** What happened inside each gateway call, when the CLI can read the local stack's trace (sets `gateway.look`). */
  readonly gateway = new GatewayLookups();
  readonly onExchange: ExchangeListener = (exchange, phase) => {
    // The record is complete (status, error, body) once the response phase has run; it is the same object.
    if (phase === 'request') this.entries.push({ kind: 'http', exchange });
    else if (this.gateway.look && classifyExchange(exchange).to === 'gateway') this.gateway.observe(exchange);
  };

  /** How the run ended, when it failed (set by the CLI boundary): the diagram's closing note. */
  error?: { code: string; message: string };

  browserOpened(url: string): void {
    this.entries.push({ kind: 'browser', url });
  }

  /** The answer just received (from a runtime or a gateway) asked for the user's consent. */
  consentNeeded(how: ConsentAsk): void {
    this.entries.push({ kind: 'consent', how });
  }

  get exchanges(): HttpExchange[] {
    return this.entries.flatMap((e) => (e.kind === 'http' ? [e.exchange] : []));
  }
}

export interface DiagramOptions {
  /** Applied to every free text that reaches the diagram (error messages): the run's SecretRegistry scrub. */
  scrub?: (text: string) => string;
  /** How the run ended, when it failed: drawn as a note (after the refused call it explains, if any). */
  error?: { code: string; message: string };
  /** Wrap labels at this many characters (default 64). */
  width?: number;
  /** What happened inside the gateway for a call, by exchange id (the local stack's trace; see gateway-inside.ts). */
  gatewayInside?: ReadonlyMap<number, readonly InsideStep[]>;
}

interface CallStep {
  kind: 'call';
  ex: HttpExchange;
  c: CallTarget;
  count: number;
}

/**
 * Which runtime or gateway answers asked for consent: those followed by a `consent` entry (the CLI saw the
 * authorization URL or the -32042 in the answer), and gateway answers whose captured body is a -32042.
 */
function consentAsks(entries: readonly TraceEntry[]): Map<HttpExchange, ConsentAsk> {
  const asks = new Map<HttpExchange, ConsentAsk>();
  let last: HttpExchange | undefined;
  for (const e of entries) {
    if (e.kind === 'http') {
      const to = classifyExchange(e.exchange).to;
      if (to === 'runtime' || to === 'gateway') last = e.exchange;
      if (jsonRpcError(e.exchange) === MCP_URL_ELICITATION) asks.set(e.exchange, 'elicitation');
    } else if (e.kind === 'consent' && last) asks.set(last, e.how);
  }
  return asks;
}

/** Merge consecutive identical calls (retries, polling) into one arrow pair with a count. */
function mergeRepeats(entries: TraceEntry[]): Array<CallStep | { kind: 'browser'; url: string }> {
  const out: Array<CallStep | { kind: 'browser'; url: string }> = [];
  for (const e of entries) {
    if (e.kind === 'consent') continue;
    if (e.kind === 'browser') {
      out.push(e);
      continue;
    }
    const c = classifyExchange(e.exchange);
    const prev = out[out.length - 1];
    if (
      prev?.kind === 'call' &&
      prev.c.to === c.to &&
      prev.c.operation === c.operation &&
      sameAnswer(prev.ex, e.exchange)
    ) {
      prev.count++;
      prev.ex = e.exchange;
      continue;
    }
    out.push({ kind: 'call', ex: e.exchange, c, count: 1 });
  }
  return out;
}

/** What a repeat must share with the call before it to be merged: the answer and the tokens it carried. */
function sameAnswer(a: HttpExchange, b: HttpExchange): boolean {
  const facts = (x: HttpExchange) =>
    [outcome(x), ...bodyFacts(x.responseBody, x.responseHeaders?.['content-type']), ...requestFacts(x)].join('|');
  return facts(a) === facts(b);
}

/** Which party a browser was sent to, from the URL's shape. */
function browserTarget(url: string): { to: Party; what: string } {
  const p = path(url);
  if (/\/identities\/oauth2\/authorize$/.test(p) || /bedrock-agentcore\./.test(url))
    return { to: 'identity', what: 'AgentCore authorization URL' };
  if (/\/(oauth2\/)?authorize$/.test(p)) return { to: 'idp', what: 'authorization endpoint' };
  return { to: 'vault', what: 'authorization URL' };
}

/** The diagram of a trace. An empty trace gives a diagram with a note saying that no call was made. */
export function sequenceFromTrace(entries: readonly TraceEntry[], options: DiagramOptions = {}): SequenceDiagram {
  const canvas = new Canvas(options);
  let browserOpen = false;
  let errorDrawn = false;
  const asks = consentAsks(entries);
  for (const s of mergeRepeats([...entries])) {
    if (s.kind === 'browser') {
      drawBrowser(canvas, s.url);
      browserOpen = true;
      continue;
    }
    const op = s.c.operation;
    // The browser came back to our loopback: with a code (login) or a session_id (3LO return URL).
    if (browserOpen && (op === 'token (authorization_code)' || op === 'CompleteResourceTokenAuth')) {
      const how = op === 'CompleteResourceTokenAuth' ? 'the return URL (session_id)' : 'the loopback (code)';
      canvas.msg('user', 'cli', [`redirect to ${how}`], 'solid');
      browserOpen = false;
    }
    if (drawCall(canvas, s, asks.get(s.ex), options)) errorDrawn = true;
  }
  if (options.error && !errorDrawn) canvas.note(['cli'], `${options.error.code}: ${options.error.message}`);
  if (!canvas.events.length) canvas.note(['cli'], 'no call was made');
  return canvas.diagram();
}

/** The diagram being drawn: its events, and the parties they used (only those are drawn). */
class Canvas {
  readonly events: SequenceEvent[] = [];
  private readonly used = new Set<Party>(['cli']);
  private readonly width: number;
  readonly scrub: (s: string) => string;

  constructor(options: DiagramOptions) {
    this.width = options.width ?? 64;
    this.scrub = (s) => maskJwtsInText((options.scrub ?? ((t: string) => t))(s));
  }

  msg: Msg = (from, to, parts, line, end = 'arrow') => {
    this.used.add(from);
    this.used.add(to);
    this.events.push({ kind: 'message', from, to, lines: labelLines(parts, this.width), line, end });
  };

  note = (over: [Party] | [Party, Party], text: string) => {
    for (const p of over) this.used.add(p);
    this.events.push({
      kind: 'note',
      placement: 'over',
      over,
      lines: wrap(this.scrub(text), this.width),
    } satisfies Note);
  };

  diagram(): SequenceDiagram {
    const participants = ORDER.filter((p) => this.used.has(p)).map((id) => ({ id, label: PARTICIPANTS[id] }));
    return { participants, events: this.events };
  }
}

/** The CLI opens a browser at a party's page: the sign-in (and consent) happen there. */
function drawBrowser(canvas: Canvas, url: string): void {
  const t = browserTarget(url);
  canvas.msg('cli', 'user', [`open ${t.what}`], 'solid');
  canvas.note(
    ['user', t.to === 'identity' ? 'vault' : t.to],
    t.to === 'idp' ? 'sign-in in the browser' : 'sign-in and consent at the provider, in the browser',
  );
}

/** One call (merged repeats counted): request, what happened behind it, the answer, a refusal's note. */
function drawCall(canvas: Canvas, s: CallStep, ask: ConsentAsk | undefined, options: DiagramOptions): boolean {
  const { ex, c, count } = s;
  const { msg, note, scrub } = canvas;
  msg('cli', c.to, [count > 1 ? `${c.operation} ×${count}` : c.operation, ...requestFacts(ex)], 'solid');
  const refused = isRefusal(ex);
  const ok = ex.status !== undefined && ex.status < 400 && !ex.error;
  // An MCP error answer (a -32042 elicitation included) is an error, not a result, even inside an HTTP 200.
  const rpcError = ask === 'elicitation' ? MCP_URL_ELICITATION : ok ? jsonRpcError(ex) : undefined;
  if (ok && c.to === 'runtime') drawAgent(msg, ex, ask, rpcError);
  const inside = c.to === 'gateway' ? options.gatewayInside?.get(ex.id) : undefined;
  if (c.to === 'gateway') drawGateway({ inside, operation: c.operation, ok, ask: !!ask, rpcError }, msg, note);
  if (ex.status === undefined) {
    msg(c.to, 'cli', [ex.error ? `no answer: ${scrub(ex.error).slice(0, 80)}` : 'no answer'], 'dotted', 'cross');
  } else {
    const got = ok ? bodyFacts(ex.responseBody, ex.responseHeaders?.['content-type']) : [];
    const rpc = rpcError !== undefined && !outcome(ex).includes('JSON-RPC') ? [`JSON-RPC ${rpcError}`] : [];
    const why = ask
      ? [ask === 'elicitation' ? 'URL elicitation: consent needed' : 'authorization URL: consent needed']
      : [];
    const failed = refused || ex.status >= 400 || rpcError !== undefined;
    msg(c.to, 'cli', [outcome(ex), ...rpc, ...got, ...why], 'dotted', failed ? 'cross' : 'arrow');
  }
  if (!refused) return false;
  const why = refusalNote(ex, c, options.error);
  if (!why) return false;
  note(['cli', c.to], scrub(why.text));
  return why.isRunError;
}

type Msg = (from: Party, to: Party, parts: string[], line: Message['line'], end?: Message['end']) => void;

/** Behind a runtime call that went through: the agent invoked, and what it answered (a consent ask, an MCP error). */
function drawAgent(msg: Msg, ex: HttpExchange, ask: ConsentAsk | undefined, rpcError: number | undefined): void {
  const wat =
    ex.requestHeaders['x-amzn-bedrock-agentcore-runtime-user-id'] !== undefined ||
    /^bearer /i.test(ex.requestHeaders.authorization ?? '');
  msg(
    'runtime',
    'agent',
    [wat ? 'invocation + workload access token' : 'invocation (no workload access token)'],
    'solid',
  );
  if (ask) drawConsentAsk(msg, 'agent');
  if (rpcError !== undefined)
    msg(
      'agent',
      'runtime',
      [`JSON-RPC ${rpcError}${rpcError === MCP_URL_ELICITATION ? ' (URL elicitation)' : ''}`],
      'dotted',
      'cross',
    );
  else msg('agent', 'runtime', [ask ? 'answer · authorization URL' : 'answer'], 'dotted');
}

/**
 * The 3LO start that happens out of our sight, as exchange draws it when it makes the call itself: the agent (or the
 * gateway, for its target) asks AgentCore Identity for the user's token and gets an authorization URL back.
 */
function drawConsentAsk(msg: Msg, asker: 'agent' | 'gateway'): void {
  msg(asker, 'identity', ['GetResourceOauth2Token (USER_FEDERATION)'], 'solid');
  msg('identity', asker, ['authorizationUrl (no token in the vault yet)'], 'dotted');
}

function labelLines(parts: string[], width: number): string[] {
  // "Operation · fact · fact", wrapped after a separator (kept at the end of the line).
  const lines: string[] = [];
  let cur = '';
  for (const part of parts) {
    const next = cur ? `${cur} · ${part}` : part;
    if (cur && next.length > width) {
      lines.push(`${cur} ·`);
      cur = part;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  // A single part longer than the width is cut (the kept separator may go two characters over).
  return lines.flatMap((l) => wrap(l, width + 2));
}

/** Why a refusal happened, in a sentence: the run's own error when it is about this call, else the service's words. */
function refusalNote(
  ex: HttpExchange,
  c: CallTarget,
  error: DiagramOptions['error'],
): { text: string; isRunError: boolean } | undefined {
  const said = errorMessage(ex) ?? '';
  const runError = error ? classify(error.message).kind : undefined;
  if (classify(said).kind === 'method-mismatch' || runError === 'method-mismatch') {
    const sigv4 = /^AWS4-HMAC-SHA256/.test(ex.requestHeaders.authorization ?? '');
    const what = sigv4
      ? 'a SigV4 request to an agent that takes OAuth bearer tokens (JWT authorizer)'
      : 'a bearer token to an agent that takes SigV4 (IAM)';
    return { text: `refused: ${METHOD_MISMATCH} — ${what}`, isRunError: runError === 'method-mismatch' };
  }
  if (c.operation === 'CompleteResourceTokenAuth' && error && /session refused/i.test(error.message)) {
    return { text: `refused: ${error.message}`, isRunError: true };
  }
  if (error && (error.code === 'ERR_AUTH' || error.code === 'ERR_TOKEN_EXPIRED' || error.code === 'ERR_OAUTH'))
    return { text: `refused: ${error.message}`, isRunError: true };
  return said ? { text: `refused: ${said}`, isRunError: false } : undefined;
}

/**
 * Several diagrams one after the other in one (smoke --diagram: every step of a run), each introduced by a note
 * spanning the whole width ("step login — passed").
 */
export function combineDiagrams(parts: ReadonlyArray<{ title: string; diagram: SequenceDiagram }>): SequenceDiagram {
  const labels = new Map<string, string>();
  for (const { diagram } of parts)
    for (const p of diagram.participants) if (!labels.has(p.id)) labels.set(p.id, p.label);
  const rank = (id: string) => {
    const i = ORDER.indexOf(id as Party);
    return i < 0 ? ORDER.length : i;
  };
  const participants = [...labels].map(([id, label]) => ({ id, label })).sort((a, b) => rank(a.id) - rank(b.id));
  const events: SequenceEvent[] = [];
  if (!participants.length) return { participants, events };
  const first = participants[0]!.id;
  const last = participants[participants.length - 1]!.id;
  for (const { title, diagram } of parts) {
    events.push({
      kind: 'note',
      placement: 'over',
      over: first === last ? [first] : [first, last],
      lines: wrap(title, 100),
    });
    events.push(...diagram.events);
  }
  return { participants, events };
}
