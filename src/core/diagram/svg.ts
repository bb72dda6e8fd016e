/**
 * A small, dependency-free SVG renderer for the sequence-diagram subset in sequence.ts: participant boxes (top and
 * bottom), lifelines, solid/dotted messages with arrow, cross, open or async ends, self-messages and notes.
 *
 * Why our own: Mermaid's renderers need a DOM (mermaid-cli drives a downloaded Chromium); an offline, deterministic
 * renderer of the few shapes we emit keeps `smoke --html` self-contained and fast. Text is set in a monospace font
 * stack (local fonts only) so that widths can be computed without measuring. Every string is XML-escaped; the output
 * has no scripts, no external references, no ids (several diagrams can be inlined in one page).
 */
import { escapeHtml } from '../identity/html.js';
import { withoutControls, type ArrowEnd, type Message, type Note, type SequenceDiagram } from './sequence.js';

const FONT = `ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace`;
const FONT_SIZE = 13;
/** Advance of one character of a monospace font at FONT_SIZE (0.6 em), rounded up. */
const CHAR_W = 8;
const LINE_H = 17;
const MARGIN = 20;
const BOX_H = 40;
const BOX_PAD = 14;
const MIN_BOX_W = 120;
const MIN_GAP = 40;
const ROW_PAD = 12;
const NOTE_PAD = 8;
const SELF_W = 36;

const COLOURS = {
  ink: '#1f2328',
  box: '#eef2ff',
  boxStroke: '#6366f1',
  life: '#9ca3af',
  note: '#fff8c5',
  noteStroke: '#d4a72c',
  refused: '#cf222e',
  bg: '#ffffff',
};

/** Display width in character cells (East Asian wide characters and emoji count two). */
export function textCells(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n +=
      cp >= 0x1100 &&
      (cp <= 0x115f ||
        (cp >= 0x2e80 && cp <= 0xa4cf) ||
        (cp >= 0xac00 && cp <= 0xd7a3) ||
        (cp >= 0xf900 && cp <= 0xfaff) ||
        (cp >= 0xfe30 && cp <= 0xfe4f) ||
        (cp >= 0xff00 && cp <= 0xff60) ||
        (cp >= 0xffe0 && cp <= 0xffe6) ||
        cp >= 0x1f300)
        ? 2
        : 1;
  }
  return n;
}

function textWidth(lines: string[]): number {
  return Math.max(0, ...lines.map(textCells)) * CHAR_W;
}

const esc = (s: string) => escapeHtml(withoutControls(s));

function text(x: number, y: number, lines: string[], anchor: 'start' | 'middle' | 'end', extra = ''): string {
  return lines
    .map(
      (l, i) =>
        `<text x="${r(x)}" y="${r(y + i * LINE_H)}" text-anchor="${anchor}" ` +
        `dominant-baseline="middle"${extra}>${esc(l)}</text>`,
    )
    .join('');
}

const r = (n: number) => Math.round(n * 10) / 10;

export interface SvgOptions {
  /** Accessible name of the figure (aria-label and <title>). */
  title?: string;
}

/** Render a sequence diagram as a standalone SVG document fragment (`<svg …>…</svg>`). */
export function renderSvg(d: SequenceDiagram, options: SvgOptions = {}): string {
  const ids = new Set(d.participants.map((p) => p.id));
  for (const e of d.events) {
    for (const id of e.kind === 'message' ? [e.from, e.to] : e.over) {
      if (!ids.has(id)) throw new Error(`sequence diagram: unknown participant "${id}"`);
    }
  }
  const index = new Map(d.participants.map((p, i) => [p.id, i]));
  const boxW = d.participants.map((p) => Math.max(MIN_BOX_W, textCells(p.label) * CHAR_W + 2 * BOX_PAD));
  const n = d.participants.length;
  const { cx, rightOverhang } = horizontalLayout(d, index, boxW);
  const rows = drawEvents(d, cx, index, (cx[n - 1] ?? 0) + (boxW[n - 1] ?? 0) / 2 + MARGIN + rightOverhang);
  const bottom = rows.y + 6;
  const height = bottom + BOX_H + MARGIN;
  const heads = lifelines(d, cx, boxW, bottom);
  const width = rows.maxX - rows.minX;
  const title = options.title ?? 'sequence diagram';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" ` +
    `viewBox="${r(rows.minX)} 0 ${Math.ceil(width)} ${Math.ceil(height)}" role="img" aria-label="${esc(title)}" ` +
    `font-family="${esc(FONT)}" font-size="${FONT_SIZE}" fill="${COLOURS.ink}">` +
    `<title>${esc(title)}</title>` +
    `<rect x="${r(rows.minX)}" y="0" width="${Math.ceil(width)}" height="${Math.ceil(height)}" ` +
    `fill="${COLOURS.bg}"/>` +
    heads.join('') +
    rows.body.join('') +
    `</svg>`
  );
}

/**
 * Horizontal layout: the lifelines' x, from centre-to-centre distances between neighbours widened until every
 * message label fits between its two lifelines (and every two-participant note between its ends); and how far a
 * self-message of the last participant reaches past it.
 */
function horizontalLayout(
  d: SequenceDiagram,
  index: Map<string, number>,
  boxW: number[],
): { cx: number[]; rightOverhang: number } {
  const n = boxW.length;
  const gap: number[] = [];
  for (let i = 0; i + 1 < n; i++) gap.push(boxW[i]! / 2 + boxW[i + 1]! / 2 + MIN_GAP);
  const need: Array<{ a: number; b: number; w: number }> = [];
  let rightOverhang = 0;
  for (const e of d.events) {
    if (e.kind === 'message') {
      const a = index.get(e.from)!;
      const b = index.get(e.to)!;
      if (a === b) {
        if (a + 1 < n) need.push({ a, b: a + 1, w: SELF_W + textWidth(e.lines) + 2 * ROW_PAD });
        else rightOverhang = Math.max(rightOverhang, SELF_W + textWidth(e.lines) + ROW_PAD);
      } else need.push({ a: Math.min(a, b), b: Math.max(a, b), w: textWidth(e.lines) + 2 * ROW_PAD });
    } else if (e.over.length === 2) {
      const a = index.get(e.over[0])!;
      const b = index.get(e.over[1])!;
      if (a !== b) need.push({ a: Math.min(a, b), b: Math.max(a, b), w: textWidth(e.lines) + 2 * NOTE_PAD - 2 * 20 });
    }
  }
  need.sort((x, y) => x.b - x.a - (y.b - y.a));
  for (const { a, b, w } of need) {
    let have = 0;
    for (let i = a; i < b; i++) have += gap[i]!;
    if (have < w) {
      // Spread the missing width over the spanned gaps.
      const extra = (w - have) / (b - a);
      for (let i = a; i < b; i++) gap[i]! += extra;
    }
  }
  const cx: number[] = [];
  let x = MARGIN + (boxW[0] ?? 0) / 2;
  for (let i = 0; i < n; i++) {
    cx.push(x);
    x += gap[i] ?? 0;
  }
  return { cx, rightOverhang };
}

/** Vertical layout: each event drawn below the previous one; notes may widen the picture to either side. */
function drawEvents(d: SequenceDiagram, cx: number[], index: Map<string, number>, maxX0: number) {
  const body: string[] = [];
  let y = MARGIN + BOX_H + 16;
  let minX = 0;
  let maxX = maxX0;
  for (const e of d.events) {
    if (e.kind === 'message') {
      y = drawMessage(e, cx[index.get(e.from)!]!, cx[index.get(e.to)!]!, y, body);
      continue;
    }
    const { x0, x1 } = noteSpan(e, cx, index);
    const w = Math.max(x1 - x0, textWidth(e.lines) + 2 * NOTE_PAD);
    const mid = (x0 + x1) / 2;
    const left = e.placement === 'left of' ? x0 - w : e.placement === 'right of' ? x1 : mid - w / 2;
    const h = e.lines.length * LINE_H + 2 * NOTE_PAD;
    minX = Math.min(minX, left - MARGIN);
    maxX = Math.max(maxX, left + w + MARGIN);
    body.push(
      `<rect x="${r(left)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" rx="3" fill="${COLOURS.note}" ` +
        `stroke="${COLOURS.noteStroke}"/>`,
    );
    body.push(text(left + NOTE_PAD, y + NOTE_PAD + LINE_H / 2, e.lines, 'start'));
    y += h + ROW_PAD;
  }
  return { body, y, minX, maxX };
}

/** A message from x `a` to x `b` (a self-message when equal) at row `y`; returns the next row's y. */
function drawMessage(e: Message, a: number, b: number, y: number, body: string[]): number {
  const labelH = e.lines.length * LINE_H;
  const colour = e.end === 'cross' ? COLOURS.refused : COLOURS.ink;
  if (a === b) {
    body.push(text(a + SELF_W + 6, y + LINE_H / 2, e.lines, 'start', fill(colour)));
    const yy = y + labelH + 4;
    body.push(
      `<path d="M${r(a)} ${r(yy)} H${r(a + SELF_W)} V${r(yy + 18)} H${r(a + 2)}" fill="none" ` +
        `stroke="${colour}" stroke-width="1.5"${dash(e)}/>`,
    );
    body.push(head(a, yy + 18, -1, e.end, colour));
    return yy + 18 + ROW_PAD + 8;
  }
  body.push(text((a + b) / 2, y + LINE_H / 2 - 4, e.lines, 'middle', fill(colour)));
  const ly = y + labelH + 2;
  const dir = b > a ? 1 : -1;
  body.push(
    `<line x1="${r(a)}" y1="${r(ly)}" x2="${r(b - dir * 2)}" y2="${r(ly)}" stroke="${colour}" ` +
      `stroke-width="1.5"${dash(e)}/>`,
  );
  body.push(head(b, ly, dir, e.end, colour));
  return ly + ROW_PAD + 10;
}

/** Each participant's lifeline and its box at the top and the bottom. */
function lifelines(d: SequenceDiagram, cx: number[], boxW: number[], bottom: number): string[] {
  const heads: string[] = [];
  for (const [i, p] of d.participants.entries()) {
    const c = cx[i]!;
    const w = boxW[i]!;
    heads.push(
      `<line x1="${r(c)}" y1="${MARGIN + BOX_H}" x2="${r(c)}" y2="${r(bottom)}" stroke="${COLOURS.life}" ` +
        `stroke-dasharray="4 4"/>`,
    );
    for (const top of [MARGIN, bottom]) {
      heads.push(
        `<rect x="${r(c - w / 2)}" y="${r(top)}" width="${r(w)}" height="${BOX_H}" rx="4" ` +
          `fill="${COLOURS.box}" stroke="${COLOURS.boxStroke}"/>`,
      );
      heads.push(text(c, top + BOX_H / 2, [p.label], 'middle'));
    }
  }
  return heads;
}

function fill(colour: string): string {
  return colour === COLOURS.ink ? '' : ` fill="${colour}"`;
}

function dash(m: Message): string {
  return m.line === 'dotted' ? ' stroke-dasharray="6 4"' : '';
}

/** The end of a message at (x, y), pointing in direction dir (1 = right). */
function head(x: number, y: number, dir: number, end: ArrowEnd, colour: string): string {
  if (end === 'arrow') {
    const points = `${r(x)},${r(y)} ${r(x - dir * 10)},${r(y - 5)} ${r(x - dir * 10)},${r(y + 5)}`;
    return `<polygon points="${points}" fill="${colour}"/>`;
  }
  if (end === 'async') {
    const points = `${r(x - dir * 10)},${r(y - 5)} ${r(x)},${r(y)}`;
    return `<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="1.5"/>`;
  }
  if (end === 'cross') {
    const c = x - dir * 8;
    const d = `M${r(c - 5)} ${r(y - 5)} L${r(c + 5)} ${r(y + 5)} M${r(c - 5)} ${r(y + 5)} L${r(c + 5)} ${r(y - 5)}`;
    return `<path d="${d}" stroke="${colour}" stroke-width="2"/>`;
  }
  return '';
}

function noteSpan(e: Note, cx: number[], index: Map<string, number>): { x0: number; x1: number } {
  const xs = e.over.map((id) => cx[index.get(id)!]!);
  const a = Math.min(...xs);
  const b = Math.max(...xs);
  return e.over.length === 2 ? { x0: a - 20, x1: b + 20 } : { x0: a - 10, x1: b + 10 };
}
