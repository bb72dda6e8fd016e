#!/usr/bin/env node
// Build step: render the top-level help and each command's help once, with commander itself, into dist/help/*.txt.
// bin.ts serves `--help`, `-h`, `help <cmd>` and `<cmd> --help` from these files without loading commander, chalk or
// any command module, which is what keeps `agentcore-auth --help` near `node -e ""` (bench/cold-start.mjs). The files
// are regenerated on every build, so they cannot drift from the code; test/e2e/help-cache.test.ts compares them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { runCli } = await import(`${root}dist/cli/run.js`);
const { REGISTRY } = await import(`${root}dist/cli/registry.js`);

export async function renderHelp(argv) {
  let out = '';
  const sink = {
    isTTY: false,
    write: (s) => {
      out += s;
      return true;
    },
  };
  const ctx = {
    stdout: sink,
    stderr: { isTTY: false, write: () => true },
    stdin: { isTTY: false, async *[Symbol.asyncIterator]() {} },
    env: {},
    cwd: root,
    homedir: root,
    fetch: globalThis.fetch,
    now: Date.now,
    sleep: async () => undefined,
    randomId: () => 'x',
    openBrowser: async () => undefined,
    prompt: async () => '',
    signal: new AbortController().signal,
    version: JSON.parse((await import('node:fs')).readFileSync(`${root}package.json`, 'utf8')).version,
    platform: process.platform,
    pid: process.pid,
    isProcessAlive: () => true,
  };
  const code = await runCli(argv, ctx);
  if (code !== 0) throw new Error(`help for ${argv.join(' ')} exited ${code}`);
  return out;
}

mkdirSync(`${root}dist/help`, { recursive: true });
writeFileSync(`${root}dist/help/_root.txt`, await renderHelp(['--help']));
for (const entry of REGISTRY)
  writeFileSync(`${root}dist/help/${entry.name}.txt`, await renderHelp([entry.name, '--help']));
