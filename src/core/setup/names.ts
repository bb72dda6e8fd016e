/**
 * What `setup --name NAME` makes, by name: every resource's name (or tag) is derived from NAME here, so that `setup`
 * finds its own resources again and `teardown` deletes exactly those, never anything matched by a broad pattern.
 */
import { randomInt } from 'node:crypto';
import { usageError } from '../errors.js';
import { DEFAULT_REDIRECT_URI, DEFAULT_RETURN_URL } from '../../wire.js';

/** The user pool tag setup writes and teardown requires (UserPoolTags; also sent on the AgentCore resources). */
export const SETUP_TAG_KEY = 'agentcore-auth:setup';
/**
 * Set on the pool by `setup --with-identity` before it creates AgentCore resources, so that teardown looks for them
 * (and needs bedrock-agentcore permissions) only when setup made them.
 */
export const IDENTITY_TAG_KEY = 'agentcore-auth:with-identity';
export const DEFAULT_SETUP_NAME = 'dev';
/** The resource-server scope the runtime's authorizer and the M2M client use. */
export const INVOKE_SCOPE = 'invoke';
/** How often a taken hosted-UI domain prefix is retried with a new suffix. */
export const DOMAIN_ATTEMPTS = 5;

const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** Cognito refuses these words in a domain prefix. */
const RESERVED = ['aws', 'amazon', 'cognito'];

export interface SetupNames {
  name: string;
  poolName: string;
  tag: { key: string; value: string };
  resourceServer: { identifier: string; name: string; scope: string };
  clients: { app: string; m2m: string; public: string };
  username: string;
  workloadName: string;
  providerName: string;
  /** The loopback redirect `login --auth-flow authorization-code` listens on. */
  redirectUri: string;
  /** Return URLs registered on the workload identity (`exchange`/`callback` defaults). */
  returnUrls: string[];
  domainPrefix(suffix: string): string;
}

export function validateSetupName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw usageError(
      `invalid --name ${JSON.stringify(name)}: 1–32 characters of a-z 0-9 and -, starting and ending with a ` +
        `letter or digit`,
      'NAME becomes part of the user pool name, the hosted-UI domain prefix and the AgentCore resource names ' +
        '(e.g. --name dev).',
    );
  }
  const reserved = RESERVED.find((w) => name.includes(w));
  if (reserved) {
    throw usageError(
      `invalid --name ${JSON.stringify(name)}: Cognito domain prefixes may not contain "${reserved}"`,
      'Pick a NAME without aws, amazon or cognito in it.',
    );
  }
  return name;
}

export function setupNames(rawName: string): SetupNames {
  const name = validateSetupName(rawName);
  const base = `agentcore-auth-${name}`;
  const loopback = DEFAULT_RETURN_URL.replace('//localhost:', '//127.0.0.1:');
  return {
    name,
    poolName: base,
    tag: { key: SETUP_TAG_KEY, value: name },
    resourceServer: { identifier: base, name: `${base} API`, scope: `${base}/${INVOKE_SCOPE}` },
    clients: { app: `${base}-app`, m2m: `${base}-m2m`, public: `${base}-public` },
    username: 'test-user',
    workloadName: base,
    providerName: base,
    redirectUri: DEFAULT_REDIRECT_URI,
    returnUrls: loopback === DEFAULT_RETURN_URL ? [DEFAULT_RETURN_URL] : [DEFAULT_RETURN_URL, loopback],
    domainPrefix: (suffix) => `${base}-${suffix}`,
  };
}

/** Six lower-case letters or digits from a random id (`ctx.randomId()`, a UUID): the domain prefix suffix. */
export function domainSuffix(randomId: string): string {
  const chars = randomId.toLowerCase().replace(/[^a-z0-9]/g, '');
  return chars.length >= 6 ? chars.slice(0, 6) : chars.padEnd(6, '0');
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
/** Symbols Cognito counts as symbols that need no quoting in a shell, a docker --env-file or a dotenv file. */
const SYMBOLS = '-_.:+=@%';

/**
 * A strong password that meets any Cognito password policy (length 24; lower, upper, digit and symbol) and can be
 * written to an env file unquoted.
 */
export function generatePassword(length = 24): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const pick = (set: string) => set[randomInt(set.length)]!;
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  // Start with a letter: some tools treat a leading - or = specially.
  const first = chars.findIndex((c) => /[A-Za-z]/.test(c));
  [chars[0], chars[first]] = [chars[first]!, chars[0]!];
  return chars.join('');
}
