#!/usr/bin/env node
// Part of `npm run lint`: every line of the sources (src/, test/, bench/, scripts/; .ts, .mts, .cts, .js, .mjs) is at
// most 120 characters, strings and comments included (Biome's formatter wraps code but not a long string or comment).
// Prints each offending file:line and exits 1 when there is one. Characters are counted as code points (an emoji or
// an accented letter is one).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX = 120;
const root = fileURLToPath(new URL('..', import.meta.url));
const dirs = ['src', 'test', 'bench', 'scripts'];
const source = /\.(ts|mts|cts|js|mjs)$/;

function* files(dir) {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) yield* files(p);
    else if (source.test(d.name)) yield p;
  }
}

const over = [];
for (const dir of dirs) {
  for (const file of files(join(root, dir))) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const length = [...line].length;
        if (length > MAX) over.push(`${relative(root, file)}:${i + 1}: ${length} characters`);
      });
  }
}
if (over.length) {
  process.stderr.write(
    `${over.join('\n')}\n${over.length} line(s) over ${MAX} characters: split them (strings with +).\n`,
  );
  process.exit(1);
}
