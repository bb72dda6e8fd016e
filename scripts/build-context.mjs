// The CliContext the build scripts run the CLI with (render-help.mjs, gen-reference.mjs): output captured, no
// environment, no terminal, no network, no browser — so what they render depends on the code alone.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export function buildContext() {
  const out = { text: '' };
  const ctx = {
    stdout: {
      isTTY: false,
      write: (s) => {
        out.text += s;
        return true;
      },
    },
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
    version: JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version,
    platform: process.platform,
    pid: process.pid,
    isProcessAlive: () => true,
  };
  return { ctx, out };
}
