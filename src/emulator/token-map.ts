/**
 * A Map keyed by long strings (bearer tokens, Authorization headers), for the per-invocation caches of the stack.
 *
 * Every request brings its token as a new string, and a Map lookup hashes the whole key: for a 1 KB Cognito token that
 * was ~4 µs of each invocation's CPU, once per cache. Here an entry with a key longer than LONG characters is found by
 * the key's last TAIL characters (for a JWT, part of its signature) and then confirmed by comparing the whole key, so
 * a different key that shares the tail is a miss, never a wrong hit. Shorter keys (query strings, path labels) are
 * used whole: cheap to hash, and they may well share their ends. Insertion order is kept, as in a Map.
 */
const LONG = 256;
const TAIL = 32;

const tailOf = (key: string): string => (key.length > LONG ? key.slice(-TAIL) : key);

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

/**
 * A bounded memo of a function of one string (callers repeat the same few tokens, query strings, path labels): each
 * value is computed once, the oldest dropped past `max`. An undefined result is not kept (it is computed again).
 */
export function memo<T>(fn: (s: string) => T, max = 500): (s: string) => T {
  const m = new TokenMap<T>();
  return (s) => {
    let v = m.get(s);
    if (v === undefined) {
      v = fn(s);
      if (m.size >= max) m.deleteOldest();
      m.set(s, v);
    }
    return v;
  };
}
