import { readFile, rename } from 'node:fs/promises';
import { AccountKind, AccountView } from '@multidesk/protocol';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { writeFileAtomic } from '../atomicFile.ts';

/** The fields an account's view shows that are saved as they are; declared once, in the view. */
const { portalUrl, portalTitle, userId, userName, login, state, missingScopes } = AccountView.properties;

/** What the profile keeps of an account: its view's lasting fields (not its connection, problem or counts). */
export const StoredAccount = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9-]{8,64}$' }),
  portalUrl,
  portalTitle,
  userId,
  userName,
  login,
  /** Absent in lists saved before webhooks and apps: Multidesk's own sign-in. */
  kind: Type.Optional(AccountKind),
  state,
  addedAt: Type.Integer(),
  /** Scopes the credential was found to lack when it was added. */
  missingScopes,
});
export type StoredAccount = Static<typeof StoredAccount>;

const RegistryFile = Type.Object({ version: Type.Literal(1), accounts: Type.Array(StoredAccount) });

/**
 * The list of accounts and their order, as JSON in the profile. Schema-versioned; every save is
 * atomic, so a crash mid-write keeps the previous list. A file that does not parse is set aside
 * (never overwritten) so that nothing is silently lost.
 */
export class AccountRegistry {
  readonly #file: string;
  /** Saves run one after another, in the order asked: the last list asked for is the one on disk. */
  #saving: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.#file = file;
  }

  async load(): Promise<StoredAccount[]> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (Value.Check(RegistryFile, parsed)) return parsed.accounts;
    const aside = `${this.#file}.unreadable-${Date.now()}`;
    await rename(this.#file, aside);
    throw new RegistryUnreadableError(aside);
  }

  /**
   * Two saves at once (Disconnect on one account while another is deleted) would race: the older
   * list, slower to write, could land last and undo the newer one on disk. They queue instead.
   */
  save(accounts: readonly StoredAccount[]): Promise<void> {
    const content = `${JSON.stringify({ version: 1, accounts }, null, 2)}\n`;
    const saved = this.#saving.then(() => writeFileAtomic(this.#file, content));
    this.#saving = saved.catch(() => {});
    return saved;
  }
}

export class RegistryUnreadableError extends Error {
  readonly asidePath: string;
  constructor(asidePath: string) {
    super(`the account list could not be read; it was kept as ${asidePath}`);
    this.asidePath = asidePath;
  }
}
