/**
 * ListUsers' `Filter`: `AttributeName Filter-Type "AttributeValue"`, one attribute, `=` (exact) or `^=` (prefix), the
 * value in double quotes with `\"` and `\\` escapes; an empty filter lists everyone. Only Cognito's searchable
 * attributes: username and cognito:user_status (case-sensitive), status (Enabled/Disabled, case-insensitive), email,
 * phone_number, name, given_name, family_name, preferred_username and sub. Anything else is Cognito's
 * "Error while parsing filter." (InvalidParameterException).
 */
import { MESSAGES } from '../../wire.js';
import { invalidParameter } from './context.js';
import type { PoolUser } from './pools.js';

const SEARCHABLE = [
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
];

export interface UserFilter {
  attribute: string;
  prefix: boolean;
  value: string;
}

const PARSE_ERROR = MESSAGES.cognitoFilterParse;

export function parseUserFilter(text: string | undefined): UserFilter | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const m = /^\s*([\w:]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(text);
  if (!m || !SEARCHABLE.includes(m[1]!)) throw invalidParameter(PARSE_ERROR);
  return { attribute: m[1]!, prefix: m[2] === '^=', value: m[3]!.replace(/\\(.)/g, '$1') };
}

function attributeValue(user: PoolUser, attribute: string): string | undefined {
  switch (attribute) {
    case 'username':
      return user.username;
    case 'sub':
      return user.sub;
    case 'cognito:user_status':
      return user.status;
    case 'status':
      return user.enabled ? 'Enabled' : 'Disabled';
    default:
      return user.attributes[attribute];
  }
}

export function filterMatches(filter: UserFilter, user: PoolUser): boolean {
  let value = attributeValue(user, filter.attribute);
  if (value === undefined) return false;
  let wanted = filter.value;
  if (filter.attribute === 'status') {
    value = value.toLowerCase();
    wanted = wanted.toLowerCase();
  }
  return filter.prefix ? value.startsWith(wanted) : value === wanted;
}
