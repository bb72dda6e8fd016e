/**
 * The help screens that bin.cts serves without loading commander (dist/help/*.txt, rendered at build time) must
 * be exactly what commander prints for the same command.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../src/cli/manual/topics.js';
import { REGISTRY } from '../../src/cli/registry.js';
import { runCommand } from '../helpers/context.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const version = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;

describe('pre-rendered help', () => {
  it('exists for the top level, every command, every help topic and every shell', () => {
    expect(existsSync(`${root}dist/help/_root.txt`)).toBe(true);
    for (const e of REGISTRY) expect(existsSync(`${root}dist/help/${e.name}.txt`), e.name).toBe(true);
    for (const t of TOPICS) expect(existsSync(`${root}dist/help/topic/${t.name}.txt`), t.name).toBe(true);
    for (const s of ['bash', 'zsh', 'fish']) expect(existsSync(`${root}dist/help/completion/${s}.txt`), s).toBe(true);
  });

  const cases = [
    ['--help'],
    ...REGISTRY.map((e) => [e.name, '--help']),
    ['help', 'invoke'],
    ...TOPICS.map((t) => ['help', t.name]),
    ...['bash', 'zsh', 'fish'].map((s) => ['completion', s]),
  ];
  // The built binary for every case, all started at once (one Node start each, about 0.2 s on a busy machine; one after
  // the other they were most of this file's time); each test then compares its own.
  const binary = new Map<string, Promise<{ code: number; stdout: string }>>();
  beforeAll(() => {
    for (const args of cases) {
      binary.set(
        args.join(' '),
        new Promise((resolve) => {
          execFile(
            process.execPath,
            [`${root}bin/agentcore-auth.js`, ...args],
            { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } },
            (e, stdout) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout }),
          );
        }),
      );
    }
  });

  it.each(cases)('`%s %s` equals commander output', async (...argv) => {
    const args = argv.filter((a): a is string => typeof a === 'string');
    const spawned = await binary.get(args.join(' '))!;
    expect(spawned.code).toBe(0);
    const live = await runCommand(args);
    expect(live.code).toBe(0);
    expect(spawned.stdout).toBe(live.stdout.replace('0.0.0-test', version));
  });
});

describe('closed stdout pipe', () => {
  it('`explain --list | head -1` ends quietly (no EPIPE stack trace)', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [`${root}bin/agentcore-auth.js`, 'explain', '--list'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(stderr).not.toMatch(/EPIPE|Error:/);
    expect(code).toBe(0);
  });
});
