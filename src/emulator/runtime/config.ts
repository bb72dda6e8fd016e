/**
 * Agents of the local stack: their types (shaped like the control plane's GetAgentRuntime fields, so what a user
 * writes in the config file is what AWS would show), the seeded defaults, and validation with errors that name the
 * offending field. The gateways of the config file are gateway/config.ts.
 *
 * A JWT authorizer whose `discoveryUrl` is omitted trusts the stack's own user pool (resolved when the stack knows its
 * origin). An agent without `agentUrl` is served by the built-in sample agent. The authorizer itself (type, model
 * constraints, parser) is authorizer-config.ts, shared with the gateway; the field readers are fields.ts.
 */
import { createHash } from 'node:crypto';
import { HEADERS, LIMITS, PATTERNS } from '../../wire.js';
import { parseCustomJwtAuthorizer, type CustomJwtAuthorizer } from './authorizer-config.js';
import { ConfigError } from '../config-fields.js';
import { httpUrl, isObject, known, str, strList, type Raw } from './fields.js';

export {
  parseCustomJwtAuthorizer,
  type CustomClaimRule,
  type CustomJwtAuthorizer,
} from './authorizer-config.js';

/** ProtocolConfiguration.serverProtocol (the config file takes HTTP and MCP; the control plane all four). */
export type ServerProtocol = 'HTTP' | 'MCP' | 'A2A' | 'AGUI';

export interface AgentConfig {
  /** agentRuntimeName: `[a-zA-Z][a-zA-Z0-9_]{0,47}`. */
  name: string;
  /** agentRuntimeId: `<name>-<10 alphanumerics>`; derived from the name when omitted. */
  id: string;
  description?: string;
  /** Absent = IAM SigV4 inbound (as on AWS). */
  authorizerConfiguration?: { customJWTAuthorizer: CustomJwtAuthorizer };
  /** requestHeaderConfiguration.requestHeaderAllowlist. */
  requestHeaderAllowlist: string[];
  protocol: ServerProtocol;
  /** The user's own agent (`http://127.0.0.1:8080`); absent = the built-in sample agent. */
  agentUrl?: string;
  /** Sent to the agent as `OAuth2CallbackUrl` (the default 3LO return URL). */
  oauth2CallbackUrl?: string;
  /** The workload identity AgentCore creates for the runtime (named after the runtime id). */
  workloadName: string;
  /** Return URLs registered on that workload identity (the identity half creates it with these). */
  allowedResourceOauth2ReturnUrls: string[];
}

/** What the defaults need to know about the rest of the stack. */
export interface RuntimeDefaultsContext {
  /** The stack's user pool app client (the one with a secret). */
  appClientId: string;
  /** Every app client of the stack's pool: the seeded JWT agents and gateway trust them. Default [appClientId]. */
  clientIds?: string[];
  /** The seeded OAuth2 credential provider (USER_FEDERATION, the stack's 3LO provider). */
  oauthProviderName?: string;
  /** A return URL for 3LO (e.g. the CLI's `callback` default); registered on the seeded workload identities. */
  returnUrl?: string;
}

export const DEFAULT_RETURN_URL = 'http://localhost:8081/oauth2/callback';
export const CUSTOM_HEADER_EXAMPLE = `${HEADERS.customPrefix}Tenant`;

/**
 * The app clients the seeded JWT agents and gateway trust: every client of the pool, else the app client; undefined
 * for a pool without clients (a claim list must not be empty: the authorizer then checks the issuer only).
 */
export function seededClients(ctx: { clientIds?: string[]; appClientId: string }): string[] | undefined {
  if (ctx.clientIds?.length) return ctx.clientIds;
  return ctx.appClientId ? [ctx.appClientId] : undefined;
}

/** The three seeded agents: SigV4, JWT (allowedClients = the pool's app client), JWT (allowedAudience = same id). */
export function defaultAgents(ctx: RuntimeDefaultsContext): AgentConfig[] {
  const returnUrl = ctx.returnUrl ?? DEFAULT_RETURN_URL;
  const clients = seededClients(ctx);
  const common = {
    protocol: 'HTTP' as const,
    oauth2CallbackUrl: returnUrl,
    allowedResourceOauth2ReturnUrls: [returnUrl],
  };
  return [
    {
      ...common,
      name: 'sigv4_agent',
      id: 'sigv4_agent-local00001',
      workloadName: 'sigv4_agent-local00001',
      description:
        'IAM (SigV4) inbound; send X-Amzn-Bedrock-AgentCore-Runtime-User-Id to give it a workload token for a user',
      requestHeaderAllowlist: [CUSTOM_HEADER_EXAMPLE],
    },
    {
      ...common,
      name: 'jwt_agent',
      id: 'jwt_agent-local00002',
      workloadName: 'jwt_agent-local00002',
      description:
        "OAuth inbound: trusts the stack's user pool, allowedClients = its app clients (send the access token)",
      authorizerConfiguration: { customJWTAuthorizer: clients ? { allowedClients: clients } : {} },
      requestHeaderAllowlist: ['Authorization', CUSTOM_HEADER_EXAMPLE],
    },
    {
      ...common,
      name: 'jwt_aud_agent',
      id: 'jwt_aud_agent-local00003',
      workloadName: 'jwt_aud_agent-local00003',
      description:
        'OAuth inbound: allowedAudience = the app client ids (only ID tokens carry that aud; access tokens fail)',
      authorizerConfiguration: { customJWTAuthorizer: clients ? { allowedAudience: clients } : {} },
      requestHeaderAllowlist: ['Authorization'],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

const AGENT_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** A stable `<name>-<10 alphanumerics>` id for a name (the same name always gets the same id). */
export function deriveId(name: string): string {
  const h = createHash('sha256')
    .update(name)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  return `${name}-${h.slice(0, 10)}`;
}

/**
 * requestHeaderConfiguration.requestHeaderAllowlist: Authorization and `X-Amzn-Bedrock-AgentCore-Runtime-Custom-*`
 * names, at most 20. `jwt`: Authorization is allowed (the config file refuses it on a SigV4 agent, where it would
 * never be forwarded; the control plane stores it, as AWS does).
 */
export function parseAllowlist(raw: unknown, path: string, jwt: boolean): string[] {
  if (raw === undefined || raw === null) return [];
  const list = strList(raw, path) ?? [];
  if (list.length > LIMITS.customHeadersPerRuntime)
    throw new ConfigError(path, `at most ${LIMITS.customHeadersPerRuntime} headers per runtime`);
  list.forEach((h, i) => {
    const p = `${path}[${i}]`;
    if (!HEADER_NAME.test(h)) throw new ConfigError(p, `${JSON.stringify(h)} is not a header name`);
    if (h.toLowerCase() === 'authorization') {
      if (!jwt)
        throw new ConfigError(
          p,
          'Authorization can be allow-listed only on an agent with a JWT authorizer ' +
            '(a SigV4 signature is never forwarded)',
        );
      return;
    }
    if (!h.toLowerCase().startsWith(HEADERS.customPrefix.toLowerCase()) || h.length === HEADERS.customPrefix.length)
      throw new ConfigError(
        p,
        `${JSON.stringify(h)}: only Authorization and headers starting with ${HEADERS.customPrefix} ` +
          'can be allow-listed',
      );
  });
  return list;
}

const AGENT_FIELDS = [
  'name',
  'id',
  'description',
  'authorizerConfiguration',
  'requestHeaderAllowlist',
  'requestHeaderConfiguration',
  'protocol',
  'agentUrl',
  'oauth2CallbackUrl',
  'workloadName',
  'allowedResourceOauth2ReturnUrls',
];

function parseAgentAuthorizer(a: unknown, path: string): AgentConfig['authorizerConfiguration'] {
  if (a === undefined || a === null) return undefined;
  if (!isObject(a)) throw new ConfigError(path, 'must be { customJWTAuthorizer: {...} } (omit it for SigV4)');
  known(a, path, ['customJWTAuthorizer']);
  return { customJWTAuthorizer: parseCustomJwtAuthorizer(a.customJWTAuthorizer ?? {}, `${path}.customJWTAuthorizer`) };
}

/** Like the starter toolkit's local runs: a default OAuth2CallbackUrl (registered on the agent's workload identity). */
function callbackOf(raw: Raw, path: string, ctx?: RuntimeDefaultsContext): string {
  const given = str(raw.oauth2CallbackUrl, `${path}.oauth2CallbackUrl`, {
    optional: true,
    pattern: PATTERNS.returnUrl,
    hint: 'must be a URL',
  });
  return given ?? ctx?.returnUrl ?? DEFAULT_RETURN_URL;
}

function parseAgent(raw: unknown, path: string, ctx?: RuntimeDefaultsContext): AgentConfig {
  if (!isObject(raw)) throw new ConfigError(path, 'must be an object');
  known(raw, path, AGENT_FIELDS);
  const name = str(raw.name, `${path}.name`, {
    pattern: AGENT_NAME,
    hint: 'must match [a-zA-Z][a-zA-Z0-9_]{0,47} (letters, digits, underscores; no hyphens)',
  })!;
  const id =
    str(raw.id, `${path}.id`, {
      optional: true,
      pattern: PATTERNS.runtimeId,
      hint: 'must be <name>-<10 letters or digits>',
    }) ?? deriveId(name);
  const authorizerConfiguration = parseAgentAuthorizer(raw.authorizerConfiguration, `${path}.authorizerConfiguration`);
  const rhc = raw.requestHeaderConfiguration;
  const allowRaw = raw.requestHeaderAllowlist ?? (isObject(rhc) ? rhc.requestHeaderAllowlist : undefined);
  const protocol = (str(raw.protocol, `${path}.protocol`, { optional: true }) ?? 'HTTP').toUpperCase();
  if (protocol !== 'HTTP' && protocol !== 'MCP') throw new ConfigError(`${path}.protocol`, 'must be HTTP or MCP');
  const returnUrls = strList(raw.allowedResourceOauth2ReturnUrls, `${path}.allowedResourceOauth2ReturnUrls`) ?? [];
  const callback = callbackOf(raw, path, ctx);
  const jwt = authorizerConfiguration !== undefined;
  const agent: AgentConfig = {
    name,
    id,
    protocol,
    requestHeaderAllowlist: parseAllowlist(allowRaw, `${path}.requestHeaderAllowlist`, jwt),
    workloadName:
      str(raw.workloadName, `${path}.workloadName`, { optional: true, pattern: PATTERNS.workloadName }) ?? id,
    allowedResourceOauth2ReturnUrls: returnUrls.includes(callback) ? returnUrls : [...returnUrls, callback],
  };
  const description = str(raw.description, `${path}.description`, { optional: true });
  if (description) agent.description = description;
  if (authorizerConfiguration) agent.authorizerConfiguration = authorizerConfiguration;
  const agentUrl = httpUrl(raw.agentUrl, `${path}.agentUrl`);
  if (agentUrl) agent.agentUrl = agentUrl;
  agent.oauth2CallbackUrl = callback;
  return agent;
}

/** Validate the `agents` section of a config file; throws ConfigError naming the field. */
export function parseAgents(raw: unknown, path = 'agents', ctx?: RuntimeDefaultsContext): AgentConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(path, 'must be a list of agents');
  const agents = raw.map((a, i) => parseAgent(a, `${path}[${i}]`, ctx));
  const seen = new Set<string>();
  agents.forEach((a, i) => {
    for (const key of [a.name, a.id]) {
      if (seen.has(key)) throw new ConfigError(`${path}[${i}]`, `duplicate agent ${JSON.stringify(key)}`);
      seen.add(key);
    }
  });
  return agents;
}

/**
 * `--agent-url`: `URL` puts the user's agent behind every agent that has no agentUrl of its own; `NAME=URL` behind one
 * agent (by name or id). May be given several times. Returns new agent objects.
 */
export function applyAgentUrls(agents: AgentConfig[], specs: string[]): AgentConfig[] {
  const out = agents.map((a) => ({ ...a }));
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const named = eq > 0 && !/^https?:/i.test(spec);
    const target = named ? spec.slice(0, eq) : undefined;
    const url = httpUrl(named ? spec.slice(eq + 1) : spec, '--agent-url', false)!;
    if (target) {
      const a = out.find((x) => x.name === target || x.id === target);
      if (!a)
        throw new ConfigError(
          '--agent-url',
          `no agent named ${JSON.stringify(target)} (agents: ${out.map((x) => x.name).join(', ')})`,
        );
      a.agentUrl = url;
    } else {
      for (const a of out) if (!a.agentUrl) a.agentUrl = url;
    }
  }
  return out;
}

/** ARN of a runtime of this stack. */
export function runtimeArn(region: string, accountId: string, id: string): string {
  return `arn:aws:bedrock-agentcore:${region}:${accountId}:runtime/${id}`;
}

export function workloadIdentityArn(region: string, accountId: string, name: string): string {
  const path = `workload-identity-directory/default/workload-identity/${name}`;
  return `arn:aws:bedrock-agentcore:${region}:${accountId}:${path}`;
}
