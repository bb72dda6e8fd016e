#!/usr/bin/env node
// Write docs/reference/ from the built CLI (npm run docs): one page per command, read from the command tree that
// commander holds (every option with its default and choices, the examples of its help, its exit codes), and one
// page per help topic (what `agentcore-auth help <topic>` prints). Files no longer generated are removed.
// test/docs/reference.test.ts renders the same pages from src/ and fails when a file here is stale.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildContext, root } from './build-context.mjs';

const { buildReference } = await import(`${root}dist/cli/manual/reference.js`);
const dir = join(root, 'docs/reference');
const pages = await buildReference(buildContext().ctx);
const wanted = new Set(pages.map((p) => join(dir, p.path)));

const existing = (d) =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? existing(join(d, e.name)) : [join(d, e.name)],
  );
mkdirSync(dir, { recursive: true });
for (const f of existing(dir)) if (!wanted.has(f)) rmSync(f);
for (const p of pages) {
  const file = join(dir, p.path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, p.markdown);
}
process.stdout.write(`${pages.length} pages in ${relative(root, dir)}/\n`);
