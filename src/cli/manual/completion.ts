/**
 * Shell completion scripts (`agentcore-auth completion bash|zsh|fish`), generated from the command tree (tree.ts):
 * commands and subcommands, every option, the choices of options and arguments that have them, files where a file is
 * expected, the help topics after `help`, and the cached login names after `--bearer` (asked at Tab time from
 * `agentcore-auth __complete logins`). The three scripts share one model, so they offer the same words.
 */
import type { ArgumentDoc, CommandDoc, OptionDoc, TreeDoc } from './tree.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What may follow an option or stand at a positional place. */
type Kind =
  | { type: 'choices'; values: string[] }
  | { type: 'file' }
  | { type: 'logins' }
  | { type: 'value' }
  | { type: 'none' };

interface Word {
  name: string;
  description: string;
}

interface Node {
  /** The command words: '' for the top level, `policy check` for a subcommand. */
  path: string;
  subcommands: Word[];
  /** Its own options (the top level: the global options, which every command takes too). */
  options: OptionDoc[];
  positionals: Kind[];
  /** The last positional repeats (`<files...>`). */
  repeats: boolean;
}

const FILE_PLACEHOLDER = /^(file|files|dir|directory)(\.\.\.)?$/i;

function optionKind(o: OptionDoc): Kind {
  if (o.value === 'none') return { type: 'none' };
  if (o.long === '--bearer') return { type: 'logins' };
  if (o.choices) return { type: 'choices', values: o.choices };
  if (o.placeholder && FILE_PLACEHOLDER.test(o.placeholder)) return { type: 'file' };
  return { type: 'value' };
}

function argumentKind(a: ArgumentDoc, path: string, commands: string[], topics: string[]): Kind {
  if (a.choices) return { type: 'choices', values: a.choices };
  if (path === 'help') return { type: 'choices', values: [...new Set([...commands, ...topics])] };
  if (/file|dir|path/i.test(a.name)) return { type: 'file' };
  return { type: 'value' };
}

/** One line, without what a shell would take as syntax. */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function summaryOf(c: CommandDoc): string {
  return oneLine(c.description)
    .split(/(?<=\.)\s/)[0]!
    .replace(/\.$/, '');
}

function buildNodes(tree: TreeDoc, topics: string[]): Node[] {
  const visible = tree.commands.filter((c) => !c.name.startsWith('_'));
  const names = visible.map((c) => c.name).filter((n) => n !== 'help');
  const nodes: Node[] = [
    {
      path: '',
      subcommands: visible.map((c) => ({ name: c.name, description: summaryOf(c) })),
      options: tree.globalOptions,
      positionals: [],
      repeats: false,
    },
  ];
  const walk = (c: CommandDoc) => {
    const path = c.path.join(' ');
    nodes.push({
      path,
      subcommands: c.subcommands.map((s) => ({ name: s.name, description: summaryOf(s) })),
      options: c.options.filter((o) => o.long !== '--help'),
      positionals: c.arguments.map((a) => argumentKind(a, path, names, topics)),
      repeats: c.arguments.at(-1)?.variadic ?? false,
    });
    c.subcommands.forEach(walk);
  };
  visible.forEach(walk);
  return nodes;
}

const flagsOf = (o: OptionDoc) => [o.long, o.short].filter((f): f is string => !!f);

/** The global options as a command takes them (`--version` belongs to the top level alone). */
const globalsAfterCommand = (nodes: Node[]) => nodes[0]!.options.filter((o) => o.long !== '--version');

/** Single-quoted for a POSIX shell (bash, zsh). */
const sq = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

function kindWord(k: Kind): string {
  return k.type === 'choices' ? `choices:${k.values.join(' ')}` : k.type;
}

/** The `case` arms both POSIX shells use: the kind after `path|--option`, and at `path#N`. */
function kindArms(nodes: Node[]): string[] {
  const arms = new Map<string, string[]>();
  /** `pattern` is already quoted for `case`. */
  const add = (pattern: string, kind: Kind) => {
    if (kind.type === 'none') return;
    // Global (wildcard) patterns get arms of their own, placed last.
    const key = `${pattern.startsWith('*') ? 'z' : 'a'}${kindWord(kind)}`;
    arms.set(key, [...(arms.get(key) ?? []), pattern]);
  };
  for (const n of nodes) {
    // The top level's options are global: after any command.
    for (const o of n.options)
      for (const f of flagsOf(o)) add(n.path ? sq(`${n.path}|${f}`) : `*${sq(`|${f}`)}`, optionKind(o));
    for (const [i, k] of n.positionals.entries()) add(sq(`${n.path}#${i}`), k);
    if (n.repeats && n.positionals.length) add(`${sq(`${n.path}#`)}*`, n.positionals.at(-1)!);
  }
  // Specific arms first: `*'|--region'` must not hide a command's own option of the same name.
  return [...arms]
    .sort(([a], [b]) => a[0]!.localeCompare(b[0]!))
    .map(([key, patterns]) => `    ${patterns.join('|')}) echo ${sq(key.slice(1))} ;;`);
}

function posixData(nodes: Node[], fn: string): string[] {
  const subs = nodes.filter((n) => n.subcommands.length);
  return [
    `# The kind of word after an option ("path|--flag") or at a positional place ("path#N").`,
    `${fn}_kind() {`,
    '  case "$1" in',
    ...kindArms(nodes),
    '  esac',
    '}',
    `${fn}_subcommands() {`,
    '  case "$1" in',
    ...subs.map((n) => `    ${sq(n.path)}) echo ${sq(n.subcommands.map((s) => s.name).join(' '))} ;;`),
    '  esac',
    '}',
    `# A command's own options, then the global ones.`,
    `${fn}_options() {`,
    '  case "$1" in',
    "    '') echo '--version -V' ;;",
    ...nodes
      .filter((n) => n.path && n.options.length)
      .map((n) => `    ${sq(n.path)}) echo ${sq(n.options.flatMap(flagsOf).join(' '))} ;;`),
    '  esac',
    `  echo ${sq(globalsAfterCommand(nodes).flatMap(flagsOf).join(' '))}`,
    '}',
  ];
}

/**
 * The walk both POSIX shells make over the words typed before the cursor: an option that takes a value skips it, a
 * subcommand extends `cmdpath`, anything else counts as a positional (`npos`). `loop` and `word` are the shell's own
 * spelling of the range and the i-th word.
 */
function posixWalk(fn: string, loop: string, word: string): string[] {
  return [
    `  for ${loop}; do`,
    `    w="${word}"`,
    '    if (( skip )) && [[ $w != -* ]]; then skip=0; continue; fi',
    '    skip=0',
    '    if [[ $w == -* ]]; then',
    `      kind="$(${fn}_kind "$cmdpath|$w")"`,
    '      [[ -n $kind ]] && skip=1',
    '      continue',
    '    fi',
    `    subs=" $(${fn}_subcommands "$cmdpath") "`,
    '    if (( npos == 0 )) && [[ $subs == *" $w "* ]]; then cmdpath="${cmdpath:+$cmdpath }$w"; else ' +
      'npos=$((npos + 1)); fi',
    '  done',
  ];
}

function bash(nodes: Node[]): string {
  const fn = '_agentcore_auth';
  return `${[
    '# bash completion for agentcore-auth, generated from its command tree by `agentcore-auth completion bash`.',
    '# Install: source <(agentcore-auth completion bash)   (see `agentcore-auth help completion`)',
    ...posixData(nodes, fn),
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmdpath="" npos=0 skip=0 i w kind subs',
    '  (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    ...posixWalk(fn, '(( i = 1; i < COMP_CWORD; i++ ))', '${COMP_WORDS[i]}'),
    '  COMPREPLY=()',
    `  kind="$(${fn}_kind "$cmdpath|$prev")"`,
    '  if [[ $prev == -* && -n $kind ]]; then',
    '    case "$kind" in',
    '      choices:*) COMPREPLY=($(compgen -W "${kind#choices:}" -- "$cur")); return 0 ;;',
    '      file) compopt -o filenames 2>/dev/null || true; COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;',
    '      logins) if [[ $cur != -* ]]; then',
    `        COMPREPLY=($(compgen -W "$("\${COMP_WORDS[0]}" __complete logins 2>/dev/null)" -- "$cur")); return 0`,
    '      fi ;;',
    '      value) return 0 ;;',
    '    esac',
    '  fi',
    '  if [[ $cur == -* ]]; then',
    `    COMPREPLY=($(compgen -W "$(${fn}_options "$cmdpath") --help" -- "$cur")); return 0`,
    '  fi',
    `  subs="$(${fn}_subcommands "$cmdpath")"`,
    '  if [[ -n $subs ]] && (( npos == 0 )); then COMPREPLY=($(compgen -W "$subs" -- "$cur")); return 0; fi',
    `  kind="$(${fn}_kind "$cmdpath#$npos")"`,
    '  case "$kind" in',
    '    choices:*) COMPREPLY=($(compgen -W "${kind#choices:}" -- "$cur")) ;;',
    '    file) compopt -o filenames 2>/dev/null || true; COMPREPLY=($(compgen -f -- "$cur")) ;;',
    '  esac',
    '}',
    `complete -F ${fn} agentcore-auth`,
  ].join('\n')}\n`;
}

/** zsh's table of each command path's words (subcommands, then options) with their descriptions. */
function zshDescribed(nodes: Node[], fn: string): string[] {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  const described = (words: Word[]) => words.map((w) => sq(`${esc(w.name)}:${esc(w.description)}`)).join(' ');
  return [
    `${fn}_described() {`,
    '  case "$1" in',
    ...nodes.map((n) => {
      const options = n.path ? [...n.options, ...globalsAfterCommand(nodes)] : n.options;
      const words = [
        ...n.subcommands,
        ...options.flatMap((o) => flagsOf(o).map((f) => ({ name: f, description: oneLine(o.description) }))),
      ];
      return `    ${sq(n.path)}) reply=(${described(words)}) ;;`;
    }),
    '  esac',
    '}',
  ];
}

/** zsh: the same walk over `words`, offering words with their descriptions through _describe. */
function zsh(nodes: Node[]): string {
  const fn = '_agentcore_auth';
  return `${[
    '#compdef agentcore-auth',
    '# zsh completion for agentcore-auth, generated from its command tree by `agentcore-auth completion zsh`.',
    '# Install: source <(agentcore-auth completion zsh) after compinit (see `agentcore-auth help completion`)',
    ...posixData(nodes, fn),
    ...zshDescribed(nodes, fn),
    `${fn}() {`,
    '  local cur="${words[CURRENT]}" prev="${words[CURRENT-1]}" cmdpath="" npos=0 skip=0 i w kind subs',
    '  local -a reply candidates',
    ...posixWalk(fn, '(( i = 2; i < CURRENT; i++ ))', '${words[i]}'),
    `  kind="$(${fn}_kind "$cmdpath|$prev")"`,
    '  if [[ $prev == -* && -n $kind ]]; then',
    '    case "$kind" in',
    '      choices:*) candidates=(${(s: :)kind#choices:}); compadd -a candidates; return 0 ;;',
    '      file) _files; return 0 ;;',
    '      logins) if [[ $cur != -* ]]; then',
    `        candidates=(\${(f)"$(\${words[1]} __complete logins 2>/dev/null)"}); compadd -a candidates; return`,
    '      fi ;;',
    '      value) return 1 ;;',
    '    esac',
    '  fi',
    `  ${fn}_described "$cmdpath"`,
    `  subs="$(${fn}_subcommands "$cmdpath")"`,
    '  if [[ $cur == -* ]]; then',
    '    candidates=(${(M)reply:#-*}); _describe option candidates; return',
    '  fi',
    '  if [[ -n $subs ]] && (( npos == 0 )); then',
    '    candidates=(${reply:#-*}); _describe command candidates; return',
    '  fi',
    `  kind="$(${fn}_kind "$cmdpath#$npos")"`,
    '  case "$kind" in',
    '    choices:*) candidates=(${(s: :)kind#choices:}); compadd -a candidates ;;',
    '    file) _files ;;',
    '  esac',
    '}',
    `compdef ${fn} agentcore-auth`,
  ].join('\n')}\n`;
}

function fish(nodes: Node[]): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = [
    '# fish completion for agentcore-auth, generated from its command tree by `agentcore-auth completion fish`.',
    '# Install: agentcore-auth completion fish > ~/.config/fish/completions/agentcore-auth.fish',
    'complete -c agentcore-auth -f',
  ];
  /** A condition: the words of `path` were typed (and, for listing subcommands, none of them yet). */
  const seen = (path: string) =>
    path
      .split(' ')
      .filter(Boolean)
      .map((w) => `__fish_seen_subcommand_from ${w}`)
      .join('; and ');
  for (const n of nodes) {
    const subNames = n.subcommands.map((s) => s.name).join(' ');
    const here = n.path ? seen(n.path) : '';
    const noSub = subNames ? `not __fish_seen_subcommand_from ${subNames}` : '';
    const listing = [here, noSub].filter(Boolean).join('; and ');
    for (const s of n.subcommands)
      lines.push(
        `complete -c agentcore-auth -n ${q(listing || '__fish_use_subcommand')} -a ${s.name} -d ${q(s.description)}`,
      );
    if (!n.path) continue; // global options below, for every command
    const own = n.options.filter((o) => !nodes[0]!.options.some((g) => g.long === o.long));
    for (const o of own) lines.push(fishOption(o, here, q));
    const k = n.positionals[0];
    if (k?.type === 'choices') lines.push(`complete -c agentcore-auth -n ${q(listing)} -a ${q(k.values.join(' '))}`);
    if (k?.type === 'file') lines.push(`complete -c agentcore-auth -n ${q(listing)} -F`);
  }
  for (const o of nodes[0]!.options) lines.push(fishOption(o, '', q));
  return `${lines.join('\n')}\n`;
}

function fishOption(o: OptionDoc, condition: string, q: (s: string) => string): string {
  const parts = ['complete -c agentcore-auth'];
  if (condition) parts.push('-n', q(condition));
  if (o.long) parts.push('-l', o.long.replace(/^--/, ''));
  if (o.short) parts.push('-s', o.short.replace(/^-/, ''));
  const k = optionKind(o);
  if (k.type === 'choices') parts.push('-x', '-a', q(k.values.join(' ')));
  else if (k.type === 'file') parts.push('-r', '-F');
  else if (k.type === 'logins') parts.push('-x', '-a', q('(agentcore-auth __complete logins 2>/dev/null)'));
  else if (k.type === 'value') parts.push('-x');
  parts.push('-d', q(oneLine(o.description)));
  return parts.join(' ');
}

/** The completion script for a shell. */
export function completionScript(shell: Shell, tree: TreeDoc, topics: string[]): string {
  const nodes = buildNodes(tree, topics);
  return shell === 'bash' ? bash(nodes) : shell === 'zsh' ? zsh(nodes) : fish(nodes);
}
