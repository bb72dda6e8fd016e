/**
 * The demo's stand-in for a browser: follows an authorization URL's redirects with a cookie jar, all the way to the
 * loopback return URL, as a browser would after the user consented. It only makes sense against the local stack
 * with auto-consent on (its 3LO provider logs the default user in and consents without showing pages).
 */
import type { FetchLike } from '../../core/http.js';

export interface FollowResult {
  url: string;
  status: number;
  hops: string[];
}

export async function followRedirects(
  fetch: FetchLike,
  startUrl: string,
  options: { maxHops?: number; signal?: AbortSignal } = {},
): Promise<FollowResult> {
  const jar = new Map<string, string>();
  const hops: string[] = [];
  let url = startUrl;
  for (let hop = 0; hop < (options.maxHops ?? 20); hop++) {
    hops.push(url);
    const res = await fetch(url, {
      redirect: 'manual',
      headers: jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const i = pair!.indexOf('=');
      if (i <= 0) continue;
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (!value || /;\s*max-age=0\b/i.test(sc)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url).href;
      continue;
    }
    await res.text();
    return { url, status: res.status, hops };
  }
  throw new Error(`too many redirects from ${startUrl}`);
}
