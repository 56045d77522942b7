/**
 * The embedded provider's pages, rendered on the server: plain forms with a label on every input, no script at all
 * (so a Content-Security-Policy of `script-src 'none'` holds), readable without styles.
 */

/** A Content-Security-Policy for every page of the provider: no script, no frames, styles inline. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;line-height:1.5}' +
  'label{display:block;margin-top:1rem;font-weight:600}input{display:block;width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}' +
  'button{margin-top:1.25rem;padding:.5rem 1.25rem;font-size:1rem}.error{color:#a00;font-weight:600}code{font-size:1.4rem}';

export function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)} · acs-offboarding sign-in</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`
  );
}

const error = (message?: string) => (message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : '');

export function loginPage(p: { action: string; clientName: string; username?: string; error?: string }): string {
  return page(
    'Sign in',
    `<p>to ${escapeHtml(p.clientName)}</p>${error(p.error)}` +
      `<form method="post" action="${escapeHtml(p.action)}">` +
      `<label for="username">User name</label>` +
      `<input id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(p.username ?? '')}">` +
      `<label for="password">Password</label>` +
      `<input id="password" name="password" type="password" autocomplete="current-password" required>` +
      `<button type="submit">Sign in</button></form>`,
  );
}

export function deviceInputPage(p: { action: string; xsrf: string; error?: string }): string {
  return page(
    'Connect a device',
    `<p>Enter the code that <code>offboard login</code> shows in your terminal.</p>${error(p.error)}` +
      `<form method="post" action="${escapeHtml(p.action)}">` +
      `<input type="hidden" name="xsrf" value="${escapeHtml(p.xsrf)}">` +
      `<label for="user_code">Code</label>` +
      `<input id="user_code" name="user_code" autocomplete="off" required autofocus>` +
      `<button type="submit">Continue</button></form>`,
  );
}

export function deviceConfirmPage(p: { action: string; xsrf: string; userCode: string; clientName: string }): string {
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const form = (extra: string, label: string) =>
    `<form method="post" action="${escapeHtml(p.action)}">${hidden('xsrf', p.xsrf)}${hidden('user_code', p.userCode)}${extra}` +
    `<button type="submit">${label}</button></form>`;
  return page(
    'Confirm the device',
    `<p><strong>${escapeHtml(p.clientName)}</strong> asks to sign in as you. Your terminal should show this code:</p>` +
      `<p><code>${escapeHtml(p.userCode)}</code></p>` +
      form(hidden('confirm', 'yes'), 'Yes, it is mine') +
      form(hidden('abort', 'yes'), 'No, abort'),
  );
}

export function deviceSuccessPage(clientName: string): string {
  return page('Signed in', `<p>${escapeHtml(clientName)} is signed in. You can close this page.</p>`);
}

export function logoutPage(p: { action: string; xsrf: string }): string {
  return page(
    'Sign out',
    `<form method="post" action="${escapeHtml(p.action)}"><input type="hidden" name="xsrf" value="${escapeHtml(p.xsrf)}">` +
      `<input type="hidden" name="logout" value="yes"><button type="submit">Sign out</button></form>`,
  );
}

export function signedOutPage(): string {
  return page('Signed out', '<p>You are signed out.</p>');
}

export function errorPage(out: Record<string, unknown>): string {
  return page(
    'Sign-in failed',
    `<dl>${Object.entries(out)
      .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
      .join('')}</dl>`,
  );
}

/** The action and xsrf token of a form that oidc-provider built (its own markup has inline handlers we do not use). */
export function formParts(form: string): { action: string; xsrf: string } {
  const action = /action="([^"]+)"/.exec(form)?.[1];
  const xsrf = /name="xsrf" value="([^"]*)"/.exec(form)?.[1];
  if (!action || xsrf === undefined) throw new Error('unexpected form markup from oidc-provider');
  return { action, xsrf };
}
