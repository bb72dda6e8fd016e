/** The authorizer prediction's data: one check per claim, what the service answers, the whole prediction. */
import { MESSAGES } from '../../wire.js';
import type { FetchLike } from '../http.js';
import type { TokenProfile } from './idp.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface ServiceResponse {
  status: number;
  /** The exact message AgentCore sends, when known. */
  message?: string;
  /** false when the status/message is this tool's best guess (agentcore-errors.md marks it UNVERIFIED). */
  confirmed: boolean;
}

export interface AuthorizerCheck {
  /** discoveryUrl | discovery | token | iss | signature | exp | nbf | aud | client_id | scope | <custom claim name> */
  claim: string;
  status: CheckStatus;
  /** What the token has (display text, never the token itself). */
  actual?: string;
  /** What the authorizer wants. */
  expected?: string;
  why?: string;
  fix?: string;
  /** What AgentCore answers when this check fails. */
  response?: ServiceResponse;
}

export interface Prediction {
  accepted: boolean;
  /** The first failed check in the service's order: what the service would answer. */
  verdict?: AuthorizerCheck;
  checks: AuthorizerCheck[];
  warnings: string[];
  token?: { profile: TokenProfile; iss?: string; sub?: string; exp?: number };
  discovery: { url: string; fetchedUrl: string; issuer?: string; jwksUri?: string; keys?: number };
}

export interface PredictDeps {
  fetch: FetchLike;
  now: () => number;
  /**
   * Who enforces the authorizer: a Runtime agent (default) or a Gateway, whose answers differ (agentcore-errors.md §2).
   */
  target?: 'runtime' | 'gateway';
}

/** Tokens expiring within this window get a warning: AgentCore rejects a token that expires during the call. */
export const EXPIRY_WARNING_MS = 60_000;

export const PARSE_RESPONSE: ServiceResponse = { status: 403, message: MESSAGES.failedToParseToken, confirmed: true };
export const claimResponse = (claim: string, confirmed: boolean): ServiceResponse => ({
  status: 401,
  message: MESSAGES.claimMismatch(claim),
  confirmed,
});
