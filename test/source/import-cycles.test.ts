/**
 * No import cycles in src/ (issue 22 item 5), type-only imports included: every static `import … from`, `import type`,
 * `export … from` and `import x = require()` of a relative module is an edge, found with the TypeScript compiler's
 * parser (not a regular expression), and the strongly connected components of that graph must all be single files.
 * Dynamic `import()` is a deliberate lazy load, not a cycle.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

/**
 * Cycles owned by a change still in progress elsewhere, each removed as soon as it is gone (the test fails when an
 * entry no longer matches a cycle). None left.
 */
const KNOWN: ReadonlyArray<readonly string[]> = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveModule(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')])
    if (existsSync(candidate)) return candidate;
  return undefined;
}

/** The relative modules a file imports or re-exports statically (type-only included). */
function staticImports(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const add = (node: ts.Expression | undefined) => {
    if (node && ts.isStringLiteral(node) && node.text.startsWith('.')) {
      const target = resolveModule(file, node.text);
      if (target) out.push(target);
    }
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) add(st.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference))
      add(st.moduleReference.expression);
  }
  return out;
}

/** Tarjan's strongly connected components with more than one file (or a file importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const comp: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(comp.sort());
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return found;
}

describe('import graph of src/', () => {
  const graph = new Map(
    sourceFiles(SRC).map((f) => [relative(ROOT, f), staticImports(f).map((t) => relative(ROOT, t))]),
  );

  it('is read from real imports (sanity: known edges are seen, type-only ones included)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/cli/command.ts')).toContain('src/cli/io.ts');
    // `import type { Inbound, InboundMode } from './inbound.js'`
    expect(graph.get('src/core/runtime/request.ts')).toContain('src/core/runtime/inbound.ts');
  });

  it('has no cycles', () => {
    const all = cycles(graph).map((c) => c.join(' ↔ '));
    const known = KNOWN.map((c) => [...c].sort().join(' ↔ '));
    expect(all.filter((c) => !known.includes(c))).toEqual([]);
    // A known cycle that is gone must leave the list (so it cannot come back unnoticed).
    expect(known.filter((c) => !all.includes(c))).toEqual([]);
  });

  it('finds a cycle when there is one (the walk itself)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
  });
});
