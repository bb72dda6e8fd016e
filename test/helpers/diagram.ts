/** Sequence diagrams (src/core/diagram/sequence.ts) as text lines to assert on, independent of the Mermaid layout. */
import { parseMermaid, type SequenceDiagram } from '../../src/core/diagram/sequence.js';

/** "from ->[x] to: label" per message (`-->` when dotted, `x` for a cross end), "note a,b: text" per note. */
export function flatDiagram(d: SequenceDiagram): string[] {
  const label = (id: string) => d.participants.find((p) => p.id === id)!.label;
  const arrow = (e: { line: string; end?: string }) =>
    `${e.line === 'dotted' ? '-->' : '->'}${e.end === 'cross' ? 'x' : ''}`;
  return d.events.map((e) =>
    e.kind === 'message'
      ? `${label(e.from)} ${arrow(e)} ${label(e.to)}: ${e.lines.join(' ')}`
      : `note ${e.over.map(label).join(',')}: ${e.lines.join(' ')}`,
  );
}

/**
 * The diagram printed by `--diagram -` (from the line `sequenceDiagram` on), one line per event: `From -> To: label`
 * for every message (solid or dotted alike), `note: text` for a note; joined with newlines.
 */
export function arrowLines(stdout: string): string {
  const d = parseMermaid(stdout.slice(stdout.indexOf('sequenceDiagram\n')));
  const label = (id: string) => d.participants.find((p) => p.id === id)!.label;
  return d.events
    .map((e) =>
      e.kind === 'message' ? `${label(e.from)} -> ${label(e.to)}: ${e.lines.join(' ')}` : `note: ${e.lines.join(' ')}`,
    )
    .join('\n');
}
