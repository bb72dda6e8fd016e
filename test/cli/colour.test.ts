/**
 * Colour on stderr (issue 28, item 11): on a terminal by default; off with NO_COLOR, --no-color, FORCE_COLOR=0 (or
 * false) and TERM=dumb; FORCE_COLOR=1 turns it on even off a terminal or on a dumb one.
 */
import { expect, it } from 'vitest';
import { runCommand } from '../helpers/context.js';

const ANSI = /\u001b\[\d+m/;

it.each([
  [{}, true, true],
  [{ FORCE_COLOR: '0' }, true, false],
  [{ FORCE_COLOR: 'false' }, true, false],
  [{ TERM: 'dumb' }, true, false],
  [{ NO_COLOR: '1' }, true, false],
  [{ TERM: 'dumb', FORCE_COLOR: '1' }, true, true],
  [{ FORCE_COLOR: '1' }, false, true],
  [{}, false, false],
])('%j, stderr a terminal: %s → colour %s', async (env, tty, coloured) => {
  const r = await runCommand(['explain', 'no such message at all'], { env, stderrTTY: tty });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('unknown message');
  expect(ANSI.test(r.stderr)).toBe(coloured);
});

it('--no-color wins over FORCE_COLOR', async () => {
  const r = await runCommand(['--no-color', 'explain', 'nope nope'], { env: { FORCE_COLOR: '1' }, stderrTTY: true });
  expect(ANSI.test(r.stderr)).toBe(false);
});
