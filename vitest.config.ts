import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take longest (seconds each on an idle 2-core machine, `vitest run --reporter=json`), longest first.
 * They start first, so no long file is left to run alone at the end while the other worker idles.
 */
const LONGEST_FIRST = [
  'test/browser/pages.test.ts',
  'test/reliability/loopback.test.ts',
  'test/reliability/secret-canary.test.ts',
  'test/reliability/token-cache.test.ts',
  'test/reliability/parsers.property.test.ts',
  'test/e2e/help-cache.test.ts',
  'test/reliability/bounded-waits.test.ts',
  'test/emulator/payload-limit.test.ts',
  'test/reliability/isolation.test.ts',
  'test/core/token-cache.test.ts',
  'test/cli/setup-local-stack.test.ts',
  'test/e2e/cli-startup.test.ts',
  'test/browser/smoke-report.test.ts',
  'test/cli/doctor-bin.test.ts',
  'test/e2e/pack.test.ts',
  'test/e2e/proxy-tls.test.ts',
];

/**
 * The same order on every machine: the list above, then the other files largest first. Vitest's own order depends on
 * its results cache (node_modules/.vite/vitest: slowest and failed files first), which a fresh clone does not have:
 * there it falls back to file size, and help-cache.test.ts (3 s, a small file) started last.
 */
class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const key = (f: TestSpecification) => {
      const path = relative(f.project.config.root, f.moduleId).split('\\').join('/');
      const rank = LONGEST_FIRST.indexOf(path);
      return { path, rank: rank === -1 ? LONGEST_FIRST.length : rank, size: statSync(f.moduleId).size };
    };
    const keys = new Map(files.map((f) => [f, key(f)]));
    return [...files].sort((a, b) => {
      const x = keys.get(a)!;
      const y = keys.get(b)!;
      return x.rank - y.rank || y.size - x.size || (x.path < y.path ? -1 : 1);
    });
  }
}

// `--sequence.shuffle…` on the command line: vitest's own shuffling (a configured sequencer would win over it).
const shuffled = process.argv.some((a) => a.startsWith('--sequence.shuffle'));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    setupFiles: ['./test/helpers/quiet-libraries.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // 2-core machines: more workers only add contention.
    maxWorkers: 2,
    // Test files share a worker (and its module cache) instead of a fresh one per file: the suite's CPU time halves
    // (every file used to re-import the AWS SDK, jose and vitest itself). Safe because no test or helper changes
    // process-wide state (env, cwd, console, process listeners, globals) and src/ keeps no per-run singletons that a
    // test could observe (the emulator's spare RSA keys, src/emulator/keys.ts, are held by one live stack at a
    // time); every server and child process a file starts is closed in its own afterAll. Proven with
    // `--sequence.shuffle.files` over several seeds and with maxWorkers 1 and 2.
    isolate: false,
    ...(shuffled ? {} : { sequence: { sequencer: LongestFirstSequencer } }),
  },
});
