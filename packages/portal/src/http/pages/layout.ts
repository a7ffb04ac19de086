import { createHash } from 'node:crypto';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#eef2f4;color:#1f2a37}
main{max-width:440px;margin:48px auto;padding:32px;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
main.wide{max-width:760px}
h1{font-size:1.5rem;margin:0 0 16px}
h2{font-size:1.15rem;margin:24px 0 8px}
a{color:#2066b0}
label{display:block;margin:12px 0 4px;font-weight:600}
input{width:100%;padding:10px 12px;border:1px solid #c5ced6;border-radius:8px;font:inherit}
input:focus{outline:2px solid #2fc6f6;border-color:#2fc6f6}
button{margin-top:16px;padding:10px 18px;border:0;border-radius:8px;background:#2066b0;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#e4e9ee;color:#1f2a37}
a.button{display:inline-block;padding:10px 18px;border-radius:8px;background:#2066b0;color:#fff;font-weight:600;text-decoration:none}
a.button.secondary{background:#e4e9ee;color:#1f2a37}
.alt-sign-in{margin:20px 0 0;padding-top:16px;border-top:1px solid #e4e9ee}
button.danger{background:#c0392b}
button:focus-visible,a:focus-visible{outline:3px solid #2fc6f6;outline-offset:2px}
.error{padding:10px 12px;border-radius:8px;background:#fdecea;color:#8a1c12;margin:0 0 12px}
.notice{padding:10px 12px;border-radius:8px;background:#e8f4fd;color:#0d3c61;margin:0 0 12px}
table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:8px;border-bottom:1px solid #e4e9ee;vertical-align:top}
.muted{color:#5b6b7b;font-size:.9rem}
.items{list-style:none;margin:0;padding:0}
.items li{display:flex;gap:12px;align-items:center;justify-content:space-between;padding:12px 0;border-bottom:1px solid #e4e9ee}
.items li>div{min-width:0;overflow-wrap:anywhere}
.items form button{margin-top:0}
.badge{display:inline-block;margin-left:6px;padding:0 8px;border-radius:10px;background:#e3f6e8;color:#1d6b35;font-size:.8rem;font-weight:600}
.actions{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin-top:16px}
.actions button{margin-top:0}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:16px 0;padding:12px 16px;background:#f5f7f9;border-radius:8px}
.facts dt{color:#5b6b7b}
.facts dd{margin:0;font-weight:600;min-width:0;overflow-wrap:anywhere}
.warning{padding:10px 12px;border-radius:8px;background:#fff4e0;color:#6b4400;margin:0 0 12px}
.choice button{flex:1 1 140px;padding:12px 18px}
@media (max-width:480px){main{margin:0;border-radius:0;min-height:100vh;padding:24px 16px}.items li{flex-wrap:wrap}}
`;

/** The pages' CSP allows this one stylesheet by its hash: no other inline style applies. */
export const STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export interface PageOptions {
  title: string;
  /** Trusted HTML: every interpolated value in it must already be escaped. */
  body: string;
  wide?: boolean;
}

/** A complete page: no inline script (the CSP forbids it), styles inline in the one <style> the CSP names by hash. */
export function renderPage({ title, body, wide }: PageOptions): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main${wide ? ' class="wide"' : ''}>${body}</main></body></html>`;
}

/** An error message that screen readers announce as soon as the page shows it. */
export function alertBox(message: string | undefined, id?: string): string {
  return message ? `<p${id ? ` id="${escapeHtml(id)}"` : ''} class="error" role="alert">${escapeHtml(message)}</p>` : '';
}

export function noticeBox(message: string | undefined): string {
  return message ? `<p class="notice" role="status">${escapeHtml(message)}</p>` : '';
}

export function hiddenField(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/** A POST form with the session's CSRF token; `inner` is trusted HTML. */
export function postForm(action: string, csrfToken: string, inner: string): string {
  return `<form method="post" action="${escapeHtml(action)}">${hiddenField('csrf', csrfToken)}${inner}</form>`;
}

/** `<time>` with a relative text ("5 minutes ago") and the exact UTC instant in its attributes. */
export function timeAgo(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  return `<time datetime="${iso}" title="${iso.slice(0, 16).replace('T', ' ')} UTC">${escapeHtml(relative(now - at))}</time>`;
}

function relative(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'just now';
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}
