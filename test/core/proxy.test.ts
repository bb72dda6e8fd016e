/**
 * The proxy decision (core/proxy.ts), one for raw fetches and the AWS SDK: which variable, NO_PROXY, loopback.
 */
import { describe, expect, it } from 'vitest';
import { displayProxy, proxyFor, readProxyEnv } from '../../src/core/proxy.js';

const decide = (env: Record<string, string>, url: string) => {
  const p = readProxyEnv(env);
  return p ? proxyFor(p, url) : undefined;
};

describe('which proxy', () => {
  it('https URLs: HTTPS_PROXY, else HTTP_PROXY (as undici); http URLs: HTTP_PROXY only; lowercase first', () => {
    const both = { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:2' };
    expect(decide(both, 'https://bedrock-agentcore.us-east-1.amazonaws.com/x')).toBe('http://s:1');
    expect(decide(both, 'http://example.com/')).toBe('http://p:2');
    expect(decide({ HTTP_PROXY: 'http://p:2' }, 'https://example.com/')).toBe('http://p:2');
    expect(decide({ HTTPS_PROXY: 'http://s:1' }, 'http://example.com/')).toBeUndefined();
    expect(decide({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' }, 'https://a.b/')).toBe(
      'http://lower:1',
    );
    expect(decide({ HTTPS_PROXY: 'proxy.corp:3128' }, 'https://a.b/')).toBe('http://proxy.corp:3128');
  });

  it('loopback is never proxied: 127.0.0.0/8, ::1, localhost', () => {
    const env = { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://s:1' };
    for (const url of ['http://127.0.0.1:4566/', 'https://127.8.9.10/', 'http://[::1]:80/', 'http://localhost:1/'])
      expect(decide(env, url), url).toBeUndefined();
    expect(decide(env, 'http://128.0.0.1/')).toBe('http://s:1');
  });

  it('NO_PROXY: host suffixes (with or without a leading dot or *.), ports, IPs, *; no_proxy first', () => {
    const env = { HTTPS_PROXY: 'http://s:1', NO_PROXY: 'internal.corp, .svc *.amazonaws.com,10.0.0.5,api.x:8443' };
    expect(decide(env, 'https://internal.corp/')).toBeUndefined();
    expect(decide(env, 'https://a.internal.corp/')).toBeUndefined();
    expect(decide(env, 'https://notinternal.corp/')).toBe('http://s:1');
    expect(decide(env, 'https://db.svc/')).toBeUndefined();
    expect(decide(env, 'https://bedrock-agentcore.us-east-1.amazonaws.com/')).toBeUndefined();
    expect(decide(env, 'https://10.0.0.5/')).toBeUndefined();
    expect(decide(env, 'https://api.x:8443/')).toBeUndefined();
    expect(decide(env, 'https://api.x/')).toBe('http://s:1');
    expect(decide({ HTTPS_PROXY: 'http://s:1', NO_PROXY: '*' }, 'https://a.b/')).toBeUndefined();
    expect(decide({ HTTPS_PROXY: 'http://s:1', no_proxy: '', NO_PROXY: 'a.b' }, 'https://a.b/')).toBe('http://s:1');
  });

  it('no proxy variable: nothing to decide; credentials never shown', () => {
    expect(readProxyEnv({ NO_PROXY: 'x' })).toBeUndefined();
    expect(displayProxy('http://alice:s3cr3t@proxy.corp:3128')).toBe('http://proxy.corp:3128');
  });

  it('a proxy URL that is not http(s): exit 2 naming the variable', () => {
    expect(() => readProxyEnv({ HTTPS_PROXY: 'socks5://p:1080' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: 'HTTPS_PROXY uses socks5://, not supported' }),
    );
  });
});
