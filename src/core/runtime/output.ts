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
  const sse = isEventStream(opts.contentType);
  const json = !sse && !!opts.contentType && /json/i.test(opts.contentType);
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const stats: AnswerStats = { bytes: 0, events: 0, authorizationUrls: [], watNotSet: false, sse };
  if (opts.keepEvents) stats.eventList = [];
  let kept = '';
  let keep = true;
  let endsWithNewline = true;
  const write = (s: string) => {
    if (!s) return;
    opts.write(s);
    endsWithNewline = s.endsWith('\n');
  };
  const scan = (text: string) => {
    if (WAT_NOT_SET.test(text)) stats.watNotSet = true;
    for (const m of text.matchAll(AUTHORIZATION_URL)) {
      const url = m[0].replace(/[),.;]+$/, '');
      if (!stats.authorizationUrls.includes(url)) {
        stats.authorizationUrls.push(url);
        opts.onAuthorizationUrl?.(url);
      }
    }
  };
  const onEvent = (ev: SseEvent) => {
    stats.events++;
    stats.eventList?.push(ev);
    const parsed = tryJson(ev.data);
    if (typeof parsed === 'string') scan(parsed);
    scan(ev.data);
    if (opts.mode === 'json') {
      const record = {
        type: 'event',
        ...(ev.event ? { event: ev.event } : {}),
        ...(ev.id !== undefined ? { id: ev.id } : {}),
        data: parsed === undefined ? ev.data : parsed,
      };
      write(`${JSON.stringify(record)}\n`);
    } else if (opts.mode === 'human') {
      if (typeof parsed === 'string') write(parsed);
      else if (parsed !== undefined)
        write(`${endsWithNewline ? '' : '\n'}${JSON.stringify(parsed, null, opts.tty ? 2 : undefined)}\n`);
      else write(`${endsWithNewline ? '' : '\n'}${ev.data}\n`);
    }
  };

  for await (const chunk of body) {
    stats.bytes += chunk.byteLength;
    const text = decoder.decode(chunk, { stream: true });
    if (keep) {
      if (kept.length + text.length <= KEEP_MAX) kept += text;
      else keep = false;
    }
    if (opts.mode === 'raw') write(text);
    if (sse) for (const ev of parser.push(text)) onEvent(ev);
    else if (opts.mode === 'human' && (!json || !opts.tty)) write(text);
  }
  const tail = decoder.decode();
  if (tail) {
    kept += tail;
    if (opts.mode === 'raw') write(tail);
    if (sse) for (const ev of parser.push(tail)) onEvent(ev);
    else if (opts.mode === 'human' && (!json || !opts.tty)) write(tail);
  }
  if (sse) for (const ev of parser.end()) onEvent(ev);
  if (keep) stats.text = kept;
  if (!sse) {
    scan(kept);
    if (json || opts.mode === 'json') {
      const parsed = tryJson(kept);
      if (opts.mode === 'json')
        write(`${JSON.stringify({ type: 'body', data: parsed === undefined ? kept : parsed })}\n`);
      else if (opts.mode === 'human' && opts.tty)
        write(parsed !== undefined ? `${JSON.stringify(parsed, null, 2)}\n` : kept);
    }
  }
  if (opts.mode === 'human' && !endsWithNewline) opts.write('\n');
  return stats;
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
