/**
 * Loopback redirect URIs (RFC 8252 §7.3, §8.3): what a native app may serve on its own machine.
 */

/**
 * True for a URL this tool can serve on the loopback interface: the `http` scheme (RFC 8252 §7.3 — loopback redirect
 * URIs use http; nothing here terminates TLS) and a loopback host: an IPv4 literal in 127.0.0.0/8, the IPv6 literal
 * `[::1]`, or `localhost` (§8.3 prefers the literals; AgentCore's samples use localhost, so it is accepted and served
 * on 127.0.0.1 and [::1]). `https://localhost/…` is not: whatever serves it is not us.
 */
export function isLoopbackUrl(url: string | URL): boolean {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  if (u.protocol !== 'http:') return false;
  const host = u.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
