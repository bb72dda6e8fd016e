/**
 * The command tree as data: every command's arguments and options read from commander's own Argument and Option
 * objects (what `addOptions` registered: flags, description, default, choices), its subcommands, and the text its
 * help prints after the option list (examples, notes). The reference pages and the shell completion scripts are both
 * generated from this, so neither can list a flag the CLI does not have.
 */
import type { Argument, Command, Option } from 'commander';

export interface OptionDoc {
  /** As declared: `-H, --header <name:value>`. */
  flags: string;
  long?: string;
  short?: string;
  description: string;
  /** `none` for a flag, `required` for `<value>`, `optional` for `[value]`. */
  value: 'none' | 'required' | 'optional';
  /** The value's name without brackets: `name:value`. */
  placeholder?: string;
  choices?: string[];
  /** The default as help shows it (`300`, `"DEFAULT"`), when help shows one. */
  defaultText?: string;
  mandatory: boolean;
}

export interface ArgumentDoc {
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  choices?: string[];
  defaultText?: string;
}

export interface CommandDoc {
  /** The words that run it: `['policy', 'check']`. */
  path: string[];
  name: string;
  aliases: string[];
  description: string;
  /** `agentcore-auth invoke [options] <agent> [payload]`. */
  usage: string;
  arguments: ArgumentDoc[];
  options: OptionDoc[];
  subcommands: CommandDoc[];
  /** What help prints after the lists (examples, notes), as written. */
  after: string;
}

export interface TreeDoc {
  name: string;
  description: string;
  globalOptions: OptionDoc[];
  commands: CommandDoc[];
}

/** The placeholder of `--name <value>` / `--name [value]`: `value`. */
function placeholderOf(flags: string): string | undefined {
  const m = /[<[]([^>\]]+)[>\]]\s*$/.exec(flags);
  return m?.[1];
}

function quoted(v: unknown): string {
  return JSON.stringify(v);
}

export function describeOption(o: Option): OptionDoc {
  const value = o.required ? 'required' : o.optional ? 'optional' : 'none';
  // As commander's Help.optionDescription: a default is shown for options that take a value (or boolean ones).
  const showDefault =
    o.defaultValue !== undefined && (value !== 'none' || (!o.negate && typeof o.defaultValue === 'boolean'));
  const placeholder = placeholderOf(o.flags);
  return {
    flags: o.flags,
    ...(o.long ? { long: o.long } : {}),
    ...(o.short ? { short: o.short } : {}),
    description: o.description,
    value,
    ...(placeholder && value !== 'none' ? { placeholder } : {}),
    ...(o.argChoices ? { choices: [...o.argChoices] } : {}),
    ...(showDefault ? { defaultText: o.defaultValueDescription || quoted(o.defaultValue) } : {}),
    mandatory: o.mandatory,
  };
}

function describeArgument(a: Argument): ArgumentDoc {
  return {
    name: a.name(),
    description: a.description,
    required: a.required,
    variadic: a.variadic,
    ...(a.argChoices ? { choices: [...a.argChoices] } : {}),
    ...(a.defaultValue !== undefined ? { defaultText: a.defaultValueDescription || quoted(a.defaultValue) } : {}),
  };
}

/** The text `addHelpText('after', …)` registered on this command (commander emits it as the `afterHelp` event). */
function afterText(cmd: Command): string {
  let text = '';
  // A commander Command is an EventEmitter (its types do not say so).
  (cmd as unknown as NodeJS.EventEmitter).emit('afterHelp', {
    error: false,
    command: cmd,
    write: (s: string) => {
      text += s;
    },
  });
  return text.replace(/^\n+/, '').replace(/\s+$/, '');
}

function isHidden(cmd: Command): boolean {
  return (cmd as unknown as { _hidden?: boolean })._hidden === true;
}

function usageOf(cmd: Command, path: string[]): string {
  return ['agentcore-auth', ...path, cmd.usage()].join(' ');
}

export function describeCommand(cmd: Command, parents: string[] = []): CommandDoc {
  const path = [...parents, cmd.name()];
  return {
    path,
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: cmd.description(),
    usage: usageOf(cmd, path),
    arguments: cmd.registeredArguments.map(describeArgument),
    options: cmd.options.filter((o) => !o.hidden).map(describeOption),
    subcommands: cmd.commands.filter((c) => !isHidden(c) && c.name() !== 'help').map((c) => describeCommand(c, path)),
    after: afterText(cmd),
  };
}

/** The whole tree (a program on which every command is registered: program.ts's createCommandTree). */
export function describeTree(program: Command): TreeDoc {
  return {
    name: program.name(),
    description: program.description(),
    globalOptions: program.options.filter((o) => !o.hidden).map(describeOption),
    commands: program.commands.filter((c) => !isHidden(c)).map((c) => describeCommand(c)),
  };
}

/** Every command and subcommand, depth first. */
export function allCommands(tree: TreeDoc): CommandDoc[] {
  const out: CommandDoc[] = [];
  const walk = (c: CommandDoc) => {
    out.push(c);
    c.subcommands.forEach(walk);
  };
  tree.commands.forEach(walk);
  return out;
}
