/**
 * One isLoopbackUrl (src/core/loopback.ts), RFC 8252 §7.3/§8.3: the http scheme and a loopback host (127.0.0.0/8,
 * [::1], localhost). Its two callers: the OAuth URL check (https anywhere, plain http only on loopback) and the 3LO
 * return URL (served here only when loopback http).
 */
import { describe, expect, it } from 'vitest';
import { isLoopbackUrl } from '../../src/core/loopback.js';
import { checkUrl } from '../../src/core/oauth/client.js';

describe('isLoopbackUrl', () => {
  it.each([
    ['http://127.0.0.1:8081/oauth2/callback', true],
    ['http://127.8.9.10/cb', true],
    ['http://localhost:53682/callback', true],
    ['http://LOCALHOST:1/x', true],
    ['http://[::1]:9090/cb', true],
    ['https://localhost/cb', false], // RFC 8252 §7.3: loopback redirects use http; a TLS listener is not ours
    ['https://127.0.0.1:8443/cb', false],
    ['ftp://127.0.0.1/cb', false],
    ['ws://localhost:1/', false],
    ['http://10.0.0.1:1/', false],
    ['http://127.0.0.1.example.com/cb', false],
    ['http://localhost.example.com/cb', false],
    ['http://[::2]/cb', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });
});

describe('the OAuth URL check (login --discovery-url, --token-endpoint, --domain)', () => {
  it('https anywhere; http on loopback hosts only; any other scheme refused', () => {
    expect(checkUrl('https://idp.example.com/.well-known/openid-configuration', '--discovery-url').host).toBe('idp.example.com');
    expect(checkUrl('https://localhost:8443/token', '--token-endpoint').protocol).toBe('https:');
    expect(checkUrl('http://127.0.0.1:9229/token', '--token-endpoint').port).toBe('9229');
    expect(checkUrl('http://[::1]:9229/token', '--token-endpoint').hostname).toBe('[::1]');
    expect(() => checkUrl('http://idp.example.com/token', '--token-endpoint')).toThrow(/https URL \(plain http is accepted for loopback hosts only\)/);
    expect(() => checkUrl('ftp://127.0.0.1/token', '--token-endpoint')).toThrow(/https URL/);
  });
});
