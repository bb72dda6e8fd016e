/**
 * 3LO (USER_FEDERATION) end to end: SDK calls + a redirect-following client through the stack's authorize URL, the
 * oidc-provider 3LO provider and the stack's callback, to the return URL; the binding rule; return-URL allow-list;
 * refusal (FAILED); 50 users at once with no cross-user delivery.
 */
import { createHmac } from 'node:crypto';
import {
  CompleteResourceTokenAuthCommand,
  GetResourceOauth2TokenCommand,
  GetWorkloadAccessTokenCommand,
  GetWorkloadAccessTokenForJWTCommand,
  GetWorkloadAccessTokenForUserIdCommand,
} from '@aws-sdk/client-bedrock-agentcore';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../src/wire.js';
import { startLocalStack, type LocalStack } from '../../src/emulator/stack.js';
import { browseHeadless } from '../fixtures/headless-browser.js';
import { clientsFor, failure, follow } from './helpers.js';

const WORKLOAD = 'local-workload';
const RETURN = 'http://localhost:8081/oauth2/callback';
const PROVIDER = 'local-3lo';

let stack: LocalStack;
let c: ReturnType<typeof clientsFor>;

beforeAll(async () => {
  stack = await startLocalStack({ autoConsent: true });
  c = clientsFor(stack);
});
afterAll(() => stack.close());

async function watForUser(userId: string, _s = stack, cl = c) {
  return (await cl.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId })))
    .workloadAccessToken!;
}

async function aliceJwt(s = stack): Promise<string> {
  const app = s.userPool.clients[0]!;
  const hash = createHmac('sha256', app.clientSecret!).update(`alice${app.clientId}`).digest('base64');
  const r = await clientsFor(s).cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: app.clientId,
      AuthParameters: { USERNAME: 'alice', PASSWORD: 'Alice-Passw0rd!', SECRET_HASH: hash },
    }),
  );
  return r.AuthenticationResult!.AccessToken!;
}

const tokenReq = (wat: string, extra: Record<string, unknown> = {}) =>
  new GetResourceOauth2TokenCommand({
    workloadIdentityToken: wat,
    resourceCredentialProviderName: PROVIDER,
    scopes: ['api:read'],
    oauth2Flow: 'USER_FEDERATION',
    resourceOauth2ReturnUrl: RETURN,
    ...extra,
  });

describe('3LO with auto-consent', () => {
  it(
    'runs the whole flow with a user JWT: authorize → provider → callback → return URL → ' + 'Complete → token',
    async () => {
      const jwt = await aliceJwt();
      const { workloadAccessToken: wat } = await c.data.send(
        new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken: jwt }),
      );
      const first = await c.data.send(
        tokenReq(wat!, { customState: 'csrf-123', customParameters: { login_hint: 'alice-at-provider' } }),
      );
      expect(first.sessionStatus).toBe('IN_PROGRESS');
      expect(first.accessToken).toBeUndefined();
      expect(first.sessionUri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9]+$/);
      expect(first.authorizationUrl).toBe(
        `${stack.url}/identities/oauth2/authorize?request_uri=${encodeURIComponent(first.sessionUri!)}`,
      );

      const browser = await follow(first.authorizationUrl!);
      const toProvider = new URL(browser.urls[1]!);
      expect(toProvider.origin).toBe(stack.threeLo.issuer);
      expect(toProvider.searchParams.get('redirect_uri')).toBe(
        stack.credentialProviders.oauth2.find((p) => p.name === PROVIDER)!.callbackUrl,
      );
      expect(toProvider.searchParams.get('code_challenge_method')).toBe('S256');
      expect(toProvider.searchParams.get('login_hint')).toBe('alice-at-provider');
      const landed = new URL(browser.finalUrl);
      expect(`${landed.origin}${landed.pathname}`).toBe(RETURN);
      expect(landed.searchParams.get('session_id')).toBe(first.sessionUri);
      expect(landed.searchParams.get('state')).toBe('csrf-123');

      // Still IN_PROGRESS until the app completes the binding.
      const poll = await c.data.send(tokenReq(wat!, { sessionUri: first.sessionUri }));
      expect(poll.sessionStatus).toBe('IN_PROGRESS');

      const done = await c.data.send(
        new CompleteResourceTokenAuthCommand({ sessionUri: first.sessionUri!, userIdentifier: { userToken: jwt } }),
      );
      expect(done.$metadata.httpStatusCode).toBe(200);
      const got = await c.data.send(tokenReq(wat!, { sessionUri: first.sessionUri }));
      expect(got.accessToken).toBeDefined();
      expect(decodeJwt(got.accessToken!)).toMatchObject({
        sub: 'alice-at-provider',
        iss: stack.threeLo.issuer,
        scope: 'api:read',
      });

      // The vault now answers directly for this user (a new WAT from the same JWT's user), until forceAuthentication.
      const again = await c.data.send(
        tokenReq(
          (await c.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken: jwt })))
            .workloadAccessToken!,
        ),
      );
      expect(again.accessToken).toBe(got.accessToken);
      const forced = await c.data.send(tokenReq(wat!, { forceAuthentication: true }));
      expect(forced.accessToken).toBeUndefined();
      expect(forced.sessionStatus).toBe('IN_PROGRESS');
      expect(forced.sessionUri).not.toBe(first.sessionUri);
    },
  );

  it('a client without cookies (curl -L) completes the browser leg', async () => {
    const wat = await watForUser('curl-user');
    const r = await c.data.send(tokenReq(wat, { customParameters: { login_hint: 'curl-user' } }));
    const b = await follow(r.authorizationUrl!, 20, false);
    expect(b.urls).toHaveLength(4); // authorize → provider → stack callback → return URL
    expect(new URL(b.finalUrl).searchParams.get('session_id')).toBe(r.sessionUri);
    await c.data.send(
      new CompleteResourceTokenAuthCommand({ sessionUri: r.sessionUri!, userIdentifier: { userId: 'curl-user' } }),
    );
    const t = await c.data.send(tokenReq(wat, { sessionUri: r.sessionUri }));
    expect(decodeJwt(t.accessToken!).sub).toBe('curl-user');
  });

  it('binding rule: the same user id completes, another user id is refused', async () => {
    const wat = await watForUser('alice');
    const r = await c.data.send(tokenReq(wat, { customParameters: { login_hint: 'alice' } }));
    await follow(r.authorizationUrl!);
    const other = await failure(
      c.data.send(
        new CompleteResourceTokenAuthCommand({ sessionUri: r.sessionUri!, userIdentifier: { userId: 'bob' } }),
      ),
    );
    expect(other).toMatchObject({
      name: 'AccessDeniedException',
      status: 403,
      message: MESSAGES.invalidOrExpiredSession,
    });
    const asJwt = await failure(
      c.data.send(
        new CompleteResourceTokenAuthCommand({
          sessionUri: r.sessionUri!,
          userIdentifier: { userToken: await aliceJwt() },
        }),
      ),
    );
    expect(asJwt.message).toBe(MESSAGES.invalidOrExpiredSession);
    await c.data.send(
      new CompleteResourceTokenAuthCommand({ sessionUri: r.sessionUri!, userIdentifier: { userId: 'alice' } }),
    );
    const token = await c.data.send(tokenReq(wat, { sessionUri: r.sessionUri }));
    expect(decodeJwt(token.accessToken!).sub).toBe('alice');
    // A session completes once.
    const twice = await failure(
      c.data.send(
        new CompleteResourceTokenAuthCommand({ sessionUri: r.sessionUri!, userIdentifier: { userId: 'alice' } }),
      ),
    );
    expect(twice.message).toBe(MESSAGES.invalidOrExpiredSession);
  });

  it('binding rule: a re-minted JWT of the same user is refused; the very same JWT string completes', async () => {
    const jwt1 = await aliceJwt();
    const wat = (
      await c.data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName: WORKLOAD, userToken: jwt1 }))
    ).workloadAccessToken!;
    const r = await c.data.send(tokenReq(wat, { forceAuthentication: true }));
    await follow(r.authorizationUrl!);
    const jwt2 = await aliceJwt();
    expect(jwt2).not.toBe(jwt1);
    expect(decodeJwt(jwt2).sub).toBe(decodeJwt(jwt1).sub);
    const f = await failure(
      c.data.send(
        new CompleteResourceTokenAuthCommand({ sessionUri: r.sessionUri!, userIdentifier: { userToken: jwt2 } }),
      ),
    );
    expect(f).toMatchObject({ name: 'AccessDeniedException', status: 403, message: MESSAGES.invalidOrExpiredSession });
    await c.data.send(
      new CompleteResourceTokenAuthCommand({ sessionUri: r.sessionUri!, userIdentifier: { userToken: jwt1 } }),
    );
  });

  it('Complete before the user consented, or with an unknown session, is refused', async () => {
    const wat = await watForUser('carol');
    const r = await c.data.send(tokenReq(wat));
    const early = await failure(
      c.data.send(
        new CompleteResourceTokenAuthCommand({ sessionUri: r.sessionUri!, userIdentifier: { userId: 'carol' } }),
      ),
    );
    expect(early.message).toBe(MESSAGES.invalidOrExpiredSession);
    const unknown = await failure(
      c.data.send(
        new CompleteResourceTokenAuthCommand({
          sessionUri: 'urn:ietf:params:oauth:request_uri:nope',
          userIdentifier: { userId: 'carol' },
        }),
      ),
    );
    expect(unknown.message).toBe(MESSAGES.invalidOrExpiredSession);
    // Another user's WAT cannot poll this session.
    const mallory = await failure(c.data.send(tokenReq(await watForUser('mallory'), { sessionUri: r.sessionUri })));
    expect(mallory).toMatchObject({ name: 'AccessDeniedException', message: MESSAGES.invalidOrExpiredSession });
  });

  it('customParameters never replace the standard authorize parameters', async () => {
    const r = await c.data.send(
      tokenReq(await watForUser('dave'), {
        customParameters: { redirect_uri: 'https://evil.example/cb', prompt: 'login' },
      }),
    );
    const res = await fetch(r.authorizationUrl!, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get('location')!);
    expect(loc.searchParams.get('redirect_uri')).toMatch(new RegExp(`^${stack.url}/identities/oauth2/callback/`));
    expect(loc.searchParams.get('prompt')).toBe('login');
  });

  it('resources and audiences reach the authorization request', async () => {
    const r = await c.data.send(
      tokenReq(await watForUser('dora'), { resources: ['urn:agentcore-local:3lo-api'], audiences: ['local-api'] }),
    );
    const res = await fetch(r.authorizationUrl!, { redirect: 'manual' });
    const loc = new URL(res.headers.get('location')!);
    expect(loc.searchParams.getAll('resource')).toEqual(['urn:agentcore-local:3lo-api']);
    expect(loc.searchParams.getAll('audience')).toEqual(['local-api']);
  });

  it('return URL must be registered on the workload identity (AWS message)', async () => {
    const wat = await watForUser('erin');
    const f = await failure(c.data.send(tokenReq(wat, { resourceOauth2ReturnUrl: 'http://localhost:9999/elsewhere' })));
    expect(f).toMatchObject({ name: 'ValidationException', status: 400, message: MESSAGES.noReturnUrl });
    stack.state.putWorkloadIdentity('no-return-urls');
    const bare = (
      await c.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: 'no-return-urls', userId: 'erin' }))
    ).workloadAccessToken!;
    const g = await failure(c.data.send(tokenReq(bare)));
    expect(g).toMatchObject({ name: 'ValidationException', status: 400, message: MESSAGES.noReturnUrl });
  });

  it('USER_FEDERATION needs a workload token bound to a user', async () => {
    const { workloadAccessToken } = await c.data.send(new GetWorkloadAccessTokenCommand({ workloadName: WORKLOAD }));
    const f = await failure(c.data.send(tokenReq(workloadAccessToken!)));
    expect(f.name).toBe('ValidationException');
    expect(f.message).toBe(
      'USER_FEDERATION needs a workload access token obtained for a user (GetWorkloadAccessTokenForJWT or ForUserId)',
    );
  });

  it('50 users at once: every token reaches its own user only', async () => {
    const users = Array.from({ length: 50 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
    const results = await Promise.all(
      users.map(async (u) => {
        const wat = await watForUser(u);
        const r = await c.data.send(tokenReq(wat, { customParameters: { login_hint: u }, customState: `state-${u}` }));
        const b = await follow(r.authorizationUrl!);
        const landed = new URL(b.finalUrl);
        expect(landed.searchParams.get('state')).toBe(`state-${u}`);
        await c.data.send(
          new CompleteResourceTokenAuthCommand({
            sessionUri: landed.searchParams.get('session_id')!,
            userIdentifier: { userId: u },
          }),
        );
        const t = await c.data.send(tokenReq(wat, { sessionUri: r.sessionUri }));
        const direct = await c.data.send(tokenReq(await watForUser(u)));
        return {
          u,
          sub: decodeJwt(t.accessToken!).sub,
          again: direct.accessToken === t.accessToken,
          token: t.accessToken!,
        };
      }),
    );
    expect(results.map((r) => r.sub)).toEqual(users);
    expect(results.every((r) => r.again)).toBe(true);
    expect(new Set(results.map((r) => r.token)).size).toBe(50);
    // 50 whole 3LO flows at once are about a second of CPU: 1.5 s on an idle 2-core machine, 17.6 s in a full run at
    // load average 18, past the suite's 20 s default with a little more. The same budget as isolation.test.ts (50
    // users, each a superset of this flow).
  }, 90_000);
});

describe('3LO with real login and consent pages', () => {
  let paged: LocalStack;
  let pc: ReturnType<typeof clientsFor>;
  /** The stack's clock runs this far ahead (the expiry test moves it, and puts it back). */
  let offset = 0;
  beforeAll(async () => {
    paged = await startLocalStack({ now: () => Date.now() + offset });
    pc = clientsFor(paged);
  });
  afterAll(() => paged.close());

  it('a user signs in and consents through the forms', async () => {
    const wat = (
      await pc.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId: 'frank' }))
    ).workloadAccessToken!;
    const r = await pc.data.send(tokenReq(wat));
    const end = await browseHeadless(r.authorizationUrl!, { login: 'frank-at-provider', stopAt: RETURN });
    expect(new URL(end.url).searchParams.get('session_id')).toBe(r.sessionUri);
    await pc.data.send(
      new CompleteResourceTokenAuthCommand({ sessionUri: r.sessionUri!, userIdentifier: { userId: 'frank' } }),
    );
    const t = await pc.data.send(tokenReq(wat, { sessionUri: r.sessionUri }));
    expect(decodeJwt(t.accessToken!).sub).toBe('frank-at-provider');
  });

  it('a refusal at the provider ends the session FAILED', async () => {
    const wat = (
      await pc.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId: 'gina' }))
    ).workloadAccessToken!;
    const r = await pc.data.send(tokenReq(wat));
    // Walk to the provider's login page, then press its "Cancel" (abort) link.
    const jar: string[] = [];
    let url = r.authorizationUrl!;
    for (let i = 0; i < 5 && !url.includes('/interaction/'); i++) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.join('; ') } });
      for (const sc of res.headers.getSetCookie()) jar.push(sc.split(';')[0]!);
      url = new URL(res.headers.get('location')!, url).href;
    }
    const page = await (await fetch(url, { headers: { cookie: jar.join('; ') } })).text();
    expect(page).toContain('<form');
    const abort = await fetch(`${url}/abort`, { redirect: 'manual', headers: { cookie: jar.join('; ') } });
    for (const sc of abort.headers.getSetCookie()) jar.push(sc.split(';')[0]!);
    const end = await follow(new URL(abort.headers.get('location')!, url).href, 20, jar);
    const landed = new URL(end.finalUrl);
    expect(landed.searchParams.get('session_id')).toBe(r.sessionUri);
    expect(landed.searchParams.get('error')).toBe('access_denied');
    const poll = await pc.data.send(tokenReq(wat, { sessionUri: r.sessionUri }));
    expect(poll.sessionStatus).toBe('FAILED');
    expect(poll.accessToken).toBeUndefined();
    const f = await failure(
      pc.data.send(
        new CompleteResourceTokenAuthCommand({ sessionUri: r.sessionUri!, userIdentifier: { userId: 'gina' } }),
      ),
    );
    expect(f.message).toBe(MESSAGES.invalidOrExpiredSession);
  });

  it('an authorization URL expires after 10 minutes', async () => {
    try {
      const wat = (
        await pc.data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName: WORKLOAD, userId: 'hank' }))
      ).workloadAccessToken!;
      const r = await pc.data.send(tokenReq(wat));
      offset = 10 * 60_000 + 1000;
      const res = await fetch(r.authorizationUrl!, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('This authorization URL is invalid or has expired');
    } finally {
      offset = 0;
    }
  });
});
