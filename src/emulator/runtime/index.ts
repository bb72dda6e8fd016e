/**
 * Runtime half of the local stack: InvokeAgentRuntime (SigV4 or bearer, exactly as the SDK and curl send it),
 * StopRuntimeSession, the protected-resource metadata of JWT agents, and the control plane's GetAgentRuntime /
 * ListAgentRuntimes. Each agent accepts one inbound mode; a passing request is forwarded to the agent by the AgentCore
 * container contract (forward.ts) and the answer streamed back.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { HEADERS, LIMITS, MESSAGES, PATTERNS, SIGNING_NAME } from '../../wire.js';
import type { EmuRequest, Handler } from '../server.js';
import { createJwtAuthorizer, type JwtAuthorizer } from './jwt-authorizer.js';
import { runtimeArn, workloadIdentityArn, type AgentConfig, type CustomJwtAuthorizer } from './config.js';
import {
  header,
  inboundCredential,
  sendAwsError,
  sendJson,
  sendUnauthorized,
  WatCache,
  type MintInput,
  type RuntimeHalfDeps,
} from './deps.js';
import { forwardInProcess, forwardToAgent, type ForwardInput } from './forward.js';
import { memo } from '../token-map.js';

export type { RuntimeHalfDeps } from './deps.js';

export const MCP_ACCEPT_MESSAGE =
  'Accept Header Error - MCP protocol requires Accept header: application/json, text/event-stream';

/** Sessions idle longer than this are forgotten (AgentCore's default idleRuntimeSessionTimeout). */
const IDLE_SESSION_MS = 900_000;
const MAX_SESSIONS = 10_000;
const PREFIX = '/runtimes/';

export interface RuntimeHandler extends Handler {
  agents: AgentConfig[];
  authorizer: JwtAuthorizer;
}

interface Target {
  agent: AgentConfig;
  arn: string;
  qualifier: string;
}

export function createRuntimeHandler(deps: RuntimeHalfDeps): RuntimeHandler {
  const agents = deps.agents;
  const authorizer = deps.authorizer ?? createJwtAuthorizer(deps.fetch ? { fetch: deps.fetch } : {});
  const wats = new WatCache();
  /** agent id → session id → last use (least recently used first); `sessionCount` across agents, bounded. */
  const sessions = new Map<string, Map<string, number>>();
  let sessionCount = 0;
  const createdAt = new Date().toISOString();
  const byId = new Map(agents.map((a) => [a.id, a]));
  /** Parsed query strings and decoded path labels, by raw text (callers repeat the same few); read-only, bounded. */
  const queryOf = memo((raw) => new URLSearchParams(raw), 256);
  /** undefined: not valid percent-encoding. */
  const labelOf = memo((raw): string | undefined => {
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }, 256);

  const discoveryOf = (cfg: CustomJwtAuthorizer) => cfg.discoveryUrl ?? deps.userPool.discoveryUrl;
  /**
   * Each JWT agent's authorizer settings with the discovery URL in effect, built once per settings object (not per
   * request). Keyed by that object, not by the agent: an agent's authorizerConfiguration can be replaced while the
   * stack runs (test/cli/setup-local-stack.test.ts gives a runtime the authorizer `setup` printed).
   */
  type EffectiveJwt = CustomJwtAuthorizer & { discoveryUrl: string };
  const effective = new WeakMap<CustomJwtAuthorizer, EffectiveJwt>();
  const effectiveJwt = (a: AgentConfig): EffectiveJwt | undefined => {
    const jwt = a.authorizerConfiguration?.customJWTAuthorizer;
    if (!jwt) return undefined;
    let e = effective.get(jwt);
    if (!e) effective.set(jwt, (e = { ...jwt, discoveryUrl: discoveryOf(jwt) }));
    return e;
  };
  const arnOf = (a: AgentConfig) => runtimeArn(deps.region, deps.accountId, a.id);
  const metadataUrl = (t: Target) =>
    `${deps.baseUrl}/runtimes/${encodeURIComponent(t.arn)}/invocations/.well-known/oauth-protected-resource?qualifier=${encodeURIComponent(t.qualifier)}`;

  function touchSession(agent: AgentConfig, sessionId: string): void {
    let m = sessions.get(agent.id);
    if (!m) sessions.set(agent.id, (m = new Map()));
    if (m.delete(sessionId)) sessionCount--;
    m.set(sessionId, Date.now());
    if (++sessionCount > MAX_SESSIONS) {
      // Over the bound: forget the least recently used session of the agent with the most.
      let biggest = m;
      for (const x of sessions.values()) if (x.size > biggest.size) biggest = x;
      biggest.delete(biggest.keys().next().value!);
      sessionCount--;
    }
  }

  function forgetSession(agent: AgentConfig, sessionId: string): void {
    if (sessions.get(agent.id)?.delete(sessionId)) sessionCount--;
  }

  function sessionAlive(agent: AgentConfig, sessionId: string): boolean {
    const t = sessions.get(agent.id)?.get(sessionId);
    return t !== undefined && Date.now() - t < IDLE_SESSION_MS;
  }

  /** Path label (ARN or id) + query → the agent, or an error already sent. */
  function resolveTarget(req: EmuRequest, res: ServerResponse, label: string): Target | undefined {
    const query = queryOf(req.rawQuery);
    const qualifier = query.get('qualifier') ?? 'DEFAULT';
    let id: string | undefined;
    let arn: string;
    const m = PATTERNS.runtimeArn.exec(label);
    if (m) {
      arn = label;
      if (m[1] === deps.region && m[2] === deps.accountId) id = m[3];
    } else if (PATTERNS.runtimeId.test(label)) {
      const accountId = query.get('accountId');
      if (!accountId) {
        sendAwsError(
          res,
          400,
          'ValidationException',
          'accountId is required when agentRuntimeArn is a runtime ID rather than an ARN',
        );
        return undefined;
      }
      if (!PATTERNS.accountId.test(accountId)) {
        sendAwsError(
          res,
          400,
          'ValidationException',
          "Value at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{12}",
        );
        return undefined;
      }
      arn = runtimeArn(deps.region, accountId, label);
      if (accountId === deps.accountId) id = label;
    } else {
      sendAwsError(
        res,
        400,
        'ValidationException',
        `${JSON.stringify(label)} is not a runtime ARN (arn:aws:bedrock-agentcore:<region>:<account>:runtime/<id>) or runtime ID (<name>-<10 characters>)`,
      );
      return undefined;
    }
    const agent = id ? byId.get(id) : undefined;
    if (!agent) {
      sendAwsError(
        res,
        404,
        'ResourceNotFoundException',
        `No agent runtime ${arn} in this local stack (agents: ${agents.map((a) => a.id).join(', ')})`,
      );
      return undefined;
    }
    if (qualifier !== 'DEFAULT') {
      sendAwsError(
        res,
        404,
        'ResourceNotFoundException',
        `No endpoint named '${qualifier}' for agent runtime ${arn} (the local stack serves DEFAULT)`,
      );
      return undefined;
    }
    return { agent, arn: arnOf(agent), qualifier };
  }

  type Caller = { mode: 'sigv4'; userId?: string } | { mode: 'jwt'; token: string; exp?: number; sub?: string };

  /** Inbound auth for one request; undefined when a response was already sent. */
  async function authenticate(req: EmuRequest, res: ServerResponse, t: Target): Promise<Caller | undefined> {
    const cred = inboundCredential(req.headers);
    const jwt = effectiveJwt(t.agent);
    if (jwt) {
      if (cred.kind === 'sigv4') {
        sendAwsError(res, 403, 'AccessDeniedException', MESSAGES.methodMismatch);
        return undefined;
      }
      const challenge = () => `Bearer resource_metadata="${metadataUrl(t)}"`;
      if (cred.kind === 'none') {
        sendUnauthorized(res, MESSAGES.missingAuthToken, challenge());
        return undefined;
      }
      const verdict = await authorizer.authorize(cred.kind === 'bearer' ? cred.token : undefined, jwt);
      if (!verdict.ok) {
        if (verdict.status === 401) sendUnauthorized(res, verdict.message, challenge());
        else if (verdict.status === 403) sendAwsError(res, 403, 'AccessDeniedException', verdict.message);
        else sendAwsError(res, 500, 'InternalServerException', verdict.message);
        return undefined;
      }
      const { exp, sub } = verdict.claims;
      return {
        mode: 'jwt',
        token: verdict.token,
        ...(exp ? { exp } : {}),
        ...(typeof sub === 'string' ? { sub } : {}),
      };
    }
    if (cred.kind === 'bearer') {
      sendAwsError(res, 403, 'AccessDeniedException', MESSAGES.methodMismatch);
      return undefined;
    }
    const v = await deps.verifySigV4(req, SIGNING_NAME.agentcore);
    if (!v.ok) {
      sendAwsError(res, v.status, v.type, v.message);
      return undefined;
    }
    const userId = header(req.headers, HEADERS.userId);
    return userId === undefined ? { mode: 'sigv4' } : { mode: 'sigv4', userId };
  }

  function validate(
    req: EmuRequest,
    res: ServerResponse,
    caller: Caller,
    requireSession: boolean,
  ): string | undefined | false {
    const sessionId = header(req.headers, HEADERS.sessionId);
    const fail = (m: string) => (
      sendAwsError(res, 400, 'ValidationException', m, { reason: 'FieldValidationFailed' }), false as const
    );
    if (sessionId === undefined)
      return requireSession
        ? fail("Value at 'runtimeSessionId' failed to satisfy constraint: Member must not be null")
        : undefined;
    if (sessionId.length < LIMITS.sessionIdMin) return fail(MESSAGES.sessionIdTooShort);
    if (sessionId.length > LIMITS.sessionIdMax)
      return fail(
        `Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length less than or equal to ${LIMITS.sessionIdMax}`,
      );
    if (caller.mode === 'sigv4' && caller.userId !== undefined) {
      if (caller.userId.length < LIMITS.userIdMin)
        return fail(
          "Value at 'runtimeUserId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      if (caller.userId.length > LIMITS.userIdMax)
        return fail(
          `Value at 'runtimeUserId' failed to satisfy constraint: Member must have length less than or equal to ${LIMITS.userIdMax}`,
        );
    }
    return sessionId;
  }

  async function invoke(req: EmuRequest, res: ServerResponse, t: Target): Promise<void> {
    const caller = await authenticate(req, res, t);
    if (!caller) return;
    const v = validate(req, res, caller, false);
    if (v === false) return;
    const sessionId = v ?? randomUUID();
    if (t.agent.protocol === 'MCP') {
      // MCP-protocol runtimes insist on the streamable-HTTP Accept header (agentcore-errors.md §3).
      const accept = header(req.headers, 'accept') ?? '';
      if (!/application\/json/i.test(accept) || !/text\/event-stream/i.test(accept)) {
        let id: unknown = null;
        try {
          id = (JSON.parse(req.body.toString('utf8')) as { id?: unknown }).id ?? null;
        } catch {
          /* not JSON-RPC: id null */
        }
        sendJson(
          res,
          406,
          { jsonrpc: '2.0', error: { code: -32011, message: MCP_ACCEPT_MESSAGE }, id },
          { 'x-amzn-errortype': 'McpRequestUnacceptableException' },
        );
        return;
      }
    }
    // A user id next to a bearer token is ignored (AgentCore logs a warning); a SigV4 call without one gets no WAT.
    let mint: MintInput | undefined;
    if (caller.mode === 'jwt') mint = { workloadName: t.agent.workloadName, userToken: caller.token };
    else if (caller.userId !== undefined) mint = { workloadName: t.agent.workloadName, userId: caller.userId };
    const wat = mint
      ? (wats.peek(mint) ??
        (await wats.get(
          mint,
          (i) => deps.mintWorkloadAccessToken(i),
          caller.mode === 'jwt' && caller.exp ? caller.exp * 1000 : undefined,
        )))
      : undefined;
    touchSession(t.agent, sessionId);
    const requestId = String(res.getHeader(HEADERS.amznRequestId) ?? randomUUID());
    const inProcess = !t.agent.agentUrl && deps.sampleAgent;
    const agentUrl = inProcess ? (deps.sampleAgentUrl ?? 'in-process') : (t.agent.agentUrl ?? deps.sampleAgentUrl);
    if (!agentUrl) {
      sendAwsError(
        res,
        424,
        'RuntimeClientError',
        `Agent ${t.agent.name} has no container: set agentUrl in the config or --agent-url`,
      );
      return;
    }
    const forward: ForwardInput = {
      req,
      res,
      agent: t.agent,
      agentUrl,
      sessionId,
      requestId,
      workloadAccessToken: wat,
    };
    if (deps.log) forward.log = deps.log;
    if (inProcess) await forwardInProcess(forward, inProcess);
    else await forwardToAgent(forward);
  }

  async function stopSession(req: EmuRequest, res: ServerResponse, t: Target): Promise<void> {
    const caller = await authenticate(req, res, t);
    if (!caller) return;
    const sessionId = validate(req, res, caller, true);
    if (sessionId === false || sessionId === undefined) return;
    if (!sessionAlive(t.agent, sessionId)) {
      sendAwsError(res, 404, 'ResourceNotFoundException', `No active session ${sessionId} for agent runtime ${t.arn}`);
      return;
    }
    forgetSession(t.agent, sessionId);
    sendJson(res, 200, {}, { [HEADERS.sessionId]: sessionId });
  }

  async function protectedResource(res: ServerResponse, t: Target): Promise<void> {
    const jwt = t.agent.authorizerConfiguration?.customJWTAuthorizer;
    if (!jwt) {
      sendAwsError(
        res,
        404,
        'ResourceNotFoundException',
        `Agent runtime ${t.arn} uses IAM (SigV4) inbound auth; it has no OAuth protected-resource metadata`,
      );
      return;
    }
    let issuer: string;
    try {
      issuer = await authorizer.issuerOf(discoveryOf(jwt));
    } catch (e) {
      sendAwsError(res, 500, 'InternalServerException', `Could not read ${discoveryOf(jwt)}: ${(e as Error).message}`);
      return;
    }
    sendJson(res, 200, {
      resource: `${deps.baseUrl}/runtimes/${encodeURIComponent(t.arn)}/invocations?qualifier=${encodeURIComponent(t.qualifier)}`,
      authorization_servers: [issuer],
      ...(jwt.allowedScopes ? { scopes_supported: jwt.allowedScopes } : {}),
    });
  }

  function describe(a: AgentConfig): Record<string, unknown> {
    const jwt = a.authorizerConfiguration?.customJWTAuthorizer;
    return {
      agentRuntimeArn: arnOf(a),
      agentRuntimeName: a.name,
      agentRuntimeId: a.id,
      agentRuntimeVersion: '1',
      createdAt,
      lastUpdatedAt: createdAt,
      roleArn: `arn:aws:iam::${deps.accountId}:role/AgentCoreLocalRuntimeRole`,
      networkConfiguration: { networkMode: 'PUBLIC' },
      status: 'READY',
      lifecycleConfiguration: { idleRuntimeSessionTimeout: IDLE_SESSION_MS / 1000, maxLifetime: 28800 },
      ...(a.description ? { description: a.description } : {}),
      workloadIdentityDetails: {
        workloadIdentityArn: workloadIdentityArn(deps.region, deps.accountId, a.workloadName),
      },
      agentRuntimeArtifact: {
        containerConfiguration: {
          containerUri:
            a.agentUrl ?? `${deps.accountId}.dkr.ecr.${deps.region}.amazonaws.com/agentcore-local/sample-agent:latest`,
        },
      },
      protocolConfiguration: { serverProtocol: a.protocol },
      ...(jwt ? { authorizerConfiguration: { customJWTAuthorizer: { ...jwt, discoveryUrl: discoveryOf(jwt) } } } : {}),
      ...(a.requestHeaderAllowlist.length
        ? { requestHeaderConfiguration: { requestHeaderAllowlist: a.requestHeaderAllowlist } }
        : {}),
    };
  }

  async function controlAuth(req: EmuRequest, res: ServerResponse): Promise<boolean> {
    const v = await deps.verifySigV4(req, SIGNING_NAME.agentcore);
    if (!v.ok) sendAwsError(res, v.status, v.type, v.message);
    return v.ok;
  }

  const handler = (async (req: EmuRequest, res: ServerResponse): Promise<boolean> => {
    const p = req.rawPath;
    if (!p.startsWith(PREFIX)) return false;
    // '/runtimes/<label>[/<rest>]'; the label percent-decoded (memoised: callers repeat the same few).
    const slash = p.indexOf('/', PREFIX.length);
    const rawLabel = slash < 0 ? p.slice(PREFIX.length) : p.slice(PREFIX.length, slash);
    const rest = slash < 0 ? '' : p.slice(slash + 1);
    const label = labelOf(rawLabel);
    if (label === undefined) return false;
    if (req.method === 'POST' && p === '/runtimes/') {
      if (!(await controlAuth(req, res))) return true;
      sendJson(res, 200, {
        agentRuntimes: agents.map((a) => ({
          agentRuntimeArn: arnOf(a),
          agentRuntimeId: a.id,
          agentRuntimeVersion: '1',
          agentRuntimeName: a.name,
          description: a.description ?? '',
          lastUpdatedAt: createdAt,
          status: 'READY',
        })),
      });
      return true;
    }
    if (req.method === 'GET' && rest === '' && slash >= 0 && label) {
      if (!(await controlAuth(req, res))) return true;
      const a = byId.get(label);
      if (!a) sendAwsError(res, 404, 'ResourceNotFoundException', `Agent runtime ${label} not found`);
      else sendJson(res, 200, describe(a));
      return true;
    }
    if (req.method === 'POST' && rest === 'invocations') {
      const t = resolveTarget(req, res, label);
      if (t) await invoke(req, res, t);
      return true;
    }
    if (req.method === 'POST' && rest === 'stopruntimesession') {
      const t = resolveTarget(req, res, label);
      if (t) await stopSession(req, res, t);
      return true;
    }
    if (req.method === 'GET' && rest === 'invocations/.well-known/oauth-protected-resource') {
      const t = resolveTarget(req, res, label);
      if (t) await protectedResource(res, t);
      return true;
    }
    if (/^arn(:|%3A)/i.test(rawLabel) && /\/invocations$/.test(p) && !p.includes('%2F') && !p.includes('%2f')) {
      sendAwsError(
        res,
        404,
        'UnknownOperationException',
        'The runtime ARN in the path must be percent-encoded (encodeURIComponent: ":" → %3A, "/" → %2F)',
      );
      return true;
    }
    return false;
  }) as RuntimeHandler;
  handler.owns = (rawPath) => rawPath.startsWith('/runtimes/');
  handler.agents = agents;
  handler.authorizer = authorizer;
  return handler;
}
