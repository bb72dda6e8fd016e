/**
 * Reading one HttpExchange for a diagram: which party it went to and what it was (classifyExchange), the facts it
 * carried (tokens as fingerprints, user ids), the service's error code and words, whether it was a refusal.
 */
import type { HttpExchange } from '../http.js';
import { fingerprint, isSecretField } from '../redact.js';

export const PARTICIPANTS = {
  user: 'User/Browser',
  cli: 'agentcore-auth',
  idp: 'Cognito/IdP',
  runtime: 'AgentCore Runtime',
  agent: 'Agent',
  identity: 'AgentCore Identity',
  vault: 'Token vault / provider',
  gateway: 'Gateway',
  interceptor: 'Interceptor (Lambda)',
  policy: 'AgentCore Policy',
  target: 'Target',
  control: 'AgentCore control plane',
  other: 'Other endpoint',
} as const;

export type Party = keyof typeof PARTICIPANTS;
export const ORDER = Object.keys(PARTICIPANTS) as Party[];

/** Where a call went and what it was. */
export interface CallTarget {
  to: Party;
  operation: string;
}

const COGNITO_TARGET = /^AWSCognitoIdentityProviderService\.(\w+)$/;
const IDENTITY_OPS = /^(GetWorkloadAccessToken\w*|GetResourceOauth2Token|GetResourceApiKey|CompleteResourceTokenAuth)$/;
const CONTROL_RESOURCES = [
  'AgentRuntime',
  'AgentRuntimeEndpoint',
  'Gateway',
  'GatewayTarget',
  'WorkloadIdentity',
  'Oauth2CredentialProvider',
  'ApiKeyCredentialProvider',
  'TokenVault',
];
const CONTROL_OPS = new RegExp(`^(Get|List|Create|Update|Delete)(${CONTROL_RESOURCES.join('|')})s?$`);

export function path(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

export function jsonBody(body: string | undefined): unknown {
  if (!body || !/^\s*[[{]/.test(body)) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The JSON-RPC method of an MCP request body (and the tool name of tools/call). */
function mcpMethod(body: string | undefined): string | undefined {
  const doc = jsonBody(body) as { method?: unknown; params?: { name?: unknown } } | undefined;
  if (!doc || typeof doc.method !== 'string') return undefined;
  return doc.method === 'tools/call' && typeof doc.params?.name === 'string'
    ? `tools/call ${doc.params.name}`
    : doc.method;
}

export function classifyExchange(ex: HttpExchange): CallTarget {
  const p = path(ex.url);
  const target = ex.requestHeaders['x-amz-target'];
  const cognito = target ? COGNITO_TARGET.exec(target)?.[1] : undefined;
  if (cognito) return { to: 'idp', operation: cognito };
  const label = ex.label?.replace(/ \(.*\)$/, '');
  if (/\/runtimes\/[^/]+\/invocations\/?$/.test(p) || label === 'InvokeAgentRuntime') {
    const m = mcpMethod(ex.requestBody);
    return { to: 'runtime', operation: `InvokeAgentRuntime${m ? ` · ${m}` : ''}` };
  }
  if (label && IDENTITY_OPS.test(label)) return { to: 'identity', operation: label };
  if (label && (CONTROL_OPS.test(label) || /bedrock-agentcore-control\./.test(ex.url)))
    return { to: 'control', operation: label };
  if (/^\/gateways\/[^/]+\/mcp\/?$/.test(p) || /\.gateway\.bedrock-agentcore\./.test(ex.url)) {
    return { to: 'gateway', operation: `${ex.method} ${mcpMethod(ex.requestBody) ?? p}` };
  }
  // A gateway HTTP target by path routing on the local stack: /gateways/{id}/{target}/{path}
  const routed = /^\/gateways\/[^/]+(\/(?!mcp\/?$|targets\/|synchronizeTargets)[^/]+\/.*)$/.exec(p)?.[1];
  if (routed && !label) return { to: 'gateway', operation: `${ex.method} ${routed}` };
  if (/\/\.well-known\/openid-configuration$/.test(p)) return { to: 'idp', operation: 'OIDC discovery' };
  if (/\/\.well-known\/oauth-authorization-server$/.test(p)) return { to: 'idp', operation: 'OAuth metadata' };
  if (/jwks(\.json)?$/.test(p)) return { to: 'idp', operation: 'JWKS' };
  if (/\/(oauth2\/)?token$/.test(p) && ex.method === 'POST') {
    const grant = new URLSearchParams(ex.requestBody ?? '').get('grant_type');
    return { to: 'idp', operation: `token${grant ? ` (${grant})` : ''}` };
  }
  if (/\/userinfo$/.test(p)) return { to: 'idp', operation: 'userinfo' };
  if (/\/(oauth2\/)?revoke$/.test(p)) return { to: 'idp', operation: 'revoke' };
  if (label) return { to: /cognito-idp\./.test(ex.url) ? 'idp' : 'other', operation: label };
  return { to: 'other', operation: `${ex.method} ${p}` };
}

const TOKEN_KEY = /(token|apikey|api_key|assertion)$/i;
const USER_KEY = /^(userid|username)$/i;

/** Tokens (as fingerprints) and user identifiers found in a JSON value or a form, in document order. */
function facts(value: unknown, out: string[], depth = 0): void {
  if (depth > 6 || !value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && v) {
      if (TOKEN_KEY.test(k) && isSecretField(k)) out.push(`${k} ${fingerprint(v)}`);
      else if (USER_KEY.test(k)) out.push(`${k} ${v}`);
      else if (/^authorizationurl$/i.test(k)) out.push('authorizationUrl');
    } else if (v && typeof v === 'object') facts(v, out, depth + 1);
  }
}

export function bodyFacts(body: string | undefined, contentType: string | undefined): string[] {
  const out: string[] = [];
  if (!body) return out;
  const doc = jsonBody(body);
  if (doc !== undefined) facts(doc, out);
  else if (/x-www-form-urlencoded/i.test(contentType ?? '') || /^[\w.-]+=[^&]*(&[\w.-]+=[^&]*)*$/.test(body)) {
    const params = new URLSearchParams(body);
    facts(Object.fromEntries(params), out);
  }
  return out;
}

export function requestFacts(ex: HttpExchange): string[] {
  const out: string[] = [];
  const auth = ex.requestHeaders.authorization;
  if (auth?.startsWith('AWS4-HMAC-SHA256')) out.push('SigV4');
  else if (auth) {
    const sp = auth.indexOf(' ');
    const scheme = sp > 0 ? auth.slice(0, sp) : '';
    if (/^bearer$/i.test(scheme)) out.push(`Bearer ${fingerprint(auth.slice(sp + 1))}`);
    else if (/^basic$/i.test(scheme)) out.push('Basic (client secret)');
    else out.push('Authorization header');
  }
  const userId = ex.requestHeaders['x-amzn-bedrock-agentcore-runtime-user-id'];
  if (userId !== undefined) out.push(`user id ${userId}`);
  out.push(...bodyFacts(ex.requestBody, ex.requestHeaders['content-type']));
  return out;
}

/** The service's error code of an answer: x-amzn-errortype, the SDK error name, `__type`, or OAuth's `error`. */
export function errorCode(ex: HttpExchange): string | undefined {
  const header = ex.responseHeaders?.['x-amzn-errortype'];
  if (header) return header.split(':')[0]!.trim() || undefined;
  if (ex.error) {
    const m = /^([A-Za-z][\w.]*(Exception|Error|Fault))\b/.exec(ex.error);
    if (m) return m[1];
  }
  const doc = jsonBody(ex.responseBody) as Record<string, unknown> | undefined;
  if (doc) {
    if (typeof doc.__type === 'string') return doc.__type.split('#').pop();
    if (typeof doc.error === 'string') return doc.error;
    const rpc = doc.error as { code?: unknown } | undefined;
    if (rpc && typeof rpc.code === 'number') return `JSON-RPC ${rpc.code}`;
  }
  return undefined;
}

/** The service's own words about a failure (scrubbed by the caller). */
export function errorMessage(ex: HttpExchange): string | undefined {
  const doc = jsonBody(ex.responseBody) as Record<string, unknown> | undefined;
  if (doc) {
    const err = doc.error && typeof doc.error === 'object' ? (doc.error as Record<string, unknown>) : undefined;
    const m = doc.message ?? doc.Message ?? doc.error_description ?? err?.message;
    if (typeof m === 'string') return m;
  }
  if (ex.error) return ex.error.replace(/^[A-Za-z][\w.]*(Exception|Error|Fault): /, '');
  return undefined;
}

const AUTH_CODES = new RegExp(
  `^(${[
    'AccessDenied',
    'Unauthorized',
    'NotAuthorized',
    'ExpiredToken',
    'UnrecognizedClient',
    'InvalidSignature',
    'SignatureDoesNotMatch',
    'InvalidClientTokenId',
  ].join('|')})|^(invalid_grant|invalid_client|unauthorized_client|access_denied|invalid_token)$`,
);

export function isRefusal(ex: HttpExchange): boolean {
  const code = errorCode(ex);
  return ex.status === 401 || ex.status === 403 || (!!code && AUTH_CODES.test(code));
}

/** The JSON-RPC error code of an MCP answer whose body was captured (a gateway's JSON answer). */
export function jsonRpcError(ex: HttpExchange): number | undefined {
  const doc = jsonBody(ex.responseBody) as { jsonrpc?: unknown; error?: { code?: unknown } } | undefined;
  return doc?.jsonrpc === '2.0' && typeof doc.error?.code === 'number' ? doc.error.code : undefined;
}

/** MCP's URL elicitation: the server needs the user to open a URL (AgentCore: 3LO consent). */
export const MCP_URL_ELICITATION = -32042;

export function outcome(ex: HttpExchange): string {
  if (ex.status === undefined) return ex.error ? 'no answer' : 'no answer yet';
  const code = errorCode(ex);
  return `${ex.status}${code ? ` ${code}` : ''}`;
}
