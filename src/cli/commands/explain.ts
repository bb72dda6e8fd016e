/**
 * `explain <text | ->`: match a pasted error (a message, an error name, a JSON error body, an HTTP status line)
 * against the hint table the CLI uses at run time, and print cause and fix. Exit 2 with ERR_UNKNOWN_MESSAGE when
 * nothing matches. `--list` prints every known entry.
 */
import { Chalk } from 'chalk';
import type { Command } from 'commander';
import { AgentcoreAuthError, usageError } from '../../core/errors.js';
import { errorNameOf } from '../../core/classify.js';
import { findHint, HINTS, type HintEntry } from '../../core/hints.js';
import { maskSecret } from '../../core/redact.js';
import { addOptions, flag, type OptionsOf } from '../options.js';
import { defineAction, type CliRun } from '../command.js';
import { readStdin, type Io } from '../io.js';
import { colorEnabled } from '../render/ui.js';

const EXPLAIN_OPTIONS = {
  list: flag('--list', 'list every known message with its cause and fix'),
};

type ExplainOptions = OptionsOf<typeof EXPLAIN_OPTIONS>;

export function register(program: Command, run: CliRun): void {
  const cmd = program
    .command('explain')
    .summary('cause and fix of an AgentCore / Cognito / OAuth error message')
    .description(
      'Match an error message (or - to read it from stdin) against the table of known AgentCore, Cognito, ' +
        'OAuth and AWS errors, and print its cause and fix. Exit 1 when the message is unknown.',
    )
    .argument('[text...]', 'the error message (quote it), or - to read it from stdin');
  addOptions(cmd, EXPLAIN_OPTIONS)
    .addHelpText(
      'after',
      `
Examples:
  agentcore-auth explain "Claim 'client_id' value mismatch with configuration."
  agentcore-auth explain AccessDeniedException: Authorization method mismatch
  pbpaste | agentcore-auth explain -`,
    )
    .action(defineAction(run, (io, text: string[], opts: ExplainOptions) => explain(io, text, opts)));
}

async function explain(io: Io, words: string[], opts: ExplainOptions) {
  if (opts.list) {
    if (words.length) throw usageError('--list takes no message');
    return {
      json: HINTS.map(toJson),
      human: () => {
        HINTS.forEach((h, i) => {
          if (i) io.out.line('');
          render(io, h);
        });
      },
    };
  }
  const raw = words.length === 1 && words[0] === '-' ? await readStdin(io.ctx) : words.join(' ');
  const text = raw.trim();
  if (!text)
    throw usageError(
      'no message to explain',
      'Pass the error text as an argument (quoted), or - to read it from stdin.',
    );
  const status = statusOf(text);
  const name = errorNameOf(text);
  const hit = findHint({ message: text, ...(name ? { name } : {}), ...(status !== undefined ? { status } : {}) });
  if (!hit) {
    // Never echo a pasted token: JWTs and long opaque values are masked before the text is quoted back.
    const masked = text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*|AgV4[\w+/=-]{16,}|[A-Za-z0-9+/_=-]{64,}/g, (t) =>
      maskSecret(t),
    );
    const shown = masked.length > 80 ? `${masked.slice(0, 77)}…` : masked;
    throw new AgentcoreAuthError(
      'ERR_UNKNOWN_MESSAGE',
      `unknown message: agentcore-auth does not know "${shown.replace(/\s+/g, ' ')}"`,
      {
        hint:
          'Paste the exact text the service returned (the message after the error name). `agentcore-auth ' +
          'explain --list` shows every known message.',
      },
    );
  }
  const matchedBy = hit.message?.test(text)
    ? 'message'
    : name && hit.name?.some((n) => n.toLowerCase() === name.toLowerCase())
      ? 'name'
      : 'status';
  return { json: { ...toJson(hit), matchedBy }, human: () => render(io, hit) };
}

/** An HTTP status written as such: `HTTP/1.1 424`, `status 424`, `(424)`, or the bare number. */
function statusOf(text: string): number | undefined {
  const m =
    /^\s*(?:HTTP\/[\d.]+\s+|HTTP\s+|status(?:\s*code)?\s*:?\s*)?([1-5]\d\d)\b/i.exec(text) ??
    /\bHTTP(?:\/[\d.]+)?\s+([1-5]\d\d)\b|\bstatus(?:\s*code)?\s*:?\s*([1-5]\d\d)\b/i.exec(text);
  const v = m?.[1] ?? m?.[2];
  return v ? Number(v) : undefined;
}

function toJson(h: HintEntry) {
  return { id: h.id, source: h.source, cause: h.cause, fix: h.fix, example: h.example };
}

function render(io: Io, h: HintEntry): void {
  const c = new Chalk({ level: colorEnabled(io.ctx.stdout, io.ctx.env, io.globals.color) ? 1 : 0 });
  io.out.line(`${c.bold(h.id)} ${c.dim(`— ${h.source}`)}`);
  io.out.line(`  cause  ${h.cause}`);
  io.out.line(`  fix    ${h.fix}`);
}
