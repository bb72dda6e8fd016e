/**
 * fast-check arbitraries that generate what a built-in one does, without its one-time set-up cost: fast-check's
 * `string({ unit: 'binary' })` (and `webPath()`/`webQueryParameters()`, which use it for percent-encoded characters)
 * builds a reverse map of all 1,112,064 code points on first use (`mapToConstant`, 1.3 s of CPU in each test worker),
 * needed only to shrink values that it did not generate itself. These draw from the same distributions.
 */
import fc from 'fast-check';

/**
 * One code point, any but a lone surrogate: fast-check's 'binary' unit (`mapToConstant` over [0, 0xD7FF] and
 * [0xE000, 0x10FFFF], i.e. `nat` over the 1,112,064 of them, mapped in order).
 */
export const anyCodePoint: fc.Arbitrary<string> = fc
  .nat({ max: 0x10ffff - 0x800 })
  .map((i) => String.fromCodePoint(i < 0xd800 ? i : i + 0x800));

/** `fc.string({ unit: 'binary', … })`. */
export function binaryString(constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ ...constraints, unit: anyCodePoint });
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A pchar-like unit as fast-check builds it: one of `others` or a letter or digit, one time in eleven a percent-encoded
 * code point.
 */
function alphaNumericPercent(others: string): fc.Arbitrary<string> {
  const percent = anyCodePoint.map((c) => {
    const encoded = encodeURIComponent(c);
    return c !== encoded ? encoded : `%${c.charCodeAt(0).toString(16)}`;
  });
  return fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...ALPHANUMERIC, ...others) },
    { weight: 1, arbitrary: percent },
  );
}

/**
 * `fc.webPath()`: RFC 3986 path-abempty, `/`-separated segments of pchar (unreserved, sub-delims, ':' and '@'); like
 * fast-check's (default size), either small segments and few of them or the other way round.
 */
export function webPath(): fc.Arbitrary<string> {
  const unit = alphaNumericPercent("-._~!$&'()*+,;=:@");
  const path = (segment: fc.SizeForArbitrary, count: fc.SizeForArbitrary) =>
    fc
      .array(fc.string({ unit, size: segment }), { size: count })
      .map((segments) => segments.map((s) => `/${s}`).join(''));
  return fc.oneof(path('small', 'xsmall'), path('xsmall', 'small'));
}

/** `fc.webQueryParameters()`: an RFC 3986 query (pchar, '/' and '?'). */
export function webQueryParameters(): fc.Arbitrary<string> {
  return fc.string({ unit: alphaNumericPercent("-._~!$&'()*+,;=:@/?") });
}
