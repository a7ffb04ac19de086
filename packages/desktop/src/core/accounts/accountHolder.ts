/** The fields of a Bitrix24 user answer (`user.current`, `profile`) that name an account's holder. */
export interface BitrixProfile {
  ID?: unknown;
  NAME?: unknown;
  LAST_NAME?: unknown;
  EMAIL?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The login and name an account shows for its holder; `User <id>` when the portal gave neither. */
export function accountHolder(user: BitrixProfile, userId: number): { login: string; userName: string } {
  const name = `${text(user.NAME)} ${text(user.LAST_NAME)}`.trim();
  const login = text(user.EMAIL);
  return { login, userName: name || login || `User ${userId}` };
}
