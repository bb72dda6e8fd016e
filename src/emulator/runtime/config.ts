/**
 * Agents of the local stack: their types (shaped like the control plane's GetAgentRuntime
 * fields, so what a user writes in the config file is what AWS would show), the seeded defaults, and validation with
 * errors that name the offending field.
 *
 * A JWT authorizer whose `discoveryUrl` is omitted trusts the stack's own user pool (resolved when the stack knows its
 * origin). An agent without `agentUrl` is served by the built-in sample agent.
 */
import { createHash } from 'node:crypto';
import { CLAIM_OPERATORS, HEADERS, LIMITS, PATTERNS, type ClaimOperator } from '../../wire.js';

export interface CustomClaimRule {
  inboundTokenClaimName: string;
  inboundTokenClaimValueType: 'STRING' | 'STRING_ARRAY';
  authorizingClaimMatchValue: {
    claimMatchValue: { matchValueString?: string; matchValueStringList?: string[] };
    claimMatchOperator: ClaimOperator;
  };
}

/** AgentCore's CustomJWTAuthorizerConfiguration (the fields the authorizer enforces). */
export interface CustomJwtAuthorizer {
  /** Omitted = the stack's own user pool. */
  discoveryUrl?: string;
  allowedAudience?: string[];
  allowedClients?: string[];
  allowedScopes?: string[];
  customClaims?: CustomClaimRule[];
}

export type ServerProtocol = 'HTTP' | 'MCP';

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
  /** Every app client of the stack's pool: the seeded JWT agents and gateway trust their tokens. Default [appClientId]. */
  clientIds?: string[];
  /** The seeded OAuth2 credential provider (USER_FEDERATION, the stack's 3LO provider). */
  oauthProviderName?: string;
  /** A return URL for 3LO (e.g. the CLI's `callback` default); registered on the seeded workload identities. */
  returnUrl?: string;
}

export const DEFAULT_RETURN_URL = 'http://localhost:8081/oauth2/callback';
export const CUSTOM_HEADER_EXAMPLE = `${HEADERS.customPrefix}Tenant`;

/** The three seeded agents: SigV4, JWT (allowedClients = the pool's app client), JWT (allowedAudience = same id). */
export function defaultAgents(ctx: RuntimeDefaultsContext): AgentConfig[] {
  const returnUrl = ctx.returnUrl ?? DEFAULT_RETURN_URL;
  const clients = ctx.clientIds?.length ? ctx.clientIds : [ctx.appClientId];
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
      authorizerConfiguration: { customJWTAuthorizer: { allowedClients: clients } },
      requestHeaderAllowlist: ['Authorization', CUSTOM_HEADER_EXAMPLE],
    },
    {
      ...common,
      name: 'jwt_aud_agent',
      id: 'jwt_aud_agent-local00003',
      workloadName: 'jwt_aud_agent-local00003',
      description:
        'OAuth inbound: allowedAudience = the app client ids (only ID tokens carry that aud; access tokens fail)',
      authorizerConfiguration: { customJWTAuthorizer: { allowedAudience: clients } },
      requestHeaderAllowlist: ['Authorization'],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

export class RuntimeConfigError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'RuntimeConfigError';
  }
}

const AGENT_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(
  v: unknown,
  path: string,
  opts: { optional?: boolean; pattern?: RegExp; hint?: string } = {},
): string | undefined {
  if (v === undefined || v === null) {
    if (opts.optional) return undefined;
    throw new RuntimeConfigError(path, 'is required');
  }
  if (typeof v !== 'string' || v.length === 0)
    throw new RuntimeConfigError(path, `must be a non-empty string (got ${JSON.stringify(v)})`);
  if (opts.pattern && !opts.pattern.test(v))
    throw new RuntimeConfigError(path, `${JSON.stringify(v)} ${opts.hint ?? `must match ${opts.pattern}`}`);
  return v;
}

function strList(v: unknown, path: string, each?: (s: string, p: string) => void): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list =
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v;
  if (!Array.isArray(list) || list.length === 0)
    throw new RuntimeConfigError(path, 'must be a non-empty list of strings (AgentCore rejects an empty list)');
  return list.map((s, i) => {
    const item = str(s, `${path}[${i}]`)!;
    each?.(item, `${path}[${i}]`);
    return item;
  });
}

function known(o: Raw, path: string, keys: string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k))
      throw new RuntimeConfigError(`${path}.${k}`, `unknown field (expected one of: ${keys.join(', ')})`);
  }
}

function httpUrl(v: unknown, path: string, optional = true): string | undefined {
  const s = str(v, path, { optional });
  if (s === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new RuntimeConfigError(path, `${JSON.stringify(s)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new RuntimeConfigError(path, `${JSON.stringify(s)} must be an http(s) URL`);
  return s.replace(/\/+$/, '');
}

/** A stable `<name>-<10 alphanumerics>` id for a name (the same name always gets the same id). */
export function deriveId(name: string): string {
  const h = createHash('sha256')
    .update(name)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  return `${name}-${h.slice(0, 10)}`;
}

export function parseCustomJwtAuthorizer(raw: unknown, path: string): CustomJwtAuthorizer {
  if (!isObject(raw)) throw new RuntimeConfigError(path, 'must be an object');
  known(raw, path, ['discoveryUrl', 'allowedAudience', 'allowedClients', 'allowedScopes', 'customClaims']);
  const out: CustomJwtAuthorizer = {};
  const discoveryUrl = str(raw.discoveryUrl, `${path}.discoveryUrl`, {
    optional: true,
    pattern: PATTERNS.discoveryUrl,
    hint: "must end with /.well-known/openid-configuration (omit it to trust the stack's own user pool)",
  });
  if (discoveryUrl) {
    httpUrl(discoveryUrl, `${path}.discoveryUrl`);
    out.discoveryUrl = discoveryUrl;
  }
  const aud = strList(raw.allowedAudience, `${path}.allowedAudience`);
  if (aud) out.allowedAudience = aud;
  const clients = strList(raw.allowedClients, `${path}.allowedClients`);
  if (clients) out.allowedClients = clients;
  const scopes = strList(raw.allowedScopes, `${path}.allowedScopes`, (s, p) => {
    if (s.length > 255 || !SCOPE.test(s))
      throw new RuntimeConfigError(
        p,
        `${JSON.stringify(s)} is not a valid scope (1-255 printable characters, no space, quote or backslash)`,
      );
  });
  if (scopes) out.allowedScopes = scopes;
  if (raw.customClaims !== undefined) {
    if (!Array.isArray(raw.customClaims) || raw.customClaims.length === 0)
      throw new RuntimeConfigError(`${path}.customClaims`, 'must be a non-empty list');
    out.customClaims = raw.customClaims.map((c, i) => parseClaimRule(c, `${path}.customClaims[${i}]`));
  }
  return out;
}

function parseClaimRule(raw: unknown, path: string): CustomClaimRule {
  if (!isObject(raw)) throw new RuntimeConfigError(path, 'must be an object');
  known(raw, path, ['inboundTokenClaimName', 'inboundTokenClaimValueType', 'authorizingClaimMatchValue']);
  const name = str(raw.inboundTokenClaimName, `${path}.inboundTokenClaimName`)!;
  if (name === 'scp' || name === 'scope')
    throw new RuntimeConfigError(
      `${path}.inboundTokenClaimName`,
      "Custom claim name can't be 'scp'. Please configure claims in the allowed_scopes field",
    );
  const type = str(raw.inboundTokenClaimValueType, `${path}.inboundTokenClaimValueType`)!;
  if (type !== 'STRING' && type !== 'STRING_ARRAY')
    throw new RuntimeConfigError(
      `${path}.inboundTokenClaimValueType`,
      `must be STRING or STRING_ARRAY (got ${JSON.stringify(type)})`,
    );
  const m = raw.authorizingClaimMatchValue;
  if (!isObject(m))
    throw new RuntimeConfigError(
      `${path}.authorizingClaimMatchValue`,
      'is required ({ claimMatchValue, claimMatchOperator })',
    );
  const op = str(m.claimMatchOperator, `${path}.authorizingClaimMatchValue.claimMatchOperator`)!;
  if (!(CLAIM_OPERATORS as readonly string[]).includes(op))
    throw new RuntimeConfigError(
      `${path}.authorizingClaimMatchValue.claimMatchOperator`,
      `must be one of ${CLAIM_OPERATORS.join(', ')} (got ${JSON.stringify(op)})`,
    );
  const v = m.claimMatchValue;
  if (!isObject(v))
    throw new RuntimeConfigError(
      `${path}.authorizingClaimMatchValue.claimMatchValue`,
      'is required ({ matchValueString } or { matchValueStringList })',
    );
  const vp = `${path}.authorizingClaimMatchValue.claimMatchValue`;
  const single = str(v.matchValueString, `${vp}.matchValueString`, { optional: true });
  const list = strList(v.matchValueStringList, `${vp}.matchValueStringList`);
  if ((single === undefined) === (list === undefined))
    throw new RuntimeConfigError(vp, 'needs exactly one of matchValueString or matchValueStringList');
  if (op === 'EQUALS' && (type !== 'STRING' || single === undefined))
    throw new RuntimeConfigError(path, 'EQUALS compares a STRING claim with matchValueString');
  if (op === 'CONTAINS' && (type !== 'STRING_ARRAY' || single === undefined))
    throw new RuntimeConfigError(path, 'CONTAINS checks that a STRING_ARRAY claim contains matchValueString');
  if (op === 'CONTAINS_ANY' && (type !== 'STRING_ARRAY' || list === undefined))
    throw new RuntimeConfigError(
      path,
      'CONTAINS_ANY checks that a STRING_ARRAY claim contains any of matchValueStringList',
    );
  return {
    inboundTokenClaimName: name,
    inboundTokenClaimValueType: type,
    authorizingClaimMatchValue: {
      claimMatchValue: single !== undefined ? { matchValueString: single } : { matchValueStringList: list! },
      claimMatchOperator: op as ClaimOperator,
    },
  };
}

function parseAllowlist(raw: unknown, path: string, jwt: boolean): string[] {
  if (raw === undefined || raw === null) return [];
  const list = strList(raw, path) ?? [];
  if (list.length > LIMITS.customHeadersPerRuntime)
    throw new RuntimeConfigError(path, `at most ${LIMITS.customHeadersPerRuntime} headers per runtime`);
  list.forEach((h, i) => {
    const p = `${path}[${i}]`;
    if (!HEADER_NAME.test(h)) throw new RuntimeConfigError(p, `${JSON.stringify(h)} is not a header name`);
    if (h.toLowerCase() === 'authorization') {
      if (!jwt)
        throw new RuntimeConfigError(
          p,
          'Authorization can be allow-listed only on an agent with a JWT authorizer (a SigV4 signature is never forwarded)',
        );
      return;
    }
    if (!h.toLowerCase().startsWith(HEADERS.customPrefix.toLowerCase()) || h.length === HEADERS.customPrefix.length)
      throw new RuntimeConfigError(
        p,
        `${JSON.stringify(h)}: only Authorization and headers starting with ${HEADERS.customPrefix} can be allow-listed`,
      );
  });
  return list;
}

function parseAgent(raw: unknown, path: string, ctx?: RuntimeDefaultsContext): AgentConfig {
  if (!isObject(raw)) throw new RuntimeConfigError(path, 'must be an object');
  known(raw, path, [
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
  ]);
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
  let authorizerConfiguration: AgentConfig['authorizerConfiguration'];
  if (raw.authorizerConfiguration !== undefined && raw.authorizerConfiguration !== null) {
    const a = raw.authorizerConfiguration;
    if (!isObject(a))
      throw new RuntimeConfigError(
        `${path}.authorizerConfiguration`,
        'must be { customJWTAuthorizer: {...} } (omit it for SigV4)',
      );
    known(a, `${path}.authorizerConfiguration`, ['customJWTAuthorizer']);
    authorizerConfiguration = {
      customJWTAuthorizer: parseCustomJwtAuthorizer(
        a.customJWTAuthorizer ?? {},
        `${path}.authorizerConfiguration.customJWTAuthorizer`,
      ),
    };
  }
  const rhc = raw.requestHeaderConfiguration;
  const allowRaw = raw.requestHeaderAllowlist ?? (isObject(rhc) ? rhc.requestHeaderAllowlist : undefined);
  const protocol = (str(raw.protocol, `${path}.protocol`, { optional: true }) ?? 'HTTP').toUpperCase();
  if (protocol !== 'HTTP' && protocol !== 'MCP')
    throw new RuntimeConfigError(`${path}.protocol`, 'must be HTTP or MCP');
  const returnUrls = strList(raw.allowedResourceOauth2ReturnUrls, `${path}.allowedResourceOauth2ReturnUrls`) ?? [];
  // Like the starter toolkit's local runs: a default OAuth2CallbackUrl (registered on the agent's workload identity).
  const callback =
    str(raw.oauth2CallbackUrl, `${path}.oauth2CallbackUrl`, {
      optional: true,
      pattern: PATTERNS.returnUrl,
      hint: 'must be a URL',
    }) ??
    ctx?.returnUrl ??
    DEFAULT_RETURN_URL;
  const agent: AgentConfig = {
    name,
    id,
    protocol,
    requestHeaderAllowlist: parseAllowlist(
      allowRaw,
      `${path}.requestHeaderAllowlist`,
      authorizerConfiguration !== undefined,
    ),
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

/** Validate the `agents` section of a config file; throws RuntimeConfigError naming the field. */
export function parseAgents(raw: unknown, path = 'agents', ctx?: RuntimeDefaultsContext): AgentConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new RuntimeConfigError(path, 'must be a list of agents');
  const agents = raw.map((a, i) => parseAgent(a, `${path}[${i}]`, ctx));
  const seen = new Set<string>();
  agents.forEach((a, i) => {
    for (const key of [a.name, a.id]) {
      if (seen.has(key)) throw new RuntimeConfigError(`${path}[${i}]`, `duplicate agent ${JSON.stringify(key)}`);
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
        throw new RuntimeConfigError(
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
  return `arn:aws:bedrock-agentcore:${region}:${accountId}:workload-identity-directory/default/workload-identity/${name}`;
}
