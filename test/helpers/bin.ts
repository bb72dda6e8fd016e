/**
 * Run the built CLI (bin/agentcore-auth.js → dist/) in a real child process with only the given environment (plus
 * PATH), feeding `stdin`. For tests that need a real process: signals, concurrent writers, library console output.
 */
import { spawn } from 'node:child_process';

export const BIN = new URL('../../bin/agentcore-auth.js', import.meta.url).pathname;

export function runBuiltCli(
  args: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdin.end(stdin);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
