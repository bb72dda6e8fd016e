/**
 * The small HTML pages our loopback servers answer with (the 3LO return URL, the login redirect). Every interpolated
 * value is escaped; `data:,` as the icon keeps the browser from asking a one-shot server for /favicon.ico.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (ch) => ESCAPES[ch]!);
}

export function page(opts: { ok: boolean; title: string; message: string; detail?: string }): string {
  const colour = opts.ok ? '#1a7f37' : '#cf222e';
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(opts.title)} · agentcore-auth</title><link rel="icon" href="data:,">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem;color:${colour}}p.detail{color:#59636e;font-size:.9rem;` +
    `white-space:pre-wrap;word-break:break-word}</style>
</head><body><h1>${opts.ok ? '✓' : '✗'} ${escapeHtml(opts.title)}</h1><p>${escapeHtml(opts.message)}</p>${
      opts.detail ? `<p class="detail">${escapeHtml(opts.detail)}</p>` : ''
    }<p class="detail">agentcore-auth</p></body></html>
`
  );
}

/**
 * Response headers for these pages: no script, no request to anywhere (the `data:` icon excepted), not framable,
 * no referrer (the URL carries a session id or a code).
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
};
