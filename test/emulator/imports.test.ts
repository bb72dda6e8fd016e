/**
 * The emulator imports nothing from src/core/ or src/cli/ (the wire facts it shares live in src/wire.ts), so that the
 * CLI's tests against the emulator are not testing the CLI against itself. Every import form counts: static, type-only,
 * re-exports and dynamic import().
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const emulatorDir = join(root, 'src/emulator');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier a source names (import/export from, import '…', import('…'), import type). */
function specifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Relative specifiers that land in src/core/ or src/cli/, as `file → target`. */
function forbiddenImports(files: Array<{ file: string; source: string }>): string[] {
  const out: string[] = [];
  for (const { file, source } of files) {
    for (const spec of specifiers(source)) {
      if (!spec.startsWith('.')) continue;
      const target = relative(join(root, 'src'), resolve(dirname(file), spec));
      if (/^(core|cli)([\\/]|$)/.test(target)) out.push(`${relative(root, file)} → src/${target}`);
    }
  }
  return out;
}

describe('emulator layering', () => {
  it('no emulator file imports from src/core/ or src/cli/', () => {
    const files = tsFiles(emulatorDir).map((file) => ({ file, source: readFileSync(file, 'utf8') }));
    expect(files.length).toBeGreaterThan(20);
    expect(forbiddenImports(files)).toEqual([]);
  });

  it('the check sees every import form (static, type-only, re-export, dynamic)', () => {
    // Offending sources placed at an emulator path: each form must be reported.
    const file = join(emulatorDir, 'runtime', 'probe.ts');
    const sources = [
      "import { HEADERS } from '../../core/wire.js';",
      "import type { Io } from '../../cli/command.js';",
      "export { maskSecret } from '../../core/redact.js';",
      "const m = await import('../../core/jwt.js');",
      "import '../../cli/run.js';",
    ];
    for (const source of sources) expect(forbiddenImports([{ file, source }]), source).toHaveLength(1);
    expect(forbiddenImports([{ file, source: "import { HEADERS } from '../../wire.js';" }])).toEqual([]);
  });
});
