/**
 * Gateway half of the local stack: the MCP endpoint `/gateways/{gatewayId}/mcp` (streamable HTTP, JSON-RPC answered
 * as JSON), CUSTOM_JWT inbound auth (the same authorizer as the runtime), and two kinds of targets:
 *   oauth3lo  outbound OAuth 3LO: tools/call gets the user's provider token from the token vault
 *             (GetResourceOauth2Token USER_FEDERATION with a workload token minted for the caller's JWT) and answers
 *             the -32042 URL elicitation until the session is bound (CompleteResourceTokenAuth with that same JWT)
 *   echo      reports which token and headers reached the target (fingerprints only); with the
 *             pass-caller-token REQUEST interceptor the caller's token arrives there, without it nothing does
 * Plus GET /gateways/{id}/.well-known/oauth-protected-resource and the control plane's GetGateway / ListGateways.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { MCP_URL_ELICITATION_CODE, MESSAGES, SIGNING_NAME } from '../../wire.js';
import { agentcoreSdk } from '../../sdk.js';
import type { EmuRequest, Handler } from '../server.js';
import { createJwtAuthorizer, fingerprint, type JwtAuthorizer } from '../runtime/jwt-authorizer.js';
import { gatewayArn, workloadIdentityArn, type GatewayConfig, type GatewayTarget } from '../runtime/config.js';
import { header, inboundCredential, sendAwsError, sendJson, WatCache, type RuntimeHalfDeps } from '../runtime/deps.js';
import { buildInterceptorInput, passCallerToken } from './interceptor.js';

export const MCP_SUPPORTED_VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
const LATEST = '2025-11-25';
const MAX_SESSIONS = 10_000;
/** Gateway tool names are `<target>___<tool>`. */
const SEP = '___';
export const ELICITATION_MESSAGE = 'This request requires more information.';
export const ELICITATION_ITEM_MESSAGE = 'Please login to this URL for authorization.';
const META_KEY = 'aws.bedrock-agentcore.gateway/credentialProviderConfiguration';

type JsonRpcId = string | number | null;
interface JsonRpcRequest {
  jsonrpc?: string;
  id?: JsonRpcId;
  method?: unknown;
  params?: Record<string, unknown>;
}

export interface GatewayHandler extends Handler {
  gateways: GatewayConfig[];
}

type Sdk = typeof import('@aws-sdk/client-bedrock-agentcore');

function toolsOf(t: GatewayTarget): Array<{ name: string; description: string; inputSchema: Record<string, unknown> }> {
  if (t.kind === 'oauth3lo')
    return [
      {
        name: `${t.name}${SEP}whoami`,
        description:
          `Calls ${t.providerName} as the signed-in user (OAuth 3LO through the token vault); ` +
          `answers with who the provider token is for and its fingerprint. Needs consent once (URL elicitation).`,
        inputSchema: { type: 'object', properties: {} },
      },
    ];
  return [
    {
      name: `${t.name}${SEP}inspect`,
      description: 'Reports which token and headers reached this target (fingerprints only, never values).',
      inputSchema: { type: 'object', properties: { note: { type: 'string', description: 'Echoed back' } } },
    },
  ];
}

function decodeClaims(token: string): Record<string, unknown> | undefined {
  try {
    const part = token.split('.')[1];
    return part ? (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createGatewayHandler(deps: RuntimeHalfDeps): GatewayHandler {
  const gateways = deps.gateways;
  const byId = new Map(gateways.map((g) => [g.id, g]));
  const authorizer: JwtAuthorizer = deps.authorizer ?? createJwtAuthorizer(deps.fetch ? { fetch: deps.fetch } : {});
  const sessions = new Map<string, string>(); // Mcp-Session-Id → gateway id
  const wats = new WatCache();
  const createdAt = new Date().toISOString();
  let sdk: Promise<{ mod: Sdk; client: InstanceType<Sdk['BedrockAgentCoreClient']> }> | undefined;

  const base = (g: GatewayConfig) => `${deps.baseUrl}/gateways/${g.id}`;
  const discoveryOf = (g: GatewayConfig) =>
    g.authorizerConfiguration.customJWTAuthorizer.discoveryUrl ?? deps.userPool.discoveryUrl;
  const metadataUrl = (g: GatewayConfig) => `${base(g)}/.well-known/oauth-protected-resource`;

  function dataPlane() {
    sdk ??= Promise.resolve(agentcoreSdk()).then((mod) => ({
      mod,
      client: new mod.BedrockAgentCoreClient({
        endpoint: deps.baseUrl,
        region: deps.region,
        credentials: deps.credentials ?? { accessKeyId: 'missing', secretAccessKey: 'missing' },
        maxAttempts: 1,
      }),
    }));
    return sdk;
  }

  function challenge(g: GatewayConfig, error?: 'invalid_token' | 'insufficient_scope'): string {
    const scopes = g.authorizerConfiguration.customJWTAuthorizer.allowedScopes;
    const parts = [
      ...(error ? [`error="${error}"`] : []),
      ...(scopes ? [`scope="${scopes.join(' ')}"`] : []),
      `resource_metadata="${metadataUrl(g)}"`,
    ];
    return `Bearer ${parts.join(', ')}`;
  }

  function rpcError(
    res: ServerResponse,
    status: number,
    id: JsonRpcId | undefined,
    code: number,
    message: string,
    data?: unknown,
    headers: Record<string, string> = {},
  ): void {
    sendJson(
      res,
      status,
      { jsonrpc: '2.0', id: id ?? null, error: { code, message, ...(data !== undefined ? { data } : {}) } },
      headers,
    );
  }

  /** Inbound CUSTOM_JWT; returns the verified token or undefined (response sent). */
  async function authenticate(
    req: EmuRequest,
    res: ServerResponse,
    g: GatewayConfig,
    id: JsonRpcId | undefined,
  ): Promise<string | undefined> {
    const cred = inboundCredential(req.headers);
    if (cred.kind !== 'bearer') {
      rpcError(res, 401, id, -32001, MESSAGES.missingAuthToken, undefined, { 'www-authenticate': challenge(g) });
      return undefined;
    }
    const v = await authorizer.authorize(cred.token, {
      ...g.authorizerConfiguration.customJWTAuthorizer,
      discoveryUrl: discoveryOf(g),
    });
    if (v.ok) return cred.token;
    if (v.reason === 'scope')
      rpcError(res, 403, id, -32002, 'insufficient_scope', undefined, {
        'www-authenticate': challenge(g, 'insufficient_scope'),
      });
    else if (v.status === 500) rpcError(res, 500, id, -32603, v.message);
    else
      rpcError(res, v.status, id, v.status === 403 ? -32002 : -32001, v.message, undefined, {
        'www-authenticate': challenge(g, 'invalid_token'),
      });
    return undefined;
  }

  async function callOauthTarget(
    g: GatewayConfig,
    t: Extract<GatewayTarget, { kind: 'oauth3lo' }>,
    userToken: string,
    params: Record<string, unknown>,
  ) {
    const meta = (params._meta as Record<string, any> | undefined)?.[META_KEY]?.oauthCredentialProvider as
      | { returnUrl?: string; forceAuthentication?: boolean }
      | undefined;
    const exp = decodeClaims(userToken)?.exp;
    const wat = await wats.get(
      { workloadName: g.workloadName, userToken },
      (i) => deps.mintWorkloadAccessToken(i),
      typeof exp === 'number' ? exp * 1000 : undefined,
    );
    const { mod, client } = await dataPlane();
    const returnUrl = meta?.returnUrl ?? t.defaultReturnUrl;
    try {
      const out = await client.send(
        new mod.GetResourceOauth2TokenCommand({
          workloadIdentityToken: wat,
          resourceCredentialProviderName: t.providerName,
          scopes: t.scopes,
          oauth2Flow: 'USER_FEDERATION',
          ...(returnUrl ? { resourceOauth2ReturnUrl: returnUrl } : {}),
          ...(meta?.forceAuthentication ? { forceAuthentication: true } : {}),
        }),
      );
      if (out.accessToken) {
        const claims = decodeClaims(out.accessToken);
        const who = typeof claims?.sub === 'string' ? claims.sub : undefined;
        const result = {
          provider: t.providerName,
          actingAs: who ?? null,
          tokenFingerprint: fingerprint(out.accessToken),
          scopes: t.scopes,
        };
        return {
          result: {
            content: [
              {
                type: 'text',
                text:
                  `Called ${t.providerName} as ${who ?? 'the signed-in user'} with the vault's token ` +
                  `(${result.tokenFingerprint}).`,
              },
            ],
            structuredContent: result,
            isError: false,
          },
        };
      }
      if (out.authorizationUrl) {
        return {
          error: {
            code: MCP_URL_ELICITATION_CODE,
            message: ELICITATION_MESSAGE,
            data: {
              elicitations: [
                {
                  mode: 'url',
                  elicitationId: randomUUID(),
                  url: out.authorizationUrl,
                  message: ELICITATION_ITEM_MESSAGE,
                },
              ],
            },
          },
        };
      }
      return {
        result: {
          content: [
            {
              type: 'text',
              text:
                `The token vault returned neither a token nor an authorization URL ` +
                `(sessionStatus ${out.sessionStatus ?? 'none'}).`,
            },
          ],
          isError: true,
        },
      };
    } catch (e) {
      const err = e as { name?: string; message?: string };
      return {
        result: {
          content: [
            {
              type: 'text',
              text: `${err.name ?? 'Error'}: ${err.message ?? String(e)} (outbound OAuth for target ${t.name})`,
            },
          ],
          isError: true,
        },
      };
    }
  }

  function callEchoTarget(
    g: GatewayConfig,
    t: GatewayTarget,
    callerToken: string,
    headers: Record<string, string>,
    args: Record<string, unknown>,
  ) {
    const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    const token = auth?.replace(/^bearer\s+/i, '');
    const sub = token ? decodeClaims(token)?.sub : undefined;
    const report = {
      target: t.name,
      interceptor: g.interceptors.length ? g.interceptors.map((i) => i.kind).join(', ') : null,
      authorization: token
        ? {
            received: true,
            fingerprint: fingerprint(token),
            sameAsCallerToken: token === callerToken,
            ...(typeof sub === 'string' ? { sub } : {}),
          }
        : {
            received: false,
            why:
              "the Gateway does not forward the caller's token to targets; a REQUEST interceptor with " +
              'passRequestHeaders must add it',
          },
      headers: Object.keys(headers).sort(),
      ...(args.note !== undefined ? { note: args.note } : {}),
    };
    const text = token
      ? `The target received a bearer ` +
        `token ${fingerprint(token)}` +
        (token === callerToken ? " — the caller's own token (passed through by the interceptor)" : '') +
        '.'
      : 'The target received no Authorization header.';
    return { result: { content: [{ type: 'text', text }], structuredContent: report, isError: false } };
  }

  async function toolsCall(
    g: GatewayConfig,
    msg: JsonRpcRequest,
    callerToken: string,
    req: EmuRequest,
  ): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
    const params = msg.params ?? {};
    const name = typeof params.name === 'string' ? params.name : '';
    const [targetName, tool] = name.split(SEP);
    const t = g.targets.find((x) => x.name === targetName);
    if (!t || !tool || !toolsOf(t).some((x) => x.name === name))
      return { error: { code: -32602, message: `Unknown tool: ${name}` } };
    // REQUEST interceptors see the request (and its headers when passRequestHeaders) and shape what the target gets.
    let targetHeaders: Record<string, string> = { 'content-type': 'application/json' };
    let body: unknown = msg;
    for (const i of g.interceptors) {
      const headers = i.passRequestHeaders
        ? Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'))
        : undefined;
      const out = passCallerToken(buildInterceptorInput(req.body.toString('utf8'), body, headers));
      if (out.mcp.transformedGatewayResponse) return { result: out.mcp.transformedGatewayResponse.body };
      body = out.mcp.transformedGatewayRequest.body;
      targetHeaders = { ...targetHeaders, ...(out.mcp.transformedGatewayRequest.headers ?? {}) };
    }
    const args = ((body as JsonRpcRequest).params?.arguments as Record<string, unknown> | undefined) ?? {};
    if (t.kind === 'oauth3lo') return callOauthTarget(g, t, callerToken, params);
    return callEchoTarget(g, t, callerToken, targetHeaders, args);
  }

  async function mcp(req: EmuRequest, res: ServerResponse, g: GatewayConfig): Promise<void> {
    let msg: JsonRpcRequest;
    try {
      msg = JSON.parse(req.body.toString('utf8')) as JsonRpcRequest;
    } catch {
      const token = await authenticate(req, res, g, null);
      if (token) rpcError(res, 400, null, -32700, 'Parse error');
      return;
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
      rpcError(res, 400, null, -32600, 'Invalid Request (batches are not supported)');
      return;
    }
    const token = await authenticate(req, res, g, msg.id);
    if (!token) return;
    if (msg.jsonrpc !== '2.0' || typeof msg.method !== 'string') {
      rpcError(res, 400, msg.id, -32600, 'Invalid Request');
      return;
    }
    const sessionHeader = header(req.headers, 'mcp-session-id');
    if (msg.method !== 'initialize' && sessionHeader !== undefined && sessions.get(sessionHeader) !== g.id) {
      rpcError(res, 404, msg.id, -32001, 'Session not found');
      return;
    }
    if (msg.id === undefined) {
      // A notification (e.g. notifications/initialized): accepted, no body.
      res.writeHead(202, { 'content-length': 0 });
      res.end();
      return;
    }
    const reply = (result: unknown, headers: Record<string, string> = {}) =>
      sendJson(res, 200, { jsonrpc: '2.0', id: msg.id, result }, headers);
    switch (msg.method) {
      case 'initialize': {
        const asked = typeof msg.params?.protocolVersion === 'string' ? msg.params.protocolVersion : LATEST;
        const version = MCP_SUPPORTED_VERSIONS.includes(asked) ? asked : LATEST;
        const sessionId = randomUUID();
        sessions.set(sessionId, g.id);
        if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
        reply(
          {
            protocolVersion: version,
            capabilities: { tools: { listChanged: false } },
            serverInfo: { name: g.name, version: '1.0.0' },
            instructions: g.description ?? 'Local AgentCore Gateway',
          },
          { 'mcp-session-id': sessionId },
        );
        return;
      }
      case 'ping':
        reply({});
        return;
      case 'tools/list':
        reply({ tools: g.targets.flatMap(toolsOf) });
        return;
      case 'tools/call': {
        const out = await toolsCall(g, msg, token, req);
        if (out.error) rpcError(res, 200, msg.id, out.error.code, out.error.message, out.error.data);
        else reply(out.result);
        return;
      }
      default:
        rpcError(res, 200, msg.id, -32601, `Method not found: ${msg.method}`);
    }
  }

  function describe(g: GatewayConfig): Record<string, unknown> {
    return {
      gatewayArn: gatewayArn(deps.region, deps.accountId, g.id),
      gatewayId: g.id,
      gatewayUrl: `${base(g)}/mcp`,
      createdAt,
      updatedAt: createdAt,
      status: 'READY',
      name: g.name,
      ...(g.description ? { description: g.description } : {}),
      roleArn: `arn:aws:iam::${deps.accountId}:role/AgentCoreLocalGatewayRole`,
      protocolType: 'MCP',
      protocolConfiguration: { mcp: { supportedVersions: MCP_SUPPORTED_VERSIONS } },
      authorizerType: g.authorizerType,
      authorizerConfiguration: {
        customJWTAuthorizer: { ...g.authorizerConfiguration.customJWTAuthorizer, discoveryUrl: discoveryOf(g) },
      },
      ...(g.interceptors.length
        ? {
            interceptorConfigurations: g.interceptors.map((i) => ({
              interceptor: {
                lambda: { arn: `arn:aws:lambda:${deps.region}:${deps.accountId}:function:agentcore-local-${i.kind}` },
              },
              interceptionPoints: i.interceptionPoints,
              inputConfiguration: { passRequestHeaders: i.passRequestHeaders },
            })),
          }
        : {}),
      workloadIdentityDetails: {
        workloadIdentityArn: workloadIdentityArn(deps.region, deps.accountId, g.workloadName),
      },
    };
  }

  const handler = (async (req: EmuRequest, res: ServerResponse): Promise<boolean> => {
    const p = req.rawPath;
    if (!p.startsWith('/gateways/')) return false;
    const parts = p.split('/'); // ['', 'gateways', id, ...]
    const rest = parts.slice(3).join('/');
    if (req.method === 'GET' && p === '/gateways/') {
      const v = await deps.verifySigV4(req, SIGNING_NAME.agentcore);
      if (!v.ok) sendAwsError(res, v.status, v.type, v.message);
      else
        sendJson(res, 200, {
          items: gateways.map((g) => ({
            gatewayId: g.id,
            name: g.name,
            status: 'READY',
            ...(g.description ? { description: g.description } : {}),
            createdAt,
            updatedAt: createdAt,
            authorizerType: g.authorizerType,
            protocolType: 'MCP',
          })),
        });
      return true;
    }
    const g = byId.get(parts[2] ?? '');
    if (!g) {
      if (rest === 'mcp' || rest === '') {
        sendAwsError(
          res,
          404,
          'ResourceNotFoundException',
          `No gateway ${parts[2]} in this local stack (gateways: ${gateways.map((x) => x.id).join(', ')})`,
        );
        return true;
      }
      return false;
    }
    if (rest === 'mcp') {
      if (req.method === 'POST') await mcp(req, res, g);
      else if (req.method === 'DELETE') {
        const s = header(req.headers, 'mcp-session-id');
        if (s && sessions.get(s) === g.id) sessions.delete(s);
        res.writeHead(s ? 200 : 400, { 'content-length': 0 }).end();
      } else {
        res.writeHead(405, { allow: 'POST, DELETE', 'content-length': 0 }).end();
      }
      return true;
    }
    if (req.method === 'GET' && rest === '.well-known/oauth-protected-resource') {
      let issuer: string;
      try {
        issuer = await authorizer.issuerOf(discoveryOf(g));
      } catch (e) {
        sendAwsError(res, 500, 'InternalServerException', `Could not read ${discoveryOf(g)}: ${(e as Error).message}`);
        return true;
      }
      const scopes = g.authorizerConfiguration.customJWTAuthorizer.allowedScopes;
      sendJson(res, 200, {
        resource: `${base(g)}/mcp`,
        authorization_servers: [issuer],
        ...(scopes ? { scopes_supported: scopes } : {}),
      });
      return true;
    }
    if (req.method === 'GET' && rest === '') {
      const v = await deps.verifySigV4(req, SIGNING_NAME.agentcore);
      if (!v.ok) sendAwsError(res, v.status, v.type, v.message);
      else sendJson(res, 200, describe(g));
      return true;
    }
    return false;
  }) as GatewayHandler;
  handler.gateways = gateways;
  return handler;
}
