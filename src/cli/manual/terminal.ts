/**
 * The Markdown of a reference page as terminal text (`agentcore-auth help <topic>`): headings underlined, paragraphs
 * and list items wrapped to the width, code blocks indented as written, tables as aligned terms with their
 * descriptions below or beside them, inline code and emphasis marks dropped, links as their text. Only the Markdown our
 * own pages use; no colours (the pages are pre-rendered at build time).
 */
const WIDTH = 80;

/** Inline Markdown → plain text. */
export function plainInline(s: string): string {
  return s
    .replace(/\[([^\]]+)\]\((?:#|\.{0,2}\/?[\w./-]*\.md)[^)]*\)/g, '$1') // links within the manual: the text
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 <$2>')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\\\|/g, '|');
}

/** Words wrapped to `width`, every line prefixed by `indent` (the first by `first`). */
export function wrap(text: string, width: number, first: string, indent = first): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    if (!empty && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else line += (empty ? '' : ' ') + w;
    empty = false;
  }
  if (!empty || !lines.length) lines.push(line);
  return lines.map((l) => l.trimEnd());
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => plainInline(c.trim()));
}

function renderTable(lines: string[]): string[] {
  const rows = lines.filter((l) => !/^\|?\s*:?-{3,}/.test(l.trim())).map(splitRow);
  const [header, ...body] = rows;
  if (!header) return [];
  const termWidth = Math.max(...body.map((r) => r[0]!.length));
  const out: string[] = [];
  if (header.length === 2 && termWidth <= 22) {
    // Two short columns: term and description side by side, as commander lists options.
    for (const [term, desc] of body)
      out.push(...wrap(desc ?? '', WIDTH, `  ${term!.padEnd(termWidth + 2)}`, ' '.repeat(termWidth + 4)));
    return out;
  }
  for (const [term, ...rest] of body) {
    out.push(...wrap(term!, WIDTH, '  '));
    const desc = rest
      .map((c, i) => (header.length > 2 && i === 0 && c ? `(${c})` : c))
      .filter(Boolean)
      .join(' ');
    if (desc) out.push(...wrap(desc, WIDTH, '      '));
  }
  return out;
}

/** Render a page. */
export function markdownToTerminal(markdown: string): string {
  const src = markdown.replace(/<!--[\s\S]*?-->\n?/g, '').split('\n');
  const out: string[] = [];
  const blank = () => {
    if (out.length && out[out.length - 1] !== '') out.push('');
  };
  for (let i = 0; i < src.length; i++) {
    const line = src[i]!;
    if (line.startsWith('```')) {
      blank();
      for (i++; i < src.length && !src[i]!.startsWith('```'); i++) out.push(src[i] ? `    ${src[i]}` : '');
      blank();
    } else if (/^#{1,6} /.test(line)) {
      const level = line.indexOf(' ');
      const text = plainInline(line.slice(level + 1));
      blank();
      if (level === 1) out.push(text.toUpperCase(), '');
      else out.push(text, (level === 2 ? '=' : '-').repeat(text.length));
    } else if (line.trim().startsWith('|')) {
      const table: string[] = [];
      for (; i < src.length && src[i]!.trim().startsWith('|'); i++) table.push(src[i]!);
      i--;
      out.push(...renderTable(table));
      blank();
    } else if (/^\s*[-*] /.test(line) || /^\s*\d+\. /.test(line)) {
      const m = /^(\s*)([-*]|\d+\.) (.*)$/.exec(line)!;
      let text = m[3]!;
      while (i + 1 < src.length && /^\s{2,}\S/.test(src[i + 1]!) && !/^\s*([-*]|\d+\.) /.test(src[i + 1]!))
        text += ` ${src[++i]!.trim()}`;
      const bullet = m[2] === '-' || m[2] === '*' ? '•' : m[2]!;
      const pad = ' '.repeat(m[1]!.length + 2);
      out.push(...wrap(plainInline(text), WIDTH, `${pad}${bullet} `, `${pad}${' '.repeat(bullet.length + 1)}`));
    } else if (line.trim() === '') blank();
    else {
      let text = line;
      while (i + 1 < src.length && src[i + 1]!.trim() !== '' && !/^(#|```|\s*\||\s*[-*] |\s*\d+\. )/.test(src[i + 1]!))
        text += ` ${src[++i]!.trim()}`;
      out.push(...wrap(plainInline(text), WIDTH, ''));
    }
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}
