/**
 * EmuContext: what every identity-half handler shares (the stack's origin, config, state, credentials, faults, clock
 * and SigV4 check). Its own module so that handlers do not import stack.ts, the file that wires them.
 */
import type { StackConfig } from './config.js';
import type { KeyLease } from './keys.js';
import type { Lambdas } from './lambda.js';
import type { EmuRequest, Faults } from './server.js';
import type { SigV4Result, StackCredentials } from './sigv4.js';
import type { StackState } from './state.js';

export interface EmuContext {
  origin: string;
  config: StackConfig;
  state: StackState;
  credentials: StackCredentials;
  faults: Faults;
  now: () => number;
  verify(req: EmuRequest, service?: string): Promise<SigV4Result>;
  /** The stack's RSA signing keys (user pools, 3LO provider), given back when the stack closes. */
  keys: KeyLease;
  /** The user's Lambda endpoints (`--lambda ARN=URL`): Cognito triggers, gateway interceptors and targets. */
  lambdas: Lambdas;
}
