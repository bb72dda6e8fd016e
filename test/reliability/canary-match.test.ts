/** The canary matcher itself: a short MFA code counts as leaked on its own, not by chance inside a hex digest. */
import { describe, expect, it } from 'vitest';
import { findLeaks } from './canary-stack.js';

const mfa = { kind: 'code', label: 'MFA code', value: '937517' } as const;
const secret = { kind: 'clientSecret', label: 'client secret', value: 'canarysecretabcdef123456' } as const;

describe('findLeaks', () => {
  it('finds a short code printed on its own: JSON value, flag, form field, line end', () => {
    for (const text of [
      '{"SOFTWARE_TOKEN_MFA_CODE":"937517"}',
      '--mfa-code 937517',
      'code=937517&x=1',
      'answer: 937517',
    ]) {
      expect(findLeaks(text, [mfa]), text).toEqual(['MFA code']);
    }
  });
  it('does not count a short code inside a longer run of letters and digits (a SigV4 body digest)', () => {
    expect(findLeaks('x-amz-content-sha256: 53f981b1d6cf2adea0bbd193751735f5a596cc', [mfa])).toEqual([]);
  });
  it('finds a long secret anywhere, even inside other text', () => {
    expect(findLeaks('prefixcanarysecretabcdef123456suffix', [secret])).toEqual(['client secret']);
  });
});
