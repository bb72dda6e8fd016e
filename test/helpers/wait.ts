/** Waiting on a command that runs in the background: vi.waitFor, never a hand-written polling loop. */
import { vi } from 'vitest';

/**
 * Resolves once `read()` contains `text`, or once `run` has settled (a command that fails before it gets there: the
 * caller asserts on its result). Checks every 10 ms; rejects after `timeout` ms with what it was waiting for.
 */
export async function untilOutput(read: () => string, text: string, run: Promise<unknown>, timeout = 3000) {
  let settled = false;
  void run.then(
    () => (settled = true),
    () => (settled = true),
  );
  await vi.waitFor(
    () => {
      if (!settled && !read().includes(text)) throw new Error(`still waiting for "${text}" in the output`);
    },
    { timeout, interval: 10 },
  );
}

/** The first capture group of `pattern` in `read()`, as soon as it appears (every 10 ms, at most `timeout` ms). */
export function untilMatch(read: () => string, pattern: RegExp, timeout = 3000): Promise<string> {
  return vi.waitFor(
    () => {
      const found = pattern.exec(read())?.[1];
      if (found === undefined) throw new Error(`still waiting for ${pattern} in the output`);
      return found;
    },
    { timeout, interval: 10 },
  );
}

/**
 * An injected clock (`now`, `sleep` for a test context) whose sleep advances time at once and yields one event-loop
 * turn: timeouts run out without waiting.
 */
export function fakeClock(start = Date.now()): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
      await new Promise((res) => setImmediate(res));
    },
  };
}
