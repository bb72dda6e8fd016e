/**
 * The doctor checklist: one line per fact that decides whether an AgentCore auth setup works, each ✓ (pass), ✗ (fail),
 * ! (warn) or – (skipped because something it needs failed), with the fix. Failures of AWS calls become failed lines,
 * not exceptions, so that one run shows everything; only an abort (Ctrl-C) escapes.
 */
import { isAbortError, AgentcoreAuthError } from '../errors.js';
import { fromAwsError, serviceBaseUrl, type AwsClients, type Env } from '../aws.js';
import type { FetchLike } from '../http.js';
import { isNotFound } from '../classify.js';
import { hintFor } from '../hints.js';
import { relativeTime } from '../jwt.js';
import { jwtExp } from '../jwt.js';
import { listEntries, type CacheLocation, type CacheEntry } from '../token-cache.js';
import { HEADERS, MESSAGES, METHOD_MISMATCH, PATTERNS } from '../../wire.js';
import { discoveryUrlIsValid, fromSdkAuthorizer, type AuthorizerConfig } from '../authorizer-prediction/config.js';
import { predictAuthorizer } from '../authorizer-prediction/predict.js';
import { parseRuntimeRef } from '../authorizer-prediction/remote.js';
import { controlSdk } from '../../sdk.js';
import { oboChecks } from './obo.js';

export type DoctorStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface DoctorCheck {
  /** Stable id: region, credentials, endpoint.control, runtime.exists, runtime.status, runtime.inbound, … */
  id: string;
  status: DoctorStatus;
  /** What was checked, e.g. "runtime myAgent is READY". */
  label: string;
  /** What was found. */
  detail?: string;
  fix?: string;
}

export interface DoctorInput {
  agentArn?: string;
  workloadName?: string;
  provider?: string;
  /** --region / --endpoint-url as given (for the report and endpoint URLs). */
  regionFlag?: string;
  endpointUrlFlag?: string;
}

export interface DoctorDeps {
  aws: AwsClients;
  fetch: FetchLike;
  env: Env;
  cache: CacheLocation;
  now: () => number;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

const aborting = (e: unknown) => isAbortError(e) || (e instanceof AgentcoreAuthError && e.code === 'ERR_INTERRUPTED');

/** An AWS failure as a failed line: the error's message, and the hint table's fix. */
function failLine(id: string, label: string, e: unknown, operation: string, notFoundFix?: string): DoctorCheck {
  if (aborting(e)) throw e;
  const err = fromAwsError(e, operation);
  const notFound = isNotFound(err);
  return {
    id,
    status: 'fail',
    label,
    detail: err.message,
    fix: (notFound && notFoundFix) || err.hint || 'see the message',
  };
}

export async function runDoctor(input: DoctorInput, deps: DoctorDeps): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => {
    checks.push(c);
    return c;
  };
  const { aws } = deps;

  // 1. Region.
  let arnRegion: string | undefined;
  if (input.agentArn) {
    try {
      arnRegion = parseRuntimeRef(input.agentArn).region;
    } catch (e) {
      add({
        id: 'runtime.arn',
        status: 'fail',
        label: 'agent ARN',
        detail: (e as Error).message,
        fix: (e as AgentcoreAuthError).hint ?? 'check --agent-arn',
      });
    }
  }
  let region: string | undefined;
  try {
    const choice = aws.regionChoice(arnRegion);
    region = choice?.region;
    if (choice) {
      const source = choice.source === 'the ARN' ? 'the agent ARN' : choice.source;
      add({ id: 'region', status: 'pass', label: 'AWS region resolves', detail: `${choice.region} (from ${source})` });
    } else
      add({
        id: 'region',
        status: 'fail',
        label: 'AWS region resolves',
        detail: 'no region in --region, AWS_REGION, AWS_DEFAULT_REGION, the AWS profile or an ARN',
        fix: 'pass --region, set AWS_REGION, or set region in your AWS profile',
      });
  } catch (e) {
    // A profile named by --profile / AWS_PROFILE that no file holds.
    add({
      id: 'region',
      status: 'fail',
      label: 'AWS region resolves',
      detail: (e as Error).message,
      fix: (e as AgentcoreAuthError).hint ?? 'check --profile',
    });
  }
  if (region && arnRegion && arnRegion !== region)
    add({
      id: 'region.arn',
      status: 'warn',
      label: "the agent ARN's region is the region used",
      detail: `the ARN is in ${arnRegion}, calls go to ${region}`,
      fix: `pass --region ${arnRegion} (or unset the region that wins) to check the agent where it runs`,
    });

  // 2. Credentials.
  let credsOk = false;
  try {
    const c = await aws.credentials();
    credsOk = true;
    add({
      id: 'credentials',
      status: 'pass',
      label: 'AWS credentials resolve',
      detail:
        `access ` +
        `key ${c.accessKeyId.slice(0, 4)}…${c.accessKeyId.slice(-4)}${c.sessionToken ? ' (temporary)' : ''}`,
    });
  } catch (e) {
    if (aborting(e)) throw e;
    const err = e instanceof AgentcoreAuthError ? e : fromAwsError(e, 'resolve AWS credentials');
    add({
      id: 'credentials',
      status: 'fail',
      label: 'AWS credentials resolve',
      detail: err.message,
      fix: err.hint ?? hintFor('no-credentials')!.fix,
    });
  }

  // 3. Endpoints reachable (any HTTP answer counts; only a network failure fails).
  let controlReachable = false;
  if (region) {
    for (const service of ['control', 'agentcore'] as const) {
      const url = serviceBaseUrl(deps.env, service, region, input.endpointUrlFlag);
      const label = `${service === 'control' ? 'control plane' : 'data plane'} endpoint reachable`;
      try {
        const started = performance.now();
        const res = await deps.fetch(`${url}/`, { method: 'GET' });
        await res.body?.cancel();
        add({
          id: `endpoint.${service}`,
          status: 'pass',
          label,
          detail: `${url} (HTTP ${res.status}, ${Math.round(performance.now() - started)} ms)`,
        });
        if (service === 'control') controlReachable = true;
      } catch (e) {
        if (aborting(e)) throw e;
        const err = e as AgentcoreAuthError;
        add({
          id: `endpoint.${service}`,
          status: 'fail',
          label,
          detail: err.message?.includes(url) ? err.message : `${url}: ${err.message}`,
          fix: err.hint ?? 'check the endpoint URL and your network (proxy, VPC endpoint, DNS)',
        });
      }
    }
  }
  const canCallControl = !!region && credsOk && controlReachable;
  const skipped = (id: string, label: string, why: string): DoctorCheck =>
    add({ id, status: 'skip', label, detail: `not checked: ${why}` });
  const why = !region ? 'no region' : !credsOk ? 'no credentials' : 'control plane unreachable';

  // 4. The agent runtime.
  let workloadFromAgent: string | undefined;
  let jwtConfig: AuthorizerConfig | undefined;
  if (input.agentArn && !checks.some((c) => c.id === 'runtime.arn')) {
    const ref = parseRuntimeRef(input.agentArn);
    if (!canCallControl) {
      skipped('runtime.exists', `runtime ${ref.id} exists`, why);
    } else {
      const { GetAgentRuntimeCommand } = controlSdk();
      let r: RuntimeShape | undefined;
      try {
        const got: RuntimeShape = await (await aws.control(region)).send(
          new GetAgentRuntimeCommand({ agentRuntimeId: ref.id }),
        );
        r = got;
        add({
          id: 'runtime.exists',
          status: 'pass',
          label: `runtime ${ref.id} exists`,
          detail: got.agentRuntimeArn ?? ref.id,
        });
      } catch (e) {
        add(
          failLine(
            'runtime.exists',
            `runtime ${ref.id} exists`,
            e,
            'GetAgentRuntime',
            `check the ARN or id and the region (${region}); list them: aws bedrock-agentcore-control ` +
              `list-agent-runtimes --region ${region}`,
          ),
        );
      }
      if (r) runtimeChecks(r, add);
      const rt = r;
      workloadFromAgent = rt?.workloadIdentityDetails?.workloadIdentityArn?.split('/').pop();
      const jwt = rt?.authorizerConfiguration?.customJWTAuthorizer;
      if (jwt) jwtConfig = fromSdkAuthorizer(jwt);
      if (jwtConfig) await discoveryCheck(jwtConfig, deps, add);
    }
  }

  // 5. The workload identity and its return URLs.
  const workload = input.workloadName ?? workloadFromAgent;
  if (workload) {
    const label = `workload identity ${workload}`;
    if (!canCallControl) skipped('workload.exists', label, why);
    else {
      const { GetWorkloadIdentityCommand } = controlSdk();
      try {
        const w = await (await aws.control(region)).send(new GetWorkloadIdentityCommand({ name: workload }));
        add({
          id: 'workload.exists',
          status: 'pass',
          label: `${label} exists${input.workloadName ? '' : " (the agent's)"}`,
          detail: w.workloadIdentityArn ?? workload,
        });
        returnUrlCheck(w.allowedResourceOauth2ReturnUrls ?? [], add);
      } catch (e) {
        add(
          failLine(
            'workload.exists',
            `${label} exists`,
            e,
            'GetWorkloadIdentity',
            `check the name and the region (${region}); list them: aws bedrock-agentcore-control ` +
              `list-workload-identities --region ${region}`,
          ),
        );
      }
    }
  }

  // 6. The credential provider: status and callbackUrl.
  if (input.provider) await providerChecks(input.provider, canCallControl ? region : undefined, why, deps, add);

  // 7. Cached tokens, and whether each would pass the agent's authorizer.
  await cacheChecks(deps, jwtConfig, add);

  return { ok: !checks.some((c) => c.status === 'fail'), checks };
}

interface RuntimeShape {
  agentRuntimeArn?: string;
  agentRuntimeName?: string;
  status?: string;
  failureReason?: string;
  authorizerConfiguration?: { customJWTAuthorizer?: Parameters<typeof fromSdkAuthorizer>[0] };
  requestHeaderConfiguration?: { requestHeaderAllowlist?: string[] };
  workloadIdentityDetails?: { workloadIdentityArn?: string };
  protocolConfiguration?: { serverProtocol?: string };
}

function runtimeChecks(r: RuntimeShape, add: (c: DoctorCheck) => DoctorCheck): void {
  const name = r.agentRuntimeName ?? 'runtime';
  const status = r.status ?? 'UNKNOWN';
  if (status === 'READY')
    add({ id: 'runtime.status', status: 'pass', label: `runtime ${name} is READY`, detail: status });
  else if (status === 'CREATING' || status === 'UPDATING') {
    add({
      id: 'runtime.status',
      status: 'warn',
      label: `runtime ${name} is READY`,
      detail: `${status}: invocations may fail until it is READY`,
      fix: 'wait a minute and run doctor again',
    });
  } else {
    add({
      id: 'runtime.status',
      status: 'fail',
      label: `runtime ${name} is READY`,
      detail: `${status}${r.failureReason ? `: ${r.failureReason}` : ''}`,
      fix: status.endsWith('FAILED')
        ? 'fix the cause above and update the runtime (UpdateAgentRuntime), or redeploy'
        : 'the runtime is being deleted; deploy it again',
    });
  }

  const protocol = r.protocolConfiguration?.serverProtocol;
  if (protocol === 'MCP') {
    add({
      id: 'runtime.protocol',
      status: 'pass',
      label: 'protocol: MCP',
      detail:
        `callers POST JSON-RPC with Accept: application/json, text/event-stream ` +
        `and ${HEADERS.mcpProtocolVersion}, echoing ${HEADERS.mcpSessionId} after initialize (agentcore-auth ` +
        `mcp / invoke --mcp do)`,
    });
  } else if (protocol && protocol !== 'HTTP') {
    add({
      id: 'runtime.protocol',
      status: 'pass',
      label: `protocol: ${protocol}`,
      detail: 'callers speak this protocol on /invocations',
    });
  }
  const jwt = r.authorizerConfiguration?.customJWTAuthorizer;
  const allow = (r.requestHeaderConfiguration?.requestHeaderAllowlist ?? []).map((h) => h.toLowerCase());
  const hasAuthz = allow.includes('authorization');
  if (jwt) {
    const cfg = fromSdkAuthorizer(jwt);
    const wants = [
      cfg.allowedClients ? `client_id in [${cfg.allowedClients.join(', ')}]` : '',
      cfg.allowedAudience ? `aud in [${cfg.allowedAudience.join(', ')}]` : '',
      cfg.allowedScopes ? `a scope in [${cfg.allowedScopes.join(', ')}]` : '',
      ...(cfg.customClaims ?? []).map((c) => `${c.name} ${c.operator} ${c.values.join(',')}`),
    ].filter(Boolean);
    add({
      id: 'runtime.inbound',
      status: 'pass',
      label: 'inbound auth: OAuth bearer JWT (customJWTAuthorizer)',
      detail:
        `callers send Authorization: Bearer <JWT> from the IdP ` +
        `at ${cfg.discoveryUrl}${wants.length ? ` with ${wants.join(', ')}` : ''}; SigV4 calls get 403 ` +
        `"${METHOD_MISMATCH}"`,
    });
    if (hasAuthz)
      add({
        id: 'runtime.authorization-header',
        status: 'pass',
        label: 'Authorization is in the request-header allowlist',
        detail: "the agent receives the caller's JWT",
      });
    else {
      add({
        id: 'runtime.authorization-header',
        status: 'warn',
        label: 'Authorization is in the request-header allowlist',
        detail:
          "it is not: the agent never sees the caller's JWT (fine unless the agent reads its claims or passes it on)",
        fix: 'add "Authorization" to requestHeaderConfiguration.requestHeaderAllowlist (UpdateAgentRuntime)',
      });
    }
  } else {
    add({
      id: 'runtime.inbound',
      status: 'pass',
      label: 'inbound auth: IAM SigV4 (no customJWTAuthorizer)',
      detail:
        `callers sign with SigV4 (service bedrock-agentcore) and need ` +
        `bedrock-agentcore:InvokeAgentRuntime; to give the agent a workload token for a user they ` +
        `add ${HEADERS.userId} (needs bedrock-agentcore:InvokeAgentRuntimeForUser); bearer calls get 403 ` +
        `"${METHOD_MISMATCH}"`,
    });
    if (hasAuthz) {
      add({
        id: 'runtime.authorization-header',
        status: 'warn',
        label: 'Authorization is in the request-header allowlist',
        detail: 'it is, but the agent uses SigV4 inbound, so the header is never forwarded',
        fix: "remove it, or add a customJWTAuthorizer if the agent needs the caller's JWT",
      });
    }
  }
}

async function discoveryCheck(
  cfg: AuthorizerConfig,
  deps: DoctorDeps,
  add: (c: DoctorCheck) => DoctorCheck,
): Promise<void> {
  const label = "the authorizer's discovery document is reachable";
  if (!discoveryUrlIsValid(cfg.discoveryUrl)) {
    add({
      id: 'runtime.discovery',
      status: 'fail',
      label,
      detail: `${cfg.discoveryUrl} does not end in /.well-known/openid-configuration`,
      fix: 'set discoveryUrl to <issuer>/.well-known/openid-configuration',
    });
    return;
  }
  try {
    const res = await deps.fetch(cfg.discoveryUrl, { headers: { accept: 'application/json' } });
    const doc = res.ok
      ? ((await res.json().catch(() => undefined)) as { issuer?: unknown; jwks_uri?: unknown } | undefined)
      : undefined;
    if (!res.ok)
      add({
        id: 'runtime.discovery',
        status: 'fail',
        label,
        detail: `${cfg.discoveryUrl} answered HTTP ${res.status}`,
        fix: 'fix discoveryUrl: every token is rejected while AgentCore cannot read it',
      });
    else if (typeof doc?.issuer !== 'string' || typeof doc.jwks_uri !== 'string')
      add({
        id: 'runtime.discovery',
        status: 'fail',
        label,
        detail: `${cfg.discoveryUrl} has no issuer / jwks_uri`,
        fix: "point discoveryUrl at the IdP's OpenID configuration",
      });
    else add({ id: 'runtime.discovery', status: 'pass', label, detail: `issuer ${doc.issuer}` });
  } catch (e) {
    if (aborting(e)) throw e;
    add({
      id: 'runtime.discovery',
      status: 'fail',
      label,
      detail: `${cfg.discoveryUrl}: ${(e as Error).message}`,
      fix: 'check the URL; AgentCore must reach it from the internet (or through privateEndpoint)',
    });
  }
}

function returnUrlCheck(urls: string[], add: (c: DoctorCheck) => DoctorCheck): void {
  const label = 'return URLs registered (allowedResourceOauth2ReturnUrls)';
  if (urls.length === 0) {
    add({
      id: 'workload.return-urls',
      status: 'warn',
      label,
      detail: `none: user-federation (3LO) token requests fail with "${MESSAGES.noReturnUrl}"`,
      fix:
        'register the URL your app or `agentcore-auth callback` serves: agentcore-auth exchange … ' +
        '--register-return-url (or UpdateWorkloadIdentity)',
    });
    return;
  }
  const bad = urls.filter((u) => !PATTERNS.returnUrl.test(u));
  if (bad.length) {
    add({
      id: 'workload.return-urls',
      status: 'fail',
      label,
      detail: `not URLs: ${bad.join(', ')}`,
      fix: 'register absolute URLs (scheme://host/path)',
    });
    return;
  }
  add({ id: 'workload.return-urls', status: 'pass', label, detail: urls.join(', ') });
}

async function providerChecks(
  name: string,
  region: string | undefined,
  why: string,
  deps: DoctorDeps,
  add: (c: DoctorCheck) => DoctorCheck,
): Promise<void> {
  const label = `credential provider ${name}`;
  if (!region) {
    add({ id: 'provider.exists', status: 'skip', label: `${label} exists`, detail: `not checked: ${why}` });
    return;
  }
  const sdk = controlSdk();
  const client = await deps.aws.control(region);
  try {
    const p = await client.send(new sdk.GetOauth2CredentialProviderCommand({ name }));
    add({
      id: 'provider.exists',
      status: 'pass',
      label: `${label} exists`,
      detail: `OAuth2, vendor ${p.credentialProviderVendor ?? '?'}`,
    });
    const status = p.status;
    if (!status || status === 'READY')
      add({
        id: 'provider.status',
        status: 'pass',
        label: `${label} is READY`,
        detail: status ?? 'no status reported',
      });
    else {
      add({
        id: 'provider.status',
        status: status.endsWith('FAILED') ? 'fail' : 'warn',
        label: `${label} is READY`,
        detail: `${status}${p.failureReason ? `: ${p.failureReason}` : ''}`,
        fix: status.endsWith('FAILED')
          ? 'fix the cause and update the provider (UpdateOauth2CredentialProvider)'
          : 'wait, then run doctor again',
      });
    }
    const out = p.oauth2ProviderConfigOutput as Record<string, { clientId?: string } | undefined> | undefined;
    const clientId = out
      ? Object.values(out).find((v) => v && typeof v === 'object' && 'clientId' in v)?.clientId
      : undefined;
    if (p.callbackUrl) {
      add({
        id: 'provider.callback-url',
        status: 'pass',
        label: `${label} callbackUrl`,
        detail:
          `${p.callbackUrl} — register it as a redirect URI ` +
          `of ${clientId ? `client ${clientId}` : 'the OAuth client'} at the IdP (3LO fails with ` +
          `redirect_uri errors otherwise)`,
      });
    } else {
      add({
        id: 'provider.callback-url',
        status: 'warn',
        label: `${label} callbackUrl`,
        detail: 'none reported',
        fix: 'read it with get-oauth2-credential-provider once the provider is READY',
      });
    }
    await oboChecks(name, p, deps.fetch, add);
  } catch (e) {
    if (aborting(e)) throw e;
    const notFound = isNotFound(e);
    if (notFound) {
      try {
        const k = await client.send(new sdk.GetApiKeyCredentialProviderCommand({ name }));
        add({
          id: 'provider.exists',
          status: 'pass',
          label: `${label} exists`,
          detail: `API key provider ${k.credentialProviderArn ?? name}`,
        });
        return;
      } catch (e2) {
        if (aborting(e2)) throw e2;
      }
    }
    add(
      failLine(
        'provider.exists',
        `${label} exists`,
        e,
        'GetOauth2CredentialProvider',
        `check the name and the region (${region}); list them: aws bedrock-agentcore-control ` +
          `list-oauth2-credential-providers --region ${region} (and list-api-key-credential-providers)`,
      ),
    );
  }
}

async function cacheChecks(
  deps: DoctorDeps,
  jwtConfig: AuthorizerConfig | undefined,
  add: (c: DoctorCheck) => DoctorCheck,
): Promise<void> {
  let entries: CacheEntry[];
  try {
    entries = await listEntries(deps.cache);
  } catch (e) {
    add({
      id: 'cache',
      status: 'warn',
      label: 'cached tokens readable',
      detail: (e as Error).message,
      fix: 'agentcore-auth token clear, then log in again',
    });
    return;
  }
  if (entries.length === 0) {
    add({
      id: 'cache',
      status: jwtConfig ? 'warn' : 'pass',
      label: 'cached tokens',
      detail: 'none',
      ...(jwtConfig
        ? { fix: 'log in for this agent: agentcore-auth login --client-id <app client> --username <user>' }
        : {}),
    });
    return;
  }
  const nowMs = deps.now();
  const results: Array<{ entry: CacheEntry; check: DoctorCheck; accepted?: boolean }> = [];
  for (const e of entries) {
    const token = e.tokens.accessToken ?? e.tokens.idToken;
    const exp = jwtExp(token) ?? e.expiresAt;
    const who = [e.username ?? e.subject, e.clientId ? `client ${e.clientId}` : ''].filter(Boolean).join(', ');
    const label = `cached token ${e.name}${who ? ` (${who})` : ''}`;
    const id = `cache.${e.name}`;
    if (exp !== undefined && exp * 1000 <= nowMs) {
      const refreshable = !!e.tokens.refreshToken || e.flow === 'client-credentials';
      results.push({
        entry: e,
        check: refreshable
          ? { id, status: 'pass', label, detail: `expired ${relativeTime(exp, nowMs)}; refreshed on next use` }
          : {
              id,
              status: 'warn',
              label,
              detail: `expired ${relativeTime(exp, nowMs)} and cannot be refreshed`,
              fix: 'log in again (agentcore-auth login …)',
            },
      });
      continue;
    }
    const expiry = exp !== undefined ? `expires ${relativeTime(exp, nowMs)}` : 'expiry unknown';
    if (!jwtConfig || !token) {
      results.push({ entry: e, check: { id, status: 'pass', label, detail: expiry } });
      continue;
    }
    try {
      const predict = (t: string) => predictAuthorizer(t, jwtConfig, { fetch: deps.fetch, now: deps.now });
      const p = await predict(token);
      if (p.accepted) {
        results.push({
          entry: e,
          accepted: true,
          check: { id, status: 'pass', label, detail: `${expiry}; the agent's authorizer would accept it` },
        });
        continue;
      }
      // The access token fails: would the entry's ID token pass (an allowedAudience authorizer)?
      const idToken = e.tokens.accessToken ? e.tokens.idToken : undefined;
      if (idToken && (await predict(idToken)).accepted) {
        results.push({
          entry: e,
          accepted: true,
          check: {
            id,
            status: 'pass',
            label,
            detail:
              `${expiry}; the agent's authorizer would reject its access token (${p.verdict!.claim}) ` +
              `and accept its ID token: call with --bearer ${e.name} --id-token`,
          },
        });
        continue;
      }
      const v = p.verdict!;
      results.push({
        entry: e,
        accepted: false,
        check: {
          id,
          status: 'warn',
          label,
          detail: `${expiry}; the agent's authorizer would reject it: ${v.claim} — ${v.why}`,
          ...(v.fix ? { fix: v.fix } : {}),
        },
      });
    } catch (err) {
      if (aborting(err)) throw err;
      results.push({
        entry: e,
        check: {
          id,
          status: 'pass',
          label,
          detail: `${expiry} (not checked against the authorizer: ${(err as Error).message})`,
        },
      });
    }
  }
  // When some cached login works for this agent, the others are simply for other agents: no warning for them.
  const someAccepted = results.some((r) => r.accepted);
  for (const r of results) {
    if (someAccepted && r.accepted === false) {
      const { fix: _unused, ...rest } = r.check;
      add({ ...rest, status: 'pass', detail: `${r.check.detail} (another cached login works for this agent)` });
    } else add(r.check);
  }
}
