/**
 * `agentcore-auth completion bash|zsh|fish`. The bash script is sourced in a real bash, exactly as the install line
 * does (`source <(agentcore-auth completion bash)`, with the built binary on PATH), and asked to complete commands,
 * options, option choices, help topics, files and — through `agentcore-auth __complete logins` — the login names in a
 * real token cache. zsh and fish are not on every machine: their scripts are checked to offer the same words, all
 * generated from the command tree.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliRun } from '../../src/cli/command.js';
import { describeTree, allCommands, type TreeDoc } from '../../src/cli/manual/tree.js';
import { createCommandTree } from '../../src/cli/program.js';
import { saveEntry } from '../../src/core/token-cache.js';
import { BIN } from '../helpers/bin.js';
import { createTestContext, runCommand } from '../helpers/context.js';

const dir = mkdtempSync(join(tmpdir(), 'aca-completion-'));
const binDir = join(dir, 'bin');
const cacheDir = join(dir, 'cache');
const work = join(dir, 'work');

/** Each case: the words on the line (the last one is being completed) → what bash offers. */
const CASES: Record<string, string[]> = {
  command: ['agentcore-auth', 'in'],
  options: ['agentcore-auth', 'invoke', 'my_agent', '--bea'],
  choices: ['agentcore-auth', 'invoke', 'my_agent', '--auth', ''],
  choicesPrefix: ['agentcore-auth', 'login', '--auth-flow', 'user-'],
  subcommands: ['agentcore-auth', 'token', ''],
  subcommandOptions: ['agentcore-auth', 'token', 'print', '--'],
  topics: ['agentcore-auth', 'help', 'exit'],
  shells: ['agentcore-auth', 'completion', ''],
  logins: ['agentcore-auth', 'invoke', 'my_agent', '--bearer', ''],
  loginsAfterGlobals: ['agentcore-auth', '--region', 'us-east-1', 'mcp', '--bearer', 'c'],
  files: ['agentcore-auth', 'smoke', 'sce'],
  valueNotOptions: ['agentcore-auth', 'invoke', 'my_agent', '--user-id', ''],
};

/** Run every case in one bash that sourced the script; each case's words come back on one line. */
function completeInBash(): Promise<Record<string, string[]>> {
  const lines = Object.values(CASES).map((words) => {
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const complete = '_agentcore_auth; echo "${COMPREPLY[*]}"';
    return `COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); ${complete}`;
  });
  const script = ['set -e', 'source <(agentcore-auth completion bash)', 'cd "$WORK"', ...lines].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['--norc', '--noprofile', '-c', script],
      { env: { PATH: `${binDir}:${process.env.PATH}`, AGENTCORE_AUTH_CACHE_DIR: cacheDir, WORK: work, HOME: dir } },
      (e, stdout, stderr) => {
        if (e) return reject(new Error(`bash failed: ${stderr}`));
        const out = stdout.split('\n');
        resolve(Object.fromEntries(Object.keys(CASES).map((k, i) => [k, out[i]!.split(' ').filter(Boolean).sort()])));
      },
    );
  });
}

describe('bash completion, in a real bash', () => {
  let got: Record<string, string[]>;
  beforeAll(async () => {
    mkdirSync(binDir);
    writeFileSync(join(binDir, 'agentcore-auth'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(binDir, 'agentcore-auth'), 0o755);
    mkdirSync(work);
    writeFileSync(join(work, 'scenario.yaml'), 'steps: []\n');
    const loc = { env: { AGENTCORE_AUTH_CACHE_DIR: cacheDir }, homedir: dir };
    for (const name of ['default', 'ci-bot', 'm2m'])
      await saveEntry(loc, { name, flow: 'user-password', tokens: { accessToken: 'x' } });
    got = await completeInBash();
  });

  it('completes a command', () => expect(got.command).toEqual(['invoke']));
  it("completes a command's options", () => expect(got.options).toEqual(['--bearer', '--bearer-token']));
  it("completes an option's choices", () => expect(got.choices).toEqual(['auto', 'bearer', 'sigv4']));
  it('completes choices from a prefix', () => expect(got.choicesPrefix).toEqual(['user-password', 'user-srp']));
  it('completes subcommands', () => expect(got.subcommands).toEqual(['clear', 'decode', 'list', 'print']));
  it("completes a subcommand's options and the global ones", () => {
    expect(got.subcommandOptions).toEqual(expect.arrayContaining(['--id-token', '--refresh-token', '--region']));
    expect(got.subcommandOptions).not.toContain('--version');
  });
  it('completes help topics', () => expect(got.topics).toEqual(['exit-codes']));
  it('completes the shells', () => expect(got.shells).toEqual(['bash', 'fish', 'zsh']));
  it('completes the cached login names after --bearer', () => expect(got.logins).toEqual(['ci-bot', 'default', 'm2m']));
  it('… after global options too, from a prefix', () => expect(got.loginsAfterGlobals).toEqual(['ci-bot']));
  it('completes files where a file is expected', () => expect(got.files).toEqual(['scenario.yaml']));
  it('offers nothing for a free value', () => expect(got.valueNotOptions).toEqual([]));
});

describe('the scripts come from the command tree', () => {
  let tree: TreeDoc;
  const scripts: Record<string, string> = {};
  beforeAll(async () => {
    tree = describeTree(await createCommandTree(new CliRun(createTestContext())));
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCommand(['completion', shell]);
      expect(r.code).toBe(0);
      scripts[shell] = r.stdout;
    }
  });

  it.each(['bash', 'zsh', 'fish'])('%s offers every command, option and choice', (shell) => {
    const script = scripts[shell]!;
    for (const c of allCommands(tree)) {
      expect(script, c.path.join(' ')).toContain(c.name);
      for (const o of c.options) {
        if (o.long === '--help') continue;
        expect(script, `${c.name} ${o.long}`).toContain(shell === 'fish' ? `-l ${o.long!.slice(2)} ` : o.long);
        for (const choice of o.choices ?? []) expect(script, `${c.name} ${o.long} ${choice}`).toContain(choice);
      }
    }
    expect(script).toContain('__complete logins');
  });

  it('an unknown shell is a usage error', async () => {
    const r = await runCommand(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bash, zsh, fish');
  });

  it('__complete logins lists the cached names (and nothing when there is no cache)', async () => {
    const ctx = createTestContext({ env: { AGENTCORE_AUTH_CACHE_DIR: cacheDir } });
    const r = await runCommand(['__complete', 'logins'], ctx);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['ci-bot', 'default', 'm2m']);
    const none = await runCommand(['__complete', 'logins'], { env: { AGENTCORE_AUTH_CACHE_DIR: join(dir, 'none') } });
    expect([none.code, none.stdout]).toEqual([0, '']);
  });
});
