/** core/redact.ts: masking, fingerprints, redacted headers / bodies / URLs, and the run's secret registry. */
import { describe, expect, it } from 'vitest';
import {
  fingerprint,
  maskSecret,
  redactBody,
  redactHeaders,
  redactUrl,
  SecretRegistry,
} from '../../src/core/redact.js';

describe('redaction', () => {
  it('masks tokens with a prefix and the length, other secrets with the length only; fingerprints are stable', () => {
    expect(maskSecret('supersecretvalue')).toBe('[16 chars]');
    expect(maskSecret('Alice-Passw0rd!')).toBe('[15 chars]');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
    expect(maskSecret(jwt)).toBe(`eyJhbG…[${jwt.length} chars]`);
    expect(maskSecret(`AgV4${'x'.repeat(60)}`)).toBe('AgV4xx…[64 chars]');
    expect(maskSecret('short')).toBe('[5 chars]');
    expect(maskSecret('supersecretvalue', true)).toBe('supersecretvalue');
    expect(fingerprint('abc')).toBe(fingerprint('abc'));
    expect(fingerprint('abc')).not.toBe(fingerprint('abd'));
  });

  it('redacts headers, JSON fields, forms and query strings', () => {
    const h = redactHeaders({
      Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig',
      'content-type': 'application/json',
    });
    expect(h.Authorization).toMatch(/^Bearer eyJhbG…\[\d+ chars\]$/);
    expect(h['content-type']).toBe('application/json');
    const sig = redactHeaders({
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/bedrock-agentcore/aws4_request, ' +
        'SignedHeaders=host, Signature=abcdef0123',
    });
    expect(sig.authorization).toContain('Credential=AKID');
    expect(sig.authorization).not.toContain('abcdef0123');
    const body = redactBody(
      JSON.stringify({
        AuthParameters: { USERNAME: 'alice', PASSWORD: 'Canary#Pass1', SECRET_HASH: 'hash-hash-hash' },
      }),
      'application/x-amz-json-1.1',
    );
    expect(body).toContain('alice');
    expect(body).not.toContain('Canary#Pass1');
    expect(body).not.toContain('hash-hash-hash');
    const form = redactBody(
      'grant_type=client_credentials&client_secret=CanarySecret123&scope=a',
      'application/x-www-form-urlencoded',
    );
    expect(form).toContain('grant_type=client_credentials');
    expect(form).not.toContain('CanarySecret123');
    expect(redactUrl('http://x/cb?code=CanaryCode999&state=abc123456789')).not.toContain('CanaryCode999');
  });

  it('the secret registry scrubs known values, also URL-encoded', () => {
    const r = new SecretRegistry();
    r.add('p@ss word!canary');
    expect(r.scrub('x p@ss word!canary y')).not.toContain('p@ss word!canary');
    expect(r.scrub(`q=${encodeURIComponent('p@ss word!canary')}`)).not.toContain(
      encodeURIComponent('p@ss word!canary'),
    );
    expect(r.scrub('p@ss word!canary', true)).toBe('p@ss word!canary');
  });
});
