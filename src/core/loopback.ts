/**
 * Loopback redirect URIs (RFC 8252 §7.3, §8.3): what a native app may serve on its own machine.
 */
import { AgentcoreAuthError } from './errors.js';

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
  return u.protocol === 'http:' && isLoopbackHost(u.hostname);
}

/**
 * A service endpoint given on the command line (--gateway-url, --discovery-url, --token-endpoint): https, or plain
 * http on a loopback host (the local stack, test servers). `flag` names the option in errors.
 */
export function checkServiceUrl(raw: string, flag: string): URL {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new AgentcoreAuthError('ERR_USAGE', `${flag}: not a URL: ${raw}`);
  }
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return u;
  throw new AgentcoreAuthError(
    'ERR_USAGE',
    `${flag} must be an https URL (plain http is accepted for loopback hosts only), got ${u.protocol}//${u.host}`,
  );
}

/** A loopback host name: an IPv4 literal in 127.0.0.0/8, the IPv6 literal ::1 (bracketed or not), or localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export type { LoopbackIgnored, LoopbackPage, LoopbackServer, LoopbackServerOptions } from './loopback-server.js';

/**
 * One loopback HTTP server for browser redirects (the OAuth login redirect, the AgentCore 3LO return URL): binds the
 * loopback interface only, serves one path (404 elsewhere, 405 for a method other than GET, 400 for a request target
 * no URL parser accepts), answers 421 to a Host header that is not a loopback name (DNS rebinding), and hands every
 * GET on its path to the `respond` hook. Malformed requests and floods are answered or dropped, never thrown. The
 * server itself is in loopback-server.ts, loaded on first use.
 */
export async function startLoopbackServer(
  options: import('./loopback-server.js').LoopbackServerOptions,
): Promise<import('./loopback-server.js').LoopbackServer> {
  const target = typeof options.url === 'string' ? new URL(options.url) : options.url;
  if (!isLoopbackUrl(target))
    throw new AgentcoreAuthError(
      'ERR_USAGE',
      `a loopback server serves loopback http URLs only (127.0.0.1, [::1], localhost), not ${target.href}`,
    );
  const { serveLoopback } = await import('./loopback-server.js');
  return serveLoopback(target, options);
}
