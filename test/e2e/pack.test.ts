/**
 * What `npm pack` ships: the launcher, the built code with its pre-rendered help, the examples and the README — and
 * none of the sources or tests. (Installing the tarball and running it was checked by hand; see the README.)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm pack', () => {
  it('ships bin/, dist/ (with help/), examples/ and README.md only', () => {
    // --ignore-scripts: the files list must not depend on prepack having run in this test.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const needed of [
      'bin/agentcore-auth.js',
      'bin/package.json', // makes the launcher CommonJS
      'dist/bin.cjs',
      'dist/bin.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/help/_root.txt',
      'dist/emulator/stack.js',
      'README.md',
      'package.json',
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.some((f) => f.startsWith('examples/'))).toBe(true);
    expect(files.filter((f) => /^(src|test|bench|scripts|\.ci)\//.test(f))).toEqual([]);
  }, 60_000);
});
