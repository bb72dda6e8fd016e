/**
 * `agentcore-auth help <topic>`: the topics print the same pages as docs/reference/<topic>.md (rendered for the
 * terminal), `help <command>` still prints the command's help, an unknown name is a usage error listing what exists,
 * and the root help lists the topics instead of pointing at a README. A topic loads no library (it must start as fast
 * as --help): its modules import only node: built-ins and each other.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { topicMarkdown, topicText } from '../../src/cli/manual/topic-pages.js';
import { TOPICS } from '../../src/cli/manual/topics.js';
import { runCommand } from '../helpers/context.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('help topics', () => {
  it('the root help lists every topic and points at no README', async () => {
    const r = await runCommand(['--help']);
    expect(r.code).toBe(0);
    for (const t of TOPICS)
      expect(r.stdout).toMatch(new RegExp(`^  ${t.name} +${t.summary.replace(/[()|.*+?[\]\\$^]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).not.toContain('README');
    expect(r.stdout).toContain('agentcore-auth completion bash|zsh|fish');
    expect((await runCommand(['help'])).stdout).toBe(r.stdout);
  });

  it.each(TOPICS.map((t) => [t.name]))('help %s prints its page', async (name) => {
    const r = await runCommand(['help', name]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(topicText(name));
    // Wrapped at 80 columns, except code (indented 4) and headings (a heading cannot wrap; its underline follows).
    const lines = r.stdout.split('\n');
    const long = lines.filter(
      (l, i) => l.length > 80 && !/^ {4}/.test(l) && !/^[=-]+$/.test(l) && !/^[=-]+$/.test(lines[i + 1] ?? ''),
    );
    expect(long).toEqual([]);
    // No Markdown escape left: choices read `HTTP | MCP`, not `HTTP \| MCP`.
    expect(r.stdout).not.toContain('\\|');
  });

  it('a page is the reference page, for the terminal: headings, tables as lists, no Markdown marks', () => {
    const text = topicText('exit-codes');
    expect(text).toMatch(/^EXIT CODES\n/);
    expect(text).toMatch(/^By command\n=+$/m);
    expect(text).toMatch(/^ {2}130 {2}interrupted/m);
    expect(text).not.toMatch(/\|---|`|\*\*/);
    expect(topicMarkdown('exit-codes')).toContain('| 130 |');
    expect(topicText('config')).toContain('(CUSTOM_JWT | AWS_IAM | AUTHENTICATE_ONLY | NONE) Default CUSTOM_JWT.');
    expect(readFileSync(join(root, 'docs/reference/exit-codes.md'), 'utf8')).toContain(topicMarkdown('exit-codes'));
  });

  it("help <command> [subcommand] prints the command's help", async () => {
    expect((await runCommand(['help', 'invoke'])).stdout).toBe((await runCommand(['invoke', '--help'])).stdout);
    const sub = await runCommand(['help', 'token', 'print']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toBe((await runCommand(['token', 'print', '--help'])).stdout);
  });

  it('the README lists every topic with a link to its reference page', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const t of TOPICS) expect(readme, t.name).toContain(`[\`${t.name}\`](docs/reference/${t.name}.md)`);
  });

  it('an unknown name is a usage error naming the commands and topics', async () => {
    const r = await runCommand(['help', 'exit-code']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no command or help topic named 'exit-code'");
    expect(r.stderr).toContain('exit-codes');
    expect(r.stderr).toContain('invoke');
  });
});

describe('a topic loads no library', () => {
  /** Module specifiers in a source file (static and dynamic imports). */
  const specifiers = (file: string) =>
    [...readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map(
      (m) => m[1]!,
    );

  it('topic-pages.ts and what it imports use only node: built-ins', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const s of specifiers(file)) {
        if (s.startsWith('.')) visit(resolve(dirname(file), s.replace(/\.js$/, '.ts')));
        else if (!s.startsWith('node:')) packages.add(s);
      }
    };
    visit(join(root, 'src/cli/manual/topic-pages.ts'));
    expect([...packages]).toEqual([]);
    expect([...seen].map((f) => relative(root, f)).sort()).toEqual([
      'src/cli/manual/environment.ts',
      'src/cli/manual/exit-codes.ts',
      'src/cli/manual/schema-doc.ts',
      'src/cli/manual/terminal.ts',
      'src/cli/manual/topic-pages.ts',
      'src/cli/manual/topics.ts',
      'src/core/errors.ts',
    ]);
  });
});
