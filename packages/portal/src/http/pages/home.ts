import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type CurrentWebSession, currentWebSession, endWebSession } from '../../auth/webSession.ts';
import type { User } from '../../store/schema.ts';
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

/**
 * A state-changing form of a signed-in page: sent from this origin and carrying this session's
 * CSRF token. Replies 403 itself when not.
 */
export function checkCsrf(request: FastifyRequest, reply: FastifyReply, current: CurrentWebSession): boolean {
  const given = (request.body as Record<string, unknown> | undefined)?.csrf;
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
  app.get('/', async (request, reply) => {
    const current = await requireSignedIn(request, reply);
    if (!current) return reply;
    return sendPage(reply, 200, siteTitle(request), homePage(request, current));
  });

  app.post('/logout', async (request, reply) => {
    const current = await currentWebSession(request);
    if (!current) return seeOther(reply, '/login');
    if (!checkCsrf(request, reply, current)) return reply;
    await endWebSession(request, reply, current);
    return seeOther(reply, '/login');
  });
}
