/**
 * Sign-ins in progress: the state between InitiateAuth and each RespondToAuthChallenge (NEW_PASSWORD_REQUIRED, the
 * MFA challenges, MFA_SETUP), keyed by the opaque `Session` handed to the client; and USER_SRP_AUTH's state, keyed by
 * its SECRET_BLOCK (Cognito sends no Session with PASSWORD_VERIFIER: the secret block carries the state).
 */
import { randomBytes } from 'node:crypto';
import type { SrpServer } from '../../srp.js';

/** Cognito's sign-in sessions last 3 minutes by default (AuthSessionValidity). */
export const SESSION_TTL_MS = 3 * 60_000;
/** Sessions kept at most (oldest forgotten first), so a load test of failed sign-ins keeps memory bounded. */
const MAX_SESSIONS = 20_000;

export type ChallengeName = 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA' | 'MFA_SETUP' | 'PASSWORD_VERIFIER';

export interface Challenge {
  name: ChallengeName;
  poolId: string;
  clientId: string;
  /** The user's real username (USER_ID_FOR_SRP); for an unknown user of SRP, the name given (fails at the end). */
  username: string;
  /** The sign-in's steps already passed: the password, a new password. */
  passwordChanged: boolean;
  clientMetadata?: Record<string, string>;
  /** Admin flows (AdminInitiateAuth) continue with AdminRespondToAuthChallenge. */
  admin: boolean;
  expiresAt: number;
  srp?: { server: SrpServer; A: bigint; salt: bigint; verifier?: bigint; secretBlock: string };
  /** MFA_SETUP: the secret AssociateSoftwareToken gave for this session, and whether VerifySoftwareToken passed. */
  setup?: { secret?: string; verified: boolean };
}

export class Challenges {
  readonly #byKey = new Map<string, Challenge>();

  constructor(private readonly now: () => number) {}

  /** Stores a challenge; returns its Session (or, for PASSWORD_VERIFIER, its SECRET_BLOCK). */
  open(challenge: Omit<Challenge, 'expiresAt'>): string {
    const key = challenge.srp?.secretBlock ?? randomBytes(96).toString('base64url');
    this.#byKey.set(key, { ...challenge, expiresAt: this.now() + SESSION_TTL_MS });
    if (this.#byKey.size > MAX_SESSIONS) this.#byKey.delete(this.#byKey.keys().next().value!);
    return key;
  }

  /** The live challenge for a key (not consumed). */
  get(key: unknown): Challenge | undefined {
    if (typeof key !== 'string') return undefined;
    const c = this.#byKey.get(key);
    if (c && c.expiresAt <= this.now()) {
      this.#byKey.delete(key);
      return undefined;
    }
    return c;
  }

  close(key: string): void {
    this.#byKey.delete(key);
  }
}

/** An authorization code of the hosted UI (single use, 5 minutes). */
export interface AuthCode {
  poolId: string;
  username: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
}
