/**
 * `agentcore-auth explain` in-process: stdin, JSON error bodies, matching by name and status, --json, --list, unknown
 * messages (exit 1) and masking of pasted tokens.
 */
import { describe, expect, it } from 'vitest';
import { HINTS } from '../../src/core/hints.js';
import { MESSAGES } from '../../src/wire.js';
import { runCommand } from '../helpers/context.js';

describe('explain', () => {
  it('reads - from stdin, matches a JSON error body, and --json gives the entry', async () => {
    const body = `{"jsonrpc":"2.0","error":{"code":-32001,"message":"${MESSAGES.claimMismatch('aud')}"},"id":"null"}`;
    const r = await runCommand(['--json', 'explain', '-'], { stdin: body });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      id: 'claim-aud',
      matchedBy: 'message',
      source: 'AgentCore customJWTAuthorizer (401)',
    });
  });

  it('matches by error name and by HTTP status when the message is not known', async () => {
    const a = await runCommand(['--json', 'explain', 'ThrottlingException: slow down please']);
    expect(JSON.parse(a.stdout)).toMatchObject({ id: 'throttled', matchedBy: 'name' });
    const b = await runCommand(['--json', 'explain', 'HTTP/1.1 424 Failed Dependency']);
    expect(JSON.parse(b.stdout)).toMatchObject({ id: 'runtime-client-error', matchedBy: 'status' });
    const u = await runCommand(['--json', 'explain', 'HTTP 401']);
    expect(JSON.parse(u.stdout)).toMatchObject({ id: 'jwt-invalid-or-not-found', matchedBy: 'status' });
    const d = await runCommand(['--json', 'explain', 'AccessDeniedException: something we have never seen']);
    expect(JSON.parse(d.stdout)).toMatchObject({ id: 'iam-not-authorized', matchedBy: 'name' });
    const c = await runCommand(['explain', 'AccessDeniedException:', 'Authorization', 'method', 'mismatch']);
    expect(c.stdout.split('\n')[0]).toBe('method-mismatch — AgentCore Runtime (403 AccessDeniedException)');
  });

  it('an unknown message is exit 2 (not 1: 1 is for our bugs) with a clear "unknown message"', async () => {
    const r = await runCommand(['explain', 'the flux capacitor overheated']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: unknown message: agentcore-auth does not know "the flux capacitor overheated"\nhint: Paste the ' +
        'exact text the service returned (the message after the error name). `agentcore-auth explain --list` ' +
        'shows every known message.\n',
    );
    const part = (json: string) => Buffer.from(json).toString('base64url');
    const jwt = `${part('{"alg":"RS256"}')}.${part('{"sub":"someone-with-a-long-id"}')}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
    const t = await runCommand(['explain', `weird failure for Bearer ${jwt}`]);
    expect(t.code).toBe(2);
    expect(t.stderr).not.toContain(jwt.slice(0, 20));
    expect(t.stderr).toContain(`weird failure for Bearer ${jwt.slice(0, 6)}…[${jwt.length} chars]`);
    const j = await runCommand(['--json', 'explain', 'nope']);
    expect(JSON.parse(j.stderr.trim())).toMatchObject({ error: { code: 'ERR_UNKNOWN_MESSAGE', exitCode: 2 } });
  });

  it('no text is a usage error; --list prints every entry', async () => {
    const r = await runCommand(['explain']);
    expect(r.code).toBe(2);
    const l = await runCommand(['--json', 'explain', '--list']);
    expect(l.code).toBe(0);
    expect(JSON.parse(l.stdout).map((h: { id: string }) => h.id)).toEqual(HINTS.map((h) => h.id));
  });
});
