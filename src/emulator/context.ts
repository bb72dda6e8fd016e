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
  /** What the stack would have sent by mail or SMS (Cognito's confirmation codes): `local` prints them. */
  events?: (event: StackEvent) => void;
}

/** A notable event of the stack for its operator (`local` logs it, and prints it as a JSON line under --json). */
export interface StackEvent {
  kind: 'cognito-code';
  userPoolId: string;
  username: string;
  code: string;
  purpose: 'SignUp' | 'ResendConfirmationCode';
  /** Where Cognito would have sent it (masked, as in CodeDeliveryDetails). */
  destination?: string;
}
