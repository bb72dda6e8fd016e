import { defineConfig } from 'vitest/config';

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
    // test could observe; every server and child process a file starts is closed in its own afterAll. Proven with
    // `--sequence.shuffle.files` over several seeds and with maxWorkers 1 and 2.
    isolate: false,
  },
});
