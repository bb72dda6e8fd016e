/**
 * A Map keyed by long strings (bearer tokens, Authorization headers), for the per-invocation caches of the stack.
 *
 * Every request brings its token as a new string, and a Map lookup hashes the whole key: for a 1 KB Cognito token that
 * was ~4 µs of each invocation's CPU, once per cache. Here an entry is found by the key's last TAIL characters (for a
 * JWT, part of its signature) and then confirmed by comparing the whole key, so a different key that shares the tail
 * is a miss, never a wrong hit. Insertion order is kept, as in a Map (the oldest entry is first).
 */
const TAIL = 32;

const tailOf = (key: string): string => (key.length > TAIL ? key.slice(-TAIL) : key);

export class TokenMap<V> {
  readonly #entries = new Map<string, { key: string; value: V }>();

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const e = this.#entries.get(tailOf(key));
    return e !== undefined && e.key === key ? e.value : undefined;
  }

  /** Adds or replaces (an entry whose key shares the tail is replaced: these are caches). */
  set(key: string, value: V): this {
    this.#entries.set(tailOf(key), { key, value });
    return this;
  }

  delete(key: string): boolean {
    const t = tailOf(key);
    const e = this.#entries.get(t);
    return e !== undefined && e.key === key && this.#entries.delete(t);
  }

  /** Drops the oldest entry (bounded caches evict with it). */
  deleteOldest(): void {
    const first = this.#entries.keys().next();
    if (!first.done) this.#entries.delete(first.value);
  }
}
