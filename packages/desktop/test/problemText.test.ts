import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import type { SavedCopyReason } from '@multidesk/protocol/bridge';
import { toMessageView } from '../src/core/chats/chatService.ts';
import { toTaskView } from '../src/core/tasks/taskService.ts';
import { setLocale } from '../src/ui/i18n/i18n.ts';
import { nameOrUser } from '../src/ui/shared/format.ts';
import { problemText, refusalText } from '../src/ui/shared/problemText.ts';

/**
 * The core reports an account's trouble and its refusals as codes; the windows word them in their
 * language (src/ui/shared/problemText.ts). Every code the core makes has words of ours in both
 * languages; a code only the portal knows keeps the portal's words.
 */

const REASONS: SavedCopyReason[] = [
  { code: 'unreachable' },
  { code: 'portal_error', detail: 'Internal Server Error' },
  { code: 'disconnected' },
  { code: 'needs_login' },
  { code: 'connecting' },
  { code: 'updating' },
];

/** The refusal codes the core's chat and task services make themselves (`error: '…'` in their source). */
function coreRefusalCodes(): string[] {
  const files = ['chats/chatService.ts', 'tasks/taskService.ts', 'accounts/accountProblems.ts'];
  const codes = new Set<string>();
  for (const file of files) {
    const source = readFileSync(new URL(`../src/core/${file}`, import.meta.url), 'utf8');
    for (const match of source.matchAll(/\berror: '([A-Za-z_]+)'/g)) codes.add(match[1] as string);
  }
  return [...codes];
}

describe('problems and refusals in the windows’ language', () => {
  after(() => setLocale('en'));

  test('every reason for a saved copy has its own words, in English and in Russian', () => {
    for (const locale of ['en', 'ru'] as const) {
      setLocale(locale);
      const texts = REASONS.map(problemText);
      for (const [i, text] of texts.entries())
        assert.ok(text.trim() !== '' && !text.includes('problem.'), `${locale} ${REASONS[i]?.code}: ${text}`);
      assert.equal(new Set(texts).size, texts.length, `${locale}: two reasons read alike: ${texts.join(' | ')}`);
    }
    setLocale('en');
    const english = REASONS.map(problemText);
    setLocale('ru');
    const russian = REASONS.map(problemText);
    for (const [i, text] of russian.entries()) {
      assert.notEqual(text, english[i], `${REASONS[i]?.code} is not translated`);
      assert.match(text, /[а-яё]/i, `${REASONS[i]?.code} in Russian: ${text}`);
    }
    assert.match(
      problemText({ code: 'portal_error', detail: 'Internal Server Error' }),
      /Internal Server Error/,
      'the portal’s own words stay',
    );
  });

  test('every refusal the core makes itself is worded here, not shown in the core’s English', () => {
    const codes = coreRefusalCodes();
    for (const expected of ['MESSAGE_EMPTY', 'MESSAGE_TOO_LONG', 'not_connected', 'not_found', 'sending', 'unreachable', 'portal_error']) {
      assert.ok(codes.includes(expected), `the core no longer makes ${expected}: ${codes.join(', ')}`);
    }
    for (const locale of ['en', 'ru'] as const) {
      setLocale(locale);
      for (const code of codes) {
        const text = refusalText({ error: code, message: 'CORE WORDS' }, 'chat');
        assert.ok(text !== 'CORE WORDS' && text.trim() !== '' && !text.includes('refusal.'), `${locale} ${code}: ${text}`);
      }
    }
  });

  test('a limit is written as the language writes numbers; a portal’s own refusal keeps its words', () => {
    setLocale('en');
    assert.match(refusalText({ error: 'MESSAGE_TOO_LONG', message: '' }), /20,000/);
    setLocale('ru');
    assert.match(refusalText({ error: 'MESSAGE_TOO_LONG', message: '' }), /20\s000/);
    assert.equal(refusalText({ error: 'portal_error', message: 'Bad Gateway' }), 'Портал ответил ошибкой: Bad Gateway');
    assert.equal(refusalText({ error: 'TASK_NOT_FOUND', message: 'Task not found' }), 'Task not found');
    // ACCESS_DENIED means "not your message" or "not your chat" only in a chat; elsewhere the portal says what.
    assert.equal(refusalText({ error: 'ACCESS_DENIED', message: 'Access denied.' }), 'Access denied.');
    assert.equal(
      refusalText({ error: 'ACCESS_DENIED', message: 'Access denied.' }, 'message'),
      'Изменять и удалять можно только свои сообщения.',
    );
    assert.equal(refusalText({ error: 'ACCESS_DENIED', message: 'Access denied.' }, 'chat'), 'Вы не участник этого чата.');
  });
});

describe('a person the portal gave no name for', () => {
  test('the core leaves the name empty, and the window says "User 12" in its own language', () => {
    const message = toMessageView(
      { id: 5, chat_id: 1, author_id: 12, date: '2026-12-07T10:00:00+00:00', text: 'Hi', params: {} } as never,
      new Map(),
    );
    assert.equal(message.authorName, '');
    const task = toTaskView({ id: '3', title: 'T', status: '2', responsibleId: '12', createdBy: '12' } as never, [], Date.now());
    assert.deepEqual([task.responsibleName, task.createdByName], ['', '']);

    setLocale('en');
    assert.equal(nameOrUser(message.authorName, message.authorId), 'User 12');
    setLocale('ru');
    assert.equal(nameOrUser(message.authorName, message.authorId), 'Пользователь 12');
    assert.equal(nameOrUser('Ben Carter', 12), 'Ben Carter');
    // No author at all (a system message): nothing to say.
    assert.equal(nameOrUser('', 0), '');
  });
});
