/**
 * The option declarations and value parsers of src/cli/options.ts: each parser's accepted forms and ranges, the
 * table registration (commander names, defaults, conflicts, implies), and the handler type derived from the table.
 */
import { Command } from 'commander';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import {
  addOptions,
  choice,
  duration,
  flag,
  HEADER,
  integer,
  JSON_OBJECT_OR_STDIN,
  list,
  negatable,
  optionalValue,
  repeated,
  required,
  TIMEOUT,
  userId,
  value,
  withDefault,
  type OptionsOf,
} from '../../src/cli/options.js';

function usage(fn: () => unknown): AgentcoreAuthError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AgentcoreAuthError);
    expect((e as AgentcoreAuthError).exitCode).toBe(2);
    return e as AgentcoreAuthError;
  }
  throw new Error('expected a usage error');
}

describe('value parsers', () => {
  it('TIMEOUT: seconds by default, or a unit; 1 ms to 24 h', () => {
    expect(TIMEOUT('300', '--timeout')).toBe(300_000);
    expect(TIMEOUT('1.5', '--timeout')).toBe(1500);
    expect(TIMEOUT('500ms', '--timeout')).toBe(500);
    expect(TIMEOUT('30s', '--timeout')).toBe(30_000);
    expect(TIMEOUT('2m', '--timeout')).toBe(120_000);
    expect(TIMEOUT('1h', '--timeout')).toBe(3_600_000);
    expect(TIMEOUT('24h', '--timeout')).toBe(86_400_000);
    for (const bad of ['0', '1e9', '25h', '-1', 'abc', '', '5 days', 'Infinity', 'NaN']) {
      const e = usage(() => TIMEOUT(bad, '--timeout'));
      expect(e.message).toBe(`--timeout must be a duration from 1 ms to 24 h, got ${JSON.stringify(bad)}`);
      expect(e.hint).toMatch(/500ms, 30s, 5m, 1h/);
    }
  });

  it('duration in milliseconds with its own range', () => {
    const poll = duration({ unit: 'ms', min: 0, max: 60_000 });
    expect(poll('0', '--poll-interval')).toBe(0);
    expect(poll('250', '--poll-interval')).toBe(250);
    expect(poll('1s', '--poll-interval')).toBe(1000);
    expect(usage(() => poll('2m', '--poll-interval')).message).toContain('from 0 ms to 1 min');
  });

  it('integer: whole numbers in range only', () => {
    const n = integer({ min: 1, max: 256 });
    expect(n('1', '-c')).toBe(1);
    expect(n('256', '-c')).toBe(256);
    for (const bad of ['0', '257', '1.5', '1e2', '0x10', '', 'ten']) {
      expect(usage(() => n(bad, '--concurrency')).message).toBe(
        `--concurrency must be a whole number from 1 to 256, got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('HEADER: name:value, RFC 7230 token name, visible-ASCII value', () => {
    expect(HEADER('tenant: acme', '-H')).toEqual(['tenant', 'acme']);
    expect(HEADER('a:b:c', '-H')).toEqual(['a', 'b:c']);
    expect(HEADER('x:', '-H')).toEqual(['x', '']);
    expect(usage(() => HEADER('novalue', '-H')).message).toContain('expected name:value');
    expect(usage(() => HEADER('bad name:v', '-H')).message).toContain('is not a valid header name');
    for (const v of ['😀', 'café', 'a\r\nb', 'a\u0000b', 'a\u007fb']) {
      expect(usage(() => HEADER(`x:${v}`, '-H')).message).toMatch(/^-H x: the value may hold only visible ASCII/);
    }
  });

  it('userId: 1–max characters of visible ASCII with inner spaces', () => {
    const id = userId({ max: 128 });
    expect(id('alice', '--user-id')).toBe('alice');
    expect(id('Alice Smith <alice@example.com>', '--user-id')).toBe('Alice Smith <alice@example.com>');
    expect(usage(() => id('', '--user-id')).message).toBe('--user-id must be 1–128 characters, got 0');
    expect(usage(() => id('a'.repeat(129), '--user-id')).message).toBe('--user-id must be 1–128 characters, got 129');
    for (const bad of ['😀', 'zoë', ' alice', 'alice ', 'a\tb\n']) {
      expect(usage(() => id(bad, '--user-id')).message).toMatch(/^--user-id may hold only visible ASCII/);
    }
  });

  it('JSON_OBJECT_OR_STDIN: an object, or - for stdin', () => {
    expect(JSON_OBJECT_OR_STDIN('{"a":1}', '--input')).toEqual({ a: 1 });
    expect(JSON_OBJECT_OR_STDIN('-', '--input')).toBe('-');
    expect(usage(() => JSON_OBJECT_OR_STDIN('{bad', '--input')).message).toMatch(/^--input is not JSON: /);
    expect(usage(() => JSON_OBJECT_OR_STDIN('[1]', '--input')).message).toBe(
      '--input must be a JSON object, got an array',
    );
    expect(usage(() => JSON_OBJECT_OR_STDIN('"x"', '--input')).message).toBe(
      '--input must be a JSON object, got a string',
    );
  });
});

describe('declaration tables', () => {
  const TABLE = {
    timeout: withDefault(value('--timeout <seconds>', 'limit', TIMEOUT), 300_000, '300'),
    scopes: list('--scopes <list>', 'scopes'),
    header: repeated('-H, --header <name:value>', 'header', HEADER),
    mode: choice('--mode <mode>', 'mode', ['a', 'b']),
    bearer: optionalValue('--bearer [name]', 'cached login', { conflicts: ['token'] }),
    token: value('--token <t>', 'token'),
    dryRun: flag('--dry-run', 'dry run'),
    printCurl: flag('--print-curl', 'same as --dry-run', { implies: { dryRun: true } }),
    browser: negatable('--no-browser', 'no browser'),
    name: required(value('--name <name>', 'name')),
  };

  const parse = (argv: string[]) => {
    const cmd = addOptions(new Command('t').exitOverride().configureOutput({ writeErr: () => {} }), TABLE);
    let got: OptionsOf<typeof TABLE> | undefined;
    cmd.action((opts: OptionsOf<typeof TABLE>) => {
      got = opts;
    });
    cmd.parse(argv, { from: 'user' });
    return got!;
  };

  it('parses each value once, in its declared type, with defaults', () => {
    const o = parse(['--name', 'n', '--scopes', 'a,b', '--scopes', 'c', '-H', 'x:1', '-H', 'y:2', '--bearer']);
    expect(o).toEqual({
      name: 'n',
      timeout: 300_000,
      scopes: ['a', 'b', 'c'],
      header: [
        ['x', '1'],
        ['y', '2'],
      ],
      bearer: true,
      browser: true,
    });
    expectTypeOf(o.timeout).toEqualTypeOf<number>();
    expectTypeOf(o.header).toEqualTypeOf<Array<[string, string]> | undefined>();
    expectTypeOf(o.mode).toEqualTypeOf<'a' | 'b' | undefined>();
    expectTypeOf(o.browser).toEqualTypeOf<boolean>();
    expectTypeOf(o.name).toEqualTypeOf<string>();
  });

  it('implies and negatable flags', () => {
    const o = parse(['--name', 'n', '--print-curl', '--no-browser', '--timeout', '2s']);
    expect(o).toMatchObject({ printCurl: true, dryRun: true, browser: false, timeout: 2000 });
  });

  it('conflicts, missing mandatory options and bad values are refused while parsing', () => {
    expect(() => parse(['--name', 'n', '--bearer', 'x', '--token', 't'])).toThrow(/cannot be used with/);
    expect(() => parse([])).toThrow(/required option '--name <name>' not specified/);
    expect(() => parse(['--name', 'n', '--mode', 'c'])).toThrow(/Allowed choices are a, b/);
    expect(() => parse(['--name', 'n', '--timeout', '1e9'])).toThrow(/--timeout must be a duration/);
  });

  it('a key that is not the option’s commander name is a programming error', () => {
    expect(() => addOptions(new Command('t'), { wrong: value('--right <x>', 'x') })).toThrow(
      'option --right <x> is declared as "wrong", not "right"',
    );
  });
});
