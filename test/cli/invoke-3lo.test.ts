/**
 * `invoke --complete-auth` on the local stack: the sample agent asks AgentCore Identity for a USER_FEDERATION token,
 * gets an authorization URL and hands it to the caller; the CLI opens it (a redirect-following test browser against the
 * stack's auto-consent 3LO provider), serves the loopback return URL, calls CompleteResourceTokenAuth with the same
 * user id, and the agent gets its token — within the same streaming call, or on the re-invoke with the same session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { browseHeadless } from '../fixtures/headless-browser.js';
import { freePort } from '../fixtures/ports.js';
import { runCommand } from '../helpers/context.js';
import { arnOf } from '../fixtures/invoke-stack.js';

let stack: LocalStack;
let returnUrl: string;
let provider: string;
const AGENT = arnOf('consent_agent-test000006');

beforeAll(async () => {
  returnUrl = `http://127.0.0.1:${await freePort()}/oauth2/callback`;
  stack = await startLocalStack({
    port: 0,
    autoConsent: true,
    config: {
      agents: [
        {
          name: 'consent_agent',
          id: 'consent_agent-test000006',
          oauth2CallbackUrl: returnUrl,
          allowedResourceOauth2ReturnUrls: [returnUrl],
        },
      ],
    },
  });
  provider = stack.credentialProviders.oauth2.find((p) => p.flow === 'USER_FEDERATION')!.name;
});
afterAll(async () => {
  await stack?.close();
});

const browser = async (url: string) => {
  await browseHeadless(url);
};

describe('invoke --complete-auth', () => {
  it('without --complete-auth: the authorization URL is announced, exit 0', async () => {
    const payload = JSON.stringify({ action: 'token', provider, scopes: ['api:read'], forceAuthentication: true });
    const r = await runCommand(['invoke', AGENT, payload, '--user-id', 'erin', '--accept', 'application/json'], {
      env: stack.env,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("the agent needs the user's consent (3LO)");
    expect(r.stderr).toMatch(/\/identities\/oauth2\/authorize\?request_uri=/);
    expect(r.stderr).toContain('re-run with --complete-auth');
  });

  it('streaming agent: consent completed while it polls; the token arrives in the same call', async () => {
    const payload = JSON.stringify({
      action: 'token',
      provider,
      scopes: ['api:read'],
      forceAuthentication: true,
      wait: 10,
    });
    const r = await runCommand(
      ['invoke', AGENT, payload, '--user-id', 'frank', '--complete-auth', '--return-url', returnUrl, '--json'],
      {
        env: stack.env,
        openBrowser: browser,
      },
    );
    expect(r.stderr).toContain('CompleteResourceTokenAuth');
    expect(r.code).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { type: string; data?: { type?: string }; consentCompleted?: boolean; reinvoked?: boolean },
      );
    expect(out.some((o) => o.type === 'event' && o.data?.type === 'authorizationUrl')).toBe(true);
    expect(out.some((o) => o.type === 'event' && o.data?.type === 'token')).toBe(true);
    expect(out[out.length - 1]).toMatchObject({ type: 'summary', consentCompleted: true, reinvoked: false });
  });

  it('agent that answers and ends: consent, then the same session invoked again gets the token', async () => {
    const payload = JSON.stringify({ action: 'token', provider, scopes: ['api:read'] });
    const sid = `consent-session-${'x'.repeat(30)}`;
    const r = await runCommand(
      [
        'invoke',
        AGENT,
        payload,
        '--user-id',
        'gina',
        '--accept',
        'application/json',
        '--session-id',
        sid,
        '--complete-auth',
        '--return-url',
        returnUrl,
        '--json',
      ],
      {
        env: stack.env,
        openBrowser: browser,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`invoking again with the same session id ${sid}`);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data?: { type?: string } });
    const bodies = out.filter((o) => o.type === 'body').map((o) => o.data?.type);
    expect(bodies).toEqual(['authorizationUrl', 'token']);
    expect(out[out.length - 1]).toMatchObject({
      type: 'summary',
      requestSessionId: sid,
      consentCompleted: true,
      reinvoked: true,
    });
  });

  it('an agent that forces authentication again after the re-invoke is reported, not looped on', async () => {
    const payload = JSON.stringify({ action: 'token', provider, scopes: ['api:read'], forceAuthentication: true });
    const r = await runCommand(
      [
        'invoke',
        AGENT,
        payload,
        '--user-id',
        'hank',
        '--accept',
        'application/json',
        '--complete-auth',
        '--return-url',
        returnUrl,
      ],
      {
        env: stack.env,
        openBrowser: browser,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr.match(/CompleteResourceTokenAuth/g)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /warning: the agent asked for consent again after the session was bound .*; not repeating: http/,
    );
  });

  it('--return-url is validated up front even when the agent asks for no consent (#12)', async () => {
    const payload = JSON.stringify({ action: 'whoami' });
    const bad = await runCommand(
      ['invoke', AGENT, payload, '--user-id', 'ivy', '--complete-auth', '--return-url', 'not a url'],
      { env: stack.env },
    );
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toContain('invalid return URL');
    const remote = await runCommand(
      ['invoke', AGENT, payload, '--user-id', 'ivy', '--complete-auth', '--return-url', 'ftp://127.0.0.1/cb'],
      { env: stack.env },
    );
    expect(remote.code, remote.stderr).toBe(2);
    expect(remote.stderr).toContain('is not a loopback http URL');
    const fine = await runCommand(
      ['invoke', AGENT, payload, '--user-id', 'ivy', '--complete-auth', '--no-browser', '--return-url', returnUrl],
      { env: stack.env },
    );
    expect(fine.code, fine.stderr).toBe(0);
  });
});
