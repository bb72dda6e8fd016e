/** Small helpers of the gateway half. */
import { decodeJwt } from 'jose';

/** The claims of a JWT, unverified (undefined when it is not one). */
export function claimsOf(token: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The members of a request body that `keys` names and it holds (neither undefined nor null), and nothing else. */
export function membersOf(body: object, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) {
    const v = (body as JsonObject)[k];
    if (v !== undefined && v !== null) out[k] = v;
  }
  return out;
}
