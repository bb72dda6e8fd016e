/**
 * IdP conventions: hand-made tokens shaped like Entra (v1/v2), Okta and Auth0 ones, signed with a key that a loopback
 * discovery + JWKS server serves under the IdP's real issuer string; the advice must name the token or the authorizer
 * field to use instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseCustomClaim,
  predictAuthorizer,
  profileToken,
  type Prediction,
} from '../../src/core/authorizer-prediction/index.js';
import { startFakeIdp, type FakeIdp } from '../fixtures/fake-idp.js';

const deps = { fetch: globalThis.fetch.bind(globalThis), now: () => Date.now() };
const fails = (p: Prediction) => p.checks.filter((c) => c.status === 'fail').map((c) => c.claim);
const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const API = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const CLIENT = 'a1b2c3d4-0000-4000-8000-1234567890ab';

describe('Entra ID', () => {
  let v2: FakeIdp;
  let v1: FakeIdp;
  beforeAll(async () => {
    v2 = await startFakeIdp({ path: `/${TID}/v2.0`, issuer: () => `https://login.microsoftonline.com/${TID}/v2.0` });
    v1 = await startFakeIdp({ path: `/${TID}`, issuer: () => `https://sts.windows.net/${TID}/` });
  });
  afterAll(() => Promise.all([v1.close(), v2.close()]));

  it('a v1 token against the v2.0 discovery URL: set accessTokenAcceptedVersion or use the v1 URL', async () => {
    const tok = await v2.sign({
      iss: `https://sts.windows.net/${TID}/`,
      aud: `api://${API}`,
      appid: CLIENT,
      tid: TID,
      ver: '1.0',
      scp: 'access_as_user',
    });
    expect(
      profileToken({ iss: `https://sts.windows.net/${TID}/`, ver: '1.0', scp: 'x', tid: TID, appid: CLIENT }),
    ).toMatchObject({ idp: 'entra', version: '1.0', kind: 'access' });
    const p = await predictAuthorizer(tok, { discoveryUrl: v2.discoveryUrl }, deps);
    expect(p.verdict!.claim).toBe('iss');
    expect(p.verdict!.why).toContain('this is an Entra v1 token');
    expect(p.verdict!.fix).toContain('"accessTokenAcceptedVersion": 2');
    expect(p.verdict!.fix).toContain(`https://login.microsoftonline.com/${TID}/.well-known/openid-configuration`);
  });

  it('a v2 token against the v1 discovery URL: use the v2.0 URL', async () => {
    const tok = await v1.sign({
      iss: `https://login.microsoftonline.com/${TID}/v2.0`,
      aud: API,
      azp: CLIENT,
      tid: TID,
      ver: '2.0',
      scp: 'access_as_user',
    });
    const p = await predictAuthorizer(tok, { discoveryUrl: v1.discoveryUrl }, deps);
    expect(p.verdict!.fix).toBe(
      `use discoveryUrl https://login.microsoftonline.com/${TID}/v2.0/.well-known/openid-configuration`,
    );
  });

  it(
    'allowedClients never matches Entra tokens (azp / appid): use allowedAudience or a custom ' + 'claim on azp',
    async () => {
      const tok = await v2.sign({ iss: v2.issuer, aud: API, azp: CLIENT, tid: TID, ver: '2.0', scp: 'access_as_user' });
      const p = await predictAuthorizer(tok, { discoveryUrl: v2.discoveryUrl, allowedClients: [CLIENT] }, deps);
      expect(fails(p)).toEqual(['client_id']);
      expect(p.verdict!.why).toBe(`Entra tokens name the client in azp (${CLIENT}), never in client_id`);
      expect(p.verdict!.fix).toBe(
        `configure allowedAudience=[${API}] instead of allowedClients, or a custom claim rule azp:EQUALS:${CLIENT}`,
      );
      const fixed = await predictAuthorizer(
        tok,
        {
          discoveryUrl: v2.discoveryUrl,
          allowedAudience: [API],
          customClaims: [parseCustomClaim(`azp:EQUALS:${CLIENT}`)],
        },
        deps,
      );
      expect(fixed.accepted).toBe(true);
    },
  );

  it('v2 tokens carry the GUID as aud, v1 the api:// URI; scp holds the bare scope name', async () => {
    const tok = await v2.sign({ iss: v2.issuer, aud: API, azp: CLIENT, tid: TID, ver: '2.0', scp: 'access_as_user' });
    const p = await predictAuthorizer(
      tok,
      {
        discoveryUrl: v2.discoveryUrl,
        allowedAudience: [`api://${API}`],
        allowedScopes: [`api://${API}/access_as_user`],
      },
      deps,
    );
    expect(fails(p)).toEqual(['aud', 'scope']);
    expect(p.verdict!.why).toContain(`allowedAudience has the other form api://${API}`);
    expect(p.verdict!.fix).toBe(`add ${API} to allowedAudience (keeping both forms accepts v1 and v2 tokens)`);
    expect(p.checks.find((c) => c.claim === 'scope')!.fix).toBe('list access_as_user in allowedScopes');
  });

  it('app-only tokens carry roles, not scp; Graph tokens are not for your API', async () => {
    const app = await v2.sign({
      iss: v2.issuer,
      aud: API,
      azp: CLIENT,
      tid: TID,
      ver: '2.0',
      roles: ['Agent.Invoke'],
      idtyp: 'app',
    });
    const p = await predictAuthorizer(app, { discoveryUrl: v2.discoveryUrl, allowedScopes: ['Agent.Invoke'] }, deps);
    expect(p.verdict!.fix).toBe('use a custom claim rule roles:CONTAINS:Agent.Invoke instead of allowedScopes');
    const graph = await v2.sign({
      iss: v2.issuer,
      aud: '00000003-0000-0000-c000-000000000000',
      azp: CLIENT,
      tid: TID,
      ver: '2.0',
      scp: 'User.Read',
    });
    const g = await predictAuthorizer(graph, { discoveryUrl: v2.discoveryUrl, allowedAudience: [API] }, deps);
    expect(g.verdict!.why).toContain('Microsoft Graph');
  });

  it("the multi-tenant discovery document's issuer is a template", async () => {
    const common = await startFakeIdp({
      path: '/common/v2.0',
      issuer: () => 'https://login.microsoftonline.com/{tenantid}/v2.0',
    });
    try {
      const tok = await common.sign(
        { iss: `https://login.microsoftonline.com/${TID}/v2.0`, aud: API, azp: CLIENT, tid: TID, ver: '2.0' },
        {},
      );
      const p = await predictAuthorizer(tok, { discoveryUrl: common.discoveryUrl }, deps);
      expect(p.verdict!.fix).toContain('tenant-specific discoveryUrl');
    } finally {
      await common.close();
    }
  });
});

describe('Okta and Auth0', () => {
  let okta: FakeIdp;
  let auth0: FakeIdp;
  beforeAll(async () => {
    okta = await startFakeIdp({ path: '/oauth2/default', issuer: () => 'https://dev-123.okta.com/oauth2/default' });
    auth0 = await startFakeIdp({ path: '', issuer: () => 'https://acme.us.auth0.com/' });
  });
  afterAll(() => Promise.all([okta.close(), auth0.close()]));

  it('Okta access tokens name the client in cid', async () => {
    const tok = await okta.sign({
      iss: okta.issuer,
      aud: 'api://default',
      cid: '0oa1b2c3',
      uid: '00u1',
      scp: ['agent.invoke'],
      sub: 'alice@example.com',
    });
    const p = await predictAuthorizer(
      tok,
      { discoveryUrl: okta.discoveryUrl, allowedClients: ['0oa1b2c3'], allowedScopes: ['agent.invoke'] },
      deps,
    );
    expect(fails(p)).toEqual(['client_id']);
    expect(p.verdict!.why).toBe('Okta access tokens name the client in cid (0oa1b2c3), not client_id');
    expect(p.verdict!.fix).toBe(
      'configure allowedAudience=[api://default] instead of allowedClients, or a custom claim rule cid:EQUALS:0oa1b2c3',
    );
  });

  it('Okta org authorization server access tokens get a warning', async () => {
    const org = await startFakeIdp({ path: '', issuer: () => 'https://dev-123.okta.com' });
    try {
      const tok = await org.sign({
        iss: org.issuer,
        aud: 'https://dev-123.okta.com',
        cid: '0oa1b2c3',
        scp: ['openid'],
      });
      const p = await predictAuthorizer(tok, { discoveryUrl: org.discoveryUrl }, deps);
      expect(p.accepted).toBe(true);
      expect(p.warnings).toEqual([
        'this access token comes from the Okta org authorization server (https://dev-123.okta.com), whose ' +
          "tokens are meant for Okta's own APIs; use a custom authorization server (…/oauth2/default) for " +
          'your agent',
      ]);
    } finally {
      await org.close();
    }
  });

  it(
    'Auth0: azp instead of client_id (unless rfc9068_profile), /userinfo-only audiences, trailing-slash ' + 'issuers',
    async () => {
      const tok = await auth0.sign({
        iss: auth0.issuer,
        aud: ['https://acme.us.auth0.com/userinfo'],
        azp: 'AbCdEf',
        gty: 'password',
        scope: 'openid',
      });
      const p = await predictAuthorizer(
        tok,
        { discoveryUrl: auth0.discoveryUrl, allowedAudience: ['https://api.acme.example'], allowedClients: ['AbCdEf'] },
        deps,
      );
      expect(fails(p)).toEqual(['aud', 'client_id']);
      expect(p.verdict!.why).toBe('the token is only for Auth0 /userinfo: it was requested without an audience');
      expect(p.verdict!.fix).toBe('request it with audience=https://api.acme.example (the API identifier in Auth0)');
      expect(p.checks.find((c) => c.claim === 'client_id')!.fix).toContain('rfc9068_profile');
      const noSlash = await auth0.sign({ iss: 'https://acme.us.auth0.com', azp: 'AbCdEf', gty: 'client-credentials' });
      const q = await predictAuthorizer(noSlash, { discoveryUrl: auth0.discoveryUrl }, deps);
      expect(q.verdict!.why).toContain('differ only by the trailing slash');
    },
  );
});
