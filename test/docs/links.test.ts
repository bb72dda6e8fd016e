/**
 * Every relative link in README.md, CONTRIBUTING.md and docs/ points at a file that exists, and every `#anchor` at a
 * heading of the page it names (GitHub's heading ids: lower case, punctuation dropped, spaces as hyphens, a repeated
 * heading suffixed -1, -2…). Links inside code are not links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchorOf } from '../../src/cli/manual/schema-doc.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function markdownUnder(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownUnder(join(d, e.name)) : e.name.endsWith('.md') ? [join(d, e.name)] : [],
  );
}

const files = [join(root, 'README.md'), join(root, 'CONTRIBUTING.md'), ...markdownUnder(join(root, 'docs'))];

/** The text outside fenced code blocks and inline code. */
function prose(md: string): string {
  return md.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

const anchorsCache = new Map<string, Set<string>>();
function anchorsOf(file: string): Set<string> {
  let anchors = anchorsCache.get(file);
  if (!anchors) {
    anchors = new Set();
    const seen = new Map<string, number>();
    const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
    for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) {
      const base = anchorOf(m[1]!.trim());
      const n = seen.get(base) ?? 0;
      anchors.add(n ? `${base}-${n}` : base);
      seen.set(base, n + 1);
    }
    for (const m of text.matchAll(/<a (?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
    anchorsCache.set(file, anchors);
  }
  return anchors;
}

function brokenLinks(file: string): string[] {
  const text = prose(readFileSync(file, 'utf8'));
  const targets = [
    ...[...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1]!),
  ];
  const broken: string[] = [];
  for (const target of targets) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const dest = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
    if (!existsSync(dest)) {
      broken.push(`${target} (no such file)`);
      continue;
    }
    if (anchor && statSync(dest).isFile() && dest.endsWith('.md') && !anchorsOf(dest).has(anchor))
      broken.push(`${target} (no heading #${anchor})`);
  }
  return broken;
}

describe('relative links', () => {
  it('the checked files exist', () => {
    for (const f of ['README.md', 'CONTRIBUTING.md']) expect(existsSync(join(root, f)), f).toBe(true);
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [relative(root, f)]))('%s', (file) => {
    expect(brokenLinks(join(root, file))).toEqual([]);
  });

  it('a broken link is found (the checker checks)', () => {
    expect(anchorsOf(join(root, 'docs/reference/exit-codes.md')).has('by-command')).toBe(true);
    expect(anchorsOf(join(root, 'docs/reference/exit-codes.md')).has('no-such-heading')).toBe(false);
  });
});
