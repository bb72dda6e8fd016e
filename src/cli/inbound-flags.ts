/**
 * The inbound flags `invoke` and `mcp` share (--auth, --user-id, --bearer-token, --bearer, --id-token) turned into the
 * run's one `Inbound` (core/runtime/inbound.ts): the mode, and the token or user id it carries. The mode is always
 * explicit: contradictions are usage errors, and nothing falls back silently.
 */
import { AgentcoreAuthError, usageError } from '../core/errors.js';
import { LIMITS } from '../wire.js';
import type { RuntimeAuthInfo } from '../core/runtime/inbound.js';
import type { Inbound } from '../core/runtime/inbound.js';
import type { InboundMode } from '../core/runtime/inbound.js';
import type { Io } from './io.js';
import { choice, flag, optionalValue, userId, value, type OptionsOf } from './options.js';

export type { Inbound };

/** The inbound flags `invoke` and `mcp` share. */
export const AUTH_OPTIONS = {
  auth: choice(
    '--auth <mode>',
    'inbound mode: sigv4, bearer, or auto (read the agent authorizer from the control plane)',
    ['sigv4', 'bearer', 'auto'],
  ),
  userId: value(
    '--user-id <id>',
    'SigV4: send X-Amzn-Bedrock-AgentCore-Runtime-User-Id (needs bedrock-agentcore:InvokeAgentRuntimeForUser)',
    userId({ max: LIMITS.userIdMax }),
  ),
  bearerToken: value('--bearer-token <token>', 'bearer JWT to send (- reads it from stdin)', { conflicts: ['bearer'] }),
  bearer: optionalValue(
    '--bearer [name]',
    'bearer JWT from a cached `agentcore-auth login` (default entry when no name), refreshed if it expires ' +
      'within 2 min',
  ),
  idToken: flag(
    '--id-token',
    'with --bearer: send the cached ID token instead of the access token (authorizers with allowedAudience)',
  ),
};

export type AuthFlags = OptionsOf<typeof AUTH_OPTIONS>;

/**
 * Decide the inbound mode from the flags (and, for --auth auto, the agent's configuration read by `lookup`), then
 * resolve the bearer token (flag, stdin or cached login, refreshed when about to expire).
 */
export async function resolveInbound(
  io: Io,
  flags: AuthFlags,
  lookup?: () => Promise<RuntimeAuthInfo>,
): Promise<Inbound> {
  const hasBearer = flags.bearerToken !== undefined || flags.bearer !== undefined;
  checkAuthFlags(flags, hasBearer);
  const { mode, why, authInfo } =
    flags.auth === 'auto' ? await autoMode(hasBearer, lookup) : flagMode(flags, hasBearer);
  const out: Inbound = { mode, why, ...(authInfo ? { authInfo } : {}) };
  if (flags.userId !== undefined) out.userId = flags.userId;
  if (mode === 'bearer') {
    const { resolveBearer } = await import('./bearer.js');
    const bearerFlags =
      flags.bearerToken !== undefined ? { bearerToken: flags.bearerToken } : { bearer: flags.bearer ?? true };
    const resolved = await resolveBearer(io, bearerFlags, { use: flags.idToken ? 'id' : 'access' });
    out.token = resolved.token;
    out.tokenSource = resolved.source;
    if (flags.userId !== undefined) {
      io.ui.warn(
        '--user-id with a bearer token: the header is sent, but the service ignores it on the bearer path (the ' +
          'user comes from the JWT).',
      );
    }
  }
  return out;
}

function checkAuthFlags(flags: AuthFlags, hasBearer: boolean): void {
  if (flags.auth === 'sigv4' && hasBearer) {
    throw usageError(
      '--auth sigv4 contradicts --bearer-token/--bearer',
      'SigV4 requests carry no bearer token. Drop one of the two.',
    );
  }
  if (flags.idToken && flags.bearer === undefined && flags.auth !== 'bearer' && flags.auth !== 'auto') {
    throw usageError('--id-token works with --bearer [NAME] (a cached login)');
  }
}

interface ModeChoice {
  mode: InboundMode;
  /** Why this mode, in words (narrative). */
  why: string;
  authInfo?: RuntimeAuthInfo;
}

/** --auth auto: the agent's (or gateway's) authorizer configuration decides. */
async function autoMode(hasBearer: boolean, lookup: (() => Promise<RuntimeAuthInfo>) | undefined): Promise<ModeChoice> {
  if (!lookup) throw usageError('--auth auto needs an agent to read the configuration of');
  let authInfo: RuntimeAuthInfo;
  try {
    authInfo = await lookup();
  } catch (e) {
    if (e instanceof AgentcoreAuthError) {
      e.hint =
        `--auth auto reads the configuration with the control plane (needs ` +
        `bedrock-agentcore:GetAgentRuntime / GetGateway). Without that permission, choose the mode yourself: ` +
        `--user-id ID or --auth sigv4 (SigV4), --bearer-token TOKEN or --bearer NAME ` +
        `(bearer).${e.hint ? ` ${e.hint}` : ''}`;
    }
    throw e;
  }
  const { describeAuth } = await import('../core/runtime/auth-mode.js');
  if (authInfo.mode === 'sigv4' && hasBearer) {
    throw new AgentcoreAuthError(
      'ERR_USAGE',
      'the agent expects SigV4 (it has no customJWTAuthorizer), but a bearer token was given',
      {
        hint:
          'Drop --bearer-token/--bearer (a SigV4 request cannot carry it), or configure a JWT authorizer ' +
          'on the agent.',
      },
    );
  }
  return { mode: authInfo.mode, why: `--auth auto: the agent uses ${describeAuth(authInfo)}`, authInfo };
}

/** The mode the flags name: bearer with a bearer flag or --auth bearer, else SigV4. */
function flagMode(flags: AuthFlags, hasBearer: boolean): ModeChoice {
  if (flags.auth === 'bearer' || hasBearer) {
    return {
      mode: 'bearer',
      why:
        flags.auth === 'bearer' && !hasBearer
          ? '--auth bearer (default cached login)'
          : flags.bearerToken !== undefined
            ? '--bearer-token'
            : '--bearer',
    };
  }
  return {
    mode: 'sigv4',
    why: flags.userId !== undefined ? '--user-id' : flags.auth === 'sigv4' ? '--auth sigv4' : 'no bearer flag',
  };
}
