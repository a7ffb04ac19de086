import type { FastifyReply } from 'fastify';
import { sendPage } from './forms.ts';
import { escapeHtml } from './layout.ts';

/** Where a failed SSO page lets the user go next. */
export type SsoPageLink = { href: string; text: string } | null;

/** A page that says why single sign-on did not sign the user in, and what to do. */
export function ssoProblemPage(reply: FastifyReply, status: number, title: string, message: string, link: SsoPageLink): FastifyReply {
  const next = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : '';
  return sendPage(reply, status, title, `<h1>${escapeHtml(title)}</h1><p class="error" role="alert">${escapeHtml(message)}</p>${next}`);
}

/**
 * The sign-in page's way to single sign-on: a link styled and named as a button, carrying `next`.
 * Not a GET form: browsers apply the pages' CSP `form-action 'self'` to the redirects after a form
 * submission too, and the next stop is the identity provider.
 */
export function ssoButton(next: string): string {
  const href = `/sso/start${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`;
  return `<p class="alt-sign-in"><a class="button secondary" role="button" href="${escapeHtml(href)}">Log in with single sign-on</a></p>`;
}
