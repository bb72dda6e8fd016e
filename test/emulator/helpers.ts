/** SDK clients pointed at a local stack, with its credentials (only the endpoint differs from real AWS use). */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { LocalStack } from '../../src/emulator/stack.js';

export function clientsFor(
  stack: LocalStack,
  overrides: { accessKeyId?: string; secretAccessKey?: string; maxAttempts?: number; noBackoff?: boolean } = {},
) {
  const common = {
    region: stack.region,
    endpoint: stack.url,
    credentials: {
      accessKeyId: overrides.accessKeyId ?? stack.credentials.accessKeyId,
      secretAccessKey: overrides.secretAccessKey ?? stack.credentials.secretAccessKey,
    },
    maxAttempts: overrides.maxAttempts ?? 1,
  };
  // noBackoff: the SDK's own retry strategy without its sleeps between attempts (for tests that count attempts).
  const config = () =>
    overrides.noBackoff ? { ...common, retryStrategy: new ConfiguredRetryStrategy(common.maxAttempts, 0) } : common;
  return {
    data: new BedrockAgentCoreClient(config()),
    control: new BedrockAgentCoreControlClient(config()),
    cognito: new CognitoIdentityProviderClient(config()),
  };
}

/** Run an SDK call expected to fail; returns the error's name, message, status and body fields. */
export async function failure(
  p: Promise<unknown>,
): Promise<{ name: string; message: string; status: number | undefined; error: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return {
      name: err.name,
      message: err.message,
      status: err.$metadata?.httpStatusCode,
      error: err as unknown as Record<string, unknown>,
    };
  }
  throw new Error('expected the call to fail');
}

/** Follow redirects by hand (no cookies needed for auto-consent), returning every URL visited and the last response. */
export async function follow(
  url: string,
  maxHops = 20,
  cookies: string[] | false = [],
): Promise<{ urls: string[]; status: number; finalUrl: string }> {
  const useCookies = cookies !== false;
  const urls = [url];
  const jar = new Map<string, string>(
    (cookies || []).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)] as [string, string]),
  );
  for (let i = 0; i < maxHops; i++) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const sc of useCookies ? res.headers.getSetCookie() : []) {
      const [pair, ...attrs] = sc.split(';');
      const j = pair!.indexOf('=');
      const name = pair!.slice(0, j).trim();
      const value = pair!.slice(j + 1).trim();
      const expired =
        !value ||
        attrs.some(
          (a) => /^\s*max-age=0\b/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]!) < new Date()),
        );
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      url = new URL(loc, url).href;
      urls.push(url);
      // The return URL is the app's, not ours: stop there (like a browser whose app server is not running).
      if (!url.startsWith('http://127.0.0.1') || url.includes('session_id='))
        return { urls, status: res.status, finalUrl: url };
      continue;
    }
    await res.arrayBuffer();
    return { urls, status: res.status, finalUrl: url };
  }
  throw new Error(`too many redirects: ${urls.join('\n')}`);
}
