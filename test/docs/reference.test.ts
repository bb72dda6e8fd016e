/**
 * docs/reference/ is generated (scripts/gen-reference.mjs, `npm run docs`): rendered again here from src/, every page
 * must equal the committed file, and no other file may be there. The data the pages are made of is checked against
 * the code: every command has its exit codes, every code is one of EXIT's, every environment variable the code reads
 * is documented and nothing documented is unread.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/core/errors.js';
import { COMMAND_EXITS, EXIT_MEANINGS } from '../../src/cli/manual/exit-codes.js';
import { documentedVariables } from '../../src/cli/manual/environment.js';
import { buildReference, type ReferencePage } from '../../src/cli/manual/reference.js';
import { REGISTRY } from '../../src/cli/registry.js';
import { createTestContext } from '../helpers/context.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(root, 'docs/reference');

function filesUnder(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(d, e.name)) : [relative(dir, join(d, e.name))],
  );
}

describe('docs/reference', () => {
  let pages: ReferencePage[];
  beforeAll(async () => {
    pages = await buildReference(createTestContext());
  });

  it('holds exactly the generated pages', () => {
    expect(filesUnder(dir).sort()).toEqual(pages.map((p) => p.path).sort());
  });

  it('every page is up to date (regenerate with `npm run docs`)', () => {
    const stale = pages.filter((p) => readFileSync(join(dir, p.path), 'utf8') !== p.markdown).map((p) => p.path);
    expect(stale, 'stale pages: run `npm run docs`').toEqual([]);
  });

  it('has a page for every command, listing each of its long options', async () => {
    const { createCommandTree } = await import('../../src/cli/program.js');
    const { CliRun } = await import('../../src/cli/command.js');
    const program = await createCommandTree(new CliRun(createTestContext()));
    for (const e of REGISTRY) {
      const page = pages.find((p) => p.path === `commands/${e.name}.md`);
      expect(page, e.name).toBeDefined();
      const cmd = program.commands.find((c) => c.name() === e.name)!;
      for (const c of [cmd, ...cmd.commands])
        for (const o of c.options)
          if (o.long !== '--help') expect(page!.markdown, `${e.name} ${o.long}`).toContain(o.long);
    }
  });

  it('shows defaults and choices as commander holds them', () => {
    const invoke = pages.find((p) => p.path === 'commands/invoke.md')!.markdown;
    expect(invoke).toContain('| `--auth` | `sigv4` \\| `bearer` \\| `auto` |');
    expect(invoke).toMatch(/\| `--timeout` \| `seconds` \| `300` \|/);
    expect(invoke).toContain('agentcore-auth invoke my_agent "hello" --bearer'); // an example from its help
    expect(invoke).toContain('## Exit codes');
  });
});

describe('exit codes', () => {
  const codes = new Set<number>(Object.values(EXIT));

  it('every command in the registry has its exit codes, each one of EXIT', () => {
    expect(Object.keys(COMMAND_EXITS).sort()).toEqual(REGISTRY.map((e) => e.name).sort());
    for (const [name, rows] of Object.entries(COMMAND_EXITS))
      for (const [code] of rows) expect(codes.has(code), `${name}: ${code}`).toBe(true);
  });

  it('the shared table explains every code once', () => {
    expect(EXIT_MEANINGS.map(([c]) => c)).toEqual([...codes]);
  });
});

describe('environment variables', () => {
  /** Names that are not settings a user gives (library switches, parts of other names). */
  const NOT_SETTINGS = new Set([
    'AWS_IAM',
    'AWS_IAM_ID_TOKEN_JWT',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    'AWS_ENDPOINT_URL_',
  ]);
  const sources = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : [],
    );
  const NAMES = new RegExp(
    '\\b(AGENTCORE_AUTH_[A-Z0-9_]+|AWS_[A-Z0-9_]+|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|BROWSER|NO_COLOR|' +
      'FORCE_COLOR|XDG_CACHE_HOME)\\b|\\benv\\.([A-Z_][A-Z0-9_]*)',
    'g',
  );
  const read = new Set(
    [
      ...sources(join(root, 'src/cli')),
      ...sources(join(root, 'src/core')),
      join(root, 'src/bin.ts'),
      join(root, 'src/bin.cts'),
    ].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(NAMES)]
        .map((m) => (m[1] ?? m[2])!)
        .filter((n) => !NOT_SETTINGS.has(n) && !f.includes(`${join('src', 'cli', 'manual')}`)),
    ),
  );
  const documented = new Set(documentedVariables());

  it('every variable the code reads is documented', () => {
    expect([...read].filter((n) => !documented.has(n)).sort()).toEqual([]);
  });

  it('every documented variable is read (the service endpoints by their prefix)', () => {
    const unread = [...documented].filter((n) => !read.has(n) && !n.startsWith('AWS_ENDPOINT_URL_'));
    expect(unread).toEqual([]);
  });
});
