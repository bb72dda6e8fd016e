/**
 * Where login's values come from: a secret is taken from its flag, else stdin (--*-stdin), else the environment, else
 * a hidden prompt (only on a terminal), else a usage error naming the flag; plain values (client id, user name) from
 * the flag, the environment or a visible prompt. Every secret is registered with io.secrets.
 */
import { usageError } from '../../../core/errors.js';
import { noPromptReason } from '../../context.js';
import { readStdin, type Io } from '../../io.js';

export function canPrompt(io: Io): boolean {
  return noPromptReason(io.ctx) === undefined;
}

/** "(no prompt: CI is set)" and the like, for a usage error's hint. */
export const noPromptNote = (io: Io): string => `(no prompt: ${noPromptReason(io.ctx) ?? 'none possible'})`;

async function readStdinSecret(io: Io, flag: string): Promise<string> {
  if (io.ctx.stdin.isTTY)
    throw usageError(
      `${flag} reads stdin, but stdin is a terminal`,
      `Pipe the value in: printf %s "$VALUE" | agentcore-auth login … ${flag}`,
    );
  const text = (await readStdin(io.ctx)).replace(/\r?\n$/, '');
  if (!text) throw usageError(`${flag}: stdin was empty`);
  return text;
}

/** flag > stdin > env > hidden prompt (TTY) > usage error naming the flag. */
export async function secretValue(
  io: Io,
  spec: {
    flag?: string;
    stdin?: boolean;
    stdinFlag?: string;
    env: string;
    prompt: string;
    flagName: string;
    required: boolean;
    hidden?: boolean;
  },
): Promise<string | undefined> {
  let value = spec.flag;
  if (value === undefined && spec.stdin) value = await readStdinSecret(io, spec.stdinFlag!);
  if (value === undefined && io.ctx.env[spec.env]) value = io.ctx.env[spec.env];
  if (value === undefined && spec.required) {
    if (!canPrompt(io)) {
      throw usageError(
        `missing ${spec.flagName}`,
        `Pass ${spec.flagName}${spec.stdinFlag ? `, ${spec.stdinFlag}` : ''} or set ${spec.env} ${noPromptNote(io)}.`,
      );
    }
    value = await io.ctx.prompt(spec.prompt, { hidden: spec.hidden ?? true });
    if (!value) throw usageError(`missing ${spec.flagName}: nothing was entered`);
  }
  if (value !== undefined && (spec.hidden ?? true)) io.secrets.add(value);
  return value;
}

export async function plainValue(
  io: Io,
  flag: string | undefined,
  env: string,
  prompt: string,
  flagName: string,
): Promise<string> {
  const v = flag ?? io.ctx.env[env];
  if (v) return v;
  if (!canPrompt(io)) throw usageError(`missing ${flagName}`, `Pass ${flagName} or set ${env} ${noPromptNote(io)}.`);
  const answer = (await io.ctx.prompt(prompt, { hidden: false })).trim();
  if (!answer) throw usageError(`missing ${flagName}: nothing was entered`);
  return answer;
}

export function parseAttributes(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) throw usageError(`--attribute expects name=value, got '${item}'`);
    out[item.slice(0, i).replace(/^userAttributes\./, '')] = item.slice(i + 1);
  }
  return out;
}
