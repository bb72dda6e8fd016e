/**
 * The demo's script: a smoke scenario over the local stack (each step is a real agentcore-auth command line) plus
 * the narration a newcomer reads before and after each step. The expectations keep the demo honest: if a flow stops
 * behaving as narrated, the demo fails instead of telling a story that is no longer true.
 */
import { METHOD_MISMATCH } from '../../wire.js';

export interface DemoValues {
  stackUrl: string;
  threeLoIssuer: string;
  region: string;
  poolId: string;
  appClientId: string;
  appClientSecret: string;
  alice: { username: string; password: string };
  bob: { username: string; password: string; newPassword: string };
  jwtAgentArn: string;
  sigv4AgentArn: string;
  workloadName: string;
  m2mProvider: string;
  m2mScopes: string[];
  threeLoProvider: string;
  threeLoScopes: string[];
  /** The seeded on-behalf-of provider (TOKEN_EXCHANGE, actor M2M). */
  oboProvider: string;
  oboScopes: string[];
  apiKeyProvider: string;
  /** The seeded gateway (JWT passthrough to a runtime target, an API-key target). */
  gatewayId: string;
  returnUrl: string;
  /** --open: the 3LO consent happens in the user's browser (longer timeout, real pages). */
  open: boolean;
}

export interface DemoStep {
  id: string;
  /** Starts a new part of the story. */
  chapter?: string;
  title: string;
  /** What is about to happen and why it matters. */
  before: string[];
  /** The scenario step: one command and its expectation. */
  step: Record<string, unknown>;
  /** What just happened, in words. */
  after: string[];
}

export function demoSteps(v: DemoValues): DemoStep[] {
  const payload = JSON.stringify({ prompt: 'Hello from agentcore-auth demo' });
  return [
    ...inboundSteps(v),
    ...invokeSteps(v, payload),
    ...mistakeSteps(v, payload),
    ...workloadSteps(v),
    ...vaultSteps(v),
    ...delegationSteps(v),
    ...onBehalfOfSteps(v),
    ...verifySteps(v),
    ...gatewaySteps(v),
  ];
}

/** The inbound chapter: sign in (and answer a temporary password's challenge). */
function inboundSteps(v: DemoValues): DemoStep[] {
  return [
    {
      id: 'login',
      chapter: 'Inbound auth: who may call your agent',
      title: 'Sign in to the user pool (Cognito USER_PASSWORD_AUTH)',
      before: [
        'An agent with an OAuth authorizer accepts a JWT from your identity provider. `login` gets one from Cognito:',
        'InitiateAuth with the user name and password; the app client has a secret, so it also sends SECRET_HASH.',
      ],
      step: {
        login: {
          'user-pool-id': v.poolId,
          'client-id': v.appClientId,
          'client-secret': v.appClientSecret,
          username: v.alice.username,
          password: v.alice.password,
          'save-as': 'demo',
        },
        expect: 'allow',
      },
      after: [
        'alice now has an access token, an ID token and a refresh token, cached as "demo": `--bearer demo` ' +
          'sends the access token.',
      ],
    },
    {
      id: 'login-temporary',
      title: 'A first sign-in with a temporary password (NEW_PASSWORD_REQUIRED)',
      before: [
        'Users created by an administrator start with a temporary password; Cognito answers the first sign-in with the',
        'NEW_PASSWORD_REQUIRED challenge instead of tokens. `--new-password` answers it (on a terminal, login asks).',
      ],
      step: {
        login: {
          'user-pool-id': v.poolId,
          'client-id': v.appClientId,
          'client-secret': v.appClientSecret,
          username: v.bob.username,
          password: v.bob.password,
          'new-password': v.bob.newPassword,
          cache: false,
        },
        expect: 'allow',
      },
      after: ['bob has chosen a permanent password and got his tokens in the same command.'],
    },
  ];
}

/** Calling the agent with the token (bearer) and with SigV4 + a user id. */
function invokeSteps(v: DemoValues, payload: string): DemoStep[] {
  return [
    {
      id: 'invoke-bearer',
      title: 'Invoke an OAuth agent with the bearer token',
      before: [
        "jwt_agent has a customJWTAuthorizer (discovery URL = the user pool, allowedClients = the pool's app clients).",
        'The call goes over HTTPS with `Authorization: Bearer <access token>`; no AWS credentials are involved.',
      ],
      step: { invoke: { agent: v.jwtAgentArn, payload, bearer: 'demo' }, expect: 'allow' },
      after: [
        'AgentCore checked the signature, issuer, expiry and client_id, then passed the request (and a ' +
          'workload token for alice) to the agent.',
      ],
    },
    {
      id: 'invoke-sigv4',
      title: 'Invoke an IAM agent with SigV4 and a user id',
      before: [
        'sigv4_agent has no JWT authorizer: callers sign with AWS credentials (SigV4). `--user-id` adds the',
        'X-Amzn-Bedrock-AgentCore-Runtime-User-Id header, so AgentCore can give the agent a workload token for ' +
          'that user.',
      ],
      step: { invoke: { agent: v.sigv4AgentArn, payload, 'user-id': v.alice.username }, expect: 'allow' },
      after: ['Same agent contract, the other inbound mode. An agent accepts exactly one of the two.'],
    },
  ];
}

/** The classic mistakes: the wrong auth mode, `explain`, an ID token where an access token belongs. */
function mistakeSteps(v: DemoValues, payload: string): DemoStep[] {
  return [
    {
      id: 'mistake-wrong-mode',
      chapter: 'The classic mistakes, reproduced and explained',
      title: 'Mistake 1: SigV4 to an agent that wants a bearer token',
      before: ['The same jwt_agent, called with SigV4 as for an IAM agent. It must be refused:'],
      step: { invoke: { agent: v.jwtAgentArn, payload, 'user-id': v.alice.username }, expect: 'deny' },
      after: [
        `403 "${METHOD_MISMATCH}": the agent was configured for OAuth and the request was signed with SigV4.`,
        'Fix: send a bearer token (--bearer / --bearer-token), or let `invoke --auth auto` read the agent ' +
          'configuration.',
      ],
    },
    {
      id: 'explain',
      title: 'Ask `explain` about an error message',
      before: ['Paste any AgentCore, Cognito or OAuth error message into `explain` to get its cause and fix:'],
      step: { explain: METHOD_MISMATCH, expect: 'allow' },
      after: ['`explain --list` shows every message it knows.'],
    },
    {
      id: 'mistake-id-token',
      title: 'Mistake 2: the ID token instead of the access token',
      before: [
        "Cognito issues two JWTs. The authorizer here checks allowedClients, which is the access token's client_id",
        'claim; the ID token has no client_id (it names the client in aud). Sending it is a very common 403:',
      ],
      step: { invoke: { agent: v.jwtAgentArn, payload, bearer: 'demo', 'id-token': true }, expect: 'deny' },
      after: [
        'Fix: send the access token (the default of --bearer). An authorizer with allowedAudience is the ' +
          'opposite case:',
        'Cognito access tokens carry no aud, so only ID tokens pass it.',
      ],
    },
  ];
}

/** Outbound, part one: workload access tokens, for a user id and for a JWT. */
function workloadSteps(v: DemoValues): DemoStep[] {
  return [
    {
      id: 'workload-user-id',
      chapter: 'Outbound auth: what your agent may call for the user',
      title: 'Workload access token for a user id',
      before: [
        'Inside AgentCore, an agent acts as a workload identity. Its workload access token, bound to a user, ' +
          'is what it',
        "exchanges for the user's tokens and keys. First way: bind it to a user id (GetWorkloadAccessTokenForUserId).",
      ],
      step: { exchange: { 'workload-name': v.workloadName, 'user-id': v.alice.username }, expect: 'allow' },
      after: ['This is what AgentCore Runtime does for you with the user-id header of a SigV4 call.'],
    },
    {
      id: 'workload-jwt',
      title: 'Workload access token for a user JWT',
      before: [
        "Second way: bind it to the user's JWT (GetWorkloadAccessTokenForJWT); AgentCore validates the token first.",
      ],
      step: { exchange: { 'workload-name': v.workloadName, bearer: 'demo' }, expect: 'allow' },
      after: ["This is what AgentCore Runtime does for you on a bearer call: the user is the JWT's subject."],
    },
  ];
}

/** Resource credentials from the token vault: an M2M token and an API key. */
function vaultSteps(v: DemoValues): DemoStep[] {
  return [
    {
      id: 'm2m',
      title: 'Machine-to-machine resource token (client credentials)',
      before: [
        'An OAuth2 credential provider in the token vault can fetch a token for the agent itself (M2M flow):',
        'the workload token is exchanged with GetResourceOauth2Token, no user consent involved.',
      ],
      step: {
        exchange: {
          'workload-name': v.workloadName,
          provider: v.m2mProvider,
          flow: 'm2m',
          scopes: v.m2mScopes.join(','),
        },
        expect: 'allow',
      },
      after: [
        "The resource token came from the provider's token endpoint, through AgentCore; your code never saw " +
          'the client secret.',
      ],
    },
    {
      id: 'api-key',
      title: 'API key from the token vault',
      before: [
        'API-key credential providers hold a key for a third-party API; GetResourceApiKey returns it to the workload.',
      ],
      step: {
        exchange: {
          'workload-name': v.workloadName,
          'user-id': v.alice.username,
          'api-key-provider': v.apiKeyProvider,
        },
        expect: 'allow',
      },
      after: ['Only its fingerprint is shown: `--print api-key` writes the key itself to stdout.'],
    },
  ];
}

/** Outbound, part two: 3LO consent, and the session binding rule. */
function delegationSteps(v: DemoValues): DemoStep[] {
  return [
    {
      id: 'three-legged',
      title: v.open
        ? '3LO: the user consents in your browser'
        : '3LO: user consent through the loopback return URL (auto-consent)',
      before: [
        "USER_FEDERATION: the agent needs the user's own token at a third-party service, so the user must consent.",
        'GetResourceOauth2Token answers with an authorization URL; after consent the browser comes back to the ' +
          'return URL',
        '(served here on loopback), which calls CompleteResourceTokenAuth; then the token is fetched.',
        v.open
          ? 'Your browser opens now: sign in with any name and accept.'
          : 'The local provider consents by itself here (auto-consent); run `agentcore-auth demo --open` to ' +
            'click through it.',
      ],
      step: {
        exchange: aliceThreeLo(v),
        ...(v.open ? { timeout: '200s' } : {}),
        expect: 'allow',
      },
      after: [
        'The token is now in the vault for alice: the next request for the same scopes returns it without a consent.',
      ],
    },
    {
      id: 'session-binding',
      title: 'Session binding: only the user who started a consent may complete it',
      before: [
        'CompleteResourceTokenAuth must name the same user as the workload token that started the session; otherwise a',
        'link sent to someone else could attach their account to yours. Completing alice\'s consent as "mallory":',
        ...(v.open ? ['Your browser opens once more: accept again (a new consent is forced).'] : []),
      ],
      step: {
        exchange: { ...aliceThreeLo(v), 'force-auth': true, 'complete-as-user-id': 'mallory' },
        ...(v.open ? { timeout: '200s' } : {}),
        expect: 'deny',
      },
      after: ['Refused: the return URL handler must complete the session as the user who started it.'],
    },
  ];
}

/** On-behalf-of: the provider exchanges the user's JWT for a token naming the user and the agent. */
function onBehalfOfSteps(v: DemoValues): DemoStep[] {
  return [
    {
      id: 'on-behalf-of',
      title: "On-behalf-of: the user's JWT exchanged for an API token, no consent screen",
      before: [
        "ON_BEHALF_OF_TOKEN_EXCHANGE: the provider trusts the user's JWT itself. The workload token carries " +
          "alice's JWT",
        '(GetWorkloadAccessTokenForJWT); AgentCore sends it to the provider as the RFC 8693 subject_token, with a',
        "client-credentials token of the agent's client as the actor. The last line shows that call, as " +
          'AgentCore makes it.',
      ],
      step: {
        exchange: {
          'workload-name': v.workloadName,
          bearer: 'demo',
          flow: 'on-behalf-of',
          provider: v.oboProvider,
          scopes: v.oboScopes.join(','),
        },
        expect: 'allow',
      },
      after: [
        "The provider's token names alice as its subject (sub) and the agent as the actor (act): an API can tell who",
        'asked and who acts for them. A workload token for a user id cannot do this: it carries no JWT to exchange.',
      ],
    },
  ];
}

/** Checking a token before shipping it: the access token, then the ID token. */
function verifySteps(v: DemoValues): DemoStep[] {
  return [
    {
      id: 'verify',
      chapter: 'Check a token before you ship',
      title: "Predict the authorizer's verdict",
      before: [
        "`verify` reads the agent's authorizer (GetAgentRuntime) and checks the token claim by claim, as " +
          'AgentCore would:',
      ],
      step: { verify: { bearer: 'demo', 'agent-arn': v.jwtAgentArn }, expect: 'allow' },
      after: ['Run it in CI, or whenever a 401/403 surprises you.'],
    },
    {
      id: 'verify-id-token',
      title: '…and the same check on the ID token',
      before: ['The ID token from mistake 2, checked the same way; verify says which claim fails:'],
      step: { verify: { bearer: 'demo', 'id-token': true, 'agent-arn': v.jwtAgentArn }, expect: 'deny' },
      after: ['Rejected on client_id, as the agent did in mistake 2.'],
    },
  ];
}

/** The gateway chapter: what reaches a target behind it — the caller's own token, or an API key from the vault. */
function gatewaySteps(v: DemoValues): DemoStep[] {
  return [
    {
      id: 'gateway-jwt-passthrough',
      chapter: 'The Gateway: what reaches your tools',
      title: "JWT passthrough: the caller's own token, to a runtime behind the gateway",
      before: [
        'A gateway checks the caller (here its JWT authorizer), then calls the target with its own outbound ' +
          'credential.',
        "Its `agent` target is jwt_agent with JWT_PASSTHROUGH: the gateway forwards the caller's token unmodified,",
        'so the runtime checks the very same token again. `invoke --gateway-id … --target agent` calls it by path.',
      ],
      step: {
        invoke: {
          'gateway-id': v.gatewayId,
          target: 'agent',
          payload: JSON.stringify({ action: 'whoami' }),
          bearer: 'demo',
        },
        expect: 'allow',
      },
      after: [
        'The agent answered as alice: the token that reached it is the one you sent. Passthrough is for trying things',
        'out; in production prefer a token exchange (on-behalf-of), so the target gets a token meant for it.',
      ],
    },
    {
      id: 'gateway-api-key',
      title: 'An API-key target: the key from the token vault, never from the caller',
      before: [
        'The `keyed` target has an API_KEY credential provider: for each call the gateway fetches the key with its own',
        'workload identity (GetResourceApiKey) and puts it in the x-api-key header. The caller never sees it.',
      ],
      step: {
        mcp: { 'gateway-id': v.gatewayId, bearer: 'demo', call: 'keyed___inspect' },
        expect: { contains: 'in x-api-key, and no Authorization header' },
      },
      after: [
        "The target got the key (shown by its fingerprint) and no Authorization header: a gateway passes the caller's",
        'token on only by JWT_PASSTHROUGH or an interceptor. `--diagram` draws who sent what to whom.',
      ],
    },
  ];
}

/** The scenario the runner runs: what a `smoke` file holds, built in code (core/smoke/parse.ts scenarioFromValue). */
export function demoScenario(steps: DemoStep[]): Record<string, unknown> {
  return { name: 'agentcore-auth demo', steps: steps.map((s) => ({ id: s.id, ...s.step })) };
}

/** alice's 3LO exchange through the loopback return URL (registered for the run and removed afterwards). */
function aliceThreeLo(v: DemoValues): Record<string, string | number | boolean> {
  return {
    'workload-name': v.workloadName,
    'user-id': v.alice.username,
    provider: v.threeLoProvider,
    flow: 'user-federation',
    scopes: v.threeLoScopes.join(','),
    'return-url': v.returnUrl,
    'register-return-url': true,
    ephemeral: true,
    'poll-interval': 50,
    timeout: v.open ? 180 : 15,
  };
}
