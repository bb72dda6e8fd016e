/**
 * The local 3LO provider's own pages (sign-in, consent, error), in the local stack's look (../pages.ts). The form
 * fields are those of oidc-provider's devInteractions (`prompt`, `login`, `password`), so a form-posting client that
 * knows those pages knows these. Every interpolated value is escaped.
 */
import { cardPage } from '../pages.js';
import { escapeHtml } from '../respond.js';

const SUB = 'Local 3LO provider · agentcore-auth';

export function loginPage(o: {
  action: string;
  abort: string;
  clientId: string;
  loginHint?: string;
  error?: string;
}): string {
  return cardPage(
    `Sign in — ${SUB}`,
    `<h1>Sign in</h1><p class="sub">${SUB}. Any user name and password: the user name becomes the token’s ` +
      `<code>sub</code>.</p>${
        o.error ? `<p class="err" role="alert">${escapeHtml(o.error)}</p>` : ''
      }<form method="post" action="${escapeHtml(o.action)}"><input type="hidden" name="prompt" value="login">
<label for="login">User name</label><input id="login" type="text" name="login" autocomplete="username" ` +
      `autofocus required${o.loginHint ? ` value="${escapeHtml(o.loginHint)}"` : ''}>
<label for="password">Password</label><input id="password" type="password" name="password" ` +
      `autocomplete="current-password" required>
<button type="submit">Sign in</button></form><a class="secondary" href="${escapeHtml(o.abort)}">Cancel</a>`,
  );
}

const SCOPE_TEXT: Record<string, string> = {
  openid: 'know who you are (your user id)',
  profile: 'read your name',
  email: 'read your email address',
  offline_access: 'stay connected while you are away (a refresh token)',
  'api:read': 'read from the API on your behalf',
  'api:write': 'write to the API on your behalf',
};

export function consentPage(o: {
  action: string;
  abort: string;
  clientId: string;
  account: string;
  scopes: string[];
}): string {
  const items = o.scopes
    .map((s) => `<li><code>${escapeHtml(s)}</code>${SCOPE_TEXT[s] ? ` — ${escapeHtml(SCOPE_TEXT[s]!)}` : ''}</li>`)
    .join('');
  return cardPage(
    `Authorize — ${SUB}`,
    `<h1>Authorize access</h1><p class="sub">${SUB} · signed in as <strong>${escapeHtml(o.account)}</strong></p>
<p><code>${escapeHtml(o.clientId)}</code>, the OAuth client of the credential provider your agent uses ` +
      `through AgentCore Identity, asks to:</p><ul class="scopes">${items}</ul>
<form method="post" action="${escapeHtml(o.action)}"><input type="hidden" name="prompt" ` +
      `value="consent"><button type="submit">Allow</button></form>
<a class="secondary" href="${escapeHtml(o.abort)}">Deny</a>`,
  );
}

export function errorPage(error: string, description: string): string {
  return cardPage(
    `${error} — ${SUB}`,
    `<h1>The provider cannot continue</h1><p class="sub">${SUB}</p><p class="err" ` +
      `role="alert"><code>${escapeHtml(error)}</code>${description ? ` — ${escapeHtml(description)}` : ''}</p>`,
  );
}
