/**
 * How an invocation's answer reaches stdout, as it arrives:
 * - SSE: one line per event. A JSON string is written as its text (streamed tokens join up), a JSON object/array
 *   pretty-printed on a TTY (compact otherwise), anything else as the raw data.
 * - JSON bodies: pretty-printed on a TTY, as received otherwise. Other bodies: written through as they arrive.
 * - raw: the bytes exactly as received.
 * - json (NDJSON): {"type":"event",…} per SSE event or {"type":"body",…} once, then the caller writes the summary.
 * It also watches the text for an AgentCore authorization URL and for "Workload access token has not been set".
 */
import { isEventStream, SseParser, type SseEvent } from './sse.js';

export type OutputMode = 'human' | 'raw' | 'json';

export interface AnswerStats {
  bytes: number;
  events: number;
  /** AgentCore 3LO authorization URLs seen in the answer (first one first). */
  authorizationUrls: string[];
  watNotSet: boolean;
  /** The whole body text when it was small enough to keep (≤ 16 MiB), for callers such as MCP. */
  text?: string;
  sse: boolean;
  /** SSE events, kept only when `keepEvents` was set. */
  eventList?: SseEvent[];
}

/** Matches the authorization URL AgentCore hands out for 3LO consent. */
export const AUTHORIZATION_URL = /https?:\/\/[^\s"'<>\\]+\/identities\/oauth2\/authorize\?request_uri=[^\s"'<>\\]+/g;
const WAT_NOT_SET = /Workload access token has not been set/i;
const KEEP_MAX = 16 * 1024 * 1024;

export interface RenderOptions {
  mode: OutputMode;
  tty: boolean;
  contentType: string | undefined;
  write(text: string): void;
  keepEvents?: boolean;
  /** Called as soon as a new authorization URL shows up (while the answer may still be streaming). */
  onAuthorizationUrl?(url: string): void;
}

export async function renderAnswer(body: AsyncIterable<Uint8Array>, opts: RenderOptions): Promise<AnswerStats> {
  const r = new AnswerRenderer(opts);
  for await (const chunk of body) r.chunk(chunk);
  return r.end();
}

/** One answer as it streams: written per --output mode, scanned for consent URLs and the WAT message, kept. */
class AnswerRenderer {
  readonly stats: AnswerStats;
  private readonly sse: boolean;
  private readonly json: boolean;
  private readonly decoder = new TextDecoder();
  private readonly parser = new SseParser();
  private kept = '';
  private keep = true;
  private endsWithNewline = true;

  constructor(private readonly opts: RenderOptions) {
    this.sse = isEventStream(opts.contentType);
    this.json = !this.sse && !!opts.contentType && /json/i.test(opts.contentType);
    this.stats = { bytes: 0, events: 0, authorizationUrls: [], watNotSet: false, sse: this.sse };
    if (opts.keepEvents) this.stats.eventList = [];
  }

  chunk(chunk: Uint8Array): void {
    this.stats.bytes += chunk.byteLength;
    const text = this.decoder.decode(chunk, { stream: true });
    if (this.keep) {
      if (this.kept.length + text.length <= KEEP_MAX) this.kept += text;
      else this.keep = false;
    }
    this.text(text);
  }

  end(): AnswerStats {
    const { opts, stats } = this;
    const tail = this.decoder.decode();
    if (tail) {
      this.kept += tail;
      this.text(tail);
    }
    if (this.sse) for (const ev of this.parser.end()) this.onEvent(ev);
    if (this.keep) stats.text = this.kept;
    if (!this.sse) {
      this.scan(this.kept);
      if (this.json || opts.mode === 'json') {
        const parsed = tryJson(this.kept);
        if (opts.mode === 'json')
          this.write(`${JSON.stringify({ type: 'body', data: parsed === undefined ? this.kept : parsed })}\n`);
        else if (opts.mode === 'human' && opts.tty)
          this.write(parsed !== undefined ? `${JSON.stringify(parsed, null, 2)}\n` : this.kept);
      }
    }
    if (opts.mode === 'human' && !this.endsWithNewline) opts.write('\n');
    return stats;
  }

  private text(text: string): void {
    const { opts } = this;
    if (opts.mode === 'raw') this.write(text);
    if (this.sse) for (const ev of this.parser.push(text)) this.onEvent(ev);
    else if (opts.mode === 'human' && (!this.json || !opts.tty)) this.write(text);
  }

  private write(s: string): void {
    if (!s) return;
    this.opts.write(s);
    this.endsWithNewline = s.endsWith('\n');
  }

  private scan(text: string): void {
    const { stats } = this;
    if (WAT_NOT_SET.test(text)) stats.watNotSet = true;
    for (const m of text.matchAll(AUTHORIZATION_URL)) {
      const url = m[0].replace(/[),.;]+$/, '');
      if (!stats.authorizationUrls.includes(url)) {
        stats.authorizationUrls.push(url);
        this.opts.onAuthorizationUrl?.(url);
      }
    }
  }

  private onEvent(ev: SseEvent): void {
    const { opts } = this;
    this.stats.events++;
    this.stats.eventList?.push(ev);
    const parsed = tryJson(ev.data);
    if (typeof parsed === 'string') this.scan(parsed);
    this.scan(ev.data);
    if (opts.mode === 'json') {
      const record = {
        type: 'event',
        ...(ev.event ? { event: ev.event } : {}),
        ...(ev.id !== undefined ? { id: ev.id } : {}),
        data: parsed === undefined ? ev.data : parsed,
      };
      this.write(`${JSON.stringify(record)}\n`);
    } else if (opts.mode === 'human') {
      const nl = this.endsWithNewline ? '' : '\n';
      if (typeof parsed === 'string') this.write(parsed);
      else if (parsed !== undefined) this.write(`${nl}${JSON.stringify(parsed, null, opts.tty ? 2 : undefined)}\n`);
      else this.write(`${nl}${ev.data}\n`);
    }
  }
}

function tryJson(s: string): unknown {
  const t = s.trim();
  if (!t) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}
