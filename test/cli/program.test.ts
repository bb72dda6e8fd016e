import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/context.js';

describe('the program: top-level help, unknown commands and options', () => {
  it('prints the top-level help on stdout with every command and exits 0', async () => {
    const r = await runCommand(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      'login',
      'invoke',
      'exchange',
      'callback',
      'verify',
      'doctor',
      'explain',
      'local',
      'smoke',
      'demo',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
    expect(r.stderr).toBe('');
  });

  it('an unknown command is a usage error (exit 2) with a suggestion on stderr', async () => {
    const r = await runCommand(['logn']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown command 'logn'");
    expect(r.stderr).toContain('login');
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const r = await runCommand(['--nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--nope'");
  });

  it('--json failures are one JSON line on stderr', async () => {
    const r = await runCommand(['--json', 'logn']);
    expect(r.code).toBe(2);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(JSON.parse(last)).toMatchObject({ error: { code: 'ERR_USAGE', exitCode: 2 } });
  });

  it('global options are read before and after the command name, the nearest one winning over a default', async () => {
    const message = 'Unable to verify secret hash for client x';
    for (const argv of [
      ['--json', 'explain', message],
      ['explain', message, '--json'],
    ]) {
      const r = await runCommand(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(JSON.parse(r.stdout), argv.join(' ')).toMatchObject({ id: 'cognito-secret-hash-wrong' });
    }
    // The command's own (hidden) --no-color defaults to colour on: that default must not undo the program's flag.
    const tty = { env: { FORCE_COLOR: '1' }, stderrTTY: true, stdoutTTY: true };
    for (const argv of [
      ['--no-color', 'explain', 'nothing-known-zzz'],
      ['explain', 'nothing-known-zzz', '--no-color'],
    ]) {
      const r = await runCommand(argv, tty);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(/^error: unknown message/);
    }
    expect((await runCommand(['explain', 'nothing-known-zzz'], tty)).stderr).toContain('\u001b[31merror:');
  });
});
