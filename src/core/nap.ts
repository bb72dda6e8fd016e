/**
 * napUntil: wait for an event, or at most `ms` (a poll loop's bounded nap, on the injected sleep). When the event comes
 * first the nap's timer is cancelled: a leftover timer keeps Node's event loop, and so the process, alive until it
 * fires (a 250 ms nap left behind by every 3LO exchange held `demo` and `callback` at exit). The run's signal still
 * ends the nap at once: then the returned promise rejects, as the sleep does.
 */
export async function napUntil(
  event: Promise<unknown>,
  ms: number,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const nap = new AbortController();
  const follow = () => nap.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  try {
    await Promise.race([event, sleep(ms, nap.signal)]);
  } finally {
    signal.removeEventListener('abort', follow);
    nap.abort();
  }
}
