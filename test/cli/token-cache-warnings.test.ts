/**
 * A broken token cache is reported once per run, in words that fit what is wrong with it (issue 12): `invoke --bearer`,
 * `mcp --bearer` and `token print` used to warn twice; valid JSON of the wrong shape was called "broken or truncated
 * JSON". Nothing here reaches the network (the cache lookup fails first).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/context.js';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abcDEF1234';
const env = {
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'x',
};

function homeWithCache(text: string): string {
  const home = mkdtempSync(join(tmpdir(), 'aca-cache-warn-'));
  mkdirSync(join(home, '.cache', 'agentcore-auth'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, '.cache', 'agentcore-auth', 'tokens.json'), text, { mode: 0o600 });
  return home;
}
const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('warning: the token cache'));

describe('a broken tokens.json is reported once per run', () => {
  it.each([
    ['invoke --bearer', ['invoke', ARN, '{}', '--bearer']],
    ['mcp --agent --bearer', ['mcp', '--agent', ARN, '--bearer']],
    ['token print', ['token', 'print']],
    [
      'verify --bearer',
      ['verify', '--bearer', '--discovery-url', 'http://127.0.0.1:9/.well-known/openid-configuration'],
    ],
  ])('%s: one warning', async (_name, argv) => {
    const home = homeWithCache('{"version":1,"entries":{"default":{"name":"def');
    const r = await runCommand(argv, { home, env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("no cached token named 'default'");
    expect(warnings(r.stderr), r.stderr).toHaveLength(1);
    expect(warnings(r.stderr)[0]).toContain('broken or truncated JSON');
  });
});

describe('valid JSON of the wrong shape is "not a token cache"', () => {
  it.each([['[]'], ['null'], ['{"entries":"x"}'], ['"tokens"'], ['{"version":1,"entries":[]}']])(
    '%s: readers say so; login moves it aside saying so',
    async (text) => {
      const home = homeWithCache(text);
      const list = await runCommand(['token', 'list'], { home });
      expect(list.code).toBe(0);
      expect(warnings(list.stderr)).toHaveLength(1);
      expect(warnings(list.stderr)[0]).toMatch(
        /is valid JSON but not a token cache \(not the shape agentcore-auth writes\); ignoring it/,
      );
      expect(list.stderr).not.toContain('broken or truncated');
      const logout = await runCommand(['logout', '--all'], { home });
      expect(logout.stderr).not.toContain('broken or truncated');
      expect(logout.stderr).toMatch(/is valid JSON but not a token cache .*moved it to .*tokens\.json\.broken-/);
    },
  );
});
