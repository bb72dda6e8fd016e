/**
 * Values that travel in HTTP headers, checked once: a header line (`name:value`), a header value, a user id. What an
 * HTTP/1.1 header carries is an RFC 7230 token for the name and visible ASCII (spaces and tabs inside) for the value;
 * anything else fails deep in fetch or the SDK ("Invalid character in header content") or is mangled on the way.
 */
import { usageError } from './errors.js';

/** RFC 7230 token (a header name). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value: visible ASCII, with spaces and tabs only inside (empty allowed). */
const FIELD_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?)?$/;

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

export function isHeaderValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

/** A value short enough to quote in an error message. */
export function quoted(raw: string): string {
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
}

/** Refuse a value an HTTP header cannot carry; `what` names it (`-H tenant`, `--traceparent`). */
export function checkHeaderValue(value: string, what: string): string {
  if (!isHeaderValue(value)) {
    throw usageError(
      `${what}: the value may hold only visible ASCII characters and inner spaces (no line breaks, control ` +
        'characters, accents or emoji): HTTP headers carry nothing else',
      'Encode other text yourself (for example percent- or base64-encode it) and decode it where it is read.',
    );
  }
  return value;
}

/** `name:value` → [name, value], both trimmed; `flag` names the option in errors (`-H`). */
export function parseHeaderLine(raw: string, flag = '-H'): [string, string] {
  const i = raw.indexOf(':');
  if (i <= 0) {
    throw usageError(
      `${flag} ${quoted(raw)}: expected name:value`,
      'Example: -H tenant:acme (sent as X-Amzn-Bedrock-AgentCore-Runtime-Custom-tenant: acme).',
    );
  }
  const name = raw.slice(0, i).trim();
  const value = raw.slice(i + 1).trim();
  if (!isHeaderName(name)) {
    throw usageError(
      `${flag} ${quoted(raw)}: ${quoted(name)} is not a valid header name`,
      "A header name is letters, digits and !#$%&'*+.^_`|~- (an RFC 7230 token).",
    );
  }
  checkHeaderValue(value, `${flag} ${name}`);
  return [name, value];
}

/**
 * A user id: 1–`max` characters (1024 for the runtime's user-id header, 128 for AgentCore Identity) of what a header
 * carries. The runtime sends it as X-Amzn-Bedrock-AgentCore-Runtime-User-Id, and a user id given to `exchange` or
 * `callback` must equal that header's value to complete a 3LO session, so one character set serves both.
 */
export function checkUserId(id: string, o: { max: number; flag?: string }): string {
  const flag = o.flag ?? '--user-id';
  if (id.length < 1 || id.length > o.max) throw usageError(`${flag} must be 1–${o.max} characters, got ${id.length}`);
  if (!isHeaderValue(id)) {
    throw usageError(
      `${flag} may hold only visible ASCII characters (letters, digits, punctuation) and inner spaces, ` +
        `got ${quoted(id)}`,
      'The runtime sends the user id as an HTTP header (X-Amzn-Bedrock-AgentCore-Runtime-User-Id), which carries ' +
        'nothing else: use an ASCII id (the IdP subject, or an email address).',
    );
  }
  return id;
}
