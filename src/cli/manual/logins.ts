/**
 * The cached login names, for shell completion after `--bearer` (`agentcore-auth __complete logins`, one per line).
 * Read the way every `--bearer NAME` reads the cache (core/token-cache.ts), without locking, warning or failing: a
 * completion that cannot read the cache offers nothing.
 */
import type { Env } from '../../core/aws-profile.js';
import { listEntries } from '../../core/token-cache.js';

export async function cachedLoginNames(env: Env, homedir: string): Promise<string[]> {
  try {
    return (await listEntries({ env, homedir })).map((e) => e.name);
  } catch {
    return [];
  }
}
