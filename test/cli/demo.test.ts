/**
 * `demo` end to end, in-process: the embedded stack, every flow through the real commands, the narration on stderr,
 * nothing secret printed, the temporary token cache removed; `--open` through a headless browser that clicks the
 * 3LO provider's login and consent pages (auto-consent off).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestContext, runCommand } from '../helpers/context.js';
import { browseHeadless } from '../fixtures/headless-browser.js';
import { FULL_JWT } from '../reliability/canary-stack.js';

const TITLES = [
  'Sign in to the user pool (Cognito USER_PASSWORD_AUTH)',
  'A first sign-in with a temporary password (NEW_PASSWORD_REQUIRED)',
  'Invoke an OAuth agent with the bearer token',
  'Invoke an IAM agent with SigV4 and a user id',
  'Mistake 1: SigV4 to an agent that wants a bearer token',
  'Ask `explain` about an error message',
  'Mistake 2: the ID token instead of the access token',
  'Workload access token for a user id',
  'Workload access token for a user JWT',
  'Machine-to-machine resource token (client credentials)',
  'API key from the token vault',
];

/**
 * No full JWT, workload access token, API key, client secret or demo password (the demo's stack has its own random
 * secrets).
 */
function expectNoSecrets(text: string) {
  expect(text).not.toMatch(FULL_JWT);
  for (const pw of ['Alice-Passw0rd!', 'Bob-Temp-Passw0rd!']) expect(text).not.toContain(pw);
  expect(text).not.toMatch(/sk-local-[A-Za-z0-9_-]{8,}/);
  expect(text).not.toMatch(/AgV4[A-Za-z0-9+/]{40,}/);
  expect(text).not.toMatch(/--client-secret '[A-Za-z0-9_-]{20,}'/);
}

describe('demo', () => {
  it('walks through every flow on the embedded stack, narrated on stderr, and exits 0', async () => {
    const r = await runCommand(['demo']);
    if (r.code !== 0) console.log(r.stderr);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const err = r.stderr;
    for (const [i, title] of TITLES.entries()) expect(err).toContain(`[${i + 1}/18] ${title}`);
    expect(err).toContain('[12/18] 3LO: user consent through the loopback return URL (auto-consent)');
    expect(err).toContain('[13/18] Session binding: only the user who started a consent may complete it');
    expect(err).toContain("[14/18] On-behalf-of: the user's JWT exchanged for an API token, no consent screen");
    expect(err).toContain('[4/4] token endpoint (AgentCore → provider)');
    expect(err).toContain("[15/18] Predict the authorizer's verdict");
    expect(err).toMatch(/^5\. The Gateway: what reaches your tools$/m);
    expect(err).toContain("[17/18] JWT passthrough: the caller's own token, to a runtime behind the gateway");
    expect(err).toContain(
      '$ agentcore-auth invoke \'{"action":"whoami"}\' --gateway-id local-gateway-local00001 --target agent',
    );
    expect(err).toMatch(
      /The target received the API key sha256:[0-9a-f]{8} in x-api-key, and no Authorization header\./,
    );
    // Chapters, commands as a user types them, and the verdicts.
    expect(err).toMatch(/^1\. Inbound auth: who may call your agent$/m);
    expect(err).toMatch(/^4\. Check a token before you ship$/m);
    expect(err).toMatch(
      new RegExp(
        /\$ agentcore-auth login --user-pool-id us-east-1_AgentCoreLocal --client-id \S+ /.source +
          /--client-secret '\[\d+ chars\]' --username alice --password '\[15 chars\]' /.source +
          /--save-as demo/.source,
      ),
    );
    expect(err).toContain(
      '$ agentcore-auth invoke arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/jwt_agent-local00002 ' +
        '\'{"prompt":"Hello from agentcore-auth demo"}\' --bearer demo --id-token',
    );
    expect(err).toContain('Cognito asks: NEW_PASSWORD_REQUIRED');
    expect(err).toContain('Authorization method mismatch');
    expect(err).toContain("Claim 'client_id' value mismatch with configuration.");
    expect(err).toContain('CompleteResourceTokenAuth');
    expect(err).toContain('the browser came back');
    expect(err).toMatch(/completed with user id "mallory"/);
    // The return URL's port is picked before `exchange` binds it: below the OS's ephemeral range (Linux: 32768+), so
    // no outgoing connection of the demo can be given that port meanwhile.
    const returnPort = Number(/--return-url http:\/\/127\.0\.0\.1:(\d+)\/oauth2\/callback/.exec(err)?.[1]);
    expect(returnPort).toBeGreaterThanOrEqual(30000);
    expect(returnPort).toBeLessThan(32768);
    expect(err.match(/✓ refused, as it should be/g)).toHaveLength(4);
    expect(err.match(/✓ done \(/g)).toHaveLength(14);
    expect(err).toMatch(/✓ 18 steps, every flow behaved as described \(\d/);
    expectNoSecrets(err);
    // The demo's token cache lived in a temporary directory that is gone now.
    const cacheFile = /saved as\s+demo \((\S+tokens\.json)\)/.exec(err)?.[1];
    expect(cacheFile).toMatch(/agentcore-auth-demo-/);
    expect(existsSync(cacheFile!)).toBe(false);
  });

  it(
    '--open does the 3LO consent in "the browser" (here a headless one clicking the pages); ' + '--json summarises',
    async () => {
      const visited: string[] = [];
      const r = await runCommand(['demo', '--open', '--json'], {
        openBrowser: async (url) => {
          visited.push(url);
          // A real browser returns at once; the user clicks later.
          void browseHeadless(url, { login: 'alice' }).catch(() => undefined);
        },
      });
      if (r.code !== 0) console.log(r.stderr);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as {
        ok: boolean;
        durationMs: number;
        steps: Array<{ id: string; status: string }>;
      };
      expect(out.ok).toBe(true);
      expect(out.steps.map((s) => s.status)).toEqual(Array(18).fill('pass'));
      expect(out.steps.map((s) => s.id)).toContain('three-legged');
      expect(visited).toHaveLength(2);
      expect(visited[0]).toMatch(
        new RegExp(
          /^http:\/\/127\.0\.0\.1:/.source +
            /\d+\/identities\/oauth2\/authorize\?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Are/.source +
            /quest_uri%3A/.source,
        ),
      );
      expect(r.stderr).toContain('3LO: the user consents in your browser');
      expect(r.stderr).not.toContain('(auto-consent)');
      expectNoSecrets(r.stderr + r.stdout);
    },
  );

  it('Ctrl-C during the demo: exit 130, the rest not run, no "bug" message', async () => {
    const ac = new AbortController();
    const ctx = createTestContext({ signal: ac.signal });
    const write = ctx.stderr.write.bind(ctx.stderr);
    // Interrupt as the fifth step starts.
    ctx.stderr.write = (chunk: string) => {
      if (chunk.includes('[5/18]')) ac.abort();
      return write(chunk);
    };
    const r = await runCommand(['demo'], ctx);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('[5/18]');
    expect(r.stderr).not.toContain('[6/18]');
    expect(r.stderr).toContain('error: interrupted');
    expect(r.stderr).not.toContain('This is a bug');
  });
});
