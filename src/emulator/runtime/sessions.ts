/**
 * Runtime sessions: which session ids each runtime has seen and when last (StopRuntimeSession ends one; a session idle
 * longer than the runtime's idleRuntimeSessionTimeout is gone). Bounded across runtimes: past MAX_SESSIONS the least
 * recently used session of the runtime with the most is forgotten.
 */
export const MAX_SESSIONS = 10_000;

export class SessionTable {
  /** runtime id → session id → last use (least recently used first). */
  readonly #byRuntime = new Map<string, Map<string, number>>();
  #count = 0;

  constructor(private readonly max = MAX_SESSIONS) {}

  touch(runtimeId: string, sessionId: string): void {
    let m = this.#byRuntime.get(runtimeId);
    if (!m) {
      m = new Map();
      this.#byRuntime.set(runtimeId, m);
    }
    if (m.delete(sessionId)) this.#count--;
    m.set(sessionId, Date.now());
    if (++this.#count > this.max) {
      let biggest = m;
      for (const x of this.#byRuntime.values()) if (x.size > biggest.size) biggest = x;
      biggest.delete(biggest.keys().next().value!);
      this.#count--;
    }
  }

  forget(runtimeId: string, sessionId: string): void {
    if (this.#byRuntime.get(runtimeId)?.delete(sessionId)) this.#count--;
  }

  /** Every session of a runtime (DeleteAgentRuntime). */
  forgetRuntime(runtimeId: string): void {
    const m = this.#byRuntime.get(runtimeId);
    if (!m) return;
    this.#count -= m.size;
    this.#byRuntime.delete(runtimeId);
  }

  alive(runtimeId: string, sessionId: string, idleMs: number): boolean {
    const t = this.#byRuntime.get(runtimeId)?.get(sessionId);
    return t !== undefined && Date.now() - t < idleMs;
  }
}
