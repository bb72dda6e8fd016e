/**
 * CompleteResourceTokenAuth with the binding rule made visible (used by the 3LO flow in user-federation.ts and by
 * `callback`), and shortUrn for display.
 */
import { classify } from '../classify.js';
import { fromAwsError } from '../aws.js';
import { AgentcoreAuthError } from '../errors.js';
import { describeIdentifier, sameIdentifier, type UserIdentifier } from './binding.js';
import type { IdentityIo } from './io.js';
import { agentcoreSdk } from '../../sdk.js';

/**
 * CompleteResourceTokenAuth. A refusal ("Invalid or expired session", AccessDenied) becomes ERR_AUTH (exit 4) whose
 * message shows the binding: "started by <A>, completed with <B>" when the starting artifact is known.
 */
export async function completeSession(
  io: IdentityIo,
  options: { sessionUri: string; userIdentifier: UserIdentifier; startedBy?: UserIdentifier; region?: string },
): Promise<void> {
  const dp = await io.aws.agentcore(options.region);
  const { CompleteResourceTokenAuthCommand } = agentcoreSdk();
  try {
    await dp.send(
      new CompleteResourceTokenAuthCommand({ sessionUri: options.sessionUri, userIdentifier: options.userIdentifier }),
      {
        abortSignal: io.ctx.signal,
      },
    );
  } catch (e) {
    const err = fromAwsError(e, 'CompleteResourceTokenAuth');
    if (err.code === 'ERR_AUTH' || classify(e).kind === 'invalid-or-expired-session')
      throw bindingError(io, err, options);
    throw err;
  }
}

function bindingError(
  io: IdentityIo,
  cause: AgentcoreAuthError,
  options: { userIdentifier: UserIdentifier; startedBy?: UserIdentifier },
): AgentcoreAuthError {
  const now = io.ctx.now();
  const completed = describeIdentifier(options.userIdentifier, now);
  const started = options.startedBy ? describeIdentifier(options.startedBy, now) : undefined;
  const serviceMsg = cause.message.replace(/^CompleteResourceTokenAuth failed: /, '');
  const mismatch = options.startedBy && !sameIdentifier(options.startedBy, options.userIdentifier);
  const binding = started ? `started by ${started}, completed with ${completed}` : `completed with ${completed}`;
  const hint = mismatch
    ? 'CompleteResourceTokenAuth needs the exact artifact that minted the workload token which started the ' +
      'session: the same user id string, or the very same JWT string (a fresh JWT for the same person is ' +
      'refused). Complete with the starting identifier.'
    : started
      ? 'The identifier matches the one that started the session, so the session itself is stale: it expired ' +
        '(about 10 minutes), was already completed, or belongs to another workload. Start the flow again.'
      : 'CompleteResourceTokenAuth needs the exact artifact that minted the workload token which started the ' +
        'session: the same user id string, or the very same JWT string (a fresh JWT for the same person is ' +
        'refused). Otherwise the session expired or was already completed.';
  return new AgentcoreAuthError('ERR_AUTH', `session refused (${serviceMsg}): ${binding}`, {
    hint,
    details: { ...cause.details, binding: { ...(started ? { startedBy: started } : {}), completedWith: completed } },
    cause,
  });
}

export function shortUrn(urn: string): string {
  const id = urn.replace(/^urn:ietf:params:oauth:request_uri:/, '');
  return id.length > 12 ? `urn:…:${id.slice(0, 8)}…` : urn;
}
