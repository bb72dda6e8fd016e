/**
 * The help topics' pages, as Markdown: docs/reference/<topic>.md (scripts/gen-reference.mjs) and, rendered for the
 * terminal, `agentcore-auth help <topic>`. Prose comes from topics/<topic>.md next to this file; tables are generated
 * from the code's own data (exit codes, environment variables) and from the file formats' JSON schemas. Loads no
 * library: `help <topic>` must start as fast as `--help`.
 */
import { readFileSync } from 'node:fs';
import { COMMAND_EXITS, errorCodeRows, EXIT_MEANINGS, SMOKE_PRECEDENCE } from './exit-codes.js';
import { ENVIRONMENT } from './environment.js';
import { schemaTables, type Schema } from './schema-doc.js';
import { markdownToTerminal } from './terminal.js';
import { findTopic } from './topics.js';

/** The file-format schemas, relative to this module (the same from src/cli/manual/ and dist/cli/manual/). */
export const SCHEMAS = {
  scenarios: '../../../examples/scenario.schema.json',
  'policy-tests': '../../../examples/policy-test.schema.json',
  config: '../../emulator/config.schema.json',
} as const;

function read(relative: string): string {
  return readFileSync(new URL(relative, import.meta.url), 'utf8');
}

export function readSchema(topic: keyof typeof SCHEMAS): Schema {
  return JSON.parse(read(SCHEMAS[topic])) as Schema;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

function exitCodesPage(): string {
  const out = [
    'The same codes for every command; what each one means for a command is in its section below.',
    '',
    '| exit | meaning |',
    '|---|---|',
    ...EXIT_MEANINGS.map(([c, m]) => `| ${c} | ${cell(m)} |`),
    '',
    '## By command',
  ];
  for (const [name, rows] of Object.entries(COMMAND_EXITS)) {
    out.push('', `### ${name}`, '', '| exit | when |', '|---|---|', ...rows.map(([c, m]) => `| ${c} | ${cell(m)} |`));
    if (name === 'smoke')
      out.push(
        '',
        `When several steps could not run, the run reports the first of ${SMOKE_PRECEDENCE.join(', ')} that ` +
          'occurred. A step that expects an exit code or an error explicitly (`exitCode: 3`) turns such an outcome ' +
          'into a normal check.',
      );
  }
  out.push(
    '',
    '## Error codes',
    '',
    'With `--json` a failure is one JSON line on stderr, `{"error": {"code", "message", "exitCode", "hint"}}`; ' +
      '`--debug` prints the code too.',
    '',
    '| code | exit | meaning |',
    '|---|---|---|',
    ...errorCodeRows().map(([code, exit, doc]) => `| \`${code}\` | ${exit} | ${cell(doc)} |`),
  );
  return out.join('\n');
}

function environmentPage(): string {
  const out = ['Flags win over the environment. Nothing else is read: no config file of our own, no other variable.'];
  for (const g of ENVIRONMENT) {
    out.push('', `## ${g.title}`, '', '| variable | meaning |', '|---|---|');
    for (const v of g.vars) out.push(`| ${v.names.map((n) => `\`${n}\``).join(', ')} | ${cell(v.meaning)} |`);
  }
  return out.join('\n');
}

/** The generated part of a topic's page (after its prose). */
function generated(name: string): string {
  switch (name) {
    case 'exit-codes':
      return exitCodesPage();
    case 'environment':
      return environmentPage();
    case 'scenarios':
    case 'policy-tests':
    case 'config':
      return `## Fields\n\n${schemaTables(readSchema(name), 3)}`;
    default:
      return '';
  }
}

function prose(name: string): string {
  try {
    return read(`./topics/${name}.md`).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

/** A topic's page in Markdown. */
export function topicMarkdown(name: string): string {
  const topic = findTopic(name);
  if (!topic) throw new Error(`no help topic ${name}`);
  const parts = [`# ${topic.title}`, prose(name), generated(name)].filter(Boolean);
  return `${parts.join('\n\n')}\n`;
}

/** A topic's page for the terminal. */
export function topicText(name: string): string {
  return markdownToTerminal(topicMarkdown(name));
}
