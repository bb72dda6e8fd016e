/**
 * The consent flags every command that can meet a 3LO consent takes (`invoke`, `mcp`; `exchange` has the same
 * `--return-url` / `--no-browser` beside its own), their up-front check, and the consent completion itself: open the
 * authorization URL, serve the loopback return URL, CompleteResourceTokenAuth with the identity that made the call.
 */
import { AgentcoreAuthError, usageError } from '../core/errors.js';
import type { Inbound } from '../core/runtime/inbound.js';
import { DEFAULT_RETURN_URL } from '../wire.js';
import type { Io } from './io.js';
import { flag, negatable, value, type OptionsOf } from './options.js';

/** --complete-auth, --return-url, --no-browser; `then` says what happens after the consent (per command). */
export function consentOptions(then: string) {
  return {
    completeAuth: flag(
      '--complete-auth',
      `on a 3LO consent request: open the authorization URL, complete the session on a loopback return URL, ${then}`,
    ),
    returnUrl: value(
      '--return-url <url>',
      `with --complete-auth: loopback return URL to listen on (default ${DEFAULT_RETURN_URL})`,
    ),
    browser: negatable(
      '--no-browser',
      'with --complete-auth: print the authorization URL instead of opening a browser',
    ),
  };
}

export type ConsentFlags = OptionsOf<ReturnType<typeof consentOptions>>;

/**
 * Checked before any network call, whether or not a consent turns up: --return-url must be a return URL AgentCore
 * accepts and a loopback http URL (it is served here), and both it and --no-browser need --complete-auth.
 */
export async function checkConsentFlags(flags: ConsentFlags): Promise<void> {
  if (!flags.completeAuth) {
    if (flags.returnUrl !== undefined)
      throw usageError(
        '--return-url goes with --complete-auth',
        'Add --complete-auth to complete a consent on that URL, or drop --return-url.',
      );
    if (flags.browser === false)
      throw usageError('--no-browser goes with --complete-auth', 'Add --complete-auth, or drop --no-browser.');
    return;
  }
  if (flags.returnUrl === undefined) return;
  const [{ validateReturnUrl }, { isLoopbackUrl }] = await Promise.all([
    import('../core/identity/resource.js'),
    import('../core/loopback.js'),
  ]);
  validateReturnUrl(flags.returnUrl);
  if (!isLoopbackUrl(flags.returnUrl)) {
    throw usageError(
      `--return-url ${flags.returnUrl} is not a loopback http URL, so --complete-auth cannot serve it`,
      `Use http://localhost:<port>/<path> or http://127.0.0.1:<port>/<path> (registered on the workload ` +
        `identity), e.g. ${DEFAULT_RETURN_URL}.`,
    );
  }
}

/**
 * 3LO consent for an authorization URL the agent or gateway handed out: open it (or print it with --no-browser), serve
 * the loopback return URL, call CompleteResourceTokenAuth with the identity that made the call (the same user id, or
 * the very same JWT string).
 */
export async function completeCallerConsent(
  io: Io,
  authorizationUrl: string,
  o: { inbound: Inbound; region: string; returnUrl?: string; browser?: boolean; timeoutMs: number },
): Promise<void> {
  const [{ completeConsent: complete }, { sessionStarter }] = await Promise.all([
    import('../core/identity/consent.js'),
    import('../core/runtime/inbound.js'),
  ]);
  const userIdentifier = sessionStarter(o.inbound);
  if (!userIdentifier) {
    throw new AgentcoreAuthError(
      'ERR_USAGE',
      '--complete-auth needs the identity that started the session: --user-id (SigV4) or a bearer token',
      {
        hint:
          'CompleteResourceTokenAuth takes the same user id, or the same JWT, that the runtime used to mint the ' +
          'workload token.',
      },
    );
  }
  await complete(
    io,
    {
      authorizationUrl,
      userIdentifier,
      startedBy: userIdentifier,
      returnUrl: o.returnUrl ?? DEFAULT_RETURN_URL,
      browser: o.browser ?? true,
      timeoutMs: o.timeoutMs,
      region: o.region,
    },
    io.steps,
  );
}
