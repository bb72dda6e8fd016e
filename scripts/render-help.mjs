#!/usr/bin/env node
// Build step: render the top-level help and each command's help once, with commander itself, into dist/help/*.txt;
// each help topic (`help <topic>`) into dist/help/topic/<topic>.txt and each shell's completion script into
// dist/help/completion/<shell>.txt. bin.cts serves `--help`, `-h`, `help <cmd|topic>`, `<cmd> --help` and
// `completion <shell>` from these files without loading commander, chalk or any command module, which is what keeps
// `agentcore-auth --help` near `node -e ""` (bench/cold-start.mjs). The files are regenerated on every build, so
// they cannot drift from the code; test/e2e/help-cache.test.ts compares them. The topics' prose
// (src/cli/manual/topics/*.md) and the stack config's schema are copied next to the modules that read them.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { buildContext, root } from './build-context.mjs';

// Data files the built modules read at run time (tsc copies only what it compiles).
mkdirSync(`${root}dist/cli/manual/topics`, { recursive: true });
for (const f of readdirSync(`${root}src/cli/manual/topics`))
  copyFileSync(`${root}src/cli/manual/topics/${f}`, `${root}dist/cli/manual/topics/${f}`);
copyFileSync(`${root}src/emulator/config.schema.json`, `${root}dist/emulator/config.schema.json`);

const { runCli } = await import(`${root}dist/cli/run.js`);
const { REGISTRY } = await import(`${root}dist/cli/registry.js`);
const { TOPICS } = await import(`${root}dist/cli/manual/topics.js`);
const { SHELLS } = await import(`${root}dist/cli/manual/completion.js`);

export async function renderHelp(argv) {
  const { ctx, out } = buildContext();
  const code = await runCli(argv, ctx);
  if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}`);
  return out.text;
}

mkdirSync(`${root}dist/help/topic`, { recursive: true });
mkdirSync(`${root}dist/help/completion`, { recursive: true });
writeFileSync(`${root}dist/help/_root.txt`, await renderHelp(['--help']));
for (const entry of REGISTRY)
  writeFileSync(`${root}dist/help/${entry.name}.txt`, await renderHelp([entry.name, '--help']));
for (const topic of TOPICS)
  writeFileSync(`${root}dist/help/topic/${topic.name}.txt`, await renderHelp(['help', topic.name]));
for (const shell of SHELLS)
  writeFileSync(`${root}dist/help/completion/${shell}.txt`, await renderHelp(['completion', shell]));
