/**
 * Gateways in the config file (`gateways:`) and the seeded one. An item is a CreateGateway request in the service's
 * field names, plus `targets:` (CreateGatewayTarget requests) and an optional fixed `gatewayId` / `targetId`. It is
 * checked with the control plane's own shapes and rules, so a bad field reads as the service would answer it.
 *
 * Local conveniences: `authorizerType` defaults to CUSTOM_JWT; a CUSTOM_JWT gateway without `discoveryUrl` trusts the
 * stack's user pool (and without any authorizerConfiguration, its app clients); `roleArn` defaults to a local role.
 */
import { ApiError, validate } from '../api/index.js';
import { ConfigError } from '../config-fields.js';
import { seededClients, type CustomJwtAuthorizer, type RuntimeDefaultsContext } from '../runtime/config.js';
import { isObject, known, type Raw } from '../runtime/fields.js';
import type { GatewaySpec, TargetSpec } from './model.js';
import { checkGatewaySpec, checkTargetSpec } from './rules.js';
import { CREATE_GATEWAY, CREATE_TARGET } from './shapes.js';

export interface GatewayConfig extends Omit<GatewaySpec, 'roleArn' | 'authorizerConfiguration'> {
  /** Fixed id (default: the name lower-cased + `-` + 10 random characters). */
  gatewayId?: string;
  /** Default `arn:aws:iam::<account>:role/AgentCoreLocalGatewayRole`. */
  roleArn?: string;
  /** `discoveryUrl` omitted = the stack's own user pool. */
  authorizerConfiguration?: { customJWTAuthorizer: CustomJwtAuthorizer };
  targets: Array<TargetSpec & { targetId?: string }>;
}

/** Placeholders that satisfy the shapes for what the stack fills in when it starts. */
const PLACEHOLDER_ROLE = 'arn:aws:iam::000000000000:role/AgentCoreLocalGatewayRole';
const PLACEHOLDER_DISCOVERY = 'http://stack/.well-known/openid-configuration';

export const LOCAL_ROLE_NAME = 'AgentCoreLocalGatewayRole';

/** An ApiError from validate()/rules as a config error naming the field under `path`. */
function asConfigError(e: unknown, path: string): never {
  if (!(e instanceof ApiError)) throw e;
  const m = /^Value at '([^']+)' (.*)$/s.exec(e.message);
  if (m) throw new ConfigError(`${path}.${m[1]!.replace(/\.(\d+)\.member/g, (_x, i) => `[${Number(i) - 1}]`)}`, m[2]!);
  throw new ConfigError(path, e.message);
}

const GATEWAY_KEYS = [...Object.keys(CREATE_GATEWAY.members), 'gatewayId', 'targets'];
const TARGET_KEYS = [...Object.keys(CREATE_TARGET.members), 'targetId'];

function parseTargets(raw: unknown, path: string, gateway: GatewaySpec): GatewayConfig['targets'] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(path, 'must be a list of targets (CreateGatewayTarget fields)');
  const names = new Set<string>();
  return raw.map((t, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(t)) throw new ConfigError(p, 'must be an object');
    if ('kind' in t)
      throw new ConfigError(
        `${p}.kind`,
        'targets now take CreateGatewayTarget fields: ' +
          '{ name, targetConfiguration: { mcp: { mcpServer: { endpoint } } }, ' +
          'credentialProviderConfigurations } (agentcore-auth help config)',
      );
    known(t, p, TARGET_KEYS);
    try {
      validate(t, CREATE_TARGET);
      checkTargetSpec(gateway, t as unknown as TargetSpec);
    } catch (e) {
      asConfigError(e, p);
    }
    if (t.targetId !== undefined && (typeof t.targetId !== 'string' || !/^[0-9a-zA-Z]{10}$/.test(t.targetId)))
      throw new ConfigError(`${p}.targetId`, 'must be 10 letters or digits');
    const name = t.name as string;
    if (names.has(name)) throw new ConfigError(`${p}.name`, `duplicate target name ${JSON.stringify(name)}`);
    names.add(name);
    return t as unknown as TargetSpec & { targetId?: string };
  });
}

function parseGateway(g: unknown, p: string, ctx: RuntimeDefaultsContext | undefined): GatewayConfig {
  if (!isObject(g)) throw new ConfigError(p, 'must be an object');
  if ('interceptors' in g || 'id' in g)
    throw new ConfigError(
      p,
      'gateways now take CreateGateway fields: gatewayId (not id), interceptorConfigurations (not interceptors)',
    );
  known(g, p, GATEWAY_KEYS);
  const authorizerType = (g.authorizerType as string | undefined) ?? 'CUSTOM_JWT';
  const trusted = ctx ? seededClients(ctx) : undefined;
  if (isObject(g.authorizerConfiguration))
    known(g.authorizerConfiguration, `${p}.authorizerConfiguration`, ['customJWTAuthorizer']);
  let authorizerConfiguration = g.authorizerConfiguration as GatewayConfig['authorizerConfiguration'];
  if (authorizerType === 'CUSTOM_JWT' && authorizerConfiguration === undefined)
    authorizerConfiguration = { customJWTAuthorizer: trusted ? { allowedClients: trusted } : {} };
  const jwt = authorizerConfiguration?.customJWTAuthorizer;
  // Checked as the service would check it, with the stack-filled fields given placeholders.
  const probe = {
    ...g,
    authorizerType,
    roleArn: g.roleArn ?? PLACEHOLDER_ROLE,
    ...(authorizerConfiguration
      ? {
          authorizerConfiguration: isObject(jwt)
            ? { customJWTAuthorizer: { discoveryUrl: PLACEHOLDER_DISCOVERY, ...jwt } }
            : authorizerConfiguration,
        }
      : {}),
  };
  delete (probe as Raw).targets;
  delete (probe as Raw).gatewayId;
  try {
    validate(probe, CREATE_GATEWAY);
    checkGatewaySpec(probe as unknown as GatewaySpec);
  } catch (e) {
    asConfigError(e, p);
  }
  const gatewayId = g.gatewayId;
  if (
    gatewayId !== undefined &&
    (typeof gatewayId !== 'string' || !/^([0-9a-z][-]?){1,100}-[0-9a-z]{10}$/.test(gatewayId))
  )
    throw new ConfigError(
      `${p}.gatewayId`,
      'must be lower-case letters, digits and hyphens ending in -<10 characters>',
    );
  const spec = { ...g, authorizerType, ...(authorizerConfiguration ? { authorizerConfiguration } : {}) } as Raw;
  const targets = parseTargets(g.targets, `${p}.targets`, spec as unknown as GatewaySpec);
  return { ...(spec as unknown as GatewayConfig), targets };
}

/** Validates the `gateways` section of a config file; throws ConfigError naming the field. */
export function parseGateways(raw: unknown, path = 'gateways', ctx?: RuntimeDefaultsContext): GatewayConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(path, 'must be a list of gateways (CreateGateway fields)');
  const seen = new Set<string>();
  return raw.map((g, i) => {
    const out = parseGateway(g, `${path}[${i}]`, ctx);
    for (const key of [out.name, out.gatewayId].filter((x): x is string => !!x)) {
      if (seen.has(key)) throw new ConfigError(`${path}[${i}]`, `duplicate gateway ${JSON.stringify(key)}`);
      seen.add(key);
    }
    return out;
  });
}

/** What the seeded gateway points at: the stack's sample MCP server and its pass-caller-token Lambda. */
export interface SeedContext extends RuntimeDefaultsContext {
  /** Base URL of the built-in sample MCP server (sample/mcp-server.ts). */
  sampleMcpUrl: string;
  /** ARN served by the built-in sample interceptor Lambda (sample/lambda.ts). */
  interceptorArn: string;
  /** ARN of the seeded USER_FEDERATION OAuth2 credential provider. */
  oauthProviderArn: string;
  /** ARN of the seeded API-key credential provider (the `keyed` target), when there is one. */
  apiKeyProviderArn?: string;
  /** A JWT runtime agent's ARN (the `agent` HTTP target, JWT passthrough), when the stack has one. */
  jwtAgentArn?: string;
  returnUrl: string;
}

export const SEEDED_GATEWAY_ID = 'local-gateway-local00001';

/**
 * The seeded gateway: CUSTOM_JWT (allowedClients = the pool's app clients), sessions on, a REQUEST interceptor (the
 * stack's sample Lambda, which copies the caller's Authorization onto tools/call requests to the `echo` target), and
 * targets on the stack's sample MCP server: `provider` (OAuth 3LO through the token vault: its `whoami` tool tells
 * whose provider token arrived), `echo` (its `inspect` tool reports what reached it) and `keyed` (the same tool, an
 * API key from the vault in `x-api-key`); plus `agent`, an HTTP target: the seeded JWT runtime agent, reached with
 * the caller's own token (JWT_PASSTHROUGH) at `{gateway}/agent/invocations`.
 */
type SeededTarget = GatewayConfig['targets'][number];

/** `provider`: the sample server's whoami behind OAuth 3LO (a static schema: no consent needed to list it). */
function providerTarget(ctx: SeedContext): SeededTarget {
  const whoami = {
    name: 'whoami',
    description:
      'Calls the provider as the signed-in user (OAuth 3LO through the token vault): answers with who the provider ' +
      'token is for and its fingerprint. Needs consent once (URL elicitation).',
    inputSchema: { type: 'object', properties: {} },
  };
  const oauth = {
    providerArn: ctx.oauthProviderArn,
    scopes: ['api:read'],
    grantType: 'AUTHORIZATION_CODE' as const,
    defaultReturnUrl: ctx.returnUrl,
  };
  return {
    name: 'provider',
    description: 'Outbound OAuth 3LO (authorization code): needs the user to consent once',
    targetConfiguration: {
      mcp: {
        mcpServer: {
          endpoint: `${ctx.sampleMcpUrl}/provider/mcp`,
          mcpToolSchema: { inlinePayload: JSON.stringify({ tools: [whoami] }) },
        },
      },
    },
    credentialProviderConfigurations: [
      { credentialProviderType: 'OAUTH', credentialProvider: { oauthCredentialProvider: oauth } },
    ],
  };
}

/**
 * `keyed` (an API key from the vault in x-api-key) and `agent` (the JWT runtime, JWT_PASSTHROUGH), when they can be.
 */
function optionalTargets(ctx: SeedContext): SeededTarget[] {
  const out: SeededTarget[] = [];
  if (ctx.apiKeyProviderArn)
    out.push({
      name: 'keyed',
      description: 'The echo tool behind an API key from the token vault (header x-api-key)',
      targetConfiguration: { mcp: { mcpServer: { endpoint: `${ctx.sampleMcpUrl}/echo/mcp` } } },
      credentialProviderConfigurations: [
        {
          credentialProviderType: 'API_KEY',
          credentialProvider: {
            apiKeyCredentialProvider: { providerArn: ctx.apiKeyProviderArn, credentialParameterName: 'x-api-key' },
          },
        },
      ],
    });
  if (ctx.jwtAgentArn)
    out.push({
      name: 'agent',
      description: "The JWT runtime agent, called with the caller's own token (JWT_PASSTHROUGH)",
      targetConfiguration: { http: { agentcoreRuntime: { arn: ctx.jwtAgentArn } } },
      credentialProviderConfigurations: [{ credentialProviderType: 'JWT_PASSTHROUGH' }],
    });
  return out;
}

export function defaultGateways(ctx: SeedContext): GatewayConfig[] {
  const clients = seededClients(ctx);
  return [
    {
      name: 'local-gateway',
      gatewayId: SEEDED_GATEWAY_ID,
      description: 'MCP gateway: CUSTOM_JWT inbound, a 3LO target and an echo target behind a REQUEST interceptor',
      protocolConfiguration: { mcp: { sessionConfiguration: { sessionTimeoutInSeconds: 3600 } } },
      authorizerType: 'CUSTOM_JWT',
      authorizerConfiguration: { customJWTAuthorizer: clients ? { allowedClients: clients } : {} },
      interceptorConfigurations: [
        {
          interceptor: { lambda: { arn: ctx.interceptorArn } },
          interceptionPoints: ['REQUEST'],
          inputConfiguration: { passRequestHeaders: true },
        },
      ],
      targets: [
        providerTarget(ctx),
        {
          name: 'echo',
          description: 'Reports which token and headers reached the target (fingerprints only)',
          targetConfiguration: { mcp: { mcpServer: { endpoint: `${ctx.sampleMcpUrl}/echo/mcp` } } },
        },
        ...optionalTargets(ctx),
      ],
    },
  ];
}
