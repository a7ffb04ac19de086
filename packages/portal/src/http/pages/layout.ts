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
label{display:block;margin:12px 0 4px;font-weight:600}
input{width:100%;padding:10px 12px;border:1px solid #c5ced6;border-radius:8px;font:inherit}
input:focus{outline:2px solid #2fc6f6;border-color:#2fc6f6}
button{margin-top:16px;padding:10px 18px;border:0;border-radius:8px;background:#2066b0;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#e4e9ee;color:#1f2a37}
button.danger{background:#c0392b}
button:focus-visible{outline:3px solid #2fc6f6;outline-offset:2px}
.error{padding:10px 12px;border-radius:8px;background:#fdecea;color:#8a1c12;margin:0 0 12px}
.notice{padding:10px 12px;border-radius:8px;background:#e8f4fd;color:#0d3c61;margin:0 0 12px}
table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:8px;border-bottom:1px solid #e4e9ee;vertical-align:top}
.muted{color:#5b6b7b;font-size:.9rem}
@media (max-width:480px){main{margin:0;border-radius:0;min-height:100vh;padding:24px 16px}}
`;

export interface PageOptions {
  title: string;
  /** Trusted HTML: every interpolated value in it must already be escaped. */
  body: string;
  wide?: boolean;
}

/** A complete page: no inline script (the CSP forbids it), styles inline via a hash-free <style>. */
export function renderPage({ title, body, wide }: PageOptions): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main${wide ? ' class="wide"' : ''}>${body}</main></body></html>`;
}
