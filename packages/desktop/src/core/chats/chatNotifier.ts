import { EventEmitter } from 'node:events';
import type { ImMessage, Locale } from '@multidesk/protocol';
import type { AccountManager } from '../accounts/accountManager.ts';
import type { HomeService } from '../home/homeService.ts';
import type { ChatService } from './chatService.ts';

export interface ChatNotification {
  accountId: string;
  dialogId: string;
  title: string;
  body: string;
  /** Shown without the system's sound. */
  silent?: boolean;
}

/** The user's choice for an account's notifications (Settings). */
export type NotificationChoice = (accountId: string) => { show: boolean; silent: boolean };

/** What the Messenger shows while it has the focus (an account, maybe one of its chats). */
export type Viewing = { id: string; dialogId?: string } | null;

/** The notifier's own words (the rest is the portal's: names, titles, text), in the windows' language. */
const WORDS: Record<Locale, { groupChat: string; user: (id: number) => string }> = {
  en: { groupChat: 'Group chat', user: (id) => `User ${id}` },
  ru: { groupChat: 'Групповой чат', user: (id) => `Пользователь ${id}` },
};

/** Long messages are cut: a notification is a glance, the chat has the rest. */
const BODY_MAX = 200;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > BODY_MAX ? `${chars.slice(0, BODY_MAX - 1).join('')}…` : flat;
}

/**
 * Decides which new messages deserve a system notification: someone else's, arriving live (a
 * catch-up after an absence raises none: the unread counts tell that story), in a chat the user is
 * not looking at. A window shows it; clicking it opens the chat.
 */
export class ChatNotifier extends EventEmitter<{ notify: [ChatNotification] }> {
  readonly #manager: AccountManager;
  readonly #chats: ChatService;
  readonly #home: HomeService;
  readonly #choice: NotificationChoice;
  readonly #locale: () => Locale;
  #viewing: Viewing = null;

  /** `choice` says which accounts' messages raise one, and whether with sound; every one, with sound, unless given. */
  constructor(options: {
    manager: AccountManager;
    chats: ChatService;
    home: HomeService;
    choice?: NotificationChoice;
    /** The windows' language, for the few words the notifier adds. */
    locale?: () => Locale;
  }) {
    super();
    this.#locale = options.locale ?? (() => 'en');
    this.#choice = options.choice ?? (() => ({ show: true, silent: false }));
    this.#manager = options.manager;
    this.#chats = options.chats;
    this.#home = options.home;
    this.#chats.on('message-new', (accountId, dialogId, message) => this.#onMessage(accountId, dialogId, message));
  }

  setViewing(viewing: Viewing): void {
    this.#viewing = viewing;
  }

  #onMessage(accountId: string, dialogId: string, message: ImMessage): void {
    if (this.#viewing?.id === accountId && this.#viewing.dialogId === dialogId) return;
    const { show, silent } = this.#choice(accountId);
    if (!show) return;
    const chat = this.#chats.savedChat(accountId, dialogId);
    const person = this.#home.people(accountId).find((p) => p.id === message.author_id);
    const words = WORDS[this.#locale()];
    const author = person ? `${person.name} ${person.lastName}`.trim() : words.user(message.author_id);
    const group = chat ? chat.kind === 'chat' : dialogId.startsWith('chat');
    const where = group ? (chat?.title ?? words.groupChat) : author;
    this.emit('notify', {
      accountId,
      dialogId,
      title: `${where} · ${this.#manager.access(accountId).view.portalTitle}`,
      body: shorten(group ? `${author}: ${message.text}` : message.text),
      ...(silent ? { silent } : {}),
    });
  }
}
