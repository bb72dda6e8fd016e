/**
 * Layout rules. Commands never import other commands. Shared CLI code lives in cli-level modules (src/cli/*.ts) named
 * for what they do. A command split into a folder (src/cli/commands/login/) may import its own files, nothing else
 * under commands/. Every import form counts: static `from`, dynamic `import()`, and `import('…')` type references.
 * core/ never imports cli/, commander, chalk or open, and never touches `process` (the CLI injects what it needs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMMANDS = join(ROOT, 'src/cli/commands');
const CORE = join(ROOT, 'src/core');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative module specifier in a TypeScript source, resolved to a .ts path. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map(
    (m) => m[1]!,
  );
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** The command a file belongs to: its file name directly under commands/, or the name of its folder there. */
function commandOf(file: string): string | undefined {
  const rel = relative(COMMANDS, file);
  if (rel.startsWith('..')) return undefined;
  return rel.split(sep)[0]!.replace(/\.ts$/, '');
}

function commandImportEdges(): string[] {
  const edges = new Set<string>();
  for (const file of sourceFiles(COMMANDS)) {
    const from = commandOf(file)!;
    for (const target of relativeImports(file)) {
      const to = commandOf(target);
      if (to !== undefined && to !== from) edges.add(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
    }
  }
  return [...edges].sort();
}

describe('src/cli/commands layout', () => {
  it('the import scanner sees static, dynamic and type-only imports', () => {
    const imports = relativeImports(join(ROOT, 'src/cli/commands/exchange.ts')).map((p) => relative(ROOT, p));
    expect(imports).toContain('src/cli/command.ts'); // static `from`
    expect(imports).toContain('src/core/identity/index.ts'); // `await import(…)` and `import('…').Type`
  });

  it('commands never import other commands (a command folder may import its own files)', () => {
    expect(commandImportEdges()).toEqual([]);
  });
});

describe('src/core layering', () => {
  const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

  it('core never imports cli/, commander, chalk or open', () => {
    const bad = sourceFiles(CORE).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const cli = relativeImports(file).filter((t) => t.startsWith(join(ROOT, 'src/cli') + sep));
      const pkgs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"](commander|chalk|open)['"]/g)].map(
        (m) => m[1]!,
      );
      return [...cli.map((t) => relative(ROOT, t)), ...pkgs].map((what) => `${relative(ROOT, file)} → ${what}`);
    });
    expect(bad).toEqual([]);
  });

  it('core never touches process', () => {
    const bad = sourceFiles(CORE).filter((file) =>
      /\bprocess\s*[.?[]|from\s*['"]node:process['"]/.test(withoutComments(readFileSync(file, 'utf8'))),
    );
    expect(bad.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
