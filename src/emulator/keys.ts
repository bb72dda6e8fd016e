/**
 * The RSA signing keys of a stack's token issuers (each user pool, the 3LO provider). A 2048-bit RSA key takes 50 to
 * 300 ms of CPU to generate; a process that starts stack after stack (a test worker, a bench) would spend most of a
 * stack's start-up on it. So a stack leases its keys: on close they go back to a process-wide spare list and the next
 * stack started in the process takes them from there instead of generating new ones.
 *
 * Two live issuers never hold the same key: a key is handed to one lease at a time and comes back only when its stack
 * is closed or its user pool deleted (DeleteUserPool: the pool's issuer and JWKS are gone with it). Issuers, key ids (a
 * user pool's `kid` is drawn anew for every pool) and everything a token is checked against besides the key bytes stay
 * per stack. `agentcore-auth local` starts one stack per process, so there every key is fresh.
 */
import { webcrypto } from 'node:crypto';
import type { CryptoKey } from 'jose';

export interface RsaKeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

const spare: RsaKeyPair[] = [];
/** Keys asked for ahead of a stack's start (prepareKeys), still being generated. */
const coming: Array<Promise<RsaKeyPair>> = [];

/**
 * An RS256 key pair, extractable (the 3LO provider hands its private JWK to oidc-provider): what jose's
 * generateKeyPair('RS256', { extractable: true }) does, without loading jose (prepareKeys runs before anything else).
 */
function generateRsa(): Promise<RsaKeyPair> {
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: Uint8Array.of(1, 0, 1),
    modulusLength: 2048,
  };
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<RsaKeyPair>;
}

/**
 * Start generating `count` keys now, on the thread pool, for a stack about to start in this process (spare keys
 * count): a command that starts one (`demo`) calls this before it loads the stack's modules, so that the generation
 * (50-300 ms each, more on a busy machine) overlaps the import instead of following it.
 */
export function prepareKeys(count: number): void {
  for (let n = spare.length + coming.length; n < count; n++) {
    const key = generateRsa();
    key.catch(() => undefined); // a failure reaches the lease that takes this promise
    coming.push(key);
  }
}

/** The keys one stack holds, given back to the process together when the stack closes. */
export class KeyLease {
  private readonly held: RsaKeyPair[] = [];
  private released = false;

  /** An RS256 key pair (extractable: the 3LO provider hands its private JWK to oidc-provider). */
  async rsa(): Promise<RsaKeyPair> {
    const key = spare.pop() ?? (await (coming.shift() ?? generateRsa()));
    // generated after the stack was closed (a start that failed half-way): straight back to the spare list
    if (this.released) spare.push(key);
    else this.held.push(key);
    return key;
  }

  /** A key whose issuer is gone while the stack runs (a deleted user pool). */
  giveBack(key: RsaKeyPair): void {
    const i = this.held.findIndex((k) => k.privateKey === key.privateKey);
    if (i !== -1) spare.push(...this.held.splice(i, 1));
  }

  /** Called once the stack's servers are closed: its keys may serve the next stack started in this process. */
  release(): void {
    this.released = true;
    spare.push(...this.held.splice(0));
  }
}
