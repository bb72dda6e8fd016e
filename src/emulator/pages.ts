/**
 * The look of every page the local stack serves to a browser (the user pool's hosted UI, the 3LO provider's sign-in
 * and consent): one centred card, the system font, no external resource of any kind (no web fonts, no images, a
 * `data:` icon so the browser does not ask for /favicon.ico). Callers escape what they interpolate (escapeHtml).
 */
import { escapeHtml } from './respond.js';

/** `title` goes into <title> (escaped); `body` is trusted markup built by the caller. */
export function cardPage(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" ` +
    `content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="data:,">
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1f2328}
main{max-width:24rem;margin:4rem auto;padding:1.5rem 2rem 2rem;background:#fff;border:1px solid #d1d9e0;` +
    `border-radius:8px}
h1{font-size:1.4rem;margin:0 0 .25rem}p.sub{margin:0 0 1rem;color:#59636e;font-size:.9rem}code{font-size:.85rem}
label{display:block;margin:.8rem 0 .25rem;font-weight:600;font-size:.9rem}
input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:.5rem .6rem;font:inherit;` +
    `border:1px solid #d1d9e0;border-radius:6px}
button{margin-top:1.25rem;width:100%;padding:.6rem;font:inherit;font-weight:600;color:#fff;` +
    `background:#1f6feb;border:0;border-radius:6px;cursor:pointer}
button:hover{background:#1a5fd0}a.secondary{display:block;margin-top:.75rem;text-align:center;color:#59636e;` +
    `font-size:.9rem}
ul.scopes{margin:.5rem 0 0;padding-left:1.2rem}ul.scopes li{margin:.15rem 0}
.err{color:#cf222e;background:#ffebe9;border:1px solid #ffcecb;border-radius:6px;padding:.5rem .75rem;` +
    `font-size:.9rem}</style>
</head><body><main>${body}</main></body></html>`
  );
}
