/**
 * `completion bash|zsh|fish`: print a shell completion script generated from the command tree (cli/manual/
 * completion.ts). The built binary serves the three scripts pre-rendered (scripts/render-help.mjs); this action builds
 * the same text from a program with every command registered.
 */
import { Argument, type Command } from 'commander';
import { defineAction, type CliRun } from '../command.js';
import type { Io } from '../io.js';

const SHELL_NAMES = ['bash', 'zsh', 'fish'] as const;

export function register(program: Command, run: CliRun): void {
  program
    .command('completion')
    .description(
      'Print a shell completion script (commands, options, choices, cached login names after --bearer) for bash, ' +
        'zsh or fish.',
    )
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELL_NAMES))
    .addHelpText(
      'after',
      `
The script completes commands, subcommands, options, the choices of options that have them, files where a file is
expected, the help topics after \`help\`, and your cached login names after --bearer (read from the token cache at
Tab time, through the hidden \`agentcore-auth __complete logins\`). It completes \`agentcore-auth\` as found on
your PATH (npm install -g, or node_modules/.bin on it). Regenerate it after an upgrade.

Install:
  bash  source <(agentcore-auth completion bash)          # in ~/.bashrc, or once for every shell:
        agentcore-auth completion bash > ~/.local/share/bash-completion/completions/agentcore-auth
  zsh   source <(agentcore-auth completion zsh)           # in ~/.zshrc, after compinit, or once:
        agentcore-auth completion zsh > "\${fpath[1]}/_agentcore-auth"
  fish  agentcore-auth completion fish > ~/.config/fish/completions/agentcore-auth.fish`,
    )
    .action(
      defineAction(run, async (io: Io, shell: (typeof SHELL_NAMES)[number]) => {
        const [{ completionScript }, { describeTree }, { TOPICS }] = await Promise.all([
          import('../manual/completion.js'),
          import('../manual/tree.js'),
          import('../manual/topics.js'),
        ]);
        if (!run.commandTree) throw new Error('completion: no command tree on this run');
        const tree = describeTree(await run.commandTree());
        const script = completionScript(
          shell,
          tree,
          TOPICS.map((t) => t.name),
        );
        return { human: () => io.ctx.stdout.write(script), json: { shell, script } };
      }),
    );
}
