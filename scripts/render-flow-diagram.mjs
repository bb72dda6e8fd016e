#!/usr/bin/env node
// Regenerate the 3LO diagram the README and the troubleshooting guide show: run `agentcore-auth demo --diagram DIR`
// (the built CLI, local stack, auto-consent), take the three-legged step's Mermaid file, render it with our own SVG
// renderer (dist/core/diagram/svg.js) into docs/diagrams/three-legged.svg (the README's picture), keep the source
// beside it, and put the same source into docs/guides/troubleshooting.md between the `diagram:three-legged` markers
// (GitHub renders the Mermaid block itself).
// Usage: npm run build && node scripts/render-flow-diagram.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { parseMermaid, toMermaid } = await import(`${root}dist/core/diagram/sequence.js`);
const { renderSvg } = await import(`${root}dist/core/diagram/svg.js`);

const dir = mkdtempSync(join(tmpdir(), 'agentcore-auth-diagrams-'));
try {
  const run = spawnSync(process.execPath, [join(root, 'bin/agentcore-auth.js'), 'demo', '--diagram', dir, '--quiet'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    throw new Error(`demo --diagram exited with ${run.status}`);
  }
  const name = readdirSync(dir).find((f) => /^\d+-three-legged\.mmd$/.test(f));
  if (!name) throw new Error(`no three-legged diagram in ${dir}: ${readdirSync(dir).join(', ')}`);
  // Parsed and emitted again: the committed source is exactly what the renderer read.
  const diagram = parseMermaid(readFileSync(join(dir, name), 'utf8'));
  const source = toMermaid(diagram);
  const out = join(root, 'docs/diagrams');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'three-legged.mmd'), source);
  writeFileSync(
    join(out, 'three-legged.svg'),
    `${renderSvg(diagram, { title: '3LO (USER_FEDERATION) as agentcore-auth demo ran it' })}\n`,
  );

  const guidePath = join(root, 'docs/guides/troubleshooting.md');
  const guide = readFileSync(guidePath, 'utf8');
  const start = '<!-- diagram:three-legged:start (scripts/render-flow-diagram.mjs) -->';
  const end = '<!-- diagram:three-legged:end -->';
  const i = guide.indexOf(start);
  const j = guide.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/guides/troubleshooting.md has no ${start} … ${end} block`);
  writeFileSync(guidePath, `${guide.slice(0, i + start.length)}\n\`\`\`mermaid\n${source}\`\`\`\n${guide.slice(j)}`);
  process.stdout.write(
    'docs/diagrams/three-legged.svg, docs/diagrams/three-legged.mmd and docs/guides/troubleshooting.md updated ' +
      `from ${name}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
