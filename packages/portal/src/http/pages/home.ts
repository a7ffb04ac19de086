import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type CurrentWebSession, currentWebSession, endWebSession } from '../../auth/webSession.ts';
import type { User } from '../../store/schema.ts';
import { FormField } from '../requestSchemas.ts';
import { csrfMatches, forbiddenPage, isSameOriginPost, seeOther, sendPage } from './forms.ts';
import { escapeHtml, postForm } from './layout.ts';
import { siteTitle } from './signIn.ts';

export function displayName(user: Pick<User, 'name' | 'last_name' | 'email'>): string {
  return `${user.name} ${user.last_name}`.trim() || user.email;
}

/** The signed-in user, or a redirect to the sign-in page that comes back here afterwards. */
export async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<CurrentWebSession | null> {
  const current = await currentWebSession(request);
  if (current) return current;
  const path = request.url.split('?')[0] ?? '/';
  seeOther(reply, path === '/' || request.method !== 'GET' ? '/login' : `/login?next=${encodeURIComponent(path)}`);
  return null;
}

/** The form of a signed-in page's button: only the CSRF token (`postForm`). */
export const CsrfForm = Type.Object({ csrf: FormField });

/**
 * A state-changing form of a signed-in page: sent from this origin and carrying this session's
 * CSRF token (`given`, the form's `csrf` field). Replies 403 itself when not.
 */
export function checkCsrf(request: FastifyRequest, reply: FastifyReply, current: CurrentWebSession, given: unknown): boolean {
  if (isSameOriginPost(request) && typeof given === 'string' && csrfMatches(current.session.csrf_token, given)) return true;
  forbiddenPage(reply);
  return false;
}

function homePage(request: FastifyRequest, current: CurrentWebSession): string {
  const { user, session } = current;
  return `<h1>${escapeHtml(siteTitle(request))}</h1>
<p>Signed in as <strong>${escapeHtml(displayName(user))}</strong> (${escapeHtml(user.email)})</p>
<p><a href="/sessions">Where you're signed in</a></p>
${postForm('/logout', session.csrf_token, '<button type="submit" class="secondary">Sign out</button>')}`;
}

export function homeRoutes(app: FastifyInstance): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/', async (request, reply) => {
    const current = await requireSignedIn(request, reply);
    if (!current) return reply;
    return sendPage(reply, 200, siteTitle(request), homePage(request, current));
  });

  typed.post('/logout', { schema: { body: CsrfForm } }, async (request, reply) => {
    const current = await currentWebSession(request);
    if (!current) return seeOther(reply, '/login');
    if (!checkCsrf(request, reply, current, request.body.csrf)) return reply;
    await endWebSession(request, reply, current);
    return seeOther(reply, '/login');
  });
}
