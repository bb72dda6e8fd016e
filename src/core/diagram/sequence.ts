/**
 * A sequence diagram as data, the Mermaid `sequenceDiagram` text for it, and a parser for exactly the subset we emit
 * (participants, messages with the solid/dotted × arrow/cross/open ends, notes, comments). The SVG renderer
 * (svg.ts) draws this model, so a diagram parsed back from its Mermaid text renders the same as the original.
 */

export interface Participant {
  /** Mermaid identifier: letters, digits and underscores. */
  id: string;
  label: string;
}

export type LineStyle = 'solid' | 'dotted';
/** arrow `->>`, cross `-x` (a refused or failed call), open `->` (no head), async `-)`. */
export type ArrowEnd = 'arrow' | 'cross' | 'open' | 'async';

export interface Message {
  kind: 'message';
  from: string;
  to: string;
  /** Display lines (never empty). */
  lines: string[];
  line: LineStyle;
  end: ArrowEnd;
}

export interface Note {
  kind: 'note';
  /** One participant, or the two a note spans. */
  over: [string] | [string, string];
  placement: 'over' | 'left of' | 'right of';
  lines: string[];
}

export type SequenceEvent = Message | Note;

export interface SequenceDiagram {
  participants: Participant[];
  events: SequenceEvent[];
}

const ARROWS: Array<{ token: string; line: LineStyle; end: ArrowEnd }> = [
  // Longest first: the parser takes the first that matches.
  { token: '-->>', line: 'dotted', end: 'arrow' },
  { token: '->>', line: 'solid', end: 'arrow' },
  { token: '--x', line: 'dotted', end: 'cross' },
  { token: '-x', line: 'solid', end: 'cross' },
  { token: '--)', line: 'dotted', end: 'async' },
  { token: '-)', line: 'solid', end: 'async' },
  { token: '-->', line: 'dotted', end: 'open' },
  { token: '->', line: 'solid', end: 'open' },
];

function arrowToken(line: LineStyle, end: ArrowEnd): string {
  return ARROWS.find((a) => a.line === line && a.end === end)!.token;
}

/**
 * Mermaid text of a label line. Mermaid ends a message at `;`, `#` starts an entity and `<…>` is read as HTML, so
 * those (and `&`, `%`, quotes) become Mermaid entity codes (`#59;`, `#35;`, `#lt;` …), which Mermaid decodes back.
 */
export function mermaidText(s: string): string {
  return withoutControls(s).replace(/[#;<>&%"'`{}]/g, (ch) => {
    switch (ch) {
      case '<':
        return '#lt;';
      case '>':
        return '#gt;';
      case '&':
        return '#amp;';
      default:
        return `#${ch.codePointAt(0)};`;
    }
  });
}

/** Control characters (newlines, ANSI escapes) never reach a diagram. */
export function withoutControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

function labelText(lines: string[]): string {
  // A message text that starts with `wrap:` / `nowrap:` is a directive to Mermaid, not text: escape that colon.
  return lines
    .map(mermaidText)
    .join('<br/>')
    .replace(/^(\s*(?:no)?wrap):/i, '$1#58;');
}

/** The Mermaid `sequenceDiagram` source. */
export function toMermaid(d: SequenceDiagram): string {
  const out = ['sequenceDiagram'];
  for (const p of d.participants) out.push(`  participant ${p.id} as ${mermaidText(p.label)}`);
  for (const e of d.events) {
    if (e.kind === 'message') {
      out.push(`  ${e.from}${arrowToken(e.line, e.end)}${e.to}: ${labelText(e.lines)}`);
    } else {
      out.push(`  Note ${e.placement} ${e.over.join(',')}: ${labelText(e.lines)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export class MermaidParseError extends Error {
  constructor(
    readonly lineNumber: number,
    message: string,
  ) {
    super(`line ${lineNumber}: ${message}`);
    this.name = 'MermaidParseError';
  }
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decode Mermaid entity codes (`#59;`, `#lt;`). */
export function decodeMermaidText(s: string): string {
  return s.replace(/#(\d+|[a-z]+);/gi, (m, code: string) => {
    if (/^\d+$/.test(code)) {
      const n = Number(code);
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return NAMED[code.toLowerCase()] ?? m;
  });
}

function splitLabel(raw: string): string[] {
  return raw
    .trim()
    .split(/<br\s*\/?>/i)
    .map((l) => decodeMermaidText(l.trim()));
}

const ID = '[A-Za-z_][A-Za-z0-9_]*';
const MESSAGE = new RegExp(`^(${ID})\\s*(-->>|->>|--x|-x|--\\)|-\\)|-->|->)\\s*([+-]?)(${ID})\\s*:(.*)$`);
const NOTE = new RegExp(`^note\\s+(over|left of|right of)\\s+(${ID})(?:\\s*,\\s*(${ID}))?\\s*:(.*)$`, 'i');
const PARTICIPANT = new RegExp(`^(participant|actor)\\s+(${ID})(?:\\s+as\\s+(.+))?$`);

/**
 * Parse the sequence-diagram subset this project emits. Anything else (blocks such as alt/loop, activations,
 * autonumber…) is an error naming the line, so a diagram is never drawn silently wrong.
 */
export function parseMermaid(text: string): SequenceDiagram {
  const participants: Participant[] = [];
  const events: SequenceEvent[] = [];
  const known = new Set<string>();
  const declare = (id: string, label?: string) => {
    if (known.has(id)) return;
    known.add(id);
    participants.push({ id, label: label ?? id });
  };
  let header = false;
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    const line = raw.trim();
    if (!line || line.startsWith('%%')) continue;
    if (!header) {
      if (line !== 'sequenceDiagram')
        throw new MermaidParseError(n, `expected "sequenceDiagram", got "${line.slice(0, 40)}"`);
      header = true;
      continue;
    }
    let m = PARTICIPANT.exec(line);
    if (m) {
      if (known.has(m[2]!)) throw new MermaidParseError(n, `participant ${m[2]} declared twice`);
      declare(m[2]!, m[3] !== undefined ? decodeMermaidText(m[3].trim()) : undefined);
      continue;
    }
    m = MESSAGE.exec(line);
    if (m) {
      const arrow = ARROWS.find((a) => a.token === m![2])!;
      if (m[3]) throw new MermaidParseError(n, 'activations (+/-) are not supported');
      declare(m[1]!);
      declare(m[4]!);
      events.push({
        kind: 'message',
        from: m[1]!,
        to: m[4]!,
        lines: splitLabel(m[5]!),
        line: arrow.line,
        end: arrow.end,
      });
      continue;
    }
    m = NOTE.exec(line);
    if (m) {
      declare(m[2]!);
      if (m[3]) declare(m[3]);
      const placement = m[1]!.toLowerCase() as Note['placement'];
      if (m[3] && placement !== 'over') throw new MermaidParseError(n, `a note ${placement} takes one participant`);
      events.push({ kind: 'note', placement, over: m[3] ? [m[2]!, m[3]] : [m[2]!], lines: splitLabel(m[4]!) });
      continue;
    }
    throw new MermaidParseError(n, `not supported by this renderer: "${line.slice(0, 60)}"`);
  }
  if (!header) throw new MermaidParseError(1, 'empty diagram: expected "sequenceDiagram"');
  return { participants, events };
}

/** Wrap text to lines of at most `width` characters, breaking at spaces (a longer word is cut). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of withoutControls(text).split(' ').filter(Boolean)) {
    let w = word;
    while (w.length > width) {
      if (cur) {
        out.push(cur);
        cur = '';
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!cur) cur = w;
    else if (cur.length + 1 + w.length <= width) cur += ` ${w}`;
    else {
      out.push(cur);
      cur = w;
    }
  }
  if (cur) out.push(cur);
  return out.length ? out : [''];
}
