/**
 * napUntil: the bounded nap of a poll loop (3LO consent wait, `callback`). The nap's timer must not outlive the wait:
 * a leftover timer keeps the process alive until it fires (every 3LO exchange used to leave a 250 ms one behind, which
 * held `demo` at exit).
 */
import { describe, expect, it } from 'vitest';
import { napUntil } from '../../src/core/nap.js';
import { sleep } from '../../src/cli/context.js';

/** The real sleep, recording the signal each nap got. */
function recordingSleep() {
  const signals: AbortSignal[] = [];
  return {
    signals,
    sleep: (ms: number, signal?: AbortSignal) => {
      signals.push(signal!);
      return sleep(ms, signal);
    },
  };
}

describe('napUntil', () => {
  it('returns when the event comes first and cancels the nap (no timer left behind)', async () => {
    const { signals, sleep: s } = recordingSleep();
    await napUntil(Promise.resolve(), 60_000, s, new AbortController().signal);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
  });

  it('returns after the nap when no event comes', async () => {
    const { signals, sleep: s } = recordingSleep();
    await napUntil(new Promise(() => undefined), 1, s, new AbortController().signal);
    expect(signals[0]!.aborted).toBe(true);
  });

  it("the run's signal ends the nap at once, with the signal's reason", async () => {
    const run = new AbortController();
    const { sleep: s } = recordingSleep();
    const napping = napUntil(new Promise(() => undefined), 60_000, s, run.signal);
    run.abort(new Error('interrupted by SIGINT'));
    await expect(napping).rejects.toThrow('interrupted by SIGINT');
  });

  it('an already aborted run does not nap', async () => {
    const run = new AbortController();
    run.abort(new Error('gone'));
    await expect(napUntil(new Promise(() => undefined), 60_000, sleep, run.signal)).rejects.toThrow('gone');
  });
});
