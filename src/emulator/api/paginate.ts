/**
 * The services' list pagination: an opaque `nextToken` (here the base64url offset) and a `maxResults` within the
 * operation's range. One implementation for every list operation of every emulated service.
 */
import { validation, validationMessage } from './errors.js';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function paginate<T>(
  all: readonly T[],
  request: { maxResults?: unknown; nextToken?: unknown },
  range: { max: number; default?: number; field?: string },
): Page<T> {
  const field = range.field ?? 'maxResults';
  const raw = request.maxResults;
  const mr = typeof raw === 'string' && raw !== '' ? Number(raw) : raw;
  if (mr !== undefined && mr !== null) {
    if (typeof mr !== 'number' || !Number.isInteger(mr))
      throw validationMessage(`Value at '${field}' must be an integer`);
    if (mr < 1) throw validation(field, 'Member must have value greater than or equal to 1');
    if (mr > range.max) throw validation(field, `Member must have value less than or equal to ${range.max}`);
  }
  const size = (mr as number | undefined) ?? range.default ?? range.max;
  const token = request.nextToken;
  let start = 0;
  if (token !== undefined && token !== null && token !== '') {
    start = typeof token === 'string' ? Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10) : -1;
    if (!Number.isInteger(start) || start < 0 || start > all.length) throw validationMessage('Invalid nextToken');
  }
  const items = all.slice(start, start + size);
  const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
  return next ? { items, nextToken: next } : { items };
}

/** paginate() for the REST list operations whose maxResults / nextToken are httpQuery members. */
export function paginateQuery<T>(
  all: readonly T[],
  query: URLSearchParams,
  range: { max: number; default?: number },
): Page<T> {
  return paginate(all, { maxResults: query.get('maxResults'), nextToken: query.get('nextToken') }, range);
}
