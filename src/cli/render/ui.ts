/**
 * The stderr narrative: steps, notes, warnings, tables. One chalk instance per stream; colour off when the stream is
 * not a TTY, with NO_COLOR, FORCE_COLOR=0, TERM=dumb, or --no-color (colorEnabled). Everything written here passes
 * through the run's SecretRegistry.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { OutStream } from '../context.js';
import { maskJwtsInText, type SecretRegistry } from '../../core/redact.js';

export interface UiOptions {
  color: boolean;
  quiet: boolean;
  debug: boolean;
  showSecrets: boolean;
  secrets: SecretRegistry;
}

/**
 * Colour for one stream: off with --no-color or NO_COLOR; FORCE_COLOR decides next (0 or false: off; any other value:
 * on, even off a terminal); then off on a dumb terminal (TERM=dumb); else on when the stream is a terminal.
 */
export function colorEnabled(stream: OutStream, env: Record<string, string | undefined>, flag: boolean): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR?.trim().toLowerCase();
  if (force) return force !== '0' && force !== 'false';
  if (env.TERM === 'dumb') return false;
  return !!stream.isTTY;
}

export class Ui {
  readonly c: ChalkInstance;
  constructor(
    private readonly stream: OutStream,
    readonly options: UiOptions,
  ) {
    this.c = new Chalk({ level: options.color ? 1 : 0 });
  }

  /** Raw write to stderr (scrubbed). */
  write(text: string): void {
    const scrubbed = this.options.secrets.scrub(text, this.options.showSecrets);
    // A JWT pasted where something else was expected (as the agent, a user id, a cache name, -H "Bearer …") is not a
    // registered secret, and error messages echo the input: mask anything JWT-shaped as well.
    this.stream.write(this.options.showSecrets ? scrubbed : maskJwtsInText(scrubbed));
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** Narrative; hidden by --quiet. */
  info(text: string): void {
    if (!this.options.quiet) this.line(text);
  }

  note(text: string): void {
    if (!this.options.quiet) this.line(this.c.dim(text));
  }

  success(text: string): void {
    if (!this.options.quiet) this.line(`${this.c.green('✓')} ${text}`);
  }

  /** Warnings are shown even with --quiet. */
  warn(text: string): void {
    this.line(`${this.c.yellow('warning:')} ${text}`);
  }

  fail(text: string): void {
    this.line(`${this.c.red('✗')} ${text}`);
  }

  debug(text: string): void {
    if (this.options.debug) this.line(this.c.gray(`debug: ${text}`));
  }

  step(n: number, total: number, text: string): void {
    if (!this.options.quiet) this.line(`${this.c.cyan(`[${n}/${total}]`)} ${text}`);
  }

  /** Aligned key/value lines. */
  kv(rows: Array<[string, string | undefined]>, indent = '  '): void {
    if (this.options.quiet) return;
    const shown = rows.filter((r): r is [string, string] => r[1] !== undefined);
    const w = Math.max(0, ...shown.map(([k]) => k.length));
    for (const [k, v] of shown) this.line(`${indent}${this.c.dim(k.padEnd(w))}  ${v}`);
  }

  /** A plain table: first row is the header. */
  table(rows: string[][], indent = '  '): void {
    if (this.options.quiet || rows.length === 0) return;
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => visibleLength(r[i] ?? ''))));
    rows.forEach((r, ri) => {
      const cells = r.map((cell, i) =>
        i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell)),
      );
      const text = cells.join('  ').trimEnd(); // an empty last cell leaves no padding behind
      this.line(indent + (ri === 0 ? this.c.bold(text) : text));
    });
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
export function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}
