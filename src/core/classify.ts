/**
 * One classifier for every error the tool meets: `classify(error)` reduces it to its facts (error name, HTTP status,
 * message, request id) and names its kind from the recognition table in src/wire.ts (SERVICE_ERRORS), so that the
 * hints, the invoke and gateway failure mapping, the diagrams, doctor, setup and the Cognito refresh all read the same
 * services' messages the same way. Kinds that no service message names (network, timeout, interrupted) come from our
 * own errors' codes.
 */
import { AgentcoreAuthError, isAbortError } from './errors.js';
import { SERVICE_ERRORS, type ServiceErrorKind } from '../wire.js';

export type ErrorKind = ServiceErrorKind | 'network' | 'timeout' | 'interrupted' | 'unknown';

/** What every error is reduced to. */
export interface ErrorFacts {
  /** The AWS error type (x-amzn-errortype / __type / the SDK exception's name), an OAuth `error`, or similar. */
  name?: string;
  /** The HTTP status of the failed response, when there was one. */
  status?: number;
  message: string;
  requestId?: string;
}

export interface Classified extends ErrorFacts {
  kind: ErrorKind;
  /** For the claim kinds: the claim the authorizer refused (client_id, aud, scope, a custom claim). */
  claim?: string;
}

/** The kinds that mean "the AWS credentials themselves are wrong or stale", whatever else the request carried. */
export const CREDENTIAL_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'signature-mismatch',
  'expired-credentials',
  'sso-session-expired',
  'no-credentials',
]);

/** The kinds of a customJWTAuthorizer claim refusal. */
export const CLAIM_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'claim-client-id',
  'claim-aud',
  'claim-iss',
  'claim-scope',
  'claim-generic',
]);

/** Any claim refusal; its first group is the claim. */
const CLAIM = SERVICE_ERRORS.find((s) => s.kind === 'claim-generic')!.message;

/**
 * The error name a pasted message starts with: `ThrottlingException: …`, `RuntimeClientError: …`, `invalid_client: …`,
 * or the `__type` of a JSON error body.
 */
export function errorNameOf(text: string): string | undefined {
  const type = /"__type"\s*:\s*"(?:[\w.]+#)?(\w+)"/.exec(text);
  if (type) return type[1];
  const lead = /^\s*(?:An error occurred \()?([A-Za-z]+(?:Exception|Error|Fault)|[a-z]+(?:_[a-z]+)+)\b/.exec(text);
  return lead?.[1];
}

/** The facts of anything thrown or said: our errors, SDK exceptions, OAuth errors, failure facts, pasted text. */
export function errorFacts(error: unknown): ErrorFacts {
  if (typeof error === 'string') {
    const name = errorNameOf(error);
    return { ...(name ? { name } : {}), message: error };
  }
  const e = (error ?? {}) as {
    name?: unknown;
    errorName?: unknown;
    error?: unknown;
    message?: unknown;
    status?: unknown;
    requestId?: unknown;
    $metadata?: { httpStatusCode?: number; requestId?: string };
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (error instanceof AgentcoreAuthError) {
    const d = error.details;
    return {
      ...(typeof d.errorName === 'string' ? { name: d.errorName } : {}),
      ...(typeof d.status === 'number' ? { status: d.status } : {}),
      message,
      ...(typeof d.requestId === 'string' ? { requestId: d.requestId } : {}),
    };
  }
  const name = [e.errorName, e.error, e.name].find((n): n is string => typeof n === 'string' && n !== 'Error');
  const status = typeof e.status === 'number' ? e.status : e.$metadata?.httpStatusCode;
  const requestId = typeof e.requestId === 'string' ? e.requestId : e.$metadata?.requestId;
  return {
    ...(name ? { name } : {}),
    ...(status !== undefined ? { status } : {}),
    message,
    ...(requestId ? { requestId } : {}),
  };
}

/** The kind of an error: a message match wins over a name match, which wins over a status match. */
export function classify(error: unknown): Classified {
  const facts = errorFacts(error);
  return { ...facts, ...kindOf(error, facts) };
}

function kindOf(error: unknown, f: ErrorFacts): { kind: ErrorKind; claim?: string } {
  const msg = f.message;
  const byMessage = SERVICE_ERRORS.find((s) => 'message' in s && s.message.test(msg));
  if (byMessage) {
    const claim = CLAIM_KINDS.has(byMessage.kind) ? CLAIM.exec(msg)?.[1] : undefined;
    return { kind: byMessage.kind, ...(claim ? { claim } : {}) };
  }
  const own = ownKind(error);
  if (own) return { kind: own };
  const name = (f.name ?? errorNameOf(msg))?.toLowerCase();
  const byName = name
    ? SERVICE_ERRORS.find((s) => 'names' in s && s.names.some((n) => n.toLowerCase() === name))
    : undefined;
  if (byName) return { kind: byName.kind };
  const status = f.status;
  const byStatus =
    status !== undefined
      ? SERVICE_ERRORS.find((s) => 'statuses' in s && (s.statuses as readonly number[]).includes(status))
      : undefined;
  return { kind: byStatus?.kind ?? 'unknown' };
}

/** Our own errors that no service message names: the network, a timeout, an interruption. */
function ownKind(error: unknown): ErrorKind | undefined {
  if (error instanceof AgentcoreAuthError) {
    if (error.code === 'ERR_NETWORK') return 'network';
    if (error.code === 'ERR_TIMEOUT') return 'timeout';
    if (error.code === 'ERR_INTERRUPTED') return 'interrupted';
    return undefined;
  }
  return error && typeof error === 'object' && isAbortError(error) ? 'interrupted' : undefined;
}

/** A missing resource, whatever its kind or message (the resource named does not exist). */
export function isNotFound(error: unknown): boolean {
  const c = classify(error);
  return (
    c.kind === 'not-found' ||
    c.kind === 'provider-not-found' ||
    c.kind === 'cognito-user-not-found' ||
    c.name === 'ResourceNotFoundException' ||
    c.status === 404
  );
}
