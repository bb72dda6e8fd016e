/**
 * RFC 6238 codes for SOFTWARE_TOKEN_MFA from the authenticator's secret (the base32 `SecretCode` that
 * AssociateSoftwareToken returned, or the `secret=` of its otpauth:// URI): SHA-1, 6 digits, 30-second steps, as
 * Cognito's software tokens use. With otpauth, so CI can answer the challenge without a phone.
 */
import { Secret, TOTP } from 'otpauth';
import { usageError } from '../errors.js';

/** The secret itself, or the `secret` parameter of an `otpauth://totp/…` URI; spaces and case ignored. */
export function totpSecretFrom(text: string): string {
  const trimmed = text.trim();
  const fromUri = /^otpauth:\/\//i.test(trimmed) ? new URL(trimmed).searchParams.get('secret') : trimmed;
  const secret = (fromUri ?? '').replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z2-7]+=*$/.test(secret) || secret.length < 16) {
    throw usageError(
      'the TOTP secret is not a base32 authenticator secret',
      'Give the SecretCode AssociateSoftwareToken returned (letters A-Z and digits 2-7), or its otpauth:// URI.',
    );
  }
  return secret;
}

export function totpCode(secret: string, now: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now });
}
