/**
 * The cached-token lines: each login in the token cache, whether it expired (and can be refreshed), and whether the
 * agent's authorizer would accept it (or its ID token). When one login works for this agent, the others are simply
 * for other agents: no warning for them.
 */
import type { AuthorizerConfig } from '../authorizer-prediction/config.js';
import { predictAuthorizer } from '../authorizer-prediction/predict.js';
import { jwtExp, relativeTime } from '../jwt.js';
import { listEntries, type CacheEntry } from '../token-cache.js';
import { aborting, type AddCheck, type DoctorCheck, type DoctorDeps } from './common.js';

interface EntryResult {
  check: DoctorCheck;
  /** Whether the agent's authorizer would accept the login; undefined when not checked. */
  accepted?: boolean;
}

export async function cacheChecks(deps: DoctorDeps, jwtConfig: AuthorizerConfig | undefined, add: AddCheck) {
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
  const results: EntryResult[] = [];
  for (const e of entries) results.push(await entryCheck(e, deps, jwtConfig));
  const someAccepted = results.some((r) => r.accepted);
  for (const r of results) {
    if (someAccepted && r.accepted === false) {
      const { fix: _unused, ...rest } = r.check;
      add({ ...rest, status: 'pass', detail: `${r.check.detail} (another cached login works for this agent)` });
    } else add(r.check);
  }
}

async function entryCheck(e: CacheEntry, deps: DoctorDeps, jwtConfig: AuthorizerConfig | undefined) {
  const nowMs = deps.now();
  const token = e.tokens.accessToken ?? e.tokens.idToken;
  const exp = jwtExp(token) ?? e.expiresAt;
  const who = [e.username ?? e.subject, e.clientId ? `client ${e.clientId}` : ''].filter(Boolean).join(', ');
  const line = { id: `cache.${e.name}`, label: `cached token ${e.name}${who ? ` (${who})` : ''}` };
  if (exp !== undefined && exp * 1000 <= nowMs) {
    const refreshable = !!e.tokens.refreshToken || e.flow === 'client-credentials';
    const check: DoctorCheck = refreshable
      ? { ...line, status: 'pass', detail: `expired ${relativeTime(exp, nowMs)}; refreshed on next use` }
      : {
          ...line,
          status: 'warn',
          detail: `expired ${relativeTime(exp, nowMs)} and cannot be refreshed`,
          fix: 'log in again (agentcore-auth login …)',
        };
    return { check };
  }
  const expiry = exp !== undefined ? `expires ${relativeTime(exp, nowMs)}` : 'expiry unknown';
  if (!jwtConfig || !token) return { check: { ...line, status: 'pass', detail: expiry } } satisfies EntryResult;
  try {
    return await authorizerVerdict(e, token, jwtConfig, deps, { ...line, expiry });
  } catch (err) {
    if (aborting(err)) throw err;
    return {
      check: {
        ...line,
        status: 'pass',
        detail: `${expiry} (not checked against the authorizer: ${(err as Error).message})`,
      },
    } satisfies EntryResult;
  }
}

/** The login's access token against the authorizer; when it fails, whether its ID token would pass instead. */
async function authorizerVerdict(
  e: CacheEntry,
  token: string,
  jwtConfig: AuthorizerConfig,
  deps: DoctorDeps,
  line: { id: string; label: string; expiry: string },
): Promise<EntryResult> {
  const { id, label, expiry } = line;
  const predict = (t: string) => predictAuthorizer(t, jwtConfig, { fetch: deps.fetch, now: deps.now });
  const p = await predict(token);
  if (p.accepted) {
    return {
      accepted: true,
      check: { id, status: 'pass', label, detail: `${expiry}; the agent's authorizer would accept it` },
    };
  }
  // The access token fails: would the entry's ID token pass (an allowedAudience authorizer)?
  const idToken = e.tokens.accessToken ? e.tokens.idToken : undefined;
  if (idToken && (await predict(idToken)).accepted) {
    return {
      accepted: true,
      check: {
        id,
        status: 'pass',
        label,
        detail:
          `${expiry}; the agent's authorizer would reject its access token (${p.verdict!.claim}) ` +
          `and accept its ID token: call with --bearer ${e.name} --id-token`,
      },
    };
  }
  const v = p.verdict!;
  return {
    accepted: false,
    check: {
      id,
      status: 'warn',
      label,
      detail: `${expiry}; the agent's authorizer would reject it: ${v.claim} — ${v.why}`,
      ...(v.fix ? { fix: v.fix } : {}),
    },
  };
}
