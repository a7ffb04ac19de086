import { EventEmitter } from 'node:events';
import type { BitrixUser, HomeView, Person } from '@multidesk/protocol';
import type { AccountManager } from '../accounts/accountManager.ts';
import { savedCopyReason } from '../accounts/accountProblems.ts';

const HOME_KEY = 'home';
/** People shown on an account's home: enough for the demo and small teams, bounded for large ones. */
const MAX_PEOPLE = 500;

type SavedHome = { profile: Person | null; people: Person[] };

/** `user.list` may leave out fields; a person is what the home shows of one. */
function toPerson(user: Pick<BitrixUser, 'ID'> & Partial<BitrixUser>): Person {
  return {
    id: Number(user.ID),
    name: user.NAME ?? '',
    lastName: user.LAST_NAME ?? '',
    email: user.EMAIL ?? '',
    position: user.WORK_POSITION ?? '',
    photo: user.PERSONAL_PHOTO ?? '',
  };
}

/**
 * The one owner of each account's home: the signed-in user's profile and the colleagues listed
 * with it, fetched with `user.current` and `user.get`, saved in the account's cache so a restart or
 * an outage still shows them. Tasks and notifications name people from here.
 */
export class HomeService extends EventEmitter<{ changed: [accountId: string] }> {
  readonly #manager: AccountManager;
  readonly #now: () => number;

  constructor(manager: AccountManager, now: () => number = Date.now) {
    super();
    this.#manager = manager;
    this.#now = now;
    manager.on('stale', (id) => this.emit('changed', id));
  }

  async get(id: string): Promise<HomeView> {
    if (this.#manager.access(id).view.state === 'connected') await this.refresh(id);
    const account = this.#manager.access(id);
    const cached = account.cache.get<SavedHome>(HOME_KEY);
    const { state } = account.view;
    const problem = savedCopyReason(account.view, account.view.problem);
    return {
      profile: cached?.value.profile ?? null,
      people: cached?.value.people ?? [],
      stale: state !== 'connected' || account.view.problem !== undefined,
      fetchedAt: cached?.updatedAt ?? null,
      ...(problem ? { problem } : {}),
    };
  }

  /** The people last seen on the account's home. */
  people(id: string): Person[] {
    return this.#manager.cacheOf(id).get<SavedHome>(HOME_KEY)?.value.people ?? [];
  }

  /** Fetches the profile and the colleagues; the account's name follows the profile. */
  async refresh(id: string): Promise<void> {
    const account = this.#manager.access(id);
    const session = account.session;
    if (!session) return;
    try {
      const colleagues = (start: number) => ({ filter: { ACTIVE: true }, sort: 'LAST_NAME', order: 'ASC', start });
      // The profile and the first page of people in one request; further pages (large teams) after it.
      const first = await session.batch<{ me: BitrixUser; people: BitrixUser[] }>({
        me: ['user.current'],
        people: ['user.get', colleagues(0)],
      });
      const people: Person[] = first.people.result.map(toPerson);
      for (let start = first.people.next; start !== undefined && people.length < MAX_PEOPLE; ) {
        const page = await session.call<BitrixUser[]>('user.get', colleagues(start));
        people.push(...page.result.map(toPerson));
        start = page.next;
      }
      const profile = toPerson(first.me.result);
      const before = JSON.stringify(account.cache.get(HOME_KEY)?.value ?? null);
      account.cache.put(HOME_KEY, { profile, people } satisfies SavedHome, this.#now());
      if (before !== JSON.stringify({ profile, people })) this.emit('changed', id);
      const login = account.view.login || profile.email;
      await this.#manager.rename(id, { login, userName: `${profile.name} ${profile.lastName}`.trim() || login });
      account.reportSuccess();
    } catch (error) {
      if (!session.closed) account.reportProblem(error);
    }
  }
}
