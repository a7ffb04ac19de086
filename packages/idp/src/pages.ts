/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Nothing is loaded from anywhere: no fonts, no scripts, no images. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // No form-action: the sign-in form's answer redirects on to the relying party, another origin,
  // and browsers apply form-action to those redirects too.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#2b2d42;color:#1f2a37}
main{max-width:400px;margin:64px auto;padding:32px;background:#fff;border-radius:12px}
h1{font-size:1.4rem;margin:0 0 8px}
label{display:block;margin:12px 0 4px;font-weight:600}
input{width:100%;padding:10px 12px;border:1px solid #c5ced6;border-radius:8px;font:inherit}
.actions{display:flex;gap:12px;margin-top:16px}
button{padding:10px 18px;border:0;border-radius:8px;background:#ef8354;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#e4e9ee;color:#1f2a37}
.error{padding:10px 12px;border-radius:8px;background:#fdecea;color:#8a1c12}
.muted{color:#5b6b7b;font-size:.9rem}
`;

export function renderPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/** The sign-in form of one interaction: textboxes Login and Password, buttons Sign in and Cancel. */
export function signInPage(options: { uid: string; clientName: string; login?: string; error?: string }): string {
  const { uid, clientName, login = '', error } = options;
  const action = `/interaction/${encodeURIComponent(uid)}`;
  const invalid = error ? ' aria-invalid="true" aria-describedby="form-error"' : '';
  return renderPage(
    'Sign in',
    `<h1>Sign in</h1>
<p class="muted">to continue to ${escapeHtml(clientName)} (Multidesk demo identity provider)</p>
${error ? `<p id="form-error" class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${action}/login">
<label for="login">Login</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="254" value="${escapeHtml(login)}"${login ? '' : ' autofocus'}${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"${login ? ' autofocus' : ''}${invalid}>
<div class="actions"><button type="submit">Sign in</button><button type="submit" class="secondary" formaction="${action}/abort" formnovalidate>Cancel</button></div>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return renderPage(title, `<h1>${escapeHtml(title)}</h1><p class="error" role="alert">${escapeHtml(message)}</p>`);
}
